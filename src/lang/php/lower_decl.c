/* PHP functions, closures, arrow functions, classes, interfaces, traits and enums in the
 * flow form, with their parameters (types, defaults, promotion) and attributes. */
#include <string.h>
#include <strings.h>

#include "lang/php/lower_php.h"

void php_attributes(struct php_lower *L, struct ast_node attrs, struct ir_node ***list, uint32_t *n,
		    int depth)
{
	struct php_iter groups;
	php_iter_named(L, attrs, &groups);
	for (struct ast_node g; !ast_is_null(g = php_next(&groups));) {
		struct php_iter it;
		php_iter_named(L, g, &it);
		for (struct ast_node a; !ast_is_null(a = php_next(&it));) {
			if (!ast_is(a, "attribute"))
				continue;
			struct ast_node args = ast_field(a, "parameters");
			struct ast_node nm = php_first(a);
			struct ir_node *callee = php_node(L, IR_NAME, nm);
			if (!callee)
				continue;
			callee->text = php_name(L, nm);
			callee->len = callee->text ? (uint32_t)strlen(callee->text) : 0;
			struct ir_node *d = callee;
			/* #[Route('/pay')] is a call; a bare #[Required] the name alone */
			if (!ast_is_null(args) && (d = php_node(L, IR_CALL, a))) {
				d->a = callee;
				php_args(L, d, args, depth + 1);
			}
			ir_ptr_push(L->f, (void ***)list, n, d);
		}
	}
}

/* ---- parameters ---- */

static const char *variable_text(struct php_lower *L, struct ast_node v)
{
	if (ast_is(v, "by_ref"))
		v = php_first(v);
	struct ast_node name = php_first(v);
	return php_text(L, ast_is_null(name) ? v : name);
}

static bool is_param(struct ast_node p)
{
	return ast_is(p, "simple_parameter") || ast_is(p, "variadic_parameter") ||
	       ast_is(p, "property_promotion_parameter");
}

static void params(struct php_lower *L, int32_t fi, struct ast_node list, int depth)
{
	uint32_t count = 0, i = 0;
	for (struct ast_node p = php_kid(list, &i); !ast_is_null(p); p = php_kid(list, &i))
		count += is_param(p);
	if (!count)
		return;
	struct ir_param *out = ir_alloc(L->f, count * sizeof *out);
	if (!out)
		return;
	uint32_t k = 0;
	struct php_iter it;
	php_iter_named(L, list, &it);
	for (struct ast_node p; !ast_is_null(p = php_next(&it));) {
		if (!is_param(p) || k >= count)
			continue;
		struct ir_param *q = &out[k++];
		q->name = variable_text(L, ast_field(p, "name"));
		q->type = php_type(L, ast_field(p, "type"));
		q->rest = ast_is(p, "variadic_parameter");
		q->promoted = ast_is(p, "property_promotion_parameter");
		q->line = ast_line(p);
		php_attributes(L, ast_field(p, "attributes"), &q->decorators, &q->ndecorators,
			       depth);
		struct ast_node def = ast_field(p, "default_value");
		if (!ast_is_null(def))
			q->def = php_expr_named(L, def, q->name, depth + 1);
	}
	L->f->funcs[fi].params = out;
	L->f->funcs[fi].nparams = k;
}

/* ---- functions ---- */

int32_t php_function(struct php_lower *L, struct ast_node n, const char *name, uint16_t flags,
		     int32_t cls, int depth)
{
	int32_t parent = L->func;
	struct ir_func fn = {.name = name ? name : "",
			     .cls = cls,
			     .parent = parent,
			     .flags = flags,
			     .start = ast_start(n),
			     .end = ast_end(n),
			     .line = ast_line(n)};
	fn.returns = php_type(L, ast_field(n, "return_type"));
	int32_t fi = ir_func_add(L->f, &fn);
	if (fi < 0)
		return -1;
	struct ir_node **decorators = NULL;
	uint32_t ndecorators = 0;
	php_attributes(L, ast_field(n, "attributes"), &decorators, &ndecorators, depth);
	struct ir_node *node = NULL;
	if (!(flags & IR_FN_METHOD) && (node = php_node(L, IR_FUNC, n)))
		node->num = fi;
	/* the parameters and the body belong to the new function: lowered after adding it */
	L->func = fi;
	params(L, fi, ast_field(n, "parameters"), depth);
	struct ast_node body = ast_field(n, "body");
	struct ir_node *block;
	if (ast_is(body, "compound_statement")) {
		block = php_block(L, body, depth);
	} else if (!ast_is_null(body)) {
		/* fn($x) => expr: a block returning expr */
		block = php_node(L, IR_BLOCK, body);
		struct ir_node *ret = php_node(L, IR_RETURN, body);
		if (ret)
			ret->a = php_expr(L, body, depth + 1);
		ir_node_add(L->f, block, ret);
	} else {
		block = php_node(L, IR_BLOCK, n); /* abstract or interface method */
	}
	L->func = parent;
	struct ir_func *F = &L->f->funcs[fi];
	F->body = block;
	F->node = node;
	F->decorators = decorators;
	F->ndecorators = ndecorators;
	return fi;
}

struct ir_node *php_closure(struct php_lower *L, struct ast_node n, const char *bind, int depth)
{
	uint16_t flags = ast_is(n, "arrow_function") ? IR_FN_ARROW : 0;
	int32_t fi = php_function(L, n, bind, flags, -1, depth);
	return fi < 0 ? NULL : L->f->funcs[fi].node;
}

/* ---- classes ---- */

