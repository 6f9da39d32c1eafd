/* OC010 missing-payment-logging: a createLink, or an order's status set to paid or failed,
 * with no log statement on its path. The path is the function doing it and, one level
 * up, the same-file functions that call it; a named helper no same-file code calls is
 * called from another module, whose logging this file cannot see, and is left alone.
 * Methods of a class are judged with their class: a service that logs anywhere has a
 * logger. The docs log "[Payment] Created" and "[Payment] Status changed": without those
 * lines a disputed or lost payment cannot be traced. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check/jsflow.h"
#include "check/oc010.h"
#include "check/scan.h"
#include "core/buf.h"
#include "core/error.h"

struct logging {
	struct unit *u;
	const struct rule *r;
	const struct syntax *syn;
	struct ast_node reported[64]; /* functions already judged, per event */
	int events[64];
	size_t nreported;
	int rc;
};

static bool ends_with_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcasecmp(s + n - m, suffix);
}

/* The last segment of an object expression: `this.logger` -> logger. */
static void last_segment(const struct syntax *syn, struct ast_node n, char *buf, size_t size)
{
	size_t len;
	const char *t = ast_text(syn, n, &len);
	size_t start = len;
	while (start > 0 && (isalnum((unsigned char)t[start - 1]) || t[start - 1] == '_' ||
			     t[start - 1] == '$'))
		start--;
	snprintf(buf, size, "%.*s", (int)(len - start), t + start);
}

/* console.*, pino/winston/bunyan instances and child loggers (logger.info, req.log.info,
 * fastify.log.warn), NestJS's Logger and this.logger, and project functions named log*
 * or ending in Log or Logger (logPayment, auditLog). */
static bool is_log_call(const struct syntax *syn, struct ast_node call)
{
	static const char *const objects[] = {"console", "log", "pino", "winston", "bunyan",
					      "signale", "consola", "debug", NULL};
	struct ast_node f = ast_field(call, "function");
	char name[128];
	if (ast_is(f, "member_expression")) {
		last_segment(syn, ast_field(f, "object"), name, sizeof name);
		for (size_t i = 0; objects[i]; i++)
			if (!strcasecmp(name, objects[i]))
				return true;
		return ends_with_ci(name, "logger");
	}
	if (!ast_is(f, "identifier"))
		return false;
	last_segment(syn, f, name, sizeof name);
	if (!strncasecmp(name, "login", 5) || !strncasecmp(name, "logout", 6))
		return false;
	return !strncasecmp(name, "log", 3) || ends_with_ci(name, "log") ||
	       ends_with_ci(name, "logger") || !strcmp(name, "debug");
}

struct log_search {
	const struct syntax *syn;
	bool found;
};

static bool visit_log(void *ctx, struct ast_node n)
{
	struct log_search *ls = ctx;
	if (ls->found)
		return false;
	if (ast_is(n, "call_expression") && is_log_call(ls->syn, n))
		ls->found = true;
	return !ls->found;
}

static bool logs(const struct syntax *syn, struct ast_node scope)
{
	struct log_search ls = {syn, false};
	ast_walk(scope, visit_log, &ls);
	return ls.found;
}

static struct ast_node class_of(struct ast_node fn)
{
	if (!ast_is(fn, "method_definition"))
		return (struct ast_node){0};
	for (struct ast_node p = ast_parent(fn); !ast_is_null(p); p = ast_parent(p))
		if (ast_is(p, "class_declaration") || ast_is(p, "class"))
			return p;
	return (struct ast_node){0};
}

