/* Python expressions, assignment targets and assignments. */
#include <string.h>

#include "lang/lower.h"
#include "lang/python/lower_python.h"

typedef struct ir_node *(*expr_fn)(struct py *p, struct ast_node n, int depth);

/* IR_OTHER holding the lowered named children: a construct the form does not model
 * (slices, ellipsis, parse errors) still shows the values flowing through it. */
static struct ir_node *ex_other(struct py *p, struct ast_node n, int depth)
{
	struct ir_node *o = py_node(p, IR_OTHER, n);
	struct py_kids k = py_kids(p, n, true);
	for (uint32_t i = 0; i < k.n; i++)
		ir_node_add(p->f, o, py_expr(p, py_kid(p, k, i), depth + 1));
	py_kids_done(p, k);
	return o;
}

static struct ir_node *ex_name(struct py *p, struct ast_node n, int depth)
{
	(void)depth;
	if (p->self && ast_text_is(p->syn, n, p->self))
		return py_node(p, IR_THIS, n);
	return py_named(p, IR_NAME, n, n);
}

/* The expression inside: (x), `x as y` outside with/except, `await`'s operand ... */
static struct ir_node *ex_inner(struct py *p, struct ast_node n, int depth)
{
	return py_expr(p, py_first(p, n), depth + 1);
}

static struct ir_node *ex_wrap(struct py *p, enum ir_kind kind, struct ast_node n, int depth)
{
	struct ir_node *o = py_node(p, kind, n);
	if (o)
		o->a = py_expr(p, py_first(p, n), depth + 1);
	return o;
}

static struct ir_node *ex_spread(struct py *p, struct ast_node n, int depth)
{
	return ex_wrap(p, IR_SPREAD, n, depth);
}

static struct ir_node *ex_await(struct py *p, struct ast_node n, int depth)
{
	return ex_wrap(p, IR_AWAIT, n, depth);
}

static struct ir_node *ex_yield(struct py *p, struct ast_node n, int depth)
{
	p->yielded = true;
	return ex_wrap(p, IR_AWAIT, n, depth);
}

static struct ir_node *ex_attribute(struct py *p, struct ast_node n, int depth)
{
	struct ir_node *m = py_named(p, IR_MEMBER, n, ast_field(n, "attribute"));
	if (m)
		m->a = py_expr(p, ast_field(n, "object"), depth + 1);
	return m;
}

/* a["k"] is a member (IR_F_INDEX); a[i], a[1:2], a[i, j] are IR_INDEX. */
static struct ir_node *ex_subscript(struct py *p, struct ast_node n, int depth)
{
	struct py_kids k = py_kids(p, n, true);
	struct ir_node *o;
	uint32_t len = 0;
	const char *key = k.n == 2 ? py_string_value(p, py_kid(p, k, 1), &len) : NULL;
	o = py_node(p, key ? IR_MEMBER : IR_INDEX, n);
	if (!o) {
		py_kids_done(p, k);
		return NULL;
	}
	o->a = py_expr(p, ast_field(n, "value"), depth + 1);
	if (key) {
		o->flags |= IR_F_INDEX;
		o->text = key;
		o->len = len;
	} else if (k.n == 2) {
		o->b = py_expr(p, py_kid(p, k, 1), depth + 1);
	} else if (k.n > 2) {
		o->b = ir_node_new(p->f, IR_ARRAY, ast_start(py_kid(p, k, 1)),
				   ast_end(py_kid(p, k, k.n - 1)), ast_line(py_kid(p, k, 1)));
		for (uint32_t i = 1; i < k.n; i++)
			ir_node_add(p->f, o->b, py_expr(p, py_kid(p, k, i), depth + 2));
	}
	py_kids_done(p, k);
	return o;
}

static struct ir_node *ex_keyword(struct py *p, struct ast_node n, int depth)
{
	struct ir_node *pair = py_named(p, IR_PAIR, n, ast_field(n, "name"));
	if (pair)
		pair->b = py_expr(p, ast_field(n, "value"), depth + 1);
	return pair;
}

static struct ir_node *ex_call(struct py *p, struct ast_node n, int depth)
{
	struct ast_node fn = ast_field(n, "function");
	if (ast_is(fn, "identifier") && ast_text_is(p->syn, fn, "super"))
		return py_node(p, IR_SUPER, n);
	struct ir_node *call = py_node(p, IR_CALL, n);
	if (!call)
		return NULL;
	call->a = py_expr(p, fn, depth + 1);
	struct ast_node args = ast_field(n, "arguments");
	if (!ast_is(args, "argument_list")) {
		/* f(x for x in y): the generator is the one argument */
		ir_node_add(p->f, call, py_expr(p, args, depth + 1));
		return call;
	}
	struct py_kids k = py_kids(p, args, true);
	for (uint32_t i = 0; i < k.n; i++)
		ir_node_add(p->f, call, py_expr(p, py_kid(p, k, i), depth + 1));
	py_kids_done(p, k);
	return call;
}

