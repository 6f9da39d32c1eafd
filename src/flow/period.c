/* Periods: how long a wait lasts and how often a timer or a schedule runs, whatever the
 * language or the library writes them with. A number of a given unit (setInterval's ms,
 * sleep's seconds), text ("5 seconds", "1m", "PT5S"), a cron expression (5 fields from
 * minutes, 6 or 7 from seconds), a duration call of the models (timedelta(minutes=20),
 * now()->addSeconds(5), crontab(minute="*\/20")), a framework's named constant
 * (CronExpression.EVERY_5_SECONDS, MINUTE_IN_SECONDS), or the frequency chained after a
 * scheduling call ($schedule->job(...)->everyFiveSeconds()). What the row of a timer, a
 * schedule or a wait says of its period is read here, once for every language. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "flow/flow_private.h"

#define DEPTH_MAX 8

/* ---- cron ---- */

/* A field's smallest gap between two firings, in its own unit: 0 when the field holds
 * one fixed value, -1 when it is not a field (a word, a sentence). */
static int field_step(const char *f, int span)
{
	if (!*f || strspn(f, "0123456789*/,-?") != strlen(f))
		return -1;
	if (strspn(f, "0123456789") == strlen(f))
		return 0;
	const char *slash = strchr(f, '/');
	if (slash)
		return atoi(slash + 1) > 0 ? atoi(slash + 1) : 1;
	if (!strchr(f, ','))
		return 1; /* *, ?, a range */
	/* a list: the smallest gap between its values, across the wrap too */
	int vals[60], nv = 0;
	for (const char *q = f; *q && nv < 60; q++)
		if (isdigit((unsigned char)*q) && (q == f || !isdigit((unsigned char)q[-1])))
			vals[nv++] = atoi(q);
	int step = span;
	for (int a = 0; a < nv; a++)
		for (int b = 0; b < nv; b++) {
			int gap = ((vals[b] - vals[a]) % span + span) % span;
			if (gap > 0 && gap < step)
				step = gap;
		}
	return step;
}

bool flow_cron_period(const char *expr, double *ms)
{
	static const double units[] = {1000, 60000, 3600000};
	static const int spans[] = {60, 60, 24};
	char fields[7][32];
	int n = 0;
	for (const char *p = expr; *p && n < 8;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (n == 7)
			return false;
		int k = 0;
		while (*p && *p != ' ' && *p != '\t') {
			if (k < 31)
				fields[n][k++] = *p;
			p++;
		}
		fields[n++][k] = '\0';
	}
	if (n < 5)
		return false;
	int first = n == 5 ? 1 : 0; /* five fields start at minutes */
	int steps[3];
	for (int i = first; i < 3; i++)
		if ((steps[i] = field_step(fields[i - first], spans[i])) < 0)
			return false;
	for (int i = first; i < 3; i++)
		if (steps[i] > 0) {
			*ms = steps[i] * units[i];
			return true;
		}
	*ms = 86400000; /* fixed second, minute and hour: daily at most */
	return true;
}

/* ---- text ---- */

static double unit_of(const char *word, size_t len)
{
	static const struct {
		const char *word;
		double ms;
	} units[] = {{"ms", 1},
		     {"msec", 1},
		     {"millisecond", 1},
		     {"milliseconds", 1},
		     {"s", 1000},
		     {"sec", 1000},
		     {"secs", 1000},
		     {"second", 1000},
		     {"seconds", 1000},
		     {"m", 60000},
		     {"min", 60000},
		     {"mins", 60000},
		     {"minute", 60000},
		     {"minutes", 60000},
		     {"h", 3600000},
		     {"hr", 3600000},
		     {"hrs", 3600000},
		     {"hour", 3600000},
		     {"hours", 3600000},
		     {"d", 86400000},
		     {"day", 86400000},
		     {"days", 86400000},
		     {"w", 604800000},
		     {"week", 604800000},
		     {"weeks", 604800000},
		     {"month", 2592e6},
		     {"months", 2592e6}};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strlen(units[i].word) == len && !strncasecmp(word, units[i].word, len))
			return units[i].ms;
	return -1;
}

/* ISO 8601 durations: PT5S, PT1M30S, P1D. */
static bool iso_period(const char *s, double *ms)
{
	double total = 0;
	bool time = false, any = false;
	if (*s++ != 'P')
		return false;
	while (*s) {
		if (*s == 'T') {
			time = true;
			s++;
			continue;
		}
		char *end;
		double v = strtod(s, &end);
		if (end == s)
			return false;
		switch (*end) {
		case 'D':
			total += v * 86400000;
			break;
		case 'W':
			total += v * 604800000;
			break;
		case 'H':
			total += v * 3600000;
			break;
		case 'M':
			total += v * (time ? 60000 : 2592e6);
			break;
		case 'S':
			total += v * 1000;
			break;
		default:
			return false;
		}
		any = true;
		s = end + 1;
	}
	*ms = total;
	return any;
}

