/* Lowering of PHP (tree-sitter-php's `php` grammar: PHP inside <?php ?> and the HTML text
 * around it) into the flow form (flow/ir.h). This file: the file itself, statements and
 * namespaces. The HTML text is dropped; `<?= x ?>` echoes x. */
#include <string.h>

#include "core/error.h"
#include "lang/php/lower_php.h"

static const char *const statement_types[] = {"break_statement",
					      "class_declaration",
					      "compound_statement",
					      "const_declaration",
					      "continue_statement",
					      "declare_statement",
					      "do_statement",
					      "echo_statement",
					      "empty_statement",
					      "enum_declaration",
					      "exit_statement",
					      "expression_statement",
					      "for_statement",
					      "foreach_statement",
					      "function_definition",
					      "function_static_declaration",
					      "global_declaration",
					      "goto_statement",
					      "if_statement",
					      "interface_declaration",
					      "named_label_statement",
					      "namespace_definition",
					      "namespace_use_declaration",
					      "return_statement",
					      "switch_statement",
					      "trait_declaration",
					      "try_statement",
					      "unset_statement",
					      "while_statement",
					      "colon_block",
					      "text_interpolation",
					      "php_tag",
					      "text"};

bool php_is_statement(struct ast_node n)
{
	for (size_t i = 0; i < sizeof statement_types / sizeof statement_types[0]; i++)
		if (ast_is(n, statement_types[i]))
			return true;
	return false;
}

static void stmt_into(struct php_lower *L, struct ir_node *block, struct ast_node n, int depth);

struct ir_node *php_block(struct php_lower *L, struct ast_node n, int depth)
{
	struct ir_node *b = php_node(L, IR_BLOCK, n);
	if (ast_is(n, "compound_statement") || ast_is(n, "colon_block"))
		php_stmts_into(L, b, n, depth + 1);
	else
		stmt_into(L, b, n, depth + 1);
	return b;
}

/* Leaves that hold no value: tags, HTML text, modifiers, types. */
static bool is_valueless(struct ast_node n)
{
	static const char *const types[] = {"php_tag",
					    "text",
					    "text_interpolation",
					    "visibility_modifier",
					    "static_modifier",
					    "abstract_modifier",
					    "final_modifier",
					    "readonly_modifier",
					    "var_modifier",
					    "reference_modifier",
					    "named_type",
					    "primitive_type",
					    "optional_type",
					    "union_type",
					    "intersection_type",
					    "cast_type",
					    "comment",
					    "empty_statement"};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (ast_is(n, types[i]))
			return true;
	return false;
}

struct ir_node *php_any(struct php_lower *L, struct ast_node n, int depth)
{
	if (is_valueless(n))
		return NULL;
	if (!php_is_statement(n))
		return php_expr(L, n, depth);
	if (ast_is(n, "compound_statement") || ast_is(n, "colon_block"))
		return php_block(L, n, depth);
	/* a statement where the parser wanted an expression (inside an ERROR) */
	struct ir_node *b = php_node(L, IR_BLOCK, n);
	stmt_into(L, b, n, depth);
	return b;
}

void php_stmts_into(struct php_lower *L, struct ir_node *block, struct ast_node parent, int depth)
{
	struct php_iter it;
	php_iter_named(L, parent, &it);
	for (struct ast_node c; !ast_is_null(c = php_next(&it));)
		stmt_into(L, block, c, depth);
}

/* ---- statements ---- */

static struct ir_node *cond_of(struct php_lower *L, struct ast_node n, int depth)
{
	struct ast_node c = ast_field(n, "condition");
	return ast_is_null(c) ? NULL : php_expr(L, c, depth + 1);
}

static struct ir_node *if_statement(struct php_lower *L, struct ast_node n, int depth)
{
	if (depth > LOWER_MAX_DEPTH)
		return php_trunc(L, n);
	struct ir_node *top = php_node(L, IR_IF, n);
	if (!top)
		return NULL;
	top->a = cond_of(L, n, depth);
	top->b = php_block(L, ast_field(n, "body"), depth);
	/* elseif chains: flat clauses in the tree, nested IR_IF in c */
	struct ir_node *last = top;
	struct php_iter it;
	php_iter_named(L, n, &it);
	for (struct ast_node c; !ast_is_null(c = php_next(&it));) {
		struct ast_node body = ast_field(c, "body");
		if (ast_is(c, "else_if_clause")) {
			/* the chain nests in the form: it counts as nesting */
			if (++depth > LOWER_MAX_DEPTH) {
				last->c = php_trunc(L, c);
				break;
			}
			struct ir_node *e = php_node(L, IR_IF, c);
			if (!e)
				break;
			e->a = cond_of(L, c, depth);
			e->b = php_block(L, body, depth);
			last->c = e;
			last = e;
		} else if (ast_is(c, "else_clause")) {
			last->c = ast_is(body, "if_statement") ? if_statement(L, body, depth + 1)
							       : php_block(L, body, depth);
		}
	}
	php_iter_free(&it);
	return top;
}

