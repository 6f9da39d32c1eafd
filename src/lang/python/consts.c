/* The constant evaluator's Python side (lang/consts.h): string literals, f-strings whose
 * interpolations hold values, names assigned in the file, and class attributes read
 * through the class or an instance. */
#include "lang/consts.h"

#include <string.h>

static bool py_eval(const struct syntax *s, struct ast_node n, struct buf *out,
		    struct ast_node *origin, int depth, bool loose);

/* name = value */
static bool py_decl_of(const struct syntax *s, struct ast_node n, enum decl_kind *kind,
		       uint32_t *start, uint32_t *len, struct ast_node *value)
{
	(void)s;
	if (!ast_is(n, "assignment"))
		return false;
	struct ast_node id = ast_field(n, "left"), v = ast_field(n, "right");
	if (ast_is_null(id) || ast_is_null(v) || !ast_is(id, "identifier"))
		return false;
	*kind = DECL_VAR;
	*start = ast_start(id);
	*len = ast_end(id) - *start;
	*value = v;
	return true;
}

static bool find_declaration(const struct syntax *s, const char *name, size_t len,
			     struct ast_node *value)
{
	return decls_find(s, py_decl_of, DECL_VAR, name, len, value, NULL);
}

/* A string literal: its content (r"", b'' and triple quotes taken off), or false when
 * it interpolates (f"{key}") and is left to eval_fstring. */
static bool eval_string(const struct syntax *s, struct ast_node n, struct buf *out,
			struct ast_node *origin)
{
	uint32_t a = ast_start(n), b = ast_end(n);
	uint32_t from = a + 1, to = b > a ? b - 1 : a;
	for (uint32_t i = 0; i < ast_named_count(n); i++) {
		struct ast_node k = ast_named_child(n, i);
		const char *t = ast_type(k);
		if (!strcmp(t, "string_start"))
			from = ast_end(k);
		else if (!strcmp(t, "string_end"))
			to = ast_start(k);
		else if (strcmp(t, "string_content") && strcmp(t, "escape_sequence"))
			return false; /* interpolation */
	}
	if (to < from)
		return false;
	if (ast_is_null(*origin))
		*origin = n;
	buf_put(out, syntax_source(s) + from, to - from);
	return true;
}

/* An f-string: its text with each interpolated name's value, or false when an
 * interpolation holds no single value (f"Bearer {key}" with key read at run time). */
static bool eval_fstring(const struct syntax *s, struct ast_node n, struct buf *out,
			 struct ast_node *origin, int depth, bool loose)
{
	uint32_t from = ast_start(n) + 1, to = ast_end(n) - 1;
	for (uint32_t i = 0; i < ast_named_count(n); i++) {
		struct ast_node k = ast_named_child(n, i);
		const char *t = ast_type(k);
		if (!strcmp(t, "string_start")) {
			from = ast_end(k);
		} else if (!strcmp(t, "string_end")) {
			to = ast_start(k);
		} else if (!strcmp(t, "interpolation")) {
			struct ast_node e = ast_field(k, "expression");
			if (ast_is_null(e) || !py_eval(s, e, out, origin, depth + 1, loose))
				return false;
		} else if (!strcmp(t, "string_content") || !strcmp(t, "escape_sequence")) {
			if (ast_is_null(*origin))
				*origin = n;
			size_t len;
			const char *text = ast_text(s, k, &len);
			buf_put(out, text, len);
		} else {
			return false;
		}
	}
	return from <= to;
}

/* A class attribute read through the class or an instance (Config.KEY, self.KEY,
 * cls.KEY): the value the file's class body gives the name. */
static bool eval_attribute(const struct syntax *s, struct ast_node n, struct buf *out,
			   struct ast_node *origin, int depth, bool loose)
{
	struct ast_node obj = ast_field(n, "object");
	struct ast_node attr = ast_field(n, "attribute");
	if (ast_is_null(obj) || ast_is_null(attr) || !ast_is(obj, "identifier"))
		return false;
	size_t olen;
	const char *o = ast_text(s, obj, &olen);
	bool self = consts_text_eq(s, obj, "self", 4) || consts_text_eq(s, obj, "cls", 3);
	if (!self && !(o[0] >= 'A' && o[0] <= 'Z' && olen > 0))
		return false; /* a module or an instance: its attributes are not in this file */
	size_t len;
	const char *name = ast_text(s, attr, &len);
	struct ast_node value;
	if (!find_declaration(s, name, len, &value))
		return false;
	/* only a class body's assignment is the attribute */
	struct ast_node p = ast_parent(ast_parent(value));
	if (!ast_is(p, "expression_statement") || !ast_is(ast_parent(p), "block") ||
	    !ast_is(ast_parent(ast_parent(p)), "class_definition"))
		return false;
	return py_eval(s, value, out, origin, depth + 1, loose);
}

static bool py_eval(const struct syntax *s, struct ast_node n, struct buf *out,
		    struct ast_node *origin, int depth, bool loose)
{
	if (!consts_may_eval(n, depth))
		return false;
	const char *type = ast_type(n);
	if (!strcmp(type, "string"))
		return eval_string(s, n, out, origin) ||
		       eval_fstring(s, n, out, origin, depth, loose);
	if (!strcmp(type, "attribute"))
		return eval_attribute(s, n, out, origin, depth, loose);
	if (!strcmp(type, "parenthesized_expression"))
		return ast_named_count(n) &&
		       py_eval(s, ast_named_child(n, 0), out, origin, depth + 1, loose);
	if (!strcmp(type, "identifier")) {
		size_t len;
		const char *name = ast_text(s, n, &len);
		struct ast_node value;
		return find_declaration(s, name, len, &value) &&
		       py_eval(s, value, out, origin, depth + 1, loose);
	}
	return false;
}

const struct consts_lang python_consts = {
    .eval = py_eval,
    .decl_of = py_decl_of,
    .default_export = NULL,
};
