#include "check/rule.h"

#include <pthread.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "check/checker.h"
#include "check/rule_private.h"
#include "core/yaml_keys.h"
#include "core/error.h"
#include "flow/model.h"
#include "core/regex.h"
#include "lang/classify.h"
#include "lang/ts.h"


/* One YAML document being turned into a rule; errors name file:line:column. */
struct loader {
	yaml_document_t doc;
	const char *name;
	bool lazy; /* built-in rules: queries compiled on first use (tested at build time) */
};

/* Compiling a tree-sitter query takes milliseconds: the built-in ones are compiled
 * when a file first needs them, under this lock, so a scan that parses nothing pays
 * nothing. */
static pthread_mutex_t query_lock = PTHREAD_MUTEX_INITIALIZER;

const struct tsq *detector_query(const struct detector *d, enum lang l)
{
	if (d->type != DETECT_QUERY || l <= LANG_TEXT || l >= LANG_COUNT || !(d->langs & LANG_BIT(l)))
		return NULL;
	pthread_mutex_lock(&query_lock);
	struct detector *m = (struct detector *)d; /* a cache: the detector stays the same */
	if (!m->query[l] && tsq_new(&m->query[l], l, d->pattern, d->secret, d->report) < 0)
		m->query[l] = NULL;
	const struct tsq *q = m->query[l];
	pthread_mutex_unlock(&query_lock);
	return q;
}

__attribute__((format(printf, 3, 4))) static int fail_at(const struct loader *ld,
							 const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = yaml_vfail(ld->name, n, fmt, ap);
	va_end(ap);
	return rc;
}

static char *dup_scalar(const yaml_node_t *n)
{
	char *s = malloc(n->data.scalar.length + 1);
	if (s) {
		memcpy(s, n->data.scalar.value, n->data.scalar.length);
		s[n->data.scalar.length] = '\0';
	}
	return s;
}

static int get_string(const struct loader *ld, const yaml_node_t *n, const char *key, char **out)
{
	if (n->type != YAML_SCALAR_NODE)
		return fail_at(ld, n, "'%s' must be a string", key);
	free(*out);
	*out = dup_scalar(n);
	return *out ? 0 : error_set("out of memory");
}

/* A list of strings; a single string is taken as a list of one. */
static int get_strings(const struct loader *ld, yaml_node_t *n, const char *key, char ***out,
		       size_t *count)
{
	if (n->type == YAML_SCALAR_NODE) {
		*out = calloc(1, sizeof **out);
		if (!*out || !(**out = dup_scalar(n)))
			return error_set("out of memory");
		*count = 1;
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return fail_at(ld, n, "'%s' must be a list of strings", key);
	size_t len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	*out = calloc(len ? len : 1, sizeof **out);
	if (!*out)
		return error_set("out of memory");
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *item = yaml_document_get_node((yaml_document_t *)&ld->doc, n->data.sequence.items.start[i]);
		if (!item || item->type != YAML_SCALAR_NODE)
			return fail_at(ld, item ? item : n, "'%s' must be a list of strings", key);
		if (!((*out)[i] = dup_scalar(item)))
			return error_set("out of memory");
		*count = i + 1;
	}
	return 0;
}

/* Keywords index the prefilter: each must have 1 to 127 characters. The error points at
 * the word in its file, without repeating it. */
static int get_keywords(const struct loader *ld, yaml_node_t *n, const char *key, char ***out,
			size_t *count)
{
	int rc = get_strings(ld, n, key, out, count);
	for (size_t i = 0; !rc && i < *count; i++) {
		size_t len = strlen((*out)[i]);
		if (len >= 1 && len <= RULE_MAX_KEYWORD)
			continue;
		yaml_node_t *item = n;
		if (n->type == YAML_SEQUENCE_NODE)
			item = yaml_document_get_node((yaml_document_t *)&ld->doc,
						      n->data.sequence.items.start[i]);
		rc = fail_at(ld, item, "a word of '%s' must have 1 to %d characters (this one has %zu)",
			     key, RULE_MAX_KEYWORD, len);
	}
	return rc;
}

