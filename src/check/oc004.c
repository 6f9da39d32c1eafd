/* OC004 fulfill-without-verification: an order marked paid or fulfilled where no
 * checkPayment answer compared equal to CONFIRMED guards the path.
 *
 * A fulfilment is an event of the models (a status set to paid on an order, a database
 * update that sets it, payment_complete(), fulfillOrder() ...). It is verified when one of
 * the conditions that hold where it runs (flow_guards: branches, switch cases, early exits,
 * a helper that throws unless the payment is confirmed) says checkPayment answered
 * CONFIRMED (flow_condition_status). Unverified in its own function, it is judged where
 * the project calls that function: each call is a fulfilment too (the function's summary
 * says it fulfils), reported where it stands when unverified. A function nothing calls
 * answers for itself.
 *
 * Even verified, a fulfilment whose checkPayment was handed a ref from the request (the
 * return URL's query, a body), and that nothing compares with the ref saved on the order,
 * lets a customer replay any earlier confirmed payment to check out another order. */
#include <stdio.h>
#include <string.h>

#include "check/flow_stage.h"

#define MAX_GUARDS 32

static const char *const msg_replay =
    "fulfils after checking a paymentRef taken from the request, not the one saved on the "
    "order: any earlier confirmed ref can be replayed";
static const char *const msg_failed_only =
    "only rules out FAILED: a PENDING payment passes; fulfil only when status === "
    "\"CONFIRMED\"";
static const char *const msg_unguarded_check =
    "the checkPayment result does not guard this: fulfil only when status === \"CONFIRMED\"";
static const char *const msg_none =
    "marks the order paid without verifying the payment (no checkPayment with status === "
    "\"CONFIRMED\" on this path)";

struct guard_verdict {
	bool confirmed;
	bool failed_only;
	const struct ir_node *request_status; /* a status compared that the customer sends */
};

/* The condition under which a value written is the paid one: next in
 * `next = status === "CONFIRMED" ? "PAID" : "FAILED"` is PAID only when confirmed. */
static void value_guards(struct flow_check *c, int32_t file, const struct ir_node *value,
			 struct guard_verdict *v, int depth)
{
	if (!value || depth > 4)
		return;
	if (value->kind == IR_NAME) {
		const struct ir_node *defs[2];
		int32_t files[2];
		if (flow_defs(c->q, file, value, defs, files, 2) == 1)
			value_guards(c, files[0], defs[0], v, depth + 1);
		return;
	}
	if (value->kind != IR_COND || !value->b)
		return;
	char buf[32];
	bool partial;
	const struct model_set *m = c->u->scan->rules->models;
	enum lang lang = flow_ir(c->flow, file)->lang;
	bool then_paid = flow_string(c->q, file, value->b, buf, sizeof buf, &partial) &&
			 model_has_value(m, MODEL_PAID_STATUS, lang, buf);
	bool else_paid = value->c && value->c->kind != IR_COND &&
			 flow_string(c->q, file, value->c, buf, sizeof buf, &partial) &&
			 model_has_value(m, MODEL_PAID_STATUS, lang, buf);
	if (then_paid == else_paid)
		return;
	struct flow_status_test t = flow_condition_status(c->q, file, value->a, then_paid);
	if (t.status == ST_CONFIRMED && !t.from_request)
		v->confirmed = true;
	else if (t.from_request && !v->request_status)
		v->request_status = t.value;
}

static struct guard_verdict read_guards(struct flow_check *c, int32_t file, const struct ir_node *n)
{
	struct flow_guard g[MAX_GUARDS];
	size_t k = flow_guards(c->q, file, n, g, MAX_GUARDS);
	struct guard_verdict v = {false, false, NULL};
	for (size_t i = 0; i < k; i++) {
		struct flow_status_test t =
		    flow_condition_status(c->q, file, g[i].cond, g[i].truth);
		if (t.from_request) {
			if (!v.request_status)
				v.request_status = t.value;
			continue;
		}
		if (t.status == ST_CONFIRMED)
			v.confirmed = true;
		else if (t.status == ST_NONE) {
			/* status !== "FAILED": true for a PENDING payment too */
			struct flow_status_test f =
			    flow_condition_status(c->q, file, g[i].cond, !g[i].truth);
			if (f.status == ST_FAILED)
				v.failed_only = true;
		}
	}
	return v;
}

