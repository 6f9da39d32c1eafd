/* OC008 aggressive-polling: checkPayment run again and again faster than the minimum
 * interval (polling.min_interval_ms, 10 s by default), or with no delay at all. The docs
 * check the status on return and from a scheduled job, and ask to respect rate limits.
 *
 * A check polls when a loop of its function runs it again (in its body, or a while/do
 * condition) waiting less than the minimum between turns, unless the loop walks through
 * different payments (flow_varies_in) or is a retry that leaves on the first answer and
 * waits between failed attempts; a wait whose length cannot be read is not reported. It
 * polls too when its function, a function calling it, or the function a closure sits in
 * (a few levels up) is run faster than the minimum by a timer or a schedule (flow_runs:
 * setInterval, cron, @Interval, Laravel's scheduler, WP-Cron, Celery beat ...), by a
 * re-queue of itself (a re-arming setTimeout, $this->release(5), self.retry(countdown=5);
 * in a catch it is a retry after an error), or through the shop's own route that a timer
 * of the project requests (a page polling /api/orders/42/status). A wrapper's call is
 * judged where the wrapper checks, except in a loop: there, where the loop is. */
#include <stdio.h>
#include <string.h>

#include "check/config.h"
#include "check/flow_stage.h"

#define CLIMB_MAX 4
#define SEEN_MAX 64

struct poll {
	struct flow_check *c;
	const struct rule *r;
	double min;
	const struct ir_node *loops[16]; /* loops already reported */
	size_t nloops;
};

/* What runs a check again, the fastest found. */
struct runner {
	const struct flow_event *timer;
	const struct flow_event *request; /* the request to the route the check answers */
	double ms;
	struct flow_fn seen[SEEN_MAX];
	size_t nseen;
};

static const char *check_name(const struct flow_event *e)
{
	const struct ir_node *callee = e->node->a;
	const char *name = callee && callee->kind == IR_MEMBER ? callee->text : NULL;
	return name && !strcmp(name, "check_payment") ? "check_payment" : "checkPayment";
}

static bool is_once(const struct flow_event *e)
{
	return e->kind == EV_TIMER && e->row && e->row->attr[MODEL_ATTR_ONCE] &&
	       !strcmp(e->row->attr[MODEL_ATTR_ONCE], "true");
}

/* ---- loops ---- */

/* The loop that runs n again within its function: n in its body, or in the condition of
 * a while, do or for loop. */
static const struct ir_node *loop_around(const struct ir_node *n)
{
	for (const struct ir_node *cur = n; cur && cur->parent; cur = cur->parent) {
		const struct ir_node *p = cur->parent;
		if (p->kind == IR_LOOP &&
		    (cur == p->b || (cur == p->a && p->op != IR_LOOP_FOREACH)))
			return p;
	}
	return NULL;
}

struct waits {
	const struct flow *f;
	int32_t file;
	bool any, known;
	double ms;
};

static bool visit_wait(void *ctx, const struct ir_node *n)
{
	struct waits *w = ctx;
	const struct flow_event *e = flow_event_at(w->f, w->file, n);
	if (e && (e->kind == EV_SLEEP || is_once(e))) {
		w->any = true;
		if (e->ms >= 0 && (!w->known || e->ms < w->ms)) {
			w->known = true;
			w->ms = e->ms;
		}
	}
	if (n->kind == IR_FUNC) { /* await new Promise((r) => setTimeout(r, 1000)) */
		const struct ir_func *fn =
		    flow_func(w->f, (struct flow_fn){w->file, (int32_t)n->num});
		if (fn && fn->body)
			ir_walk(fn->body, visit_wait, w);
	}
	return true;
}

/* Whether the check leaves the loop with its first answer: it is returned, or a return
 * or a break follows it. */
static bool leaves_with_answer(const struct ir_node *call, const struct ir_node *loop)
{
	const struct ir_node *s = ir_statement_of(call);
	if (!s || !ir_within(s, loop))
		return false;
	if (s->kind == IR_RETURN)
		return true;
	const struct ir_node *block = s->parent;
	for (uint32_t i = 0; block && block->kind == IR_BLOCK && i + 1 < block->nkids; i++)
		if (block->kids[i] == s)
			return block->kids[i + 1]->kind == IR_RETURN ||
			       block->kids[i + 1]->kind == IR_BREAK;
	return false;
}

