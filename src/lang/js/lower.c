/* Lowering of JavaScript, TypeScript and TSX into the flow form (flow/ir.h): the entry,
 * the helpers the other files share, and the statements. */
#include "lang/js/lower_js.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"

/* ---- helpers ---- */

void jsl_kids(struct jsl *L, struct jsl_kids *k, struct ast_node n, bool named)
{
	uint32_t total = named ? ast_named_count(n) : ast_count(n);
	k->v = k->small;
	k->n = 0;
	if (total > sizeof k->small / sizeof k->small[0]) {
		k->v = malloc(total * sizeof *k->v);
		if (!k->v) {
			L->oom = true;
			k->v = k->small;
			return;
		}
	}
	for (uint32_t i = 0; i < total; i++) {
		struct ast_node c = named ? ast_named_child(n, i) : ast_child(n, i);
		if (ast_is_null(c))
			break;
		if (named && (ast_is(c, "comment") || ast_is(c, "html_comment")))
			continue;
		k->v[k->n++] = c;
	}
}

void jsl_kids_free(struct jsl_kids *k)
{
	if (k->v != k->small)
		free(k->v);
	k->v = k->small;
	k->n = 0;
}

struct ast_node jsl_first(struct ast_node n)
{
	uint32_t count = ast_named_count(n);
	for (uint32_t i = 0; i < count; i++) {
		struct ast_node c = ast_named_child(n, i);
		if (!ast_is(c, "comment") && !ast_is(c, "html_comment"))
			return c;
	}
	return ast_named_child(n, count); /* a null node */
}

bool jsl_has(struct jsl *L, struct ast_node n, const char *type)
{
	uint32_t count = ast_count(n);
	for (uint32_t i = 0; i < count; i++)
		if (ast_is(ast_child(n, i), type))
			return true;
	return false;
}

struct ir_node *jsl_node(struct jsl *L, enum ir_kind kind, struct ast_node n)
{
	return ir_node_new(L->f, kind, ast_start(n), ast_end(n), ast_line(n));
}

const char *jsl_text(struct jsl *L, struct ast_node n)
{
	size_t len = 0;
	const char *s = ast_is_null(n) ? "" : ast_text(L->syn, n, &len);
	return ir_strndup(L->f, s, len);
}

const char *jsl_type_text(struct jsl *L, struct ast_node n)
{
	if (ast_is_null(n))
		return NULL;
	size_t len = 0;
	const char *s = ast_text(L->syn, n, &len);
	while (len && (*s == ':' || *s == '?' || *s == ' ' || *s == '\t' || *s == '\n')) {
		s++;
		len--;
	}
	return ir_strndup(L->f, s, len);
}

struct ir_node *jsl_cut(struct jsl *L, struct ast_node n)
{
	struct ir_node *x = jsl_node(L, IR_OTHER, n);
	if (x)
		x->flags |= IR_F_TRUNC;
	L->f->truncated = true;
	return x;
}

void *jsl_grow(struct jsl *L, void *array, uint32_t n, size_t size)
{
	uint32_t cap = 4;
	while (cap < n)
		cap *= 2;
	if (n && n < cap)
		return array;
	char *p = ir_alloc(L->f, (n ? cap * 2 : 4) * size);
	if (p && n)
		memcpy(p, array, n * size);
	return p;
}

/* ---- statements ---- */

struct ir_node *jsl_block(struct jsl *L, struct ast_node n, int depth)
{
	struct ir_node *b = jsl_node(L, IR_BLOCK, n);
	if (!ast_is(n, "statement_block")) {
		jsl_stmt(L, n, b, depth);
		return b;
	}
	struct jsl_kids k;
	jsl_kids(L, &k, n, true);
	for (uint32_t i = 0; i < k.n; i++)
		jsl_stmt(L, k.v[i], b, depth + 1);
	jsl_kids_free(&k);
	return b;
}

/* A statement standing where one is expected (if/else branches, loop bodies): a
 * declaration of two names is a block of two. The statement is first lowered into a
 * holder outside the node table, so no block is left unused. */
