/* Bounds: what a number is held to where it is read. A value is followed back through
 * its definitions (locals, destructuring, conversions, the returns of project functions,
 * the callers that pass a parameter) and what holds it is gathered on the way:
 *   - the conditions it must pass to get there: if (!Number.isInteger(x) || x < 500) throw,
 *     if not isinstance(x, int) ..., $x === false || $x > 500000 (flow_guards), and the
 *     same in a project function it is handed first (validateOrderData(req.body));
 *   - the rules of a schema it passed: a validator's schema (zod, joi, yup and valibot
 *     chains, Laravel rule strings and arrays), the fields of a class it is read from
 *     (class-validator decorators, pydantic Field(ge=, le=), Django form and DRF
 *     serializer fields, a FormRequest's rules());
 *   - the conversions it went through: a fraction dropped ((int), intval(), floor(),
 *     int()), a rounding, a clamp into a range with min()/max().
 * The vocabulary is the models' (bound and bound_text rows); nothing here names a
 * framework. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "flow/flow_private.h"

#define MAX_FRAMES 8
#define MAX_ALIASES 16
#define ALIAS_LEN 160
#define MAX_DEPTH 10

/* A function the value is read in, where it is read, and the spellings it has there. */
struct frame {
	int32_t file;
	const struct ir_node *at;
	char alias[MAX_ALIASES][ALIAS_LEN];
	unsigned nalias;
};

struct bounding {
	struct flow_query *q;
	const struct flow *f;
	struct flow_bounds *out;
	struct frame frames[MAX_FRAMES];
	unsigned nframes;
	const char *field; /* the field the value is read as: amount of body.amount */
};

/* ---- spellings ---- */

static bool append(char *buf, size_t size, const char *key)
{
	size_t len = strlen(buf);
	return (size_t)snprintf(buf + len, size - len, ".%s", key) < size - len;
}

/* x, req.body.amount, $data['amount'] as data.amount, request.json.get("amount") as
 * request.json.amount (a read with a constant key). */
static bool render(const struct ir_node *e, char *buf, size_t size, int depth)
{
	if (!e || depth > 12 || size < 2)
		return false;
	switch (e->kind) {
	case IR_NAME:
		return e->text && (size_t)snprintf(buf, size, "%s", e->text) < size;
	case IR_THIS:
		return (size_t)snprintf(buf, size, "this") < size;
	case IR_AWAIT:
		return render(e->a, buf, size, depth + 1);
	case IR_MEMBER:
		return e->text && render(e->a, buf, size, depth + 1) && append(buf, size, e->text);
	case IR_CALL: {
		const struct ir_node *k = ir_call_arg(e, 0);
		return e->a && e->a->kind == IR_MEMBER && k && k->kind == IR_STRING && k->text &&
		       e->nkids <= 2 && render(e->a->a, buf, size, depth + 1) &&
		       append(buf, size, k->text);
	}
	default:
		return false;
	}
}

static void add_alias(struct bounding *b, unsigned fr, const struct ir_node *e)
{
	struct frame *f = &b->frames[fr];
	char s[ALIAS_LEN];
	if (f->nalias >= MAX_ALIASES || !render(e, s, sizeof s, 0))
		return;
	for (unsigned i = 0; i < f->nalias; i++)
		if (!strcmp(f->alias[i], s))
			return;
	memcpy(f->alias[f->nalias++], s, sizeof s);
}

static bool is_alias(const struct frame *f, const struct ir_node *e)
{
	char s[ALIAS_LEN];
	if (!render(e, s, sizeof s, 0))
		return false;
	for (unsigned i = 0; i < f->nalias; i++)
		if (!strcmp(f->alias[i], s))
			return true;
	return false;
}

static int new_frame(struct bounding *b, int32_t file, const struct ir_node *at)
{
	if (b->nframes >= MAX_FRAMES)
		return -1;
	struct frame *f = &b->frames[b->nframes];
	f->file = file;
	f->at = at;
	f->nalias = 0;
	return (int)b->nframes++;
}

/* ---- following the value back ---- */

static void walk(struct bounding *b, unsigned fr, int32_t file, const struct ir_node *e, int depth);

static const char *last_key(const char *key)
{
	const char *dot = key ? strrchr(key, '.') : NULL;
	return dot ? dot + 1 : key;
}

static void note_field(struct bounding *b, const char *key)
{
	if (!b->field && key && *key)
		b->field = key;
}