static struct ir_node *ex_string(struct py *p, struct ast_node n, int depth)
{
	return py_string(p, n, depth);
}

static struct ir_node *ex_number(struct py *p, struct ast_node n, int depth)
{
	(void)depth;
	struct ir_node *o = py_node(p, IR_NUMBER, n);
	size_t len;
	const char *s = ast_text(p->syn, n, &len);
	if (o)
		o->num = py_number(s, len);
	return o;
}

static struct ir_node *ex_true(struct py *p, struct ast_node n, int depth)
{
	(void)depth;
	struct ir_node *o = py_node(p, IR_BOOL, n);
	if (o)
		o->num = ast_is(n, "true");
	return o;
}

static struct ir_node *ex_none(struct py *p, struct ast_node n, int depth)
{
	(void)depth;
	return py_node(p, IR_NULL, n);
}

static const struct {
	const char *text;
	enum ir_op op;
} binary_ops[] = {
    {"+", IR_OP_ADD},	      {"-", IR_OP_SUB},	 {"*", IR_OP_MUL},     {"@", IR_OP_MUL},
    {"/", IR_OP_DIV},	      {"//", IR_OP_DIV}, {"%", IR_OP_MOD},     {"**", IR_OP_POW},
    {"<", IR_OP_LT},	      {"<=", IR_OP_LE},	 {">", IR_OP_GT},      {">=", IR_OP_GE},
    {"==", IR_OP_EQ},	      {"!=", IR_OP_NE},	 {"<>", IR_OP_NE},     {"in", IR_OP_IN},
    {"not in", IR_OP_NOT_IN}, {"is", IR_OP_EQ},	 {"is not", IR_OP_NE}, {"and", IR_OP_AND},
    {"or", IR_OP_OR},
};

/* The operator token's op; & | ^ << >> are IR_OP_BIT. */
static enum ir_op binary_op(struct ast_node token)
{
	const char *t = ast_type(token);
	for (size_t i = 0; i < sizeof binary_ops / sizeof binary_ops[0]; i++)
		if (!strcmp(t, binary_ops[i].text))
			return binary_ops[i].op;
	return IR_OP_BIT;
}

static struct ir_node *binary(struct py *p, struct ast_node token, uint32_t start, uint32_t end,
			      uint32_t line)
{
	struct ir_node *b = ir_node_new(p->f, IR_BINARY, start, end, line);
	if (b) {
		b->op = (uint8_t)binary_op(token);
		if (ast_is(token, "is") || ast_is(token, "is not"))
			b->flags |= IR_F_STRICT;
	}
	return b;
}

static struct ir_node *ex_binary(struct py *p, struct ast_node n, int depth)
{
	struct ast_node left = ast_field(n, "left");
	struct ir_node *b =
	    binary(p, ast_field(n, "operator"), ast_start(n), ast_end(n), ast_line(n));
	if (b) {
		b->a = py_expr(p, left, depth + 1);
		b->b = py_expr(p, ast_field(n, "right"), depth + 1);
	}
	return b;
}

/* a < b <= c: (a < b) and (b <= c), b lowered in both. */
static struct ir_node *ex_compare(struct py *p, struct ast_node n, int depth)
{
	struct py_kids k = py_kids(p, n, false);
	struct ir_node *all = NULL;
	int level = depth;
	for (uint32_t i = 1; i + 1 < k.n; i += 2) {
		struct ast_node l = py_kid(p, k, i - 1), r = py_kid(p, k, i + 1);
		struct ir_node *b;
		if (level > LOWER_MAX_DEPTH) {
			b = py_trunc(p, r);
			i = k.n; /* the rest of a hostile chain is cut */
		} else {
			b = binary(p, py_kid(p, k, i), ast_start(l), ast_end(r), ast_line(l));
			if (b) {
				b->a = py_expr(p, l, level + 1);
				b->b = py_expr(p, r, level + 1);
			}
		}
		if (all) {
			struct ir_node *and = py_node(p, IR_BINARY, n);
			if (and) {
				and->op = IR_OP_AND;
				and->end = b ? b->end : and->end;
				and->a = all;
				and->b = b;
			}
			b = and;
		}
		all = b;
		level++;
	}
	py_kids_done(p, k);
	return all ? all : ex_other(p, n, depth);
}

static struct ir_node *ex_unary(struct py *p, struct ast_node n, int depth)
{
	struct ir_node *u = py_node(p, IR_UNARY, n);
	if (!u)
		return NULL;
	struct ast_node op = ast_field(n, "operator");
	u->op = ast_is(n, "not_operator") ? IR_OP_NOT
		: ast_is(op, "-")	  ? IR_OP_NEG
		: ast_is(op, "+")	  ? IR_OP_PLUS
					  : IR_OP_BIT;
	u->a = py_expr(p, ast_field(n, "argument"), depth + 1);
	return u;
}