static int get_severity(const struct loader *ld, const yaml_node_t *n, enum severity *out)
{
	if (n->type != YAML_SCALAR_NODE ||
	    severity_parse(out, (const char *)n->data.scalar.value) < 0)
		return fail_at(ld, n, "severity must be one of info, low, medium, high, critical");
	return 0;
}

static const char *key_of(const struct loader *ld, yaml_node_pair_t *p, yaml_node_t **value)
{
	yaml_node_t *k = yaml_document_get_node((yaml_document_t *)&ld->doc, p->key);
	*value = yaml_document_get_node((yaml_document_t *)&ld->doc, p->value);
	return k && k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
}

#define FOR_PAIRS(ld, map, p) \
	for (yaml_node_pair_t *p = (map)->data.mapping.pairs.start; p < (map)->data.mapping.pairs.top; p++)
#define FOR_ITEMS(map, it) \
	for (yaml_node_item_t *it = (map)->data.sequence.items.start; it < (map)->data.sequence.items.top; it++)

static int compile_detector(const struct loader *ld, const yaml_node_t *n, struct detector *d)
{
	char err[256];
	size_t off = 0;
	if (d->context && !(d->context_re = regex_new(d->context, 0, err, sizeof err, &off)))
		return fail_at(ld, n, "invalid context regex: %s", err);
	if (d->unless_context &&
	    !(d->unless_context_re = regex_new(d->unless_context, 0, err, sizeof err, &off)))
		return fail_at(ld, n, "invalid unless_context regex: %s", err);
	if (d->unless_line &&
	    !(d->unless_line_re = regex_new(d->unless_line, 0, err, sizeof err, &off)))
		return fail_at(ld, n, "invalid unless_line regex: %s", err);
	if (d->type == DETECT_REGEX) {
		if (!(d->re = regex_new(d->pattern, 0, err, sizeof err, &off))) {
			char at[32];
			snprintf(at, sizeof at, " (at offset %zu)", off);
			return fail_at(ld, n, "invalid regex: %s%s", err, at);
		}
		d->secret_group = d->secret ? regex_group_number(d->re, d->secret) : -1;
		d->report_group = d->report ? regex_group_number(d->re, d->report) : d->secret_group;
		if (d->secret && d->secret_group < 0)
			return fail_at(ld, n, "regex has no group named '%s'", d->secret);
		if (d->report && d->report_group < 0)
			return fail_at(ld, n, "regex has no group named '%s'", d->report);
	} else if (d->type == DETECT_QUERY) {
		d->langs &= ~LANG_BIT(LANG_TEXT);
		if (!d->langs)
			return fail_at(ld, n, "a query needs languages: javascript, typescript, tsx, php or python");
		for (int l = 1; l < LANG_COUNT && !ld->lazy; l++) {
			if (!(d->langs & LANG_BIT(l)))
				continue;
			if (tsq_new(&d->query[l], (enum lang)l, d->pattern, d->secret, d->report) < 0)
				return fail_at(ld, n, "%s", error_last());
		}
	}
	return 0;
}