static void push_names(struct php_lower *L, struct ast_node clause, const char ***list, uint32_t *n,
		       bool skip_first)
{
	uint32_t i = 0;
	for (struct ast_node c = php_kid(clause, &i); !ast_is_null(c); c = php_kid(clause, &i)) {
		if (!ast_is(c, "name") && !ast_is(c, "qualified_name"))
			continue;
		if (skip_first) {
			skip_first = false;
			continue;
		}
		ir_ptr_push(L->f, (void ***)list, n, (void *)php_text(L, c));
	}
}

static void field_decorators(struct php_lower *L, struct ir_field *fd, struct ast_node decl,
			     int depth)
{
	php_attributes(L, ast_field(decl, "attributes"), &fd->decorators, &fd->ndecorators, depth);
}

static bool has_kid(struct ast_node n, const char *type)
{
	uint32_t i = 0;
	for (struct ast_node c = php_kid(n, &i); !ast_is_null(c); c = php_kid(n, &i))
		if (ast_is(c, type))
			return true;
	return false;
}

/* The fields of one member declaration: constants, properties, an enum case. */
static uint32_t member_fields(struct php_lower *L, struct ast_node m, struct ir_field *out,
			      int depth)
{
	uint32_t k = 0;
	if (ast_is(m, "enum_case")) {
		if (out) {
			struct ast_node value = ast_field(m, "value");
			out->name = php_text(L, ast_field(m, "name"));
			out->is_static = true;
			out->line = ast_line(m);
			if (!ast_is_null(value))
				out->value = php_expr(L, value, depth + 1);
			field_decorators(L, out, m, depth);
		}
		return 1;
	}
	bool is_const = ast_is(m, "const_declaration");
	if (!is_const && !ast_is(m, "property_declaration"))
		return 0;
	bool is_static = is_const || has_kid(m, "static_modifier");
	struct php_iter it;
	php_iter_named(L, m, &it);
	for (struct ast_node e; !ast_is_null(e = php_next(&it));) {
		struct ast_node name, value;
		if (is_const && ast_is(e, "const_element")) {
			uint32_t j = 0;
			name = php_kid(e, &j);
			value = php_kid(e, &j);
		} else if (!is_const && ast_is(e, "property_element")) {
			name = ast_field(e, "name");
			value = ast_field(e, "default_value");
		} else {
			continue;
		}
		if (out) {
			struct ir_field *fd = &out[k];
			fd->name = is_const ? php_text(L, name) : variable_text(L, name);
			fd->type = php_type(L, ast_field(m, "type"));
			fd->is_static = is_static;
			fd->line = ast_line(e);
			if (!ast_is_null(value))
				fd->value = php_expr_named(L, value, fd->name, depth + 1);
			field_decorators(L, fd, m, depth);
		}
		k++;
	}
	return k;
}

struct ir_node *php_class(struct php_lower *L, struct ast_node n, int depth)
{
	struct ast_node name = ast_field(n, "name"), body = ast_field(n, "body");
	struct ir_class c = {.name = ast_is_null(name) ? "" : php_text(L, name),
			     .start = ast_start(n),
			     .end = ast_end(n),
			     .line = ast_line(n)};
	bool interface = ast_is(n, "interface_declaration");
	uint32_t i = 0;
	for (struct ast_node k = php_kid(n, &i); !ast_is_null(k); k = php_kid(n, &i)) {
		if (ast_is(k, "base_clause")) {
			/* an interface extends several: the first is `extends`, the rest
			 * implemented */
			struct ast_node first = php_first(k);
			if (!ast_is_null(first))
				c.extends = php_text(L, first);
			if (interface)
				push_names(L, k, &c.implements, &c.nimplements, true);
		} else if (ast_is(k, "class_interface_clause")) {
			push_names(L, k, &c.implements, &c.nimplements, false);
		}
	}
	int32_t ci = ir_class_add(L->f, &c);
	if (ci < 0)
		return NULL;
	struct ir_node *node = php_node(L, IR_CLASS, n);
	if (node)
		node->num = ci;
	php_attributes(L, ast_field(n, "attributes"), &c.decorators, &c.ndecorators, depth);
	/* traits used are implemented; count the fields and methods to size their tables */
	uint32_t nfields = 0, nmethods = 0;
	struct php_iter it;
	php_iter_named(L, body, &it);
	for (struct ast_node m; !ast_is_null(m = php_next(&it));) {
		if (ast_is(m, "use_declaration"))
			push_names(L, m, &c.implements, &c.nimplements, false);
		nfields += member_fields(L, m, NULL, depth);
		nmethods += ast_is(m, "method_declaration");
	}
	if (nfields && (c.fields = ir_alloc(L->f, nfields * sizeof *c.fields)))
		c.nfields = nfields;
	if (nmethods && (c.methods = ir_alloc(L->f, nmethods * sizeof *c.methods)))
		c.nmethods = nmethods;
	uint32_t kf = 0, km = 0;
	php_iter_named(L, body, &it);
	for (struct ast_node m; !ast_is_null(m = php_next(&it));) {
		if (c.fields && kf < nfields)
			kf += member_fields(L, m, c.fields + kf, depth);
		if (!ast_is(m, "method_declaration") || !c.methods || km >= nmethods)
			continue;
		struct ast_node mname = ast_field(m, "name");
		uint16_t flags = IR_FN_METHOD;
		if (has_kid(m, "static_modifier"))
			flags |= IR_FN_STATIC;
		size_t len = 0;
		const char *s = ast_text(L->syn, mname, &len);
		if (len == 11 && strncasecmp(s, "__construct", 11) == 0)
			flags |= IR_FN_CTOR;
		int32_t fi = php_function(L, m, php_text(L, mname), flags, ci, depth);
		if (fi >= 0)
			c.methods[km++] = fi;
	}
	c.nmethods = km;
	/* the table may have moved while the members were lowered */
	struct ir_class *C = &L->f->classes[ci];
	c.node = node;
	*C = c;
	return node;
}
