/* Inline suppressions: finding the directives in a file's text. */
#define _GNU_SOURCE /* memmem */
#include "suppress/inline.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

static const char *skip_blank(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == ':'))
		p++;
	return p;
}

/* Reads `OC001, OC005 -- reason` from p to the end of the line. */
static void parse_one(struct directive *d, const char *p, const char *eol)
{
	p = skip_blank(p, eol);
	while (p < eol && isalpha((unsigned char)*p)) {
		const char *s = p;
		while (p < eol && isalnum((unsigned char)*p))
			p++;
		if (d->nrules < DIRECTIVE_MAX_RULES && (size_t)(p - s) < sizeof d->rules[0]) {
			size_t n = (size_t)(p - s);
			for (size_t i = 0; i < n; i++)
				d->rules[d->nrules][i] = (char)toupper((unsigned char)s[i]);
			d->rules[d->nrules][n] = '\0';
			d->nrules++;
		}
		while (p < eol && (*p == ',' || *p == ' ' || *p == '\t'))
			p++;
	}
	if (d->nrules == 0) {
		d->problem = "names no rule: write `ocpay-audit-ignore OC001 -- reason`";
		return;
	}
	if (eol - p < 2 || p[0] != '-' || p[1] != '-') {
		d->problem = "gives no reason: write `-- reason` after the rule id";
		return;
	}
	p = skip_blank(p + 2, eol);
	const char *e = eol;
	/* the end of the comment is not part of the reason */
	while (e > p && isspace((unsigned char)e[-1]))
		e--;
	if (e - p >= 2 && !memcmp(e - 2, "*/", 2))
		e -= 2;
	else if (e - p >= 3 && !memcmp(e - 3, "-->", 3))
		e -= 3;
	else if (e - p >= 2 && (!memcmp(e - 2, "#}", 2) || !memcmp(e - 2, "--", 2)))
		e -= 2;
	while (e > p && isspace((unsigned char)e[-1]))
		e--;
	if (e == p) {
		d->problem = "gives no reason: write `-- reason` after the rule id";
		return;
	}
	d->reason = strndup(p, (size_t)(e - p));
}

/* Whether anything but blanks and comment openers precedes the directive on its line. */
static bool has_code(const char *p, const char *end)
{
	while (p < end) {
		if (*p == ' ' || *p == '\t' || *p == '#' || *p == '*' || *p == ';')
			p++;
		else if (end - p >= 4 && !memcmp(p, "<!--", 4))
			p += 4;
		else if (end - p >= 2 && (!memcmp(p, "//", 2) || !memcmp(p, "/*", 2) ||
					  !memcmp(p, "--", 2) || !memcmp(p, "{#", 2)))
			p += 2;
		else
			return true;
	}
	return false;
}

int directives_parse(const char *data, size_t len, struct directive_list *out)
{
	static const size_t mlen = sizeof DIRECTIVE_MARK - 1;
	const char *p = data, *end = data + len;
	const char *line_start = data;
	int line = 1;
	while (p < end) {
		const char *m = memmem(p, (size_t)(end - p), DIRECTIVE_MARK, mlen);
		if (!m)
			break;
		for (; line_start < m; line_start++)
			line += *line_start == '\n';
		const char *eol = memchr(m, '\n', (size_t)(end - m));
		if (!eol)
			eol = end;
		if (eol > m && eol[-1] == '\r')
			eol--;
		const char *after = m + mlen;
		/* ocpay-audit-ignore-file and the like are other words */
		if (after < eol &&
		    (isalnum((unsigned char)*after) || *after == '-' || *after == '_')) {
			p = after;
			continue;
		}
		if (out->len == out->cap) {
			size_t cap = out->cap ? out->cap * 2 : 4;
			struct directive *items = realloc(out->items, cap * sizeof *items);
			if (!items)
				return error_set("out of memory");
			out->items = items;
			out->cap = cap;
		}
		struct directive *d = &out->items[out->len++];
		memset(d, 0, sizeof *d);
		d->line = line;
		const char *bol = m;
		while (bol > data && bol[-1] != '\n')
			bol--;
		d->trailing = has_code(bol, m);
		parse_one(d, after, eol);
		if (!d->problem && !d->reason)
			return error_set("out of memory");
		p = eol;
	}
	return 0;
}

struct directive *directives_match(struct directive_list *l, const char *rule_id, int line)
{
	for (size_t i = 0; i < l->len; i++) {
		struct directive *d = &l->items[i];
		if (d->problem || (d->line != line && (d->trailing || d->line + 1 != line)))
			continue;
		for (size_t r = 0; r < d->nrules; r++)
			if (!strcmp(d->rules[r], rule_id))
				return d;
	}
	return NULL;
}

void directives_free(struct directive_list *l)
{
	for (size_t i = 0; i < l->len; i++)
		free(l->items[i].reason);
	free(l->items);
	memset(l, 0, sizeof *l);
}
