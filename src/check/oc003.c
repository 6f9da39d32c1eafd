/* OC003 payment-ref-not-saved: a createLink whose paymentRef never reaches a persistent
 * store. Without it, checkPayment cannot be called for the order when the customer
 * returns or when the reconciliation job runs, and a paid order stays pending.
 *
 * createLink's answer (or its ref) is saved when, in the function that creates it (its
 * closures too):
 *   - a write of the models takes it: an ORM or query builder call, raw SQL that inserts
 *     or updates, order meta, a job or task handed the ref;
 *   - it is set on an object (order.paymentRef = ref, $order->setPaymentRef($ref)) that a
 *     write then takes or commits (save, flush, commit);
 *   - a project function it is passed to saves that parameter (its summary), or a function
 *     of another library named for storing (saveOrderPaymentRef) takes it;
 *   - the function returns it: each function of the project that calls this one judges
 *     its own copy the same way; with no caller at all the function is library code and
 *     is left alone.
 * What does not last is no store (the engine's writes leave out the session, a cookie,
 * the browser's storage, a cache, a Map or dict in memory). A payment URL alone carries
 * no ref. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check/flow_stage.h"

struct saving {
	struct flow_check *c;
	int32_t file;
	const char *carriers[16]; /* objects the ref was set on */
	size_t ncarriers;
	bool saved;
	const char *kept; /* where it went instead: "the session", "a cookie" ... */
};

static bool carries(struct flow_check *c, int32_t file, const struct ir_node *e)
{
	return e && (flow_labels(c->q, file, e) & FL_CREATED);
}


static void add_carrier(struct saving *s, const char *name)
{
	if (name && s->ncarriers < sizeof s->carriers / sizeof s->carriers[0])
		s->carriers[s->ncarriers++] = name;
}

static bool is_carrier(const struct saving *s, const struct ir_node *n)
{
	const char *name = ir_root_name(n);
	for (size_t i = 0; name && i < s->ncarriers; i++)
		if (!strcmp(s->carriers[i], name))
			return true;
	return false;
}

/* The ref set on an object: x.ref = v, x.setRef(v), Object.assign(x, {ref}). */
static bool visit_carriers(void *ctx, const struct ir_node *n)
{
	struct saving *s = ctx;
	if (n->kind == IR_ASSIGN && n->a && (n->a->kind == IR_MEMBER || n->a->kind == IR_INDEX) &&
	    carries(s->c, s->file, n->b))
		add_carrier(s, ir_root_name(n->a));
	else if (n->kind == IR_CALL && n->a && n->a->kind == IR_MEMBER && n->a->text &&
		 !strncasecmp(n->a->text, "set", 3) && n->nkids && carries(s->c, s->file, n->kids[0]))
		add_carrier(s, ir_root_name(n->a->a));
	else if (n->kind == IR_CALL && n->a && n->a->kind == IR_MEMBER && n->a->text &&
		 !strcmp(n->a->text, "assign") && n->nkids >= 2 && carries(s->c, s->file, n->kids[1]))
		add_carrier(s, ir_root_name(n->kids[0]));
	return true;
}

