/* OC008 aggressive-polling in PHP and Python: checkPayment/check_payment (SDK, HTTP or a
 * same-file helper) in a while/do/for loop over the same payment that waits less than the
 * minimum (polling.min_interval_ms, 10 s) or not at all, in a job that re-queues itself
 * sooner (Celery's self.retry(countdown=5), a Laravel job's $this->release(5), a
 * threading.Timer that re-arms), or run by a schedule faster than the minimum: Laravel's
 * scheduler (everyFiveSeconds), WP-Cron and Action Scheduler, Symfony's AsPeriodicTask,
 * APScheduler, the schedule library, rq-scheduler and Celery beat. A schedule in another
 * file (Laravel's Kernel running a job class, Django settings naming a Celery task) is
 * matched at the end of the scan. A loop over pending orders checks each once, and a
 * retry that leaves on the first answer and waits between attempts runs again only after
 * an error: neither is reported. A wait whose length cannot be read is not reported. */
#define _GNU_SOURCE /* memmem, memrchr */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/config.h"
#include "check/oc008_script.h"
#include "check/scan.h"
#include "check/scriptflow.h"

/* ---- waits ---- */

/* The wait of a call in ms: sleep(s), usleep(us), time_nanosleep(s, ns), Laravel's
 * Sleep::for(n)->seconds(), time.sleep(s), asyncio.sleep(s), gevent.sleep(s),
 * stop_event.wait(s). Returns false when the call does not wait; *known false when it
 * does but its length cannot be read. */
static bool wait_of(struct poll *p, struct ast_node call, double *ms, bool *known)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = {{"seconds", 1000},	    {"second", 1000},	{"milliseconds", 1},
		     {"millisecond", 1},    {"minutes", 60000}, {"minute", 60000},
		     {"microseconds", .001}};
	struct sflow *f = &p->f;
	char name[SFLOW_NAME_LEN];
	double x = 0, ns = 0;
	if (!sflow_is_call(f, call))
		return false;
	sflow_callee(f, call, name, sizeof name);
	*known = false;
	if (!strcmp(name, "sleep") || (!f->php && !strcmp(name, "wait") &&
				       oc008_text_has(f, ast_field(call, "function"), "event"))) {
		*known = oc008_number(p, sflow_arg(f, call, 0), &x, 0);
		*ms = x * 1000;
		if (!f->php && !strcmp(name, "wait") && ast_is_null(sflow_arg(f, call, 0)))
			*known = oc008_number(p, oc008_kwarg(f, call, "timeout"), &x, 0),
			*ms = x * 1000;
		return true;
	}
	if (f->php && !strcmp(name, "usleep")) {
		*known = oc008_number(p, sflow_arg(f, call, 0), &x, 0);
		*ms = x / 1000;
		return true;
	}
	if (f->php && !strcmp(name, "time_nanosleep")) {
		*known = oc008_number(p, sflow_arg(f, call, 0), &x, 0) &&
			 oc008_number(p, sflow_arg(f, call, 1), &ns, 0);
		*ms = x * 1000 + ns / 1e6;
		return true;
	}
	struct ast_node inner = ast_field(call, "object");
	if (f->php && ast_is(call, "member_call_expression") &&
	    ast_is(inner, "scoped_call_expression") && oc008_callee_is(f, inner, "for") &&
	    oc008_text_has(f, ast_field(inner, "scope"), "Sleep")) {
		for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
			if (!strcmp(name, units[i].unit)) {
				*known = oc008_number(p, sflow_arg(f, inner, 0), &x, 0);
				*ms = x * units[i].ms;
				return true;
			}
	}
	return false;
}

struct waits {
	struct poll *p;
	bool called, found;
	double ms;
};

static bool visit_wait(void *ctx, struct ast_node n)
{
	struct waits *w = ctx;
	double ms;
	bool known;
	if (wait_of(w->p, n, &ms, &known)) {
		w->called = true;
		if (known && (!w->found || ms < w->ms))
			w->found = true, w->ms = ms;
	}
	return true;
}

static struct waits waits_in(struct poll *p, struct ast_node n)
{
	struct waits w = {.p = p};
	ast_walk(n, visit_wait, &w);
	return w;
}

static int flag(struct poll *p, struct ast_node at, const char *how, bool has_ms, double ms)
{
	const char *name = p->f.php ? "checkPayment" : "check_payment";
	char msg[256];
	if (has_ms)
		snprintf(msg, sizeof msg,
			 "%s %s every %.0f ms: poll no faster than every %.0f s (a scheduled job "
			 "every few minutes is enough)",
			 name, how, ms, p->min_ms / 1000);
	else
		snprintf(msg, sizeof msg,
			 "%s %s with no delay: this hammers the API; check when the customer "
			 "returns and from a scheduled job",
			 name, how);
	return unit_add_hit(p->u, p->r, ast_start(at), ast_end(at), NULL, 0, msg, -1);
}

