/* Python statements. */
#include <string.h>

#include "lang/lower.h"
#include "lang/python/lower_python.h"

typedef void (*stmt_fn)(struct py *p, struct ast_node n, struct ir_node *out, int depth);

/* A suite as an IR_BLOCK (around: the statement, for the span of a missing suite). */
static struct ir_node *block_of(struct py *p, struct ast_node block, struct ast_node around,
				int depth)
{
	struct ir_node *b = py_node(p, IR_BLOCK, ast_is_null(block) ? around : block);
	py_block(p, block, b, depth + 1, false);
	return b;
}

/* The child of n of the given type, or a null node. */
static struct ast_node kid_of_type(struct py *p, struct ast_node n, const char *type)
{
	struct py_kids k = py_kids(p, n, true);
	struct ast_node found = {0};
	for (uint32_t i = 0; i < k.n && ast_is_null(found); i++)
		if (ast_is(py_kid(p, k, i), type))
			found = py_kid(p, k, i);
	py_kids_done(p, k);
	return found;
}

static struct ir_node *wrap(struct py *p, enum ir_kind kind, struct ast_node n, struct ir_node *a)
{
	struct ir_node *w = py_node(p, kind, n);
	if (w)
		w->a = a;
	return w;
}

static void st_expression(struct py *p, struct ast_node n, struct ir_node *out, int depth)
{
	struct py_kids k = py_kids(p, n, true);
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node c = py_kid(p, k, i);
		struct ir_node *e = ast_is(c, "assignment") || ast_is(c, "augmented_assignment")
					? py_assign(p, c, depth + 1)
					: py_expr(p, c, depth + 1);
		if (e)
			ir_node_add(p->f, out, wrap(p, IR_EXPR, n, e));
	}
	py_kids_done(p, k);
}

static void st_return(struct py *p, struct ast_node n, struct ir_node *out, int depth)
{
	enum ir_kind kind = ast_is(n, "return_statement") ? IR_RETURN : IR_THROW;
	/* raise X from e: the cause is dropped, X is what is raised */
	struct ir_node *r = py_node(p, kind, n);
	ir_node_add(p->f, out, r);
	if (r)
		r->a = py_expr(p, py_first(p, n), depth + 1);
}

static void st_jump(struct py *p, struct ast_node n, struct ir_node *out, int depth)
{
	(void)depth;
	ir_node_add(p->f, out,
		    py_node(p, ast_is(n, "break_statement") ? IR_BREAK : IR_CONTINUE, n));
}

static void st_drop(struct py *p, struct ast_node n, struct ir_node *out, int depth)
{
	(void)p, (void)n, (void)out, (void)depth;
}

/* if / elif / else: each elif is an IR_IF in the previous one's c. */
static void st_if(struct py *p, struct ast_node n, struct ir_node *out, int depth)
{
	struct ir_node *iff = py_node(p, IR_IF, n);
	if (!iff)
		return;
	ir_node_add(p->f, out, iff);
	iff->a = py_expr(p, ast_field(n, "condition"), depth + 1);
	iff->b = block_of(p, ast_field(n, "consequence"), n, depth);
	struct py_kids k = py_kids(p, n, true);
	struct ir_node *cur = iff;
	int level = depth;
	for (uint32_t i = 0; i < k.n && cur; i++) {
		struct ast_node c = py_kid(p, k, i);
		if (ast_is(c, "else_clause")) {
			cur->c = block_of(p, ast_field(c, "body"), c, level);
		} else if (ast_is(c, "elif_clause")) {
			if (++level > LOWER_MAX_DEPTH) {
				cur->c = py_trunc(p, c);
				break;
			}
			struct ir_node *elif = py_node(p, IR_IF, c);
			if (elif) {
				elif->a = py_expr(p, ast_field(c, "condition"), level + 1);
				elif->b = block_of(p, ast_field(c, "consequence"), c, level);
			}
			cur->c = elif;
			cur = elif;
		}
	}
	py_kids_done(p, k);
}

/* A loop's else runs when the loop ends without break: kept after the loop. */
static void loop_else(struct py *p, struct ast_node n, struct ir_node *out, int depth)
{
	struct ast_node e = kid_of_type(p, n, "else_clause");
	if (!ast_is_null(e))
		ir_node_add(p->f, out, block_of(p, ast_field(e, "body"), e, depth));
}

