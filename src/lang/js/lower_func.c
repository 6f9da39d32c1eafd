/* Lowering of JavaScript/TypeScript functions (every form), their parameters, classes
 * and decorators into the flow form's tables. */
#include <string.h>

#include "lang/js/lower_js.h"

struct ir_node *jsl_decorator(struct jsl *L, struct ast_node n, int depth)
{
	return jsl_expr(L, jsl_first(n), depth + 1);
}

/* The decorators written inside n (a parameter, a field, a JS method), after `extra`
 * (TS places a method's decorators before it, as siblings in the class body). */
static void decorators_of(struct jsl *L, struct ast_node n, const struct ast_node *extra,
			  uint32_t nextra, struct ir_node ***out, uint32_t *nout, int depth)
{
	for (uint32_t i = 0; i < nextra; i++)
		ir_ptr_push(L->f, (void ***)out, nout, jsl_decorator(L, extra[i], depth));
	if (ast_is_null(n))
		return;
	struct jsl_kids k;
	jsl_kids(L, &k, n, true);
	for (uint32_t i = 0; i < k.n; i++)
		if (ast_is(k.v[i], "decorator"))
			ir_ptr_push(L->f, (void ***)out, nout, jsl_decorator(L, k.v[i], depth));
	jsl_kids_free(&k);
}

/* One parameter: a name or a pattern, a default, a type, decorators, ...rest, and a TS
 * parameter property (`private readonly svc: Svc`). False for TS's `this` parameter. */
static bool lower_param(struct jsl *L, struct ast_node p, struct ir_param *out, int depth)
{
	memset(out, 0, sizeof *out);
	out->line = ast_line(p);
	struct ast_node target = p, def = {0};
	if (ast_is(p, "required_parameter") || ast_is(p, "optional_parameter")) {
		target = ast_field(p, "pattern");
		if (ast_is(target, "this"))
			return false;
		def = ast_field(p, "value");
		out->type = jsl_type_text(L, ast_field(p, "type"));
		out->promoted = jsl_has(L, p, "accessibility_modifier") ||
				jsl_has(L, p, "readonly") || jsl_has(L, p, "override_modifier");
		decorators_of(L, p, NULL, 0, &out->decorators, &out->ndecorators, depth);
	}
	if (ast_is(target, "this"))
		return false;
	if (ast_is(target, "assignment_pattern")) {
		def = ast_field(target, "right");
		target = ast_field(target, "left");
	}
	if (ast_is(target, "rest_pattern")) {
		out->rest = true;
		target = jsl_first(target);
	}
	if (ast_is(target, "identifier"))
		out->name = jsl_text(L, target);
	else
		out->pattern = jsl_pattern(L, target, depth + 1);
	out->def = jsl_expr(L, def, depth + 1);
	return true;
}

static void lower_params(struct jsl *L, int32_t idx, struct ast_node n, int depth)
{
	struct ast_node single = ast_field(n, "parameter"); /* x => ... */
	struct jsl_kids k;
	if (!ast_is_null(single)) {
		k.v = k.small;
		k.n = 1;
		k.small[0] = single;
	} else {
		jsl_kids(L, &k, ast_field(n, "parameters"), true);
	}
	struct ir_param *params = k.n ? ir_alloc(L->f, k.n * sizeof *params) : NULL;
	uint32_t count = 0;
	for (uint32_t i = 0; i < k.n && params; i++)
		if (lower_param(L, k.v[i], &params[count], depth))
			count++;
	jsl_kids_free(&k);
	L->f->funcs[idx].params = params;
	L->f->funcs[idx].nparams = count;
}

/* A function's own name: identifier, method key ("#priv", "'quoted'", [computed]). */
static const char *func_name(struct jsl *L, struct ast_node n, const char *bind)
{
	struct ast_node name = ast_field(n, "name");
	if (!ast_is_null(name)) {
		const char *s = jsl_key_text(L, name);
		return s ? s : jsl_text(L, name);
	}
	return bind ? bind : "";
}

