/* The constant evaluator's PHP side (lang/consts.h): string literals without
 * interpolation, heredocs and nowdocs, `.` concatenations, $variables assigned in the
 * file, and constants made by define() or const (top level or in a class). */
#include "lang/consts.h"

#include <ctype.h>
#include <string.h>

static bool php_eval(const struct syntax *s, struct ast_node n, struct buf *out,
		     struct ast_node *origin, int depth, bool loose);

/* define('NAME', value): the name's place inside its string, and the value. */
static bool php_define(const struct syntax *s, struct ast_node n, uint32_t *a, uint32_t *len,
		       struct ast_node *v)
{
	struct ast_node fn = ast_field(n, "function");
	struct ast_node args = ast_field(n, "arguments");
	if (ast_is_null(fn) || !consts_text_eq(s, fn, "define", 6) || ast_is_null(args) ||
	    ast_named_count(args) < 2)
		return false;
	struct ast_node a0 = ast_named_child(args, 0), a1 = ast_named_child(args, 1);
	struct ast_node lit = ast_named_count(a0) ? ast_named_child(a0, 0) : (struct ast_node){0};
	if (ast_is_null(lit) || !ast_is(lit, "string") || !ast_named_count(a1))
		return false;
	uint32_t from = ast_start(lit), to = ast_end(lit);
	if (to < from + 2)
		return false;
	*a = from + 1;
	*len = to - from - 2;
	*v = ast_named_child(a1, 0);
	return true;
}

/* $name = value; const NAME = value; define('NAME', value). */
static bool php_decl_of(const struct syntax *s, struct ast_node n, enum decl_kind *kind,
			uint32_t *start, uint32_t *len, struct ast_node *value)
{
	if (ast_is(n, "assignment_expression")) {
		struct ast_node id = ast_field(n, "left"), v = ast_field(n, "right");
		if (ast_is_null(id) || ast_is_null(v) || !ast_is(id, "variable_name"))
			return false;
		*kind = DECL_VAR;
		*start = ast_start(id);
		*len = ast_end(id) - *start;
		*value = v;
		return true;
	}
	if (ast_is(n, "const_element") && ast_named_count(n) == 2) {
		struct ast_node id = ast_named_child(n, 0);
		*kind = DECL_CONST;
		*start = ast_start(id);
		*len = ast_end(id) - *start;
		*value = ast_named_child(n, 1);
		return true;
	}
	if (ast_is(n, "function_call_expression") && php_define(s, n, start, len, value)) {
		*kind = DECL_DEFINE;
		return true;
	}
	return false;
}

/* A string literal: its content, or false when it interpolates variables
 * ("Bearer $key") and holds no single value. */
static bool eval_string(const struct syntax *s, struct ast_node n, struct buf *out,
			struct ast_node *origin)
{
	uint32_t a = ast_start(n), b = ast_end(n);
	uint32_t from = a + 1, to = b > a ? b - 1 : a;
	for (uint32_t i = 0; i < ast_named_count(n); i++) {
		const char *t = ast_type(ast_named_child(n, i));
		if (strcmp(t, "string_content") && strcmp(t, "escape_sequence"))
			return false; /* interpolation, variable_name, ... */
	}
	if (to < from)
		return false;
	if (ast_is_null(*origin))
		*origin = n;
	buf_put(out, syntax_source(s) + from, to - from);
	return true;
}

/* A heredoc or nowdoc: its body, without the newlines and indentation around it, or
 * false when a heredoc interpolates variables. */
static bool eval_heredoc(const struct syntax *s, struct ast_node n, struct buf *out,
			 struct ast_node *origin)
{
	const char *src = syntax_source(s);
	struct ast_node body = ast_field(n, "value");
	if (ast_is_null(body))
		return false;
	uint32_t from = 0, to = 0;
	for (uint32_t i = 0; i < ast_named_count(body); i++) {
		struct ast_node k = ast_named_child(body, i);
		const char *t = ast_type(k);
		if (strcmp(t, "string_content") && strcmp(t, "nowdoc_string") &&
		    strcmp(t, "escape_sequence"))
			return false;
		if (!i)
			from = ast_start(k);
		to = ast_end(k);
	}
	while (from < to && isspace((unsigned char)src[from]))
		from++;
	while (to > from && isspace((unsigned char)src[to - 1]))
		to--;
	if (ast_is_null(*origin))
		*origin = n;
	buf_put(out, src + from, to - from);
	return true;
}

