#define _GNU_SOURCE /* strcasestr */
#include "check/flow_stage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check/checker.h"
#include "check/flow_neighbours.h"
#include "check/flow_records.h"
#include "check/unit.h"
#include "core/error.h"

bool detector_is_flow(const struct detector *d)
{
	return d->type == DETECT_CHECKER && d->checker && d->checker->flow;
}

int flow_report(struct flow_check *c, const struct rule *r, const struct ir_node *node,
		const char *message, int severity)
{
	return unit_add_hit(c->u, r, node->start, node->end, NULL, 0, message, severity);
}

static int record_cmp(const void *a, const void *b)
{
	return strcmp(((const struct flow_record *)a)->path, ((const struct flow_record *)b)->path);
}

/* ---- running the checkers ---- */

static int check_file(struct pool *p, struct parser_set *ps, struct flow_query *q, size_t i)
{
	(void)ps;
	struct scan *s = p->s;
	struct flow_record *rec = &s->flow_records[i];
	struct unit u = {.scan = s,
			 .path = rec->path,
			 .index = rec->index,
			 .flags = rec->flags,
			 .data = rec->data,
			 .len = rec->len,
			 .lang = rec->lang,
			 .page = rec->page,
			 .scope = SCOPE_TREE,
			 .classified = true,
			 .runtime = rec->info.runtime,
			 .parse_tried = true};
	struct flow_check c = {&u, p->flow, q, (int32_t)i};
	int rc = 0;
	for (size_t k = 0; !rc && k < s->rules->len; k++) {
		const struct rule *r = &s->rules->rules[k];
		if (!(r->scopes & SCOPE_TREE) || rule_disabled(s, r))
			continue;
		for (size_t j = 0; !rc && j < r->ndetectors; j++) {
			const struct detector *d = &r->detectors[j];
			if (detector_is_flow(d) && scan_detector_applies(&u, r, d, false))
				rc = d->checker->flow(&c, r, d);
		}
	}
	if (!rc)
		rc = unit_finish(&u, &p->out);
	unit_free(&u);
	return rc;
}

static const char *const event_names[EV_KIND_COUNT] = {[EV_CREATE_LINK] = "createLink",
						       [EV_CHECK_PAYMENT] = "checkPayment",
						       [EV_WRITE] = "write",
						       [EV_FULFIL] = "fulfilment",
						       [EV_FAIL_MARK] = "failure mark",
						       [EV_LOG] = "log",
						       [EV_RESPONSE] = "response",
						       [EV_TIMER] = "timer",
						       [EV_SLEEP] = "wait",
						       [EV_EXIT] = "exit",
						       [EV_HTTP] = "HTTP request",
						       [EV_CALL] = "call"};

/* --verbose: what the flow rules understood of each file, event by event. */
static void log_events(struct scan *s, const struct flow *flow)
{
	for (size_t i = 0; i < flow_nfiles(flow); i++) {
		const struct ir_file *ir = flow_ir(flow, (int32_t)i);
		for (uint32_t k = 0; k < ir->nfuncs; k++) {
			struct flow_fn fn = {(int32_t)i, (int32_t)k};
			size_t n;
			const struct flow_event *ev = flow_events(flow, fn, &n);
			char name[128], via[128] = "";
			flow_fn_name(flow, fn, name, sizeof name);
			for (size_t e = 0; e < n; e++) {
				if (ev[e].kind == EV_CALL)
					continue;
				if (flow_fn_ok(ev[e].via))
					flow_fn_name(flow, ev[e].via, via, sizeof via);
				char ms[48] = ""; /* how long a wait, how often a timer */
				if ((ev[e].kind == EV_TIMER || ev[e].kind == EV_SLEEP) &&
				    ev[e].ms >= 0)
					snprintf(ms, sizeof ms, " (%.0f ms)", ev[e].ms);
				scan_log(s, "%s:%u: %s%s in %s%s%s%s%s", ir->path, ev[e].node->line,
					 event_names[ev[e].kind], ms, name,
					 flow_fn_ok(ev[e].via) ? " through " : "",
					 flow_fn_ok(ev[e].via) ? via : "", ev[e].row ? ", by " : "",
					 ev[e].row ? ev[e].row->source : "");
			}
		}
	}
}

/* Whether a flow rule judges calls of this kind: its applies_to names them. */
static bool rule_needs(const struct rule *r, enum flow_event_kind kind)
{
	bool flow = false;
	for (size_t j = 0; j < r->ndetectors; j++)
		flow |= detector_is_flow(&r->detectors[j]);
	for (size_t k = 0; flow && k < r->napplies; k++) {
		const char *w = r->applies_to[k];
		if ((kind != EV_CHECK_PAYMENT && !strcasecmp(w, "createLink")) ||
		    (kind != EV_CREATE_LINK && !strcasecmp(w, "checkPayment")))
			return true;
	}
	return false;
}

/* The items of the rules judging calls of kind (EV_KIND_COUNT: either) are unknown, for
 * why, unless a reason was given already. */
static int note_calls_unknown(struct scan *s, enum flow_event_kind kind, const char *why)
{
	for (size_t k = 0; k < s->rules->len; k++) {
		const struct rule *r = &s->rules->rules[k];
		if (rule_needs(r, kind) && scan_rule_applies(s, r) &&
		    !scan_rule_note(s, r, NOTE_UNKNOWN) && scan_note_unknown(s, r, why) < 0)
			return -1;
	}
	return 0;
}

