/* PHP expressions in the flow form: variables ($x is the name x), member paths ($a->b,
 * A::b, $a['k']), calls (new, static, dynamic), operators, casts, match, include/require,
 * exit/die. */
#include <string.h>
#include <strings.h>

#include "lang/php/lower_php.h"

typedef struct ir_node *(*expr_fn)(struct php_lower *L, struct ast_node n, int depth);

void php_set_text(struct ir_node *x, const char *text)
{
	if (x && text) {
		x->text = text;
		x->len = (uint32_t)strlen(text);
	}
}

static struct ir_node *name_node(struct php_lower *L, struct ast_node n, const char *text)
{
	struct ir_node *x = php_node(L, IR_NAME, n);
	php_set_text(x, text);
	return x;
}

static bool text_is_ci(struct php_lower *L, struct ast_node n, const char *word)
{
	size_t len = 0;
	const char *s = ast_text(L->syn, n, &len);
	return len == strlen(word) && strncasecmp(s, word, len) == 0;
}

const char *php_bind_name(const struct ir_node *target)
{
	if (target && (target->kind == IR_NAME || target->kind == IR_MEMBER))
		return target->text;
	return NULL;
}

struct ir_node *php_expr_named(struct php_lower *L, struct ast_node n, const char *bind, int depth)
{
	if (ast_is(n, "anonymous_function") || ast_is(n, "arrow_function")) {
		if (depth > LOWER_MAX_DEPTH)
			return php_trunc(L, n);
		return php_closure(L, n, bind, depth);
	}
	return php_expr(L, n, depth);
}

/* ---- names and members ---- */

static struct ir_node *variable(struct php_lower *L, struct ast_node n, int depth)
{
	/* the text past the `$` is the name: no need to visit the child */
	size_t len = 0;
	const char *s = ast_text(L->syn, n, &len);
	if (len && s[0] == '$')
		s++, len--;
	if (len == 4 && memcmp(s, "this", 4) == 0)
		return php_node(L, IR_THIS, n);
	struct ir_node *x = php_node(L, IR_NAME, n);
	if (x && (x->text = ir_strndup(L->f, s, len)))
		x->len = (uint32_t)len;
	return x;
}

static struct ir_node *exit_node(struct php_lower *L, struct ast_node n, struct ast_node arg,
				 int depth)
{
	struct ir_node *t = php_node(L, IR_THROW, n);
	if (t) {
		t->flags |= IR_F_EXIT;
		t->a = ast_is_null(arg) ? NULL : php_expr(L, arg, depth + 1);
	}
	return t;
}

static struct ir_node *name(struct php_lower *L, struct ast_node n, int depth)
{
	/* `$ok or die;`: the constructs read as names where no parentheses follow */
	if (text_is_ci(L, n, "exit") || text_is_ci(L, n, "die"))
		return exit_node(L, n, (struct ast_node){0}, depth);
	return name_node(L, n, php_name(L, n));
}

/* self:: and static:: are the class itself, parent:: its parent. */
static struct ir_node *scope(struct php_lower *L, struct ast_node n, int depth)
{
	if (ast_is(n, "relative_scope")) {
		if (text_is_ci(L, n, "parent"))
			return php_node(L, IR_SUPER, n);
		return php_node(L, IR_THIS, n);
	}
	if (ast_is(n, "name") || ast_is(n, "qualified_name"))
		return name_node(L, n, php_name(L, n)); /* a class, even one named Exit */
	return php_expr(L, n, depth + 1);
}

/* The constant name of a member ($a->b, A::$b, A::B, $a->{'b'}), or NULL if dynamic. */
static const char *member_text(struct php_lower *L, struct ast_node name, bool property)
{
	if (ast_is(name, "name"))
		return php_text(L, name);
	if (property && ast_is(name, "variable_name") && ast_is(php_first(name), "name"))
		return php_text(L, php_first(name));
	const char *s = NULL;
	uint32_t len = 0;
	if (php_const_string(L, name, &s, &len) && strlen(s) == len)
		return s;
	return NULL;
}