/* A value read in the function's callers: one frame per call site. */
static void callers(struct bounding *b, int32_t file, const struct def *d, int depth)
{
	struct flow_fn fn = {file, d->func};
	size_t n;
	const struct flow_site *sites = flow_callers(b->f, fn, &n);
	for (size_t i = 0; i < n && i < 4; i++) {
		const struct ir_node *arg = ir_call_arg(sites[i].call, (uint32_t)d->param);
		int fr = arg ? new_frame(b, sites[i].file, sites[i].call) : -1;
		if (fr >= 0)
			walk(b, (unsigned)fr, sites[i].file, arg, depth + 1);
	}
}

/* A handler's input checked by the call it is handed to, or by a call of that call's
 * chain: publicProcedure.input(schema).mutation(({ input }) => ...), a Fastify route's
 * {schema: {body: ...}}; the models' validator rows say where the schema is. */
static void handler_schemas(struct bounding *b, int32_t file, int32_t func)
{
	const struct ir_file *ir = flow_ir(b->f, file);
	const struct ir_node *node = func > 0 ? ir->funcs[func].node : NULL;
	const struct ir_node *c = node ? node->parent : NULL;
	if (!c || c->kind != IR_CALL || c->a == node || !b->field)
		return;
	for (int k = 0; c && c->kind == IR_CALL && k < 8; k++) {
		const struct model_row *r = model_for(b->f, file, MODEL_VALIDATOR, c);
		const struct ir_node *s = r && r->attr[MODEL_ATTR_SCHEMA]
					      ? model_arg(c, r->attr[MODEL_ATTR_SCHEMA])
					      : NULL;
		if (s)
			schema_rules(b->q, file, s, b->field, b->out);
		c = c->a && c->a->kind == IR_MEMBER ? c->a->a : NULL;
	}
}

static void walk_name(struct bounding *b, unsigned fr, int32_t file, const struct ir_node *e,
		      int depth)
{
	int32_t cf, cc;
	if (b->field && value_class(b->f, file, e, &cf, &cc, 0))
		schema_class(b->q, cf, cc, b->field, b->out);
	uint32_t n;
	const struct def *d = scope_lookup(b->f, file, e->func, e->text, &n);
	for (uint32_t i = 0; d && i < n && i < 8; i++) {
		switch (d[i].how) {
		case DEF_ASSIGN:
		case DEF_ELEMENT:
			if (d[i].value && d[i].value != e && !ir_within(e, d[i].value))
				walk(b, fr, file, d[i].value, depth + 1);
			break;
		case DEF_PATTERN:
			note_field(b, last_key(d[i].key));
			walk(b, fr, file, d[i].value, depth + 1);
			break;
		case DEF_PARAM: {
			/* amount: int, a route parameter typed whole */
			const struct ir_param *prm = def_param(b->f, file, &d[i]);
			if (prm && bound_is(bound_text_row(b->f, file, prm->type), "integer"))
				b->out->integer = true;
			/* amount: int = Query(ge=500, le=500000) */
			if (prm && prm->def && prm->def->kind == IR_CALL)
				schema_rule(b->q, file, prm->def, b->out);
			if (d[i].param >= 0 && depth < 6)
				callers(b, file, &d[i], depth);
			handler_schemas(b, file, d[i].func);
			break;
		}
		case DEF_IMPORT: {
			struct def bd;
			int32_t bf;
			if (import_binding(b->f, file, d[i].param, &bd, &bf, 0) &&
			    bd.how == DEF_ASSIGN && bd.value)
				walk(b, fr, bf, bd.value, depth + 1);
			break;
		}
		default:
			break;
		}
	}
}

struct returns {
	struct bounding *b;
	int32_t file;
	int depth;
};

static bool visit_return(void *ctx, const struct ir_node *n)
{
	struct returns *r = ctx;
	if (n->kind != IR_RETURN || !n->a)
		return true;
	int fr = new_frame(r->b, r->file, n);
	if (fr >= 0)
		walk(r->b, (unsigned)fr, r->file, n->a, r->depth + 1);
	return true;
}

/* Whether a conversion of operand may drop a fraction: not when it parses what a read of
 * stored data gives ((int) get_post_meta($id, '_price', true)): a column or a meta value
 * is the shop's own figure, read as text. */
static bool may_drop_fraction(const struct flow *f, int32_t file, const struct ir_node *operand)
{
	while (operand && operand->kind == IR_AWAIT)
		operand = operand->a;
	return !(operand && operand->kind == IR_CALL && model_for(f, file, MODEL_READ, operand));
}