static struct ir_node *stmt_one(struct jsl *L, struct ast_node n, int depth)
{
	if (ast_is_null(n))
		return NULL;
	if (ast_is(n, "statement_block"))
		return jsl_block(L, n, depth);
	struct ir_node *holder = ir_alloc(L->f, sizeof *holder);
	if (!holder)
		return NULL;
	jsl_stmt(L, n, holder, depth);
	if (holder->nkids == 1)
		return holder->kids[0];
	struct ir_node *b = jsl_node(L, IR_BLOCK, n);
	for (uint32_t i = 0; b && i < holder->nkids; i++)
		ir_node_add(L->f, b, holder->kids[i]);
	return b;
}

/* let / const / var / using: one IR_DECL per declarator. */
static void stmt_decl(struct jsl *L, struct ast_node n, struct ir_node *block, bool is_const,
		      int depth)
{
	struct jsl_kids k;
	jsl_kids(L, &k, n, true);
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node d = k.v[i];
		if (!ast_is(d, "variable_declarator"))
			continue;
		struct ir_node *x = jsl_node(L, IR_DECL, d);
		if (!x)
			break;
		if (is_const)
			x->flags |= IR_F_CONST;
		struct ast_node name = ast_field(d, "name");
		x->a = jsl_pattern(L, name, depth + 1);
		const char *bind = ast_is(name, "identifier") ? jsl_text(L, name) : NULL;
		x->b = jsl_value(L, ast_field(d, "value"), bind, depth + 1);
		ir_node_add(L->f, block, x);
	}
	jsl_kids_free(&k);
}

/* The condition of if/while/switch is written in parentheses. */
static struct ir_node *cond_expr(struct jsl *L, struct ast_node n, int depth)
{
	return jsl_expr(L, jsl_unwrap(n), depth);
}

static struct ir_node *stmt_if(struct jsl *L, struct ast_node n, int depth)
{
	struct ir_node *x = jsl_node(L, IR_IF, n);
	if (!x)
		return NULL;
	x->a = cond_expr(L, ast_field(n, "condition"), depth + 1);
	x->b = stmt_one(L, ast_field(n, "consequence"), depth + 1);
	struct ast_node alt = ast_field(n, "alternative");
	if (ast_is(alt, "else_clause"))
		alt = jsl_first(alt);
	x->c = stmt_one(L, alt, depth + 1);
	return x;
}

/* A case's statements follow its `:`. */
static struct ir_node *switch_case(struct jsl *L, struct ast_node n, int depth)
{
	struct ir_node *c = jsl_node(L, IR_CASE, n);
	if (!c)
		return NULL;
	struct ast_node value = ast_field(n, "value");
	if (!ast_is_null(value))
		ir_node_add(L->f, c, jsl_expr(L, value, depth + 1));
	struct ir_node *body = jsl_node(L, IR_BLOCK, n);
	struct jsl_kids k;
	jsl_kids(L, &k, n, false);
	bool after_colon = false;
	for (uint32_t i = 0; i < k.n; i++) {
		if (ast_is(k.v[i], ":"))
			after_colon = true;
		else if (after_colon && !ast_is(k.v[i], "comment"))
			jsl_stmt(L, k.v[i], body, depth + 1);
	}
	jsl_kids_free(&k);
	if (body && body->nkids)
		body->start = body->kids[0]->start, body->line = body->kids[0]->line;
	c->b = body;
	return c;
}

static struct ir_node *stmt_switch(struct jsl *L, struct ast_node n, int depth)
{
	struct ir_node *x = jsl_node(L, IR_SWITCH, n);
	if (!x)
		return NULL;
	x->a = cond_expr(L, ast_field(n, "value"), depth + 1);
	struct jsl_kids k;
	jsl_kids(L, &k, ast_field(n, "body"), true);
	for (uint32_t i = 0; i < k.n; i++)
		if (ast_is(k.v[i], "switch_case") || ast_is(k.v[i], "switch_default"))
			ir_node_add(L->f, x, switch_case(L, k.v[i], depth + 1));
	jsl_kids_free(&k);
	return x;
}

