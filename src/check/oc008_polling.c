/* OC008 aggressive-polling: checkPayment re-run on a timer or in a loop faster than the
 * minimum interval (10 s), or with no delay at all. The docs check status when the
 * customer returns and from a scheduled job, and ask to respect rate limits. A loop over
 * different orders (for...of pending orders) checks each once and is not polling. */
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/config.h"
#include "check/jsflow.h"
#include "check/scan.h"


/* The smallest delay a loop body waits: sleep(ms), delay(ms), setTimeout(r, ms). */
struct delay {
	const struct syntax *syn;
	bool found;
	double ms;
	bool called; /* a delay call, whether or not its duration could be read */
};

static bool visit_delay(void *ctx, struct ast_node n)
{
	struct delay *d = ctx;
	if (!ast_is(n, "call_expression"))
		return true;
	char callee[64];
	jsflow_callee_name(d->syn, n, callee, sizeof callee);
	struct ast_node args = ast_field(n, "arguments");
	struct ast_node arg = {0};
	if (!strcmp(callee, "setTimeout"))
		arg = ast_named_child(args, 1);
	else if (!strcmp(callee, "sleep") || !strcmp(callee, "delay") || !strcmp(callee, "wait") ||
		 !strcmp(callee, "setTimeoutPromise"))
		arg = ast_named_child(args, 0);
	double ms;
	d->called |= !ast_is_null(arg);
	if (!ast_is_null(arg) && jsflow_number(d->syn, arg, &ms) && (!d->found || ms < d->ms)) {
		d->found = true;
		d->ms = ms;
	}
	return true;
}

/* The configured minimum (polling.min_interval_ms), 10 s by default. */
static double min_interval(const struct unit *u)
{
	return u->scan->config ? u->scan->config->poll_min_ms : CONFIG_POLL_MIN_MS;
}

static int flag(struct unit *u, const struct rule *r, const struct api_call *c, const char *how,
		bool has_ms, double ms)
{
	char msg[256];
	if (has_ms)
		snprintf(msg, sizeof msg,
			 "checkPayment %s every %.0f ms: poll no faster than every %.0f s (a "
			 "scheduled job every few minutes is enough)",
			 how, ms, min_interval(u) / 1000);
	else
		snprintf(msg, sizeof msg,
			 "checkPayment %s with no delay: this hammers the API; check when the "
			 "customer returns and from a scheduled job",
			 how);
	return unit_add_hit(u, r, ast_start(c->call), ast_end(c->call), NULL, 0, msg, -1);
}

struct declared {
	const struct syntax *syn;
	struct ast_node arg;
	bool hit;
};

static bool visit_declared(void *ctx, struct ast_node n)
{
	struct declared *d = ctx;
	if (d->hit)
		return false;
	if (ast_is(n, "variable_declarator")) {
		size_t len;
		const char *name = ast_text(d->syn, ast_field(n, "name"), &len);
		size_t alen;
		const char *at = ast_text(d->syn, d->arg, &alen);
		char buf[128];
		snprintf(buf, sizeof buf, "%.*s", (int)(len < 127 ? len : 127), name);
		if (ast_is(ast_field(n, "name"), "identifier") && jsflow_mentions(at, alen, buf))
			d->hit = true;
	}
	return true;
}

/* A loop whose checkPayment ref is a variable the loop declares walks through different
 * payments (for (let i = ...; ...) refs[i], while (queue.length) { const o = ... }). */
static bool iterates(const struct syntax *syn, struct ast_node loop, struct ast_node arg)
{
	if (ast_is_null(arg))
		return false;
	struct declared d = {syn, arg, false};
	ast_walk(loop, visit_declared, &d);
	return d.hit;
}

/* How often a cron expression fires, in ms. Six or seven fields start with seconds
 * (node-cron, node-schedule, cron), five with minutes: a step of 5 in the seconds field is
 * every 5 s, "* * * * *" every minute, "0,30 * * * * *" every 30 s. A field with one
 * fixed value fires once per unit of the next field. */