static bool reported_loop(struct poll *p, const struct ir_node *loop)
{
	for (size_t i = 0; i < p->nloops; i++)
		if (p->loops[i] == loop)
			return true;
	if (p->nloops < sizeof p->loops / sizeof p->loops[0])
		p->loops[p->nloops++] = loop;
	return false;
}

static int report(struct poll *p, const struct flow_event *e, const char *how, double ms)
{
	char msg[512];
	if (ms > 0)
		snprintf(msg, sizeof msg,
			 "%s %s every %.0f ms: poll no faster than every %.0f s (a scheduled job "
			 "every few minutes is enough)",
			 check_name(e), how, ms, p->min / 1000);
	else
		snprintf(msg, sizeof msg,
			 "%s %s with no delay: this hammers the API; check when the customer "
			 "returns and from a scheduled job",
			 check_name(e), how);
	return flow_report(p->c, p->r, e->node, msg, -1);
}

/* 1: judged (reported or fine), 0: the loop does not decide, -1: error. */
static int judge_loops(struct poll *p, const struct flow_event *e)
{
	struct flow_check *c = p->c;
	for (const struct ir_node *loop = loop_around(e->node); loop; loop = loop_around(loop)) {
		if (e->arg && flow_varies_in(c->q, c->file, e->arg, loop))
			continue; /* a different payment on each turn */
		struct waits w = {c->flow, c->file, false, false, 0};
		ir_walk(loop, visit_wait, &w);
		if (w.any && leaves_with_answer(e->node, loop))
			continue; /* a retry: runs again only after an error */
		if ((w.any && !w.known) || (w.known && w.ms >= p->min) || reported_loop(p, loop))
			return 1;
		return report(p, e, "runs in a loop", w.known ? w.ms : 0) < 0 ? -1 : 1;
	}
	return 0;
}

/* ---- what runs a function ---- */

/* Whether n sits in a catch block of its function: a retry after an error. */
static bool in_catch(const struct ir_node *n)
{
	for (const struct ir_node *cur = n; cur && cur->parent; cur = cur->parent)
		if (cur->parent->kind == IR_CATCH && cur == cur->parent->b)
			return true;
	return false;
}

struct calls_fn {
	const struct flow *f;
	struct flow_fn host;
	bool found;
};

static bool visit_calls(void *ctx, const struct ir_node *n)
{
	struct calls_fn *cf = ctx;
	if (n->kind == IR_CALL) {
		struct flow_fn to = flow_callee(cf->f, cf->host.file, n);
		cf->found |= to.file == cf->host.file && to.func == cf->host.func;
	}
	return !cf->found;
}

/* A one-shot timer polls when it re-arms: it sits in the function it runs (or in a
 * closure of it), or what it runs calls the function it sits in again. */
static bool rearms(const struct flow *f, const struct flow_event *t, struct flow_fn fn)
{
	const struct ir_file *ir = flow_ir(f, t->fn.file);
	for (int32_t k = t->fn.func; t->fn.file == fn.file && k >= 0; k = ir->funcs[k].parent)
		if (k == fn.func)
			return true;
	for (int32_t k = t->fn.func; k > 0; k = ir->funcs[k].parent) {
		struct calls_fn cf = {f, {t->fn.file, k}, false};
		flow_walk(f, fn, true, visit_calls, &cf);
		if (cf.found)
			return true;
		if (!(ir->funcs[k].flags & IR_FN_ARROW))
			break;
	}
	return false;
}

static bool seen(struct runner *run, struct flow_fn fn)
{
	for (size_t i = 0; i < run->nseen; i++)
		if (run->seen[i].file == fn.file && run->seen[i].func == fn.func)
			return true;
	if (run->nseen < SEEN_MAX)
		run->seen[run->nseen++] = fn;
	return run->nseen >= SEEN_MAX;
}

