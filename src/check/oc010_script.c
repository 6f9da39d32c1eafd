/* OC010 missing-payment-logging in PHP and Python: a createLink/create_link (SDK or HTTP),
 * or an order's status set to paid, confirmed, completed, failed, cancelled or expired
 * (an assignment, an ORM update or create, WooCommerce's update_status() and
 * payment_complete(), SQL), with no log statement on its path, judged as in JavaScript:
 * the function doing it, its class for a method, or the same-file functions that call
 * it; a named helper no same-file code calls or registers is called from another module
 * and left alone. Only files that call OCPay are read. Log statements: Laravel's Log::
 * and logger()/info(), PSR-3 and Monolog loggers ($this->logger->info), error_log(),
 * WooCommerce's wc_get_logger() and order notes (add_order_note, update_status with a
 * note), Python's logging, logger/log objects, structlog, loguru, app.logger, print()
 * (as console.* counts in JavaScript), and project functions named log*, *_log or
 * *Logger. PHP's echo writes the response, not a log, and does not count. */
#define _GNU_SOURCE /* strcasestr */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check/oc010.h"
#include "check/scan.h"
#include "check/scriptflow.h"


struct logging {
	struct unit *u;
	const struct rule *r;
	struct sflow f;
	struct sflow_names loggers; /* names given a logger in the file */
	uint32_t judged[64];	    /* functions already judged, per event */
	int events[64];
	size_t njudged;
	int rc;
};

static const char *const status_values[] = {"paid",	 "confirmed", "completed",
					    "fulfilled", "failed",    "cancelled",
					    "canceled",	 "expired",   NULL};
static const char *const status_keys[] = {"status",	  "payment_status",  "paymentStatus",
					  "order_status", "_payment_status", NULL};
static const char *const write_calls[] = {
    "update",	      "insert",		  "create",	      "fill",	       "forceFill",
    "updateOrCreate", "updateOrInsert",	  "update_or_create", "update_one",    "update_many",
    "values",	      "update_meta_data", "update_post_meta", "add_meta_data", NULL};

static bool in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcasecmp(s, list[i]))
			return true;
	return false;
}

static void last_word(const char *t, size_t len, char *buf, size_t size)
{
	while (len && !(isalnum((unsigned char)t[len - 1]) || t[len - 1] == '_'))
		len--; /* wc_get_logger() -> wc_get_logger */
	size_t start = len;
	while (start && (isalnum((unsigned char)t[start - 1]) || t[start - 1] == '_'))
		start--;
	snprintf(buf, size, "%.*s", (int)(len - start), t + start);
}

static bool ends_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcasecmp(s + n - m, suffix);
}

