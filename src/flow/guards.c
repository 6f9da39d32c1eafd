/* Paths through a function: the conditions that hold where a statement runs, the loops
 * and try blocks around it, the statements that leave; and what a condition says of a
 * payment's status. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "flow/flow_private.h"

#define MAX_DEPTH 12

/* ---- leaving ---- */

static bool leaves_at(struct flow_query *q, int32_t file, const struct ir_node *s, int depth);

static bool call_exits(struct flow_query *q, int32_t file, const struct ir_node *e)
{
	while (e && e->kind == IR_AWAIT)
		e = e->a;
	if (!e || e->kind != IR_CALL)
		return false;
	const struct flow_event *ev = flow_event_at(q->f, file, e);
	return (ev && ev->kind == EV_EXIT) || model_for(q->f, file, MODEL_EXIT, e);
}

static bool leaves_at(struct flow_query *q, int32_t file, const struct ir_node *s, int depth)
{
	if (!s || depth > MAX_DEPTH)
		return false;
	switch (s->kind) {
	case IR_RETURN:
	case IR_THROW:
	case IR_BREAK:
	case IR_CONTINUE:
		return true;
	case IR_BLOCK:
		for (uint32_t i = 0; i < s->nkids; i++)
			if (leaves_at(q, file, s->kids[i], depth + 1))
				return true;
		return false;
	case IR_IF:
		return s->b && s->c && leaves_at(q, file, s->b, depth + 1) &&
		       leaves_at(q, file, s->c, depth + 1);
	case IR_EXPR:
		return call_exits(q, file, s->a);
	default:
		return false;
	}
}

bool flow_leaves(struct flow_query *q, int32_t file, const struct ir_node *s)
{
	return leaves_at(q, file, s, 0);
}

/* ---- guards ---- */

struct guards {
	struct flow_guard *out;
	size_t n, max;
};

static void add(struct guards *g, const struct ir_node *cond, bool truth, bool exits)
{
	if (cond && g->n < g->max)
		g->out[g->n++] = (struct flow_guard){cond, truth, exits};
}

/* An earlier statement of the block that leaves unless something holds. */
static void statement_guard(struct flow_query *q, int32_t file, const struct ir_node *s,
			    struct guards *g)
{
	if (s->kind == IR_IF) {
		bool then_leaves = s->b && flow_leaves(q, file, s->b);
		bool else_leaves = s->c && flow_leaves(q, file, s->c);
		if (then_leaves && !else_leaves)
			add(g, s->a, false, true);
		else if (else_leaves && !then_leaves)
			add(g, s->a, true, true);
		return;
	}
	/* a helper that throws unless the payment is confirmed: assertPaid(ref); */
	const struct ir_node *e = s->kind == IR_EXPR ? s->a : s->kind == IR_DECL ? s->b : NULL;
	if (e && e->kind == IR_ASSIGN)
		e = e->b;
	while (e && e->kind == IR_AWAIT)
		e = e->a;
	if (e && e->kind == IR_CALL) {
		/* abort_unless($paid, 402), assert(ok), invariant(ok): what must hold */
		const struct model_row *r = model_for(q->f, file, MODEL_ASSERT, e);
		const struct ir_node *arg;
		if (r && r->attr[MODEL_ATTR_UNLESS] && (arg = model_arg(e, r->attr[MODEL_ATTR_UNLESS])))
			add(g, arg, true, true);
		else if (r && r->attr[MODEL_ATTR_IF] && (arg = model_arg(e, r->attr[MODEL_ATTR_IF])))
			add(g, arg, false, true);
		struct flow_fn fn = flow_callee(q->f, file, e);
		const struct flow_summary *sum = flow_fn_ok(fn) ? flow_summary(q->f, fn) : NULL;
		if (sum && sum->verifies == VERIFY_ASSERTS)
			add(g, e, true, true);
	}
}