/* object->name: an IR_MEMBER, or an IR_OTHER of both parts when the name is dynamic. */
static struct ir_node *member(struct php_lower *L, struct ast_node obj, struct ast_node name,
			      struct ir_node *object, uint16_t flags, bool property, int depth)
{
	const char *text = member_text(L, name, property);
	uint32_t start = ast_start(obj), end = ast_end(name);
	if (ast_is_null(name))
		end = ast_end(obj);
	struct ir_node *m =
	    ir_node_new(L->f, text ? IR_MEMBER : IR_OTHER, start, end, ast_line(obj));
	if (!m)
		return NULL;
	if (text) {
		m->a = object;
		m->flags |= flags;
		php_set_text(m, text);
	} else {
		ir_node_add(L->f, m, object);
		if (!ast_is_null(name))
			ir_node_add(L->f, m, php_expr(L, name, depth + 1));
	}
	return m;
}

/* $a->b, $a?->b, $a->b(), $a?->b(), A::b(), A::$b. */
static struct ir_node *member_path(struct php_lower *L, struct ast_node n, int depth)
{
	bool scoped =
	    ast_is(n, "scoped_call_expression") || ast_is(n, "scoped_property_access_expression");
	bool nullsafe = ast_is(n, "nullsafe_member_access_expression") ||
			ast_is(n, "nullsafe_member_call_expression");
	struct ast_node obj = ast_field(n, scoped ? "scope" : "object");
	struct ast_node nm = ast_field(n, "name");
	struct ir_node *object = scoped ? scope(L, obj, depth) : php_expr(L, obj, depth + 1);
	uint16_t flags = (uint16_t)((scoped ? IR_F_STATIC : 0) | (nullsafe ? IR_F_OPTIONAL : 0));
	struct ir_node *m = member(L, obj, nm, object, flags,
				   ast_is(n, "scoped_property_access_expression"), depth);
	struct ast_node args = ast_field(n, "arguments");
	if (ast_is_null(args))
		return m;
	struct ir_node *call = php_node(L, IR_CALL, n);
	if (call) {
		call->a = m;
		php_args(L, call, args, depth);
	}
	return call;
}

/* A::CONST, A::class, self::X, $obj::X. */
static struct ir_node *class_constant(struct php_lower *L, struct ast_node n, int depth)
{
	uint32_t i = 0;
	struct ast_node obj = php_kid(n, &i), nm = php_kid(n, &i), next;
	while (!ast_is_null(next = php_kid(n, &i)))
		nm = next;
	return member(L, obj, nm, scope(L, obj, depth), IR_F_STATIC, false, depth);
}

/* $a['k'] reads the key k; $a[$k], $a[0] index; $a[] (a push) has no index. */
static struct ir_node *subscript(struct php_lower *L, struct ast_node n, int depth)
{
	uint32_t i = 0;
	struct ast_node obj = php_kid(n, &i), key = php_kid(n, &i);
	const char *s = NULL;
	uint32_t len = 0;
	if (php_const_string(L, key, &s, &len)) {
		struct ir_node *m = php_node(L, IR_MEMBER, n);
		if (m) {
			m->a = php_expr(L, obj, depth + 1);
			m->text = s;
			m->len = len;
			m->flags |= IR_F_INDEX;
		}
		return m;
	}
	struct ir_node *x = php_node(L, IR_INDEX, n);
	if (x) {
		x->a = php_expr(L, obj, depth + 1);
		x->b = ast_is_null(key) ? NULL : php_expr(L, key, depth + 1);
	}
	return x;
}

/* ---- calls ---- */

static struct ir_node *function_call(struct php_lower *L, struct ast_node n, int depth)
{
	struct ast_node fn = ast_field(n, "function"), args = ast_field(n, "arguments");
	if ((ast_is(fn, "name") || ast_is(fn, "qualified_name")) &&
	    (text_is_ci(L, fn, "exit") || text_is_ci(L, fn, "die"))) {
		/* exit(1), die('x'): the script ends */
		struct ast_node arg = php_first(args);
		if (ast_is(arg, "argument"))
			arg = php_first(arg);
		return exit_node(L, n, arg, depth);
	}
	struct ir_node *call = php_node(L, IR_CALL, n);
	if (call) {
		call->a = php_expr(L, fn, depth + 1);
		php_args(L, call, args, depth);
	}
	return call;
}