/* x if c else y: (c ? x : y) */
static struct ir_node *ex_conditional(struct py *p, struct ast_node n, int depth)
{
	struct py_kids k = py_kids(p, n, true);
	struct ir_node *c = py_node(p, IR_COND, n);
	if (c && k.n == 3) {
		c->b = py_expr(p, py_kid(p, k, 0), depth + 1);
		c->a = py_expr(p, py_kid(p, k, 1), depth + 1);
		c->c = py_expr(p, py_kid(p, k, 2), depth + 1);
	}
	py_kids_done(p, k);
	return c;
}

static struct ir_node *ex_lambda(struct py *p, struct ast_node n, int depth)
{
	return py_lambda(p, n, "", depth);
}

/* (x := v) */
static struct ir_node *ex_walrus(struct py *p, struct ast_node n, int depth)
{
	struct ir_node *a = py_node(p, IR_ASSIGN, n);
	if (a) {
		a->op = IR_OP_ASSIGN;
		a->a = py_target(p, ast_field(n, "name"), depth + 1);
		a->b = py_expr(p, ast_field(n, "value"), depth + 1);
	}
	return a;
}

static struct ir_node *ex_array(struct py *p, struct ast_node n, int depth)
{
	struct ir_node *o = py_node(p, IR_ARRAY, n);
	struct py_kids k = py_kids(p, n, true);
	for (uint32_t i = 0; i < k.n; i++)
		ir_node_add(p->f, o, py_expr(p, py_kid(p, k, i), depth + 1));
	py_kids_done(p, k);
	return o;
}

/* A dict entry: a constant key (string, number) is the pair's text, another key its a. */
static struct ir_node *ex_pair(struct py *p, struct ast_node n, int depth)
{
	struct ir_node *pair = py_node(p, IR_PAIR, n);
	if (!pair)
		return NULL;
	struct ast_node key = ast_field(n, "key"), value = ast_field(n, "value");
	uint32_t len = 0;
	const char *text = py_string_value(p, key, &len);
	if (text) {
		pair->text = text;
		pair->len = len;
	} else if (ast_is(key, "integer") || ast_is(key, "float")) {
		py_set_text(pair, py_text(p, key));
	} else {
		pair->a = py_expr(p, key, depth + 1);
	}
	if (ast_is(value, "lambda") && pair->text && !memchr(pair->text, 0, pair->len))
		pair->b = py_lambda(p, value, pair->text, depth + 1);
	else
		pair->b = py_expr(p, value, depth + 1);
	return pair;
}

static struct ir_node *ex_dict(struct py *p, struct ast_node n, int depth)
{
	struct ir_node *o = py_node(p, IR_OBJECT, n);
	struct py_kids k = py_kids(p, n, true);
	for (uint32_t i = 0; i < k.n; i++)
		ir_node_add(p->f, o, py_expr(p, py_kid(p, k, i), depth + 1));
	py_kids_done(p, k);
	return o;
}

/* [e for x in xs if c]: IR_OTHER of the element (a dict comprehension's key and value),
 * then each clause's iterables and conditions. No function: the form keeps no scope. */
static struct ir_node *ex_comprehension(struct py *p, struct ast_node n, int depth)
{
	struct ir_node *o = py_node(p, IR_OTHER, n);
	struct ast_node body = ast_field(n, "body");
	if (ast_is(body, "pair")) {
		ir_node_add(p->f, o, py_expr(p, ast_field(body, "key"), depth + 1));
		ir_node_add(p->f, o, py_expr(p, ast_field(body, "value"), depth + 1));
	} else {
		ir_node_add(p->f, o, py_expr(p, body, depth + 1));
	}
	struct py_kids k = py_kids(p, n, true);
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node c = py_kid(p, k, i);
		if (ast_is(c, "if_clause")) {
			ir_node_add(p->f, o, py_expr(p, py_first(p, c), depth + 1));
		} else if (ast_is(c, "for_in_clause")) {
			struct py_kids in = py_kids(p, c, true);
			for (uint32_t j = 1; j < in.n; j++) /* 0 is the target */
				ir_node_add(p->f, o, py_expr(p, py_kid(p, in, j), depth + 1));
			py_kids_done(p, in);
		}
	}
	py_kids_done(p, k);
	return o;
}

static struct ir_node *ex_ellipsis(struct py *p, struct ast_node n, int depth)
{
	(void)depth;
	return py_node(p, IR_OTHER, n);
}

static struct ir_node *ex_assign(struct py *p, struct ast_node n, int depth)
{
	struct ir_node *a = py_assign(p, n, depth);
	return a ? a : ex_other(p, n, depth);
}