static void walk_call(struct bounding *b, unsigned fr, int32_t file, const struct ir_node *e,
		      int depth)
{
	const struct flow *f = b->f;
	const struct model_row *r = bound_row(f, file, e);
	if (r) {
		double v;
		/* filter_var($x, FILTER_VALIDATE_INT, ['options' => ['min_range' => 500]]) */
		bound_apply(b->q, file, e, r, b->out);
		/* what the function holding the value did to it (a helper's own conversions
		 * are its business: (int) $stmt->fetchColumn() reads a column) */
		if (bound_is(r, "truncate") && !b->out->trunc && fr == 0 &&
		    may_drop_fraction(f, file, model_arg(e, r->attr[MODEL_ATTR_VALUE]))) {
			b->out->trunc = e;
			b->out->trunc_file = file;
		}
		if (bound_is(r, "round"))
			b->out->rounded = true;
		if (bound_is(r, "truncate") || bound_is(r, "round"))
			b->out->whole = true;
		if (bound_is(r, "clamp") && fr == 0)
			for (uint32_t i = 0; i < e->nkids && !b->out->clamp; i++)
				if (flow_number(b->q, file, e->kids[i], &v)) {
					b->out->clamp = e;
					b->out->clamp_file = file;
				}
		if (r->attr[MODEL_ATTR_VALUE]) {
			walk(b, fr, file, model_arg(e, r->attr[MODEL_ATTR_VALUE]), depth + 1);
		} else if (bound_is(r, "clamp")) {
			for (uint32_t i = 0; i < e->nkids; i++)
				walk(b, fr, file, e->kids[i], depth + 1);
		}
		return;
	}
	if (model_for(f, file, MODEL_PASSTHROUGH, e)) { /* JSON.parse(body) */
		walk(b, fr, file, ir_call_arg(e, 0), depth + 1);
		return;
	}
	if (model_validator(f, file, e)) {
		schema_validator(b->q, file, e, b->field, b->out);
		return;
	}
	struct flow_fn fn = flow_callee(f, file, e);
	if (flow_fn_ok(fn)) {
		struct returns rs = {b, fn.file, depth};
		ir_walk(flow_func(f, fn)->body, visit_return, &rs);
		return;
	}
	/* request.json.get("amount"), $request->input('amount'): a read by key */
	const struct ir_node *k = ir_call_arg(e, 0);
	if (e->a && e->a->kind == IR_MEMBER && k && k->kind == IR_STRING && e->nkids <= 2) {
		note_field(b, k->text);
		walk(b, fr, file, e->a->a, depth + 1);
	}
}

static void walk(struct bounding *b, unsigned fr, int32_t file, const struct ir_node *e, int depth)
{
	if (!e || depth > MAX_DEPTH)
		return;
	add_alias(b, fr, e);
	switch (e->kind) {
	case IR_AWAIT:
		walk(b, fr, file, e->a, depth + 1);
		return;
	case IR_MEMBER: {
		note_field(b, e->text);
		int32_t cf, cc;
		if (e->text && value_class(b->f, file, e->a, &cf, &cc, 0))
			schema_class(b->q, cf, cc, e->text, b->out);
		walk(b, fr, file, e->a, depth + 1);
		return;
	}
	case IR_NAME:
		walk_name(b, fr, file, e, depth);
		return;
	case IR_CALL:
		walk_call(b, fr, file, e, depth);
		return;
	case IR_COND:
		walk(b, fr, file, e->b ? e->b : e->a, depth + 1);
		walk(b, fr, file, e->c, depth + 1);
		return;
	case IR_BINARY:
		if (e->op == IR_OP_OR || e->op == IR_OP_NULLISH) { /* x ?? default */
			walk(b, fr, file, e->a, depth + 1);
			walk(b, fr, file, e->b, depth + 1);
		}
		return;
	case IR_OTHER: {
		/* a cast: (int) $total */
		const struct model_row *t = bound_text_row(b->f, file, e->text);
		if (bound_is(t, "truncate") && !b->out->trunc && fr == 0 &&
		    may_drop_fraction(b->f, file, e->a)) {
			b->out->trunc = e;
			b->out->trunc_file = file;
		}
		if (bound_is(t, "truncate"))
			b->out->whole = true;
		if (e->a && !e->b)
			walk(b, fr, file, e->a, depth + 1);
		return;
	}
	default:
		return;
	}
}

