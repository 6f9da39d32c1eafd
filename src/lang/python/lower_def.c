/* Python definitions: functions and lambdas (parameters, decorators, the method's self),
 * classes (bases, fields, methods, nested classes). */
#include <string.h>

#include "lang/lower.h"
#include "lang/python/lower_python.h"

/* Whether a decorated_definition carries the bare decorator @name. */
static bool decorated_with(struct py *p, struct ast_node decorated, const char *name)
{
	bool found = false;
	struct py_kids k = py_kids(p, decorated, true);
	for (uint32_t i = 0; i < k.n && !found; i++) {
		struct ast_node d = py_kid(p, k, i);
		struct ast_node e = py_first(p, d);
		found = ast_is(d, "decorator") && ast_is(e, "identifier") &&
			ast_text_is(p->syn, e, name);
	}
	py_kids_done(p, k);
	return found;
}

/* The decorators, lowered where the definition stands. */
static void decorators(struct py *p, struct ast_node decorated, int depth, struct ir_node ***out,
		       uint32_t *n)
{
	struct py_kids k = py_kids(p, decorated, true);
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node d = py_kid(p, k, i);
		struct ir_node *e =
		    ast_is(d, "decorator") ? py_expr(p, py_first(p, d), depth + 1) : NULL;
		if (e)
			ir_ptr_push(p->f, (void ***)out, n, e);
	}
	py_kids_done(p, k);
}

struct params {
	struct ir_param *list;
	uint32_t n;
	const char *first; /* the dropped first parameter's name (a method's self) */
	bool rebinds;	   /* a parameter hides the enclosing method's self */
};

/* A parameter list (parameters / lambda_parameters); drop_first leaves out a method's
 * self. Defaults are lowered here, where Python evaluates them: in the enclosing scope. */
static void params(struct py *p, struct ast_node list, bool drop_first, int depth,
		   struct params *out)
{
	struct py_kids k = py_kids(p, list, true);
	bool first = true;
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node c = py_kid(p, k, i);
		struct ast_node name = {0}, type = {0}, value = {0};
		struct ir_param pr = {.line = ast_line(c)};
		if (ast_is(c, "identifier") || ast_is(c, "tuple_pattern")) {
			name = c;
		} else if (ast_is(c, "typed_parameter")) {
			name = py_first(p, c);
			type = ast_field(c, "type");
		} else if (ast_is(c, "default_parameter") || ast_is(c, "typed_default_parameter")) {
			name = ast_field(c, "name");
			type = ast_field(c, "type");
			value = ast_field(c, "value");
		} else if (ast_is(c, "list_splat_pattern") ||
			   ast_is(c, "dictionary_splat_pattern")) {
			name = c;
		} else {
			continue; /* the `*` and `/` markers, parse errors */
		}
		if (ast_is(name, "list_splat_pattern") ||
		    ast_is(name, "dictionary_splat_pattern")) {
			pr.rest = true;
			name = py_first(p, name);
		}
		if (ast_is(name, "tuple_pattern"))
			pr.pattern = py_target(p, name, depth + 1);
		else
			pr.name = py_text(p, name);
		if (first && drop_first && !pr.rest && pr.name) {
			out->first = pr.name;
			first = false;
			continue;
		}
		first = false;
		if (!ast_is_null(type))
			pr.type = py_text(p, type);
		pr.def = py_expr(p, value, depth + 1);
		if (p->self && pr.name && !strcmp(pr.name, p->self))
			out->rebinds = true;
		py_push(p, (void **)&out->list, &out->n, &pr, sizeof pr);
	}
	py_kids_done(p, k);
}

/* What the body of a function is lowered with; restored after it. */
struct scope {
	int32_t func;
	const char *self;
	bool yielded, in_class;
};

static struct scope scope_enter(struct py *p, int32_t func, const char *self)
{
	struct scope s = {p->func, p->self, p->yielded, p->in_class};
	p->func = func;
	p->self = self;
	p->yielded = false;
	p->in_class = false;
	return s;
}

/* Restores the enclosing scope; returns whether the body held a yield. */
static bool scope_leave(struct py *p, struct scope s)
{
	bool yielded = p->yielded;
	p->func = s.func;
	p->self = s.self;
	p->yielded = s.yielded;
	p->in_class = s.in_class;
	return yielded;
}

