/* PHP names, strings and numbers in the flow form: escapes decoded, heredoc indentation
 * removed, interpolations ("Order $id", "{$o->id}", "${x}") kept as the expressions of
 * an IR_TEMPLATE. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "lang/php/lower_php.h"

const char *php_text(struct php_lower *L, struct ast_node n)
{
	size_t len = 0;
	const char *s = ast_text(L->syn, n, &len);
	return ir_strndup(L->f, s, len);
}

const char *php_name(struct php_lower *L, struct ast_node n)
{
	size_t len = 0;
	const char *s = ast_text(L->syn, n, &len);
	if (len && s[0] == '\\') {
		s++;
		len--;
	}
	return ir_strndup(L->f, s, len);
}

const char *php_type(struct php_lower *L, struct ast_node n)
{
	if (ast_is_null(n))
		return NULL;
	/* ?Foo is Foo that may be null: the checks want the class */
	if (ast_is(n, "optional_type") && !ast_is_null(php_first(n)))
		n = php_first(n);
	return php_text(L, n);
}

/* ---- numbers ---- */

double php_number_value(struct php_lower *L, struct ast_node n)
{
	size_t len = 0;
	const char *s = ast_text(L->syn, n, &len);
	char digits[128];
	size_t k = 0;
	for (size_t i = 0; i < len && k + 1 < sizeof digits; i++)
		if (s[i] != '_')
			digits[k++] = s[i];
	digits[k] = '\0';
	if (ast_is(n, "float"))
		return strtod(digits, NULL);
	unsigned base = 10;
	const char *p = digits;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		base = 2, p += 2;
	else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		base = 8, p += 2;
	else if (p[0] == '0' && p[1])
		base = 8, p += 1; /* PHP's 0777 */
	double v = 0;
	for (; *p; p++) {
		unsigned d = *p >= '0' && *p <= '9'   ? (unsigned)(*p - '0')
			     : *p >= 'a' && *p <= 'f' ? (unsigned)(*p - 'a' + 10)
			     : *p >= 'A' && *p <= 'F' ? (unsigned)(*p - 'A' + 10)
						      : 99;
		if (d >= base)
			break;
		v = v * base + d;
	}
	return v;
}

struct ir_node *php_number(struct php_lower *L, struct ast_node n)
{
	struct ir_node *out = php_node(L, IR_NUMBER, n);
	if (out)
		out->num = php_number_value(L, n);
	return out;
}

/* ---- escapes ---- */