/* for (init; cond; update): the init stands before the loop, both in one block. */
static void stmt_for(struct jsl *L, struct ast_node n, struct ir_node *block, int depth)
{
	struct ir_node *loop = jsl_node(L, IR_LOOP, n);
	if (!loop)
		return;
	loop->op = IR_LOOP_FOR;
	struct ast_node init = ast_field(n, "initializer");
	struct ir_node *wrap = NULL;
	if (!ast_is_null(init) && !ast_is(init, "empty_statement")) {
		wrap = jsl_node(L, IR_BLOCK, n);
		jsl_stmt(L, init, wrap, depth + 1);
	}
	struct ast_node cond = ast_field(n, "condition");
	if (ast_is(cond, "expression_statement"))
		cond = jsl_first(cond);
	if (!ast_is(cond, "empty_statement") && !ast_is(cond, ";"))
		loop->a = jsl_expr(L, cond, depth + 1);
	loop->c = jsl_expr(L, ast_field(n, "increment"), depth + 1);
	loop->b = stmt_one(L, ast_field(n, "body"), depth + 1);
	if (wrap) {
		ir_node_add(L->f, wrap, loop);
		loop = wrap;
	}
	ir_node_add(L->f, block, loop);
}

static struct ir_node *stmt_for_in(struct jsl *L, struct ast_node n, int depth)
{
	struct ir_node *x = jsl_node(L, IR_LOOP, n);
	if (!x)
		return NULL;
	x->op = IR_LOOP_FOREACH;
	if (jsl_has(L, n, "await"))
		x->flags |= IR_F_ASYNC;
	x->a = jsl_expr(L, ast_field(n, "right"), depth + 1);
	x->b = stmt_one(L, ast_field(n, "body"), depth + 1);
	x->c = jsl_pattern(L, ast_field(n, "left"), depth + 1);
	return x;
}

static struct ir_node *stmt_loop(struct jsl *L, struct ast_node n, enum ir_op op, int depth)
{
	struct ir_node *x = jsl_node(L, IR_LOOP, n);
	if (!x)
		return NULL;
	x->op = (uint8_t)op;
	x->a = cond_expr(L, ast_field(n, "condition"), depth + 1);
	x->b = stmt_one(L, ast_field(n, "body"), depth + 1);
	return x;
}

static struct ir_node *stmt_try(struct jsl *L, struct ast_node n, int depth)
{
	struct ir_node *x = jsl_node(L, IR_TRY, n);
	if (!x)
		return NULL;
	x->a = jsl_block(L, ast_field(n, "body"), depth + 1);
	struct ast_node h = ast_field(n, "handler");
	if (!ast_is_null(h)) {
		struct ir_node *c = jsl_node(L, IR_CATCH, h);
		if (c) {
			c->a = jsl_pattern(L, ast_field(h, "parameter"), depth + 1);
			const char *type = jsl_type_text(L, ast_field(h, "type"));
			if (type) {
				c->text = type;
				c->len = (uint32_t)strlen(type);
			}
			c->b = jsl_block(L, ast_field(h, "body"), depth + 1);
			ir_node_add(L->f, x, c);
		}
	}
	struct ast_node fin = ast_field(n, "finalizer");
	if (!ast_is_null(fin))
		x->c = jsl_block(L, ast_field(fin, "body"), depth + 1);
	return x;
}

/* return / throw: the value, a sequence as one IR_OTHER. */
static struct ir_node *stmt_value(struct jsl *L, struct ast_node n, enum ir_kind kind, int depth)
{
	struct ir_node *x = jsl_node(L, kind, n);
	if (x)
		x->a = jsl_expr(L, jsl_first(n), depth + 1);
	return x;
}

/* TypeScript's enum: a const object of its members. A member without a value takes
 * the next number, as the compiler gives it. */