static bool cron_period(const char *expr, double *ms)
{
	static const double units[] = {1000, 60000, 3600000};
	static const int spans[] = {60, 60, 24};
	char fields[7][32];
	int n = 0;
	for (const char *p = expr; *p && n < 7;) {
		while (*p == ' ' || *p == '\t')
			p++;
		int k = 0;
		while (*p && *p != ' ' && *p != '\t')
			if (k < 31)
				fields[n][k++] = *p++;
			else
				p++;
		if (k)
			fields[n][k] = '\0', n++;
	}
	if (n < 5 || n > 7)
		return false;
	int first = n == 5 ? 1 : 0; /* five fields start at minutes */
	/* seconds, minutes and hours are numbers, steps, ranges and lists: not a sentence */
	for (int i = 0; i < 3 - first; i++)
		if (strspn(fields[i], "0123456789*/,-?") != strlen(fields[i]))
			return false;
	for (int i = first; i < 3; i++) {
		const char *f = fields[i - first];
		if (strspn(f, "0123456789") == strlen(f))
			continue; /* one fixed value: once per next unit */
		const char *slash = strchr(f, '/');
		int step = slash ? atoi(slash + 1) : 1;
		if (!slash && strchr(f, ',')) {
			/* a list: the smallest gap between its values, across the wrap too */
			int vals[60], nv = 0;
			for (const char *q = f; *q && nv < 60; q++)
				if (isdigit((unsigned char)*q) &&
				    (q == f || !isdigit((unsigned char)q[-1])))
					vals[nv++] = atoi(q);
			step = spans[i];
			for (int a = 0; a < nv; a++)
				for (int b = 0; b < nv; b++) {
					int gap = (vals[b] - vals[a] + spans[i]) % spans[i];
					if (gap > 0 && gap < step)
						step = gap;
				}
		}
		*ms = (step > 0 ? step : 1) * units[i];
		return true;
	}
	*ms = 86400000; /* fixed second, minute and hour: daily at most */
	return true;
}

/* @nestjs/schedule's CronExpression.EVERY_SECOND, EVERY_5_SECONDS, EVERY_10_MINUTES,
 * EVERY_HOUR ...; false for the daily and longer ones. */
static bool every_period(const char *p, const char *end, double *ms)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = {{"SECOND", 1000}, {"MINUTE", 60000}, {"HOUR", 3600000}};
	long count = isdigit((unsigned char)*p) ? strtol(p, NULL, 10) : 1;
	while (p < end && (isdigit((unsigned char)*p) || *p == '_'))
		p++;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		size_t n = strlen(units[i].unit);
		if ((size_t)(end - p) >= n && !strncmp(p, units[i].unit, n)) {
			*ms = (double)count * units[i].ms;
			return true;
		}
	}
	return false;
}

/* A schedule written as cron text or as a CronExpression constant. */
static bool schedule_period(const struct syntax *syn, struct ast_node expr, double *ms)
{
	size_t len;
	const char *t = ast_text(syn, expr, &len);
	const char *every = ast_is(expr, "member_expression") ? memmem(t, len, ".EVERY_", 7) : NULL;
	if (every)
		return every_period(every + 7, t + len, ms);
	char *v = ast_string_value(syn, expr);
	bool ok = v && cron_period(v, ms);
	free(v);
	return ok;
}

/* What runs a callback again and again: setInterval(fn, ms), setTimeout(fn, ms) (polling
 * only when it re-arms), cron.schedule(expr, fn) (node-cron), schedule.scheduleJob(expr,
 * fn) (node-schedule), new CronJob(expr, fn) (cron). */
struct timer {
	const char *how;
	struct ast_node callback;
	bool rearms;   /* setTimeout: polls only from inside the function it runs */
	bool cron;     /* the schedule first, the callback second */
	bool no_delay; /* setInterval(fn) */
	bool has_ms;
	double ms;
};

