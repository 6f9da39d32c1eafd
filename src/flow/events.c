#define _GNU_SOURCE /* strcasestr */
/* Events: what a function does that the rules care about, classified by the models. A
 * call to a project function is judged by that function's summary first (a wrapper of
 * the OCPay API is an API call wherever it is called); other calls by the models: the
 * SDKs, HTTP requests whose URL names an OCPay endpoint (the base URL of an axios.create()
 * or httpx.Client() instance included), writes, fulfilments, logs, timers, waits, exits.
 * An assignment of a paid or failed status to an order's status field is an event too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "flow/events_private.h"
#include "flow/flow_private.h"

/* Whether name is one of the '|'-separated names. */
static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, "|");
		if (len == n && !strncmp(p, name, n))
			return true;
		p += len + (p[len] == '|');
	}
	return false;
}

void ev_emit(struct events *ev, enum flow_event_kind kind, const struct ir_node *node,
	     const struct ir_node *arg, const struct model_row *row, struct flow_fn via, double ms,
	     bool sdk)
{
	if (ev->oom)
		return;
	if (ev->n == ev->cap) {
		uint32_t cap = ev->cap ? ev->cap * 2 : 8;
		struct flow_event *p = realloc(ev->items, cap * sizeof *p);
		if (!p) {
			ev->oom = true;
			return;
		}
		ev->items = p;
		ev->cap = cap;
	}
	ev->items[ev->n++] = (struct flow_event){kind, node, ev->fn, arg, row, via, ms, sdk, false};
}

/* Marks the event just emitted as one whose error answer raises. */
void ev_set_throws(struct events *ev, bool throws)
{
	if (!ev->oom && ev->n)
		ev->items[ev->n - 1].throws = throws;
}

/* Whether the request a wrapper makes raises on an error answer: its first API or HTTP
 * event's, through wrappers of wrappers. */
static bool wrapped_throws(const struct flow *f, struct flow_fn fn, int depth)
{
	size_t n;
	const struct flow_event *e = flow_events(f, fn, &n);
	for (size_t i = 0; i < n; i++) {
		if (e[i].kind != EV_CREATE_LINK && e[i].kind != EV_CHECK_PAYMENT &&
		    e[i].kind != EV_HTTP)
			continue;
		if (flow_fn_ok(e[i].via) && depth < 4)
			return wrapped_throws(f, e[i].via, depth + 1);
		return e[i].throws;
	}
	return false;
}

bool ev_attr_true(const struct model_row *r, enum model_attr a)
{
	return r && r->attr[a] && !strcmp(r->attr[a], "true");
}

/* A timer or a schedule: what it runs and how often. A scheduling call whose period a
 * chained call sets ($schedule->job(...)->everyMinute()) is one only with that call. */
static bool timer_event(struct events *ev, const struct ir_node *node, const struct model_row *r)
{
	double ms = model_duration(ev->q, ev->fn.file, node, r);
	if (r->attr[MODEL_ATTR_CHAINED] && ms < 0)
		return false;
	const struct ir_node *arg = NULL;
	double wait;
	if (r->attr[MODEL_ATTR_FN])
		arg = model_arg(node, r->attr[MODEL_ATTR_FN]);
	if (arg && node->kind == IR_CALL && flow_number(ev->q, ev->fn.file, arg, &wait)) {
		/* a number where the function goes: timers/promises' setTimeout(750) waits */
		ev_emit(ev, EV_SLEEP, node, arg, r, FLOW_FN_NONE, wait, false);
		return true;
	} else if (r->attr[MODEL_ATTR_URL])
		arg = model_arg(node, r->attr[MODEL_ATTR_URL]);
	else if (r->attr[MODEL_ATTR_HOOK])
		arg = model_arg(node, r->attr[MODEL_ATTR_HOOK]);
	ev_emit(ev, EV_TIMER, node, arg, r, flow_target_of(ev->f, ev->q, ev->fn, node, r), ms,
		false);
	return true;
}

/* A table of schedules assigned (Celery's beat_schedule = {"name": {"task": ...,
 * "schedule": 5.0}}): each entry is a timer. */
static void timer_table(struct events *ev, const struct ir_node *target,
			const struct ir_node *value)
{
	const struct model_row *r =
	    target ? model_for(ev->f, ev->fn.file, MODEL_TIMER_TABLE, target) : NULL;
	int32_t of;
	const struct ir_node *table =
	    r && value ? flow_object(ev->q, ev->fn.file, value, &of) : NULL;
	if (!table || of != ev->fn.file)
		return;
	for (uint32_t i = 0; i < table->nkids; i++) {
		const struct ir_node *entry = table->kids[i];
		if (entry->kind == IR_PAIR && entry->b && entry->b->kind == IR_OBJECT)
			timer_event(ev, entry->b, r);
	}
}

