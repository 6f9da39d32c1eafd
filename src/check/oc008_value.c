/* OC008 in PHP and Python: the numbers a wait or a schedule is written with. */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/jsflow.h"
#include "check/oc008_script.h"

bool oc008_text_has(const struct sflow *f, struct ast_node n, const char *needle)
{
	size_t len;
	const char *t = ast_text(f->syn, n, &len);
	return memmem(t, len, needle, strlen(needle)) != NULL;
}

bool oc008_callee_is(const struct sflow *f, struct ast_node call, const char *name)
{
	char buf[SFLOW_NAME_LEN];
	if (!sflow_is_call(f, call))
		return false;
	sflow_callee(f, call, buf, sizeof buf);
	return !strcmp(buf, name);
}

/* A keyword argument of a Python call (seconds=5), or null. */
struct ast_node oc008_kwarg(const struct sflow *f, struct ast_node call, const char *name)
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

static bool named(const struct definition *d, struct ast_node n)
{
	size_t len;
	const char *t = ast_text(d->f->syn, n, &len);
	if (len && t[0] == '$' && d->name[0] != '$')
		t++, len--; /* a property `$interval` for `$this->interval` */
	return len == d->len && !memcmp(t, d->name, len);
}

bool oc008_visit_definition(void *ctx, struct ast_node n)
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
	ast_walk(ast_root(p->f.syn), oc008_visit_definition, &d);
	return !ast_is_null(d.value) && oc008_number(p, d.value, v, depth + 1);
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
			return oc008_number(p, sflow_arg(&p->f, n, 0), v, depth + 1);
	for (size_t i = 0; reads[i]; i++)
		if (!strcmp(name, reads[i]))
			return oc008_number(p, sflow_arg(&p->f, n, 1), v, depth + 1);
	if (!strcmp(name, "getattr")) /* getattr(settings, "OCPAY_POLL", 5) */
		return oc008_number(p, sflow_arg(&p->f, n, 2), v, depth + 1);
	return false;
}

bool oc008_number(struct poll *p, struct ast_node n, double *v, int depth)
{
	if (ast_is_null(n) || depth > 6)
		return false;
	size_t len;
	const char *t = ast_text(p->f.syn, n, &len);
	char buf[64];
	if (ast_is(n, "integer") || ast_is(n, "float"))
		return jsflow_parse_number(t, len, v);
	if (ast_is(n, "parenthesized_expression") || ast_is(n, "cast_expression"))
		return oc008_number(p, ast_named_child(n, ast_named_count(n) - 1), v, depth + 1);
	if (ast_is(n, "string") || ast_is(n, "encapsed_string"))
		return sflow_string(&p->f, n, buf, sizeof buf) && parse_text(buf, v);
	if (ast_is(n, "binary_expression") || ast_is(n, "binary_operator") ||
	    ast_is(n, "boolean_operator")) {
		struct ast_node op = ast_field(n, "operator");
		double a, b;
		bool left = oc008_number(p, ast_field(n, "left"), &a, depth + 1);
		if (ast_text_is(p->f.syn, op, "??") || ast_text_is(p->f.syn, op, "?:") ||
		    ast_text_is(p->f.syn, op, "or") || ast_text_is(p->f.syn, op, "||"))
			return left ? (*v = a, true)
				    : oc008_number(p, ast_field(n, "right"), v, depth + 1);
		if (!left || !oc008_number(p, ast_field(n, "right"), &b, depth + 1))
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
		return oc008_number(p, ast_field(n, "alternative"), v,
				    depth + 1); /* getenv() ?: 5 */
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