/* ---- loops ---- */

static bool is_loop(struct ast_node n)
{
	return ast_is(n, "while_statement") || ast_is(n, "do_statement") ||
	       ast_is(n, "for_statement") || ast_is(n, "foreach_statement");
}

struct loop_vars {
	struct poll *p;
	struct sflow_names names;
	bool more;
};

static void add_var(struct loop_vars *lv, struct ast_node n)
{
	size_t len;
	const char *t = ast_text(lv->p->f.syn, n, &len);
	if (len < SFLOW_NAME_LEN && lv->names.n < SFLOW_NAMES) {
		for (size_t i = 0; i < lv->names.n; i++)
			if (strlen(lv->names.name[i]) == len && !memcmp(lv->names.name[i], t, len))
				return;
		memcpy(lv->names.name[lv->names.n], t, len);
		lv->names.name[lv->names.n++][len] = '\0';
		lv->more = true;
	}
}

static void add_targets(struct loop_vars *lv, struct ast_node n)
{
	if (ast_is(n, "variable_name") || ast_is(n, "identifier"))
		add_var(lv, n);
	else if (ast_is(n, "pattern_list") || ast_is(n, "tuple_pattern") || ast_is(n, "pair") ||
		 ast_is(n, "list_literal") || ast_is(n, "by_ref"))
		for (uint32_t i = 0; i < ast_named_count(n); i++)
			add_targets(lv, ast_named_child(n, i));
}

/* Calls that hand out the next item of a queue or a result set. */
static const char *const next_calls[] = {
    "array_shift",  "array_pop",   "next",     "fetch",	    "fetch_assoc",
    "fetch_object", "fetchObject", "fetchone", "fetch_row", "fetchAssociative",
    "pop",	    "popleft",	   "shift",    "dequeue",   "get_nowait",
    "lpop",	    "rpop",	   "blpop",    "brpop",	    "rpoplpush",
    "first",	    NULL};

struct next_call {
	const struct sflow *f;
	bool found;
};

static bool visit_next_call(void *ctx, struct ast_node n)
{
	struct next_call *nc = ctx;
	char name[SFLOW_NAME_LEN];
	if (nc->found)
		return false;
	if (sflow_is_call(nc->f, n)) {
		sflow_callee(nc->f, n, name, sizeof name);
		for (size_t i = 0; next_calls[i] && !nc->found; i++)
			nc->found = !strcmp(name, next_calls[i]);
	}
	return !nc->found;
}

/* A variable the loop gives a new value on each turn: foreach/for targets, the counter
 * of a PHP for, and locals assigned in the loop from the next item of a queue or a
 * result set ($order = array_shift($queue), row = cursor.fetchone()) or from such a
 * variable ($ref = $order->payment_ref). A curl handle or a URL made afresh on each
 * turn is not a different payment. */
static bool visit_loop_var(void *ctx, struct ast_node n)
{
	struct loop_vars *lv = ctx;
	const struct sflow *f = &lv->p->f;
	if (ast_is(n, "assignment_expression") || ast_is(n, "assignment")) {
		struct ast_node right = ast_field(n, "right");
		struct next_call nc = {f, false};
		ast_walk(right, visit_next_call, &nc);
		if (nc.found || sflow_mentions(f, right, &lv->names))
			add_targets(lv, ast_field(n, "left"));
	}
	return true;
}

static bool iterates(struct poll *p, struct ast_node loop, struct ast_node call)
{
	struct loop_vars lv = {.p = p};
	if (ast_is(loop, "for_statement") && !p->f.php)
		add_targets(&lv, ast_field(loop, "left"));
	for (uint32_t i = 0; ast_is(loop, "for_statement") && p->f.php && i < ast_named_count(loop);
	     i++) { /* for ($i = 0; ...): the counter */
		struct ast_node c = ast_named_child(loop, i);
		if (ast_is(c, "assignment_expression"))
			add_targets(&lv, ast_field(c, "left"));
		for (uint32_t k = 0; ast_is(c, "sequence_expression") && k < ast_named_count(c);
		     k++)
			if (ast_is(ast_named_child(c, k), "assignment_expression"))
				add_targets(&lv, ast_field(ast_named_child(c, k), "left"));
	}
	if (ast_is(loop, "foreach_statement"))
		for (uint32_t i = 1; i < ast_named_count(loop); i++)
			if (!ast_is(ast_named_child(loop, i), "compound_statement"))
				add_targets(&lv, ast_named_child(loop, i));
	for (int pass = 0; pass < 3 && (pass == 0 || lv.more); pass++) {
		lv.more = false;
		ast_walk(loop, visit_loop_var, &lv);
	}
	return sflow_mentions(&p->f, ast_field(call, "arguments"), &lv.names);
}