static struct ir_node *switch_statement(struct php_lower *L, struct ast_node n, int depth)
{
	struct ir_node *sw = php_node(L, IR_SWITCH, n);
	if (!sw)
		return NULL;
	sw->a = cond_of(L, n, depth);
	struct php_iter it;
	php_iter_named(L, ast_field(n, "body"), &it);
	for (struct ast_node c; !ast_is_null(c = php_next(&it));) {
		if (!ast_is(c, "case_statement") && !ast_is(c, "default_statement"))
			continue;
		struct ir_node *cs = php_node(L, IR_CASE, c);
		if (!cs)
			break;
		struct ast_node value = ast_field(c, "value");
		if (!ast_is_null(value))
			ir_node_add(L->f, cs, php_expr(L, value, depth + 1));
		cs->b = php_node(L, IR_BLOCK, c);
		struct php_iter body;
		php_iter_named(L, c, &body);
		for (struct ast_node s; !ast_is_null(s = php_next(&body));)
			if (!php_same(s, value))
				stmt_into(L, cs->b, s, depth + 1);
		ir_node_add(L->f, sw, cs);
	}
	php_iter_free(&it);
	return sw;
}

static struct ir_node *loop(struct php_lower *L, struct ast_node n, enum ir_op op)
{
	struct ir_node *lp = php_node(L, IR_LOOP, n);
	if (lp)
		lp->op = (uint8_t)op;
	return lp;
}

/* A for clause: one expression, or a sequence lowered to an IR_OTHER of its parts. */
static struct ir_node *for_clause(struct php_lower *L, struct ast_node n, int depth)
{
	if (ast_is_null(n))
		return NULL;
	return php_expr(L, n, depth + 1);
}

static void for_init(struct php_lower *L, struct ir_node *block, struct ast_node n, int depth)
{
	if (ast_is(n, "sequence_expression")) {
		struct php_iter it;
		php_iter_named(L, n, &it);
		for (struct ast_node c; !ast_is_null(c = php_next(&it));)
			for_init(L, block, c, depth + 1);
		return;
	}
	struct ir_node *e = php_node(L, IR_EXPR, n);
	if (e)
		e->a = php_expr(L, n, depth + 1);
	ir_node_add(L->f, block, e);
}

static void for_statement(struct php_lower *L, struct ir_node *block, struct ast_node n, int depth)
{
	struct ast_node init = ast_field(n, "initialize"), cond = ast_field(n, "condition"),
			update = ast_field(n, "update");
	struct ir_node *lp = loop(L, n, IR_LOOP_FOR);
	if (!lp)
		return;
	lp->a = for_clause(L, cond, depth);
	lp->c = for_clause(L, update, depth);
	/* the body: the statements after `)` (several in the for: ... endfor; form) */
	struct php_iter it;
	php_iter_all(L, n, &it);
	uint32_t first = it.n, nbody = 0, only = 0;
	for (uint32_t i = 0; i < it.n; i++) {
		if (ast_is(it.v[i], ")") && first == it.n)
			first = i + 1;
		else if (first < it.n && php_is_statement(it.v[i]))
			nbody++, only = i;
	}
	if (nbody == 1 && ast_is(it.v[only], "compound_statement")) {
		lp->b = php_block(L, it.v[only], depth);
	} else {
		lp->b = php_node(L, IR_BLOCK, n);
		for (uint32_t i = first; i < it.n; i++)
			if (php_is_statement(it.v[i]))
				stmt_into(L, lp->b, it.v[i], depth + 1);
	}
	php_iter_free(&it);
	if (ast_is_null(init)) {
		ir_node_add(L->f, block, lp);
		return;
	}
	struct ir_node *wrap = php_node(L, IR_BLOCK, n);
	for_init(L, wrap, init, depth);
	ir_node_add(L->f, wrap, lp);
	ir_node_add(L->f, block, wrap);
}