struct ir_node *py_function(struct py *p, struct ast_node def, struct ast_node decorated,
			    int32_t cls, int depth, int32_t *index)
{
	bool method = cls >= 0;
	bool is_static = method && decorated_with(p, decorated, "staticmethod");
	bool is_classmethod = method && decorated_with(p, decorated, "classmethod");
	struct ast_node returns = ast_field(def, "return_type");
	struct ir_func fn = {.name = py_text(p, ast_field(def, "name")),
			     .cls = cls,
			     .parent = p->func,
			     .returns = ast_is_null(returns) ? NULL : py_text(p, returns),
			     .start = ast_start(def),
			     .end = ast_end(def),
			     .line = ast_line(def)};
	if (!fn.name)
		return NULL;
	if (ast_is(ast_child(def, 0), "async"))
		fn.flags |= IR_FN_ASYNC;
	if (method) {
		fn.flags |= IR_FN_METHOD;
		if (!strcmp(fn.name, "__init__"))
			fn.flags |= IR_FN_CTOR;
		if (is_static || is_classmethod)
			fn.flags |= IR_FN_STATIC;
	} else if (p->func == 0 && !p->in_class && fn.name[0] != '_') {
		fn.flags |= IR_FN_EXPORTED; /* a module-level name: importable */
	}
	int32_t idx = ir_func_add(p->f, &fn);
	if (idx < 0)
		return NULL;
	*index = idx;
	struct ir_node *node = NULL;
	if (!method) {
		node = py_node(p, IR_FUNC, def);
		if (node)
			node->num = idx;
	}
	struct ir_node **decs = NULL;
	uint32_t ndecs = 0;
	decorators(p, decorated, depth, &decs, &ndecs);
	struct params ps = {0};
	params(p, ast_field(def, "parameters"), method && !is_static, depth, &ps);

	const char *self = method ? (is_static ? NULL : ps.first) : ps.rebinds ? NULL : p->self;
	struct scope outer = scope_enter(p, idx, self);
	struct ast_node body_ast = ast_field(def, "body");
	struct ir_node *body = py_node(p, IR_BLOCK, ast_is_null(body_ast) ? def : body_ast);
	py_block(p, body_ast, body, depth + 1, true);
	bool generator = scope_leave(p, outer);

	struct ir_func *slot = &p->f->funcs[idx]; /* the table may have moved */
	slot->node = node;
	slot->decorators = decs;
	slot->ndecorators = ndecs;
	slot->params = ps.list;
	slot->nparams = ps.n;
	slot->body = body;
	if (generator)
		slot->flags |= IR_FN_GENERATOR;
	return node;
}

struct ir_node *py_lambda(struct py *p, struct ast_node n, const char *name, int depth)
{
	if (depth > LOWER_MAX_DEPTH)
		return py_trunc(p, n);
	struct ir_func fn = {.name = name ? name : "",
			     .cls = -1,
			     .parent = p->func,
			     .flags = IR_FN_ARROW,
			     .start = ast_start(n),
			     .end = ast_end(n),
			     .line = ast_line(n)};
	int32_t idx = ir_func_add(p->f, &fn);
	struct ir_node *node = py_node(p, IR_FUNC, n);
	if (idx < 0 || !node)
		return NULL;
	node->num = idx;
	struct params ps = {0};
	params(p, ast_field(n, "parameters"), false, depth, &ps);

	struct scope outer = scope_enter(p, idx, ps.rebinds ? NULL : p->self);
	struct ast_node expr = ast_field(n, "body");
	struct ir_node *body = py_node(p, IR_BLOCK, expr);
	struct ir_node *ret = py_node(p, IR_RETURN, expr);
	if (ret)
		ret->a = py_expr(p, expr, depth + 1);
	ir_node_add(p->f, body, ret);
	bool generator = scope_leave(p, outer);

	struct ir_func *slot = &p->f->funcs[idx];
	slot->node = node;
	slot->params = ps.list;
	slot->nparams = ps.n;
	slot->body = body;
	if (generator)
		slot->flags |= IR_FN_GENERATOR;
	return node;
}

/* The parts of a class being gathered; stored in its ir_class at the end, since lowering
 * the body may add classes and move the table. */
struct class_parts {
	struct ir_field *fields;
	uint32_t nfields;
	int32_t *methods;
	uint32_t nmethods;
};

static void field_add(struct py *p, struct class_parts *cp, struct ast_node name,
		      struct ast_node type, struct ir_node *value)
{
	struct ir_field fd = {.name = py_text(p, name), .value = value, .line = ast_line(name)};
	if (!ast_is_null(type))
		fd.type = py_text(p, type);
	/* x = v is a class attribute; x: T [= v] declares an instance's field (dataclasses,
	 * Pydantic, SQLAlchemy's Mapped[...]) unless typed ClassVar */
	fd.is_static = !fd.type || !strncmp(fd.type, "ClassVar", 8);
	py_push(p, (void **)&cp->fields, &cp->nfields, &fd, sizeof fd);
}