static struct ir_node *stmt_enum(struct jsl *L, struct ast_node n, int depth)
{
	struct ir_node *x = jsl_node(L, IR_DECL, n);
	if (!x)
		return NULL;
	x->flags |= IR_F_CONST;
	x->a = jsl_pattern(L, ast_field(n, "name"), depth + 1);
	struct ast_node body = ast_field(n, "body");
	struct ir_node *obj = jsl_node(L, IR_OBJECT, body);
	x->b = obj;
	struct jsl_kids k;
	jsl_kids(L, &k, body, true);
	double next = 0;
	bool counting = true;
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node m = k.v[i], name = m, value = {0};
		if (ast_is(m, "enum_assignment")) {
			name = ast_field(m, "name");
			value = ast_field(m, "value");
		}
		struct ir_node *p = jsl_node(L, IR_PAIR, m);
		if (!p)
			break;
		p->text = jsl_key_text(L, name);
		p->len = p->text ? (uint32_t)strlen(p->text) : 0;
		if (!ast_is_null(value)) {
			p->b = jsl_expr(L, value, depth + 1);
			counting = p->b && p->b->kind == IR_NUMBER;
			if (counting)
				next = p->b->num + 1;
		} else if (counting) {
			p->b = jsl_node(L, IR_NUMBER, m);
			if (p->b)
				p->b->num = next++;
		}
		ir_node_add(L->f, obj, p);
	}
	jsl_kids_free(&k);
	return x;
}

/* namespace N { ... } / module M { ... }: its statements stand in the enclosing block. */
static void stmt_namespace(struct jsl *L, struct ast_node n, struct ir_node *block, int depth)
{
	struct ast_node body = ast_field(n, "body");
	if (!ast_is(body, "statement_block"))
		return;
	L->in_namespace++;
	struct jsl_kids k;
	jsl_kids(L, &k, body, true);
	for (uint32_t i = 0; i < k.n; i++)
		jsl_stmt(L, k.v[i], block, depth + 1);
	jsl_kids_free(&k);
	L->in_namespace--;
}

/* An expression statement; TS parses `using x = f()` and `namespace N {}` as ones. */
static void stmt_expr(struct jsl *L, struct ast_node n, struct ir_node *block, int depth)
{
	struct ast_node e = jsl_first(n);
	if (ast_is(e, "internal_module")) {
		stmt_namespace(L, e, block, depth);
		return;
	}
	if (ast_is(e, "assignment_expression") && ast_is(ast_child(e, 0), "using")) {
		struct ir_node *x = jsl_node(L, IR_DECL, e);
		if (x) {
			x->flags |= IR_F_CONST;
			struct ast_node name = ast_field(e, "left");
			x->a = jsl_pattern(L, name, depth + 1);
			const char *bind = ast_is(name, "identifier") ? jsl_text(L, name) : NULL;
			x->b = jsl_value(L, ast_field(e, "right"), bind, depth + 1);
			ir_node_add(L->f, block, x);
		}
		return;
	}
	struct ir_node *x = jsl_node(L, IR_EXPR, n);
	if (x) {
		x->a = jsl_expr(L, e, depth + 1);
		ir_node_add(L->f, block, x);
	}
}

/* Statements that leave nothing in the flow form: types, ambient declarations,
 * overload signatures, the debugger. */
static const char *const dropped[] = {"empty_statement",
				      "debugger_statement",
				      "interface_declaration",
				      "type_alias_declaration",
				      "ambient_declaration",
				      "function_signature",
				      "abstract_method_signature",
				      "import_alias",
				      "hash_bang_line",
				      "comment",
				      "html_comment",
				      ";"};

static bool is_dropped(struct ast_node n)
{
	for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++)
		if (ast_is(n, dropped[i]))
			return true;
	return false;
}