/* foreach ($xs as $v) / ($xs as $k => $v): c = v, or [k, v] by position. */
static struct ir_node *foreach_statement(struct php_lower *L, struct ast_node n, int depth)
{
	struct ir_node *lp = loop(L, n, IR_LOOP_FOREACH);
	if (!lp)
		return NULL;
	struct ast_node body = ast_field(n, "body");
	uint32_t i = 0;
	struct ast_node iter = php_kid(n, &i), target = php_kid(n, &i);
	lp->a = ast_is_null(iter) ? NULL : php_expr(L, iter, depth + 1);
	if (ast_is(target, "pair")) {
		struct ir_node *p = php_node(L, IR_PATTERN, target);
		if (p) {
			p->flags |= IR_F_ARRAY;
			uint32_t k = 0;
			for (struct ast_node c = php_kid(target, &k); !ast_is_null(c);
			     c = php_kid(target, &k))
				ir_node_add(L->f, p, php_expr(L, c, depth + 1));
		}
		lp->c = p;
	} else if (!ast_is_null(target) && !php_same(target, body)) {
		lp->c = php_expr(L, target, depth + 1);
	}
	lp->b = ast_is_null(body) ? php_node(L, IR_BLOCK, n) : php_block(L, body, depth);
	return lp;
}

static struct ir_node *try_statement(struct php_lower *L, struct ast_node n, int depth)
{
	struct ir_node *t = php_node(L, IR_TRY, n);
	if (!t)
		return NULL;
	t->a = php_block(L, ast_field(n, "body"), depth);
	struct php_iter it;
	php_iter_named(L, n, &it);
	for (struct ast_node c; !ast_is_null(c = php_next(&it));) {
		if (ast_is(c, "finally_clause")) {
			t->c = php_block(L, ast_field(c, "body"), depth);
			continue;
		}
		if (!ast_is(c, "catch_clause"))
			continue;
		struct ir_node *k = php_node(L, IR_CATCH, c);
		if (!k)
			break;
		struct ast_node name = ast_field(c, "name"), types = ast_field(c, "type");
		if (!ast_is_null(name))
			k->a = php_expr(L, name, depth + 1);
		k->b = php_block(L, ast_field(c, "body"), depth);
		/* the caught types without a leading `\`, '|'-joined */
		char buf[1024];
		size_t len = 0;
		uint32_t j = 0;
		for (struct ast_node ty = php_kid(types, &j); !ast_is_null(ty);
		     ty = php_kid(types, &j)) {
			const char *s = php_name(L, ty);
			size_t sl = s ? strlen(s) : 0;
			if (!s || len + sl + 2 > sizeof buf)
				break;
			if (len)
				buf[len++] = '|';
			memcpy(buf + len, s, sl);
			len += sl;
		}
		if (len) {
			k->text = ir_strndup(L->f, buf, len);
			k->len = (uint32_t)len;
		}
		ir_node_add(L->f, t, k);
	}
	php_iter_free(&it);
	return t;
}

/* echo a, b; unset($a); and `<?= x ?>`: a call of the construct's name. */
static struct ir_node *construct_call(struct php_lower *L, struct ast_node n, const char *name)
{
	struct ir_node *e = php_node(L, IR_EXPR, n), *call = php_node(L, IR_CALL, n),
		       *callee = php_node(L, IR_NAME, n);
	if (!e || !call || !callee)
		return NULL;
	callee->text = name;
	callee->len = (uint32_t)strlen(name);
	callee->end = callee->start + callee->len;
	call->a = callee;
	e->a = call;
	return e;
}

/* The arguments of echo: a, b, c is a right-nested sequence (a, (b, c)). */
static void add_sequence(struct php_lower *L, struct ir_node *call, struct ast_node s, int depth)
{
	while (ast_is(s, "sequence_expression")) {
		uint32_t i = 0;
		struct ast_node c = php_kid(s, &i), next = php_kid(s, &i);
		for (; !ast_is_null(next); c = next, next = php_kid(s, &i))
			ir_node_add(L->f, call, php_expr(L, c, depth + 1));
		s = c;
	}
	if (!ast_is_null(s))
		ir_node_add(L->f, call, php_expr(L, s, depth + 1));
}

/* `<?= x ?>` echoes x: the statement follows the tag (wherever the grammar put the tag). */
static bool after_echo_tag(struct php_lower *L, struct ast_node n)
{
	uint32_t p = ast_start(n);
	while (p > 0 && (L->src[p - 1] == ' ' || L->src[p - 1] == '\t' || L->src[p - 1] == '\n' ||
			 L->src[p - 1] == '\r'))
		p--;
	/* the tag, not the same bytes at the end of a comment */
	return p >= 3 && memcmp(L->src + p - 3, "<?=", 3) == 0 &&
	       ast_is(ast_at(L->syn, p - 3, p), "php_tag");
}