static struct ir_node *object_creation(struct php_lower *L, struct ast_node n, int depth)
{
	struct ir_node *call = php_node(L, IR_CALL, n);
	if (!call)
		return NULL;
	call->flags |= IR_F_NEW;
	struct php_iter it;
	php_iter_named(L, n, &it);
	for (struct ast_node c; !ast_is_null(c = php_next(&it));) {
		if (ast_is(c, "arguments")) {
			php_args(L, call, c, depth);
		} else if (ast_is(c, "anonymous_class")) {
			/* new class(...) {...}: the class is the callee, its arguments the call's
			 */
			call->a = php_class(L, c, depth + 1);
			uint32_t k = 0;
			for (struct ast_node a = php_kid(c, &k); !ast_is_null(a);
			     a = php_kid(c, &k))
				if (ast_is(a, "arguments"))
					php_args(L, call, a, depth);
		} else if (!call->a) {
			call->a = ast_is(c, "name") ? name_node(L, c, php_text(L, c))
						    : php_expr(L, c, depth + 1);
		}
	}
	return call;
}

/* include/require: a call of the construct, and an import row for a constant path. */
static struct ir_node *include(struct php_lower *L, struct ast_node n, int depth)
{
	const char *t = ast_type(n);
	const char *kind = !strcmp(t, "require_once_expression")   ? "require_once"
			   : !strcmp(t, "require_expression")	   ? "require"
			   : !strcmp(t, "include_once_expression") ? "include_once"
								   : "include";
	struct ir_node *call = php_node(L, IR_CALL, n);
	if (!call)
		return NULL;
	call->a = name_node(L, n, kind);
	if (call->a)
		call->a->end = call->a->start + (uint32_t)strlen(kind);
	struct ast_node path = php_first(n);
	ir_node_add(L->f, call, php_expr(L, path, depth + 1));
	php_include_import(L, path, ast_line(n));
	return call;
}

static struct ir_node *print(struct php_lower *L, struct ast_node n, int depth)
{
	struct ir_node *call = php_node(L, IR_CALL, n);
	if (call) {
		call->a = name_node(L, n, "print");
		if (call->a)
			call->a->end = call->a->start + 5;
		ir_node_add(L->f, call, php_expr(L, php_first(n), depth + 1));
	}
	return call;
}

/* ---- other expressions ---- */

static struct ir_node *match(struct php_lower *L, struct ast_node n, int depth)
{
	struct ir_node *sw = php_node(L, IR_SWITCH, n);
	if (!sw)
		return NULL;
	sw->a = php_expr(L, ast_field(n, "condition"), depth + 1);
	struct php_iter it;
	php_iter_named(L, ast_field(n, "body"), &it);
	for (struct ast_node arm; !ast_is_null(arm = php_next(&it));) {
		struct ir_node *cs = php_node(L, IR_CASE, arm);
		if (!cs)
			continue;
		struct php_iter conds;
		php_iter_named(L, ast_field(arm, "conditional_expressions"), &conds);
		for (struct ast_node c; !ast_is_null(c = php_next(&conds));)
			ir_node_add(L->f, cs, php_expr(L, c, depth + 1));
		cs->b = php_expr(L, ast_field(arm, "return_expression"), depth + 1);
		ir_node_add(L->f, sw, cs);
	}
	return sw;
}

static struct ir_node *yield(struct php_lower *L, struct ast_node n, int depth)
{
	struct ir_node *y = php_node(L, IR_AWAIT, n);
	if (!y)
		return NULL;
	L->f->funcs[L->func].flags |= IR_FN_GENERATOR;
	struct ast_node v = php_first(n);
	if (ast_is(v, "array_element_initializer")) {
		/* yield $k => $v yields the value */
		uint32_t i = 0;
		struct ast_node last = {0};
		for (struct ast_node c = php_kid(v, &i); !ast_is_null(c); c = php_kid(v, &i))
			last = c;
		v = last;
	}
	y->a = ast_is_null(v) ? NULL : php_expr(L, v, depth + 1);
	return y;
}

static struct ir_node *wrap_a(struct php_lower *L, struct ast_node n, enum ir_kind kind, int depth)
{
	struct ir_node *x = php_node(L, kind, n);
	struct ast_node v = php_first(n);
	if (x && !ast_is_null(v))
		x->a = php_expr(L, v, depth + 1);
	return x;
}