static uint16_t func_flags(struct jsl *L, struct ast_node n)
{
	uint16_t flags = 0;
	if (ast_is(n, "arrow_function"))
		flags |= IR_FN_ARROW;
	if (ast_is(n, "generator_function") || ast_is(n, "generator_function_declaration"))
		flags |= IR_FN_GENERATOR;
	/* the `async` and `*` tokens come before the parameters */
	uint32_t count = ast_count(n);
	for (uint32_t i = 0; i < count; i++) {
		struct ast_node c = ast_child(n, i);
		if (ast_is(c, "async"))
			flags |= IR_FN_ASYNC;
		else if (ast_is(c, "*"))
			flags |= IR_FN_GENERATOR;
		else if (ast_is(c, "formal_parameters") || ast_is(c, "statement_block"))
			break;
	}
	return flags;
}

/* Adds the ir_func, then lowers its parameters and body inside it. Returns its index. */
static int32_t func_build(struct jsl *L, struct ast_node n, const char *bind, uint16_t flags,
			  int32_t cls, const struct ast_node *decos, uint32_t ndecos, int depth)
{
	struct ir_func fn = {
	    .name = func_name(L, n, bind),
	    .cls = cls,
	    .parent = L->func,
	    .flags = (uint16_t)(flags | func_flags(L, n)),
	    .returns = jsl_type_text(L, ast_field(n, "return_type")),
	    .start = ast_start(n),
	    .end = ast_end(n),
	    .line = ast_line(n),
	};
	if (!fn.name)
		return -1;
	decorators_of(L, cls >= 0 ? n : (struct ast_node){0}, decos, ndecos, &fn.decorators,
		      &fn.ndecorators, depth);
	int32_t idx = ir_func_add(L->f, &fn);
	if (idx < 0)
		return -1;
	int32_t saved = L->func;
	L->func = idx;
	lower_params(L, idx, n, depth);
	struct ast_node body = ast_field(n, "body");
	struct ir_node *block;
	if (ast_is(body, "statement_block") || ast_is_null(body)) {
		block = jsl_block(L, body, depth + 1);
	} else { /* an arrow's expression body */
		block = jsl_node(L, IR_BLOCK, body);
		struct ir_node *ret = jsl_node(L, IR_RETURN, body);
		if (ret)
			ret->a = jsl_expr(L, body, depth + 1);
		ir_node_add(L->f, block, ret);
	}
	L->func = saved;
	L->f->funcs[idx].body = block;
	return idx;
}

struct ir_node *jsl_func(struct jsl *L, struct ast_node n, const char *bind, uint16_t flags,
			 int depth)
{
	struct ir_node *x = jsl_node(L, IR_FUNC, n);
	if (!x)
		return NULL;
	int32_t idx = func_build(L, n, bind, flags, -1, NULL, 0, depth);
	if (idx < 0)
		return NULL;
	x->num = idx;
	L->f->funcs[idx].node = x;
	return x;
}

/* ---- classes ---- */

static void class_heritage(struct jsl *L, int32_t idx, struct ast_node h)
{
	struct jsl_kids k;
	jsl_kids(L, &k, h, true);
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node c = k.v[i];
		if (ast_is(c, "implements_clause")) {
			struct jsl_kids t;
			jsl_kids(L, &t, c, true);
			for (uint32_t j = 0; j < t.n; j++) {
				struct ast_node name = ast_field(t.v[j], "name");
				const char *s = jsl_text(L, ast_is_null(name) ? t.v[j] : name);
				struct ir_class *cl = &L->f->classes[idx];
				ir_ptr_push(L->f, (void ***)&cl->implements, &cl->nimplements,
					    (void *)s);
			}
			jsl_kids_free(&t);
		} else {
			/* JS: `extends expr`; TS: an extends_clause whose value is written */
			struct ast_node v = ast_is(c, "extends_clause") ? ast_field(c, "value") : c;
			L->f->classes[idx].extends = jsl_text(L, v);
		}
	}
	jsl_kids_free(&k);
}

static void class_field_add(struct jsl *L, int32_t idx, const struct ir_field *fd)
{
	struct ir_class *c = &L->f->classes[idx];
	struct ir_field *fields = jsl_grow(L, c->fields, c->nfields, sizeof *fields);
	if (!fields)
		return;
	c->fields = fields;
	fields[c->nfields++] = *fd;
}

