/* Lowering of JavaScript/TypeScript expressions, destructuring patterns and JSX into
 * the flow form. */
#include <string.h>

#include "lang/js/lower_js.h"

/* ---- expressions ---- */

struct ast_node jsl_unwrap(struct ast_node n)
{
	for (int guard = 0; guard < 64; guard++) {
		if (ast_is(n, "parenthesized_expression") || ast_is(n, "as_expression") ||
		    ast_is(n, "satisfies_expression") || ast_is(n, "non_null_expression")) {
			struct ast_node in = jsl_first(n);
			if (ast_is(in, "sequence_expression") || ast_is_null(in))
				return ast_is_null(in) ? n : in;
			n = in;
		} else if (ast_is(n, "type_assertion")) {
			n = ast_named_child(n, ast_named_count(n) - 1);
		} else {
			return n;
		}
	}
	return n;
}

static struct ir_node *with_text(struct jsl *L, struct ir_node *x, const char *text)
{
	if (x && text) {
		x->text = text;
		x->len = (uint32_t)strlen(text);
	}
	return x;
}

static struct ir_node *named_leaf(struct jsl *L, enum ir_kind kind, struct ast_node n)
{
	return with_text(L, jsl_node(L, kind, n), jsl_text(L, n));
}

/* Any other node: its expression children, types left out. */
static bool is_type_node(struct ast_node n)
{
	const char *t = ast_type(n);
	size_t len = strlen(t);
	return (len > 5 && !strcmp(t + len - 5, "_type")) || !strncmp(t, "type_", 5) ||
	       !strcmp(t, "predefined_type") || !strcmp(t, "accessibility_modifier") ||
	       !strcmp(t, "override_modifier") || !strcmp(t, "optional_chain") ||
	       !strcmp(t, "jsx_text") || !strcmp(t, "html_character_reference");
}

static struct ir_node *lower_other(struct jsl *L, struct ast_node n, int depth)
{
	struct ir_node *x = jsl_node(L, IR_OTHER, n);
	struct jsl_kids k;
	jsl_kids(L, &k, n, true);
	for (uint32_t i = 0; i < k.n; i++)
		if (!is_type_node(k.v[i]))
			ir_node_add(L->f, x, jsl_expr(L, k.v[i], depth + 1));
	jsl_kids_free(&k);
	return x;
}

static struct ir_node *lower_spread(struct jsl *L, struct ast_node n, int depth)
{
	struct ir_node *x = jsl_node(L, IR_SPREAD, n);
	if (x)
		x->a = jsl_expr(L, jsl_first(n), depth + 1);
	return x;
}

/* The elements of arguments, arrays and sequences in order (holes left out). */
static void lower_list(struct jsl *L, struct ir_node *x, struct ast_node n, int depth)
{
	struct jsl_kids k;
	jsl_kids(L, &k, n, true);
	for (uint32_t i = 0; i < k.n; i++) {
		if (ast_is(k.v[i], "sequence_expression") && x->kind == IR_OTHER)
			lower_list(L, x, k.v[i], depth + 1);
		else
			ir_node_add(L->f, x, jsl_expr(L, k.v[i], depth + 1));
	}
	jsl_kids_free(&k);
}

/* a?.b, f?.(), a?.[k]: the `?.` stands between the two parts; looked for in the text
 * first, as most chains have none (a field lookup by name costs more). */
static bool is_optional(struct jsl *L, struct ast_node n, struct ast_node left,
			struct ast_node right)
{
	size_t len;
	const char *s = ast_text(L->syn, n, &len);
	uint32_t from = ast_end(left) - ast_start(n), to = ast_start(right) - ast_start(n);
	if (ast_is_null(left) || ast_is_null(right) || to > len || from > to ||
	    !memchr(s + from, '?', to - from))
		return false;
	return !ast_is_null(ast_field(n, "optional_chain"));
}