/* A retry: the loop is left as soon as the check answers (a return of it, or a return
 * or break right after it) and it waits between attempts. */
static bool retries(struct poll *p, struct ast_node loop, struct ast_node call)
{
	struct ast_node s = call, b = ast_parent(s);
	while (!ast_is_null(b) && !ast_is(b, "compound_statement") && !ast_is(b, "block") &&
	       ast_start(b) != ast_start(loop))
		s = b, b = ast_parent(b);
	bool leaves = ast_is(s, "return_statement");
	for (uint32_t i = 0; !leaves && !ast_is_null(b) && ast_start(b) != ast_start(loop) &&
			     i + 1 < ast_named_count(b);
	     i++)
		if (ast_start(ast_named_child(b, i)) == ast_start(s)) {
			struct ast_node next = ast_named_child(b, i + 1);
			leaves =
			    ast_is(next, "return_statement") || ast_is(next, "break_statement");
		}
	return leaves && waits_in(p, loop).called;
}

static bool reported_loop(struct poll *p, struct ast_node loop)
{
	for (size_t i = 0; i < p->nloops; i++)
		if (p->loops[i] == ast_start(loop))
			return true;
	if (p->nloops < sizeof p->loops / sizeof p->loops[0])
		p->loops[p->nloops++] = ast_start(loop);
	return false;
}

/* ---- jobs that re-queue themselves ---- */

static bool in_catch(const struct sflow *f, struct ast_node n, struct ast_node fn)
{
	for (struct ast_node p = ast_parent(n); !ast_is_null(p) && ast_start(p) != ast_start(fn);
	     p = ast_parent(p))
		if (ast_is(p, f->php ? "catch_clause" : "except_clause"))
			return true;
	return false;
}

struct requeue {
	struct poll *p;
	struct ast_node fn;
	const char *fname;
	bool found, known;
	double ms;
	const char *how;
};

/* self::dispatch($order)->delay(...), static::dispatch(), PollPayment::dispatch() in the
 * class PollPayment, dispatch(new self(...)): the job queues itself again. */
static bool redispatches(const struct sflow *f, struct ast_node obj, struct ast_node fn)
{
	char cls[SFLOW_NAME_LEN] = "";
	for (struct ast_node c = fn; !ast_is_null(c); c = ast_parent(c))
		if (ast_is(c, "class_declaration")) {
			sflow_function_name(f, c, cls, sizeof cls);
			break;
		}
	if (ast_is(obj, "scoped_call_expression") && oc008_callee_is(f, obj, "dispatch")) {
		struct ast_node scope = ast_field(obj, "scope");
		return ast_text_is(f->syn, scope, "self") || ast_text_is(f->syn, scope, "static") ||
		       (cls[0] && ast_text_is(f->syn, scope, cls));
	}
	return ast_is(obj, "function_call_expression") && oc008_callee_is(f, obj, "dispatch") &&
	       (oc008_text_has(f, obj, "new self") || oc008_text_has(f, obj, "new static"));
}

/* The seconds of a Laravel delay: 5, now()->addSeconds(5), now()->addMinutes(2). */
static bool delay_seconds(struct poll *p, struct ast_node a, double *s)
{
	static const struct {
		const char *name;
		double s;
	} adds[] = {{"addSeconds", 1}, {"addSecond", 1}, {"addMinutes", 60}, {"addMinute", 60}};
	if (oc008_number(p, a, s, 0))
		return true;
	for (size_t i = 0; i < sizeof adds / sizeof adds[0]; i++)
		if (ast_is(a, "member_call_expression") &&
		    oc008_callee_is(&p->f, a, adds[i].name)) {
			struct ast_node n = sflow_arg(&p->f, a, 0);
			double x = 1;
			if (!ast_is_null(n) && !oc008_number(p, n, &x, 0))
				return false;
			return *s = x * adds[i].s, true;
		}
	return false;
}