static int load_detector(const struct loader *ld, yaml_node_t *n, struct detector *d)
{
	if (n->type != YAML_MAPPING_NODE)
		return fail_at(ld, n, "a detector must be a mapping");
	d->langs = LANG_ALL;
	d->secret_group = d->report_group = -1;
	int kinds = 0;
	FOR_PAIRS(ld, n, p) {
		yaml_node_t *v;
		const char *k = key_of(ld, p, &v);
		int rc = 0;
		if (!strcmp(k, "regex")) {
			d->type = DETECT_REGEX;
			kinds++;
			rc = get_string(ld, v, k, &d->pattern);
		} else if (!strcmp(k, "query")) {
			d->type = DETECT_QUERY;
			kinds++;
			rc = get_string(ld, v, k, &d->pattern);
		} else if (!strcmp(k, "checker")) {
			char *name = NULL;
			d->type = DETECT_CHECKER;
			kinds++;
			rc = get_string(ld, v, k, &name);
			if (!rc && !(d->checker = checker_find(name)))
				rc = fail_at(ld, v, "unknown checker '%s'", name);
			d->pattern = name;
		} else if (!strcmp(k, "label")) {
			rc = get_string(ld, v, k, &d->label);
		} else if (!strcmp(k, "secret")) {
			rc = get_string(ld, v, k, &d->secret);
		} else if (!strcmp(k, "report")) {
			rc = get_string(ld, v, k, &d->report);
		} else if (!strcmp(k, "context")) {
			rc = get_string(ld, v, k, &d->context);
		} else if (!strcmp(k, "unless_context")) {
			rc = get_string(ld, v, k, &d->unless_context);
		} else if (!strcmp(k, "unless_line")) {
			rc = get_string(ld, v, k, &d->unless_line);
		} else if (!strcmp(k, "message")) {
			rc = get_string(ld, v, k, &d->message);
		} else if (!strcmp(k, "keywords")) {
			rc = get_keywords(ld, v, k, &d->keywords, &d->nkeywords);
		} else if (!strcmp(k, "paths")) {
			rc = get_strings(ld, v, k, &d->paths, &d->npaths);
		} else if (!strcmp(k, "skip_tests")) {
			const char *b = v->type == YAML_SCALAR_NODE ? (const char *)v->data.scalar.value : "";
			d->skip_tests = !strcmp(b, "true");
			if (!d->skip_tests && strcmp(b, "false"))
				rc = fail_at(ld, v, "skip_tests must be true or false");
		} else if (!strcmp(k, "unless_paths")) {
			rc = get_strings(ld, v, k, &d->unless_paths, &d->nunless_paths);
		} else if (!strcmp(k, "runtime")) {
			/* Where the code must run for the detector to apply, as decided by
			 * lang/classify.c. */
			char **names = NULL;
			size_t count = 0;
			rc = get_strings(ld, v, k, &names, &count);
			for (size_t i = 0; i < count; i++) {
				int bit = runtime_parse(names[i]);
				if (!rc && bit < 0)
					rc = fail_at(ld, v, "unknown runtime '%s' (browser, server, unknown)",
						     names[i]);
				if (bit >= 0)
					d->runtimes |= 1u << bit;
				free(names[i]);
			}
			free(names);
		} else if (!strcmp(k, "min_length")) {
			/* digits only: strtoul would take "-1" as its largest value */
			const char *t = v->type == YAML_SCALAR_NODE ? (const char *)v->data.scalar.value
								    : "";
			char *end = NULL;
			errno = 0;
			if (*t >= '0' && *t <= '9')
				d->min_length = strtoul(t, &end, 10);
			if (!end || *end || errno || d->min_length > 4096)
				rc = fail_at(ld, v, "min_length must be a number from 0 to 4096");
		} else if (!strcmp(k, "languages")) {
			char **names = NULL;
			size_t count = 0;
			rc = get_strings(ld, v, k, &names, &count);
			d->langs = 0;
			for (size_t i = 0; i < count; i++) {
				unsigned m;
				if (!rc && lang_parse_mask(&m, names[i]) < 0)
					rc = fail_at(ld, v,
						     "unknown language '%s' (any, text, javascript, "
						     "typescript, tsx, php, python)",
						     names[i]);
				d->langs |= rc ? 0 : m;
				free(names[i]);
			}
			free(names);
		} else {
			rc = fail_at(ld, v, "unknown detector key '%s'", k);
		}
		if (rc)
			return rc;
	}
	if (kinds != 1)
		return fail_at(ld, n, "a detector needs exactly one of regex, query, checker");
	return compile_detector(ld, n, d);
}

static int load_list(const struct loader *ld, yaml_node_t *v, const char *key, size_t elem,
		     void **out, size_t *count)
{
	if (v->type != YAML_SEQUENCE_NODE)
		return fail_at(ld, v, "'%s' must be a list", key);
	size_t len = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	*out = calloc(len ? len : 1, elem);
	*count = 0;
	return *out ? 0 : error_set("out of memory");
}