static struct ir_node *lower_member(struct jsl *L, struct ast_node n, int depth)
{
	struct ir_node *x = jsl_node(L, IR_MEMBER, n);
	if (!x)
		return NULL;
	struct ast_node obj = ast_field(n, "object"), prop = ast_field(n, "property");
	x->a = jsl_expr(L, obj, depth + 1);
	with_text(L, x, jsl_text(L, prop));
	if (is_optional(L, n, obj, prop))
		x->flags |= IR_F_OPTIONAL;
	return x;
}

/* a["b"] is the member b; a[expr] an index. */
static struct ir_node *lower_subscript(struct jsl *L, struct ast_node n, int depth)
{
	struct ast_node raw_index = ast_field(n, "index"), obj = ast_field(n, "object");
	struct ast_node index = jsl_unwrap(raw_index);
	uint32_t len = 0;
	const char *key = ast_is(index, "string") || ast_is(index, "template_string")
			      ? jsl_string_value(L, index, &len)
			      : NULL;
	struct ir_node *x = jsl_node(L, key ? IR_MEMBER : IR_INDEX, n);
	if (!x)
		return NULL;
	x->a = jsl_expr(L, obj, depth + 1);
	if (key) {
		x->flags |= IR_F_INDEX;
		x->text = key;
		x->len = len;
	} else {
		x->b = jsl_expr(L, index, depth + 1);
	}
	if (is_optional(L, n, obj, raw_index))
		x->flags |= IR_F_OPTIONAL;
	return x;
}

static struct ir_node *lower_call(struct jsl *L, struct ast_node n, bool is_new, int depth)
{
	struct ir_node *x = jsl_node(L, IR_CALL, n);
	if (!x)
		return NULL;
	struct ast_node fn = ast_field(n, is_new ? "constructor" : "function");
	struct ast_node args = ast_field(n, "arguments");
	if (is_new)
		x->flags |= IR_F_NEW;
	if (!is_new && is_optional(L, n, fn, args))
		x->flags |= IR_F_OPTIONAL;
	if (ast_is(fn, "import")) {
		x->a = named_leaf(L, IR_NAME, fn);
	} else if (!is_new && ast_is(fn, "await_expression")) {
		/* TypeScript's grammar reads `await res.json<T>()` as (await res.json)<T>(): the
		 * await is of the call */
		struct ir_node *w = jsl_node(L, IR_AWAIT, n);
		if (!w)
			return NULL;
		x->a = jsl_expr(L, jsl_first(fn), depth + 1);
		lower_list(L, x, args, depth);
		w->a = x;
		return w;
	} else {
		x->a = jsl_expr(L, fn, depth + 1);
	}
	if (ast_is(args, "template_string")) { /* tag`...` */
		ir_node_add(L->f, x, jsl_expr(L, args, depth + 1));
		return x;
	}
	lower_list(L, x, args, depth);
	struct ast_node first = jsl_first(args);
	if (!is_new && x->nkids == 1 && jsl_is_const_string(first)) {
		if (ast_is(fn, "import"))
			jsl_require(L, n, true);
		else if (ast_is(fn, "identifier") && ast_text_is(L->syn, fn, "require"))
			jsl_require(L, n, false);
	}
	return x;
}

static const struct {
	const char *text;
	enum ir_op op;
} binary_ops[] = {{"==", IR_OP_EQ},
		  {"===", IR_OP_EQ},
		  {"!=", IR_OP_NE},
		  {"!==", IR_OP_NE},
		  {"<", IR_OP_LT},
		  {"<=", IR_OP_LE},
		  {">", IR_OP_GT},
		  {">=", IR_OP_GE},
		  {"&&", IR_OP_AND},
		  {"||", IR_OP_OR},
		  {"??", IR_OP_NULLISH},
		  {"+", IR_OP_ADD},
		  {"-", IR_OP_SUB},
		  {"*", IR_OP_MUL},
		  {"/", IR_OP_DIV},
		  {"%", IR_OP_MOD},
		  {"**", IR_OP_POW},
		  {"in", IR_OP_IN},
		  {"instanceof", IR_OP_INSTANCEOF},
		  {"!", IR_OP_NOT},
		  {"typeof", IR_OP_TYPEOF},
		  {"void", IR_OP_TYPEOF},
		  {"delete", IR_OP_TYPEOF}};