size_t flow_guards(struct flow_query *q, int32_t file, const struct ir_node *n,
		   struct flow_guard *out, size_t max)
{
	struct guards g = {out, 0, max};
	/* a block stands for its end: what holds once every statement of it ran */
	if (n && n->kind == IR_BLOCK)
		for (uint32_t i = 0; i < n->nkids; i++)
			statement_guard(q, file, n->kids[i], &g);
	for (const struct ir_node *cur = n; cur && cur->parent; cur = cur->parent) {
		const struct ir_node *p = cur->parent;
		switch (p->kind) {
		case IR_IF:
			if (cur == p->b)
				add(&g, p->a, true, false);
			else if (cur == p->c)
				add(&g, p->a, false, false);
			break;
		case IR_COND:
			if (cur == p->b)
				add(&g, p->a, true, false);
			else if (cur == p->c)
				add(&g, p->a, false, false);
			break;
		case IR_BINARY:
			if (cur == p->b && p->op == IR_OP_AND)
				add(&g, p->a, true, false);
			else if (cur == p->b && p->op == IR_OP_OR)
				add(&g, p->a, false, false);
			break;
		case IR_CASE:
			if (cur == p->b)
				add(&g, p, true, false);
			break;
		case IR_LOOP:
			if (cur == p->b && p->a &&
			    (p->op == IR_LOOP_WHILE || p->op == IR_LOOP_FOR))
				add(&g, p->a, true, false);
			break;
		case IR_BLOCK:
			for (uint32_t i = 0; i < p->nkids && p->kids[i] != cur; i++)
				statement_guard(q, file, p->kids[i], &g);
			break;
		default:
			break;
		}
	}
	return g.n;
}

const struct ir_node *flow_loop_of(const struct ir_node *n)
{
	for (const struct ir_node *cur = n; cur && cur->parent; cur = cur->parent)
		if (cur->parent->kind == IR_LOOP && cur == cur->parent->b)
			return cur->parent;
	return NULL;
}

const struct ir_node *flow_try_of(const struct ir_node *n)
{
	for (const struct ir_node *cur = n; cur && cur->parent; cur = cur->parent)
		if (cur->parent->kind == IR_TRY && cur == cur->parent->a)
			return cur->parent;
	return NULL;
}

/* ---- what changes on each turn of a loop ---- */

struct varies {
	struct flow_query *q;
	int32_t file;
	const struct ir_node *loop;
	int depth;
	bool found;
};

static bool varies_at(struct flow_query *q, int32_t file, const struct ir_node *e,
		      const struct ir_node *loop, int depth);

struct named {
	const char *name;
	bool found;
};

static bool visit_named(void *ctx, const struct ir_node *n)
{
	struct named *nm = ctx;
	nm->found |= n->kind == IR_NAME && n->text && nm->name && !strcmp(n->text, nm->name);
	return !nm->found;
}

static bool visit_varies(void *ctx, const struct ir_node *n)
{
	struct varies *v = ctx;
	if (v->found)
		return false;
	if (n->kind == IR_CALL && model_for(v->q->f, v->file, MODEL_NEXT, n))
		v->found = true; /* the next item of a queue or a result set */
	else if (n->kind == IR_NAME)
		v->found = varies_at(v->q, v->file, n, v->loop, v->depth + 1);
	return !v->found;
}

/* Whether a name is bound anew by each turn: the loop's element, its counter, a local
 * assigned in it from a value that varies. */
static bool varies_at(struct flow_query *q, int32_t file, const struct ir_node *e,
		      const struct ir_node *loop, int depth)
{
	if (!e || depth > 6)
		return false;
	if (e->kind != IR_NAME) {
		struct varies v = {q, file, loop, depth, false};
		ir_walk(e, visit_varies, &v);
		return v.found;
	}
	if (loop->op == IR_LOOP_FOR && loop->c) { /* the counter: for (i = 0; ...; i++) */
		struct named nm = {e->text, false};
		ir_walk(loop->c, visit_named, &nm);
		if (nm.found)
			return true;
	}
	uint32_t n;
	const struct def *d = scope_lookup(q->f, file, e->func, e->text, &n);
	for (uint32_t i = 0; d && i < n; i++) {
		if (d[i].func != e->func || !d[i].at || !ir_within(d[i].at, loop))
			continue;
		if (d[i].how == DEF_ELEMENT && d[i].at == loop)
			return true;
		if ((d[i].how == DEF_ASSIGN || d[i].how == DEF_PATTERN || d[i].how == DEF_ELEMENT) &&
		    d[i].value && varies_at(q, file, d[i].value, loop, depth + 1))
			return true;
	}
	return false;
}

bool flow_varies_in(struct flow_query *q, int32_t file, const struct ir_node *expr,
		    const struct ir_node *loop)
{
	return expr && loop && loop->kind == IR_LOOP && varies_at(q, file, expr, loop, 0);
}

