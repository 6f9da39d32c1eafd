/* OC010 missing-payment-logging: a createLink, or an order's status set to paid or failed,
 * with no log statement on its path. The docs log "[Payment] Created" and "[Payment]
 * Status changed": without those lines a disputed or lost payment cannot be traced.
 *
 * The path is the function doing it (its closures too), the class it is a method of (a
 * service that logs anywhere has a logger), and the functions of the project that call it,
 * a few levels up. A function no code of the project calls is an entry point when it is
 * one (a route handler, a callback handed to a router or a scheduler, a page's top level,
 * a decorated method) and is judged alone; a named helper that nothing calls is library
 * code, left to callers the project does not have. */
#include <stdio.h>
#include <string.h>

#include "check/flow_stage.h"
#include "core/buf.h"
#include "core/error.h"

enum verdict { LOGGED, UNLOGGED, ELSEWHERE }; /* also the evidence kinds */
enum event { EVENT_CREATED, EVENT_STATUS };

static const char *const event_names[] = {"payment created", "status change"};

#define MAX_UP 3

static bool fn_logs(const struct flow *f, struct flow_fn fn)
{
	if (flow_summary(f, fn)->logs)
		return true;
	/* a method of a class that logs somewhere */
	const struct ir_func *func = flow_func(f, fn);
	const struct ir_file *ir = flow_ir(f, fn.file);
	if (!func || func->cls < 0)
		return false;
	const struct ir_class *c = &ir->classes[func->cls];
	for (uint32_t i = 0; i < c->nmethods; i++)
		if (flow_summary(f, (struct flow_fn){fn.file, c->methods[i]})->logs)
			return true;
	return false;
}

/* Whether fn, or a caller of it up to MAX_UP levels, logs. */
static bool path_logs(const struct flow *f, struct flow_fn fn, int depth)
{
	if (fn_logs(f, fn))
		return true;
	/* a closure (an arrow, an anonymous function) logs when the function around it does */
	const struct ir_func *func = flow_func(f, fn);
	if (func && ((func->flags & IR_FN_ARROW) || !func->name || !*func->name) &&
	    func->parent >= 0 &&
	    path_logs(f, (struct flow_fn){fn.file, func->parent}, depth))
		return true;
	if (depth >= MAX_UP)
		return false;
	size_t n;
	const struct flow_site *sites = flow_callers(f, fn, &n);
	for (size_t i = 0; i < n; i++)
		if (path_logs(f, flow_fn_of(f, sites[i].file, sites[i].call), depth + 1))
			return true;
	return false;
}

/* A function nothing calls that frameworks run: anonymous (a callback), a route
 * handler's name, a default export, decorated, or the file's top level; and, with
 * methods, any method (judged with its class). */
static bool is_entry(const struct flow *f, struct flow_fn fn, bool methods)
{
	static const char *const names[] = {"GET",     "POST",   "PUT",	 "PATCH", "DELETE",
					    "handler", "default", "action", "loader", "load", NULL};
	const struct ir_func *func = flow_func(f, fn);
	if (!func || (func->flags & (IR_FN_MODULE | IR_FN_DEFAULT)) || func->ndecorators ||
	    !func->name || !*func->name || flow_is_entry(f, fn))
		return true;
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(func->name, names[i]))
			return true;
	/* a method is judged with its class: a service that logs nowhere has no logger */
	return methods && func->cls >= 0;
}

/* Library code: fn hands the new link back to its callers, and so does each of them, up
 * to functions nothing in the project calls that no framework runs (an SDK's public
 * createLink() over its service's): the callers the project does not have log. */
static bool handed_to_absent_callers(const struct flow *f, struct flow_fn fn, int depth)
{
	if (depth > MAX_UP || !(flow_summary(f, fn)->ret & FL_CREATED))
		return false;
	size_t n;
	const struct flow_site *sites = flow_callers(f, fn, &n);
	if (!n)
		return !is_entry(f, fn, false);
	for (size_t i = 0; i < n; i++)
		if (!handed_to_absent_callers(f, flow_fn_of(f, sites[i].file, sites[i].call),
					      depth + 1))
			return false;
	return true;
}

/* Whether fn hands the new link back to callers of the project: each judges its own
 * copy where it calls fn. */
static bool handed_to_callers(const struct flow *f, struct flow_fn fn)
{
	size_t n;
	flow_callers(f, fn, &n);
	return n && (flow_summary(f, fn)->ret & FL_CREATED);
}

static enum verdict judge_fn(const struct flow *f, struct flow_fn fn, enum event what)
{
	if (path_logs(f, fn, 0))
		return LOGGED;
	if (what == EVENT_CREATED && handed_to_absent_callers(f, fn, 0))
		return ELSEWHERE;
	size_t n;
	flow_callers(f, fn, &n);
	return n || is_entry(f, fn, true) ? UNLOGGED : ELSEWHERE;
}