static enum ir_op op_of(struct ast_node op, bool unary)
{
	const char *t = ast_type(op);
	if (unary && !strcmp(t, "-"))
		return IR_OP_NEG;
	if (unary && !strcmp(t, "+"))
		return IR_OP_PLUS;
	for (size_t i = 0; i < sizeof binary_ops / sizeof binary_ops[0]; i++)
		if (!strcmp(binary_ops[i].text, t))
			return binary_ops[i].op;
	return IR_OP_BIT; /* & | ^ ~ << >> >>> */
}

static struct ir_node *lower_binary(struct jsl *L, struct ast_node n, bool unary, int depth)
{
	struct ir_node *x = jsl_node(L, unary ? IR_UNARY : IR_BINARY, n);
	if (!x)
		return NULL;
	struct ast_node op = ast_field(n, "operator");
	x->op = (uint8_t)op_of(op, unary);
	if (ast_is(op, "===") || ast_is(op, "!=="))
		x->flags |= IR_F_STRICT;
	if (unary) {
		x->a = jsl_expr(L, ast_field(n, "argument"), depth + 1);
	} else {
		x->a = jsl_expr(L, ast_field(n, "left"), depth + 1);
		x->b = jsl_expr(L, ast_field(n, "right"), depth + 1);
	}
	return x;
}

/* The name a function assigned to a target takes: x = ..., a.b.x = ..., this.x = ... */
static const char *target_name(struct jsl *L, struct ast_node left)
{
	const char *cjs = jsl_cjs_bind(L, left);
	if (cjs)
		return cjs;
	if (ast_is(left, "identifier"))
		return jsl_text(L, left);
	if (ast_is(left, "member_expression"))
		return jsl_text(L, ast_field(left, "property"));
	return NULL;
}

static struct ir_node *lower_assign(struct jsl *L, struct ast_node n, int depth)
{
	struct ir_node *x = jsl_node(L, IR_ASSIGN, n);
	if (!x)
		return NULL;
	struct ast_node left = ast_field(n, "left");
	x->op = IR_OP_ASSIGN;
	if (ast_is(n, "augmented_assignment_expression")) {
		struct ast_node op = ast_field(n, "operator");
		x->op = ast_is(op, "+=")			  ? IR_OP_ASSIGN_ADD
			: ast_is(op, "||=") || ast_is(op, "?\?=") ? IR_OP_ASSIGN_OR
								  : IR_OP_ASSIGN_OTHER;
	}
	x->a = jsl_pattern(L, left, depth + 1);
	x->b = jsl_value(L, ast_field(n, "right"),
			 x->op == IR_OP_ASSIGN ? target_name(L, left) : NULL, depth + 1);
	if (x->op == IR_OP_ASSIGN)
		jsl_cjs_export(L, left, x->b);
	return x;
}

/* ---- objects and patterns ---- */

static struct ir_node *pair_of(struct jsl *L, struct ast_node n, struct ast_node key, int depth)
{
	struct ir_node *p = jsl_node(L, IR_PAIR, n);
	if (!p)
		return NULL;
	const char *text = jsl_key_text(L, key);
	if (text)
		with_text(L, p, text);
	else
		p->a = jsl_expr(L, jsl_first(key), depth + 1);
	return p;
}

static struct ir_node *lower_object(struct jsl *L, struct ast_node n, int depth)
{
	struct ir_node *x = jsl_node(L, IR_OBJECT, n);
	struct jsl_kids k;
	jsl_kids(L, &k, n, true);
	for (uint32_t i = 0; i < k.n && x; i++) {
		struct ast_node m = k.v[i];
		struct ir_node *p = NULL;
		if (ast_is(m, "pair")) {
			p = pair_of(L, m, ast_field(m, "key"), depth);
			if (p)
				p->b = jsl_value(L, ast_field(m, "value"), p->text, depth + 1);
		} else if (ast_is(m, "shorthand_property_identifier")) {
			p = pair_of(L, m, m, depth);
			if (p)
				p->b = named_leaf(L, IR_NAME, m);
		} else if (ast_is(m, "method_definition")) {
			p = pair_of(L, m, ast_field(m, "name"), depth);
			if (p)
				p->b = jsl_func(L, m, p->text ? p->text : "", 0, depth + 1);
		} else {
			p = jsl_expr(L, m, depth + 1);
		}
		ir_node_add(L->f, x, p);
	}
	jsl_kids_free(&k);
	return x;
}

