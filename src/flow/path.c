#include "flow/path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

/* ---- paths ---- */

bool path_of(struct path *out, const struct ir_node *n)
{
	/* Walk from the outermost node inwards, then reverse. */
	const char *seg[PATH_MAX_SEGMENTS];
	bool call[PATH_MAX_SEGMENTS];
	const struct ir_node *node[PATH_MAX_SEGMENTS];
	unsigned k = 0;
	bool pending_call = false;
	const struct ir_node *call_node = NULL;
	out->n = 0;
	out->rooted = false;
	while (n) {
		if (n->kind == IR_AWAIT) {
			n = n->a;
			continue;
		}
		if (n->kind == IR_CALL) {
			if (pending_call) {
				/* f()(): the inner call has no segment of its own */
				if (k == PATH_MAX_SEGMENTS)
					return false;
				seg[k] = "?";
				call[k] = true;
				node[k++] = call_node;
			}
			pending_call = true;
			call_node = n;
			n = n->a;
			continue;
		}
		if (k == PATH_MAX_SEGMENTS)
			return false;
		call[k] = pending_call;
		node[k] = pending_call ? call_node : n;
		pending_call = false;
		if (n->kind == IR_MEMBER) {
			seg[k++] = n->text ? n->text : "?";
			n = n->a;
			continue;
		}
		if (n->kind == IR_INDEX) {
			seg[k++] = "[]";
			n = n->a;
			continue;
		}
		if (n->kind == IR_NAME && n->text) {
			seg[k++] = n->text;
			out->rooted = true;
		} else if (n->kind == IR_THIS) {
			seg[k++] = "this";
			out->rooted = true;
		} else if (n->kind == IR_SUPER) {
			seg[k++] = "super";
			out->rooted = true;
		} else {
			seg[k++] = "?";
		}
		break;
	}
	if (pending_call) {
		if (k == PATH_MAX_SEGMENTS)
			return false;
		seg[k] = "?";
		call[k] = true;
		node[k++] = call_node;
	}
	for (unsigned i = 0; i < k; i++) {
		out->seg[i] = seg[k - 1 - i];
		out->call[i] = call[k - 1 - i];
		out->node[i] = node[k - 1 - i];
	}
	out->n = k;
	return true;
}

void path_format(const struct path *p, char *buf, size_t size)
{
	size_t used = 0;
	if (size)
		buf[0] = '\0';
	for (unsigned i = 0; i < p->n && used < size; i++) {
		int w = snprintf(buf + used, size - used, "%s%s%s", i ? "." : "", p->seg[i],
				 p->call[i] ? "()" : "");
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* ---- patterns ---- */

enum seg_kind { SEG_GLOB, SEG_ANY_DEPTH };

struct seg {
	enum seg_kind kind;
	bool call;
	char **alts; /* alternatives, each a glob ('*' matches any run of characters) */
	size_t nalts;
};

struct path_pattern {
	struct seg *segs;
	size_t n;
	char *last; /* the last segment when it is one plain literal */
};

void path_pattern_free(struct path_pattern *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		for (size_t k = 0; k < p->segs[i].nalts; k++)
			free(p->segs[i].alts[k]);
		free(p->segs[i].alts);
	}
	free(p->segs);
	free(p->last);
	free(p);
}

static int add_alt(struct seg *s, const char *text, size_t len)
{
	char **p = realloc(s->alts, (s->nalts + 1) * sizeof *p);
	if (!p)
		return -1;
	s->alts = p;
	if (!(p[s->nalts] = strndup(text, len)))
		return -1;
	s->nalts++;
	return 0;
}

/* One segment's text (without the trailing "()"): "save", "get*", "(get|post)". */
static int parse_seg(struct seg *s, const char *text, size_t len, const char *whole)
{
	if (len == 2 && !memcmp(text, "**", 2)) {
		s->kind = SEG_ANY_DEPTH;
		return 0;
	}
	s->kind = SEG_GLOB;
	if (len >= 2 && text[0] == '(' && text[len - 1] == ')') {
		if (memchr(text, '.', len))
			return error_set("alternatives are one segment each: no '.' inside '( )' in "
					 "path pattern '%s' (write a row per path)",
					 whole);
		size_t start = 1;
		for (size_t i = 1; i < len; i++) {
			if (text[i] != '|' && i != len - 1)
				continue;
			if (i == start)
				return error_set("empty alternative in path pattern '%s'", whole);
			if (add_alt(s, text + start, i - start) < 0)
				return error_set("out of memory");
			start = i + 1;
		}
		return 0;
	}
	if (!len)
		return error_set("empty segment in path pattern '%s'", whole);
	if (memchr(text, '(', len) || memchr(text, ')', len) || memchr(text, '|', len))
		return error_set("misplaced '(', ')' or '|' in path pattern '%s'", whole);
	return add_alt(s, text, len) < 0 ? error_set("out of memory") : 0;
}

struct path_pattern *path_pattern_new(const char *text)
{
	struct path_pattern *p = calloc(1, sizeof *p);
	if (!p) {
		error_set("out of memory");
		return NULL;
	}
	size_t len = strlen(text), start = 0;
	int depth = 0;
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? text[i] : '.';
		if (c == '(' && !(i + 1 < len && text[i + 1] == ')'))
			depth++;
		else if (c == ')' && depth > 0 && !(i > 0 && text[i - 1] == '('))
			depth--;
		if (c != '.' || depth)
			continue;
		size_t n = i - start;
		bool call = n >= 2 && !memcmp(text + start + n - 2, "()", 2);
		if (call)
			n -= 2;
		struct seg *segs = realloc(p->segs, (p->n + 1) * sizeof *segs);
		if (!segs) {
			error_set("out of memory");
			path_pattern_free(p);
			return NULL;
		}
		p->segs = segs;
		struct seg *s = &p->segs[p->n++];
		*s = (struct seg){.call = call};
		if (parse_seg(s, text + start, n, text) < 0) {
			path_pattern_free(p);
			return NULL;
		}
		if (s->kind == SEG_ANY_DEPTH && call) {
			error_set("'**' cannot be called in path pattern '%s'", text);
			path_pattern_free(p);
			return NULL;
		}
		start = i + 1;
	}
	if (depth) {
		error_set("unbalanced '(' in path pattern '%s'", text);
		path_pattern_free(p);
		return NULL;
	}
	const struct seg *last = &p->segs[p->n - 1];
	if (last->kind == SEG_GLOB && last->nalts == 1 && !strpbrk(last->alts[0], "*[") &&
	    !(p->last = strdup(last->alts[0]))) {
		error_set("out of memory");
		path_pattern_free(p);
		return NULL;
	}
	return p;
}