/* ---- conditions ---- */

static bool same_truncated(struct bounding *b, const struct frame *f, const struct ir_node *x,
			   const struct ir_node *y)
{
	/* x == floor(x), x === Math.trunc(x) */
	const struct model_row *r = bound_row(b->f, f->file, y);
	const struct ir_node *v = bound_is(r, "truncate") && r->attr[MODEL_ATTR_VALUE]
				      ? model_arg(y, r->attr[MODEL_ATTR_VALUE])
				      : NULL;
	return v && is_alias(f, x) && is_alias(f, v);
}

static bool mod_one(const struct frame *f, const struct ir_node *x, const struct ir_node *zero)
{
	/* x % 1 === 0 */
	return x && x->kind == IR_BINARY && x->op == IR_OP_MOD && is_alias(f, x->a) && x->b &&
	       x->b->kind == IR_NUMBER && x->b->num == 1 && zero && zero->kind == IR_NUMBER &&
	       zero->num == 0;
}

static void compare(struct bounding *b, const struct frame *f, const struct ir_node *c, bool truth)
{
	const struct ir_node *x = c->a, *y = c->b;
	double v;
	int op = c->op;
	if (op == IR_OP_EQ || op == IR_OP_NE) {
		bool equal = (op == IR_OP_EQ) == truth;
		if (equal && (same_truncated(b, f, x, y) || same_truncated(b, f, y, x) ||
			      mod_one(f, x, y) || mod_one(f, y, x)))
			b->out->integer = true;
		if (equal && is_alias(f, x) && flow_number(b->q, f->file, y, &v)) {
			bounds_set_min(b->out, v);
			bounds_set_max(b->out, v);
		}
		return;
	}
	if (!is_alias(f, x)) {
		/* 500 <= x: turn it round */
		const struct ir_node *t = x;
		x = y;
		y = t;
		op = op == IR_OP_LT   ? IR_OP_GT
		     : op == IR_OP_GT ? IR_OP_LT
		     : op == IR_OP_LE ? IR_OP_GE
		     : op == IR_OP_GE ? IR_OP_LE
				      : op;
	}
	if (!is_alias(f, x) || !flow_number(b->q, f->file, y, &v))
		return;
	if (!truth) /* !(x < 500) is x >= 500 */
		op = op == IR_OP_LT   ? IR_OP_GE
		     : op == IR_OP_GE ? IR_OP_LT
		     : op == IR_OP_GT ? IR_OP_LE
		     : op == IR_OP_LE ? IR_OP_GT
				      : op;
	switch (op) {
	case IR_OP_LT:
		bounds_set_max(b->out, ceil(v) - 1);
		break;
	case IR_OP_LE:
		bounds_set_max(b->out, v);
		break;
	case IR_OP_GT:
		bounds_set_min(b->out, floor(v) + 1);
		break;
	case IR_OP_GE:
		bounds_set_min(b->out, v);
		break;
	default:
		break;
	}
}

static void cond_facts(struct bounding *b, const struct frame *f, const struct ir_node *c,
		       bool truth, int depth)
{
	if (!c || depth > 12)
		return;
	switch (c->kind) {
	case IR_AWAIT:
		cond_facts(b, f, c->a, truth, depth + 1);
		return;
	case IR_UNARY:
		if (c->op == IR_OP_NOT)
			cond_facts(b, f, c->a, !truth, depth + 1);
		return;
	case IR_BINARY:
		if ((c->op == IR_OP_AND && truth) || (c->op == IR_OP_OR && !truth)) {
			cond_facts(b, f, c->a, truth, depth + 1);
			cond_facts(b, f, c->b, truth, depth + 1);
		} else if (c->op >= IR_OP_EQ && c->op <= IR_OP_GE) {
			compare(b, f, c, truth);
		}
		return;
	case IR_CALL: {
		if (!truth)
			return;
		const struct model_row *r = bound_row(b->f, f->file, c);
		if (bound_is(r, "integer") && r->attr[MODEL_ATTR_VALUE] &&
		    is_alias(f, model_arg(c, r->attr[MODEL_ATTR_VALUE])))
			b->out->integer = true;
		else if (!r && model_validator(b->f, f->file, c))
			schema_validator(b->q, f->file, c, b->field,
					 b->out); /* if (!form.is_valid()) return */
		return;
	}
	case IR_NAME: {
		/* const ok = Number.isInteger(x) && x >= 500; if (!ok) return */
		const struct def *d = def_reaching(b->f, f->file, c, c);
		if (d && d->how == DEF_ASSIGN && d->value && d->value != c)
			cond_facts(b, f, d->value, truth, depth + 1);
		return;
	}
	default:
		return;
	}
}

