/* The rule set: the rule files of a --rules folder and the built-in ones, the keyword
 * prefilters built from their words, and look-ups. Loading one rule file is rule.c's. */
#include "check/rule.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/rule_private.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/literal.h"
#include "core/yaml_keys.h"
#include "flow/model.h"
#include "source/files.h"

static int add_rule(struct ruleset *set, const char *name, const char *text, size_t len,
		    bool builtin)
{
	struct rule r;
	if (rule_parse(&r, name, text, len, builtin) < 0)
		return -1;
	int rc = ruleset_find(set, r.id) ? error_set("%s: duplicate rule id %s", name, r.id) : 0;
	struct rule *p = rc ? NULL : realloc(set->rules, (set->len + 1) * sizeof *p);
	if (!rc && !p)
		rc = error_set("out of memory");
	if (rc) {
		rule_free(&r);
		return rc;
	}
	set->rules = p;
	set->rules[set->len++] = r;
	return 0;
}

int ruleset_add_yaml(struct ruleset *set, const char *name, const char *text, size_t len)
{
	return add_rule(set, name, text, len, false);
}

/* A rule file in a --rules folder: a regular file in it, not reached through a link
 * (the folder may be in the audited repository). */
static int load_file(struct ruleset *set, const char *dir, const char *file)
{
	char *text = NULL, name[4096];
	size_t len = 0;
	file_join_name(name, sizeof name, dir, file);
	int rc = file_read_regular(&text, &len, dir, file, RULE_MAX_SIZE);
	if (rc == 1)
		return error_set("%s: cannot open rule file: %s", name, strerror(ENOENT));
	if (rc < 0)
		return -1;
	rc = ruleset_add_yaml(set, name, text, len);
	free(text);
	return rc;
}

static int load_dir(struct ruleset *set, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return error_set("%s: cannot open rules directory: %s", dir, strerror(errno));
	char **names;
	size_t n;
	if (yaml_dir_files(d, &names, &n) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = load_file(set, dir, names[i]);
	yaml_dir_files_free(names, n);
	if (!rc && n == 0)
		rc = error_set("%s: no rule files (*.yml) in this directory", dir);
	return rc;
}

const struct model_set *ruleset_models(const struct ruleset *cset)
{
	struct ruleset *set = (struct ruleset *)cset; /* the models are a cache of the set's */
	if (!set->models && model_set_load(&set->models, set->models_dir) < 0)
		return NULL;
	return set->models;
}

int ruleset_load(struct ruleset *set, const char *extra_dir)
{
	if (extra_dir && !(set->models_dir = strdup(extra_dir)))
		return error_set("out of memory");
	if (extra_dir && !ruleset_models(set)) /* DIR/models/ checked before any scan */
		return -1;
	for (const struct embedded_rule *e = embedded_rules; e->name; e++)
		if (add_rule(set, e->name, e->text, e->len, true) < 0)
			return -1;
	if (extra_dir && load_dir(set, extra_dir) < 0)
		return -1;
	return ruleset_prepare(set);
}

/* Words whose presence shows a file takes part in an OCPay integration: the checklist is
 * n/a for a repository where none appears. "oneclick" alone is not one: one-click
 * logins and checkouts are everywhere; OneClick DZ's host, package names and
 * ONECLICK_API_* variables are. */
static const char *const ocpay_markers[] = {"oneclickdz",  "oneclick_api", "oneclick-api",
					    "oneclickapi", "ocpay",	   "x-access-token"};

/* The bit of word in the prefilter. source names the rule file in errors (the loader
 * has checked the word's length; a built-in marker is known to fit). */
static int keyword_bit(struct ruleset *set, const char *source, const char *word, uint64_t mask[2])
{
	char low[RULE_MAX_KEYWORD + 1];
	size_t n = strlen(word);
	if (n == 0 || n >= sizeof low)
		return error_set("%s: a keyword must have 1 to %d characters (one has %zu)", source,
				 RULE_MAX_KEYWORD, n);
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)(word[i] >= 'A' && word[i] <= 'Z' ? word[i] + 32 : word[i]);
	size_t bit = 0;
	while (bit < set->nkeywords && strcmp(set->keywords[bit], low))
		bit++;
	if (bit == set->nkeywords) {
		if (bit == RULESET_MAX_KEYWORDS)
			return error_set("%s: one keyword too many: the rules may use %d distinct "
					 "keywords in all",
					 source, RULESET_MAX_KEYWORDS);
		char **p = realloc(set->keywords, (bit + 1) * sizeof *p);
		if (!p || !(p[bit] = strdup(low))) {
			if (p)
				set->keywords = p;
			return error_set("out of memory");
		}
		set->keywords = p;
		set->nkeywords++;
	}
	mask[bit / 64] |= 1ull << (bit % 64);
	return 0;
}