static void st_for(struct py *p, struct ast_node n, struct ir_node *out, int depth)
{
	struct ir_node *loop = py_node(p, IR_LOOP, n);
	if (!loop)
		return;
	ir_node_add(p->f, out, loop);
	loop->op = IR_LOOP_FOREACH;
	if (ast_is(ast_child(n, 0), "async"))
		loop->flags |= IR_F_ASYNC;
	loop->c = py_target(p, ast_field(n, "left"), depth + 1);
	loop->a = py_expr(p, ast_field(n, "right"), depth + 1);
	loop->b = block_of(p, ast_field(n, "body"), n, depth);
	loop_else(p, n, out, depth);
}

static void st_while(struct py *p, struct ast_node n, struct ir_node *out, int depth)
{
	struct ir_node *loop = py_node(p, IR_LOOP, n);
	if (!loop)
		return;
	ir_node_add(p->f, out, loop);
	loop->op = IR_LOOP_WHILE;
	loop->a = py_expr(p, ast_field(n, "condition"), depth + 1);
	loop->b = block_of(p, ast_field(n, "body"), n, depth);
	loop_else(p, n, out, depth);
}

/* The caught types as written, '|'-joined: except (A, B) -> "A|B". */
static const char *caught_types(struct py *p, struct ast_node type)
{
	while (ast_is(type, "parenthesized_expression"))
		type = py_first(p, type);
	if (!ast_is(type, "tuple"))
		return py_text(p, type);
	struct py_kids k = py_kids(p, type, true);
	size_t total = 0, len;
	for (uint32_t i = 0; i < k.n; i++) {
		ast_text(p->syn, py_kid(p, k, i), &len);
		total += len + 1;
	}
	char *s = ir_alloc(p->f, total + 1);
	size_t at = 0;
	for (uint32_t i = 0; s && i < k.n; i++) {
		const char *t = ast_text(p->syn, py_kid(p, k, i), &len);
		if (i)
			s[at++] = '|';
		memcpy(s + at, t, len);
		at += len;
	}
	py_kids_done(p, k);
	return s;
}

/* except T as e: / except T, e: (Python 2) / except* T as e: / except: */
static struct ir_node *catch_clause(struct py *p, struct ast_node n, int depth)
{
	struct ir_node *c = py_node(p, IR_CATCH, n);
	if (!c)
		return NULL;
	struct ast_node type = {0}, alias = {0}, block = {0};
	struct py_kids k = py_kids(p, n, true);
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node x = py_kid(p, k, i);
		if (ast_is(x, "block"))
			block = x;
		else if (ast_is_null(type))
			type = x;
		else if (ast_is_null(alias))
			alias = x;
	}
	py_kids_done(p, k);
	if (ast_is(type, "list_splat")) /* except* T, read by this grammar as a splat */
		type = py_first(p, type);
	if (ast_is(type, "as_pattern")) {
		alias = ast_field(type, "alias");
		type = py_first(p, type);
	}
	if (ast_is(alias, "as_pattern_target"))
		alias = py_first(p, alias);
	if (!ast_is_null(type))
		py_set_text(c, caught_types(p, type));
	c->a = py_target(p, alias, depth + 1);
	c->b = block_of(p, block, n, depth);
	return c;
}

/* try/except/else/finally: the else block runs after the body when nothing was raised,
 * so its statements are appended to the body. */
static void st_try(struct py *p, struct ast_node n, struct ir_node *out, int depth)
{
	struct ir_node *t = py_node(p, IR_TRY, n);
	if (!t)
		return;
	ir_node_add(p->f, out, t);
	t->a = block_of(p, ast_field(n, "body"), n, depth);
	struct py_kids k = py_kids(p, n, true);
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node c = py_kid(p, k, i);
		if (ast_is(c, "except_clause") || ast_is(c, "except_group_clause"))
			ir_node_add(p->f, t, catch_clause(p, c, depth + 1));
		else if (ast_is(c, "else_clause"))
			py_block(p, ast_field(c, "body"), t->a, depth + 2, false);
		else if (ast_is(c, "finally_clause"))
			t->c = block_of(p, kid_of_type(p, c, "block"), c, depth);
	}
	py_kids_done(p, k);
}

