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
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check/config.h"
#include "check/jsflow.h"
#include "check/scan.h"
#include "check/scriptflow.h"
#include "core/error.h"

enum { EV_SCHEDULE = 1, EV_CHECK = 2 }; /* evidence kinds, matched by oc008_script_finish */

struct poll {
	struct unit *u;
	const struct rule *r;
	struct sflow f;
	double min_ms;
	uint32_t loops[32]; /* loops already reported */
	size_t nloops;
	int rc;
};

static bool text_has(const struct sflow *f, struct ast_node n, const char *needle)
{
	size_t len;
	const char *t = ast_text(f->syn, n, &len);
	return memmem(t, len, needle, strlen(needle)) != NULL;
}

static bool callee_is(const struct sflow *f, struct ast_node call, const char *name)
{
	char buf[SFLOW_NAME_LEN];
	if (!sflow_is_call(f, call))
		return false;
	sflow_callee(f, call, buf, sizeof buf);
	return !strcmp(buf, name);
}

/* A keyword argument of a Python call (seconds=5), or null. */
static struct ast_node kwarg(const struct sflow *f, struct ast_node call, const char *name)
{
	struct ast_node args = ast_field(call, "arguments");
	for (uint32_t i = 0; i < ast_named_count(args); i++) {
		struct ast_node a = ast_named_child(args, i);
		if ((ast_is(a, "keyword_argument") || ast_is(a, "argument")) &&
		    ast_text_is(f->syn, ast_field(a, "name"), name))
			return ast_is(a, "argument") ? ast_named_child(a, ast_named_count(a) - 1)
						     : ast_field(a, "value");
	}
	return (struct ast_node){0};
}

/* ---- numbers: literals, arithmetic, constants, env defaults ---- */

static bool number(struct poll *p, struct ast_node n, double *v, int depth);

struct definition {
	const struct sflow *f;
	const char *name; /* `$delay`, `POLL_SECONDS`, `interval` */
	size_t len;
	struct ast_node value;
};

static bool named(const struct definition *d, struct ast_node n)
{
	size_t len;
	const char *t = ast_text(d->f->syn, n, &len);
	if (len && t[0] == '$' && d->name[0] != '$')
		t++, len--; /* a property `$interval` for `$this->interval` */
	return len == d->len && !memcmp(t, d->name, len);
}

static bool visit_definition(void *ctx, struct ast_node n)
{
	struct definition *d = ctx;
	if (!ast_is_null(d->value))
		return false;
	struct ast_node l = {0}, v = {0};
	if (ast_is(n, "assignment_expression") || ast_is(n, "assignment")) {
		l = ast_field(n, "left");
		if (ast_is(l, "member_access_expression"))
			l = ast_field(l, "name");
		else if (ast_is(l, "attribute"))
			l = ast_field(l, "attribute");
		v = ast_field(n, "right");
	} else if (ast_is(n, "const_element") || ast_is(n, "property_element")) {
		l = ast_named_child(n, 0);
		v = ast_named_child(n, ast_named_count(n) - 1);
		if (ast_is(v, "property_initializer"))
			v = ast_named_child(v, 0);
	} else if (ast_is(n, "simple_parameter") || ast_is(n, "default_parameter") ||
		   ast_is(n, "typed_default_parameter")) {
		l = ast_field(n, "name");
		v = ast_field(n, ast_is(n, "simple_parameter") ? "default_value" : "value");
	} else if (ast_is(n, "function_call_expression") &&
		   ast_text_is(d->f->syn, ast_field(n, "function"), "define")) {
		char buf[SFLOW_NAME_LEN];
		if (sflow_string(d->f, sflow_arg(d->f, n, 0), buf, sizeof buf) &&
		    strlen(buf) == d->len && !memcmp(buf, d->name, d->len))
			d->value = sflow_arg(d->f, n, 1);
		return true;
	}
	if (!ast_is_null(l) && !ast_is_null(v) && l.id != v.id && named(d, l))
		d->value = v;
	return true;
}