/* A project function handed the value before `at`, and whose end is reached only when
 * its checks pass: validateOrderData(req.body); (in a try whose catch leaves, too). */
static void helper_facts(struct bounding *b, const struct frame *f, const struct ir_node *call)
{
	while (call && (call->kind == IR_AWAIT || call->kind == IR_ASSIGN))
		call = call->kind == IR_AWAIT ? call->a : call->b;
	if (!call || call->kind != IR_CALL)
		return;
	struct flow_fn fn = flow_callee(b->f, f->file, call);
	const struct ir_func *func = flow_func(b->f, fn);
	if (!func || !func->body || b->nframes >= MAX_FRAMES)
		return;
	struct frame inner = {.file = fn.file, .at = func->body};
	for (uint32_t i = 0; i < func->nparams && i < 16; i++) {
		char arg[ALIAS_LEN];
		const char *pname = func->params[i].name;
		if (!pname || !render(ir_call_arg(call, i), arg, sizeof arg, 0))
			continue;
		size_t al = strlen(arg);
		for (unsigned k = 0; k < f->nalias && inner.nalias < MAX_ALIASES; k++)
			if (!strncmp(f->alias[k], arg, al) &&
			    (!f->alias[k][al] || f->alias[k][al] == '.'))
				snprintf(inner.alias[inner.nalias++], ALIAS_LEN, "%s%s", pname,
					 f->alias[k] + al);
	}
	if (!inner.nalias)
		return;
	struct flow_guard g[32];
	size_t n = flow_guards(b->q, inner.file, inner.at, g, 32);
	for (size_t i = 0; i < n; i++)
		cond_facts(b, &inner, g[i].cond, g[i].truth, 0);
}

static void frame_facts(struct bounding *b, const struct frame *f)
{
	struct flow_guard g[32];
	size_t n = flow_guards(b->q, f->file, f->at, g, 32);
	for (size_t i = 0; i < n; i++)
		cond_facts(b, f, g[i].cond, g[i].truth, 0);
	/* the statements before, in every block around */
	for (const struct ir_node *cur = f->at; cur && cur->parent; cur = cur->parent) {
		const struct ir_node *p = cur->parent;
		if (p->kind != IR_BLOCK)
			continue;
		for (uint32_t i = 0; i < p->nkids && p->kids[i] != cur; i++) {
			const struct ir_node *s = p->kids[i];
			if (s->kind == IR_EXPR || s->kind == IR_DECL)
				helper_facts(b, f, s->kind == IR_EXPR ? s->a : s->b);
			if (s->kind != IR_TRY || !s->a || !s->nkids)
				continue;
			bool catches_leave = true;
			for (uint32_t k = 0; k < s->nkids; k++)
				catches_leave &= flow_leaves(b->q, f->file, s->kids[k]->b);
			for (uint32_t k = 0; catches_leave && k < s->a->nkids; k++)
				if (s->a->kids[k]->kind == IR_EXPR)
					helper_facts(b, f, s->a->kids[k]->a);
		}
	}
}

void flow_bounds(struct flow_query *q, int32_t file, const struct ir_node *expr,
		 struct flow_bounds *out)
{
	struct bounding b = {.q = q, .f = q->f, .out = out};
	*out = (struct flow_bounds){.trunc_file = -1, .clamp_file = -1};
	if (!expr)
		return;
	int fr = new_frame(&b, file, expr);
	walk(&b, (unsigned)fr, file, expr, 0);
	for (unsigned i = 0; i < b.nframes; i++)
		frame_facts(&b, &b.frames[i]);
}

const struct ir_node *flow_passes(const struct flow *f, int32_t file, const struct ir_node *call)
{
	const struct model_row *r = bound_row(f, file, call);
	if (r && r->attr[MODEL_ATTR_VALUE] && !bound_is(r, "clamp"))
		return model_arg(call, r->attr[MODEL_ATTR_VALUE]);
	if (!call->nkids || !model_for(f, file, MODEL_PASSTHROUGH, call))
		return NULL;
	/* the first argument, named or not: PaySerializer(data=request.data) */
	return call->kids[0]->kind == IR_PAIR ? call->kids[0]->b : call->kids[0];
}