/* One context manager: `a as b` declares b = a, a bare `a` is evaluated. */
static void with_item(struct py *p, struct ast_node v, struct ir_node *out, int depth)
{
	while (ast_is(v, "parenthesized_expression"))
		v = py_first(p, v);
	if (ast_is(v, "tuple")) { /* with (a as b, c): several managers */
		struct py_kids k = py_kids(p, v, true);
		for (uint32_t i = 0; i < k.n; i++)
			with_item(p, py_kid(p, k, i), out, depth + 1);
		py_kids_done(p, k);
		return;
	}
	if (!ast_is(v, "as_pattern")) {
		ir_node_add(p->f, out, wrap(p, IR_EXPR, v, py_expr(p, v, depth + 1)));
		return;
	}
	struct ir_node *d = py_node(p, IR_DECL, v);
	if (!d)
		return;
	ir_node_add(p->f, out, d);
	struct ast_node target = ast_field(v, "alias");
	if (ast_is(target, "as_pattern_target"))
		target = py_first(p, target);
	d->b = py_expr(p, py_first(p, v), depth + 1);
	d->a = py_target(p, target, depth + 1);
}

/* with a as b, c: body -> IR_BLOCK [DECL(b, a), EXPR(c), ...body] */
static void st_with(struct py *p, struct ast_node n, struct ir_node *out, int depth)
{
	struct ir_node *b = py_node(p, IR_BLOCK, n);
	if (!b)
		return;
	ir_node_add(p->f, out, b);
	struct py_kids k = py_kids(p, kid_of_type(p, n, "with_clause"), true);
	for (uint32_t i = 0; i < k.n; i++)
		if (ast_is(py_kid(p, k, i), "with_item"))
			with_item(p, ast_field(py_kid(p, k, i), "value"), b, depth + 1);
	py_kids_done(p, k);
	py_block(p, ast_field(n, "body"), b, depth + 1, false);
}

static void st_function(struct py *p, struct ast_node n, struct ir_node *out, int depth)
{
	struct ast_node def = n, decorated = {0};
	if (ast_is(n, "decorated_definition")) {
		decorated = n;
		def = ast_field(n, "definition");
	}
	int32_t index;
	if (ast_is(def, "class_definition"))
		py_class(p, def, decorated, out, true, depth);
	else if (ast_is(def, "function_definition"))
		ir_node_add(p->f, out, py_function(p, def, decorated, -1, depth, &index));
}

/* Case values: literals (a union gives several), a dotted value; nothing for `_` or a
 * capture name (a default); IR_OTHER for class, mapping and sequence patterns. */
static void case_values(struct py *p, struct ast_node n, struct ir_node *cs, int depth)
{
	if (depth > LOWER_MAX_DEPTH) {
		ir_node_add(p->f, cs, py_trunc(p, n));
		return;
	}
	if (ast_is(n, "case_pattern") || ast_is(n, "union_pattern")) {
		struct py_kids k = py_kids(p, n, false);
		bool negative = false;
		for (uint32_t i = 0; i < k.n; i++) {
			struct ast_node c = py_kid(p, k, i);
			if (ast_is(c, "-")) {
				negative = true;
			} else if (ast_is(c, "integer") || ast_is(c, "float")) {
				struct ir_node *v = py_expr(p, c, depth + 1);
				if (v && negative) {
					v->num = -v->num;
					v->start = ast_start(py_kid(p, k, i - 1));
				}
				ir_node_add(p->f, cs, v);
				negative = false;
			} else if (!ast_is(c, "|") && !ast_is(c, "_")) {
				case_values(p, c, cs, depth + 1);
			}
		}
		py_kids_done(p, k);
	} else if (ast_is(n, "as_pattern")) {
		case_values(p, py_first(p, n), cs, depth + 1);
	} else if (ast_is(n, "dotted_name")) {
		struct py_kids k = py_kids(p, n, true);
		struct ir_node *v = NULL;
		for (uint32_t i = 0; k.n > 1 && i < k.n; i++) {
			struct ast_node id = py_kid(p, k, i);
			struct ir_node *m = py_named(p, i ? IR_MEMBER : IR_NAME, id, id);
			if (m && v) {
				m->start = v->start;
				m->line = v->line;
				m->a = v;
			}
			v = m;
		}
		py_kids_done(p, k);
		ir_node_add(p->f, cs, v);
	} else if (ast_is(n, "string") || ast_is(n, "concatenated_string") || ast_is(n, "true") ||
		   ast_is(n, "false") || ast_is(n, "none")) {
		ir_node_add(p->f, cs, py_expr(p, n, depth + 1));
	} else {
		ir_node_add(p->f, cs, py_node(p, IR_OTHER, n));
	}
}

