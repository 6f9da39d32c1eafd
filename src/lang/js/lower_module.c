/* Lowering of JavaScript/TypeScript module syntax into the file's import and export
 * tables: ES import/export, require(), import(), module.exports and exports.x. */
#include <string.h>

#include "lang/js/lower_js.h"

static void import_add(struct jsl *L, enum ir_import_kind kind, const char *local, const char *spec,
		       const char *name, struct ast_node at)
{
	struct ir_import im = {.kind = (uint8_t)kind,
			       .local = local,
			       .spec = spec,
			       .name = name,
			       .line = ast_line(at)};
	ir_import_add(L->f, &im);
}

static void export_add(struct jsl *L, const char *name, const char *local, struct ir_node *value,
		       const char *from, struct ast_node at)
{
	struct ir_export ex = {
	    .name = name, .local = local, .value = value, .from = from, .line = ast_line(at)};
	ir_export_add(L->f, &ex);
}

/* A module name or an imported/exported name: an identifier, or a string. */
static const char *name_text(struct jsl *L, struct ast_node n)
{
	if (ast_is_null(n))
		return NULL;
	if (ast_is(n, "string"))
		return jsl_string_value(L, n, NULL);
	return jsl_text(L, n);
}

/* import x, {a as b, type T}, * as ns from "m"; import "m"; import x = require("m").
 * `import type` and `type T` declare nothing at run time: they are kept as IR_IMPORT_TYPE,
 * which binds no value (a parameter's declared type is read through them). */
void jsl_import(struct jsl *L, struct ast_node n)
{
	bool types = jsl_has(L, n, "type");
	enum ir_import_kind es = types ? IR_IMPORT_TYPE : IR_IMPORT_ES;
	const char *spec = name_text(L, ast_field(n, "source"));
	struct jsl_kids k;
	jsl_kids(L, &k, n, true);
	bool bound = false;
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node c = k.v[i];
		if (ast_is(c, "import_require_clause")) {
			bound = true;
			import_add(L, IR_IMPORT_REQUIRE, jsl_text(L, jsl_first(c)),
				   name_text(L, ast_field(c, "source")), "*", c);
			continue;
		}
		if (!ast_is(c, "import_clause"))
			continue;
		struct jsl_kids parts;
		jsl_kids(L, &parts, c, true);
		for (uint32_t j = 0; j < parts.n; j++) {
			struct ast_node p = parts.v[j];
			bound = true;
			if (ast_is(p, "identifier")) {
				import_add(L, es, jsl_text(L, p), spec, "default", p);
			} else if (ast_is(p, "namespace_import")) {
				import_add(L, es, jsl_text(L, jsl_first(p)), spec, "*", p);
			} else if (ast_is(p, "named_imports")) {
				struct jsl_kids s;
				jsl_kids(L, &s, p, true);
				for (uint32_t m = 0; m < s.n; m++) {
					if (!ast_is(s.v[m], "import_specifier"))
						continue;
					struct ast_node name = ast_field(s.v[m], "name");
					struct ast_node alias = ast_field(s.v[m], "alias");
					import_add(L,
						   jsl_has(L, s.v[m], "type") ? IR_IMPORT_TYPE : es,
						   name_text(L, ast_is_null(alias) ? name : alias),
						   spec, name_text(L, name), s.v[m]);
				}
				jsl_kids_free(&s);
			}
		}
		jsl_kids_free(&parts);
	}
	jsl_kids_free(&k);
	if (!bound && spec && !types)
		import_add(L, IR_IMPORT_ES, NULL, spec, NULL, n);
}

/* The names a declaration binds, for `export const a = 1, {b} = o`. */
static void export_names(struct jsl *L, const struct ir_node *target, struct ast_node at)
{
	if (!target)
		return;
	if (target->kind == IR_NAME) {
		export_add(L, target->text, target->text, NULL, NULL, at);
		return;
	}
	if (target->kind == IR_SPREAD) {
		export_names(L, target->a, at);
		return;
	}
	if (target->kind == IR_PAIR) {
		export_names(L, target->b, at);
		return;
	}
	if (target->kind == IR_PATTERN)
		for (uint32_t i = 0; i < target->nkids; i++)
			export_names(L, target->kids[i], at);
}

/* export default <expression>: the value also stands in the body, where it is computed. */
static void export_default_value(struct jsl *L, struct ast_node n, struct ast_node value,
				 struct ir_node *block, int depth)
{
	struct ir_node *v = jsl_value(L, value, NULL, depth + 1);
	struct ast_node in = jsl_unwrap(value);
	const char *local = ast_is(in, "identifier") ? jsl_text(L, in) : NULL;
	if (v && v->kind == IR_FUNC && *L->f->funcs[(int32_t)v->num].name)
		local = L->f->funcs[(int32_t)v->num].name;
	struct ir_node *stmt = jsl_node(L, IR_EXPR, n);
	if (stmt) {
		stmt->a = v;
		ir_node_add(L->f, block, stmt);
	}
	export_add(L, "default", local, v, NULL, n);
}