/* A call of the OCPay API by its name: the SDK's createLink() or checkPayment(). */
static bool api_event(struct events *ev, const struct ir_node *call, const struct model_row *r)
{
	const char *api = r->attr[MODEL_ATTR_API];
	if (api && !strcmp(api, "createLink"))
		ev_emit(ev, EV_CREATE_LINK, call, model_arg(call, r->attr[MODEL_ATTR_INPUT]), r,
			FLOW_FN_NONE, -1, true);
	else if (api && !strcmp(api, "checkPayment"))
		ev_emit(ev, EV_CHECK_PAYMENT, call, model_arg(call, r->attr[MODEL_ATTR_REF]), r,
			FLOW_FN_NONE, -1, true);
	else
		return false;
	ev_set_throws(ev, ev_attr_true(r, MODEL_ATTR_THROWS));
	return true;
}

/* A fulfilment row's event: the call fulfils, or (update_status('processing'), an
 * entity's setStatus('paid')) fulfils or fails by the status it is given. */
static void fulfil_event(struct events *ev, const struct ir_node *call, const struct model_row *r,
			 struct flow_fn via)
{
	if (!r->attr[MODEL_ATTR_STATUS]) {
		ev_emit(ev, EV_FULFIL, call, NULL, r, via, -1, false);
		return;
	}
	const struct ir_node *st = model_arg(call, r->attr[MODEL_ATTR_STATUS]);
	int k = ev_status_written(ev, st);
	if (k >= 0)
		ev_emit(ev, (enum flow_event_kind)k, call, st, r, FLOW_FN_NONE, -1, false);
}

/* A call of a project function is judged by its name too, where the models name it:
 * the SDK's checkPayment() in the project's own tree (vendored, or the SDK itself) is the
 * API call (true: nothing more to say of it); a function named for fulfilling fulfils; a
 * query wrapper handed an UPDATE writes; one named for logging logs — whatever its body
 * lets the engine see. */
static bool by_name(struct events *ev, const struct ir_node *call, const struct path *p,
		    struct flow_fn callee)
{
	const struct model_set *m = ev->f->models;
	enum lang lang = ev->ir->lang;
	const struct model_row *r = model_match(m, MODEL_API, lang, p);
	if (r && api_event(ev, call, r))
		return true;
	if ((r = model_match(m, MODEL_FULFIL, lang, p)))
		fulfil_event(ev, call, r, callee);
	else if ((r = ev_write_row(ev, call, p)) && r->attr[MODEL_ATTR_SQL])
		ev_emit(ev, EV_WRITE, call, NULL, r, FLOW_FN_NONE, -1, false);
	if ((r = model_match(m, MODEL_LOG, lang, p)))
		ev_emit(ev, EV_LOG, call, NULL, r, FLOW_FN_NONE, -1, false);
	return false;
}

