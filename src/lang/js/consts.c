/* The constant evaluator's JavaScript/TypeScript/TSX side (lang/consts.h): string and
 * template literals, `+` concatenations, TS type wrappers, and names declared in the
 * file or imported from another module (through the syntax's import hook). */
#include "lang/consts.h"

#include <stdlib.h>
#include <string.h>

static bool js_eval(const struct syntax *s, struct ast_node n, struct buf *out,
		    struct ast_node *origin, int depth, bool loose);

/* const|let|var NAME = value */
static bool js_decl_of(const struct syntax *s, struct ast_node n, enum decl_kind *kind,
		       uint32_t *start, uint32_t *len, struct ast_node *value)
{
	(void)s;
	if (!ast_is(n, "variable_declarator"))
		return false;
	struct ast_node id = ast_field(n, "name"), v = ast_field(n, "value");
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
	return decls_find(s, js_decl_of, DECL_VAR, name, len, value, NULL);
}

/* The value of the first `export default value` of the module. */
static bool js_default_export(const struct syntax *s, struct ast_node *value)
{
	struct ast_node root = ast_root(s);
	for (uint32_t i = 0; i < ast_named_count(root) && !ast_deadline_passed(); i++) {
		struct ast_node st = ast_named_child(root, i);
		struct ast_node v = ast_field(st, "value");
		if (ast_is(st, "export_statement") && !ast_is_null(v)) {
			*value = v;
			return true;
		}
	}
	return false;
}

/* The binding of local name in one import clause: import X / import { A as X }. */
static bool clause_binds(const struct syntax *s, struct ast_node clause, const char *name,
			 size_t len, const char **exported, size_t *exported_len)
{
	for (uint32_t k = 0; k < ast_named_count(clause); k++) {
		struct ast_node b = ast_named_child(clause, k);
		if (ast_is(b, "identifier") && consts_text_eq(s, b, name, len)) {
			*exported = "default";
			*exported_len = 7;
			return true;
		}
		if (!ast_is(b, "named_imports"))
			continue;
		for (uint32_t m = 0; m < ast_named_count(b); m++) {
			struct ast_node is = ast_named_child(b, m);
			struct ast_node nm = ast_field(is, "name");
			struct ast_node al = ast_field(is, "alias");
			struct ast_node local = ast_is_null(al) ? nm : al;
			if (ast_is_null(local) || !consts_text_eq(s, local, name, len))
				continue;
			*exported = ast_text(s, nm, exported_len);
			return true;
		}
	}
	return false;
}

/* The module and exported name a top-level import binds to local name, if any:
 * import X from "m" / import { A as X } from "m" / const { X } = require("m"). */
static bool find_import(const struct syntax *s, const char *name, size_t len, struct ast_node *spec,
			const char **exported, size_t *exported_len)
{
	struct ast_node root = ast_root(s);
	uint32_t count = ast_named_count(root);
	for (uint32_t i = 0; i < count && !ast_deadline_passed(); i++) {
		struct ast_node st = ast_named_child(root, i);
		if (ast_is(st, "import_statement")) {
			struct ast_node src = ast_field(st, "source");
			for (uint32_t j = 0; j < ast_named_count(st); j++) {
				struct ast_node clause = ast_named_child(st, j);
				if (!ast_is(clause, "import_clause"))
					continue;
				if (clause_binds(s, clause, name, len, exported, exported_len)) {
					*spec = src;
					return true;
				}
			}
		} else if (ast_is(st, "lexical_declaration") ||
			   ast_is(st, "variable_declaration")) {
			/* const { X } = require("m") */
			struct ast_node d = ast_named_child(st, 0);
			struct ast_node pat = ast_field(d, "name");
			struct ast_node val = ast_field(d, "value");
			if (ast_is_null(val) || !ast_is(val, "call_expression") ||
			    !ast_is(pat, "object_pattern"))
				continue;
			struct ast_node fn = ast_field(val, "function");
			struct ast_node args = ast_field(val, "arguments");
			if (!consts_text_eq(s, fn, "require", 7) || !ast_named_count(args))
				continue;
			for (uint32_t m = 0; m < ast_named_count(pat); m++) {
				struct ast_node p = ast_named_child(pat, m);
				if (ast_is(p, "shorthand_property_identifier_pattern") &&
				    consts_text_eq(s, p, name, len)) {
					*spec = ast_named_child(args, 0);
					*exported = name;
					*exported_len = len;
					return true;
				}
			}
		}
	}
	return false;
}

