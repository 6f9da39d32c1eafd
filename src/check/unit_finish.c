/* A unit's hits turned into findings: positions, redacted snippets, normalised matches,
 * secret hashes; the inline suppression directives applied and the per-file cap noted. */
#define _GNU_SOURCE /* memmem() */
#include "check/unit.h"

#include <stdlib.h>
#include <string.h>

#include "check/config.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/redact.h"
#include "core/secret.h"
#include "suppress/inline.h"

/* Long lines (minified bundles) are shown as a window around the finding. */
#define SNIPPET_BEFORE 60
#define SNIPPET_AFTER 100

static int count_chars(const char *s, size_t n)
{
	int c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* Appends text, replacing bytes that are not valid UTF-8 or are control characters, so
 * every output format can carry the snippet as it is. Byte lengths are kept. */
static void put_clean(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t len = c < 0x80	      ? 1
			     : (c >> 5) == 6  ? 2
			     : (c >> 4) == 14 ? 3
			     : (c >> 3) == 30 ? 4
					      : 0;
		bool ok = len && i + len <= n;
		for (size_t k = 1; ok && k < len; k++)
			ok = ((unsigned char)s[i + k] & 0xC0) == 0x80;
		if (!ok) {
			buf_putc(b, '?');
			i++;
		} else if (len == 1 && (c < 0x20 || c == 0x7f)) {
			buf_putc(b, c == '\t' ? ' ' : '?');
			i++;
		} else {
			buf_put(b, s + i, len);
			i += len;
		}
	}
}

/* Characters that end a token: a window of a long line is cut only there, so no key
 * is ever shown in part (a part would not be recognised as a key by the redactor). */
static bool token_edge(char c)
{
	return c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '`' || c == ',' || c == ';';
}

/* The hit's source line (a window of it when long), passed through the redactor with
 * the unit's secrets: keys assembled from pieces ("sk_live_" + "...") are not in the
 * text verbatim, so their whole expression is hidden. The scan's redactor masks the
 * secrets other files revealed when the report is finalised (scan_redact). */
static char *make_snippet(const struct unit *u, const struct hit *h, const struct redactor *red,
			  int mark[2])
{
	mark[0] = mark[1] = 0;
	if (h->start == h->end)
		return strdup(""); /* a finding about the whole file shows none of it */
	size_t ls, le;
	unit_line_bounds(u, h->start, &ls, &le);
	size_t ws = ls, we = le;
	if (le - ls > SNIPPET_BEFORE + SNIPPET_AFTER) {
		ws = h->start > ls + SNIPPET_BEFORE ? h->start - SNIPPET_BEFORE : ls;
		we = h->start + SNIPPET_AFTER < le ? h->start + SNIPPET_AFTER : le;
	}
	size_t hend = h->end < we ? h->end : we;
	while (ws > ls && ws < h->start && !token_edge(u->data[ws - 1]))
		ws++;
	while (we < le && we > hend && !token_edge(u->data[we]))
		we--;
	struct redact_range *forced = NULL;
	size_t nforced = 0;
	for (size_t i = 0; i < u->nhits; i++) {
		const struct hit *o = &u->hits[i];
		if (!o->secret || !*o->secret || o->start >= le || o->end <= ls ||
		    memmem(u->data + o->start, o->end - o->start, o->secret, strlen(o->secret)))
			continue;
		struct redact_range *p = realloc(forced, (nforced + 1) * sizeof *p);
		if (!p) {
			free(forced);
			return NULL;
		}
		forced = p;
		forced[nforced++] =
		    (struct redact_range){(o->start > ls ? o->start : ls) - ls,
					  (o->end < le ? o->end : le) - ls, o->secret};
	}
	size_t marks[4] = {h->start - ls, hend - ls, ws - ls, we - ls};
	char *line = redact_text(red, u->data + ls, le - ls, forced, nforced, marks, 4, NULL);
	free(forced);
	if (!line)
		return NULL;
	struct buf b = BUF_INIT;
	if (ws > ls)
		buf_puts(&b, "...");
	size_t at = b.len;
	put_clean(&b, line + marks[2], marks[3] - marks[2]);
	if (we < le)
		buf_puts(&b, "...");
	free(line);
	if (marks[0] >= marks[2] && marks[1] <= marks[3] && marks[1] > marks[0]) {
		mark[0] = (int)(at + marks[0] - marks[2]);
		mark[1] = (int)(at + marks[1] - marks[2]);
	}
	return buf_detach(&b);
}

static char *normalise_match(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	bool space = false;
	for (size_t i = 0; i < n && b.len < 200; i++) {
		char c = s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			space = b.len > 0;
			continue;
		}
		if (space)
			buf_putc(&b, ' ');
		space = false;
		buf_putc(&b, c);
	}
	return buf_detach(&b);
}