/* Whether only blanks lie between the offsets. */
static bool blank_between(struct php_lower *L, uint32_t a, uint32_t b)
{
	for (uint32_t i = a; i < b; i++)
		if (L->src[i] != ' ' && L->src[i] != '\t' && L->src[i] != '\n' && L->src[i] != '\r')
			return false;
	return true;
}

static void expression_statement(struct php_lower *L, struct ir_node *block, struct ast_node n,
				 int depth)
{
	struct ast_node x = php_first(n);
	if (ast_is_null(x))
		return;
	if (L->echo_call && blank_between(L, L->echo_end, ast_start(n))) {
		/* the end of `<?= $a, $b ?>`: see stmt_into */
		add_sequence(L, L->echo_call, x, depth);
		L->echo_call = NULL;
		return;
	}
	if (after_echo_tag(L, n)) {
		struct ir_node *echo = construct_call(L, n, "echo");
		if (echo)
			add_sequence(L, echo->a, x, depth);
		ir_node_add(L->f, block, echo);
		return;
	}
	struct ir_node *v = php_expr(L, x, depth + 1);
	/* die('x'); and throw $e; stand as statements */
	if (v && v->kind == IR_THROW) {
		ir_node_add(L->f, block, v);
		return;
	}
	struct ir_node *e = php_node(L, IR_EXPR, n);
	if (e)
		e->a = v;
	ir_node_add(L->f, block, e);
}

/* const A = 1, B = 2; static $x = 1; : one IR_DECL a name */
static void declarations(struct php_lower *L, struct ir_node *block, struct ast_node n,
			 bool is_const, int depth)
{
	struct php_iter it;
	php_iter_named(L, n, &it);
	for (struct ast_node c; !ast_is_null(c = php_next(&it));) {
		struct ast_node name, value;
		if (is_const && ast_is(c, "const_element")) {
			uint32_t k = 0;
			name = php_kid(c, &k);
			value = php_kid(c, &k);
		} else if (!is_const && ast_is(c, "static_variable_declaration")) {
			name = ast_field(c, "name");
			value = ast_field(c, "value");
			if (ast_is_null(value))
				continue; /* static $x; declares nothing to follow */
		} else {
			continue;
		}
		struct ir_node *d = php_node(L, IR_DECL, c);
		if (!d)
			break;
		if (is_const)
			d->flags |= IR_F_CONST;
		d->a = php_expr(L, name, depth + 1);
		if (!ast_is_null(value))
			d->b = php_expr_named(L, value, d->a ? d->a->text : NULL, depth + 1);
		ir_node_add(L->f, block, d);
	}
	php_iter_free(&it);
}

static struct ir_node *simple(struct php_lower *L, enum ir_kind kind, struct ast_node n, int depth)
{
	struct ir_node *s = php_node(L, kind, n);
	struct ast_node x = php_first(n);
	if (s && !ast_is_null(x) && (kind == IR_RETURN || kind == IR_THROW))
		s->a = php_expr(L, x, depth + 1);
	if (s && kind == IR_THROW)
		s->flags |= IR_F_EXIT;
	return s;
}