/* The detectors that read a file of language l: its own, the text ones (a page's markup
 * and attributes are text), and for PHP the JavaScript ones too (its <script> blocks). */
static unsigned langs_reading(enum lang l)
{
	if (l == LANG_COUNT)
		return LANG_ALL;
	unsigned js = LANG_BIT(LANG_JAVASCRIPT) | LANG_BIT(LANG_TYPESCRIPT) | LANG_BIT(LANG_TSX);
	return LANG_BIT(l) | LANG_BIT(LANG_TEXT) | (l == LANG_PHP ? js : 0);
}

/* The prefilter of language l: the words of the detectors that read it, the OCPay markers
 * and the rules' applies_to words; the others are left empty so that each word keeps its
 * bit. A JavaScript file is not searched for a PHP scheduler's words. With LANG_COUNT:
 * the words of the rules that read history, which screen blobs before their path and
 * language are known. */
static struct literal_set *prefilter_for(const struct ruleset *set, enum lang l)
{
	uint64_t want[2] = {set->ocpay_mask[0], set->ocpay_mask[1]};
	if (l != LANG_COUNT && l != LANG_TEXT) {
		want[0] |= set->status_mask[0];
		want[1] |= set->status_mask[1];
	}
	for (size_t i = 0; i < set->len; i++) {
		const struct rule *r = &set->rules[i];
		if (l == LANG_COUNT && !(r->scopes & SCOPE_HISTORY))
			continue;
		want[0] |= r->applies_mask[0];
		want[1] |= r->applies_mask[1];
		for (size_t j = 0; j < r->ndetectors; j++)
			if (l == LANG_COUNT || (r->detectors[j].langs & langs_reading(l))) {
				want[0] |= r->detectors[j].kwmask[0];
				want[1] |= r->detectors[j].kwmask[1];
			}
	}
	static char none[] = "";
	char *words[RULESET_MAX_KEYWORDS];
	for (size_t k = 0; k < set->nkeywords; k++)
		words[k] = want[k / 64] & (1ull << (k % 64)) ? set->keywords[k] : none;
	return literal_set_new(words, set->nkeywords);
}

int ruleset_prepare(struct ruleset *set)
{
	for (size_t i = 0; i < sizeof ocpay_markers / sizeof ocpay_markers[0]; i++)
		if (keyword_bit(set, "the built-in rules", ocpay_markers[i], set->ocpay_mask) < 0)
			return -1;
	if (keyword_bit(set, "the built-in rules", "confirmed", set->status_mask) < 0)
		return -1;
	for (size_t i = 0; i < set->len; i++) {
		struct rule *r = &set->rules[i];
		if (!r->napplies || r->not_applicable)
			continue;
		struct buf b = BUF_INIT;
		buf_puts(&b, "no ");
		for (size_t k = 0; k < r->napplies; k++) {
			if (keyword_bit(set, r->source, r->applies_to[k], r->applies_mask) < 0) {
				buf_free(&b);
				return -1;
			}
			buf_puts(&b, k == 0 ? "" : k + 1 == r->napplies ? " or " : ", ");
			buf_puts(&b, r->applies_to[k]);
		}
		buf_puts(&b, " in the code");
		if (!(r->not_applicable = buf_detach(&b)))
			return error_set("out of memory");
	}
	for (size_t i = 0; i < set->len; i++)
		for (size_t j = 0; j < set->rules[i].ndetectors; j++) {
			struct detector *d = &set->rules[i].detectors[j];
			for (size_t k = 0; k < d->nkeywords; k++)
				if (keyword_bit(set, set->rules[i].source, d->keywords[k],
						d->kwmask) < 0)
					return -1;
		}
	if (!(set->prefilter = prefilter_for(set, LANG_COUNT)))
		return -1;
	for (int l = 0; l < LANG_COUNT; l++)
		if (!(set->prefilter_lang[l] = prefilter_for(set, (enum lang)l)))
			return -1;
	return 0;
}

void ruleset_free(struct ruleset *set)
{
	for (size_t i = 0; i < set->len; i++)
		rule_free(&set->rules[i]);
	free(set->rules);
	for (size_t i = 0; i < set->nkeywords; i++)
		free(set->keywords[i]);
	free(set->keywords);
	literal_set_free(set->prefilter);
	for (int l = 0; l < LANG_COUNT; l++)
		literal_set_free(set->prefilter_lang[l]);
	model_set_free(set->models);
	free(set->models_dir);
	memset(set, 0, sizeof *set);
}

const struct rule *ruleset_find(const struct ruleset *set, const char *id)
{
	for (size_t i = 0; i < set->len; i++)
		if (!strcmp(set->rules[i].id, id))
			return &set->rules[i];
	return NULL;
}

enum severity rule_severity(const struct rule *r, enum key_kind kind)
{
	return r->by_kind ? r->kind_severity[kind] : r->severity;
}