/* export <declaration>; export default ...; export {a as b} [from "m"]; export * [as ns]
 * from "m"; TS `export = x`. Inside a TS namespace only the declaration is kept. */
void jsl_export(struct jsl *L, struct ast_node n, struct ir_node *block, int depth)
{
	struct ast_node decl = ast_field(n, "declaration");
	bool is_default = jsl_has(L, n, "default");
	if (!ast_is_null(decl)) {
		uint32_t first = block->nkids;
		if (ast_is(decl, "internal_module") || ast_is(decl, "module")) {
			/* export namespace N {...}: N is exported, not the names inside it */
			jsl_stmt(L, decl, block, depth);
			const char *name = jsl_text(L, ast_field(decl, "name"));
			if (!L->in_namespace)
				export_add(L, name, name, NULL, NULL, n);
			return;
		}
		if (ast_is(decl, "class_declaration") || ast_is(decl, "abstract_class_declaration"))
			ir_node_add(L->f, block, jsl_class(L, decl, NULL, n, depth));
		else
			jsl_stmt(L, decl, block, depth);
		if (L->in_namespace)
			return;
		for (uint32_t i = first; i < block->nkids; i++) {
			struct ir_node *x = block->kids[i];
			const char *name = NULL;
			if (x->kind == IR_FUNC)
				name = L->f->funcs[(int32_t)x->num].name;
			else if (x->kind == IR_CLASS)
				name = L->f->classes[(int32_t)x->num].name;
			if (is_default)
				export_add(L, "default", name && *name ? name : NULL, x, NULL, n);
			else if (x->kind == IR_DECL && x->a && x->a->kind == IR_NAME)
				export_add(L, x->a->text, x->a->text, x->b, NULL, n);
			else if (x->kind == IR_DECL)
				export_names(L, x->a, n);
			else if (name && *name)
				export_add(L, name, name, x, NULL, n);
		}
		return;
	}
	if (L->in_namespace || jsl_has(L, n, "type"))
		return;
	struct ast_node value = ast_field(n, "value");
	if (!ast_is_null(value)) {
		export_default_value(L, n, value, block, depth);
		return;
	}
	const char *from = name_text(L, ast_field(n, "source"));
	struct jsl_kids k;
	jsl_kids(L, &k, n, true);
	bool star = from != NULL;
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node c = k.v[i];
		if (ast_is(c, "export_clause")) {
			star = false;
			struct jsl_kids s;
			jsl_kids(L, &s, c, true);
			for (uint32_t j = 0; j < s.n; j++) {
				if (!ast_is(s.v[j], "export_specifier") ||
				    jsl_has(L, s.v[j], "type"))
					continue;
				struct ast_node name = ast_field(s.v[j], "name");
				struct ast_node alias = ast_field(s.v[j], "alias");
				export_add(L, name_text(L, ast_is_null(alias) ? name : alias),
					   name_text(L, name), NULL, from, s.v[j]);
			}
			jsl_kids_free(&s);
		} else if (ast_is(c, "namespace_export")) { /* export * as ns from "m" */
			star = false;
			export_add(L, name_text(L, jsl_first(c)), "*", NULL, from, c);
		} else if (!ast_is(c, "string") && !ast_is(c, "decorator")) {
			/* TS `export = x`: the module's value, as module.exports = x */
			star = false;
			export_default_value(L, n, c, block, depth);
		}
	}
	jsl_kids_free(&k);
	if (star)
		export_add(L, "*", NULL, NULL, from, n);
}

/* ---- CommonJS ---- */

static bool is_name(struct jsl *L, struct ast_node n, const char *name)
{
	return ast_is(n, "identifier") && ast_text_is(L->syn, n, name);
}

static bool is_module_exports(struct jsl *L, struct ast_node n)
{
	return ast_is(n, "member_expression") && is_name(L, ast_field(n, "object"), "module") &&
	       ast_text_is(L->syn, ast_field(n, "property"), "exports");
}

/* exports.x / module.exports.x: the property x, else a null node. */
static struct ast_node export_property(struct jsl *L, struct ast_node left)
{
	struct ast_node none = {0};
	if (!ast_is(left, "member_expression"))
		return none;
	struct ast_node obj = ast_field(left, "object");
	if (is_name(L, obj, "exports") || is_module_exports(L, obj))
		return ast_field(left, "property");
	return none;
}

const char *jsl_cjs_bind(struct jsl *L, struct ast_node left)
{
	if (is_module_exports(L, left))
		return "";
	struct ast_node prop = export_property(L, left);
	return ast_is_null(prop) ? NULL : jsl_text(L, prop);
}