static struct ir_node *case_clause(struct py *p, struct ast_node n, int depth)
{
	struct ir_node *cs = py_node(p, IR_CASE, n);
	if (!cs)
		return NULL;
	struct py_kids k = py_kids(p, n, true);
	uint32_t patterns = 0;
	for (uint32_t i = 0; i < k.n; i++)
		patterns += ast_is(py_kid(p, k, i), "case_pattern");
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node c = py_kid(p, k, i);
		if (ast_is(c, "case_pattern") && patterns == 1) {
			case_values(p, c, cs, depth + 1);
		} else if (ast_is(c, "case_pattern")) {
			/* case a, b: a sequence pattern */
			if (i == 0)
				ir_node_add(p->f, cs, py_node(p, IR_OTHER, c));
		} else if (ast_is(c, "if_clause")) {
			/* a guard: the case is conditional, its condition's values kept */
			struct ir_node *g = py_node(p, IR_OTHER, c);
			ir_node_add(p->f, g, py_expr(p, py_first(p, c), depth + 1));
			ir_node_add(p->f, cs, g);
		} else if (ast_is(c, "block")) {
			cs->b = block_of(p, c, n, depth);
		}
	}
	py_kids_done(p, k);
	if (!cs->b)
		cs->b = block_of(p, (struct ast_node){0}, n, depth);
	return cs;
}

/* match x: case ...: a switch; several subjects (match a, b:) are one tuple. */
static void st_match(struct py *p, struct ast_node n, struct ir_node *out, int depth)
{
	struct ir_node *sw = py_node(p, IR_SWITCH, n);
	if (!sw)
		return;
	ir_node_add(p->f, out, sw);
	struct ast_node body = ast_field(n, "body");
	struct py_kids k = py_kids(p, n, true);
	uint32_t subjects = 0;
	for (uint32_t i = 0; i < k.n; i++)
		subjects += ast_start(py_kid(p, k, i)) != ast_start(body);
	if (subjects == 1) {
		sw->a = py_expr(p, py_kid(p, k, 0), depth + 1);
	} else if (subjects > 1) {
		sw->a = ir_node_new(p->f, IR_ARRAY, ast_start(py_kid(p, k, 0)),
				    ast_end(py_kid(p, k, subjects - 1)), ast_line(py_kid(p, k, 0)));
		for (uint32_t i = 0; i < subjects; i++)
			ir_node_add(p->f, sw->a, py_expr(p, py_kid(p, k, i), depth + 2));
	}
	py_kids_done(p, k);
	k = py_kids(p, body, true);
	for (uint32_t i = 0; i < k.n; i++)
		if (ast_is(py_kid(p, k, i), "case_clause"))
			ir_node_add(p->f, sw, case_clause(p, py_kid(p, k, i), depth + 1));
	py_kids_done(p, k);
}

/* assert c, m: if (!c) raise m, so the code after an assert runs only when c held. */
static void st_assert(struct py *p, struct ast_node n, struct ir_node *out, int depth)
{
	struct py_kids k = py_kids(p, n, true);
	struct ir_node *iff = py_node(p, IR_IF, n);
	if (iff && k.n) {
		ir_node_add(p->f, out, iff);
		struct ast_node cond = py_kid(p, k, 0);
		iff->a = py_node(p, IR_UNARY, cond);
		if (iff->a) {
			iff->a->op = IR_OP_NOT;
			iff->a->a = py_expr(p, cond, depth + 2);
		}
		iff->b = py_node(p, IR_THROW, n);
		if (iff->b && k.n > 1)
			iff->b->a = py_expr(p, py_kid(p, k, 1), depth + 2);
	}
	py_kids_done(p, k);
}

/* Python 2's print and exec statements: calls of print / exec. */
static void st_print(struct py *p, struct ast_node n, struct ir_node *out, int depth)
{
	struct ast_node keyword = ast_child(n, 0);
	struct ir_node *call = py_node(p, IR_CALL, n);
	if (!call)
		return;
	ir_node_add(p->f, out, wrap(p, IR_EXPR, n, call));
	call->a = py_named(p, IR_NAME, keyword, keyword);
	struct py_kids k = py_kids(p, n, true);
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node c = py_kid(p, k, i);
		ir_node_add(p->f, call,
			    py_expr(p, ast_is(c, "chevron") ? py_first(p, c) : c, depth + 1));
	}
	py_kids_done(p, k);
}

