/* PHP arrays in the flow form: lists ([1, 2]) are IR_ARRAY, arrays with a key
 * (['amount' => 1000], mixed ones too) IR_OBJECT of IR_PAIR; list(...), [...] and
 * ['k' => $v] as assignment and foreach targets are IR_PATTERN. Argument lists too:
 * a named argument (f(timeout: 30)) is an IR_PAIR like a keyed entry. */
#include <stdio.h>
#include <string.h>

#include "lang/php/lower_php.h"

static const char *key_text(struct php_lower *L, struct ast_node key, uint32_t *len)
{
	const char *s = NULL;
	if (php_const_string(L, key, &s, len))
		return s;
	if (!ast_is(key, "integer"))
		return NULL;
	/* the key as the number's decimal text: 0x10 => is 16 */
	char buf[64];
	snprintf(buf, sizeof buf, "%.0f", php_number_value(L, key));
	s = ir_strdup(L->f, buf);
	*len = s ? (uint32_t)strlen(s) : 0;
	return s;
}

/* [1, 2] is an IR_ARRAY; ['a' => 1], and any array with a key, an IR_OBJECT. */
struct ir_node *php_array(struct php_lower *L, struct ast_node n, int depth)
{
	bool keyed = false;
	uint32_t i = 0;
	for (struct ast_node e = php_kid(n, &i); !ast_is_null(e); e = php_kid(n, &i)) {
		uint32_t k = 0;
		php_kid(e, &k);
		if (!ast_is_null(php_kid(e, &k)))
			keyed = true;
	}
	struct ir_node *arr = php_node(L, keyed ? IR_OBJECT : IR_ARRAY, n);
	if (!arr)
		return NULL;
	struct php_iter it;
	php_iter_named(L, n, &it);
	for (struct ast_node e; !ast_is_null(e = php_next(&it));) {
		uint32_t k = 0;
		struct ast_node first = php_kid(e, &k), second = php_kid(e, &k);
		if (ast_is(first, "variadic_unpacking")) {
			ir_node_add(L->f, arr, php_expr(L, first, depth + 1));
			continue;
		}
		if (!keyed) {
			ir_node_add(L->f, arr, php_expr(L, first, depth + 1));
			continue;
		}
		struct ir_node *p = php_node(L, IR_PAIR, e);
		if (!p)
			continue;
		struct ast_node value = ast_is_null(second) ? first : second;
		if (!ast_is_null(second)) {
			uint32_t len = 0;
			const char *key = key_text(L, first, &len);
			if (key) {
				p->text = key;
				p->len = len;
			} else {
				p->a = php_expr(L, first, depth + 1);
			}
		}
		p->b = php_expr_named(L, value, p->text, depth + 1);
		ir_node_add(L->f, arr, p);
	}
	return arr;
}

static uint32_t commas(struct php_lower *L, uint32_t a, uint32_t b)
{
	uint32_t n = 0;
	for (uint32_t i = a; i < b; i++)
		n += L->src[i] == ',';
	return n;
}

static bool arrow_between(struct php_lower *L, uint32_t a, uint32_t b)
{
	for (uint32_t i = a; i + 1 < b; i++)
		if (L->src[i] == '=' && L->src[i + 1] == '>')
			return true;
	return false;
}

/* list($a, $b), [$a, $b], ['k' => $v]: the targets of a destructuring assignment. */
struct ir_node *php_pattern(struct php_lower *L, struct ast_node n, int depth)
{
	struct ir_node *p = php_node(L, IR_PATTERN, n);
	if (!p)
		return NULL;
	struct php_iter it;
	php_iter_named(L, n, &it);
	uint32_t prev_end = ast_start(n);
	bool keyed = false;
	for (uint32_t i = 0; i < it.n; i++) {
		struct ast_node c = it.v[i];
		/* skipped positions: list(, $b) */
		uint32_t holes = commas(L, prev_end, ast_start(c));
		holes = i == 0 ? holes : holes ? holes - 1 : 0;
		for (uint32_t h = 0; h < holes && h < 64 && !keyed; h++)
			ir_node_add(
			    L->f, p,
			    ir_node_new(L->f, IR_OTHER, prev_end, ast_start(c), ast_line(c)));
		if (i + 1 < it.n && arrow_between(L, ast_end(c), ast_start(it.v[i + 1]))) {
			/* 'k' => $v: the grammar lists the key and the target side by side */
			struct ast_node target = it.v[++i];
			keyed = true;
			struct ir_node *pair =
			    ir_node_new(L->f, IR_PAIR, ast_start(c), ast_end(target), ast_line(c));
			if (!pair)
				break;
			uint32_t len = 0;
			const char *key = key_text(L, c, &len);
			if (key) {
				pair->text = key;
				pair->len = len;
			} else {
				pair->a = php_expr(L, c, depth + 1);
			}
			pair->b = php_expr(L, target, depth + 1);
			ir_node_add(L->f, p, pair);
			prev_end = ast_end(target);
			continue;
		}
		ir_node_add(L->f, p, php_expr(L, c, depth + 1));
		prev_end = ast_end(c);
	}
	php_iter_free(&it);
	if (!keyed)
		p->flags |= IR_F_ARRAY;
	return p;
}

/* ---- argument lists ---- */

void php_args(struct php_lower *L, struct ir_node *call, struct ast_node args, int depth)
{
	struct php_iter it;
	php_iter_named(L, args, &it);
	for (struct ast_node a; !ast_is_null(a = php_next(&it));) {
		if (ast_is(a, "variadic_placeholder")) {
			/* strlen(...) makes a closure of the callee: no call happens */
			call->kind = IR_OTHER;
			call->flags = 0;
			ir_node_add(L->f, call, call->a);
			call->a = NULL;
			php_iter_free(&it);
			return;
		}
		if (!ast_is(a, "argument")) {
			ir_node_add(L->f, call, php_expr(L, a, depth + 1));
			continue;
		}
		struct ast_node label = ast_field(a, "name"), value = {0};
		uint32_t k = 0;
		for (struct ast_node c = php_kid(a, &k); !ast_is_null(c); c = php_kid(a, &k))
			if (!php_same(c, label) && !ast_is(c, "reference_modifier"))
				value = c;
		if (ast_is_null(label)) {
			ir_node_add(L->f, call, php_expr(L, value, depth + 1));
			continue;
		}
		/* f(timeout: 30): a named argument */
		struct ir_node *p = php_node(L, IR_PAIR, a);
		if (p) {
			const char *text = php_text(L, label);
			if (text) {
				p->text = text;
				p->len = (uint32_t)strlen(text);
			}
			p->b = php_expr_named(L, value, p->text, depth + 1);
		}
		ir_node_add(L->f, call, p);
	}
}