/* WordPress's time constants. */
static bool wp_constant(const char *t, size_t len, double *v)
{
	static const struct {
		const char *name;
		double s;
	} k[] = {{"MINUTE_IN_SECONDS", 60}, {"HOUR_IN_SECONDS", 3600}, {"DAY_IN_SECONDS", 86400}};
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
		if (len == strlen(k[i].name) && !memcmp(t, k[i].name, len))
			return *v = k[i].s, true;
	return false;
}

static bool lookup(struct poll *p, struct ast_node name, double *v, int depth)
{
	size_t len;
	const char *t = ast_text(p->f.syn, name, &len);
	if (wp_constant(t, len, v))
		return true;
	char buf[SFLOW_NAME_LEN];
	snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1), t);
	struct definition d = {.f = &p->f, .name = buf, .len = strlen(buf)};
	ast_walk(ast_root(p->f.syn), visit_definition, &d);
	return !ast_is_null(d.value) && number(p, d.value, v, depth + 1);
}

static bool parse_text(const char *s, double *v)
{
	char *end;
	*v = strtod(s, &end);
	return end != s && !*end;
}

/* int(os.getenv("POLL_SECONDS", "5")), env('OCPAY_POLL', 5), get_option('x', 5):
 * the default is what runs when nothing is configured. */
static bool call_number(struct poll *p, struct ast_node n, double *v, int depth)
{
	static const char *const wraps[] = {"int", "float", "intval", "floatval", "abs", NULL};
	static const char *const reads[] = {"getenv", "env", "config", "get_option", "get", NULL};
	char name[SFLOW_NAME_LEN];
	sflow_callee(&p->f, n, name, sizeof name);
	for (size_t i = 0; wraps[i]; i++)
		if (!strcmp(name, wraps[i]))
			return number(p, sflow_arg(&p->f, n, 0), v, depth + 1);
	for (size_t i = 0; reads[i]; i++)
		if (!strcmp(name, reads[i]))
			return number(p, sflow_arg(&p->f, n, 1), v, depth + 1);
	if (!strcmp(name, "getattr")) /* getattr(settings, "OCPAY_POLL", 5) */
		return number(p, sflow_arg(&p->f, n, 2), v, depth + 1);
	return false;
}