void jsl_cjs_export(struct jsl *L, struct ast_node left, struct ir_node *value)
{
	if (!value)
		return;
	const char *local = value->kind == IR_NAME ? value->text : NULL;
	if (is_module_exports(L, left)) {
		export_add(L, "default", local, value, NULL, left);
		/* module.exports = {createLink, verify: check}: each key is an export too */
		for (uint32_t i = 0; value->kind == IR_OBJECT && i < value->nkids; i++) {
			struct ir_node *p = value->kids[i];
			if (p->kind != IR_PAIR || !p->text)
				continue;
			struct ir_export ex = {.name = p->text,
					       .local = p->b && p->b->kind == IR_NAME ? p->b->text
										      : NULL,
					       .value = p->b,
					       .line = p->line};
			ir_export_add(L->f, &ex);
		}
		return;
	}
	struct ast_node prop = export_property(L, left);
	if (!ast_is_null(prop))
		export_add(L, jsl_text(L, prop), local, value, NULL, left);
}

/* require("m") / import("m"): local and name from where the call stands. */
void jsl_require(struct jsl *L, struct ast_node call, bool dynamic)
{
	enum ir_import_kind kind = dynamic ? IR_IMPORT_DYNAMIC : IR_IMPORT_REQUIRE;
	const char *spec = jsl_string_value(L, jsl_first(ast_field(call, "arguments")), NULL);
	if (!spec)
		return;
	const char *name = "*";
	struct ast_node at = call, up = ast_parent(call);
	bool awaited = false;
	while (ast_is(up, "await_expression") || ast_is(up, "parenthesized_expression") ||
	       ast_is(up, "as_expression") || ast_is(up, "non_null_expression")) {
		awaited = awaited || ast_is(up, "await_expression");
		at = up;
		up = ast_parent(up);
	}
	if (dynamic && !awaited) { /* import("m") alone is a promise of the module */
		import_add(L, kind, NULL, spec, ast_is(up, "expression_statement") ? NULL : "*",
			   call);
		return;
	}
	if (ast_is(up, "member_expression") &&
	    ast_start(ast_field(up, "object")) == ast_start(at)) {
		name = jsl_text(L, ast_field(up, "property")); /* require("m").x */
		at = up;
		up = ast_parent(up);
	}
	if (ast_is(up, "expression_statement") && !strcmp(name, "*")) {
		import_add(L, kind, NULL, spec, NULL, call); /* for its effect */
		return;
	}
	struct ast_node target = ast_field(up, "name");
	if (!ast_is(up, "variable_declarator") ||
	    ast_start(ast_field(up, "value")) != ast_start(at))
		target = (struct ast_node){0};
	if (ast_is(target, "identifier")) {
		import_add(L, kind, jsl_text(L, target), spec, name, call);
		return;
	}
	if (!ast_is(target, "object_pattern") || strcmp(name, "*")) {
		import_add(L, kind, NULL, spec, name, call);
		return;
	}
	/* const {a, b: c} = require("m") */
	struct jsl_kids k;
	jsl_kids(L, &k, target, true);
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node p = k.v[i], key = p, value = p;
		if (ast_is(p, "pair_pattern")) {
			key = ast_field(p, "key");
			value = ast_field(p, "value");
		} else if (ast_is(p, "object_assignment_pattern")) {
			key = value = ast_field(p, "left");
		} else if (ast_is(p, "rest_pattern")) { /* ...others: the rest of the module */
			struct ast_node r = jsl_first(p);
			import_add(L, kind, ast_is(r, "identifier") ? jsl_text(L, r) : NULL, spec,
				   "*", p);
			continue;
		} else if (!ast_is(p, "shorthand_property_identifier_pattern")) {
			continue;
		}
		if (ast_is(value, "assignment_pattern"))
			value = ast_field(value, "left");
		const char *local = ast_is(value, "identifier") ||
					    ast_is(value, "shorthand_property_identifier_pattern")
					? jsl_text(L, value)
					: NULL;
		import_add(L, kind, local, spec, jsl_key_text(L, key), p);
	}
	jsl_kids_free(&k);
}

/* Functions and classes the export rows name get their flags: export function f,
 * export {f}, export default f, module.exports = {f}, exports.f = function. */
void jsl_exports_mark(struct jsl *L)
{
	struct ir_file *f = L->f;
	for (uint32_t i = 0; i < f->nexports; i++) {
		const struct ir_export *ex = &f->exports[i];
		if (ex->from || !ex->name)
			continue;
		bool is_default = !strcmp(ex->name, "default");
		uint16_t flag = is_default ? IR_FN_DEFAULT : IR_FN_EXPORTED;
		if (ex->value && ex->value->kind == IR_FUNC) {
			f->funcs[(int32_t)ex->value->num].flags |= flag;
			continue;
		}
		if (ex->value && ex->value->kind == IR_CLASS) {
			f->classes[(int32_t)ex->value->num].exported = true;
			continue;
		}
		if (!ex->local)
			continue;
		for (uint32_t k = 1; k < f->nfuncs; k++)
			if (f->funcs[k].parent == 0 && f->funcs[k].cls < 0 &&
			    !strcmp(f->funcs[k].name, ex->local))
				f->funcs[k].flags |= flag;
		for (uint32_t k = 0; k < f->nclasses; k++)
			if (!strcmp(f->classes[k].name, ex->local))
				f->classes[k].exported = true;
	}
}