bool flow_period_text(const char *text, double unit_ms, double *ms)
{
	while (isspace((unsigned char)*text))
		text++;
	if (!strncasecmp(text, "every ", 6))
		text += 6;
	if (iso_period(text, ms) || flow_cron_period(text, ms))
		return true;
	char *end;
	double v = strtod(text, &end);
	if (end == text)
		v = 1, end = (char *)text; /* "minute", "every hour" */
	while (*end == ' ' || *end == '_')
		end++;
	if (!*end) {
		if (end == text)
			return false;
		*ms = v * unit_ms;
		return true;
	}
	size_t len = 0;
	while (isalpha((unsigned char)end[len]))
		len++;
	double unit = unit_of(end, len);
	const char *rest = end + len;
	while (*rest == ' ')
		rest++;
	if (unit < 0 || *rest)
		return false;
	*ms = v * unit;
	return true;
}

/* ---- expressions ---- */

static double duration_at(struct flow_query *q, int32_t file, const struct ir_node *node,
			  const struct model_row *r, int depth);

static bool duration_expr(struct flow_query *q, int32_t file, const struct ir_node *e,
			  double unit_ms, double *ms, int depth)
{
	if (!e || depth > DEPTH_MAX)
		return false;
	double v;
	if (flow_number(q, file, e, &v)) {
		*ms = v * unit_ms;
		return true;
	}
	const struct ir_node *c = e;
	while (c->kind == IR_AWAIT && c->a)
		c = c->a;
	if (c->kind == IR_CALL) {
		const struct model_row *r = model_for(q->f, file, MODEL_DURATION, c);
		if (r) {
			double d = duration_at(q, file, c, r, depth + 1);
			if (d >= 0)
				*ms = d;
			return d >= 0;
		}
	}
	char text[128];
	bool partial;
	return flow_string(q, file, e, text, sizeof text, &partial) && !partial &&
	       flow_period_text(text, unit_ms, ms);
}

bool flow_duration(struct flow_query *q, int32_t file, const struct ir_node *expr, double unit_ms,
		   double *ms)
{
	return duration_expr(q, file, expr, unit_ms, ms, 0);
}

/* A string naming a recurrence: a constant of the models ('hourly' in WordPress), or an
 * entry of a table the project defines, whose `field` holds seconds: WordPress's
 * $schedules['ocpay_5s'] = ['interval' => 5] in a cron_schedules filter. */
static bool named_entry(struct flow_query *q, int32_t file, const char *name, const char *field,
			double *ms)
{
	struct path p = {.n = 1, .rooted = true};
	p.seg[0] = name;
	const struct model_row *c =
	    model_match(q->f->models, MODEL_CONSTANT, flow_ir(q->f, file)->lang, &p);
	if (c && c->attr[MODEL_ATTR_VALUE])
		return flow_period_text(c->attr[MODEL_ATTR_VALUE], 1000, ms);
	for (size_t i = 0; i < flow_nfiles(q->f); i++) {
		const struct ir_file *ir = flow_ir(q->f, (int32_t)i);
		for (uint32_t k = 0; k < ir->nnodes; k++) {
			const struct ir_node *n = ir->nodes[k], *obj = NULL;
			if (n->kind == IR_PAIR && n->text && !strcmp(n->text, name))
				obj = n->b;
			else if (n->kind == IR_ASSIGN && n->a && n->a->kind == IR_MEMBER &&
				 n->a->text && !strcmp(n->a->text, name))
				obj = n->b;
			const struct ir_node *v =
			    obj && obj->kind == IR_OBJECT ? ir_pair_value(obj, field) : NULL;
			if (v && duration_expr(q, (int32_t)i, v, 1000, ms, DEPTH_MAX - 2))
				return true;
		}
	}
	return false;
}

/* A cron expression made of named arguments: crontab(minute="*\/20"),
 * add_job(f, "cron", second="*\/5"). */
static bool fields_period(struct flow_query *q, int32_t file, const struct ir_node *call,
			  const struct model_row *r, double *ms)
{
	char names[8][24], values[8][32];
	int n = 0, largest = -1;
	for (const char *p = r->attr[MODEL_ATTR_FIELDS]; *p && n < 7;) {
		size_t len = strcspn(p, ",");
		snprintf(names[n], sizeof names[n], "%.*s", (int)(len < 23 ? len : 23), p);
		const struct ir_node *v = ir_pair_value(call, names[n]);
		values[n][0] = '\0';
		if (v) {
			bool partial;
			if (!flow_string(q, file, v, values[n], sizeof values[n], &partial) ||
			    partial)
				return false;
			largest = n;
		}
		n++;
		p += len + (p[len] == ',');
	}
	if (largest < 0)
		return false;
	const char *fill = r->attr[MODEL_ATTR_FILL] ? r->attr[MODEL_ATTR_FILL] : "*";
	char expr[256] = "";
	size_t at = 0;
	for (int i = 0; i < n && i < 6; i++) { /* the sixth is the day of the week at most */
		const char *v = values[i][0] ? values[i] : i < largest ? fill : "*";
		at += (size_t)snprintf(expr + at, sizeof expr - at, "%s%s", i ? " " : "", v);
		if (at >= sizeof expr)
			return false;
	}
	/* five fields from minutes, six from seconds: the names say which */
	return flow_cron_period(expr, ms);
}