/* Two expressions read the same value: the same name, or the same member path. */
static bool same_value(const struct ir_node *a, const struct ir_node *b)
{
	while (a && a->kind == IR_AWAIT)
		a = a->a;
	while (b && b->kind == IR_AWAIT)
		b = b->a;
	if (!a || !b || a->kind != b->kind)
		return false;
	if (a->kind == IR_NAME)
		return a->text && b->text && !strcmp(a->text, b->text);
	if (a->kind == IR_MEMBER)
		return a->text && b->text && !strcmp(a->text, b->text) && same_value(a->a, b->a);
	if (a->kind == IR_THIS)
		return true;
	if (a->kind == IR_CALL)
		return same_value(a->a, b->a) && a->nkids == b->nkids &&
		       (!a->nkids || same_value(a->kids[0], b->kids[0]) ||
			(a->kids[0]->kind == IR_STRING && b->kids[0]->kind == IR_STRING &&
			 a->kids[0]->text && b->kids[0]->text &&
			 !strcmp(a->kids[0]->text, b->kids[0]->text)));
	return false;
}

/* What the ref is compared with is the order's: loaded from the store, or a member of an
 * object the customer does not send (a route-bound model, $order->payment_ref). */
static bool stored_side(struct flow_check *c, int32_t file, const struct ir_node *other)
{
	uint32_t l = flow_labels(c->q, file, other);
	if (l & FL_STORED)
		return true;
	return other->kind == IR_MEMBER && !(l & (FL_REQUEST | FL_LITERAL));
}

struct ref_use {
	struct flow_check *c;
	int32_t file;
	const struct ir_node *ref;
	bool tied;
};

/* The ref is compared with a stored one, or picks the order fulfilled. */
static bool visit_ties(void *ctx, const struct ir_node *n)
{
	struct ref_use *u = ctx;
	if (u->tied)
		return false;
	if (n->kind == IR_BINARY && (n->op == IR_OP_EQ || n->op == IR_OP_NE)) {
		const struct ir_node *other = same_value(n->a, u->ref)	 ? n->b
					      : same_value(n->b, u->ref) ? n->a
									 : NULL;
		if (other && stored_side(u->c, u->file, other))
			u->tied = true;
	}
	/* hash_equals($order->payment_ref, $ref), hmac.compare_digest(...) */
	if (n->kind == IR_CALL && n->nkids >= 2 &&
	    flow_model(u->c->flow, u->file, MODEL_EQUALS, n)) {
		const struct ir_node *a = ir_call_arg(n, 0), *b = ir_call_arg(n, 1);
		const struct ir_node *other = same_value(a, u->ref)   ? b
					      : same_value(b, u->ref) ? a
								      : NULL;
		if (other && stored_side(u->c, u->file, other))
			u->tied = true;
	}
	return true;
}

static bool visit_mentions(void *ctx, const struct ir_node *n)
{
	struct ref_use *u = ctx;
	if (!u->tied && n != u->ref && same_value(n, u->ref))
		u->tied = true;
	return !u->tied;
}

/* The customer's value first, a stored one as a fallback: req.query.ref || order.ref. */
static bool request_first(struct flow_check *c, int32_t file, const struct ir_node *e, int depth)
{
	while (e && e->kind == IR_AWAIT)
		e = e->a;
	if (!e || depth > 4)
		return false;
	if (e->kind == IR_BINARY && (e->op == IR_OP_OR || e->op == IR_OP_NULLISH)) {
		uint32_t l = flow_labels_deep(c->q, file, e->a);
		return (l & FL_REQUEST) && !(l & FL_STORED);
	}
	if (e->kind == IR_COND && e->b == NULL) /* $ref ?: $order->ref */
		return request_first(c, file, e->a, depth + 1);
	/* encodeURIComponent(ref || order.ref), urlencode(...): the value handed on */
	if (e->kind == IR_CALL && e->nkids && flow_model(c->flow, file, MODEL_PASSTHROUGH, e))
		return request_first(c, file, ir_call_arg(e, 0), depth + 1);
	if (e->kind == IR_NAME) {
		const struct ir_node *defs[4];
		int32_t files[4];
		size_t n = flow_defs(c->q, file, e, defs, files, 4);
		for (size_t i = 0; i < n; i++)
			if (request_first(c, files[i], defs[i], depth + 1))
				return true;
	}
	return false;
}

/* The ref a checkPayment of fn was handed comes from the request (alone, or first with a
 * stored one as a fallback), and nothing ties it to the order fulfilled at site. */