const char *path_pattern_last(const struct path_pattern *pat)
{
	return pat->last;
}

bool path_pattern_is_call(const struct path_pattern *pat)
{
	return pat->n && pat->segs[pat->n - 1].call;
}

/* One character of a glob at g: a literal or a class ([A-Z_]); *len gets its length. */
static bool glob_char(const char *g, char c, size_t *len)
{
	if (*g != '[') {
		*len = 1;
		return *g == c;
	}
	const char *p = g + 1;
	bool hit = false;
	while (*p && *p != ']') {
		if (p[1] == '-' && p[2] && p[2] != ']') {
			hit |= c >= p[0] && c <= p[2];
			p += 3;
		} else {
			hit |= c == *p++;
		}
	}
	*len = (size_t)(p - g) + (*p == ']');
	return hit;
}

/* Iterative glob with one backtrack point: '*' any run, '[...]' a class. */
static bool glob(const char *g, const char *s)
{
	const char *star = NULL, *mark = NULL;
	while (*s) {
		size_t len;
		if (*g == '*') {
			star = g++;
			mark = s;
		} else if (*g && glob_char(g, *s, &len)) {
			g += len;
			s++;
		} else if (star) {
			g = star + 1;
			s = ++mark;
		} else {
			return false;
		}
	}
	while (*g == '*')
		g++;
	return !*g;
}

static bool seg_match(const struct seg *s, const struct path *p, unsigned i)
{
	if (s->call != p->call[i])
		return false;
	for (size_t k = 0; k < s->nalts; k++)
		if (glob(s->alts[k], p->seg[i]))
			return true;
	return false;
}

/* Whether segments [si..] of the pattern match path segments [pi..end). With `prefix`,
 * the path may go on past the pattern's end. Returns the number of path segments
 * consumed at the end of the pattern (the longest), or -1. */
static int match_from(const struct path_pattern *pat, size_t si, const struct path *p,
		      unsigned pi, unsigned end, bool prefix)
{
	if (si == pat->n)
		return (prefix || pi == end) ? (int)pi : -1;
	const struct seg *s = &pat->segs[si];
	if (s->kind == SEG_ANY_DEPTH) {
		for (unsigned k = end + 1; k-- > pi;) {
			int r = match_from(pat, si + 1, p, k, end, prefix);
			if (r >= 0)
				return r;
		}
		return -1;
	}
	if (pi >= end || !seg_match(s, p, pi))
		return -1;
	return match_from(pat, si + 1, p, pi + 1, end, prefix);
}

bool path_match(const struct path_pattern *pat, const struct path *p)
{
	return p->n && match_from(pat, 0, p, 0, p->n, false) >= 0;
}

unsigned path_match_prefix(const struct path_pattern *pat, const struct path *p)
{
	/* the longest prefix that the whole pattern matches */
	for (unsigned end = p->n; end > 0; end--)
		if (match_from(pat, 0, p, 0, end, false) >= 0)
			return end;
	return 0;
}