static bool ends_cs(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/* A project function or method that logs by its name: ocpay_log, logPayment, auditLog. */
static bool log_name(const char *name)
{
	if (!strncasecmp(name, "login", 5) || !strncasecmp(name, "logout", 6) ||
	    !strncasecmp(name, "logic", 5) || !strncasecmp(name, "logo", 4))
		return false;
	return !strncasecmp(name, "log", 3) || ends_ci(name, "_log") || ends_cs(name, "Log") ||
	       ends_ci(name, "logger") || !strcmp(name, "add_order_note");
}

static bool names_have(const struct sflow_names *ns, const char *s)
{
	for (size_t i = 0; i < ns->n; i++)
		if (!strcmp(ns->name[i], s))
			return true;
	return false;
}

/* loggers: the file's names given a logger (slog = structlog.get_logger()). */
static bool is_log_call(const struct sflow *f, const struct sflow_names *loggers,
			struct ast_node call)
{
	static const char *const php_functions[] = {"error_log", "logger", "info", "syslog", NULL};
	static const char *const objects[] = {"logging", "log",		  "logger",  "structlog",
					      "loguru",	 "wc_get_logger", "monolog", NULL};
	static const char *const not_loggers[] = {"math", "np", "numpy", "cmath", NULL};
	if (!sflow_is_call(f, call))
		return false;
	char name[SFLOW_NAME_LEN], object[SFLOW_NAME_LEN] = "";
	sflow_callee(f, call, name, sizeof name);
	struct ast_node obj = {0};
	if (f->php)
		obj = ast_field(call, ast_is(call, "scoped_call_expression") ? "scope" : "object");
	else if (ast_is(ast_field(call, "function"), "attribute"))
		obj = ast_field(ast_field(call, "function"), "object");
	if (!ast_is_null(obj)) {
		size_t len;
		const char *t = ast_text(f->syn, obj, &len);
		last_word(t, len, object, sizeof object);
		if (in_list(object, not_loggers))
			return false;
		if (in_list(object, objects) || names_have(loggers, object) ||
		    ends_ci(object, "logger") || ends_ci(object, "_log") ||
		    ends_cs(object, "Log")) /* auditLog, not catalog */
			return true;
		return log_name(name); /* $this->log(), self.log_event() */
	}
	if (f->php && in_list(name, php_functions))
		return true;
	if (!f->php && !strcmp(name, "print"))
		return true;
	return log_name(name);
}

struct log_search {
	const struct sflow *f;
	const struct sflow_names *loggers;
	bool found;
};

static bool visit_log(void *ctx, struct ast_node n)
{
	struct log_search *ls = ctx;
	if (!ls->found && is_log_call(ls->f, ls->loggers, n))
		ls->found = true;
	return !ls->found;
}

static bool logs(const struct sflow *f, const struct sflow_names *loggers, struct ast_node scope)
{
	struct log_search ls = {f, loggers, false};
	ast_walk(scope, visit_log, &ls);
	return ls.found;
}

static bool is_function(const struct sflow *f, struct ast_node n)
{
	return f->php ? ast_is(n, "function_definition") || ast_is(n, "method_declaration") ||
			    ast_is(n, "anonymous_function") || ast_is(n, "arrow_function")
		      : ast_is(n, "function_definition") || ast_is(n, "lambda");
}

/* The class of a method (PHP class or trait, Python class), or null. */
static struct ast_node class_of(const struct sflow *f, struct ast_node fn)
{
	struct ast_node none = {0};
	if (f->php && !ast_is(fn, "method_declaration"))
		return none;
	for (struct ast_node p = ast_parent(fn); !ast_is_null(p); p = ast_parent(p)) {
		if (ast_is(p, "class_declaration") || ast_is(p, "trait_declaration") ||
		    ast_is(p, "class_definition"))
			return p;
		if (is_function(f, p))
			return none;
	}
	return none;
}

struct callers {
	const struct sflow *f;
	const struct sflow_names *loggers;
	const char *name;
	size_t count;
	bool logged;
	bool passed; /* add_action('hook', 'name'), scheduler.add_job(name) */
};

/* A PHP callback named by a string is registered with WordPress (add_action,
 * add_filter, register_rest_route, add_shortcode) or called back (call_user_func,
 * array_map): other strings that happen to equal the name are not. */
static bool registers(const struct sflow *f, struct ast_node n)
{
	char name[SFLOW_NAME_LEN];
	for (int i = 0; i < 6 && !ast_is_null(n); i++, n = ast_parent(n)) {
		if (!sflow_is_call(f, n))
			continue;
		sflow_callee(f, n, name, sizeof name);
		return !strncmp(name, "add_", 4) || !strncmp(name, "register_", 9) ||
		       !strncmp(name, "call_user_func", 14) || !strncmp(name, "array_", 6) ||
		       !strcmp(name, "usort") || !strcmp(name, "do_action");
	}
	return false;
}

static bool visit_caller(void *ctx, struct ast_node n)
{
	struct callers *c = ctx;
	const struct sflow *f = c->f;
	char buf[SFLOW_NAME_LEN];
	struct ast_node p = ast_parent(n);
	bool arg = ast_is(p, "argument") || ast_is(p, "argument_list") ||
		   ast_is(ast_parent(p), "array_creation_expression");
	if (arg && ast_is(n, "identifier") && ast_text_is(f->syn, n, c->name))
		c->passed = true; /* scheduler.add_job(reconcile) */
	else if (arg && sflow_string(f, n, buf, sizeof buf) && !strcmp(buf, c->name) &&
		 registers(f, p))
		c->passed = true; /* add_action('init', 'ocpay_return') */
	if (!sflow_is_call(f, n))
		return true;
	sflow_callee(f, n, buf, sizeof buf);
	if (strcmp(buf, c->name))
		return true;
	c->count++;
	struct ast_node fn = sflow_function_of(f, n);
	struct ast_node cls = class_of(f, fn);
	c->logged |= logs(f, c->loggers, ast_is_null(cls) ? fn : cls);
	return true;
}

/* Route handlers, hooks, tasks and pages: nothing in the project calls them by name. */
static bool is_entry_point(const struct sflow *f, struct ast_node fn, const char *name)
{
	if (!name[0] || !is_function(f, fn))
		return true; /* a closure or the file's top level */
	if (!f->php && ast_is(ast_parent(fn), "decorated_definition"))
		return true; /* @app.post, @router.get, @shared_task */
	struct ast_node first = ast_named_child(ast_field(fn, "parameters"), 0);
	return !f->php && ast_text_is(f->syn, first, "request"); /* a Django view */
}

static enum verdict path_logging(struct logging *lg, struct ast_node fn)
{
	const struct sflow *f = &lg->f;
	struct ast_node cls = class_of(f, fn);
	if (logs(f, &lg->loggers, ast_is_null(cls) ? fn : cls))
		return LOGGED;
	if (!ast_is_null(cls))
		return UNLOGGED;
	char name[SFLOW_NAME_LEN] = "";
	if (is_function(f, fn))
		sflow_function_name(f, fn, name, sizeof name);
	struct callers c = {.f = f, .loggers = &lg->loggers, .name = name};
	if (name[0])
		ast_walk(ast_root(f->syn), visit_caller, &c);
	if (c.count)
		return c.logged ? LOGGED : UNLOGGED;
	return c.passed || is_entry_point(f, fn, name) ? UNLOGGED : ELSEWHERE;
}

static bool already_judged(struct logging *lg, struct ast_node fn, enum event ev)
{
	for (size_t i = 0; i < lg->njudged; i++)
		if (lg->events[i] == (int)ev && lg->judged[i] == ast_start(fn))
			return true;
	if (lg->njudged < sizeof lg->judged / sizeof lg->judged[0]) {
		lg->judged[lg->njudged] = ast_start(fn);
		lg->events[lg->njudged++] = (int)ev;
	}
	return false;
}

static void judge(struct logging *lg, struct ast_node site, enum event ev, const char *value)
{
	struct ast_node fn = sflow_function_of(&lg->f, site);
	if (lg->rc || already_judged(lg, fn, ev))
		return;
	lg->rc = oc010_record(lg->u, lg->r, site, path_logging(lg, fn), ev, value);
}

/* ---- status writes ---- */

/* A status value: a string of the list, or a constant named after one (OrderStatus::PAID,
 * Status.FAILED, OrderStatus.PAID.value); its text in buf. WooCommerce's 'processing'
 * (paid, to ship) only counts when woo is set: elsewhere it is a job's state. */
static bool status_value(const struct sflow *f, struct ast_node n, char *buf, size_t size, bool woo)
{
	char s[64];
	if (sflow_string(f, n, s, sizeof s)) {
		const char *v = strncmp(s, "wc-", 3) ? s : s + 3;
		if (!in_list(v, status_values) && !(woo && !strcmp(v, "processing")))
			return false;
		snprintf(buf, size, "'%s'", s);
		return true;
	}
	if (!ast_is(n, "class_constant_access_expression") && !ast_is(n, "attribute"))
		return false;
	size_t len;
	const char *t = ast_text(f->syn, n, &len);
	if (len > 6 && !memcmp(t + len - 6, ".value", 6))
		len -= 6;
	last_word(t, len, s, sizeof s);
	for (const char *c = s; ast_is(n, "attribute") && *c; c++)
		if (islower((unsigned char)*c))
			return false; /* Status.PAID, not result.paid; PHP's OrderStatus::Paid */
	if (!in_list(s, status_values))
		return false;
	snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), t);
	return true;
}