static int load_item(const struct loader *ld, yaml_node_t *n, struct checklist_item *it)
{
	if (n->type != YAML_MAPPING_NODE)
		return fail_at(ld, n, "a checklist item must be a mapping");
	it->scope = SCOPE_TREE;
	FOR_PAIRS(ld, n, p) {
		yaml_node_t *v;
		const char *k = key_of(ld, p, &v);
		int rc;
		if (!strcmp(k, "section"))
			rc = get_string(ld, v, k, &it->section);
		else if (!strcmp(k, "item"))
			rc = get_string(ld, v, k, &it->item);
		else if (!strcmp(k, "scope")) {
			const char *s = v->type == YAML_SCALAR_NODE ? (const char *)v->data.scalar.value : "";
			it->scope = !strcmp(s, "tree") ? SCOPE_TREE : !strcmp(s, "history") ? SCOPE_HISTORY : 0;
			rc = it->scope ? 0 : fail_at(ld, v, "scope must be tree or history");
		} else
			rc = fail_at(ld, v, "unknown checklist key '%s'", k);
		if (rc)
			return rc;
	}
	if (!it->section || !it->item)
		return fail_at(ld, n, "a checklist item needs section and item");
	return 0;
}

static int load_kind_severity(const struct loader *ld, yaml_node_t *v, struct rule *r)
{
	if (v->type != YAML_MAPPING_NODE)
		return fail_at(ld, v, "severity_by_kind must map live/sandbox/unknown to severities");
	for (int i = 0; i < 3; i++)
		r->kind_severity[i] = r->severity;
	FOR_PAIRS(ld, v, p) {
		yaml_node_t *sv;
		const char *k = key_of(ld, p, &sv);
		int kind = !strcmp(k, "live") ? KEY_LIVE : !strcmp(k, "sandbox") ? KEY_SANDBOX
			 : !strcmp(k, "unknown") ? KEY_UNKNOWN : -1;
		if (kind < 0)
			return fail_at(ld, sv, "unknown key kind '%s' (live, sandbox, unknown)", k);
		if (get_severity(ld, sv, &r->kind_severity[kind]) < 0)
			return -1;
	}
	r->by_kind = true;
	return 0;
}

static int load_rule(struct loader *ld, yaml_node_t *root, struct rule *r)
{
	if (!root || root->type != YAML_MAPPING_NODE)
		return fail_at(ld, root, "a rule file must be a mapping");
	yaml_node_t *sev_kind = NULL;
	FOR_PAIRS(ld, root, p) {
		yaml_node_t *v;
		const char *k = key_of(ld, p, &v);
		int rc = 0;
		if (!strcmp(k, "id"))
			rc = get_string(ld, v, k, &r->id);
		else if (!strcmp(k, "name"))
			rc = get_string(ld, v, k, &r->name);
		else if (!strcmp(k, "severity"))
			rc = get_severity(ld, v, &r->severity);
		else if (!strcmp(k, "severity_by_kind"))
			sev_kind = v; /* after severity, which it defaults to */
		else if (!strcmp(k, "precision"))
			rc = get_string(ld, v, k, &r->precision);
		else if (!strcmp(k, "message"))
			rc = get_string(ld, v, k, &r->message);
		else if (!strcmp(k, "summary"))
			rc = get_string(ld, v, k, &r->summary);
		else if (!strcmp(k, "description"))
			rc = get_string(ld, v, k, &r->description);
		else if (!strcmp(k, "fix"))
			rc = get_string(ld, v, k, &r->fix);
		else if (!strcmp(k, "why"))
			rc = get_string(ld, v, k, &r->why);
		else if (!strcmp(k, "fixes"))
			rc = rule_fixes_load(r, &ld->doc, v, ld->name);
		else if (!strcmp(k, "docs"))
			rc = get_string(ld, v, k, &r->docs);
		else if (!strcmp(k, "pass_reason"))
			rc = get_string(ld, v, k, &r->pass_reason);
		else if (!strcmp(k, "applies_to"))
			rc = get_keywords(ld, v, k, &r->applies_to, &r->napplies);
		else if (!strcmp(k, "checklist")) {
			rc = load_list(ld, v, k, sizeof *r->items, (void **)&r->items, &r->nitems);
			FOR_ITEMS(v, it) {
				if (rc)
					break;
				rc = load_item(ld, yaml_document_get_node(&ld->doc, *it), &r->items[r->nitems++]);
			}
		} else if (!strcmp(k, "detectors")) {
			rc = load_list(ld, v, k, sizeof *r->detectors, (void **)&r->detectors,
				       &r->ndetectors);
			FOR_ITEMS(v, it) {
				if (rc)
					break;
				rc = load_detector(ld, yaml_document_get_node(&ld->doc, *it),
						   &r->detectors[r->ndetectors++]);
			}
		} else
			rc = fail_at(ld, v, "unknown rule key '%s'", k);
		if (rc)
			return rc;
	}
	static const char *const required[] = {"id",	      "name", "summary", "message",
					       "description", "fix"};
	const char *have[] = {r->id, r->name, r->summary, r->message, r->description, r->fix};
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		if (!have[i])
			return fail_at(ld, root, "missing required key '%s'", required[i]);
	if (!r->nitems)
		return fail_at(ld, root, "missing required key 'checklist'");
	if (!r->ndetectors)
		return fail_at(ld, root, "missing required key 'detectors'");
	if (sev_kind && load_kind_severity(ld, sev_kind, r) < 0)
		return -1;
	for (size_t i = 0; i < r->nitems; i++)
		r->scopes |= r->items[i].scope;
	return 0;
}