bool flow_caught(struct flow_query *q, int32_t file, const struct ir_node *n)
{
	for (const struct ir_node *t = flow_try_of(n); t; t = flow_try_of(t))
		if (t->nkids)
			return true;
	/* fetch(url).then(...).catch(...) */
	for (const struct ir_node *cur = n; cur && cur->parent;) {
		const struct ir_node *p = cur->parent;
		if (p->kind == IR_AWAIT) {
			cur = p;
			continue;
		}
		if (p->kind != IR_MEMBER || p->a != cur || !p->parent || p->parent->kind != IR_CALL ||
		    p->parent->a != p)
			return false;
		if (model_for(q->f, file, MODEL_CATCH, p->parent))
			return true;
		cur = p->parent;
	}
	return false;
}

/* ---- statuses ---- */

static enum flow_status status_of_text(const char *s)
{
	if (!strcasecmp(s, "CONFIRMED"))
		return ST_CONFIRMED;
	if (!strcasecmp(s, "FAILED") || !strcasecmp(s, "EXPIRED") || !strcasecmp(s, "CANCELLED") ||
	    !strcasecmp(s, "CANCELED"))
		return ST_FAILED;
	if (!strcasecmp(s, "PENDING"))
		return ST_PENDING;
	return ST_NONE;
}

enum flow_status flow_status_named(struct flow_query *q, int32_t file, const struct ir_node *n)
{
	while (n && n->kind == IR_AWAIT)
		n = n->a;
	if (!n)
		return ST_NONE;
	if (n->kind == IR_STRING)
		return n->text ? status_of_text(n->text) : ST_NONE;
	if (n->kind == IR_MEMBER && n->text) {
		/* PaymentStatus.CONFIRMED, PaymentStatus::CONFIRMED, Status.Confirmed */
		enum flow_status st = status_of_text(n->text);
		if (st != ST_NONE)
			return st;
		/* an enum member's value or name: PaymentStatus.CONFIRMED.value */
		if (!strcmp(n->text, "value") || !strcmp(n->text, "name") ||
		    !strcmp(n->text, "_value_"))
			return flow_status_named(q, file, n->a);
	}
	if (n->kind == IR_NAME || n->kind == IR_MEMBER) {
		char buf[64];
		bool partial;
		if (flow_string(q, file, n, buf, sizeof buf, &partial) && !partial)
			return status_of_text(buf);
	}
	return ST_NONE;
}

static struct flow_status_test none(void)
{
	return (struct flow_status_test){ST_NONE, false, NULL};
}

static struct flow_status_test compare(struct flow_query *q, int32_t file,
				       const struct ir_node *value, enum flow_status named,
				       bool equal)
{
	uint32_t l = flow_labels_deep(q, file, value);
	struct flow_status_test t = {ST_NONE, false, value};
	bool checked = l & FL_CHECKED;
	t.from_request = (l & FL_REQUEST) && !checked;
	if (!checked && !t.from_request)
		return none();
	if (equal)
		t.status = named;
	else if (named == ST_CONFIRMED)
		t.status = ST_NOT_CONFIRMED;
	return t;
}

/* The status a list literal names: the one status among its values (other words, such as
 * "SUCCESS", aside), or ST_NONE when it names none or several. */
static enum flow_status list_status(struct flow_query *q, int32_t file, const struct ir_node *list)
{
	if (!list || (list->kind != IR_ARRAY && list->kind != IR_OBJECT) || !list->nkids)
		return ST_NONE;
	enum flow_status all = ST_NONE;
	for (uint32_t i = 0; i < list->nkids; i++) {
		const struct ir_node *k = list->kids[i];
		enum flow_status st = flow_status_named(q, file, k->kind == IR_PAIR ? k->b : k);
		if (st == ST_NONE)
			continue;
		if (all != ST_NONE && st != all)
			return ST_NONE;
		all = st;
	}
	return all;
}

static struct flow_status_test status_at(struct flow_query *q, int32_t file,
					 const struct ir_node *c, bool truth, int depth);

static struct flow_status_test either(struct flow_status_test a, struct flow_status_test b)
{
	if (a.status == ST_CONFIRMED || a.from_request)
		return a;
	if (b.status == ST_CONFIRMED || b.from_request)
		return b;
	return a.status != ST_NONE ? a : b;
}