static bool eval_import(const struct syntax *s, const char *name, size_t len, struct buf *out,
			int depth, bool loose)
{
	struct ast_node spec;
	const char *exported;
	size_t exported_len;
	if (!syntax_has_import_hook(s) ||
	    !find_import(s, name, len, &spec, &exported, &exported_len) ||
	    !ast_is(spec, "string") || ast_end(spec) - ast_start(spec) < 2)
		return false;
	size_t spec_len;
	const char *text = ast_text(s, spec, &spec_len);
	char *v = syntax_import_value(s, text + 1, spec_len - 2, exported, exported_len, depth + 1,
				      loose);
	if (!v)
		return false;
	buf_puts(out, v);
	free(v);
	return true;
}

/* A string or a template literal. A template with substitutions holds a value only when
 * loose: `${BASE}/ocpay/createLink` gives the text between substitutions and each
 * substitution's value where it has one (its source text where not). */
static bool eval_literal(const struct syntax *s, struct ast_node n, struct buf *out,
			 struct ast_node *origin, int depth, bool loose)
{
	const char *src = syntax_source(s);
	uint32_t a = ast_start(n), b = ast_end(n);
	uint32_t kids = ast_named_count(n);
	bool subst = false;
	for (uint32_t i = 0; i < kids; i++)
		subst |= ast_is(ast_named_child(n, i), "template_substitution");
	if (ast_is_null(*origin))
		*origin = n;
	if (!subst) {
		if (b - a >= 2)
			buf_put(out, src + a + 1, b - a - 2);
		return true;
	}
	if (!loose)
		return false;
	uint32_t at = a + 1;
	for (uint32_t i = 0; i < kids; i++) {
		struct ast_node k = ast_named_child(n, i);
		if (!ast_is(k, "template_substitution"))
			continue;
		uint32_t ka = ast_start(k), kb = ast_end(k);
		buf_put(out, src + at, ka - at);
		struct ast_node o = *origin;
		if (!ast_named_count(k) ||
		    !js_eval(s, ast_named_child(k, 0), out, &o, depth + 1, true))
			buf_put(out, src + ka, kb - ka);
		at = kb;
	}
	if (b > at + 1)
		buf_put(out, src + at, b - 1 - at);
	return true;
}

/* A concatenation of two values with `+`. */
static bool eval_concat(const struct syntax *s, struct ast_node n, struct buf *out,
			struct ast_node *origin, int depth, bool loose)
{
	struct ast_node o = ast_field(n, "operator");
	if (ast_is_null(o) || !consts_text_eq(s, o, "+", 1))
		return false;
	if (ast_is_null(*origin))
		*origin = n;
	return js_eval(s, ast_field(n, "left"), out, origin, depth + 1, loose) &&
	       js_eval(s, ast_field(n, "right"), out, origin, depth + 1, loose);
}

static bool js_eval(const struct syntax *s, struct ast_node n, struct buf *out,
		    struct ast_node *origin, int depth, bool loose)
{
	if (!consts_may_eval(n, depth))
		return false;
	const char *type = ast_type(n);
	if (!strcmp(type, "string") || !strcmp(type, "template_string"))
		return eval_literal(s, n, out, origin, depth, loose);
	if (!strcmp(type, "binary_expression"))
		return eval_concat(s, n, out, origin, depth, loose);
	if (!strcmp(type, "parenthesized_expression") || !strcmp(type, "as_expression") ||
	    !strcmp(type, "satisfies_expression") || !strcmp(type, "non_null_expression"))
		return ast_named_count(n) &&
		       js_eval(s, ast_named_child(n, 0), out, origin, depth + 1, loose);
	if (!strcmp(type, "identifier")) {
		size_t len;
		const char *name = ast_text(s, n, &len);
		struct ast_node value;
		if (!find_declaration(s, name, len, &value))
			return eval_import(s, name, len, out, depth, loose);
		/* Report where the literal is written: that is the line to change. */
		return js_eval(s, value, out, origin, depth + 1, loose);
	}
	return false;
}

const struct consts_lang js_consts = {
    .eval = js_eval,
    .decl_of = js_decl_of,
    .default_export = js_default_export,
};