/* Route handlers and serverless entry points: nothing in the project calls them. */
static bool is_entry_point(const struct syntax *syn, struct ast_node fn, const char *name)
{
	static const char *const names[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "handler",
					    "default", "action", NULL};
	if (!name[0] || ast_is(fn, "program") || jsflow_is_default_export(syn, fn))
		return true;
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

struct callers {
	const struct syntax *syn;
	const char *name;
	size_t count;
	bool logged;
	bool passed; /* handed to a scheduler or router: cron.schedule(spec, fn) */
};

static bool visit_caller(void *ctx, struct ast_node n)
{
	struct callers *c = ctx;
	if (ast_is(n, "identifier") && ast_is(ast_parent(n), "arguments") &&
	    ast_text_is(c->syn, n, c->name))
		c->passed = true;
	if (!ast_is(n, "call_expression"))
		return true;
	char callee[128];
	jsflow_callee_name(c->syn, n, callee, sizeof callee);
	if (strcmp(callee, c->name))
		return true;
	c->count++;
	struct ast_node fn = jsflow_function_of(n);
	struct ast_node cls = class_of(fn);
	c->logged |= logs(c->syn, ast_is_null(cls) ? fn : cls);
	return true;
}

/* Whether the event in fn is logged on its path, or left to callers in other modules. */
static enum verdict path_logging(const struct logging *lg, struct ast_node fn)
{
	struct ast_node cls = class_of(fn);
	if (logs(lg->syn, ast_is_null(cls) ? fn : cls))
		return LOGGED;
	char name[128];
	jsflow_function_name(lg->syn, fn, name, sizeof name);
	if (!ast_is_null(cls))
		return UNLOGGED;
	struct callers c = {.syn = lg->syn, .name = name};
	if (name[0])
		ast_walk(ast_root(lg->syn), visit_caller, &c);
	if (c.count)
		return c.logged ? LOGGED : UNLOGGED;
	return c.passed || is_entry_point(lg->syn, fn, name) ? UNLOGGED : ELSEWHERE;
}

/* One verdict per function and event: the first site stands for the others. */
static bool already_judged(struct logging *lg, struct ast_node fn, enum event ev)
{
	for (size_t i = 0; i < lg->nreported; i++)
		if (lg->events[i] == (int)ev && ast_start(lg->reported[i]) == ast_start(fn) &&
		    ast_end(lg->reported[i]) == ast_end(fn))
			return true;
	if (lg->nreported < sizeof lg->reported / sizeof lg->reported[0]) {
		lg->reported[lg->nreported] = fn;
		lg->events[lg->nreported++] = (int)ev;
	}
	return false;
}

static const char *const event_names[] = {"payment created", "status change"};

int oc010_record(struct unit *u, const struct rule *r, struct ast_node site, enum verdict v,
		 enum event ev, const char *value)
{
	if (v != UNLOGGED)
		return scan_add_evidence(u->scan, r, v, u->path, (int)ast_line(site),
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
	return unit_add_hit(u, r, ast_start(site), ast_end(site), NULL, 0, msg, -1);
}

static void judge(struct logging *lg, struct ast_node site, enum event ev, const char *value)
{
	struct ast_node fn = jsflow_function_of(site);
	if (lg->rc || already_judged(lg, fn, ev))
		return;
	lg->rc = oc010_record(lg->u, lg->r, site, path_logging(lg, fn), ev, value);
}

/* `order.status = "PAID"` or a `{ status: "FAILED" }` write: the value, quoted, in buf. */
static bool status_write(const struct syntax *syn, struct ast_node n, char *buf, size_t size)
{
	static const char *const values[] = {"paid", "confirmed", "completed", "fulfilled",
					     "failed", "cancelled", "canceled", "expired", NULL};
	struct ast_node value = jsflow_status_write(syn, n);
	if (!jsflow_string_in(syn, value, values))
		return false;
	size_t len;
	const char *t = ast_text(syn, value, &len);
	snprintf(buf, size, "%.*s", (int)len, t);
	return true;
}

static bool visit_status(void *ctx, struct ast_node n)
{
	struct logging *lg = ctx;
	char value[64];
	if (lg->rc)
		return false;
	if (status_write(lg->syn, n, value, sizeof value))
		judge(lg, n, EVENT_STATUS, value);
	return true;
}

int oc010_logging_unit(struct unit *u, const struct rule *r, const struct detector *d)
{
	(void)d;
	struct jsflow *flow = unit_flow(u);
	if (!flow || !flow->ncalls)
		return 0;
	struct logging lg = {.u = u, .r = r, .syn = flow->syn};
	for (size_t i = 0; i < flow->ncalls && !lg.rc; i++)
		if (flow->calls[i].kind == API_CREATE_LINK)
			judge(&lg, flow->calls[i].call, EVENT_CREATED, NULL);
	ast_walk(ast_root(flow->syn), visit_status, &lg);
	return lg.rc;
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

int oc010_logging_finish(struct scan *s, const struct rule *r)
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