/* {a, b: c = 1, ...rest} and [x, , y = 2, ...z]. A hole keeps its place as an empty
 * IR_OTHER; a default makes the element a pair without key (b: target, c: default). */
static struct ir_node *lower_pattern_list(struct jsl *L, struct ast_node n, bool by_position,
					  int depth)
{
	struct ir_node *x = jsl_node(L, IR_PATTERN, n);
	if (!x)
		return NULL;
	if (by_position)
		x->flags |= IR_F_ARRAY;
	struct jsl_kids k;
	jsl_kids(L, &k, n, false);
	bool expect = true; /* an element is due: a comma now means a hole */
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node m = k.v[i];
		const char *t = ast_type(m);
		if (!strcmp(t, ",")) {
			if (expect && by_position)
				ir_node_add(L->f, x, jsl_node(L, IR_OTHER, m));
			expect = true;
			continue;
		}
		if (!strcmp(t, "[") || !strcmp(t, "]") || !strcmp(t, "{") || !strcmp(t, "}") ||
		    !strcmp(t, "comment"))
			continue;
		expect = false;
		struct ir_node *p = NULL;
		if (!strcmp(t, "shorthand_property_identifier_pattern")) {
			p = pair_of(L, m, m, depth);
			if (p)
				p->b = named_leaf(L, IR_NAME, m);
		} else if (!strcmp(t, "object_assignment_pattern")) {
			struct ast_node left = ast_field(m, "left");
			p = pair_of(L, m, left, depth);
			if (p) {
				p->b = jsl_pattern(L, left, depth + 1);
				p->c = jsl_value(L, ast_field(m, "right"), p->text, depth + 1);
			}
		} else if (!strcmp(t, "pair_pattern")) {
			p = pair_of(L, m, ast_field(m, "key"), depth);
			struct ast_node value = ast_field(m, "value");
			if (p && ast_is(value, "assignment_pattern")) {
				p->b = jsl_pattern(L, ast_field(value, "left"), depth + 1);
				p->c = jsl_expr(L, ast_field(value, "right"), depth + 1);
			} else if (p) {
				p->b = jsl_pattern(L, value, depth + 1);
			}
		} else if (!strcmp(t, "assignment_pattern")) {
			p = jsl_node(L, IR_PAIR, m);
			if (p) {
				p->b = jsl_pattern(L, ast_field(m, "left"), depth + 1);
				p->c = jsl_expr(L, ast_field(m, "right"), depth + 1);
			}
		} else {
			p = jsl_pattern(L, m, depth + 1);
		}
		ir_node_add(L->f, x, p);
	}
	jsl_kids_free(&k);
	return x;
}

struct ir_node *jsl_pattern(struct jsl *L, struct ast_node n, int depth)
{
	if (ast_is_null(n))
		return NULL;
	if (depth > LOWER_MAX_DEPTH)
		return jsl_cut(L, n);
	if (ast_is(n, "object_pattern") || ast_is(n, "object"))
		return lower_pattern_list(L, n, false, depth);
	if (ast_is(n, "array_pattern") || ast_is(n, "array"))
		return lower_pattern_list(L, n, true, depth);
	if (ast_is(n, "rest_pattern") || ast_is(n, "spread_element")) {
		struct ir_node *x = jsl_node(L, IR_SPREAD, n);
		if (x)
			x->a = jsl_pattern(L, jsl_first(n), depth + 1);
		return x;
	}
	if (ast_is(n, "identifier") || ast_is(n, "undefined") ||
	    ast_is(n, "shorthand_property_identifier_pattern"))
		return named_leaf(L, IR_NAME, n);
	return jsl_expr(L, n, depth);
}

/* ---- JSX ---- */

/* <Tag a="x" b={e} {...p}>{child}<Other/></Tag>: IR_OTHER "Tag" with attribute pairs,
 * spreads, then the expression and element children; text is dropped. */