static struct flow_status_test case_status(struct flow_query *q, int32_t file,
					   const struct ir_node *c)
{
	const struct ir_node *sw = c->parent;
	if (!sw || sw->kind != IR_SWITCH)
		return none();
	const struct ir_node *subject = sw->a;
	if (!c->nkids) {
		/* default: none of the other cases; not confirmed when one of them is */
		for (uint32_t i = 0; i < sw->nkids; i++)
			for (uint32_t k = 0; k < sw->kids[i]->nkids; k++)
				if (flow_status_named(q, file, sw->kids[i]->kids[k]) == ST_CONFIRMED)
					return subject ? compare(q, file, subject, ST_CONFIRMED, false)
						       : none();
		return none();
	}
	struct flow_status_test best = none();
	for (uint32_t k = 0; k < c->nkids; k++) {
		const struct ir_node *v = c->kids[k];
		enum flow_status st = flow_status_named(q, file, v);
		struct flow_status_test t =
			subject && st != ST_NONE ? compare(q, file, subject, st, true)
						 : status_at(q, file, v, true, 1); /* match(true) */
		best = either(best, t);
	}
	return best;
}

static struct flow_status_test status_at(struct flow_query *q, int32_t file,
					 const struct ir_node *c, bool truth, int depth)
{
	if (!c || depth > MAX_DEPTH)
		return none();
	switch (c->kind) {
	case IR_AWAIT:
		return status_at(q, file, c->a, truth, depth + 1);
	case IR_UNARY:
		return c->op == IR_OP_NOT ? status_at(q, file, c->a, !truth, depth + 1) : none();
	case IR_BINARY: {
		if (c->op == IR_OP_EQ || c->op == IR_OP_NE) {
			bool equal = (c->op == IR_OP_EQ) == truth;
			enum flow_status sa = flow_status_named(q, file, c->a);
			enum flow_status sb = flow_status_named(q, file, c->b);
			if (sb != ST_NONE)
				return compare(q, file, c->a, sb, equal);
			if (sa != ST_NONE)
				return compare(q, file, c->b, sa, equal);
			return none();
		}
		if (c->op == IR_OP_IN || c->op == IR_OP_NOT_IN) {
			enum flow_status st = list_status(q, file, c->b);
			bool equal = (c->op == IR_OP_IN) == truth;
			return st != ST_NONE ? compare(q, file, c->a, st, equal) : none();
		}
		if ((c->op == IR_OP_AND && truth) || (c->op == IR_OP_OR && !truth))
			return either(status_at(q, file, c->a, truth, depth + 1),
				      status_at(q, file, c->b, truth, depth + 1));
		return none();
	}
	case IR_CASE:
		return truth ? case_status(q, file, c) : none();
	case IR_CALL: {
		const struct flow *f = q->f;
		/* a project function says what it tells by its summary, whatever its name */
		struct flow_fn fn = flow_callee(f, file, c);
		if (flow_fn_ok(fn)) {
			const struct flow_summary *s = flow_summary(f, fn);
			if (s->verifies == VERIFY_RETURNS)
				return (struct flow_status_test){truth ? ST_CONFIRMED : ST_NOT_CONFIRMED,
								 false, c};
			if (s->verifies == VERIFY_ASSERTS && truth)
				return (struct flow_status_test){ST_CONFIRMED, false, c};
			return none();
		}
		const struct model_row *r = model_for(f, file, MODEL_MEMBER_TEST, c);
		if (r) {
			const struct ir_node *v = model_arg(c, r->attr[MODEL_ATTR_VALUE]);
			const struct ir_node *list = model_arg(c, r->attr[MODEL_ATTR_LIST]);
			enum flow_status st = list_status(q, file, list);
			return v && st != ST_NONE ? compare(q, file, v, st, truth) : none();
		}
		r = model_for(f, file, MODEL_STATUS_TEST, c);
		if (r && r->attr[MODEL_ATTR_STATUS]) {
			/* $payment->isConfirmed(): the value tested is the payment */
			enum flow_status st = status_of_text(r->attr[MODEL_ATTR_STATUS]);
			const struct ir_node *v = c->a && c->a->kind == IR_MEMBER ? c->a->a : c;
			struct flow_status_test t = {st, false, v};
			if (!truth)
				t.status = st == ST_CONFIRMED ? ST_NOT_CONFIRMED : ST_NONE;
			return t;
		}
		return none();
	}
	case IR_NAME: {
		/* const paid = status === "CONFIRMED"; if (paid) */
		const struct def *d = def_reaching(q->f, file, c, c);
		if (d && d->how == DEF_ASSIGN && d->value && d->value != c)
			return status_at(q, file, d->value, truth, depth + 1);
		return none();
	}
	default:
		return none();
	}
}

struct flow_status_test flow_condition_status(struct flow_query *q, int32_t file,
					      const struct ir_node *cond, bool truth)
{
	return status_at(q, file, cond, truth, 0);
}