static void detector_free(struct detector *d)
{
	free(d->label);
	free(d->pattern);
	free(d->secret);
	free(d->report);
	free(d->context);
	free(d->unless_context);
	free(d->unless_line);
	free(d->message);
	for (size_t i = 0; i < d->nkeywords; i++)
		free(d->keywords[i]);
	free(d->keywords);
	for (size_t i = 0; i < d->npaths; i++)
		free(d->paths[i]);
	free(d->paths);
	for (size_t i = 0; i < d->nunless_paths; i++)
		free(d->unless_paths[i]);
	free(d->unless_paths);
	regex_free(d->re);
	regex_free(d->context_re);
	regex_free(d->unless_context_re);
	regex_free(d->unless_line_re);
	for (int l = 0; l < LANG_COUNT; l++)
		tsq_free(d->query[l]);
}

void rule_free(struct rule *r)
{
	free(r->id);
	free(r->name);
	free(r->source);
	free(r->precision);
	free(r->summary);
	free(r->message);
	free(r->description);
	free(r->fix);
	free(r->why);
	rule_fixes_free(r);
	free(r->docs);
	free(r->pass_reason);
	for (size_t i = 0; i < r->napplies; i++)
		free(r->applies_to[i]);
	free(r->applies_to);
	free(r->not_applicable);
	for (size_t i = 0; i < r->nitems; i++) {
		free(r->items[i].section);
		free(r->items[i].item);
	}
	free(r->items);
	for (size_t i = 0; i < r->ndetectors; i++)
		detector_free(&r->detectors[i]);
	free(r->detectors);
}

int rule_parse(struct rule *r, const char *name, const char *text, size_t len, bool builtin)
{
	struct loader ld = {.name = name, .lazy = builtin};
	if (yaml_load(&ld.doc, name, text, len) < 0)
		return -1;
	memset(r, 0, sizeof *r);
	int oom;
	const yaml_node_t *twice = yaml_repeated_key(&ld.doc, &oom);
	int rc = oom ? -1
		 : twice ? fail_at(&ld, twice, "'%s' is given twice", twice->data.scalar.value)
			 : load_rule(&ld, yaml_document_get_root_node(&ld.doc), r);
	if (!rc && !(r->source = strdup(name)))
		rc = error_set("out of memory");
	r->builtin = builtin;
	if (rc)
		rule_free(r);
	yaml_document_delete(&ld.doc);
	return rc;
}