static bool number(struct poll *p, struct ast_node n, double *v, int depth)
{
	if (ast_is_null(n) || depth > 8)
		return false;
	size_t len;
	const char *t = ast_text(p->f.syn, n, &len);
	char buf[64];
	if (ast_is(n, "integer") || ast_is(n, "float"))
		return jsflow_parse_number(t, len, v);
	if (ast_is(n, "parenthesized_expression") || ast_is(n, "cast_expression"))
		return number(p, ast_named_child(n, ast_named_count(n) - 1), v, depth + 1);
	if (ast_is(n, "string") || ast_is(n, "encapsed_string"))
		return sflow_string(&p->f, n, buf, sizeof buf) && parse_text(buf, v);
	if (ast_is(n, "binary_expression") || ast_is(n, "binary_operator") ||
	    ast_is(n, "boolean_operator")) {
		struct ast_node op = ast_field(n, "operator");
		double a, b;
		bool left = number(p, ast_field(n, "left"), &a, depth + 1);
		if (ast_text_is(p->f.syn, op, "??") || ast_text_is(p->f.syn, op, "?:") ||
		    ast_text_is(p->f.syn, op, "or") || ast_text_is(p->f.syn, op, "||"))
			return left ? (*v = a, true) : number(p, ast_field(n, "right"), v, depth + 1);
		if (!left || !number(p, ast_field(n, "right"), &b, depth + 1))
			return false;
		size_t ol;
		const char *o = ast_text(p->f.syn, op, &ol);
		if (ol == 1 && *o == '*')
			return *v = a * b, true;
		if (ol == 1 && *o == '+')
			return *v = a + b, true;
		if (ol == 1 && *o == '-')
			return *v = a - b, true;
		if ((ol == 1 && *o == '/') || (ol == 2 && !memcmp(o, "//", 2)))
			return b != 0 && (*v = a / b, true);
		return false;
	}
	if (ast_is(n, "conditional_expression") && ast_is_null(ast_field(n, "body")))
		return number(p, ast_field(n, "alternative"), v, depth + 1); /* getenv() ?: 5 */
	if (sflow_is_call(&p->f, n))
		return call_number(p, n, v, depth);
	if (ast_is(n, "class_constant_access_expression"))
		return lookup(p, ast_named_child(n, ast_named_count(n) - 1), v, depth);
	if (ast_is(n, "member_access_expression"))
		return lookup(p, ast_field(n, "name"), v, depth);
	if (ast_is(n, "attribute"))
		return lookup(p, ast_field(n, "attribute"), v, depth);
	if (ast_is(n, "variable_name") || ast_is(n, "name") || ast_is(n, "identifier"))
		return lookup(p, n, v, depth);
	return false;
}

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
	} units[] = {{"seconds", 1000},	   {"second", 1000},	{"milliseconds", 1},
		     {"millisecond", 1},   {"minutes", 60000},	{"minute", 60000},
		     {"microseconds", .001}};
	struct sflow *f = &p->f;
	char name[SFLOW_NAME_LEN];
	double x = 0, ns = 0;
	if (!sflow_is_call(f, call))
		return false;
	sflow_callee(f, call, name, sizeof name);
	*known = false;
	if (!strcmp(name, "sleep") || (!f->php && !strcmp(name, "wait") &&
				       text_has(f, ast_field(call, "function"), "event"))) {
		*known = number(p, sflow_arg(f, call, 0), &x, 0);
		*ms = x * 1000;
		if (!f->php && !strcmp(name, "wait") && ast_is_null(sflow_arg(f, call, 0)))
			*known = number(p, kwarg(f, call, "timeout"), &x, 0), *ms = x * 1000;
		return true;
	}
	if (f->php && !strcmp(name, "usleep")) {
		*known = number(p, sflow_arg(f, call, 0), &x, 0);
		*ms = x / 1000;
		return true;
	}
	if (f->php && !strcmp(name, "time_nanosleep")) {
		*known = number(p, sflow_arg(f, call, 0), &x, 0) &&
			 number(p, sflow_arg(f, call, 1), &ns, 0);
		*ms = x * 1000 + ns / 1e6;
		return true;
	}
	struct ast_node inner = ast_field(call, "object");
	if (f->php && ast_is(call, "member_call_expression") &&
	    ast_is(inner, "scoped_call_expression") && callee_is(f, inner, "for") &&
	    text_has(f, ast_field(inner, "scope"), "Sleep")) {
		for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
			if (!strcmp(name, units[i].unit)) {
				*known = number(p, sflow_arg(f, inner, 0), &x, 0);
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
    "array_shift", "array_pop", "next",	      "fetch",	    "fetch_assoc", "fetch_object",
    "fetchObject", "fetchone",	"fetch_row",  "fetchAssociative", "pop",	   "popleft",
    "shift",	   "dequeue",	"get_nowait", "lpop",	    "rpop",	   "blpop",
    "brpop",	   "rpoplpush", "first",      NULL};

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
	for (uint32_t i = 0; ast_is(loop, "for_statement") && p->f.php &&
			     i < ast_named_count(loop);
	     i++) { /* for ($i = 0; ...): the counter */
		struct ast_node c = ast_named_child(loop, i);
		if (ast_is(c, "assignment_expression"))
			add_targets(&lv, ast_field(c, "left"));
		for (uint32_t k = 0; ast_is(c, "sequence_expression") && k < ast_named_count(c); k++)
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

/* ---- schedules ---- */

/* Laravel's frequencies: everySecond, everyFiveSeconds, everyMinute, hourly; ->cron()
 * with five fields runs at most every minute. */
static bool laravel_frequency(const struct sflow *f, struct ast_node call, double *ms)
{
	static const struct {
		const char *word;
		double n;
	} counts[] = {{"Two", 2},	{"Three", 3},  {"Four", 4},   {"Five", 5},
		      {"Six", 6},	{"Ten", 10},   {"Fifteen", 15}, {"Twenty", 20},
		      {"Thirty", 30}};
	char name[SFLOW_NAME_LEN];
	sflow_callee(f, call, name, sizeof name);
	if (!strncmp(name, "hourly", 6))
		return *ms = 3600000, true;
	if (!strcmp(name, "cron")) {
		char expr[64];
		if (!sflow_string(f, sflow_arg(f, call, 0), expr, sizeof expr))
			return false;
		*ms = !strncmp(expr, "*/", 2) ? atoi(expr + 2) * 60000.0
		      : expr[0] == '*'	      ? 60000
					      : 3600000;
		return true;
	}
	if (strncmp(name, "every", 5))
		return false;
	const char *q = name + 5;
	double n = 1;
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
		if (!strncmp(q, counts[i].word, strlen(counts[i].word))) {
			n = counts[i].n;
			q += strlen(counts[i].word);
		}
	if (!strncmp(q, "Second", 6))
		return *ms = n * 1000, true;
	if (!strncmp(q, "Minute", 6))
		return *ms = n * 60000, true;
	if (!strncmp(q, "Hour", 4))
		return *ms = n * 3600000, true;
	return false;
}

/* The frequency chained after a Laravel schedule entry: ->call(...)->everyFiveSeconds(). */
static bool chain_frequency(const struct sflow *f, struct ast_node call, double *ms)
{
	for (struct ast_node n = call, up = ast_parent(n); ast_is(up, "member_call_expression");
	     n = up, up = ast_parent(up)) {
		if (ast_start(ast_field(up, "object")) != ast_start(n))
			break;
		if (laravel_frequency(f, up, ms))
			return true;
	}
	return false;
}

/* "5 seconds", "10 minutes", a number of seconds, timedelta(seconds=5), crontab(...). */
static bool period(struct poll *p, struct ast_node n, double *ms)
{
	char buf[64];
	double x;
	if (ast_is_null(n))
		return false;
	if (sflow_string(&p->f, n, buf, sizeof buf)) {
		char *end;
		x = strtod(buf, &end);
		if (end == buf)
			return false;
		while (*end == ' ')
			end++;
		*ms = x * (!strncmp(end, "min", 3)    ? 60000
			   : !strncmp(end, "hour", 4) ? 3600000
			   : !strncmp(end, "ms", 2)   ? 1
						      : 1000);
		return true;
	}
	if (callee_is(&p->f, n, "timedelta") || callee_is(&p->f, n, "IntervalTrigger")) {
		double total = 0;
		bool any = false;
		static const char *const keys[] = {"seconds", "minutes", "hours"};
		static const double scale[] = {1000, 60000, 3600000};
		for (int i = 0; i < 3; i++)
			if (number(p, kwarg(&p->f, n, keys[i]), &x, 0))
				total += x * scale[i], any = true;
		if (!any && callee_is(&p->f, n, "timedelta") &&
		    number(p, sflow_arg(&p->f, n, 0), &x, 0))
			total = x * 86400000, any = true; /* timedelta(days) */
		return any && (*ms = total, true);
	}
	if (callee_is(&p->f, n, "crontab")) /* at most once a minute */
		return *ms = 60000, true;
	if (number(p, n, &x, 0))
		return *ms = x * 1000, true;
	return false;
}

/* An interval given as keywords: add_job(f, 'interval', seconds=3). */
static bool interval_kwargs(struct poll *p, struct ast_node call, double *ms)
{
	static const char *const keys[] = {"seconds", "minutes", "hours"};
	static const double scale[] = {1000, 60000, 3600000};
	double total = 0, x;
	bool any = false;
	for (int i = 0; i < 3; i++)
		if (number(p, kwarg(&p->f, call, keys[i]), &x, 0))
			total += x * scale[i], any = true;
	struct ast_node trigger = sflow_arg(&p->f, call, 1);
	if (!any && callee_is(&p->f, trigger, "IntervalTrigger"))
		return period(p, trigger, ms);
	return any && (*ms = total, true);
}

/* Whether the argument names the function: poll, self.poll, poll.s(ref), 'poll',
 * [$this, 'poll'], 'tasks.poll'. */
static bool names_fn(const struct sflow *f, struct ast_node a, const char *fname)
{
	char buf[128];
	size_t len, n = strlen(fname);
	if (ast_is_null(a) || !fname[0])
		return false;
	if (sflow_string(f, a, buf, sizeof buf)) {
		size_t bl = strlen(buf);
		return !strcmp(buf, fname) ||
		       (bl > n && !strcmp(buf + bl - n, fname) && buf[bl - n - 1] == '.');
	}
	if (ast_is(a, "array_creation_expression")) {
		for (uint32_t i = 0; i < ast_named_count(a); i++)
			if (names_fn(f, ast_named_child(ast_named_child(a, i), 0), fname))
				return true;
		return false;
	}
	if (sflow_is_call(f, a)) /* poll.s(ref), poll.si() */
		return names_fn(f, ast_field(ast_field(a, "function"), "object"), fname);
	if (ast_is(a, "attribute"))
		a = ast_field(a, "attribute");
	const char *t = ast_text(f->syn, a, &len);
	return ast_is(a, "identifier") && len == n && !memcmp(t, fname, n);
}

struct schedule {
	struct poll *p;
	const char *fname;
	const char *how;
	bool found;
	double ms;
	char hook[64]; /* the WordPress hook that runs fname */
};

static void schedule_set(struct schedule *s, const char *how, double ms)
{
	if (!s->found || ms < s->ms)
		s->found = true, s->how = how, s->ms = ms;
}

/* The interval of a WP-Cron recurrence: the core ones, or 'interval' => N of a custom
 * one added through the cron_schedules filter. */
struct recurrence {
	struct poll *p;
	const char *name;
	bool found;
	double s;
};

static bool visit_recurrence(void *ctx, struct ast_node n)
{
	struct recurrence *rc = ctx;
	const struct sflow *f = &rc->p->f;
	char buf[64];
	struct ast_node key = {0}, value = {0};
	if (rc->found)
		return false;
	if (ast_is(n, "assignment_expression") &&
	    ast_is(ast_field(n, "left"), "subscript_expression")) {
		struct ast_node l = ast_field(n, "left");
		key = ast_named_child(l, ast_named_count(l) - 1);
		value = ast_field(n, "right");
	} else if (ast_is(n, "array_element_initializer") && ast_named_count(n) == 2) {
		key = ast_named_child(n, 0);
		value = ast_named_child(n, 1);
	}
	if (ast_is_null(key) || !sflow_string(f, key, buf, sizeof buf) || strcmp(buf, rc->name) ||
	    !ast_is(value, "array_creation_expression"))
		return true;
	for (uint32_t i = 0; i < ast_named_count(value); i++) {
		struct ast_node e = ast_named_child(value, i);
		if (sflow_string(f, ast_named_child(e, 0), buf, sizeof buf) &&
		    !strcmp(buf, "interval") && ast_named_count(e) == 2)
			rc->found = number(rc->p, ast_named_child(e, 1), &rc->s, 0);
	}
	return !rc->found;
}

static bool wp_recurrence(struct poll *p, const char *name, double *ms)
{
	static const struct {
		const char *name;
		double s;
	} core[] = {{"hourly", 3600}, {"twicedaily", 43200}, {"daily", 86400}, {"weekly", 604800}};
	for (size_t i = 0; i < sizeof core / sizeof core[0]; i++)
		if (!strcmp(name, core[i].name))
			return *ms = core[i].s * 1000, true;
	struct recurrence rc = {.p = p, .name = name};
	ast_walk(ast_root(p->f.syn), visit_recurrence, &rc);
	return rc.found && (*ms = rc.s * 1000, true);
}

/* Pass 1 finds the hook add_action gives fname; pass 2 the schedules. */
static bool visit_hook(void *ctx, struct ast_node n)
{
	struct schedule *s = ctx;
	if (callee_is(&s->p->f, n, "add_action") && names_fn(&s->p->f, sflow_arg(&s->p->f, n, 1), s->fname))
		sflow_string(&s->p->f, sflow_arg(&s->p->f, n, 0), s->hook, sizeof s->hook);
	return !s->hook[0];
}

static void wp_schedule(struct schedule *s, struct ast_node n)
{
	struct sflow *f = &s->p->f;
	char buf[64];
	double ms;
	if (!s->hook[0])
		return;
	if (callee_is(f, n, "wp_schedule_event") &&
	    sflow_string(f, sflow_arg(f, n, 2), buf, sizeof buf) && !strcmp(buf, s->hook) &&
	    sflow_string(f, sflow_arg(f, n, 1), buf, sizeof buf) && wp_recurrence(s->p, buf, &ms))
		schedule_set(s, "runs from WP-Cron", ms);
	if (callee_is(f, n, "as_schedule_recurring_action") &&
	    sflow_string(f, sflow_arg(f, n, 2), buf, sizeof buf) && !strcmp(buf, s->hook) &&
	    number(s->p, sflow_arg(f, n, 1), &ms, 0))
		schedule_set(s, "runs from Action Scheduler", ms * 1000);
}

/* The schedule library: schedule.every(5).seconds.do(poll). */
static void every_do(struct schedule *s, struct ast_node n)
{
	struct sflow *f = &s->p->f;
	if (f->php || !callee_is(f, n, "do") || !names_fn(f, sflow_arg(f, n, 0), s->fname))
		return;
	struct ast_node unit = ast_field(ast_field(n, "function"), "object");
	struct ast_node every = ast_field(unit, "object");
	if (!ast_is(unit, "attribute") || !callee_is(f, every, "every"))
		return;
	double count = 1;
	number(s->p, sflow_arg(f, every, 0), &count, 0);
	char word[16];
	size_t len;
	const char *t = ast_text(f->syn, ast_field(unit, "attribute"), &len);
	snprintf(word, sizeof word, "%.*s", (int)(len < 15 ? len : 15), t);
	if (!strncmp(word, "second", 6))
		schedule_set(s, "runs from schedule.every()", count * 1000);
	else if (!strncmp(word, "minute", 6))
		schedule_set(s, "runs from schedule.every()", count * 60000);
	else if (!strncmp(word, "hour", 4))
		schedule_set(s, "runs from schedule.every()", count * 3600000);
}

static bool visit_schedule(void *ctx, struct ast_node n)
{
	struct schedule *s = ctx;
	struct sflow *f = &s->p->f;
	double ms;
	if (!sflow_is_call(f, n))
		return true;
	wp_schedule(s, n);
	every_do(s, n);
	/* APScheduler: scheduler.add_job(poll, 'interval', seconds=3) */
	if (callee_is(f, n, "add_job") && names_fn(f, sflow_arg(f, n, 0), s->fname) &&
	    interval_kwargs(s->p, n, &ms))
		schedule_set(s, "runs from APScheduler", ms);
	/* rq-scheduler: scheduler.schedule(scheduled_time=..., func=poll, interval=5) */
	if (callee_is(f, n, "schedule") &&
	    (names_fn(f, kwarg(f, n, "func"), s->fname) ||
	     names_fn(f, sflow_arg(f, n, 1), s->fname)) &&
	    number(s->p, kwarg(f, n, "interval"), &ms, 0))
		schedule_set(s, "runs from rq-scheduler", ms * 1000);
	/* Celery: sender.add_periodic_task(5.0, poll.s()) */
	if (callee_is(f, n, "add_periodic_task") && names_fn(f, sflow_arg(f, n, 1), s->fname) &&
	    period(s->p, sflow_arg(f, n, 0), &ms))
		schedule_set(s, "runs from Celery beat", ms);
	return true;
}

/* Decorators and attributes on the function or its class: APScheduler's
 * @scheduler.scheduled_job('interval', seconds=2), Symfony's
 * #[AsPeriodicTask(frequency: 5)]. */
static void decorated(struct schedule *s, struct ast_node fn)
{
	struct sflow *f = &s->p->f;
	double ms;
	for (struct ast_node d = fn; !ast_is_null(d); d = ast_parent(d)) {
		struct ast_node holder = f->php ? d : ast_parent(d);
		if (!f->php && !ast_is(holder, "decorated_definition"))
			continue;
		if (f->php && !ast_is(d, "method_declaration") && !ast_is(d, "class_declaration"))
			continue;
		for (uint32_t i = 0; i < ast_named_count(holder); i++) {
			struct ast_node deco = ast_named_child(holder, i);
			if (ast_is(deco, "decorator")) {
				struct ast_node call = ast_named_child(deco, 0);
				if (callee_is(f, call, "scheduled_job") &&
				    interval_kwargs(s->p, call, &ms))
					schedule_set(s, "runs from APScheduler", ms);
			} else if (ast_is(deco, "attribute_list") &&
				   text_has(f, deco, "AsPeriodicTask")) {
				struct ast_node group = ast_named_child(deco, 0);
				for (uint32_t k = 0; k < ast_named_count(group); k++) {
					struct ast_node at = ast_named_child(group, k);
					struct ast_node args = ast_field(at, "parameters");
					if (ast_is_null(args))
						args = ast_named_child(at, 1);
					/* frequency: 5, or the first argument */
					struct ast_node a = ast_named_child(args, 0), freq = {0};
					for (uint32_t j = 0; j < ast_named_count(args); j++)
						if (text_has(f, ast_named_child(args, j), "frequency"))
							a = ast_named_child(args, j);
					if (ast_is(a, "argument"))
						freq = ast_named_child(a, ast_named_count(a) - 1);
					if (text_has(f, at, "AsPeriodicTask") && period(s->p, freq, &ms))
						schedule_set(s, "runs from #[AsPeriodicTask]", ms);
				}
			}
		}
	}
}

static void schedules_of(struct schedule *s, struct ast_node fn)
{
	decorated(s, fn);
	if (!s->fname[0])
		return;
	if (s->p->f.php)
		ast_walk(ast_root(s->p->f.syn), visit_hook, s);
	ast_walk(ast_root(s->p->f.syn), visit_schedule, s);
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

static bool visit_requeue(void *ctx, struct ast_node n)
{
	struct requeue *q = ctx;
	struct sflow *f = &q->p->f;
	if (q->found || !sflow_is_call(f, n) || in_catch(f, n, q->fn))
		return !q->found;
	double x = 0;
	if (f->php && callee_is(f, n, "release") &&
	    text_has(f, ast_field(n, "object"), "$this")) { /* a Laravel job: $this->release(5) */
		struct ast_node a = sflow_arg(f, n, 0);
		q->found = true, q->how = "re-queues its job";
		q->known = ast_is_null(a) || number(q->p, a, &x, 0);
		q->ms = x * 1000;
	} else if (!f->php && callee_is(f, n, "retry") &&
		   text_has(f, ast_field(n, "function"), "self.")) { /* Celery bind=True */
		struct ast_node c = kwarg(f, n, "countdown");
		if (ast_is_null(c)) /* default_retry_delay, 3 minutes unless set */
			return true;
		q->found = true, q->how = "retries its task";
		q->known = number(q->p, c, &x, 0);
		q->ms = x * 1000;
	} else if (!f->php && (callee_is(f, n, "apply_async") &&
			       names_fn(f, ast_field(ast_field(n, "function"), "object"), q->fname))) {
		struct ast_node c = kwarg(f, n, "countdown");
		q->found = true, q->how = "re-queues its task";
		q->known = ast_is_null(c) || number(q->p, c, &x, 0);
		q->ms = x * 1000;
	} else if (!f->php && (callee_is(f, n, "Timer") || callee_is(f, n, "call_later")) &&
		   names_fn(f, sflow_arg(f, n, 1), q->fname)) {
		q->found = true, q->how = "re-arms a timer";
		q->known = number(q->p, sflow_arg(f, n, 0), &x, 0);
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
	ast_walk(cls, visit_definition, &d);
	if (!sflow_string(&p->f, d.value, sig, sizeof sig))
		return 0;
	sig[strcspn(sig, " ")] = '\0';
	return scan_add_evidence(p->u->scan, p->r, EV_CHECK, p->u->path, (int)ast_line(call),
				 sig);
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
				if (rc < 0)
					return rc;
				break;
			}
	} else {
		snprintf(name, sizeof name, "%s", fname);
	}
	if (!name[0])
		return 0;
	return scan_add_evidence(p->u->scan, p->r, EV_CHECK, p->u->path, (int)ast_line(call),
				 name);
}

static int judge_loop(struct poll *p, struct ast_node call, struct ast_node loop)
{
	struct waits w = waits_in(p, loop);
	if (reported_loop(p, loop) || (w.called && !w.found) || (w.found && w.ms >= p->min_ms))
		return 0;
	return flag(p, call, "runs in a loop", w.found, w.ms);
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
		schedules_of(&s, n);
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
		if (f->php && callee_is(f, owner, "call") && chain_frequency(f, owner, &ms))
			return ms < p->min_ms ? flag(p, call, "runs from the Laravel scheduler", true, ms)
					      : 0;
	}
	return 0;
}

/* A schedule that runs a class or a task defined in another file: Laravel's
 * $schedule->job(new PollPayments)->everyFiveSeconds() and ->command('payments:poll'),
 * Symfony's RecurringMessage::every('5 seconds', new PollPayments()), a Celery beat
 * entry {'task': 'payments.tasks.poll', 'schedule': 5.0}. */
static int note_schedules(struct poll *p, struct ast_node n)
{
	struct sflow *f = &p->f;
	char name[SFLOW_NAME_LEN] = "", text[SFLOW_NAME_LEN + 32];
	double ms = 0;
	bool found = false;
	if (f->php && (callee_is(f, n, "job") || callee_is(f, n, "command")) &&
	    chain_frequency(f, n, &ms)) {
		struct ast_node a = sflow_arg(f, n, 0);
		if (ast_is(a, "object_creation_expression"))
			a = ast_named_child(a, 0);
		else if (ast_is(a, "class_constant_access_expression"))
			a = ast_named_child(a, 0);
		if (sflow_string(f, a, name, sizeof name)) {
			name[strcspn(name, " ")] = '\0'; /* 'payments:poll --queue' */
		} else if (ast_is(a, "name") || ast_is(a, "qualified_name")) {
			size_t len;
			const char *t = ast_text(f->syn, a, &len);
			const char *slash = memrchr(t, '\\', len);
			if (slash)
				len -= (size_t)(slash + 1 - t), t = slash + 1;
			snprintf(name, sizeof name, "%.*s", (int)(len < 63 ? len : 63), t);
		}
		found = name[0];
	} else if (f->php && callee_is(f, n, "every") && text_has(f, n, "RecurringMessage") &&
		   period(p, sflow_arg(f, n, 0), &ms)) {
		struct ast_node a = sflow_arg(f, n, 1);
		if (ast_is(a, "object_creation_expression")) {
			size_t len;
			const char *t = ast_text(f->syn, ast_named_child(a, 0), &len);
			snprintf(name, sizeof name, "%.*s", (int)(len < 63 ? len : 63), t);
		}
		found = name[0];
	} else if (!f->php && ast_is(n, "dictionary")) {
		struct ast_node task = {0}, sched = {0};
		char key[32];
		for (uint32_t i = 0; i < ast_named_count(n); i++) {
			struct ast_node pr = ast_named_child(n, i);
			if (!ast_is(pr, "pair") || !sflow_string(f, ast_field(pr, "key"), key, sizeof key))
				continue;
			if (!strcmp(key, "task"))
				task = ast_field(pr, "value");
			else if (!strcmp(key, "schedule"))
				sched = ast_field(pr, "value");
		}
		char dotted[128];
		if (sflow_string(f, task, dotted, sizeof dotted) && period(p, sched, &ms)) {
			const char *dot = strrchr(dotted, '.');
			snprintf(name, sizeof name, "%.63s", dot ? dot + 1 : dotted);
			found = name[0];
		}
	}
	if (!found)
		return 0;
	snprintf(text, sizeof text, "%s\t%.0f", name, ms);
	return scan_add_evidence(p->u->scan, p->r, EV_SCHEDULE, p->u->path, (int)ast_line(n), text);
}

static bool visit_check(void *ctx, struct ast_node n)
{
	struct poll *p = ctx;
	if (p->rc)
		return false;
	if (sflow_is_check(&p->f, n))
		p->rc = check_call(p, n);
	if (!p->rc)
		p->rc = note_schedules(p, n);
	return p->rc == 0;
}

static double min_interval(const struct unit *u)
{
	return u->scan->config ? u->scan->config->poll_min_ms : CONFIG_POLL_MIN_MS;
}

int oc008_script_unit(struct unit *u, const struct rule *r, const struct detector *d)
{
	(void)d;
	const struct syntax *syn = unit_syntax(u);
	if (!syn || (u->lang != LANG_PHP && u->lang != LANG_PYTHON))
		return 0;
	struct poll p = {.u = u, .r = r, .min_ms = min_interval(u)};
	sflow_init(&p.f, syn, u->lang);
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