/* The frequency chained after a scheduling call: ->everyFiveSeconds(), ->cron('...'). */
static double chained(struct flow_query *q, int32_t file, const struct ir_node *call, int depth)
{
	for (const struct ir_node *n = call;
	     n->parent && n->parent->kind == IR_MEMBER && n->parent->a == n && n->parent->parent &&
	     n->parent->parent->kind == IR_CALL && n->parent->parent->a == n->parent;
	     n = n->parent->parent) {
		const struct ir_node *next = n->parent->parent;
		const struct model_row *r = model_for(q->f, file, MODEL_FREQUENCY, next);
		double d;
		if (r && (d = duration_at(q, file, next, r, depth + 1)) >= 0)
			return d;
	}
	return -1;
}

static double duration_at(struct flow_query *q, int32_t file, const struct ir_node *node,
			  const struct model_row *r, int depth)
{
	static const struct {
		enum model_attr attr;
		double ms;
	} units[] = {{MODEL_ATTR_MS, 1},	  {MODEL_ATTR_SECONDS, 1000},
		     {MODEL_ATTR_MINUTES, 60000}, {MODEL_ATTR_HOURS, 3600000},
		     {MODEL_ATTR_DAYS, 86400000}, {MODEL_ATTR_MICROS, 0.001},
		     {MODEL_ATTR_NANOS, 0.000001}};
	double ms, total = 0;
	bool any = false, given = false;
	if (depth > DEPTH_MAX)
		return -1;
	if (r->attr[MODEL_ATTR_EVERY])
		return flow_period_text(r->attr[MODEL_ATTR_EVERY], 1000, &ms) ? ms : -1;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		const char *spec = r->attr[units[i].attr];
		const struct ir_node *a = spec ? model_arg(node, spec) : NULL;
		if (!a)
			continue;
		given = true;
		if (!duration_expr(q, file, a, units[i].ms, &ms, depth + 1))
			return -1; /* a part is unknown: the whole is */
		total += ms;
		any = true;
	}
	if (any)
		return total;
	const struct ir_node *a;
	if (r->attr[MODEL_ATTR_PERIOD] && (a = model_arg(node, r->attr[MODEL_ATTR_PERIOD]))) {
		char text[128];
		bool partial;
		if (duration_expr(q, file, a, 1000, &ms, depth + 1))
			return ms;
		/* a recurrence's name: 'hourly', or an entry of the project's own table */
		if (r->attr[MODEL_ATTR_FIELD] &&
		    flow_string(q, file, a, text, sizeof text, &partial) && !partial &&
		    named_entry(q, file, text, r->attr[MODEL_ATTR_FIELD], &ms))
			return ms;
		given = true;
	}
	if (r->attr[MODEL_ATTR_CRON] && (a = model_arg(node, r->attr[MODEL_ATTR_CRON]))) {
		char text[128];
		bool partial;
		if (flow_string(q, file, a, text, sizeof text, &partial) && !partial &&
		    flow_cron_period(text, &ms))
			return ms;
		given = true;
	}
	if (r->attr[MODEL_ATTR_FIELDS] && node->kind == IR_CALL &&
	    fields_period(q, file, node, r, &ms))
		return ms;
	if (r->attr[MODEL_ATTR_CHAINED] && node->kind == IR_CALL &&
	    (ms = chained(q, file, node, depth)) >= 0)
		return ms;
	if (!given && r->attr[MODEL_ATTR_ABSENT] &&
	    flow_period_text(r->attr[MODEL_ATTR_ABSENT], 1000, &ms))
		return ms;
	return -1;
}

double model_duration(struct flow_query *q, int32_t file, const struct ir_node *node,
		      const struct model_row *r)
{
	return duration_at(q, file, node, r, 0);
}

const struct ir_node *model_duration_arg(const struct ir_node *node, const struct model_row *r,
					 double *unit_ms)
{
	static const struct {
		enum model_attr attr;
		double ms;
	} units[] = {{MODEL_ATTR_MS, 1},
		     {MODEL_ATTR_SECONDS, 1000},
		     {MODEL_ATTR_MINUTES, 60000},
		     {MODEL_ATTR_MICROS, 0.001},
		     {MODEL_ATTR_PERIOD, 1000}};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		const struct ir_node *a =
		    r->attr[units[i].attr] ? model_arg(node, r->attr[units[i].attr]) : NULL;
		if (a) {
			*unit_ms = units[i].ms;
			return a;
		}
	}
	return NULL;
}
