/* PHP operators in the flow form: binary and unary operators, assignments (compound and
 * by reference), ++/--, the conditional and casts. */
#include <stdint.h>
#include <string.h>

#include "lang/php/lower_php.h"

static const struct {
	const char *text;
	uint8_t op;
	uint16_t flags;
} binary_ops[] = {
    {"==", IR_OP_EQ, 0},
    {"===", IR_OP_EQ, IR_F_STRICT},
    {"!=", IR_OP_NE, 0},
    {"<>", IR_OP_NE, 0},
    {"!==", IR_OP_NE, IR_F_STRICT},
    {"<", IR_OP_LT, 0},
    {"<=", IR_OP_LE, 0},
    {">", IR_OP_GT, 0},
    {">=", IR_OP_GE, 0},
    {"&&", IR_OP_AND, 0},
    {"and", IR_OP_AND, 0},
    {"||", IR_OP_OR, 0},
    {"or", IR_OP_OR, 0},
    {"??", IR_OP_NULLISH, 0},
    {"+", IR_OP_ADD, 0},
    {".", IR_OP_CONCAT, 0},
    {"-", IR_OP_SUB, 0},
    {"*", IR_OP_MUL, 0},
    {"/", IR_OP_DIV, 0},
    {"%", IR_OP_MOD, 0},
    {"**", IR_OP_POW, 0},
    {"instanceof", IR_OP_INSTANCEOF, 0},
};

struct ir_node *php_binary(struct php_lower *L, struct ast_node n, int depth)
{
	struct ir_node *b = php_node(L, IR_BINARY, n);
	if (!b)
		return NULL;
	const char *op = ast_type(ast_field(n, "operator"));
	b->op = IR_OP_BIT; /* & | ^ << >> <=> xor */
	for (size_t i = 0; i < sizeof binary_ops / sizeof binary_ops[0]; i++)
		if (!strcmp(op, binary_ops[i].text)) {
			b->op = binary_ops[i].op;
			b->flags |= binary_ops[i].flags;
		}
	b->a = php_expr(L, ast_field(n, "left"), depth + 1);
	b->b = php_expr(L, ast_field(n, "right"), depth + 1);
	return b;
}

struct ir_node *php_unary(struct php_lower *L, struct ast_node n, int depth)
{
	struct ir_node *u = php_node(L, IR_UNARY, n);
	if (!u)
		return NULL;
	const char *op = ast_type(ast_field(n, "operator"));
	u->op = !strcmp(op, "!")   ? IR_OP_NOT
		: !strcmp(op, "-") ? IR_OP_NEG
		: !strcmp(op, "+") ? IR_OP_PLUS
				   : IR_OP_BIT;
	struct ast_node arg = ast_field(n, "argument");
	u->a = php_expr(L, ast_is_null(arg) ? php_first(n) : arg, depth + 1);
	return u;
}

struct ir_node *php_assignment(struct php_lower *L, struct ast_node n, int depth)
{
	struct ir_node *x = php_node(L, IR_ASSIGN, n);
	if (!x)
		return NULL;
	x->op = IR_OP_ASSIGN;
	struct ast_node op = ast_field(n, "operator");
	if (!ast_is_null(op)) {
		const char *o = ast_type(op);
		x->op = !strcmp(o, "+=") || !strcmp(o, ".=") ? IR_OP_ASSIGN_ADD
			: !strcmp(o, "?\?=")		     ? IR_OP_ASSIGN_OR
							     : IR_OP_ASSIGN_OTHER;
	}
	x->a = php_expr(L, ast_field(n, "left"), depth + 1);
	x->b = php_expr_named(L, ast_field(n, "right"), php_bind_name(x->a), depth + 1);
	return x;
}

/* $i++ is $i += 1; $i-- an other compound assignment of 1. */
struct ir_node *php_update(struct php_lower *L, struct ast_node n, int depth)
{
	struct ir_node *x = php_node(L, IR_ASSIGN, n);
	struct ast_node op = ast_field(n, "operator");
	if (!x)
		return NULL;
	x->op = ast_is(op, "++") ? IR_OP_ASSIGN_ADD : IR_OP_ASSIGN_OTHER;
	x->a = php_expr(L, ast_field(n, "argument"), depth + 1);
	if ((x->b = php_node(L, IR_NUMBER, op)))
		x->b->num = 1;
	return x;
}

struct ir_node *php_conditional(struct php_lower *L, struct ast_node n, int depth)
{
	struct ir_node *c = php_node(L, IR_COND, n);
	if (!c)
		return NULL;
	c->a = php_expr(L, ast_field(n, "condition"), depth + 1);
	struct ast_node body = ast_field(n, "body");
	c->b = ast_is_null(body) ? NULL : php_expr(L, body, depth + 1); /* a ?: c */
	c->c = php_expr(L, ast_field(n, "alternative"), depth + 1);
	return c;
}

/* (int)$x, clone $x: an IR_OTHER naming the construct, a = the operand. */
struct ir_node *php_cast(struct php_lower *L, struct ast_node n, int depth)
{
	struct ir_node *o = php_node(L, IR_OTHER, n);
	if (!o)
		return NULL;
	if (ast_is(n, "clone_expression")) {
		php_set_text(o, "clone");
		o->a = php_expr(L, php_first(n), depth + 1);
		return o;
	}
	size_t len = 0;
	const char *t = ast_text(L->syn, ast_field(n, "type"), &len);
	char *s = ir_alloc(L->f, len + 3);
	if (s) {
		s[0] = '(';
		for (size_t i = 0; i < len; i++)
			s[i + 1] = (char)(t[i] >= 'A' && t[i] <= 'Z' ? t[i] + 32 : t[i]);
		s[len + 1] = ')';
		php_set_text(o, s);
	}
	o->a = php_expr(L, ast_field(n, "value"), depth + 1);
	return o;
}