static void call_event(struct events *ev, const struct ir_node *call)
{
	const struct flow *f = ev->f;
	int32_t file = ev->fn.file;
	struct flow_fn callee = flow_callee(f, file, call);
	if (flow_fn_ok(callee)) {
		const struct flow_summary *s = flow_summary(f, callee);
		if (s->api & (1u << EV_CREATE_LINK)) {
			ev_emit(ev, EV_CREATE_LINK, call, ir_call_arg(call, 0), NULL, callee, -1,
				false);
			ev_set_throws(ev, wrapped_throws(f, callee, 0));
			return;
		}
		if (s->api & (1u << EV_CHECK_PAYMENT)) {
			const struct ir_node *ref =
			    ir_call_arg(call, s->api_ref >= 0 ? (uint32_t)s->api_ref : 0);
			ev_emit(ev, EV_CHECK_PAYMENT, call, ref, NULL, callee, -1, false);
			ev_set_throws(ev, wrapped_throws(f, callee, 0));
			return;
		}
		if (s->url_param >= 0) {
			/* apiRequest({ endpoint: "/ocpay/createLink", ... }) */
			const struct ir_node *arg = ir_call_arg(call, (uint32_t)s->url_param);
			int32_t af = file;
			if (arg && s->url_key)
				arg = flow_member_value(ev->q, file, arg, s->url_key, &af);
			char url[URL_MAX], whole[2 * URL_MAX];
			bool partial;
			if (arg && flow_string(ev->q, af, arg, url, sizeof url, &partial)) {
				/* ocpayFetch("/createLink") where the wrapper fetches OCPAY_API +
				 * path */
				snprintf(whole, sizeof whole, "%s%s",
					 s->url_base ? s->url_base : "", url);
				int kind = ev_endpoint_of(f, ev->ir->lang, whole);
				const struct ir_node *other =
				    s->url_key ? ir_call_arg(call, (uint32_t)s->url_param)
					       : ir_call_arg(call, (uint32_t)s->url_param + 1);
				if ((kind == EV_CREATE_LINK || kind == EV_CHECK_PAYMENT) &&
				    flow_note_api_url(ev->f, ev->q, af, arg) < 0)
					ev->oom = true;
				if (kind == EV_CREATE_LINK) {
					ev_emit(ev, EV_CREATE_LINK, call, other, NULL, callee, -1,
						false);
					ev_set_throws(ev, wrapped_throws(f, callee, 0));
					return;
				}
				if (kind == EV_CHECK_PAYMENT) {
					ev_emit(ev, EV_CHECK_PAYMENT, call, ev_ref_in_url(arg),
						NULL, callee, -1, false);
					ev_set_throws(ev, wrapped_throws(f, callee, 0));
					return;
				}
			}
		}
		if (s->waits) {
			/* sleep(ms) written in the project: a wait of what it is given */
			double ms = s->wait_ms, v;
			const struct ir_node *a =
			    s->wait_param >= 0 ? ir_call_arg(call, (uint32_t)s->wait_param) : NULL;
			if (a)
				ms = flow_duration(ev->q, file, a, s->wait_unit, &v) ? v : -1;
			ev_emit(ev, EV_SLEEP, call, a, NULL, callee, ms, false);
			return;
		}
		/* a project function named for fulfilling (activateSubscription) fulfils by its
		 * name too, whatever its body shows */
		struct path fp;
		if (path_of(&fp, call) && by_name(ev, call, &fp, callee))
			return;
		ev_emit(ev, EV_CALL, call, NULL, NULL, callee, -1, false);
		return;
	}
	struct path p;
	if (!path_of(&p, call) || !p.n)
		return;
	/* an alias is the name it imports: import { setTimeout as nap } from "timers/promises" */
	for (uint32_t i = 0; p.rooted && i < ev->ir->nimports; i++) {
		const struct ir_import *im = &ev->ir->imports[i];
		if (im->kind != IR_IMPORT_TYPE && im->local && im->name && strcmp(im->name, "*") &&
		    strcmp(im->name, "default") && !strcmp(im->local, p.seg[0]) &&
		    strcmp(im->name, im->local))
			p.seg[0] = im->name;
	}
	const struct model_set *m = f->models;
	enum lang lang = ev->ir->lang;
	const struct model_row *r;
	if ((r = model_match(m, MODEL_API, lang, &p))) {
		api_event(ev, call, r);
		return;
	}
	if ((r = ev_http_row(ev, call, &p))) {
		ev_http_event(ev, call, r);
		return;
	}
	if ((r = model_match(m, MODEL_FULFIL, lang, &p))) {
		fulfil_event(ev, call, r, FLOW_FN_NONE);
		return;
	}
	if ((r = ev_write_row(ev, call, &p))) {
		ev_emit(ev, EV_WRITE, call, NULL, r, FLOW_FN_NONE, -1, false);
		if (r->attr[MODEL_ATTR_ON] && !strcmp(r->attr[MODEL_ATTR_ON], "write"))
			ev_executed_status(ev, call);
		/* named arguments are fields too: .update(status="expired") */
		if (!ev_prepared_for_later(r, call)) {
			ev_written_status(ev, call, call, NULL, 0);
			for (uint32_t i = 0; i < call->nkids; i++)
				ev_written_status(ev, call, call->kids[i], NULL, 0);
		}
		/* a task queued with a delay is written and is a timer: poll.apply_async() */
		if ((r = model_match(m, MODEL_TIMER, lang, &p)))
			timer_event(ev, call, r);
		return;
	}
	if ((r = model_match(m, MODEL_LOG, lang, &p)) || (r = ev_typed_row(ev, MODEL_LOG, call))) {
		/* echo is the response of a web page, the log of a script */
		bool cli = r->attr[MODEL_ATTR_CLI] && !strcmp(r->attr[MODEL_ATTR_CLI], "true");
		if ((!cli || ev->ir->script) &&
		    (!r->attr[MODEL_ATTR_WITH] || model_arg_is(call, r->attr[MODEL_ATTR_WITH])))
			ev_emit(ev, EV_LOG, call, NULL, r, FLOW_FN_NONE, -1, false);
		return;
	}
	if ((r = model_match(m, MODEL_TIMER, lang, &p)) && timer_event(ev, call, r))
		return;
	if ((r = model_match(m, MODEL_SLEEP, lang, &p))) {
		double unit;
		ev_emit(ev, EV_SLEEP, call, model_duration_arg(call, r, &unit), r, FLOW_FN_NONE,
			model_duration(ev->q, ev->fn.file, call, r), false);
		return;
	}
	if ((r = model_match(m, MODEL_EXIT, lang, &p))) {
		ev_emit(ev, EV_EXIT, call, NULL, r, FLOW_FN_NONE, -1, false);
		return;
	}
	/* r.json() on what fetch() answered decodes it: no answer to the client */
	if ((r = model_response(f, file, &p)) &&
	    !(call->a && call->a->kind == IR_MEMBER && value_is_answer(ev->q, file, call->a->a)))
		ev_emit(ev, EV_RESPONSE, call, NULL, r, FLOW_FN_NONE, -1, false);
}