static bool stores_by_name(const char *name)
{
	static const char *const prefixes[] = {"save",	 "update", "store", "persist", "upsert",
					       "insert", "record", "attach", "remember", NULL};
	for (size_t i = 0; name && prefixes[i]; i++)
		if (!strncasecmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static bool call_takes_ref(struct saving *s, const struct ir_node *call)
{
	for (uint32_t i = 0; i < call->nkids; i++)
		if (carries(s->c, s->file, call->kids[i]) || is_carrier(s, call->kids[i]))
			return true;
	return call->a && call->a->kind == IR_MEMBER && is_carrier(s, call->a->a);
}

/* Whether a call of the function saves what it is handed. */
static bool visit_writes(void *ctx, const struct ir_node *n)
{
	struct saving *s = ctx;
	if (!s->saved && n->kind == IR_ASSIGN && n->a && carries(s->c, s->file, n->b)) {
		/* req.session.paymentRef = ref, $_SESSION['ref'] = $ref */
		const struct model_row *e = flow_ephemeral(s->c->flow, s->c->q, s->file, n->a, true);
		if (e)
			s->kept = e->attr[MODEL_ATTR_NOTE] ? e->attr[MODEL_ATTR_NOTE] : "memory";
	}
	if (s->saved || n->kind != IR_CALL)
		return !s->saved;
	struct flow_check *c = s->c;
	const struct flow_event *ev = flow_event_at(c->flow, s->file, n);
	const struct model_row *e;
	if (!ev && call_takes_ref(s, n) &&
	    (e = flow_ephemeral(c->flow, c->q, s->file, n, false)))
		s->kept = e->attr[MODEL_ATTR_NOTE] ? e->attr[MODEL_ATTR_NOTE] : "memory";
	else if (ev && ev->kind == EV_RESPONSE && call_takes_ref(s, n) && !s->kept)
		s->kept = "the response to the browser";
	if (ev && ev->kind == EV_WRITE) {
		/* a commit of what was set on a model counts as its write */
		s->saved = call_takes_ref(s, n) || (s->ncarriers && n->nkids == 0);
	} else if (ev && ev->kind == EV_CALL && flow_fn_ok(ev->via)) {
		uint32_t writes = flow_summary(c->flow, ev->via)->writes;
		for (unsigned a = 0; a < 16 && !s->saved; a++) {
			const struct ir_node *arg = ir_call_arg(n, a);
			if ((writes & fl_param(a)) && arg &&
			    (carries(c, s->file, arg) || is_carrier(s, arg)))
				s->saved = true;
		}
	} else if (!ev && n->a) {
		/* a store of another library, trusted by its name: saveOrderPaymentRef(ref) */
		const char *name = n->a->kind == IR_MEMBER ? n->a->text : n->a->kind == IR_NAME ? n->a->text
												: NULL;
		if (stores_by_name(name) && call_takes_ref(s, n) &&
		    !flow_ephemeral(c->flow, c->q, s->file, n, false))
			s->saved = true;
	}
	return !s->saved;
}

static bool saves_in(struct flow_check *c, struct flow_fn fn, const char **kept)
{
	struct saving s = {.c = c, .file = fn.file};
	flow_walk(c->flow, fn, true, visit_carriers, &s);
	flow_walk(c->flow, fn, true, visit_writes, &s);
	if (!s.saved && s.kept && !*kept)
		*kept = s.kept;
	return s.saved;
}

/* Whether a return of fn hands the ref to its caller. */
struct handing {
	struct flow_check *c;
	int32_t file;
	bool found;
};

static bool visit_return(void *ctx, const struct ir_node *n)
{
	struct handing *h = ctx;
	/* an answer to the client (return res.json(link)) carries nothing: the models say so */
	if (n->kind == IR_RETURN && n->a && carries(h->c, h->file, n->a))
		h->found = true;
	return !h->found;
}

static bool hands_on(struct flow_check *c, struct flow_fn fn)
{
	struct handing h = {c, fn.file, false};
	flow_walk(c->flow, fn, false, visit_return, &h);
	return h.found;
}

/* Where a createLink event is judged. Its function saves the ref: fine. It returns the
 * ref: each caller judges its own copy at its call (a wrapper's call is a createLink
 * event of the caller), and with no caller the function is library code, left alone.
 * A call of a project function that saves the ref itself, or keeps it, is no createLink
 * of the caller's. */
static bool judged_here(struct flow_check *c, struct flow_fn fn, const struct flow_event *e,
			const char **kept)
{
	if (flow_event_wrapped(c->flow, e)) {
		const char *inner = NULL;
		if (saves_in(c, e->via, &inner) || !hands_on(c, e->via))
			return false;
		*kept = inner;
	}
	return !saves_in(c, fn, kept) && !hands_on(c, fn);
}

int oc003_run(struct flow_check *c, const struct rule *r, const struct detector *d)
{
	(void)d;
	const struct ir_file *ir = flow_ir(c->flow, c->file);
	int rc = 0;
	for (uint32_t i = 0; i < ir->nfuncs && !rc; i++) {
		struct flow_fn fn = {c->file, (int32_t)i};
		size_t n;
		const struct flow_event *ev = flow_events(c->flow, fn, &n);
		for (size_t k = 0; k < n && !rc; k++) {
			const struct flow_event *e = &ev[k];
			const char *kept = NULL;
			if (e->kind != EV_CREATE_LINK || !judged_here(c, fn, e, &kept))
				continue;
			char msg[256];
			snprintf(msg, sizeof msg,
				 "the paymentRef of this createLink is %s%s: save it with the order so "
				 "a payment can be checked even if the customer never returns",
				 kept ? "kept only in " : "never saved", kept ? kept : "");
			rc = flow_report(c, r, e->node, msg, -1);
		}
	}
	return rc;
}