static bool key_is_status(const struct sflow *f, struct ast_node n)
{
	char buf[64];
	size_t len;
	if (sflow_string(f, n, buf, sizeof buf))
		return in_list(buf, status_keys);
	if (!ast_is(n, "name") && !ast_is(n, "identifier"))
		return false;
	const char *t = ast_text(f->syn, n, &len);
	snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1), t);
	return in_list(buf, status_keys);
}

static bool written_by_call(const struct sflow *f, struct ast_node n)
{
	char name[SFLOW_NAME_LEN];
	for (int i = 0; i < 6 && !ast_is_null(n); i++, n = ast_parent(n))
		if (sflow_is_call(f, n)) {
			sflow_callee(f, n, name, sizeof name);
			return in_list(name, write_calls);
		}
	return false;
}

/* Whether n changes an order's status; the new value in buf, and *noted when the
 * change writes its own order note (update_status('failed', 'OCPay: expired')). */
static bool status_write(const struct sflow *f, struct ast_node n, char *buf, size_t size,
			 bool *noted)
{
	*noted = false;
	if (sflow_is_call(f, n)) {
		char name[SFLOW_NAME_LEN];
		sflow_callee(f, n, name, sizeof name);
		if (!strcmp(name, "payment_complete")) {
			snprintf(buf, size, "paid (payment_complete())");
			return true;
		}
		/* a Doctrine entity's setter: $order->setStatus(OrderStatus::Paid) */
		if (!strcmp(name, "setStatus") || !strcmp(name, "setPaymentStatus") ||
		    !strcmp(name, "setOrderStatus"))
			return status_value(f, sflow_arg(f, n, 0), buf, size, false);
		if (strcmp(name, "update_status") && strcmp(name, "set_status"))
			return false;
		*noted = !ast_is_null(sflow_arg(f, n, 1));
		return status_value(f, sflow_arg(f, n, 0), buf, size, true);
	}
	if (ast_is(n, "assignment_expression") || ast_is(n, "assignment")) {
		struct ast_node l = ast_field(n, "left"), key = {0};
		if (ast_is(l, "member_access_expression"))
			key = ast_field(l, "name");
		else if (ast_is(l, "attribute"))
			key = ast_field(l, "attribute");
		else if (ast_is(l, "subscript_expression") || ast_is(l, "subscript"))
			key = ast_named_child(l, ast_named_count(l) - 1);
		return !ast_is_null(key) && key_is_status(f, key) &&
		       status_value(f, ast_field(n, "right"), buf, size, false);
	}
	if (ast_is(n, "array_element_initializer") && ast_named_count(n) == 2)
		return key_is_status(f, ast_named_child(n, 0)) &&
		       status_value(f, ast_named_child(n, 1), buf, size, false) &&
		       written_by_call(f, n);
	if (ast_is(n, "keyword_argument") || ast_is(n, "pair")) {
		struct ast_node k = ast_field(n, ast_is(n, "pair") ? "key" : "name");
		return key_is_status(f, k) &&
		       status_value(f, ast_field(n, "value"), buf, size, false) &&
		       written_by_call(f, n);
	}
	if (ast_is(n, "string") || ast_is(n, "encapsed_string")) { /* UPDATE ... SET status */
		char *s = ast_string_value(f->syn, n);
		bool yes = false;
		if (s && strcasestr(s, "update ") && strcasestr(s, " set ") &&
		    strcasestr(s, "status")) {
			for (size_t i = 0; status_values[i] && !yes; i++) {
				char q[32];
				snprintf(q, sizeof q, "'%s'", status_values[i]);
				if (strcasestr(s, q))
					yes = true, snprintf(buf, size, "%s", q);
			}
		}
		free(s);
		return yes;
	}
	return false;
}