static void climb(const struct flow *f, struct flow_fn fn, int depth,
		  const struct flow_event *request, struct runner *run)
{
	if (depth > CLIMB_MAX || seen(run, fn))
		return;
	size_t n;
	const struct flow_event *const *runs = flow_runs(f, fn, &n);
	for (size_t i = 0; i < n; i++) {
		const struct flow_event *t = runs[i];
		if (t->kind == EV_HTTP) {
			/* a request of the project to the route fn answers */
			climb(f, t->fn, depth + 1, request ? request : t, run);
			continue;
		}
		if (t->ms < 0 || in_catch(t->node) || (is_once(t) && !rearms(f, t, fn)))
			continue;
		if (!run->timer || t->ms < run->ms) {
			run->timer = t;
			run->request = request;
			run->ms = t->ms;
		}
	}
	/* a closure runs when the function around it does */
	const struct ir_func *func = flow_func(f, fn);
	if (func && func->parent >= 0 && !(func->flags & IR_FN_METHOD) &&
	    ((func->flags & IR_FN_ARROW) || !func->name || !*func->name))
		climb(f, (struct flow_fn){fn.file, func->parent}, depth + 1, request, run);
	const struct flow_site *sites = flow_callers(f, fn, &n);
	for (size_t i = 0; i < n; i++)
		climb(f, flow_fn_of(f, sites[i].file, sites[i].call), depth + 1, request, run);
}

/* "setInterval() (src/jobs.js:12)", "@Interval() (...)", "CELERY_BEAT_SCHEDULE (...)" */
static void describe(const struct flow *f, const struct flow_event *t, char *buf, size_t size)
{
	struct path p;
	char name[128] = "a schedule";
	const struct ir_node *n = t->node;
	char whole[96];
	if (n->kind == IR_CALL && path_of(&p, n) && p.n) {
		/* the whole path when short; a decorator has no parent */
		path_format(&p, whole, sizeof whole);
		bool shrt = strlen(whole) < 48;
		snprintf(name, sizeof name, "%s%s%s", n->parent ? "" : "@",
			 shrt ? whole : p.seg[p.n - 1], shrt ? "" : "()");
	} else if (t->row) {
		snprintf(name, sizeof name, "%s", t->row->text);
	}
	snprintf(buf, size, "%s (%s:%u)", name, flow_ir(f, t->fn.file)->path, n->line);
}

static int judge_runner(struct poll *p, const struct flow_event *e)
{
	const struct flow *f = p->c->flow;
	struct runner run = {0};
	climb(f, e->fn, 0, NULL, &run);
	if (!run.timer || run.ms >= p->min)
		return 0;
	char where[320], how[640];
	describe(f, run.timer, where, sizeof where);
	bool by_url = run.timer->row && run.timer->row->attr[MODEL_ATTR_URL]; /* useSWR(url) */
	if (run.request || by_url) {
		char route[200] = "its route";
		flow_route_of(f, by_url && !run.request ? run.timer->via : run.request->via, route,
			      sizeof route);
		snprintf(how, sizeof how, "runs on each request to %s, which %s sends", route,
			 where);
	} else {
		snprintf(how, sizeof how, "runs from %s%s", where,
			 is_once(run.timer) ? ", which re-arms itself," : "");
	}
	return report(p, e, how, run.ms);
}

int oc008_run(struct flow_check *c, const struct rule *r, const struct detector *d)
{
	(void)d;
	const struct config *cfg = c->u->scan->config;
	struct poll p = {c, r, cfg ? cfg->poll_min_ms : CONFIG_POLL_MIN_MS, {0}, 0};
	const struct ir_file *ir = flow_ir(c->flow, c->file);
	for (uint32_t i = 0; i < ir->nfuncs; i++) {
		size_t n;
		const struct flow_event *ev =
		    flow_events(c->flow, (struct flow_fn){c->file, (int32_t)i}, &n);
		for (size_t k = 0; k < n; k++) {
			const struct flow_event *e = &ev[k];
			if (e->kind != EV_CHECK_PAYMENT)
				continue;
			int rc = judge_loops(&p, e);
			if (rc < 0)
				return -1;
			/* a wrapper's call: the wrapper's own check is judged where it is */
			if (!rc && !flow_fn_ok(e->via) && judge_runner(&p, e) < 0)
				return -1;
		}
	}
	return 0;
}