/* No pass on what the engine did not follow: an endpoint named, or an SDK imported, with
 * no call of it understood makes the items of the rules judging those calls unknown. */
static int note_unexplained(struct scan *s, const struct flow *flow)
{
	struct flow_unexplained u[16];
	size_t n = flow_unexplained(flow, u, 16);
	for (size_t i = 0; i < n; i++) {
		/* an SDK imported in a test, or imported by a project that makes its calls
		 * somewhere (a client made in one file, used in others) */
		if (u[i].sdk && (flow_info(flow, u[i].file)->test || flow_has_api_call(flow)))
			continue;
		char why[512];
		const char *path = flow_ir(flow, u[i].file)->path;
		if (u[i].sdk)
			snprintf(
			    why, sizeof why,
			    "%s:%u imports the OCPay SDK, but no createLink or checkPayment "
			    "call through it was understood (a wrapper or client the engine does "
			    "not follow)",
			    path, u[i].line);
		else
			snprintf(why, sizeof why,
				 "%s:%u names the %s endpoint, but no call of it was understood (a "
				 "wrapper or client the engine does not follow)",
				 path, u[i].line,
				 u[i].kind == EV_CREATE_LINK ? "createLink" : "checkPayment");
		if (note_calls_unknown(s, u[i].kind, why) < 0)
			return -1;
	}
	return 0;
}

/* The OCPay calls OC002 found in browser code are made where the flow rules do not follow
 * them (the page, not the server): the items judging those calls cannot pass. */
static int note_browser_calls(struct scan *s, const struct finding_list *found)
{
	for (size_t i = 0; i < found->len; i++) {
		const struct finding *f = &found->items[i];
		if (!f->rule || strcmp(f->rule->id, "OC002") || f->commit || !f->match ||
		    !(strcasestr(f->match, "oneclickdz") || strcasestr(f->match, "access-token")))
			continue;
		bool create = strcasestr(f->match, "createlink") != NULL;
		bool check = strcasestr(f->match, "checkpayment") != NULL;
		enum flow_event_kind kind = create == check ? EV_KIND_COUNT
					    : create	    ? EV_CREATE_LINK
							    : EV_CHECK_PAYMENT;
		char why[512];
		snprintf(
		    why, sizeof why,
		    "%s:%d calls the OCPay API from browser code (OC002), where the flow rules "
		    "do not judge it: make the call on the server",
		    f->path, f->line);
		if (note_calls_unknown(s, kind, why) < 0)
			return -1;
	}
	return 0;
}

/* Whether a kept file names OCPay's payment reference (paymentRef, payment_ref): code
 * of an OCPay integration whose calls live elsewhere (another service, a page). */
static bool names_payment_ref(const struct scan *s)
{
	for (size_t i = 0; i < s->nflow_records; i++) {
		const struct flow_record *rec = &s->flow_records[i];
		if (rec->data &&
		    (strcasestr(rec->data, "paymentref") || strcasestr(rec->data, "payment_ref")))
			return true;
	}
	return false;
}

int flow_stage_run(struct scan *s, struct finding_list *out)
{
	if (note_browser_calls(s, out) < 0)
		return -1;
	if (!s->nflow_records)
		return 0;
	if (flow_stage_lower(s) < 0)
		return -1;
	/* the flow rules judge OCPay payments: with no OCPay code anywhere and no payment
	 * reference of OCPay's, another gateway's return page or a framework's scheduler is
	 * not theirs to judge */
	if (!s->ocpay_seen && !names_payment_ref(s))
		return 0;
	/* the frameworks' models: read now, the first time a scan needs them */
	if (!ruleset_models(s->rules) || flow_neighbours_expand(s) < 0)
		return -1;
	/* files that could not be read or parsed are left out (and were noted) */
	size_t kept = 0;
	for (size_t i = 0; i < s->nflow_records; i++) {
		if (s->flow_records[i].ir)
			s->flow_records[kept++] = s->flow_records[i];
		else
			flow_record_free(&s->flow_records[i]);
	}
	s->nflow_records = kept;
	for (size_t i = 0; i < kept; i++) /* what the flow rules read, and why */
		s->stats.flow_linked += s->flow_records[i].linked;
	s->stats.flow_named = kept - s->stats.flow_linked;
	/* the index's order never depends on thread timing */
	qsort(s->flow_records, s->nflow_records, sizeof *s->flow_records, record_cmp);
	struct flow *flow =
	    flow_new(s->rules->models, s->resolver.files ? &s->resolver : NULL, s->root);
	if (!flow)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < s->nflow_records && !rc; i++) {
		struct flow_record *rec = &s->flow_records[i];
		if (flow_add_file(flow, rec->ir, &rec->info) < 0)
			rc = -1;
		rec->ir = NULL; /* the index owns it now, or freed it */
	}
	if (!rc)
		rc = flow_build(flow);
	if (!rc && s->opt->verbose)
		log_events(s, flow);
	if (!rc)
		rc = note_unexplained(s, flow);
	if (!rc)
		rc = flow_pool_run(s, flow, check_file, out);
	flow_free(flow);
	flow_stage_free(s);
	return rc;
}