static struct ir_node *lower_jsx(struct jsl *L, struct ast_node n, int depth)
{
	struct ast_node open = ast_is(n, "jsx_element") ? ast_field(n, "open_tag") : n;
	struct ir_node *x = jsl_node(L, IR_OTHER, n);
	if (!x)
		return NULL;
	with_text(L, x, jsl_text(L, ast_field(open, "name")));
	struct jsl_kids k;
	jsl_kids(L, &k, open, true);
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node a = k.v[i];
		if (ast_is(a, "jsx_expression")) { /* {...props} */
			ir_node_add(L->f, x, jsl_expr(L, a, depth + 1));
			continue;
		}
		if (!ast_is(a, "jsx_attribute") || ast_named_count(a) < 2)
			continue;
		struct ast_node name = ast_named_child(a, 0), value = ast_named_child(a, 1);
		struct ir_node *p = jsl_node(L, IR_PAIR, a);
		if (!p)
			break;
		with_text(L, p, jsl_text(L, name));
		p->b = ast_is(value, "string") ? jsl_string(L, value, true)
					       : jsl_value(L, value, p->text, depth + 1);
		ir_node_add(L->f, x, p);
	}
	jsl_kids_free(&k);
	if (!ast_is(n, "jsx_element"))
		return x;
	jsl_kids(L, &k, n, true);
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node c = k.v[i];
		if (ast_is(c, "jsx_expression") || ast_is(c, "jsx_element") ||
		    ast_is(c, "jsx_self_closing_element"))
			ir_node_add(L->f, x, jsl_expr(L, c, depth + 1));
	}
	jsl_kids_free(&k);
	return x;
}

/* ---- the dispatch ---- */

struct ir_node *jsl_value(struct jsl *L, struct ast_node n, const char *bind, int depth)
{
	struct ast_node in = jsl_unwrap(n);
	if (ast_is(in, "arrow_function") || ast_is(in, "function_expression") ||
	    ast_is(in, "function") || ast_is(in, "generator_function"))
		return depth > LOWER_MAX_DEPTH ? jsl_cut(L, in) : jsl_func(L, in, bind, 0, depth);
	if (ast_is(in, "class"))
		return depth > LOWER_MAX_DEPTH
			   ? jsl_cut(L, in)
			   : jsl_class(L, in, bind, (struct ast_node){0}, depth);
	return jsl_expr(L, n, depth);
}