void jsl_stmt(struct jsl *L, struct ast_node n, struct ir_node *block, int depth)
{
	if (ast_is_null(n) || is_dropped(n))
		return;
	if (depth > LOWER_MAX_DEPTH) {
		ir_node_add(L->f, block, jsl_cut(L, n));
		return;
	}
	struct ir_node *x = NULL;
	if (ast_is(n, "expression_statement")) {
		stmt_expr(L, n, block, depth);
	} else if (ast_is(n, "lexical_declaration")) {
		stmt_decl(L, n, block, ast_is(ast_field(n, "kind"), "const"), depth);
	} else if (ast_is(n, "variable_declaration")) {
		stmt_decl(L, n, block, false, depth);
	} else if (ast_is(n, "statement_block")) {
		x = jsl_block(L, n, depth);
	} else if (ast_is(n, "if_statement")) {
		x = stmt_if(L, n, depth);
	} else if (ast_is(n, "switch_statement")) {
		x = stmt_switch(L, n, depth);
	} else if (ast_is(n, "for_statement")) {
		stmt_for(L, n, block, depth);
	} else if (ast_is(n, "for_in_statement")) {
		x = stmt_for_in(L, n, depth);
	} else if (ast_is(n, "while_statement")) {
		x = stmt_loop(L, n, IR_LOOP_WHILE, depth);
	} else if (ast_is(n, "do_statement")) {
		x = stmt_loop(L, n, IR_LOOP_DO, depth);
	} else if (ast_is(n, "try_statement")) {
		x = stmt_try(L, n, depth);
	} else if (ast_is(n, "return_statement")) {
		x = stmt_value(L, n, IR_RETURN, depth);
	} else if (ast_is(n, "throw_statement")) {
		x = stmt_value(L, n, IR_THROW, depth);
	} else if (ast_is(n, "break_statement")) {
		x = jsl_node(L, IR_BREAK, n);
	} else if (ast_is(n, "continue_statement")) {
		x = jsl_node(L, IR_CONTINUE, n);
	} else if (ast_is(n, "labeled_statement")) {
		jsl_stmt(L, ast_field(n, "body"), block, depth + 1);
	} else if (ast_is(n, "function_declaration") ||
		   ast_is(n, "generator_function_declaration")) {
		x = jsl_func(L, n, NULL, 0, depth);
	} else if (ast_is(n, "class_declaration") || ast_is(n, "abstract_class_declaration")) {
		x = jsl_class(L, n, NULL, (struct ast_node){0}, depth);
	} else if (ast_is(n, "import_statement")) {
		jsl_import(L, n);
	} else if (ast_is(n, "export_statement")) {
		jsl_export(L, n, block, depth);
	} else if (ast_is(n, "enum_declaration")) {
		x = stmt_enum(L, n, depth);
	} else if (ast_is(n, "internal_module") || ast_is(n, "module")) {
		stmt_namespace(L, n, block, depth);
	} else if (ast_is(n, "with_statement")) {
		struct ir_node *e = jsl_node(L, IR_EXPR, n);
		if (e)
			e->a = cond_expr(L, ast_field(n, "object"), depth + 1);
		ir_node_add(L->f, block, e);
		jsl_stmt(L, ast_field(n, "body"), block, depth + 1);
	} else if (ast_is(n, "ERROR")) {
		/* what the parser could not place: its parts, as statements of the block */
		struct jsl_kids k;
		jsl_kids(L, &k, n, true);
		for (uint32_t i = 0; i < k.n; i++)
			jsl_stmt(L, k.v[i], block, depth + 1);
		jsl_kids_free(&k);
	} else {
		/* an expression where a statement stands (inside an ERROR) */
		x = jsl_node(L, IR_EXPR, n);
		if (x)
			x->a = jsl_expr(L, n, depth + 1);
	}
	ir_node_add(L->f, block, x);
}

int js_lower(struct ir_file *f, const struct syntax *syn)
{
	struct jsl L = {.f = f, .syn = syn};
	struct ast_node root = ast_root(syn);
	struct ir_node *body = f->funcs[0].body;
	body->start = ast_start(root);
	body->end = ast_end(root);
	f->funcs[0].start = body->start;
	f->funcs[0].end = body->end;
	f->funcs[0].line = 1;
	struct jsl_kids k;
	jsl_kids(&L, &k, root, true);
	for (uint32_t i = 0; i < k.n; i++)
		jsl_stmt(&L, k.v[i], body, 1);
	jsl_kids_free(&k);
	jsl_exports_mark(&L);
	if (L.oom || ir_file_oom(f))
		return error_set("%s: out of memory", f->path);
	return 0;
}