static void st_import(struct py *p, struct ast_node n, struct ir_node *out, int depth)
{
	(void)out, (void)depth;
	py_import(p, n);
}

static void st_block(struct py *p, struct ast_node n, struct ir_node *out, int depth)
{
	ir_node_add(p->f, out, block_of(p, n, n, depth));
}

static void st_error(struct py *p, struct ast_node n, struct ir_node *out, int depth);

static const struct {
	const char *type;
	stmt_fn fn;
} stmt_table[] = {
    {"expression_statement", st_expression},
    {"return_statement", st_return},
    {"raise_statement", st_return},
    {"if_statement", st_if},
    {"for_statement", st_for},
    {"while_statement", st_while},
    {"try_statement", st_try},
    {"with_statement", st_with},
    {"function_definition", st_function},
    {"class_definition", st_function},
    {"decorated_definition", st_function},
    {"match_statement", st_match},
    {"assert_statement", st_assert},
    {"import_statement", st_import},
    {"import_from_statement", st_import},
    {"break_statement", st_jump},
    {"continue_statement", st_jump},
    {"pass_statement", st_drop},
    {"future_import_statement", st_drop},
    {"delete_statement", st_drop},
    {"global_statement", st_drop},
    {"nonlocal_statement", st_drop},
    {"type_alias_statement", st_drop},
    {"print_statement", st_print},
    {"exec_statement", st_print},
    {"block", st_block},
    {"ERROR", st_error},
};

static stmt_fn stmt_lookup(struct ast_node n)
{
	const char *t = ast_type(n);
	for (size_t i = 0; i < sizeof stmt_table / sizeof stmt_table[0]; i++)
		if (!strcmp(t, stmt_table[i].type))
			return stmt_table[i].fn;
	return NULL;
}

/* A parse error in statement position: the statements in it are lowered in place, the
 * rest as expressions under one IR_OTHER, so a broken file still shows its calls. */
static void st_error(struct py *p, struct ast_node n, struct ir_node *out, int depth)
{
	struct ir_node *other = NULL;
	struct py_kids k = py_kids(p, n, true);
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node c = py_kid(p, k, i);
		if (stmt_lookup(c)) {
			py_stmt(p, c, out, depth + 1);
			continue;
		}
		if (!other) {
			other = py_node(p, IR_OTHER, n);
			ir_node_add(p->f, out, wrap(p, IR_EXPR, n, other));
		}
		ir_node_add(p->f, other, py_expr(p, c, depth + 2));
	}
	py_kids_done(p, k);
}

void py_stmt(struct py *p, struct ast_node n, struct ir_node *out, int depth)
{
	if (ast_is_null(n))
		return;
	if (depth > LOWER_MAX_DEPTH) {
		ir_node_add(p->f, out, py_trunc(p, n));
		return;
	}
	stmt_fn fn = stmt_lookup(n);
	if (fn)
		fn(p, n, out, depth);
	else /* an expression where a statement stands (parse recovery) */
		ir_node_add(p->f, out, wrap(p, IR_EXPR, n, py_expr(p, n, depth + 1)));
}

bool py_is_docstring(struct py *p, struct ast_node n)
{
	if (!ast_is(n, "expression_statement"))
		return false;
	struct py_kids k = py_kids(p, n, true);
	bool doc = k.n == 1 && (ast_is(py_kid(p, k, 0), "string") ||
				ast_is(py_kid(p, k, 0), "concatenated_string"));
	py_kids_done(p, k);
	return doc;
}

void py_block(struct py *p, struct ast_node block, struct ir_node *out, int depth, bool skip_doc)
{
	if (ast_is_null(block))
		return;
	if (depth > LOWER_MAX_DEPTH) {
		ir_node_add(p->f, out, py_trunc(p, block));
		return;
	}
	struct py_kids k = py_kids(p, block, true);
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node s = py_kid(p, k, i);
		if (i == 0 && skip_doc && py_is_docstring(p, s))
			continue;
		py_stmt(p, s, out, depth + 1);
	}
	py_kids_done(p, k);
}