static void put_utf8(struct buf *b, unsigned long cp)
{
	char u[4];
	if (cp < 0x80) {
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		buf_put(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		buf_put(b, u, 3);
	} else if (cp < 0x110000) {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		buf_put(b, u, 4);
	}
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* One escape at s[0] == '\\' of a double-quoted string or heredoc; returns the bytes read.
 * Unknown escapes stay as written, as PHP prints them. */
static size_t decode_escape(struct buf *b, const char *s, size_t n, bool heredoc)
{
	if (n < 2) {
		buf_putc(b, '\\');
		return 1;
	}
	static const char simple[] = "n\nt\tr\rv\vf\fe\x1b\\\\$$";
	for (const char *p = simple; *p; p += 2)
		if (s[1] == p[0]) {
			buf_putc(b, p[1]);
			return 2;
		}
	if (s[1] == '"' && !heredoc) {
		buf_putc(b, '"');
		return 2;
	}
	if (s[1] >= '0' && s[1] <= '7') {
		unsigned v = 0;
		size_t i = 1;
		for (; i < 4 && i < n && s[i] >= '0' && s[i] <= '7'; i++)
			v = v * 8 + (unsigned)(s[i] - '0');
		buf_putc(b, (char)(v & 0xFF));
		return i;
	}
	if (s[1] == 'x' && n > 2 && hex_digit(s[2]) >= 0) {
		unsigned v = 0;
		size_t i = 2;
		for (; i < 4 && i < n && hex_digit(s[i]) >= 0; i++)
			v = v * 16 + (unsigned)hex_digit(s[i]);
		buf_putc(b, (char)v);
		return i;
	}
	if (s[1] == 'u' && n > 3 && s[2] == '{') {
		unsigned long v = 0;
		size_t i = 3;
		for (; i < n && hex_digit(s[i]) >= 0 && i < 12; i++)
			v = v * 16 + (unsigned long)hex_digit(s[i]);
		if (i < n && s[i] == '}' && i > 3) {
			put_utf8(b, v);
			return i + 1;
		}
	}
	buf_put(b, s, 2);
	return 2;
}

/* ---- string literals ---- */

enum str_style { STR_SINGLE, STR_DOUBLE, STR_HEREDOC, STR_NOWDOC };

struct str_build {
	struct php_lower *L;
	struct ir_node *tmpl; /* NULL: only asking whether the string is constant */
	struct ast_node node;
	enum str_style style;
	struct buf b;
	uint32_t piece_start, line_start; /* where the pending literal began; body start */
	uint32_t indent;		  /* heredoc: the closing marker's indentation */
	bool has_expr;
};

static uint32_t line_of(struct str_build *sb, uint32_t off)
{
	uint32_t line = ast_line(sb->node);
	for (uint32_t i = ast_start(sb->node); i < off; i++)
		line += sb->L->src[i] == '\n';
	return line;
}

/* Appends the source range [a, b) as literal text. */
static void put_literal(struct str_build *sb, uint32_t a, uint32_t b)
{
	const char *s = sb->L->src;
	if (sb->b.len == 0)
		sb->piece_start = a;
	for (uint32_t i = a; i < b;) {
		if (sb->indent && (i == sb->line_start || s[i - 1] == '\n')) {
			/* PHP 7.3 heredocs: the closing marker's indentation leaves every line */
			uint32_t k = 0;
			while (k < sb->indent && i < b && (s[i] == ' ' || s[i] == '\t'))
				i++, k++;
			if (i >= b)
				break;
		}
		if (s[i] == '\\' && sb->style == STR_SINGLE) {
			if (i + 1 < b && (s[i + 1] == '\\' || s[i + 1] == '\'')) {
				buf_putc(&sb->b, s[i + 1]);
				i += 2;
			} else {
				buf_putc(&sb->b, s[i++]);
			}
		} else if (s[i] == '\\' && (sb->style == STR_DOUBLE || sb->style == STR_HEREDOC)) {
			i +=
			    (uint32_t)decode_escape(&sb->b, s + i, b - i, sb->style == STR_HEREDOC);
		} else {
			buf_putc(&sb->b, s[i++]);
		}
	}
}

static void flush_piece(struct str_build *sb, uint32_t end)
{
	if (!sb->tmpl || sb->b.len == 0)
		return;
	struct ir_node *p =
	    ir_node_new(sb->L->f, IR_STRING, sb->piece_start, end, line_of(sb, sb->piece_start));
	if (p) {
		p->text = ir_strndup(sb->L->f, sb->b.ptr, sb->b.len);
		p->len = (uint32_t)sb->b.len;
	}
	ir_node_add(sb->L->f, sb->tmpl, p);
	sb->b.len = 0;
}

/* An interpolated expression: "$a[k]" reads the key 'k', "${x}" the variable x. */
static struct ir_node *interpolation(struct php_lower *L, struct ast_node n, int depth)
{
	struct ast_node first = php_first(n);
	if (ast_is(n, "dynamic_variable_name") && ast_is(first, "name")) {
		struct ir_node *v = php_node(L, IR_NAME, n);
		if (v && (v->text = php_text(L, first)))
			v->len = (uint32_t)strlen(v->text);
		return v;
	}
	uint32_t i = 0;
	php_kid(n, &i);
	struct ast_node key = php_kid(n, &i);
	if (ast_is(n, "subscript_expression") && ast_is(key, "name")) {
		struct ir_node *m = php_node(L, IR_MEMBER, n);
		if (m) {
			m->a = php_expr(L, first, depth + 1);
			m->text = php_text(L, key);
			m->len = m->text ? (uint32_t)strlen(m->text) : 0;
			m->flags |= IR_F_INDEX;
		}
		return m;
	}
	return php_expr(L, n, depth + 1);
}

static bool is_literal_piece(struct ast_node c)
{
	return ast_is(c, "string_content") || ast_is(c, "escape_sequence") ||
	       ast_is(c, "nowdoc_string");
}

static bool is_delimiter(struct ast_node c)
{
	static const char *const delims[] = {"\"", "'", "`", "{", "}", "${", "b\"", "b'"};
	for (size_t i = 0; i < sizeof delims / sizeof delims[0]; i++)
		if (ast_is(c, delims[i]))
			return true;
	return false;
}

/* Walks the pieces of body over [from, to): literal text between interpolations (gaps
 * included: heredoc lines are separate pieces). False when an interpolation is met and
 * only a constant was asked for. */
static bool build_pieces(struct str_build *sb, struct ast_node body, uint32_t from, uint32_t to,
			 int depth)
{
	uint32_t cursor = from;
	struct php_iter it;
	php_iter_all(sb->L, body, &it);
	for (struct ast_node c; !ast_is_null(c = php_next(&it));) {
		if (is_literal_piece(c) || ast_is(c, "comment"))
			continue;
		uint32_t cs = ast_start(c), ce = ast_end(c);
		if (cs < from || ce > to)
			continue; /* the quotes */
		bool delim = is_delimiter(c);
		if (!delim && !sb->tmpl) {
			php_iter_free(&it);
			return false;
		}
		if (cs > cursor)
			put_literal(sb, cursor, cs);
		if (!delim) {
			flush_piece(sb, cs);
			ir_node_add(sb->L->f, sb->tmpl, interpolation(sb->L, c, depth));
			sb->has_expr = true;
		}
		cursor = ce > cursor ? ce : cursor;
	}
	if (to > cursor)
		put_literal(sb, cursor, to);
	return true;
}

/* The source range of a heredoc/nowdoc's text: from the line after <<<EOT to the line
 * before the closing marker, and the marker's indentation. */
static bool heredoc_range(struct str_build *sb, struct ast_node n, uint32_t *from, uint32_t *to)
{
	const char *s = sb->L->src;
	struct ast_node start = ast_field(n, "identifier"), end = ast_field(n, "end_tag");
	if (ast_is_null(start) || ast_is_null(end))
		return false;
	uint32_t a = ast_end(start), b = ast_start(end);
	while (a < b && s[a] != '\n')
		a++;
	if (a < b)
		a++;
	uint32_t k = b;
	while (k > a && (s[k - 1] == ' ' || s[k - 1] == '\t'))
		k--;
	sb->indent = b - k;
	if (k > a && s[k - 1] == '\n')
		k--;
	if (k > a && s[k - 1] == '\r')
		k--;
	*from = a;
	*to = k > a ? k : a;
	sb->line_start = a;
	return true;
}

static bool build(struct str_build *sb, int depth)
{
	struct ast_node n = sb->node;
	uint32_t from = ast_start(n), to = ast_end(n);
	const char *s = sb->L->src;
	if (ast_is(n, "heredoc") || ast_is(n, "nowdoc")) {
		sb->style = ast_is(n, "heredoc") ? STR_HEREDOC : STR_NOWDOC;
		if (!heredoc_range(sb, n, &from, &to))
			return true;
		struct ast_node body = ast_field(n, "value");
		if (ast_is_null(body)) {
			put_literal(sb, from, to);
			return true;
		}
		if (sb->style == STR_NOWDOC) {
			put_literal(sb, from, to);
			return true;
		}
		return build_pieces(sb, body, from, to, depth);
	}
	/* the quotes: 'x', "x", `x`, b'x' */
	while (from < to && s[from] != '\'' && s[from] != '"' && s[from] != '`')
		from++;
	sb->style = from < to && s[from] == '\'' ? STR_SINGLE : STR_DOUBLE;
	if (from < to)
		from++;
	if (to > from && s[to - 1] == s[from - 1])
		to--;
	if (ast_is(n, "string"))
		put_literal(sb, from, to);
	else if (!build_pieces(sb, n, from, to, depth))
		return false;
	return true;
}

bool php_is_string(struct ast_node n)
{
	return ast_is(n, "string") || ast_is(n, "encapsed_string") || ast_is(n, "heredoc") ||
	       ast_is(n, "nowdoc") || ast_is(n, "shell_command_expression");
}

bool php_const_string(struct php_lower *L, struct ast_node n, const char **out, uint32_t *len)
{
	if (!php_is_string(n) || ast_is(n, "shell_command_expression"))
		return false;
	struct str_build sb = {.L = L, .node = n, .b = BUF_INIT};
	bool ok = build(&sb, 0);
	if (ok) {
		*out = ir_strndup(L->f, sb.b.ptr ? sb.b.ptr : "", sb.b.len);
		*len = (uint32_t)sb.b.len;
	}
	if (buf_oom(&sb.b))
		L->oom = true;
	buf_free(&sb.b);
	return ok && *out;
}

struct ir_node *php_string(struct php_lower *L, struct ast_node n, int depth)
{
	bool shell = ast_is(n, "shell_command_expression");
	struct ir_node *t = php_node(L, IR_TEMPLATE, n);
	if (!t)
		return NULL;
	struct str_build sb = {.L = L, .tmpl = t, .node = n, .b = BUF_INIT};
	build(&sb, depth);
	if (sb.has_expr) {
		flush_piece(&sb, ast_end(n));
	} else {
		t->kind = IR_STRING;
		t->text = ir_strndup(L->f, sb.b.ptr ? sb.b.ptr : "", sb.b.len);
		t->len = (uint32_t)sb.b.len;
	}
	if (buf_oom(&sb.b))
		L->oom = true;
	buf_free(&sb.b);
	if (!shell)
		return t;
	/* `ls $dir` runs a command: not a value the form models */
	struct ir_node *o = php_node(L, IR_OTHER, n);
	if (o) {
		o->text = "`";
		o->len = 1;
		o->a = t;
	}
	return o;
}