static int hit_cmp(const void *x, const void *y)
{
	const struct hit *a = x, *b = y;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	int c = strcmp(a->rule->id, b->rule->id);
	return c ? c : a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Marks the unit's findings (out->items[first..]) that a directive in its text
 * suppresses; working-tree directives are recorded for the unused report. */
static int apply_directives(struct unit *u, struct finding_list *out, size_t first)
{
	/* The mark contains "ocpay", one of the words every OCPay file is known by. */
	const uint64_t *mask = u->scan->rules->ocpay_mask;
	if ((!(u->kw[0] & mask[0]) && !(u->kw[1] & mask[1])) ||
	    !memmem(u->data, u->len, DIRECTIVE_MARK, sizeof DIRECTIVE_MARK - 1))
		return 0;
	struct directive_list dl = {0};
	int rc = directives_parse(u->data, u->len, &dl);
	for (size_t i = 0; i < dl.len; i++)
		for (size_t k = 0; !dl.items[i].problem && k < dl.items[i].nrules; k++)
			if (!ruleset_find(u->scan->rules, dl.items[i].rules[k]))
				dl.items[i].problem = "names a rule that does not exist (see "
						      "`ocpay-audit rules`)";
	for (size_t i = first; !rc && i < out->len; i++) {
		struct finding *f = &out->items[i];
		struct directive *d = directives_match(&dl, f->rule->id, f->line);
		if (!d)
			continue;
		d->used = true;
		f->suppressed = SUPPRESS_INLINE;
		if (!(f->suppress_reason = strdup(d->reason)))
			rc = error_set("out of memory");
	}
	for (size_t i = 0; !rc && u->index >= 0 && u->scope == SCOPE_TREE && i < dl.len; i++)
		rc = scan_note_directive(u->scan, u->path, &dl.items[i]);
	directives_free(&dl);
	return rc;
}

/* The findings cap is reached at hit i: the rules of the hits left are named, their
 * items unknown unless a finding fails them. */
static int note_capped(struct unit *u, size_t i, size_t max)
{
	const struct ruleset *rs = u->scan->rules;
	bool *affected = calloc(rs->len ? rs->len : 1, sizeof *affected);
	if (!affected)
		return error_set("out of memory");
	for (; i < u->nhits; i++)
		affected[u->hits[i].rule - rs->rules] = !rule_disabled(u->scan, u->hits[i].rule);
	int rc = scan_note_limit(u->scan, u->scope, affected,
				 "%s: more than %zu findings: only the first %zu are reported "
				 "(--max-findings-per-file)",
				 u->path, max, max);
	free(affected);
	return rc;
}

/* Every secret the unit's detectors found, rules turned off included: the unit's own
 * redactor (for its snippets) and the scan's (for every string printed). */
static int note_secrets(struct unit *u, struct redactor *red)
{
	for (size_t i = 0; i < u->nhits; i++) {
		const char *secret = u->hits[i].secret;
		if (secret && (redactor_add(red, secret, strlen(secret)) < 0 ||
			       scan_note_secret(u->scan, secret) < 0))
			return -1;
	}
	redactor_seal(red);
	return 0;
}

int unit_finish(struct unit *u, struct finding_list *out)
{
	size_t first = out->len, max = u->scan->opt->max_file_findings;
	if (u->nhits > 1)
		qsort(u->hits, u->nhits, sizeof *u->hits, hit_cmp);
	size_t line = 1 + u->line_base, pos = 0;
	struct redactor red = {.reveal = u->scan->opt->reveal};
	size_t *lines = calloc(u->nhits ? u->nhits : 1, sizeof *lines);
	if (!lines || note_secrets(u, &red) < 0) {
		free(lines);
		redactor_free(&red);
		return error_set("out of memory");
	}
	int rc = 0;
	for (size_t i = 0; i < u->nhits; i++) {
		const struct hit *h = &u->hits[i];
		for (; pos < h->start; pos++)
			line += u->data[pos] == '\n';
		lines[i] = line;
		/* a rule turned off ran for its secrets only */
		if (rule_disabled(u->scan, h->rule))
			continue;
		/* One finding per rule per position, and per secret per line: a key found by
		 * its shape and by where it flows is one leak. */
		bool dup = false;
		for (size_t k = 0; k < i && !dup; k++) {
			const struct hit *o = &u->hits[k];
			dup = o->rule == h->rule && (o->start == h->start ||
						     (lines[k] == line && o->secret && h->secret &&
						      !strcmp(o->secret, h->secret)));
		}
		if (dup)
			continue;
		if (max && out->len - first + u->prior_findings >= max) {
			rc = note_capped(u, i, max);
			break;
		}
		size_t ls, le;
		unit_line_bounds(u, h->start, &ls, &le);
		size_t eline = line;
		for (size_t p = h->start; p < h->end && p < u->len; p++)
			eline += u->data[p] == '\n';
		size_t els, ele;
		unit_line_bounds(u, h->end > h->start ? h->end - 1 : h->start, &els, &ele);
		struct finding *f = finding_list_add(out);
		if (!f) {
			rc = -1;
			break;
		}
		f->rule = h->rule;
		f->severity = h->severity;
		f->line = (int)line;
		/* a piece of a large file may start inside a line */
		f->column =
		    count_chars(u->data + ls, h->start - ls) + 1 + (ls ? 0 : (int)u->col_base);
		f->end_line = (int)eline;
		f->end_column =
		    count_chars(u->data + els, h->end - els) + 1 + (els ? 0 : (int)u->col_base);
		f->path = strdup(u->path);
		f->message = strdup(h->message);
		int mark[2] = {0, 0};
		f->snippet = make_snippet(u, h, &red, mark);
		f->mark_start = mark[0];
		f->mark_end = mark[1];
		if (h->secret) {
			if (hash_hex(f->secret_hash, h->secret, strlen(h->secret)) < 0) {
				rc = -1;
				break;
			}
			f->match = strdup("");
		} else
			f->match = normalise_match(u->data + h->start, h->end - h->start);
		if (!f->path || !f->message || !f->snippet || !f->match) {
			rc = error_set("out of memory");
			break;
		}
	}
	free(lines);
	redactor_free(&red);
	return rc ? rc : apply_directives(u, out, first);
}