struct ir_node *jsl_expr(struct jsl *L, struct ast_node n, int depth)
{
	if (ast_is_null(n))
		return NULL;
	if (depth > LOWER_MAX_DEPTH)
		return jsl_cut(L, n);
	const char *t = ast_type(n);
	if (!strcmp(t, "identifier")) {
		if (ast_text_is(L->syn, n, "undefined"))
			return jsl_node(L, IR_NULL, n);
		return named_leaf(L, IR_NAME, n);
	}
	if (!strcmp(t, "member_expression"))
		return lower_member(L, n, depth);
	if (!strcmp(t, "call_expression"))
		return lower_call(L, n, false, depth);
	if (!strcmp(t, "string"))
		return jsl_string(L, n, false);
	if (!strcmp(t, "template_string"))
		return jsl_template(L, n, depth);
	if (!strcmp(t, "property_identifier") || !strcmp(t, "shorthand_property_identifier") ||
	    !strcmp(t, "private_property_identifier") || !strcmp(t, "statement_identifier") ||
	    !strcmp(t, "type_identifier") || !strcmp(t, "shorthand_property_identifier_pattern"))
		return named_leaf(L, IR_NAME, n);
	if (!strcmp(t, "this"))
		return jsl_node(L, IR_THIS, n);
	if (!strcmp(t, "super"))
		return jsl_node(L, IR_SUPER, n);
	if (!strcmp(t, "number"))
		return jsl_number(L, n);
	if (!strcmp(t, "true") || !strcmp(t, "false")) {
		struct ir_node *x = jsl_node(L, IR_BOOL, n);
		if (x)
			x->num = t[0] == 't';
		return x;
	}
	if (!strcmp(t, "null") || !strcmp(t, "undefined"))
		return jsl_node(L, IR_NULL, n);
	if (!strcmp(t, "regex")) {
		struct ir_node *x = named_leaf(L, IR_STRING, ast_field(n, "pattern"));
		if (x) {
			x->flags |= IR_F_RAW;
			x->start = ast_start(n), x->end = ast_end(n), x->line = ast_line(n);
		}
		return x;
	}
	if (!strcmp(t, "parenthesized_expression") || !strcmp(t, "as_expression") ||
	    !strcmp(t, "satisfies_expression") || !strcmp(t, "non_null_expression") ||
	    !strcmp(t, "type_assertion")) {
		struct ast_node in = jsl_unwrap(n);
		return ast_is(in, "sequence_expression") || !ast_is(in, t)
			   ? jsl_expr(L, in, depth + 1)
			   : lower_other(L, n, depth);
	}
	if (!strcmp(t, "instantiation_expression")) /* f<T> */
		return jsl_expr(L, jsl_first(n), depth + 1);
	if (!strcmp(t, "subscript_expression"))
		return lower_subscript(L, n, depth);
	if (!strcmp(t, "new_expression"))
		return lower_call(L, n, true, depth);
	if (!strcmp(t, "object"))
		return lower_object(L, n, depth);
	if (!strcmp(t, "array")) {
		struct ir_node *x = jsl_node(L, IR_ARRAY, n);
		if (x)
			lower_list(L, x, n, depth);
		return x;
	}
	if (!strcmp(t, "spread_element"))
		return lower_spread(L, n, depth);
	if (!strcmp(t, "binary_expression"))
		return lower_binary(L, n, false, depth);
	if (!strcmp(t, "unary_expression"))
		return lower_binary(L, n, true, depth);
	if (!strcmp(t, "assignment_expression") || !strcmp(t, "augmented_assignment_expression"))
		return lower_assign(L, n, depth);
	if (!strcmp(t, "ternary_expression")) {
		struct ir_node *x = jsl_node(L, IR_COND, n);
		if (x) {
			x->a = jsl_expr(L, ast_field(n, "condition"), depth + 1);
			x->b = jsl_expr(L, ast_field(n, "consequence"), depth + 1);
			x->c = jsl_expr(L, ast_field(n, "alternative"), depth + 1);
		}
		return x;
	}
	if (!strcmp(t, "await_expression") || !strcmp(t, "yield_expression")) {
		struct ir_node *x = jsl_node(L, IR_AWAIT, n);
		if (x)
			x->a = jsl_expr(L, jsl_first(n), depth + 1);
		return x;
	}
	if (!strcmp(t, "sequence_expression")) {
		struct ir_node *x = jsl_node(L, IR_OTHER, n);
		if (x)
			lower_list(L, x, n, depth);
		return x;
	}
	if (!strcmp(t, "arrow_function") || !strcmp(t, "function_expression") ||
	    !strcmp(t, "function") || !strcmp(t, "generator_function") || !strcmp(t, "class"))
		return jsl_value(L, n, NULL, depth);
	if (!strcmp(t, "jsx_element") || !strcmp(t, "jsx_self_closing_element"))
		return lower_jsx(L, n, depth);
	if (!strcmp(t, "jsx_expression")) {
		struct ast_node in = jsl_first(n);
		return ast_is_null(in) ? NULL : jsl_expr(L, in, depth + 1);
	}
	if (!strcmp(t, "object_pattern") || !strcmp(t, "array_pattern") ||
	    !strcmp(t, "rest_pattern"))
		return jsl_pattern(L, n, depth);
	if (!strcmp(t, "meta_property")) { /* import.meta, new.target */
		struct ir_node *x = jsl_node(L, IR_MEMBER, n);
		if (x) {
			x->a = named_leaf(L, IR_NAME, ast_child(n, 0));
			with_text(L, x, jsl_text(L, ast_child(n, ast_count(n) - 1)));
		}
		return x;
	}
	/* update expressions (i++), ERROR and the rest */
	return lower_other(L, n, depth);
}