/* Whether a caller that fn hands the new link to is reported for it: the finding goes
 * there, where the log is missing, rather than into the helper. */
static bool callers_report(const struct flow *f, struct flow_fn fn)
{
	if (!handed_to_callers(f, fn))
		return false;
	size_t n;
	const struct flow_site *sites = flow_callers(f, fn, &n);
	for (size_t i = 0; i < n; i++)
		if (judge_fn(f, flow_fn_of(f, sites[i].file, sites[i].call), EVENT_CREATED) ==
		    UNLOGGED)
			return true;
	return false;
}

static int record(struct flow_check *c, const struct rule *r, const struct ir_node *site,
		  enum verdict v, enum event ev, const char *value)
{
	if (v != UNLOGGED)
		return scan_add_evidence(c->u->scan, r, v, c->u->path, (int)site->line,
					 event_names[ev]);
	char msg[320];
	if (ev == EVENT_CREATED)
		snprintf(msg, sizeof msg,
			 "payment link created with no log statement on its path: log \"[Payment] "
			 "Created\" with the orderId, paymentRef and amount");
	else
		snprintf(msg, sizeof msg,
			 "order status set to %s with no log statement on its path: log \"[Payment] "
			 "Status changed\" with the orderId, old and new status",
			 value);
	return flow_report(c, r, site, msg, -1);
}

/* The status written, as the code writes it ("PAID", OrderStatus::Paid), for the message. */
static void status_text(struct flow_check *c, const struct flow_event *e, char *buf, size_t size)
{
	const struct ir_node *v = e->arg;
	if (v && v->end > v->start && v->end - v->start < 64 && v->end <= c->u->len) {
		snprintf(buf, size, "%.*s", (int)(v->end - v->start), c->u->data + v->start);
		return;
	}
	snprintf(buf, size, "paid");
}

int oc010_run(struct flow_check *c, const struct rule *r, const struct detector *d)
{
	(void)d;
	const struct ir_file *ir = flow_ir(c->flow, c->file);
	int rc = 0;
	for (uint32_t i = 0; i < ir->nfuncs && !rc; i++) {
		struct flow_fn fn = {c->file, (int32_t)i};
		size_t n;
		const struct flow_event *ev = flow_events(c->flow, fn, &n);
		bool judged[2] = {false, false};
		for (size_t k = 0; k < n && !rc; k++) {
			const struct flow_event *e = &ev[k];
			enum event what;
			if (e->kind == EV_CREATE_LINK && !flow_event_wrapped(c->flow, e))
				what = EVENT_CREATED;
			else if (e->kind == EV_CREATE_LINK && handed_to_callers(c->flow, e->via) &&
				 !fn_logs(c->flow, e->via))
				what = EVENT_CREATED; /* a wrapper that hands the link here */
			else if ((e->kind == EV_FULFIL || e->kind == EV_FAIL_MARK) &&
				 !flow_fn_ok(e->via))
				what = EVENT_STATUS;
			else
				continue;
			if (judged[what])
				continue; /* one verdict per function and event */
			judged[what] = true;
			enum verdict v = judge_fn(c->flow, fn, what);
			if (what == EVENT_CREATED && v == UNLOGGED && callers_report(c->flow, fn))
				continue; /* reported where the callers take the link */
			char value[80] = "";
			if (what == EVENT_STATUS)
				status_text(c, e, value, sizeof value);
			rc = record(c, r, e->node, v, what, value);
		}
	}
	return rc;
}

/* "logged: payment created (a.js:9), status change (b.js:12)", at most a few of each. */
static void list_events(struct buf *b, const struct scan *s, const struct rule *r, int kind,
			const char *label)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nevidence; i++) {
		const struct scan_evidence *e = &s->evidence[i];
		if (e->rule != r || e->kind != kind)
			continue;
		if (n++ == 0)
			buf_printf(b, "%s%s: ", b->len ? "; " : "", label);
		if (n <= 3)
			buf_printf(b, "%s%s (%s:%d)", n > 1 ? ", " : "", e->text, e->path, e->line);
	}
	if (n > 3)
		buf_printf(b, " and %zu more", n - 3);
}

int oc010_finish(struct scan *s, const struct rule *r)
{
	for (size_t i = 0; i < s->findings.len; i++)
		if (s->findings.items[i].rule == r)
			return 0; /* the findings say it */
	struct buf b = BUF_INIT;
	list_events(&b, s, r, LOGGED, "logged");
	list_events(&b, s, r, ELSEWHERE, "left to callers in other modules");
	if (buf_oom(&b)) {
		buf_free(&b);
		return error_set("out of memory");
	}
	int rc = b.len ? scan_note_rule(s, r, NOTE_DETAIL, b.ptr) : 0;
	buf_free(&b);
	return rc;
}