static bool visit_requeue(void *ctx, struct ast_node n)
{
	struct requeue *q = ctx;
	struct sflow *f = &q->p->f;
	if (q->found || !sflow_is_call(f, n) || in_catch(f, n, q->fn))
		return !q->found;
	double x = 0;
	if (f->php && oc008_callee_is(f, n, "release") &&
	    oc008_text_has(f, ast_field(n, "object"),
			   "$this")) { /* a Laravel job: $this->release(5) */
		struct ast_node a = sflow_arg(f, n, 0);
		q->found = true, q->how = "re-queues its job";
		q->known = ast_is_null(a) || oc008_number(q->p, a, &x, 0);
		q->ms = x * 1000;
	} else if (f->php && oc008_callee_is(f, n, "delay") &&
		   redispatches(f, ast_field(n, "object"), q->fn)) {
		q->found = true, q->how = "re-dispatches its job";
		q->known = delay_seconds(q->p, sflow_arg(f, n, 0), &x);
		q->ms = x * 1000;
	} else if (!f->php && oc008_callee_is(f, n, "retry") &&
		   oc008_text_has(f, ast_field(n, "function"), "self.")) { /* Celery bind=True */
		struct ast_node c = oc008_kwarg(f, n, "countdown");
		if (ast_is_null(c)) /* default_retry_delay, 3 minutes unless set */
			return true;
		q->found = true, q->how = "retries its task";
		q->known = oc008_number(q->p, c, &x, 0);
		q->ms = x * 1000;
	} else if (!f->php &&
		   (oc008_callee_is(f, n, "apply_async") &&
		    oc008_names_fn(f, ast_field(ast_field(n, "function"), "object"), q->fname))) {
		struct ast_node c = oc008_kwarg(f, n, "countdown");
		q->found = true, q->how = "re-queues its task";
		q->known = ast_is_null(c) || oc008_number(q->p, c, &x, 0);
		q->ms = x * 1000;
	} else if (!f->php &&
		   (oc008_callee_is(f, n, "Timer") || oc008_callee_is(f, n, "call_later")) &&
		   oc008_names_fn(f, sflow_arg(f, n, 1), q->fname)) {
		q->found = true, q->how = "re-arms a timer";
		q->known = oc008_number(q->p, sflow_arg(f, n, 0), &x, 0);
		q->ms = x * 1000;
	}
	return !q->found;
}

/* ---- judging one check ---- */

/* An Artisan command's name: protected $signature = 'payments:poll {--limit=}'. */
static int note_signature(struct poll *p, struct ast_node call, struct ast_node cls)
{
	struct definition d = {.f = &p->f, .name = "signature", .len = 9};
	char sig[SFLOW_NAME_LEN];
	ast_walk(cls, oc008_visit_definition, &d);
	if (!sflow_string(&p->f, d.value, sig, sizeof sig))
		return 0;
	sig[strcspn(sig, " ")] = '\0';
	return scan_add_evidence(p->u->scan, p->r, EV_CHECK, p->u->path, (int)ast_line(call), sig);
}

/* A Symfony Messenger handler's message class: __invoke(SyncPayments $message). A
 * RecurringMessage schedules the message, and its handler is the class that checks. */
static int note_message(struct poll *p, struct ast_node call, struct ast_node fn)
{
	struct ast_node params = ast_field(fn, "parameters");
	struct ast_node type = ast_field(ast_named_child(params, 0), "type");
	char name[SFLOW_NAME_LEN];
	size_t len;
	if (!ast_is(type, "named_type"))
		return 0;
	const char *t = ast_text(p->f.syn, type, &len);
	const char *slash = memrchr(t, '\\', len);
	if (slash)
		len -= (size_t)(slash + 1 - t), t = slash + 1;
	snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), t);
	return scan_add_evidence(p->u->scan, p->r, EV_CHECK, p->u->path, (int)ast_line(call), name);
}

/* Records a named function or class that checks, for a schedule in another file. */
static int note_cross_file(struct poll *p, struct ast_node call, struct ast_node fn,
			   const char *fname)
{
	char name[SFLOW_NAME_LEN] = "";
	if (p->f.php) {
		for (struct ast_node c = fn; !ast_is_null(c); c = ast_parent(c))
			if (ast_is(c, "class_declaration")) {
				sflow_function_name(&p->f, c, name, sizeof name);
				int rc = note_signature(p, call, c);
				if (!rc && !strcmp(fname, "__invoke"))
					rc = note_message(p, call, fn);
				if (rc < 0)
					return rc;
				break;
			}
	} else {
		snprintf(name, sizeof name, "%s", fname);
	}
	if (!name[0])
		return 0;
	return scan_add_evidence(p->u->scan, p->r, EV_CHECK, p->u->path, (int)ast_line(call), name);
}