/* x = v, x: T, x: T = v, a = b = v in a class body: fields. False when the statement is
 * something else (a tuple target, an attribute), to be lowered as a statement. */
static bool class_fields(struct py *p, struct ast_node stmt, struct class_parts *cp, int depth)
{
	struct ast_node assign = py_first(p, stmt);
	if (ast_named_count(stmt) != 1 || !ast_is(assign, "assignment"))
		return false;
	struct ast_node value = assign;
	for (int chain = 0; ast_is(value, "assignment"); chain++) {
		if (!ast_is(ast_field(value, "left"), "identifier") || chain > LOWER_MAX_DEPTH)
			return false;
		value = ast_field(value, "right");
	}
	for (struct ast_node a = assign; ast_is(a, "assignment"); a = ast_field(a, "right")) {
		struct ast_node name = ast_field(a, "left");
		struct ir_node *v = NULL;
		if (ast_is(value, "lambda"))
			v = py_lambda(p, value, py_text(p, name), depth + 1);
		else
			v = py_expr(p, value, depth + 1);
		field_add(p, cp, name, ast_field(a, "type"), v);
	}
	return true;
}

static void class_body(struct py *p, int32_t cls, struct ast_node block, struct ir_node *out,
		       struct class_parts *cp, int depth)
{
	struct py_kids k = py_kids(p, block, true);
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node s = py_kid(p, k, i), decorated = {0};
		if (i == 0 && py_is_docstring(p, s))
			continue;
		if (ast_is(s, "decorated_definition")) {
			decorated = s;
			s = ast_field(s, "definition");
		}
		int32_t fi = -1;
		if (ast_is(s, "function_definition")) {
			py_function(p, s, decorated, cls, depth + 1, &fi);
			if (fi >= 0)
				py_push(p, (void **)&cp->methods, &cp->nmethods, &fi, sizeof fi);
		} else if (ast_is(s, "class_definition")) {
			/* class Meta: a class of its own, and an attribute of this one */
			struct ir_node *c = py_class(p, s, decorated, out, false, depth + 1);
			field_add(p, cp, ast_field(s, "name"), (struct ast_node){0}, c);
		} else if (ast_is(s, "pass_statement")) {
			continue;
		} else if (!ast_is(s, "expression_statement") || !class_fields(p, s, cp, depth)) {
			py_stmt(p, s, out, depth + 1);
		}
	}
	py_kids_done(p, k);
}

struct ir_node *py_class(struct py *p, struct ast_node def, struct ast_node decorated,
			 struct ir_node *out, bool place, int depth)
{
	struct ir_class c = {.name = py_text(p, ast_field(def, "name")),
			     .start = ast_start(def),
			     .end = ast_end(def),
			     .line = ast_line(def)};
	if (!c.name)
		return NULL;
	c.exported = p->func == 0 && !p->in_class && c.name[0] != '_';
	/* bases as written: the first is extended, the others are further bases; keyword
	 * arguments (metaclass=...) are not bases */
	struct py_kids k = py_kids(p, ast_field(def, "superclasses"), true);
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node b = py_kid(p, k, i);
		if (ast_is(b, "keyword_argument") || ast_is(b, "list_splat") ||
		    ast_is(b, "dictionary_splat"))
			continue;
		if (!c.extends)
			c.extends = py_text(p, b);
		else
			ir_ptr_push(p->f, (void ***)&c.implements, &c.nimplements,
				    (void *)py_text(p, b));
	}
	py_kids_done(p, k);
	int32_t idx = ir_class_add(p->f, &c);
	struct ir_node *node = py_node(p, IR_CLASS, def);
	if (idx < 0 || !node)
		return NULL;
	node->num = idx;
	if (place)
		ir_node_add(p->f, out, node);
	struct ir_node **decs = NULL;
	uint32_t ndecs = 0;
	decorators(p, decorated, depth, &decs, &ndecs);
	struct class_parts cp = {0};
	bool in_class = p->in_class;
	p->in_class = true;
	class_body(p, idx, ast_field(def, "body"), out, &cp, depth);
	p->in_class = in_class;

	struct ir_class *slot = &p->f->classes[idx];
	slot->node = node;
	slot->decorators = decs;
	slot->ndecorators = ndecs;
	slot->fields = cp.fields;
	slot->nfields = cp.nfields;
	slot->methods = cp.methods;
	slot->nmethods = cp.nmethods;
	return node;
}