/* log = logging.getLogger(__name__), $this->audit = new Logger('ocpay'),
 * slog = structlog.get_logger(): the name is a logger wherever the file uses it. */
static bool visit_logger(void *ctx, struct ast_node n)
{
	struct logging *lg = ctx;
	size_t len;
	char name[SFLOW_NAME_LEN];
	if (ast_is(n, "simple_parameter") || ast_is(n, "property_promotion_parameter")) {
		/* private LoggerInterface $audit: $this->audit->info() logs */
		const char *t = ast_text(lg->f.syn, ast_field(n, "type"), &len);
		snprintf(name, sizeof name, "%.*s",
			 (int)(len < sizeof name ? len : sizeof name - 1), t);
		if (!ends_ci(name, "Logger") && !ends_ci(name, "LoggerInterface"))
			return true;
		t = ast_text(lg->f.syn, ast_field(n, "name"), &len);
		last_word(t, len, name, sizeof name);
		if (name[0] && !names_have(&lg->loggers, name) && lg->loggers.n < SFLOW_NAMES)
			snprintf(lg->loggers.name[lg->loggers.n++], SFLOW_NAME_LEN, "%s", name);
		return true;
	}
	if (!ast_is(n, "assignment_expression") && !ast_is(n, "assignment"))
		return true;
	const char *t = ast_text(lg->f.syn, ast_field(n, "right"), &len);
	char rhs[160];
	snprintf(rhs, sizeof rhs, "%.*s", (int)(len < sizeof rhs ? len : sizeof rhs - 1), t);
	if (!strcasestr(rhs, "logger(") && !strcasestr(rhs, "new logger") &&
	    !strcasestr(rhs, "logger::"))
		return true;
	t = ast_text(lg->f.syn, ast_field(n, "left"), &len);
	last_word(t, len, name, sizeof name);
	if (name[0] && !names_have(&lg->loggers, name) && lg->loggers.n < SFLOW_NAMES)
		snprintf(lg->loggers.name[lg->loggers.n++], SFLOW_NAME_LEN, "%s", name);
	return true;
}

