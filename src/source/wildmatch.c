/* wildmatch(3) as git has it: how a gitignore pattern matches a path. */
#include "source/wildmatch.h"

#include <string.h>

#include "source/ignore.h"

enum { WM_MATCH, WM_NOMATCH, WM_ABORT_ALL, WM_ABORT_TO_STARSTAR };

struct wm {
	const unsigned char *pstart, *pend, *tend;
	bool pathname, icase;
};

unsigned char wildmatch_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static unsigned char fold(const struct wm *m, unsigned char c)
{
	return m->icase ? wildmatch_lower(c) : c;
}

bool wildmatch_special(unsigned char c)
{
	return c == '*' || c == '?' || c == '[' || c == '\\';
}

static bool in_class(const char *name, size_t n, unsigned char c, bool icase)
{
#define IS(s) (n == sizeof s - 1 && !memcmp(name, s, n))
	bool up = c >= 'A' && c <= 'Z', low = c >= 'a' && c <= 'z', digit = c >= '0' && c <= '9';
	if (IS("alnum"))
		return up || low || digit;
	if (IS("alpha"))
		return up || low;
	if (IS("blank"))
		return c == ' ' || c == '\t';
	if (IS("cntrl"))
		return c < 32 || c == 127;
	if (IS("digit"))
		return digit;
	if (IS("graph"))
		return c > 32 && c < 127;
	if (IS("lower"))
		return low || (icase && up);
	if (IS("print"))
		return c >= 32 && c < 127;
	if (IS("punct"))
		return c > 32 && c < 127 && !up && !low && !digit;
	if (IS("space"))
		return c == ' ' || (c >= '\t' && c <= '\r');
	if (IS("upper"))
		return up || (icase && low);
	if (IS("xdigit"))
		return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
#undef IS
	return false;
}

static bool known_class(const char *name, size_t n)
{
	static const char *const names[] = {"alnum", "alpha", "blank", "cntrl", "digit", "graph",
					    "lower", "print", "punct", "space", "upper", "xdigit"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i]) == n && !memcmp(names[i], name, n))
			return true;
	return false;
}

/* A bracket expression at *pp (just past '['), matched against c: WM_MATCH, WM_NOMATCH
 * or WM_ABORT_ALL when it is not closed. *pp is left on the closing ']'. */
static int wm_bracket(const struct wm *m, const unsigned char **pp, unsigned char c)
{
	const unsigned char *p = *pp, *end = m->pend;
	bool negated = p < end && (*p == '!' || *p == '^');
	if (negated)
		p++;
	bool matched = false;
	unsigned char prev = 0;
	/* the first character is taken literally, even ']' */
	for (bool first = true;; first = false, p++) {
		if (p >= end)
			return WM_ABORT_ALL;
		if (*p == ']' && !first)
			break;
		unsigned char pc = *p;
		if (pc == '\\') {
			if (++p >= end)
				return WM_ABORT_ALL;
			pc = *p;
			matched |= fold(m, pc) == c;
		} else if (pc == '-' && prev && p + 1 < end && p[1] != ']') {
			unsigned char hi = *++p;
			if (hi == '\\' && ++p >= end)
				return WM_ABORT_ALL;
			hi = *p;
			matched |= c >= prev && c <= hi;
			if (m->icase && c >= 'a' && c <= 'z')
				matched |= c - 32 >= prev && c - 32 <= hi;
			pc = 0; /* a range cannot start a range */
		} else if (pc == '[' && p + 1 < end && p[1] == ':') {
			const unsigned char *name = p + 2, *q = name;
			while (q < end && *q != ']')
				q++;
			if (q >= end)
				return WM_ABORT_ALL;
			if (q - name < 1 || q[-1] != ':') {
				matched |= c == '['; /* no ":]": a plain '[' */
			} else {
				size_t n = (size_t)(q - name) - 1;
				if (!known_class((const char *)name, n))
					return WM_ABORT_ALL;
				matched |= in_class((const char *)name, n, c, m->icase);
				p = q;
				pc = 0;
			}
		} else {
			matched |= fold(m, pc) == c;
		}
		prev = pc;
	}
	*pp = p;
	return matched != negated ? WM_MATCH : WM_NOMATCH;
}

static int wm_match(const struct wm *m, const unsigned char *p, const unsigned char *t);

/* p is on a '*'. */
static int wm_star(const struct wm *m, const unsigned char *p, const unsigned char *t)
{
	const unsigned char *pend = m->pend, *tend = m->tend;
	bool cross; /* may the star run over '/'? */
	if (p + 1 < pend && p[1] == '*') {
		const unsigned char *first = p;
		while (p < pend && *p == '*')
			p++;
		bool after = p == pend || *p == '/' || (*p == '\\' && p + 1 < pend && p[1] == '/');
		if (!m->pathname) {
			cross = true;
		} else if ((first == m->pstart || first[-1] == '/') && after) {
			/* "**" as a whole component: no folder at all is one possibility */
			if (p < pend && *p == '/' && wm_match(m, p + 1, t) == WM_MATCH)
				return WM_MATCH;
			cross = true;
		} else {
			cross = false;
		}
	} else {
		p++;
		cross = !m->pathname;
	}
	if (p == pend)
		return cross || !memchr(t, '/', (size_t)(tend - t)) ? WM_MATCH : WM_NOMATCH;
	if (!cross && *p == '/') {
		/* "*" then "/": the rest of this component, then go on after the slash */
		const unsigned char *slash = memchr(t, '/', (size_t)(tend - t));
		if (!slash)
			return WM_NOMATCH;
		return wm_match(m, p + 1, slash + 1);
	}
	for (; t < tend; t++) {
		if (!wildmatch_special(*p)) {
			/* a literal follows: skip to where it occurs */
			unsigned char want = fold(m, *p);
			while (t < tend && (cross || *t != '/') && fold(m, *t) != want)
				t++;
			if (t >= tend || fold(m, *t) != want)
				return WM_NOMATCH;
		}
		int r = wm_match(m, p, t);
		if (r != WM_NOMATCH) {
			if (!cross || r != WM_ABORT_TO_STARSTAR)
				return r;
		} else if (!cross && *t == '/') {
			return WM_ABORT_TO_STARSTAR;
		}
	}
	return WM_ABORT_ALL;
}

static int wm_match(const struct wm *m, const unsigned char *p, const unsigned char *t)
{
	for (; p < m->pend; p++, t++) {
		if (*p == '*')
			return wm_star(m, p, t);
		if (t >= m->tend)
			return WM_ABORT_ALL;
		unsigned char c = fold(m, *t);
		switch (*p) {
		case '\\':
			if (++p >= m->pend || fold(m, *p) != c)
				return WM_NOMATCH;
			break;
		case '?':
			if (m->pathname && c == '/')
				return WM_NOMATCH;
			break;
		case '[': {
			p++;
			int r = wm_bracket(m, &p, c);
			if (r != WM_MATCH)
				return r;
			if (m->pathname && c == '/')
				return WM_NOMATCH;
			break;
		}
		default:
			if (fold(m, *p) != c)
				return WM_NOMATCH;
		}
	}
	return t < m->tend ? WM_NOMATCH : WM_MATCH;
}

bool ignore_wildmatch(const char *pattern, size_t plen, const char *text, size_t tlen,
		      bool pathname, bool icase)
{
	struct wm m = {(const unsigned char *)pattern, (const unsigned char *)pattern + plen,
		       (const unsigned char *)text + tlen, pathname, icase};
	return wm_match(&m, m.pstart, (const unsigned char *)text) == WM_MATCH;
}