/* The value node of the constant name: define('NAME', value), const NAME = value (top
 * level or in a class: self::NAME, static::NAME, Cls::NAME all read it). */
static bool find_constant(const struct syntax *s, const char *name, size_t len, bool in_class,
			  struct ast_node *value)
{
	struct ast_node c, d;
	uint32_t ca, da;
	bool is_const = decls_find(s, php_decl_of, DECL_CONST, name, len, &c, &ca);
	bool is_define = !in_class && decls_find(s, php_decl_of, DECL_DEFINE, name, len, &d, &da);
	if (!is_const && !is_define)
		return false;
	*value = is_const && (!is_define || ca < da) ? c : d; /* the first in the file */
	return true;
}

/* A constant read: OCPAY_KEY, \App\OCPAY_KEY, self::KEY, Gateway::KEY. */
static bool eval_constant(const struct syntax *s, struct ast_node n, struct buf *out,
			  struct ast_node *origin, int depth, bool loose)
{
	bool in_class = ast_is(n, "class_constant_access_expression");
	if (!ast_named_count(n) && !ast_is(n, "name"))
		return false;
	struct ast_node id = ast_is(n, "name") ? n : ast_named_child(n, ast_named_count(n) - 1);
	if (!ast_is(id, "name"))
		return false;
	size_t len;
	const char *name = ast_text(s, id, &len);
	struct ast_node value;
	return find_constant(s, name, len, in_class, &value) &&
	       php_eval(s, value, out, origin, depth + 1, loose);
}

/* A concatenation of two values: PHP joins with a dot. */
static bool eval_concat(const struct syntax *s, struct ast_node n, struct buf *out,
			struct ast_node *origin, int depth, bool loose)
{
	struct ast_node o = ast_field(n, "operator");
	if (ast_is_null(o) || !consts_text_eq(s, o, ".", 1))
		return false;
	if (ast_is_null(*origin))
		*origin = n;
	return php_eval(s, ast_field(n, "left"), out, origin, depth + 1, loose) &&
	       php_eval(s, ast_field(n, "right"), out, origin, depth + 1, loose);
}

static bool php_eval(const struct syntax *s, struct ast_node n, struct buf *out,
		     struct ast_node *origin, int depth, bool loose)
{
	if (!consts_may_eval(n, depth))
		return false;
	const char *type = ast_type(n);
	if (!strcmp(type, "string") || !strcmp(type, "encapsed_string"))
		return eval_string(s, n, out, origin);
	if (!strcmp(type, "heredoc") || !strcmp(type, "nowdoc"))
		return eval_heredoc(s, n, out, origin);
	if (!strcmp(type, "name") || !strcmp(type, "qualified_name") ||
	    !strcmp(type, "class_constant_access_expression"))
		return eval_constant(s, n, out, origin, depth, loose);
	if (!strcmp(type, "binary_expression"))
		return eval_concat(s, n, out, origin, depth, loose);
	if (!strcmp(type, "variable_name")) {
		size_t len;
		const char *name = ast_text(s, n, &len);
		struct ast_node value;
		return decls_find(s, php_decl_of, DECL_VAR, name, len, &value, NULL) &&
		       !consts_text_eq(s, value, name, len) &&
		       php_eval(s, value, out, origin, depth + 1, loose);
	}
	if (!strcmp(type, "parenthesized_expression"))
		return ast_named_count(n) &&
		       php_eval(s, ast_named_child(n, 0), out, origin, depth + 1, loose);
	return false;
}

const struct consts_lang php_consts = {
    .eval = php_eval,
    .decl_of = php_decl_of,
    .default_export = NULL,
};