struct ocpay_search {
	const struct sflow *f;
	bool found;
};

static bool visit_ocpay(void *ctx, struct ast_node n)
{
	struct ocpay_search *os = ctx;
	if (!os->found && (sflow_is_create(os->f, n) || sflow_is_check(os->f, n)))
		os->found = true;
	return !os->found;
}

static bool visit_event(void *ctx, struct ast_node n)
{
	struct logging *lg = ctx;
	char value[80];
	bool noted;
	if (lg->rc)
		return false;
	if (sflow_is_create(&lg->f, n)) {
		judge(lg, n, EVENT_CREATED, NULL);
		return false;
	}
	if (status_write(&lg->f, n, value, sizeof value, &noted)) {
		if (!noted)
			judge(lg, n, EVENT_STATUS, value);
		return false;
	}
	return true;
}

int oc010_script_unit(struct unit *u, const struct rule *r, const struct detector *d)
{
	(void)d;
	const struct sflow *f = unit_sflow(u);
	if (!f)
		return 0;
	const struct syntax *syn = f->syn;
	struct logging lg = {.u = u, .r = r, .f = *f};
	struct ocpay_search os = {&lg.f, false};
	ast_walk(ast_root(syn), visit_ocpay, &os);
	if (!os.found)
		return 0; /* status writes of a file that never calls OCPay are not payments */
	ast_walk(ast_root(syn), visit_logger, &lg);
	ast_walk(ast_root(syn), visit_event, &lg);
	return lg.rc < 0 ? lg.rc : 0;
}

int oc010_script_finish(struct scan *s, const struct rule *r)
{
	(void)s;
	(void)r;
	return 0; /* oc010_logging_finish lists the evidence of both languages */
}