static const struct {
	const char *type;
	expr_fn fn;
} expr_table[] = {
    {"identifier", ex_name},
    {"attribute", ex_attribute},
    {"call", ex_call},
    {"string", ex_string},
    {"concatenated_string", ex_string},
    {"integer", ex_number},
    {"float", ex_number},
    {"true", ex_true},
    {"false", ex_true},
    {"none", ex_none},
    {"subscript", ex_subscript},
    {"keyword_argument", ex_keyword},
    {"binary_operator", ex_binary},
    {"boolean_operator", ex_binary},
    {"comparison_operator", ex_compare},
    {"unary_operator", ex_unary},
    {"not_operator", ex_unary},
    {"conditional_expression", ex_conditional},
    {"parenthesized_expression", ex_inner},
    {"as_pattern", ex_inner},
    {"lambda", ex_lambda},
    {"await", ex_await},
    {"yield", ex_yield},
    {"named_expression", ex_walrus},
    {"list", ex_array},
    {"tuple", ex_array},
    {"set", ex_array},
    {"expression_list", ex_array},
    {"pattern_list", ex_array},
    {"dictionary", ex_dict},
    {"pair", ex_pair},
    {"list_comprehension", ex_comprehension},
    {"set_comprehension", ex_comprehension},
    {"dictionary_comprehension", ex_comprehension},
    {"generator_expression", ex_comprehension},
    {"list_splat", ex_spread},
    {"dictionary_splat", ex_spread},
    {"list_splat_pattern", ex_spread},
    {"dictionary_splat_pattern", ex_spread},
    {"ellipsis", ex_ellipsis},
    {"assignment", ex_assign},
    {"augmented_assignment", ex_assign},
};

struct ir_node *py_expr(struct py *p, struct ast_node n, int depth)
{
	if (ast_is_null(n))
		return NULL;
	if (depth > LOWER_MAX_DEPTH)
		return py_trunc(p, n);
	const char *t = ast_type(n);
	for (size_t i = 0; i < sizeof expr_table / sizeof expr_table[0]; i++)
		if (!strcmp(t, expr_table[i].type))
			return expr_table[i].fn(p, n, depth);
	return ex_other(p, n, depth);
}

struct ir_node *py_target(struct py *p, struct ast_node n, int depth)
{
	if (ast_is_null(n))
		return NULL;
	if (depth > LOWER_MAX_DEPTH)
		return py_trunc(p, n);
	if (ast_is(n, "parenthesized_expression"))
		return py_target(p, py_first(p, n), depth + 1);
	bool spread = ast_is(n, "list_splat_pattern") || ast_is(n, "list_splat");
	bool tuple = ast_is(n, "pattern_list") || ast_is(n, "tuple_pattern") ||
		     ast_is(n, "list_pattern") || ast_is(n, "tuple") || ast_is(n, "list") ||
		     ast_is(n, "expression_list");
	if (!spread && !tuple)
		return py_expr(p, n, depth);
	struct ir_node *o = py_node(p, spread ? IR_SPREAD : IR_PATTERN, n);
	if (!o)
		return NULL;
	if (spread) {
		o->a = py_target(p, py_first(p, n), depth + 1);
		return o;
	}
	o->flags |= IR_F_ARRAY;
	struct py_kids k = py_kids(p, n, true);
	for (uint32_t i = 0; i < k.n; i++)
		ir_node_add(p->f, o, py_target(p, py_kid(p, k, i), depth + 1));
	py_kids_done(p, k);
	return o;
}

/* The name a function value takes from what it is assigned to: f = lambda, self.f = lambda. */
static const char *bound_name(struct py *p, struct ast_node target)
{
	if (ast_is(target, "identifier"))
		return py_text(p, target);
	if (ast_is(target, "attribute"))
		return py_text(p, ast_field(target, "attribute"));
	return "";
}

struct ir_node *py_assign(struct py *p, struct ast_node n, int depth)
{
	struct ast_node left = ast_field(n, "left"), right = ast_field(n, "right");
	if (ast_is_null(right))
		return NULL; /* x: int declares a type, assigns nothing */
	struct ir_node *a = py_node(p, IR_ASSIGN, n);
	if (!a)
		return NULL;
	a->op = IR_OP_ASSIGN;
	if (ast_is(n, "augmented_assignment"))
		a->op =
		    ast_is(ast_field(n, "operator"), "+=") ? IR_OP_ASSIGN_ADD : IR_OP_ASSIGN_OTHER;
	a->a = py_target(p, left, depth + 1);
	if (ast_is(right, "lambda") && a->op == IR_OP_ASSIGN)
		a->b = py_lambda(p, right, bound_name(p, left), depth + 1);
	else
		a->b = py_expr(p, right, depth + 1);
	return a;
}