static int judge_loop(struct poll *p, struct ast_node call, struct ast_node loop)
{
	struct waits w = waits_in(p, loop);
	if (reported_loop(p, loop) || (w.called && !w.found) || (w.found && w.ms >= p->min_ms))
		return 0;
	return flag(p, call, "runs in a loop", w.found && w.ms > 0, w.ms); /* sleep(0): none */
}

static int check_call(struct poll *p, struct ast_node call)
{
	struct sflow *f = &p->f;
	for (struct ast_node n = ast_parent(call); !ast_is_null(n); n = ast_parent(n)) {
		if (is_loop(n) && !iterates(p, n, call) && !retries(p, n, call))
			return judge_loop(p, call, n);
		if (!ast_is(n, "function_definition") && !ast_is(n, "method_declaration") &&
		    !ast_is(n, "anonymous_function") && !ast_is(n, "arrow_function") &&
		    !ast_is(n, "lambda"))
			continue;
		char fname[SFLOW_NAME_LEN];
		sflow_function_name(f, n, fname, sizeof fname);
		struct requeue q = {.p = p, .fn = n, .fname = fname};
		ast_walk(n, visit_requeue, &q);
		if (q.found) {
			if (q.known && q.ms < p->min_ms)
				return flag(p, call, q.how, q.ms > 0, q.ms);
			return 0;
		}
		struct schedule s = {.p = p, .fname = fname};
		oc008_schedules_of(&s, n);
		if (s.found)
			return s.ms < p->min_ms ? flag(p, call, s.how, true, s.ms) : 0;
		if (fname[0])
			return note_cross_file(p, call, n, fname);
		/* a closure: Schedule::call(function () {...})->everyFiveSeconds() */
		struct ast_node owner = ast_parent(n);
		while (ast_is(owner, "argument") || ast_is(owner, "arguments") ||
		       ast_is(owner, "argument_list"))
			owner = ast_parent(owner);
		double ms;
		if (f->php && oc008_callee_is(f, owner, "call") &&
		    oc008_chain_frequency(f, owner, &ms))
			return ms < p->min_ms
				   ? flag(p, call, "runs from the Laravel scheduler", true, ms)
				   : 0;
	}
	return 0;
}

static bool visit_check(void *ctx, struct ast_node n)
{
	struct poll *p = ctx;
	if (p->rc)
		return false;
	if (sflow_is_check(&p->f, n))
		p->rc = check_call(p, n);
	if (!p->rc)
		p->rc = oc008_note_schedules(p, n);
	return p->rc == 0;
}

static double min_interval(const struct unit *u)
{
	return u->scan->config ? u->scan->config->poll_min_ms : CONFIG_POLL_MIN_MS;
}

int oc008_script_unit(struct unit *u, const struct rule *r, const struct detector *d)
{
	(void)d;
	const struct sflow *f = unit_sflow(u);
	if (!f)
		return 0;
	const struct syntax *syn = f->syn;
	struct poll p = {.u = u, .r = r, .f = *f, .min_ms = min_interval(u)};
	ast_walk(ast_root(syn), visit_check, &p);
	return p.rc < 0 ? p.rc : 0;
}

/* A check in a class or task named by a schedule of another file. */
int oc008_script_finish(struct scan *s, const struct rule *r)
{
	double min = s->config ? s->config->poll_min_ms : CONFIG_POLL_MIN_MS;
	const struct scan_evidence *last = NULL; /* a class noted by its name and signature */
	for (size_t i = 0; i < s->nevidence; i++) {
		const struct scan_evidence *c = &s->evidence[i];
		if (c->rule != r || c->kind != EV_CHECK || !c->text ||
		    (last && last->line == c->line && !strcmp(last->path, c->path)))
			continue;
		for (size_t k = 0; k < s->nevidence; k++) {
			const struct scan_evidence *e = &s->evidence[k];
			size_t n = strlen(c->text);
			if (e->rule != r || e->kind != EV_SCHEDULE || !e->text ||
			    strncmp(e->text, c->text, n) || e->text[n] != '\t')
				continue;
			double ms = atof(e->text + n + 1);
			size_t pl = strlen(c->path);
			bool python = pl > 3 && !strcmp(c->path + pl - 3, ".py");
			if (ms >= min)
				continue;
			char msg[320];
			snprintf(msg, sizeof msg,
				 "%s runs from a schedule every %.0f ms (%s:%d): poll no "
				 "faster than every %.0f s (a scheduled job every few minutes is "
				 "enough)",
				 python ? "check_payment" : "checkPayment", ms, e->path, e->line,
				 min / 1000);
			if (scan_add_finding(s, r, r->severity, c->path, c->line, msg, c->text) < 0)
				return -1;
			last = c;
			break;
		}
	}
	return 0;
}
