/* Python literals: strings (every prefix, escapes, implicit concatenation, f-strings) and
 * numbers. */
#include <stdlib.h>
#include <string.h>

#include "lang/lower.h"
#include "lang/python/lower_python.h"

/* A growing byte buffer on the heap, for a string's value while it is assembled. */
struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom || !n)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
}

static void sb_byte(struct sbuf *b, unsigned v)
{
	char c = (char)(v & 0xff);
	sb_add(b, &c, 1);
}

static void sb_utf8(struct sbuf *b, uint32_t cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	sb_add(b, u, n);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads exactly n hex digits at s (of avail bytes); -1 when they are not there. */
static long hex_run(const char *s, size_t avail, size_t n)
{
	if (avail < n)
		return -1;
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		int d = hex_digit(s[i]);
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

struct prefix {
	bool raw, bytes, fmt;
};

/* Decodes the text of a string_content: escapes unless raw (\N{name} is kept as written:
 * the names are not known here), `{{`/`}}` in f-strings; bytes strings have no \u. */
static void decode(struct sbuf *b, const char *s, size_t n, struct prefix pf)
{
	size_t i = 0;
	while (i < n) {
		char c = s[i];
		if (pf.fmt && (c == '{' || c == '}') && i + 1 < n && s[i + 1] == c) {
			sb_add(b, &c, 1);
			i += 2;
			continue;
		}
		if (c != '\\' || pf.raw || i + 1 >= n) {
			sb_add(b, &c, 1);
			i++;
			continue;
		}
		char e = s[i + 1];
		const char *simple = strchr("\\'\"abfnrtv", e);
		static const char values[] = "\\'\"\a\b\f\n\r\t\v";
		i += 2;
		if (e == '\n') {
			continue;
		} else if (e == '\r') {
			if (i < n && s[i] == '\n')
				i++;
		} else if (simple && e) {
			sb_add(b, &values[simple - "\\'\"abfnrtv"], 1);
		} else if (e >= '0' && e <= '7') {
			unsigned v = (unsigned)(e - '0');
			for (int k = 0; k < 2 && i < n && s[i] >= '0' && s[i] <= '7'; k++)
				v = v * 8 + (unsigned)(s[i++] - '0');
			if (pf.bytes)
				sb_byte(b, v);
			else
				sb_utf8(b, v);
		} else if (e == 'x' && hex_run(s + i, n - i, 2) >= 0) {
			unsigned v = (unsigned)hex_run(s + i, n - i, 2);
			i += 2;
			if (pf.bytes)
				sb_byte(b, v);
			else
				sb_utf8(b, v);
		} else if (!pf.bytes && (e == 'u' || e == 'U') &&
			   hex_run(s + i, n - i, e == 'u' ? 4 : 8) >= 0 &&
			   hex_run(s + i, n - i, e == 'u' ? 4 : 8) <= 0x10ffff) {
			sb_utf8(b, (uint32_t)hex_run(s + i, n - i, e == 'u' ? 4 : 8));
			i += e == 'u' ? 4 : 8;
		} else {
			/* not an escape: Python keeps the backslash */
			sb_add(b, s + i - 2, 2);
		}
	}
}

static struct prefix prefix_of(struct py *p, struct ast_node start)
{
	struct prefix pf = {0};
	size_t len;
	const char *s = ast_text(p->syn, start, &len);
	for (size_t i = 0; i < len && s[i] != '"' && s[i] != '\''; i++) {
		char c = (char)(s[i] | 0x20);
		pf.raw |= c == 'r';
		pf.bytes |= c == 'b';
		pf.fmt |= c == 'f';
	}
	return pf;
}

/* The literal text gathered since the last substitution: its value and span. */
struct piece {
	struct sbuf text;
	struct ast_node first; /* the string_content that began it, or null */
	uint32_t end;
};

struct assembly {
	struct piece lit;
	struct ir_node *tpl; /* the IR_TEMPLATE once a substitution is seen, or NULL */
	bool oom;
};

static void piece_flush(struct py *p, struct assembly *as)
{
	struct piece *pc = &as->lit;
	if (!as->tpl || !pc->text.len) {
		return;
	}
	struct ir_node *s = py_node(p, IR_STRING, pc->first);
	if (s) {
		s->end = pc->end;
		s->text = ir_strndup(p->f, pc->text.s, pc->text.len);
		s->len = (uint32_t)pc->text.len;
		ir_node_add(p->f, as->tpl, s);
	}
	pc->text.len = 0;
	pc->first = (struct ast_node){0};
}

static void piece_text(struct py *p, struct assembly *as, struct ast_node at, const char *s,
		       size_t n, struct prefix pf)
{
	struct piece *pc = &as->lit;
	if (!pc->text.len)
		pc->first = at;
	pc->end = ast_end(at);
	decode(&pc->text, s, n, pf);
}

/* {expr}, {expr!r:>10}, {expr=}: the expression; a self-documenting `=` also writes the
 * expression's text. Conversions and format specifications are dropped. */
static void interpolation(struct py *p, struct assembly *as, struct ast_node outer,
			  struct ast_node n, int depth, struct prefix pf)
{
	if (!as->tpl) {
		as->tpl = py_node(p, IR_TEMPLATE, outer);
		if (!as->tpl) {
			as->oom = true;
			return;
		}
	}
	struct py_kids k = py_kids(p, n, false);
	uint32_t open = ast_start(n) + 1;
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node c = py_kid(p, k, i);
		if (ast_is(c, "=")) {
			size_t len;
			const char *all = ast_text(p->syn, n, &len);
			struct prefix as_written = {.raw = true};
			piece_text(p, as, n, all + 1, ast_end(c) - open, as_written);
		}
	}
	py_kids_done(p, k);
	piece_flush(p, as);
	ir_node_add(p->f, as->tpl, py_expr(p, ast_field(n, "expression"), depth + 1));
}

/* One string node's parts; template mode adds substitutions, else a substitution makes
 * the value not constant (returns false). */
static bool gather(struct py *p, struct assembly *as, struct ast_node outer, struct ast_node str,
		   int depth, bool constant)
{
	struct py_kids k = py_kids(p, str, true);
	struct prefix pf = {0};
	bool ok = true;
	for (uint32_t i = 0; i < k.n && ok; i++) {
		struct ast_node c = py_kid(p, k, i);
		if (ast_is(c, "string_start")) {
			pf = prefix_of(p, c);
		} else if (ast_is(c, "string_content")) {
			size_t len;
			const char *s = ast_text(p->syn, c, &len);
			piece_text(p, as, c, s, len, pf);
		} else if (ast_is(c, "interpolation")) {
			if (constant)
				ok = false;
			else
				interpolation(p, as, outer, c, depth, pf);
		}
	}
	py_kids_done(p, k);
	return ok;
}

static bool gather_all(struct py *p, struct assembly *as, struct ast_node n, int depth,
		       bool constant)
{
	if (!ast_is(n, "concatenated_string"))
		return gather(p, as, n, n, depth, constant);
	struct py_kids k = py_kids(p, n, true);
	bool ok = true;
	for (uint32_t i = 0; i < k.n && ok; i++)
		if (ast_is(py_kid(p, k, i), "string"))
			ok = gather(p, as, n, py_kid(p, k, i), depth, constant);
	py_kids_done(p, k);
	return ok;
}

struct ir_node *py_string(struct py *p, struct ast_node n, int depth)
{
	struct assembly as = {0};
	gather_all(p, &as, n, depth, false);
	struct ir_node *out;
	if (as.tpl) {
		piece_flush(p, &as);
		out = as.tpl;
	} else {
		out = py_node(p, IR_STRING, n);
		if (out) {
			out->text =
			    ir_strndup(p->f, as.lit.text.s ? as.lit.text.s : "", as.lit.text.len);
			out->len = (uint32_t)as.lit.text.len;
		}
	}
	if (as.lit.text.oom || as.oom)
		p->oom = true;
	free(as.lit.text.s);
	return out;
}

const char *py_string_value(struct py *p, struct ast_node n, uint32_t *len)
{
	if (!ast_is(n, "string") && !ast_is(n, "concatenated_string"))
		return NULL;
	struct assembly as = {0};
	const char *v = NULL;
	if (gather_all(p, &as, n, 0, true)) {
		v = ir_strndup(p->f, as.lit.text.s ? as.lit.text.s : "", as.lit.text.len);
		*len = (uint32_t)as.lit.text.len;
	}
	if (as.lit.text.oom)
		p->oom = true;
	free(as.lit.text.s);
	return v;
}

double py_number(const char *s, size_t len)
{
	/* digits without `_` and without the l/L (Python 2 long) or j/J (imaginary) suffix */
	char small[64];
	char *buf = len < sizeof small ? small : malloc(len + 1);
	if (!buf)
		return 0;
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] != '_')
			buf[n++] = s[i];
	while (n && strchr("lLjJ", buf[n - 1]))
		n--;
	buf[n] = '\0';
	double v = 0;
	if (n > 2 && buf[0] == '0' && strchr("xXoObB", buf[1])) {
		int base = (buf[1] | 0x20) == 'x' ? 16 : (buf[1] | 0x20) == 'o' ? 8 : 2;
		for (size_t i = 2; i < n; i++) {
			int d = hex_digit(buf[i]);
			if (d < 0 || d >= base)
				break;
			v = v * base + d;
		}
	} else {
		v = strtod(buf, NULL);
	}
	if (buf != small)
		free(buf);
	return v;
}
