/* OC012 unhandled-payment-failure: code that acts when checkPayment says CONFIRMED but
 * never handles FAILED. Links expire 20 minutes after creation and turn FAILED: an order
 * whose handling only knows CONFIRMED stays pending forever.
 *
 * A positive test of CONFIRMED (status === "CONFIRMED", a case "CONFIRMED", a match arm,
 * in_array/includes/in with CONFIRMED, isConfirmed()) on checkPayment's answer is failure
 * handling's cue; the function that holds it (and its closures) handles failure when it
 * tests FAILED, marks an order failed or cancelled, keys a table by FAILED, or says
 * "failed", "cancelled" or "expired" outside a catch (an API error is not a failed
 * payment), or ends the if/else-if chain of the test with an else that fulfils nothing. A guard that only rejects what is not confirmed (`if (status !== "CONFIRMED")
 * throw`) is verification, not status handling, and is left to OC004. */
#include <string.h>
#include <strings.h>

#include "check/flow_stage.h"

struct failure {
	struct flow_check *c;
	bool found;
};

static bool says_failure(const char *s, uint32_t len)
{
	static const char *const words[] = {"failed", "cancelled", "canceled", "expired"};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		size_t n = strlen(words[i]);
		for (uint32_t k = 0; k + n <= len; k++) {
			if (strncasecmp(s + k, words[i], n))
				continue;
			bool before = k > 0 && ((s[k - 1] >= 'a' && s[k - 1] <= 'z') ||
						(s[k - 1] >= 'A' && s[k - 1] <= 'Z'));
			bool after = k + n < len && ((s[k + n] >= 'a' && s[k + n] <= 'z') ||
						     (s[k + n] >= 'A' && s[k + n] <= 'Z'));
			if (!before && !after)
				return true;
		}
	}
	return false;
}

static bool visit_handles(void *ctx, const struct ir_node *n)
{
	struct failure *h = ctx;
	struct flow_check *c = h->c;
	if (h->found || n->kind == IR_CATCH)
		return false;
	switch (n->kind) {
	case IR_STRING:
		h->found = n->text && says_failure(n->text, n->len);
		break;
	case IR_PAIR:
		/* { FAILED: ... } */
		h->found = (n->text && !strcasecmp(n->text, "FAILED")) ||
			   (n->a && flow_status_named(c->q, c->file, n->a) == ST_FAILED);
		break;
	case IR_NAME:
	case IR_MEMBER: {
		if (n->kind == IR_MEMBER && flow_status_named(c->q, c->file, n) == ST_FAILED) {
			h->found = true;
			break;
		}
		/* a table keyed by status with a FAILED entry: ORDER_STATUS[result.status] */
		int32_t of;
		const struct ir_node *o = flow_object(c->q, c->file, n, &of);
		for (uint32_t i = 0; o && i < o->nkids && !h->found; i++) {
			const struct ir_node *p = o->kids[i];
			h->found = p->kind == IR_PAIR &&
				   ((p->text && !strcasecmp(p->text, "FAILED")) ||
				    (p->a && flow_status_named(c->q, of, p->a) == ST_FAILED));
		}
		break;
	}
	case IR_CALL:
	case IR_ASSIGN: {
		const struct flow_event *ev = flow_event_at(c->flow, c->file, n);
		struct flow_status_test t = flow_condition_status(c->q, c->file, n, true);
		h->found = (ev && ev->kind == EV_FAIL_MARK) || t.status == ST_FAILED;
		if (!h->found && ev && flow_fn_ok(ev->via))
			h->found = flow_summary(c->flow, ev->via)->fails;
		break;
	}
	default:
		break;
	}
	return !h->found;
}

/* A test that holds exactly when the payment is CONFIRMED (not a rejection of the rest). */
static bool positive_confirmed(struct flow_check *c, const struct ir_node *n)
{
	switch (n->kind) {
	case IR_BINARY:
		if (n->op != IR_OP_EQ && n->op != IR_OP_IN)
			return false;
		break;
	case IR_CASE:
		if (!n->nkids)
			return false;
		break;
	case IR_CALL:
		break;
	default:
		return false;
	}
	struct flow_status_test t = flow_condition_status(c->q, c->file, n, true);
	return t.status == ST_CONFIRMED && !t.from_request && t.value != n;
}

struct scan_fn {
	struct flow_check *c;
	const struct rule *r;
	struct flow_fn fn;
	int handled; /* -1 not yet known, 0 no, 1 yes */
	int rc;
};

static bool visit_fulfils(void *ctx, const struct ir_node *n)
{
	struct failure *h = ctx;
	const struct flow_event *ev = n->kind == IR_CALL || n->kind == IR_STRING || n->kind == IR_PAIR
					      ? flow_event_at(h->c->flow, h->c->file, n)
					      : NULL;
	h->found |= ev && ev->kind == EV_FULFIL;
	return !h->found;
}

/* The catch-all else at the end of an if/else-if chain a CONFIRMED test opens and another
 * test (PENDING) continues, when it fulfils nothing: whatever is neither lands there,
 * FAILED with it. */
static bool catch_all_else(struct flow_check *c, const struct ir_node *test)
{
	const struct ir_node *s = test->parent;
	if (!s || s->kind != IR_IF || s->a != test)
		return false;
	const struct ir_node *first = s;
	while (s->c && s->c->kind == IR_IF)
		s = s->c;
	if (!s->c || s == first)
		return false; /* a bare else may be PENDING's: it must follow another test */
	struct failure h = {c, false};
	ir_walk(s->c, visit_fulfils, &h);
	return !h.found;
}

static bool visit_confirmed(void *ctx, const struct ir_node *n)
{
	struct scan_fn *sf = ctx;
	if (sf->rc || !positive_confirmed(sf->c, n))
		return !sf->rc;
	if (catch_all_else(sf->c, n))
		return n->kind != IR_BINARY;
	if (sf->handled < 0) {
		struct failure h = {sf->c, false};
		flow_walk(sf->c->flow, sf->fn, true, visit_handles, &h);
		sf->handled = h.found;
	}
	if (!sf->handled)
		sf->rc = flow_report(sf->c, sf->r, n,
				     "acts on CONFIRMED but never handles FAILED: an expired or "
				     "declined payment leaves the order pending forever",
				     -1);
	return n->kind != IR_BINARY;
}

int oc012_run(struct flow_check *c, const struct rule *r, const struct detector *d)
{
	(void)d;
	const struct ir_file *ir = flow_ir(c->flow, c->file);
	for (uint32_t i = 0; i < ir->nfuncs; i++) {
		struct scan_fn sf = {c, r, {c->file, (int32_t)i}, -1, 0};
		flow_walk(c->flow, sf.fn, false, visit_confirmed, &sf);
		if (sf.rc)
			return sf.rc;
	}
	return 0;
}