static void stmt_into(struct php_lower *L, struct ir_node *block, struct ast_node n, int depth)
{
	if (ast_is_null(n) || ast_is(n, "comment"))
		return;
	if (depth > LOWER_MAX_DEPTH) {
		ir_node_add(L->f, block, php_trunc(L, n));
		return;
	}
	const char *t = ast_type(n);
	struct ir_node *s = NULL;
	if (!strcmp(t, "php_tag") || !strcmp(t, "text_interpolation"))
		return;
	if (!strcmp(t, "ERROR") && ast_is_null(php_first(n)))
		return; /* a stray token */
	struct ir_node *echo_call = L->echo_call;
	L->echo_call = NULL;
	if (!strcmp(t, "ERROR") && after_echo_tag(L, n)) {
		/* `<?= $a, $b ?>`: the grammar reads `$a,` as an error before the statement $b */
		struct ir_node *echo = construct_call(L, n, "echo");
		struct php_iter it;
		php_iter_named(L, n, &it);
		for (struct ast_node c; !ast_is_null(c = php_next(&it));)
			if (echo)
				ir_node_add(L->f, echo->a, php_any(L, c, depth + 1));
		ir_node_add(L->f, block, echo);
		L->echo_call = echo ? echo->a : NULL;
		L->echo_end = ast_end(n);
		return;
	}
	if (!strcmp(t, "expression_statement")) {
		L->echo_call = echo_call;
		expression_statement(L, block, n, depth);
	} else if (!strcmp(t, "compound_statement") || !strcmp(t, "colon_block"))
		s = php_block(L, n, depth);
	else if (!strcmp(t, "echo_statement")) {
		if ((s = construct_call(L, n, "echo")))
			add_sequence(L, s->a, php_first(n), depth);
	} else if (!strcmp(t, "unset_statement")) {
		s = construct_call(L, n, "unset");
		struct php_iter it;
		php_iter_named(L, n, &it);
		for (struct ast_node c; !ast_is_null(c = php_next(&it));)
			if (s)
				ir_node_add(L->f, s->a, php_expr(L, c, depth + 1));
	} else if (!strcmp(t, "if_statement"))
		s = if_statement(L, n, depth);
	else if (!strcmp(t, "switch_statement"))
		s = switch_statement(L, n, depth);
	else if (!strcmp(t, "while_statement") || !strcmp(t, "do_statement")) {
		s = loop(L, n, !strcmp(t, "while_statement") ? IR_LOOP_WHILE : IR_LOOP_DO);
		if (s) {
			s->a = cond_of(L, n, depth);
			s->b = php_block(L, ast_field(n, "body"), depth);
		}
	} else if (!strcmp(t, "for_statement"))
		for_statement(L, block, n, depth);
	else if (!strcmp(t, "foreach_statement"))
		s = foreach_statement(L, n, depth);
	else if (!strcmp(t, "try_statement"))
		s = try_statement(L, n, depth);
	else if (!strcmp(t, "return_statement"))
		s = simple(L, IR_RETURN, n, depth);
	else if (!strcmp(t, "exit_statement"))
		s = simple(L, IR_THROW, n, depth);
	else if (!strcmp(t, "break_statement"))
		s = simple(L, IR_BREAK, n, depth);
	else if (!strcmp(t, "continue_statement"))
		s = simple(L, IR_CONTINUE, n, depth);
	else if (!strcmp(t, "const_declaration"))
		declarations(L, block, n, true, depth);
	else if (!strcmp(t, "function_static_declaration"))
		declarations(L, block, n, false, depth);
	else if (!strcmp(t, "function_definition")) {
		struct ast_node name = ast_field(n, "name");
		int32_t fi = php_function(L, n, php_text(L, name), 0, -1, depth);
		if (fi >= 0)
			s = L->f->funcs[fi].node;
	} else if (!strcmp(t, "class_declaration") || !strcmp(t, "interface_declaration") ||
		   !strcmp(t, "trait_declaration") || !strcmp(t, "enum_declaration"))
		s = php_class(L, n, depth);
	else if (!strcmp(t, "namespace_definition")) {
		struct ast_node name = ast_field(n, "name");
		if (!ast_is_null(name) && !*L->f->namespace_name)
			L->f->namespace_name = php_name(L, name);
		struct ast_node body = ast_field(n, "body");
		if (!ast_is_null(body))
			php_stmts_into(L, block, body, depth + 1);
	} else if (!strcmp(t, "namespace_use_declaration"))
		php_use_declaration(L, n);
	else if (!strcmp(t, "declare_statement")) {
		/* declare(strict_types=1) says nothing to the checks; a block form holds code */
		struct php_iter it;
		php_iter_named(L, n, &it);
		for (struct ast_node c; !ast_is_null(c = php_next(&it));)
			if (php_is_statement(c))
				stmt_into(L, block, c, depth + 1);
	} else if (!strcmp(t, "global_declaration") || !strcmp(t, "empty_statement") ||
		   !strcmp(t, "text") || !strcmp(t, "goto_statement") ||
		   !strcmp(t, "named_label_statement"))
		return;
	else {
		struct ir_node *e = php_expr(L, n, depth + 1);
		if (e && e->kind < IR_BLOCK) {
			s = php_node(L, IR_EXPR, n);
			if (s)
				s->a = e;
		} else {
			s = e;
		}
	}
	ir_node_add(L->f, block, s);
}

int php_lower(struct ir_file *f, const struct syntax *syn)
{
	struct ast_node root = ast_root(syn);
	size_t len = 0;
	const char *text = ast_text(syn, root, &len);
	struct php_lower L = {.f = f, .syn = syn, .src = text - ast_start(root), .func = 0};
	struct ir_node *body = f->funcs[0].body;
	body->start = ast_start(root);
	body->end = ast_end(root);
	php_stmts_into(&L, body, root, 0);
	f->html = php_writes_html(syn);
	f->script = !f->html && php_echoes_lines(syn);
	if (L.oom)
		return error_set("out of memory");
	return 0;
}