static bool replayable(struct flow_check *c, struct flow_fn fn, const struct ir_node *site)
{
	size_t n;
	const struct flow_event *ev = flow_events(c->flow, fn, &n);
	for (size_t i = 0; i < n; i++) {
		const struct flow_event *e = &ev[i];
		if (e->kind != EV_CHECK_PAYMENT || !e->arg)
			continue;
		/* a ref loaded with the order is the order's, even looked up by a request id */
		uint32_t l = flow_labels_deep(c->q, fn.file, e->arg);
		if (!(l & FL_REQUEST) || ((l & FL_STORED) && !request_first(c, fn.file, e->arg, 0)))
			continue;
		struct ref_use u = {c, fn.file, e->arg, false};
		flow_walk(c->flow, fn, true, visit_ties, &u);
		ir_walk(site, visit_mentions, &u);
		if (!u.tied)
			return true;
	}
	return false;
}

static bool fn_checks(const struct flow *f, struct flow_fn fn)
{
	size_t n;
	const struct flow_event *ev = flow_events(f, fn, &n);
	for (size_t i = 0; i < n; i++)
		if (ev[i].kind == EV_CHECK_PAYMENT ||
		    (flow_fn_ok(ev[i].via) && flow_summary(f, ev[i].via)->verifies != VERIFY_NONE))
			return true;
	return false;
}

/* A closure handed to a call of the function around it (DB::transaction(function () {..}),
 * forEach): the guards around that call hold inside it. */
static void outer_guards(struct flow_check *c, struct flow_fn fn, struct guard_verdict *v)
{
	const struct ir_func *func = flow_func(c->flow, fn);
	size_t n;
	const struct flow_site *sites =
	    func && func->parent >= 0 ? flow_handed_to(c->flow, fn, &n) : NULL;
	for (size_t i = 0; sites && i < n && !v->confirmed; i++) {
		if (sites[i].file != fn.file ||
		    flow_fn_of(c->flow, sites[i].file, sites[i].call).func != func->parent)
			continue;
		struct guard_verdict o = read_guards(c, sites[i].file, sites[i].call);
		v->confirmed |= o.confirmed;
		v->failed_only |= o.failed_only;
		if (!v->request_status)
			v->request_status = o.request_status;
	}
}

static int judge(struct flow_check *c, const struct rule *r, struct flow_fn fn,
		 const struct ir_node *site, const struct ir_node *value)
{
	struct guard_verdict v = read_guards(c, fn.file, site);
	if (!v.confirmed)
		value_guards(c, fn.file, value, &v, 0);
	if (!v.confirmed)
		outer_guards(c, fn, &v);
	if (v.confirmed)
		return replayable(c, fn, site) ? flow_report(c, r, site, msg_replay, -1) : 0;
	/* unverified here: each call of the function in the project is a fulfilment of its
	 * own (the summary says it fulfils), judged where it stands */
	size_t callers;
	flow_callers(c->flow, fn, &callers);
	if (callers)
		return 0;
	char buf[256];
	const char *msg = msg_none;
	if (v.request_status) {
		const char *text = c->u->data + v.request_status->start;
		int len = (int)(v.request_status->end - v.request_status->start);
		snprintf(
		    buf, sizeof buf,
		    "fulfils on a payment status from the request (%.*s): the customer controls "
		    "the redirect; verify with checkPayment",
		    len > 80 ? 80 : len, text);
		msg = buf;
	} else if (v.failed_only) {
		msg = msg_failed_only;
	} else if (fn_checks(c->flow, fn)) {
		msg = msg_unguarded_check;
	}
	return flow_report(c, r, site, msg, -1);
}

int oc004_run(struct flow_check *c, const struct rule *r, const struct detector *d)
{
	(void)d;
	const struct ir_file *ir = flow_ir(c->flow, c->file);
	int rc = 0;
	for (uint32_t i = 0; i < ir->nfuncs && !rc; i++) {
		struct flow_fn fn = {c->file, (int32_t)i};
		size_t n;
		const struct flow_event *ev = flow_events(c->flow, fn, &n);
		const struct ir_node *last = NULL;
		for (size_t k = 0; k < n && !rc; k++) {
			const struct flow_event *e = &ev[k];
			bool fulfils =
			    e->kind == EV_FULFIL || (e->kind == EV_CALL && flow_fn_ok(e->via) &&
						     flow_summary(c->flow, e->via)->fulfils);
			if (!fulfils || e->node == last)
				continue;
			last = e->node; /* a write that sets paid is one fulfilment */
			rc = judge(c, r, fn, e->node, e->kind == EV_FULFIL ? e->arg : NULL);
		}
	}
	return rc;
}
