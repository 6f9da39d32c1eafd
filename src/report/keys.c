/* Keys to rotate: the findings that hold a secret, one entry per distinct key (by the
 * secret's hash), with every place it was seen. A reader rotates keys, not findings:
 * one key committed in ten versions of three files is one thing to do. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/hash.h"
#include "report/report.h"

bool report_finding_in_tree(const struct finding *f)
{
	return finding_scopes(f) & FOUND_TREE;
}

bool report_finding_key(const struct finding *f, const char **kind, char id[17])
{
	if (!f->secret_hash[0])
		return false;
	const char *m = f->message ? f->message : "";
	const char *mark = f->snippet && f->mark_end > f->mark_start ? f->snippet + f->mark_start
								     : "";
	if (strstr(m, "live key") || !strncmp(mark, "sk_live_", 8))
		*kind = "live";
	else if (strstr(m, "sandbox key") || !strncmp(mark, "sk_sandbox_", 11) ||
		 !strncmp(mark, "sk_test_", 8))
		*kind = "sandbox";
	else
		*kind = "unknown";
	/* not the secret's hash itself: the id only tells keys apart across reports */
	char salted[HASH_HEX_SIZE + 32], hex[HASH_HEX_SIZE];
	int n = snprintf(salted, sizeof salted, "ocpay-audit key id %s", f->secret_hash);
	if (hash_hex(hex, salted, (size_t)n) < 0)
		hex[0] = '\0';
	memcpy(id, hex, 16);
	id[16] = '\0';
	return true;
}

/* The key as the snippet shows it (redacted), quotes dropped; else the kind. */
void report_key_text(const struct finding *f, char *out, size_t size)
{
	if (f->snippet && f->mark_end > f->mark_start &&
	    (size_t)f->mark_end <= strlen(f->snippet)) {
		const char *p = f->snippet + f->mark_start;
		size_t n = (size_t)(f->mark_end - f->mark_start);
		while (n && strchr("\"'`", *p)) {
			p++;
			n--;
		}
		while (n && strchr("\"'`,;", p[n - 1]))
			n--;
		if (n && n < size) {
			memcpy(out, p, n);
			out[n] = '\0';
			return;
		}
	}
	snprintf(out, size, "(a key, %.8s...)", f->secret_hash);
}

static int kind_rank(const char *kind)
{
	return !strcmp(kind, "live") ? 0 : !strcmp(kind, "unknown") ? 1 : 2;
}

static int key_cmp(const void *x, const void *y)
{
	const struct leaked_key *a = x, *b = y;
	int c = kind_rank(a->kind) - kind_rank(b->kind);
	if (c)
		return c;
	if (a->in_tree != b->in_tree)
		return a->in_tree ? -1 : 1;
	if (a->first && b->first && a->first->history_order != b->first->history_order)
		return a->first->history_order < b->first->history_order ? -1 : 1;
	return strcmp(a->id, b->id);
}

int report_keys(struct leaked_key **out, size_t *n, const struct scan_result *s)
{
	const struct finding_list *l = &s->findings;
	*out = NULL;
	*n = 0;
	struct leaked_key *keys = calloc(l->len ? l->len : 1, sizeof *keys);
	if (!keys)
		return error_set("out of memory");
	size_t nkeys = 0;
	for (size_t i = 0; i < l->len; i++) {
		const struct finding *f = &l->items[i];
		const char *kind;
		char id[17];
		if (!report_finding_key(f, &kind, id))
			continue;
		struct leaked_key *k = NULL;
		for (size_t j = 0; j < nkeys && !k; j++)
			if (!strcmp(keys[j].id, id))
				k = &keys[j];
		if (!k) {
			k = &keys[nkeys++];
			memcpy(k->id, id, sizeof k->id);
			k->kind = kind;
			report_key_text(f, k->redacted, sizeof k->redacted);
		} else if (kind_rank(kind) < kind_rank(k->kind)) {
			k->kind = kind;
		}
		size_t *p = realloc(k->findings, (k->n + 1) * sizeof *p);
		if (!p) {
			report_keys_free(keys, nkeys);
			return error_set("out of memory");
		}
		k->findings = p;
		k->findings[k->n++] = i;
		k->in_tree |= report_finding_in_tree(f);
		bool new_path = true;
		for (size_t j = 0; j + 1 < k->n && new_path; j++)
			new_path = strcmp(l->items[k->findings[j]].path, f->path) != 0;
		k->paths += new_path;
		if (f->commit && f->commit->date && *f->commit->date) {
			if (!k->first || f->history_order < k->first->history_order)
				k->first = f;
			if (!k->last || f->history_order > k->last->history_order)
				k->last = f;
		}
	}
	if (nkeys)
		qsort(keys, nkeys, sizeof *keys, key_cmp);
	*out = keys;
	*n = nkeys;
	return 0;
}

void report_keys_free(struct leaked_key *keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(keys[i].findings);
	free(keys);
}

#ifndef OCPAY_DOCS_URL
#define OCPAY_DOCS_URL ""
#endif

const char *report_rule_url(const struct rule *r, char *buf, size_t size)
{
	if (!r->builtin) {
		snprintf(buf, size, "%s", r->docs ? r->docs : "");
		return buf;
	}
	const char *base = getenv("OCPAY_AUDIT_DOCS_URL");
	if (!base || !*base)
		base = OCPAY_DOCS_URL;
	if (!*base)
		base = "docs/rules/";
	size_t n = strlen(base);
	snprintf(buf, size, "%s%s%s.md", base, n && base[n - 1] == '/' ? "" : "/", r->id);
	return buf;
}
