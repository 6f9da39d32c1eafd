/* OC008 in PHP and Python: the schedules that run a function, a class or a task. Laravel's
 * scheduler, WP-Cron and Action Scheduler, Symfony's #[AsPeriodicTask] and
 * RecurringMessage::every, APScheduler, the schedule library, rq-scheduler and Celery
 * beat. A schedule naming a class or task of another file is recorded as evidence for
 * oc008_script_finish. */
#define _GNU_SOURCE /* memrchr */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/oc008_script.h"

/* ---- schedules ---- */

/* Laravel's frequencies: everySecond, everyFiveSeconds, everyMinute, hourly; ->cron()
 * with five fields runs at most every minute. */
static bool laravel_frequency(const struct sflow *f, struct ast_node call, double *ms)
{
	static const struct {
		const char *word;
		double n;
	} counts[] = {{"Two", 2},  {"Three", 3},    {"Four", 4},    {"Five", 5},   {"Six", 6},
		      {"Ten", 10}, {"Fifteen", 15}, {"Twenty", 20}, {"Thirty", 30}};
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
bool oc008_chain_frequency(const struct sflow *f, struct ast_node call, double *ms)
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
		static const struct {
			const char *unit;
			double ms;
		} units[] = {{"ms", 1},		  {"milli", 1},	     {"s", 1000},
			     {"min", 60000},	  {"hour", 3600000}, {"day", 86400000},
			     {"week", 604800000}, {"month", 2592e6}};
		if (!*end) /* a number of seconds */
			return *ms = x * 1000, true;
		for (size_t i = sizeof units / sizeof units[0]; i-- > 0;)
			if (!strncmp(end, units[i].unit, strlen(units[i].unit)))
				return *ms = x * units[i].ms, true;
		return false;
	}
	if (oc008_callee_is(&p->f, n, "timedelta") ||
	    oc008_callee_is(&p->f, n, "IntervalTrigger")) {
		double total = 0;
		bool any = false;
		static const char *const keys[] = {"seconds", "minutes", "hours"};
		static const double scale[] = {1000, 60000, 3600000};
		for (int i = 0; i < 3; i++)
			if (oc008_number(p, oc008_kwarg(&p->f, n, keys[i]), &x, 0))
				total += x * scale[i], any = true;
		if (!any && oc008_callee_is(&p->f, n, "timedelta") &&
		    oc008_number(p, sflow_arg(&p->f, n, 0), &x, 0))
			total = x * 86400000, any = true; /* timedelta(days) */
		return any && (*ms = total, true);
	}
	if (oc008_callee_is(&p->f, n, "crontab")) /* at most once a minute */
		return *ms = 60000, true;
	if (oc008_number(p, n, &x, 0))
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
		if (oc008_number(p, oc008_kwarg(&p->f, call, keys[i]), &x, 0))
			total += x * scale[i], any = true;
	struct ast_node trigger = sflow_arg(&p->f, call, 1);
	if (!any && oc008_callee_is(&p->f, trigger, "IntervalTrigger"))
		return period(p, trigger, ms);
	return any && (*ms = total, true);
}

/* A cron trigger given as keywords: add_job(f, 'cron', second='*' + '/5') runs every 5 s,
 * minute='*' every minute; a fixed second runs once a minute at most. */
static bool cron_kwargs(struct poll *p, struct ast_node call, double *ms)
{
	char buf[32];
	bool cron = sflow_string(&p->f, oc008_kwarg(&p->f, call, "trigger"), buf, sizeof buf) &&
		    !strcmp(buf, "cron");
	for (uint32_t i = 0; !cron && i < 2; i++)
		cron = sflow_string(&p->f, sflow_arg(&p->f, call, i), buf, sizeof buf) &&
		       !strcmp(buf, "cron");
	if (!cron)
		return false;
	static const char *const keys[] = {"second", "minute"};
	static const double scale[] = {1000, 60000};
	for (int i = 0; i < 2; i++) {
		struct ast_node v = oc008_kwarg(&p->f, call, keys[i]);
		if (ast_is_null(v))
			continue;
		if (!sflow_string(&p->f, v, buf, sizeof buf) ||
		    strspn(buf, "0123456789,") == strlen(buf))
			return *ms = scale[i] * 60, true; /* fixed: once per next unit */
		if (!strcmp(buf, "*"))
			return *ms = scale[i], true;
		if (!strncmp(buf, "*/", 2) && atoi(buf + 2) > 0)
			return *ms = scale[i] * atoi(buf + 2), true;
		return false;
	}
	return *ms = 3600000, true; /* hour=...: hourly at most */
}

/* Whether the argument names the function: poll, self.poll, poll.s(ref), 'poll',
 * [$this, 'poll'], 'tasks.poll'. */