static void class_method_add(struct jsl *L, int32_t idx, int32_t fn)
{
	struct ir_class *c = &L->f->classes[idx];
	int32_t *methods = jsl_grow(L, c->methods, c->nmethods, sizeof *methods);
	if (!methods)
		return;
	c->methods = methods;
	methods[c->nmethods++] = fn;
}

static void class_method(struct jsl *L, int32_t idx, struct ast_node m,
			 const struct ast_node *decos, uint32_t ndecos, int depth)
{
	uint16_t flags = IR_FN_METHOD;
	if (jsl_has(L, m, "static") || jsl_has(L, m, "static get") ||
	    ast_is(m, "class_static_block"))
		flags |= IR_FN_STATIC;
	else if (ast_text_is(L->syn, ast_field(m, "name"), "constructor"))
		flags |= IR_FN_CTOR;
	int32_t fn = func_build(L, m, "", flags, idx, decos, ndecos, depth);
	if (fn < 0)
		return;
	class_method_add(L, idx, fn);
	if (!(flags & IR_FN_CTOR))
		return;
	/* TS parameter properties declare fields too */
	for (uint32_t i = 0; i < L->f->funcs[fn].nparams; i++) {
		const struct ir_param *p = &L->f->funcs[fn].params[i];
		if (!p->promoted || !p->name)
			continue;
		struct ir_field fd = {.name = p->name, .type = p->type, .line = p->line};
		class_field_add(L, idx, &fd);
	}
}

static void class_field(struct jsl *L, int32_t idx, struct ast_node m, const struct ast_node *decos,
			uint32_t ndecos, int depth)
{
	struct ast_node name = ast_field(m, "name");
	if (ast_is_null(name))
		name = ast_field(m, "property");
	struct ir_field fd = {
	    .name = jsl_key_text(L, name),
	    .type = jsl_type_text(L, ast_field(m, "type")),
	    .is_static = jsl_has(L, m, "static"),
	    .line = ast_line(m),
	};
	if (!fd.name)
		fd.name = jsl_text(L, name);
	decorators_of(L, m, decos, ndecos, &fd.decorators, &fd.ndecorators, depth);
	fd.value = jsl_value(L, ast_field(m, "value"), fd.name, depth + 1);
	class_field_add(L, idx, &fd);
}

static void class_body(struct jsl *L, int32_t idx, struct ast_node body, int depth)
{
	struct jsl_kids k;
	jsl_kids(L, &k, body, true);
	uint32_t pending = 0; /* decorators seen since the last member (TS) */
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node m = k.v[i];
		const struct ast_node *decos = &k.v[i - pending];
		if (ast_is(m, "decorator")) {
			pending++;
			continue;
		}
		if (ast_is(m, "method_definition") || ast_is(m, "class_static_block"))
			class_method(L, idx, m, decos, pending, depth);
		else if (ast_is(m, "field_definition") || ast_is(m, "public_field_definition"))
			class_field(L, idx, m, decos, pending, depth);
		pending = 0;
	}
	jsl_kids_free(&k);
}

struct ir_node *jsl_class(struct jsl *L, struct ast_node n, const char *bind,
			  struct ast_node decorators_of_node, int depth)
{
	struct ir_node *x = jsl_node(L, IR_CLASS, n);
	if (!x)
		return NULL;
	struct ast_node name = ast_field(n, "name");
	struct ir_class c = {
	    .name = ast_is_null(name) ? (bind ? bind : "") : jsl_text(L, name),
	    .node = x,
	    .start = ast_start(n),
	    .end = ast_end(n),
	    .line = ast_line(n),
	};
	decorators_of(L, decorators_of_node, NULL, 0, &c.decorators, &c.ndecorators, depth);
	decorators_of(L, n, NULL, 0, &c.decorators, &c.ndecorators, depth);
	int32_t idx = ir_class_add(L->f, &c);
	if (idx < 0)
		return NULL;
	x->num = idx;
	struct jsl_kids k;
	jsl_kids(L, &k, n, true);
	for (uint32_t i = 0; i < k.n; i++)
		if (ast_is(k.v[i], "class_heritage"))
			class_heritage(L, idx, k.v[i]);
	jsl_kids_free(&k);
	class_body(L, idx, ast_field(n, "body"), depth + 1);
	return x;
}