static bool visit(void *ctx, const struct ir_node *n)
{
	struct events *ev = ctx;
	if (n->kind == IR_CALL && !(n->flags & IR_F_NEW)) {
		call_event(ev, n);
	} else if (n->kind == IR_CALL) {
		/* new X(...): HTTP and SDK clients are not events; a timer is (new CronJob()) */
		const struct model_row *r = model_for(ev->f, ev->fn.file, MODEL_TIMER, n);
		if (r)
			timer_event(ev, n, r);
	} else if (n->kind == IR_ASSIGN && n->a && n->a->kind == IR_MEMBER &&
		   ev_is_status_field(ev, n->a->text)) {
		int k = ev_status_written(ev, n->b);
		if (k >= 0)
			ev_emit(ev, (enum flow_event_kind)k, n, n->b, NULL, FLOW_FN_NONE, -1,
				false);
	}
	if (n->kind == IR_ASSIGN && n->op == IR_OP_ASSIGN)
		timer_table(ev, n->a, n->b);
	else if (n->kind == IR_DECL)
		timer_table(ev, n->a, n->b);
	return true;
}

int events_classify(struct flow *f, struct flow_query *q, struct flow_fn fn)
{
	struct flow_file *ff = flow_file_at(f, fn.file);
	const struct ir_func *func = &ff->ir->funcs[fn.func];
	struct events ev = {.f = f, .q = q, .fn = fn, .ir = ff->ir};
	/* schedules written as decorators: @Cron(...), @Interval(5000), @app.task */
	for (uint32_t i = 0; i < func->ndecorators; i++) {
		const struct ir_node *d = func->decorators[i];
		const struct model_row *r = model_for(f, fn.file, MODEL_SCHEDULE, d);
		if (r)
			ev_emit(&ev, EV_TIMER, d, NULL, r, fn, model_duration(q, fn.file, d, r),
				false);
	}
	/* or on its class, for the method they run: #[AsPeriodicTask(frequency: 5)] */
	const struct ir_class *cls = func->cls >= 0 ? &ff->ir->classes[func->cls] : NULL;
	for (uint32_t i = 0; cls && i < cls->ndecorators; i++) {
		const struct ir_node *d = cls->decorators[i];
		const struct model_row *r = model_for(f, fn.file, MODEL_SCHEDULE, d);
		const char *runs = r ? r->attr[MODEL_ATTR_RUNS] : NULL;
		if (runs && func->name && in_list(runs, func->name))
			ev_emit(&ev, EV_TIMER, d, NULL, r, fn, model_duration(q, fn.file, d, r),
				false);
	}
	ir_walk(func->body, visit, &ev);
	if (ev.oom) {
		free(ev.items);
		return error_set("out of memory");
	}
	free(ff->events[fn.func]);
	ff->events[fn.func] = ev.items;
	ff->nevents[fn.func] = ev.n;
	for (uint32_t i = ev.n; i-- > 0;)
		if (ev.items[i].node->id < ff->ir->nnodes)
			ff->event_of[ev.items[i].node->id] = &ev.items[i];
	return 0;
}

const struct flow_event *flow_events(const struct flow *f, struct flow_fn fn, size_t *n)
{
	struct flow_file *ff = flow_file_at(f, fn.file);
	*n = 0;
	if (!ff || !ff->events || fn.func < 0 || (uint32_t)fn.func >= ff->ir->nfuncs)
		return NULL;
	*n = ff->nevents[fn.func];
	return ff->events[fn.func];
}

const struct flow_event *flow_event_at(const struct flow *f, int32_t file, const struct ir_node *n)
{
	struct flow_file *ff = flow_file_at(f, file);
	if (!ff || !ff->event_of || !n || n->id >= ff->ir->nnodes)
		return NULL;
	return ff->event_of[n->id];
}

bool flow_event_wrapped(const struct flow *f, const struct flow_event *e)
{
	return flow_fn_ok(e->via) && (flow_summary(f, e->via)->api & (1u << e->kind));
}
