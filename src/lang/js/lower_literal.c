/* Lowering of JavaScript/TypeScript literals: strings with their escapes decoded,
 * templates, numbers in every notation, property keys. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "lang/js/lower_js.h"

/* ---- literals ---- */

static void put_utf8(struct buf *b, unsigned long cp)
{
	char s[4];
	if (cp < 0x80) {
		buf_putc(b, (char)cp);
		return;
	}
	if (cp < 0x800) {
		s[0] = (char)(0xC0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3F));
		buf_put(b, s, 2);
	} else if (cp < 0x10000) {
		s[0] = (char)(0xE0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[2] = (char)(0x80 | (cp & 0x3F));
		buf_put(b, s, 3);
	} else {
		s[0] = (char)(0xF0 | (cp >> 18));
		s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		s[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[3] = (char)(0x80 | (cp & 0x3F));
		buf_put(b, s, 4);
	}
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Up to max hex digits at s[*i]; -1 when there are fewer than min. */
static long read_hex(const char *s, size_t n, size_t *i, int min, int max)
{
	long v = 0;
	int k = 0;
	while (k < max && *i < n && hex_value(s[*i]) >= 0 && v <= 0x10FFFF) {
		v = v * 16 + hex_value(s[(*i)++]);
		k++;
	}
	return k < min ? -1 : v;
}

/* \u escapes give UTF-16 units: a high surrogate followed by a low one is one character. */
static long read_unicode(const char *s, size_t n, size_t *i)
{
	if (*i < n && s[*i] == '{') {
		size_t j = *i + 1;
		long v = read_hex(s, n, &j, 1, 8);
		if (v < 0 || j >= n || s[j] != '}' || v > 0x10FFFF)
			return -1;
		*i = j + 1;
		return v;
	}
	long v = read_hex(s, n, i, 4, 4);
	if (v >= 0xD800 && v <= 0xDBFF && *i + 6 <= n && s[*i] == '\\' && s[*i + 1] == 'u') {
		size_t j = *i + 2;
		long lo = read_hex(s, n, &j, 4, 4);
		if (lo >= 0xDC00 && lo <= 0xDFFF) {
			*i = j;
			return 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
		}
	}
	return v;
}

/* A string's source between its quotes, escapes decoded to UTF-8 bytes. */
static void decode_escapes(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		if (s[i] != '\\' || i + 1 >= n) {
			buf_putc(b, s[i++]);
			continue;
		}
		char c = s[i + 1];
		size_t start = i;
		i += 2;
		long v = -1;
		static const char letters[] = "ntrbfv", values[] = "\n\t\r\b\f\v";
		const char *simple = c ? strchr(letters, c) : NULL;
		if (simple) {
			buf_putc(b, values[simple - letters]);
			continue;
		}
		switch (c) {
		case '\r':
			if (i < n && s[i] == '\n')
				i++;
			continue; /* a line continuation */
		case '\n':
			continue;
		case 'x':
			v = read_hex(s, n, &i, 2, 2);
			break;
		case 'u':
			v = read_unicode(s, n, &i);
			break;
		default:
			if (c >= '0' && c <= '7') {
				v = 0;
				for (i--; i < n && i < start + 4 && s[i] >= '0' && s[i] <= '7' &&
					  v * 8 + (s[i] - '0') <= 0xFF;)
					v = v * 8 + (s[i++] - '0');
				break;
			}
			if ((unsigned char)c == 0xE2 && i + 1 < n && (unsigned char)s[i] == 0x80 &&
			    ((unsigned char)s[i + 1] == 0xA8 || (unsigned char)s[i + 1] == 0xA9)) {
				i += 2; /* U+2028 / U+2029 continue the line too */
				continue;
			}
			buf_putc(b, c);
			continue;
		}
		if (v < 0) { /* malformed: kept as written */
			buf_put(b, s + start, i - start);
			continue;
		}
		put_utf8(b, (unsigned long)v);
	}
}

/* JSX text and attribute strings take HTML character references, not escapes. */
static void decode_entities(struct buf *b, const char *s, size_t n)
{
	static const struct {
		const char *name;
		unsigned cp;
	} named[] = {{"amp", '&'},  {"lt", '<'},    {"gt", '>'},
		     {"quot", '"'}, {"apos", '\''}, {"nbsp", 0xA0}};
	for (size_t i = 0; i < n;) {
		const char *semi = s[i] == '&' ? memchr(s + i, ';', n - i < 12 ? n - i : 12) : NULL;
		if (!semi) {
			buf_putc(b, s[i++]);
			continue;
		}
		size_t len = (size_t)(semi - (s + i)) - 1;
		const char *ent = s + i + 1;
		long cp = -1;
		if (len > 1 && ent[0] == '#') {
			size_t j = ent[1] == 'x' || ent[1] == 'X' ? 2 : 1;
			char *end;
			cp = strtol(ent + j, &end, j == 2 ? 16 : 10);
			if (end != semi || cp < 0 || cp > 0x10FFFF)
				cp = -1;
		}
		for (size_t k = 0; k < sizeof named / sizeof named[0] && cp < 0; k++)
			if (strlen(named[k].name) == len && !memcmp(named[k].name, ent, len))
				cp = named[k].cp;
		if (cp < 0) {
			buf_putc(b, s[i++]);
			continue;
		}
		put_utf8(b, (unsigned long)cp);
		i += len + 2;
	}
}

/* s[0..len) decoded into the arena; *out_len: its length (it may hold NUL bytes). */
static const char *decode(struct jsl *L, const char *s, size_t len, bool jsx, uint32_t *out_len)
{
	struct buf b = BUF_INIT;
	if (jsx)
		decode_entities(&b, s, len);
	else
		decode_escapes(&b, s, len);
	const char *text = NULL;
	if (buf_oom(&b))
		L->oom = true;
	else
		text = ir_strndup(L->f, b.ptr ? b.ptr : "", b.len);
	*out_len = text ? (uint32_t)b.len : 0;
	buf_free(&b);
	return text;
}

static struct ir_node *string_node(struct jsl *L, struct ast_node n, const char *s, size_t len,
				   bool jsx)
{
	struct ir_node *x = jsl_node(L, IR_STRING, n);
	if (x)
		x->text = decode(L, s, len, jsx, &x->len);
	return x;
}

/* The text between a literal's delimiters (tolerant of a missing closing one). */
static const char *inner_text(struct jsl *L, struct ast_node n, size_t *len)
{
	const char *s = ast_text(L->syn, n, len);
	if (*len == 0)
		return s;
	char q = s[0];
	s++;
	(*len)--;
	if (*len && s[*len - 1] == q)
		(*len)--;
	return s;
}

struct ir_node *jsl_string(struct jsl *L, struct ast_node n, bool jsx)
{
	size_t len;
	const char *s = inner_text(L, n, &len);
	return string_node(L, n, s, len, jsx);
}

static bool has_substitution(struct ast_node n)
{
	uint32_t count = ast_named_count(n);
	for (uint32_t i = 0; i < count; i++)
		if (ast_is(ast_named_child(n, i), "template_substitution"))
			return true;
	return false;
}

/* Where a template's literal pieces are: lines are counted once along the template. */
struct tpl_pos {
	const char *src; /* the template's source */
	uint32_t base;	 /* its first byte */
	uint32_t at;	 /* the byte the line was counted to */
	uint32_t line;
};

/* The literal text of a template between bytes from and to, with its own span and line. */
static struct ir_node *template_piece(struct jsl *L, struct ast_node n, struct tpl_pos *pos,
				      uint32_t from, uint32_t to)
{
	for (; pos->at < from; pos->at++)
		pos->line += pos->src[pos->at - pos->base] == '\n';
	struct ir_node *s = string_node(L, n, pos->src + (from - pos->base), to - from, false);
	if (s) {
		s->start = from;
		s->end = to;
		s->line = pos->line;
	}
	return s;
}

/* `a${b}c`: literal runs as IR_STRING pieces, substitutions as expressions; without
 * substitutions, a plain IR_STRING. */
struct ir_node *jsl_template(struct jsl *L, struct ast_node n, int depth)
{
	if (!has_substitution(n))
		return jsl_string(L, n, false);
	size_t len;
	const char *src = ast_text(L->syn, n, &len);
	uint32_t from = ast_start(n) + 1, end = ast_end(n);
	struct tpl_pos pos = {src, ast_start(n), ast_start(n), ast_line(n)};
	if (len >= 2 && src[len - 1] == '`')
		end--;
	struct ir_node *x = jsl_node(L, IR_TEMPLATE, n);
	if (!x)
		return NULL;
	struct jsl_kids k;
	jsl_kids(L, &k, n, true);
	for (uint32_t i = 0; i < k.n; i++) {
		if (!ast_is(k.v[i], "template_substitution"))
			continue;
		uint32_t at = ast_start(k.v[i]);
		if (at > from)
			ir_node_add(L->f, x, template_piece(L, n, &pos, from, at));
		ir_node_add(L->f, x, jsl_expr(L, jsl_first(k.v[i]), depth + 1));
		from = ast_end(k.v[i]);
	}
	jsl_kids_free(&k);
	if (end > from)
		ir_node_add(L->f, x, template_piece(L, n, &pos, from, end));
	return x;
}

bool jsl_is_const_string(struct ast_node n)
{
	return ast_is(n, "string") || (ast_is(n, "template_string") && !has_substitution(n));
}

const char *jsl_string_value(struct jsl *L, struct ast_node n, uint32_t *len)
{
	uint32_t l = 0;
	if (!jsl_is_const_string(n))
		return NULL;
	size_t raw;
	const char *s = inner_text(L, n, &raw);
	const char *v = decode(L, s, raw, false, &l);
	if (len)
		*len = l;
	return v;
}

static double parse_number(const char *s, size_t len)
{
	char tmp[128];
	size_t n = 0;
	for (size_t i = 0; i < len && n + 1 < sizeof tmp; i++)
		if (s[i] != '_' && s[i] != 'n') /* separators, BigInt's suffix */
			tmp[n++] = s[i];
	tmp[n] = '\0';
	if (n > 2 && tmp[0] == '0') {
		int base = 0;
		switch (tmp[1]) {
		case 'x':
		case 'X':
			base = 16;
			break;
		case 'o':
		case 'O':
			base = 8;
			break;
		case 'b':
		case 'B':
			base = 2;
			break;
		}
		if (base)
			return (double)strtoull(tmp + 2, NULL, base);
	}
	if (n > 1 && tmp[0] == '0' && strspn(tmp, "01234567") == n)
		return (double)strtoull(tmp, NULL, 8); /* legacy octal 0777 */
	return strtod(tmp, NULL);
}

struct ir_node *jsl_number(struct jsl *L, struct ast_node n)
{
	struct ir_node *x = jsl_node(L, IR_NUMBER, n);
	size_t len;
	const char *s = ast_text(L->syn, n, &len);
	if (x)
		x->num = parse_number(s, len);
	return x;
}

const char *jsl_key_text(struct jsl *L, struct ast_node key)
{
	if (ast_is(key, "string"))
		return jsl_string_value(L, key, NULL);
	if (ast_is(key, "computed_property_name")) {
		struct ast_node e = jsl_unwrap(jsl_first(key));
		if (ast_is(e, "string") || ast_is(e, "template_string"))
			return jsl_string_value(L, e, NULL);
		return NULL;
	}
	if (ast_is_null(key))
		return NULL;
	return jsl_text(L, key);
}