static bool timer_read(const struct syntax *syn, struct ast_node n, struct timer *t)
{
	char callee[64] = "";
	struct ast_node args = ast_field(n, "arguments");
	if (ast_is(n, "call_expression"))
		jsflow_callee_name(syn, n, callee, sizeof callee);
	else if (ast_is(n, "new_expression") &&
		 ast_text_is(syn, ast_field(n, "constructor"), "CronJob"))
		snprintf(callee, sizeof callee, "CronJob");
	memset(t, 0, sizeof *t);
	if (!strcmp(callee, "setInterval") || !strcmp(callee, "setTimeout")) {
		t->rearms = !strcmp(callee, "setTimeout");
		t->how = t->rearms ? "re-arms setTimeout" : "runs in setInterval";
		struct ast_node delay = ast_named_child(args, 1);
		t->no_delay = ast_is_null(delay);
		t->has_ms = !t->no_delay && jsflow_number(syn, delay, &t->ms);
	} else if (!strcmp(callee, "schedule") || !strcmp(callee, "scheduleJob") ||
		   !strcmp(callee, "CronJob")) {
		t->how = "runs on a cron schedule";
		t->cron = true;
		t->has_ms = schedule_period(syn, ast_named_child(args, 0), &t->ms);
		if (!t->has_ms)
			return false;
	} else {
		return false;
	}
	t->callback = ast_named_child(args, t->cron ? 1 : 0);
	return true;
}

/* @Interval(5000) or @Cron(expression) on a method (@nestjs/schedule). TypeScript
 * puts a method's decorators before it in the class body, JavaScript inside it. */
static bool decorator_timer(const struct syntax *syn, struct ast_node method, struct timer *t)
{
	struct ast_node decs[8];
	uint32_t n = 0;
	for (uint32_t i = 0; i < ast_named_count(method) && n < 8; i++)
		if (ast_is(ast_named_child(method, i), "decorator"))
			decs[n++] = ast_named_child(method, i);
	struct ast_node body = ast_parent(method);
	for (uint32_t i = 0; i < ast_named_count(body); i++) {
		if (ast_start(ast_named_child(body, i)) != ast_start(method))
			continue;
		for (uint32_t k = i;
		     k > 0 && n < 8 && ast_is(ast_named_child(body, k - 1), "decorator"); k--)
			decs[n++] = ast_named_child(body, k - 1);
	}
	for (uint32_t i = 0; i < n; i++) {
		struct ast_node call = ast_named_child(decs[i], 0);
		struct ast_node args = ast_field(call, "arguments");
		uint32_t nargs = ast_named_count(args);
		if (!ast_is(call, "call_expression") || !nargs)
			continue;
		memset(t, 0, sizeof *t);
		struct ast_node last = ast_named_child(args, nargs - 1);
		if (ast_text_is(syn, ast_field(call, "function"), "Interval")) {
			t->how = "runs from @Interval";
			t->has_ms = jsflow_number(syn, last, &t->ms);
		} else if (ast_text_is(syn, ast_field(call, "function"), "Cron")) {
			t->how = "runs from @Cron";
			t->has_ms = schedule_period(syn, ast_named_child(args, 0), &t->ms);
		}
		if (t->has_ms)
			return true;
	}
	return false;
}

/* `name(` or `this.name(` in text, not `rename(`. */
static bool calls_name(const char *t, size_t len, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = t, *end = t + len; (p = memmem(p, (size_t)(end - p), name, n)); p++) {
		bool bounded = p == t || !(isalnum((unsigned char)p[-1]) || p[-1] == '_' ||
					   p[-1] == '$');
		if (bounded && p + n < end && p[n] == '(')
			return true;
	}
	return false;
}

/* A timer that runs the function fname: setInterval(fname, ms) or
 * setInterval(() => fname(), ms) anywhere in the file, the same with a cron schedule, or
 * with setTimeout inside the function itself (it re-arms). */
struct timer_search {
	const struct syntax *syn;
	const char *fname;
	struct ast_node fn;
	bool found;
	struct timer timer;
};

static bool visit_timer(void *ctx, struct ast_node n)
{
	struct timer_search *ts = ctx;
	struct timer t;
	if (ts->found)
		return false;
	if (!timer_read(ts->syn, n, &t))
		return true;
	bool runs = false;
	if (ast_is(t.callback, "identifier")) {
		runs = ast_text_is(ts->syn, t.callback, ts->fname);
	} else if (ast_is(t.callback, "arrow_function") ||
		   ast_is(t.callback, "function_expression")) {
		size_t len;
		const char *text = ast_text(ts->syn, ast_field(t.callback, "body"), &len);
		runs = calls_name(text, len, ts->fname);
	}
	if (runs && (!t.rearms || jsflow_within(n, ts->fn))) {
		ts->found = true;
		ts->timer = t;
	}
	return true;
}

