/* OC008 aggressive-polling: checkPayment re-run on a timer or in a loop faster than the
 * minimum interval (10 s), or with no delay at all. The docs check status when the
 * customer returns and from a scheduled job, and ask to respect rate limits. A loop over
 * different orders (for...of pending orders) checks each once and is not polling. */
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "check/config.h"
#include "check/jsflow.h"
#include "check/scan.h"


/* The smallest delay a loop body waits: sleep(ms), delay(ms), setTimeout(r, ms). */
struct delay {
	const struct syntax *syn;
	bool found;
	double ms;
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

/* A timer that runs the function fname: setInterval(fname, ms) or
 * setInterval(() => fname(), ms) anywhere in the file, or the same with setTimeout inside
 * the function itself (it re-arms). */
struct timer_search {
	const struct syntax *syn;
	const char *fname;
	struct ast_node fn;
	struct ast_node timer;
	bool interval;
};

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

static bool visit_timer(void *ctx, struct ast_node n)
{
	struct timer_search *ts = ctx;
	if (!ast_is_null(ts->timer))
		return false;
	if (!ast_is(n, "call_expression"))
		return true;
	char callee[64];
	jsflow_callee_name(ts->syn, n, callee, sizeof callee);
	bool interval = !strcmp(callee, "setInterval");
	if (!interval && strcmp(callee, "setTimeout"))
		return true;
	struct ast_node first = ast_named_child(ast_field(n, "arguments"), 0);
	bool runs = false;
	if (ast_is(first, "identifier")) {
		runs = ast_text_is(ts->syn, first, ts->fname);
	} else if (ast_is(first, "arrow_function") || ast_is(first, "function_expression")) {
		size_t len;
		const char *t = ast_text(ts->syn, ast_field(first, "body"), &len);
		runs = calls_name(t, len, ts->fname);
	}
	if (!runs)
		return true;
	if (interval || jsflow_within(n, ts->fn)) {
		ts->timer = n;
		ts->interval = interval;
	}
	return true;
}

static int check_call(struct unit *u, const struct rule *r, const struct syntax *syn,
		      const struct api_call *c)
{
	for (struct ast_node n = ast_parent(c->call); !ast_is_null(n); n = ast_parent(n)) {
		if (ast_is(n, "call_expression")) {
			char callee[64];
			jsflow_callee_name(syn, n, callee, sizeof callee);
			bool interval = !strcmp(callee, "setInterval");
			if (!interval && strcmp(callee, "setTimeout"))
				continue;
			/* setTimeout counts when it re-arms itself (a recursive poll). */
			if (!interval) {
				char fname[128];
				jsflow_function_name(syn, jsflow_function_of(n), fname, sizeof fname);
				size_t len;
				const char *t = ast_text(syn, ast_field(n, "arguments"), &len);
				if (!fname[0] || !jsflow_mentions(t, len, fname))
					continue;
			}
			double ms = 0;
			struct ast_node delay = ast_named_child(ast_field(n, "arguments"), 1);
			bool has = !ast_is_null(delay) && jsflow_number(syn, delay, &ms);
			if (ast_is_null(delay) || (has && ms < min_interval(u)))
				return flag(u, r, c, interval ? "runs in setInterval" : "re-arms setTimeout",
					    has, ms);
			return 0;
		}
		if ((ast_is(n, "while_statement") || ast_is(n, "do_statement") ||
		     ast_is(n, "for_statement")) &&
		    !iterates(syn, n, c->arg)) {
			struct delay d = {syn, false, 0};
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
			char fname[128];
			jsflow_function_name(syn, n, fname, sizeof fname);
			struct timer_search ts = {.syn = syn, .fname = fname, .fn = n};
			if (fname[0])
				ast_walk(ast_root(syn), visit_timer, &ts);
			if (ast_is_null(ts.timer)) {
				if (declared)
					break;
				continue; /* an inline callback: its caller may be the timer */
			}
			double ms = 0;
			struct ast_node delay = ast_named_child(ast_field(ts.timer, "arguments"), 1);
			bool has = !ast_is_null(delay) && jsflow_number(syn, delay, &ms);
			if (ast_is_null(delay) || (has && ms < min_interval(u)))
				return flag(u, r, c,
					    ts.interval ? "runs in setInterval" : "re-arms setTimeout",
					    has, ms);
			break;
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

int oc008_polling_finish(struct scan *s, const struct rule *r)
{
	(void)s;
	(void)r;
	return 0;
}