static struct ir_node *spread(struct php_lower *L, struct ast_node n, int depth)
{
	return wrap_a(L, n, IR_SPREAD, depth);
}

static struct ir_node *throw_expr(struct php_lower *L, struct ast_node n, int depth)
{
	return wrap_a(L, n, IR_THROW, depth);
}

static struct ir_node *inner(struct php_lower *L, struct ast_node n, int depth)
{
	/* ( x ), @x, &$x: the value is x's */
	struct ast_node x = php_first(n);
	return ast_is_null(x) ? php_node(L, IR_OTHER, n) : php_expr(L, x, depth + 1);
}

static struct ir_node *literal(struct php_lower *L, struct ast_node n, int depth)
{
	if (ast_is(n, "null"))
		return php_node(L, IR_NULL, n);
	if (ast_is(n, "boolean")) {
		struct ir_node *b = php_node(L, IR_BOOL, n);
		if (b)
			b->num = text_is_ci(L, n, "true");
		return b;
	}
	if (ast_is(n, "integer") || ast_is(n, "float"))
		return php_number(L, n);
	return php_string(L, n, depth);
}

static struct ir_node *closure(struct php_lower *L, struct ast_node n, int depth)
{
	return php_closure(L, n, NULL, depth);
}

static struct ir_node *anonymous_class(struct php_lower *L, struct ast_node n, int depth)
{
	return php_class(L, n, depth);
}

/* Anything else: its parts, so the values flowing through are kept. */
static struct ir_node *other(struct php_lower *L, struct ast_node n, int depth)
{
	struct ir_node *o = php_node(L, IR_OTHER, n);
	struct php_iter it;
	php_iter_named(L, n, &it);
	for (struct ast_node c; !ast_is_null(c = php_next(&it));)
		if (o)
			ir_node_add(L->f, o, php_any(L, c, depth + 1));
	return o;
}

static const struct {
	const char *type;
	expr_fn fn;
} expr_types[] = {
    {"variable_name", variable},
    {"member_call_expression", member_path},
    {"member_access_expression", member_path},
    {"function_call_expression", function_call},
    {"string", literal},
    {"encapsed_string", literal},
    {"name", name},
    {"qualified_name", name},
    {"subscript_expression", subscript},
    {"array_creation_expression", php_array},
    {"assignment_expression", php_assignment},
    {"binary_expression", php_binary},
    {"integer", literal},
    {"boolean", literal},
    {"null", literal},
    {"float", literal},
    {"scoped_call_expression", member_path},
    {"class_constant_access_expression", class_constant},
    {"scoped_property_access_expression", member_path},
    {"nullsafe_member_call_expression", member_path},
    {"nullsafe_member_access_expression", member_path},
    {"object_creation_expression", object_creation},
    {"parenthesized_expression", inner},
    {"unary_op_expression", php_unary},
    {"conditional_expression", php_conditional},
    {"augmented_assignment_expression", php_assignment},
    {"reference_assignment_expression", php_assignment},
    {"update_expression", php_update},
    {"anonymous_function", closure},
    {"arrow_function", closure},
    {"heredoc", literal},
    {"nowdoc", literal},
    {"shell_command_expression", literal},
    {"cast_expression", php_cast},
    {"clone_expression", php_cast},
    {"error_suppression_expression", inner},
    {"by_ref", inner},
    {"list_literal", php_pattern},
    {"variadic_unpacking", spread},
    {"throw_expression", throw_expr},
    {"match_expression", match},
    {"yield_expression", yield},
    {"print_intrinsic", print},
    {"include_expression", include},
    {"include_once_expression", include},
    {"require_expression", include},
    {"require_once_expression", include},
    {"anonymous_class", anonymous_class},
    {"relative_scope", scope},
};

struct ir_node *php_expr(struct php_lower *L, struct ast_node n, int depth)
{
	if (ast_is_null(n))
		return NULL;
	if (depth > LOWER_MAX_DEPTH)
		return php_trunc(L, n);
	const char *t = ast_type(n);
	for (size_t i = 0; i < sizeof expr_types / sizeof expr_types[0]; i++)
		if (!strcmp(t, expr_types[i].type))
			return expr_types[i].fn(L, n, depth);
	return other(L, n, depth);
}