/* Reports the call when the timer runs it faster than the minimum. */
static int judge_timer(struct unit *u, const struct rule *r, const struct api_call *c,
		       const struct timer *t)
{
	if (t->no_delay || (t->has_ms && t->ms < min_interval(u)))
		return flag(u, r, c, t->how, t->has_ms, t->ms);
	return 0;
}

/* A retry: the loop is left as soon as the check answers (`return await checkPayment()`,
 * or a return/break right after it), so it runs again only after an error, and it waits
 * before trying again (sleep(attempt * 10_000): any delay, however computed). */
static bool retries(const struct syntax *syn, struct ast_node loop, const struct api_call *c)
{
	if (!jsflow_within(loop, jsflow_function_of(c->call)))
		return false;
	struct ast_node s = c->call, p = ast_parent(s);
	while (!ast_is_null(p) && !ast_is(p, "statement_block") && ast_start(p) != ast_start(loop))
		s = p, p = ast_parent(p);
	bool leaves = ast_is(s, "return_statement");
	for (uint32_t i = 0; !leaves && ast_is(p, "statement_block") && i + 1 < ast_named_count(p);
	     i++)
		if (ast_start(ast_named_child(p, i)) == ast_start(s)) {
			struct ast_node next = ast_named_child(p, i + 1);
			leaves =
			    ast_is(next, "return_statement") || ast_is(next, "break_statement");
		}
	if (!leaves)
		return false;
	struct delay d = {syn, false, 0, false};
	ast_walk(ast_field(loop, "body"), visit_delay, &d);
	return d.called;
}

static int check_call(struct unit *u, const struct rule *r, const struct syntax *syn,
		      const struct api_call *c)
{
	struct timer t;
	for (struct ast_node n = ast_parent(c->call); !ast_is_null(n); n = ast_parent(n)) {
		if (timer_read(syn, n, &t) && jsflow_within(c->call, t.callback)) {
			/* setTimeout counts when it re-arms itself (a recursive poll). */
			if (t.rearms) {
				char fname[128];
				jsflow_function_name(syn, jsflow_function_of(n), fname, sizeof fname);
				size_t len;
				const char *text = ast_text(syn, ast_field(n, "arguments"), &len);
				if (!fname[0] || !jsflow_mentions(text, len, fname))
					continue;
			}
			return judge_timer(u, r, c, &t);
		}
		if ((ast_is(n, "while_statement") || ast_is(n, "do_statement") ||
		     ast_is(n, "for_statement")) &&
		    !iterates(syn, n, c->arg) && !retries(syn, n, c)) {
			struct delay d = {syn, false, 0, false};
			ast_walk(ast_field(n, "body"), visit_delay, &d);
			if (!d.found || d.ms < min_interval(u))
				return flag(u, r, c, "runs in a loop", d.found, d.ms);
			return 0;
		}
		if (ast_is(n, "function_declaration") || ast_is(n, "method_definition") ||
		    ast_is(n, "arrow_function") || ast_is(n, "function_expression")) {
			/* async function poll() { ... }  setInterval(poll, 5000); */
			bool declared = ast_is(n, "function_declaration") ||
					ast_is(n, "method_definition");
			if (ast_is(n, "method_definition") && decorator_timer(syn, n, &t))
				return judge_timer(u, r, c, &t);
			char fname[128];
			jsflow_function_name(syn, n, fname, sizeof fname);
			struct timer_search ts = {.syn = syn, .fname = fname, .fn = n};
			if (fname[0])
				ast_walk(ast_root(syn), visit_timer, &ts);
			if (!ts.found) {
				if (declared)
					break;
				continue; /* an inline callback: its caller may be the timer */
			}
			return judge_timer(u, r, c, &ts.timer);
		}
	}
	return 0;
}

int oc008_polling_unit(struct unit *u, const struct rule *r, const struct detector *d)
{
	(void)d;
	struct jsflow *flow = unit_flow(u);
	int rc = 0;
	for (size_t i = 0; flow && !rc && i < flow->ncalls; i++)
		if (flow->calls[i].kind == API_CHECK_PAYMENT)
			rc = check_call(u, r, flow->syn, &flow->calls[i]);
	return rc;
}