bool oc008_names_fn(const struct sflow *f, struct ast_node a, const char *fname)
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
			if (oc008_names_fn(f, ast_named_child(ast_named_child(a, i), 0), fname))
				return true;
		return false;
	}
	if (sflow_is_call(f, a)) /* poll.s(ref), poll.si() */
		return oc008_names_fn(f, ast_field(ast_field(a, "function"), "object"), fname);
	if (ast_is(a, "attribute"))
		a = ast_field(a, "attribute");
	const char *t = ast_text(f->syn, a, &len);
	return ast_is(a, "identifier") && len == n && !memcmp(t, fname, n);
}

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
			rc->found = oc008_number(rc->p, ast_named_child(e, 1), &rc->s, 0);
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
	if (oc008_callee_is(&s->p->f, n, "add_action") &&
	    oc008_names_fn(&s->p->f, sflow_arg(&s->p->f, n, 1), s->fname))
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
	if (oc008_callee_is(f, n, "wp_schedule_event") &&
	    sflow_string(f, sflow_arg(f, n, 2), buf, sizeof buf) && !strcmp(buf, s->hook) &&
	    sflow_string(f, sflow_arg(f, n, 1), buf, sizeof buf) && wp_recurrence(s->p, buf, &ms))
		schedule_set(s, "runs from WP-Cron", ms);
	if (oc008_callee_is(f, n, "as_schedule_recurring_action") &&
	    sflow_string(f, sflow_arg(f, n, 2), buf, sizeof buf) && !strcmp(buf, s->hook) &&
	    oc008_number(s->p, sflow_arg(f, n, 1), &ms, 0))
		schedule_set(s, "runs from Action Scheduler", ms * 1000);
}

/* The schedule library: schedule.every(5).seconds.do(poll). */
static void every_do(struct schedule *s, struct ast_node n)
{
	struct sflow *f = &s->p->f;
	if (f->php || !oc008_callee_is(f, n, "do") ||
	    !oc008_names_fn(f, sflow_arg(f, n, 0), s->fname))
		return;
	struct ast_node unit = ast_field(ast_field(n, "function"), "object");
	struct ast_node every = ast_field(unit, "object");
	if (!ast_is(unit, "attribute") || !oc008_callee_is(f, every, "every"))
		return;
	double count = 1;
	oc008_number(s->p, sflow_arg(f, every, 0), &count, 0);
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
	if (oc008_callee_is(f, n, "add_job") && oc008_names_fn(f, sflow_arg(f, n, 0), s->fname) &&
	    (interval_kwargs(s->p, n, &ms) || cron_kwargs(s->p, n, &ms)))
		schedule_set(s, "runs from APScheduler", ms);
	/* rq-scheduler: scheduler.schedule(scheduled_time=..., func=poll, interval=5) */
	if (oc008_callee_is(f, n, "schedule") &&
	    (oc008_names_fn(f, oc008_kwarg(f, n, "func"), s->fname) ||
	     oc008_names_fn(f, sflow_arg(f, n, 1), s->fname)) &&
	    oc008_number(s->p, oc008_kwarg(f, n, "interval"), &ms, 0))
		schedule_set(s, "runs from rq-scheduler", ms * 1000);
	/* Celery: sender.add_periodic_task(5.0, poll.s()) */
	if (oc008_callee_is(f, n, "add_periodic_task") &&
	    oc008_names_fn(f, sflow_arg(f, n, 1), s->fname) &&
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
				if (oc008_callee_is(f, call, "scheduled_job") &&
				    (interval_kwargs(s->p, call, &ms) ||
				     cron_kwargs(s->p, call, &ms)))
					schedule_set(s, "runs from APScheduler", ms);
			} else if (ast_is(deco, "attribute_list") &&
				   oc008_text_has(f, deco, "AsPeriodicTask")) {
				struct ast_node group = ast_named_child(deco, 0);
				for (uint32_t k = 0; k < ast_named_count(group); k++) {
					struct ast_node at = ast_named_child(group, k);
					struct ast_node args = ast_field(at, "parameters");
					if (ast_is_null(args))
						args = ast_named_child(at, 1);
					/* frequency: 5, or the first argument */
					struct ast_node a = ast_named_child(args, 0), freq = {0};
					for (uint32_t j = 0; j < ast_named_count(args); j++)
						if (oc008_text_has(f, ast_named_child(args, j),
								   "frequency"))
							a = ast_named_child(args, j);
					if (ast_is(a, "argument"))
						freq = ast_named_child(a, ast_named_count(a) - 1);
					if (oc008_text_has(f, at, "AsPeriodicTask") &&
					    period(s->p, freq, &ms))
						schedule_set(s, "runs from #[AsPeriodicTask]", ms);
				}
			}
		}
	}
}

void oc008_schedules_of(struct schedule *s, struct ast_node fn)
{
	decorated(s, fn);
	if (!s->fname[0])
		return;
	if (s->p->f.php)
		ast_walk(ast_root(s->p->f.syn), visit_hook, s);
	ast_walk(ast_root(s->p->f.syn), visit_schedule, s);
}

int oc008_note_schedules(struct poll *p, struct ast_node n)
{
	struct sflow *f = &p->f;
	char name[SFLOW_NAME_LEN] = "", text[SFLOW_NAME_LEN + 32];
	double ms = 0;
	bool found = false;
	if (f->php && (oc008_callee_is(f, n, "job") || oc008_callee_is(f, n, "command")) &&
	    oc008_chain_frequency(f, n, &ms)) {
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
	} else if (f->php && oc008_callee_is(f, n, "every") &&
		   oc008_text_has(f, n, "RecurringMessage") && period(p, sflow_arg(f, n, 0), &ms)) {
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
			if (!ast_is(pr, "pair") ||
			    !sflow_string(f, ast_field(pr, "key"), key, sizeof key))
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
