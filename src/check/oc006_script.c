/* OC006 unvalidated-amount in PHP and Python: the amount handed to createLink/create_link
 * (a productInfo array or dict, CreateLinkRequest(amount: ...), amount=...) when it is a
 * literal out of 500..500000 or not an integer, a value from the request with no integer
 * and range check in its function (or a Laravel rule, pydantic or Django form bound in
 * its file), a price clamped into the range with min()/max() instead of rejected, or a
 * decimal total truncated with (int), intval(), floor() or int(). The title beside the
 * amount must be there and, when written as a literal, hold 1 to 200 characters. */
#define _GNU_SOURCE /* memmem */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/jsflow.h"
#include "check/scan.h"
#include "check/scriptflow.h"

#define AMOUNT_MIN 500
#define AMOUNT_MAX 500000

struct amount {
	struct sflow *f;
	struct ast_node found;
};

static bool key_is_amount(const struct sflow *f, struct ast_node k)
{
	char buf[16];
	if (sflow_string(f, k, buf, sizeof buf))
		return !strcmp(buf, "amount");
	return (ast_is(k, "name") || ast_is(k, "identifier")) && ast_text_is(f->syn, k, "amount");
}

static bool visit_amount(void *ctx, struct ast_node n)
{
	struct amount *a = ctx;
	if (!ast_is_null(a->found))
		return false;
	if (ast_is(n, "array_element_initializer") && ast_named_count(n) == 2 &&
	    key_is_amount(a->f, ast_named_child(n, 0)))
		a->found = ast_named_child(n, 1);
	else if (ast_is(n, "pair") && key_is_amount(a->f, ast_field(n, "key")))
		a->found = ast_field(n, "value");
	else if (ast_is(n, "keyword_argument") && key_is_amount(a->f, ast_field(n, "name")))
		a->found = ast_field(n, "value");
	else if (ast_is(n, "argument") && key_is_amount(a->f, ast_field(n, "name")))
		a->found = ast_named_child(n, ast_named_count(n) - 1); /* amount: 5000 */
	return ast_is_null(a->found);
}

static bool text_has(const struct sflow *f, struct ast_node n, const char *needle)
{
	size_t len;
	const char *t = ast_text(f->syn, n, &len);
	return memmem(t, len, needle, strlen(needle)) != NULL;
}

static bool number(const struct sflow *f, struct ast_node n, double *v)
{
	if (!ast_is(n, "integer") && !ast_is(n, "float"))
		return false;
	size_t len;
	const char *t = ast_text(f->syn, n, &len);
	return jsflow_parse_number(t, len, v);
}

static struct ast_node value_of(const struct sflow *f, struct ast_node fn, struct ast_node x,
				struct ast_node call)
{
	struct ast_node v = sflow_last_value(f, fn, x, call);
	return ast_is_null(v) ? x : v;
}

static bool callee_in(const struct sflow *f, struct ast_node n, const char *const *names)
{
	char name[SFLOW_NAME_LEN];
	if (!sflow_is_call(f, n))
		return false;
	sflow_callee(f, n, name, sizeof name);
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

static const char *const clamps[] = {"min", "max", NULL};
static const char *const truncs[] = {"intval", "floor", "int", "trunc", NULL};

/* min(max($price, 500), 500000): out-of-range prices are changed, not refused. */
static bool clamped(const struct sflow *f, struct ast_node n)
{
	return callee_in(f, n, clamps) && (text_has(f, n, "500000") || text_has(f, n, "500"));
}

static bool truncated(const struct sflow *f, struct ast_node n)
{
	if (text_has(f, n, "round("))
		return false; /* (int) round($total): rounded on purpose */
	if (ast_is(n, "cast_expression"))
		return text_has(f, ast_named_child(n, 0), "int");
	return callee_in(f, n, truncs);
}

/* An integer check and both bounds in the function, or bounds declared in the file
 * (Laravel rules, pydantic, Django forms). */
static bool validated(const struct sflow *f, struct ast_node fn)
{
	static const char *const ints[] = {
	    "is_int(",	   "is_integer", "ctype_digit", "FILTER_VALIDATE_INT",
	    "isinstance(", "'integer'",	 "\"integer\"", "|integer",
	    "integer|",	   "isdigit(",	 "conint(",	NULL};
	bool integer = false;
	for (size_t i = 0; ints[i] && !integer; i++)
		integer = text_has(f, fn, ints[i]);
	bool bounds =
	    text_has(f, fn, "500000") &&
	    (text_has(f, fn, "< 500") || text_has(f, fn, "<500") || text_has(f, fn, ">= 500") ||
	     text_has(f, fn, "between:500") || text_has(f, fn, "min:500") ||
	     text_has(f, fn, "ge=500") || text_has(f, fn, "min_value=500"));
	if (integer && bounds)
		return true;
	struct ast_node root = ast_root(f->syn);
	return (text_has(f, root, "ge=500") && text_has(f, root, "le=500000")) ||
	       (text_has(f, root, "min_value=500") && text_has(f, root, "max_value=500000")) ||
	       text_has(f, root, "between:500,500000");
}

static bool int_checked(const struct sflow *f, struct ast_node fn)
{
	return text_has(f, fn, "is_int(") || text_has(f, fn, "FILTER_VALIDATE_INT") ||
	       text_has(f, fn, "is_integer") || text_has(f, fn, "fmod(") ||
	       text_has(f, fn, "!= floor(") || text_has(f, fn, "!== floor(");
}

struct run {
	struct unit *u;
	const struct rule *r;
	struct sflow f;
	int rc;
};

/* A finding at the amount: what is wrong, the expression (shortened), and the fix. */
static void hit(struct run *run, struct ast_node at, const char *what, struct ast_node shown,
		const char *fix)
{
	size_t len;
	const char *t = ast_text(run->f.syn, shown, &len);
	char msg[320];
	snprintf(msg, sizeof msg, "%s (%.*s)%s", what, (int)(len < 60 ? len : 60), t, fix);
	run->rc = unit_add_hit(run->u, run->r, ast_start(at), ast_end(at), NULL, 0, msg, -1);
}

#define TITLE_MAX 200

/* Where the fields beside the amount are: the productInfo array or dict, or the
 * arguments of CreateLinkRequest(...) / create_link(...); null when some of them come
 * from elsewhere (a spread, **kwargs, positional arguments), so the title is unknown. */
static struct ast_node fields_of(struct ast_node amount)
{
	struct ast_node holder = ast_parent(amount);
	struct ast_node fields = ast_parent(holder);
	if (ast_is_null(fields) ||
	    !(ast_is(fields, "array_creation_expression") || ast_is(fields, "dictionary") ||
	      ast_is(fields, "argument_list") || ast_is(fields, "arguments")))
		return (struct ast_node){0};
	for (uint32_t i = 0; i < ast_named_count(fields); i++) {
		struct ast_node e = ast_named_child(fields, i);
		struct ast_node k = ast_named_count(e) ? ast_named_child(e, 0) : e;
		if (ast_is(e, "comment"))
			continue;
		if (ast_is(e, "dictionary_splat") || ast_is(e, "list_splat") ||
		    ast_is(k, "variadic_unpacking") || ast_is(e, "variadic_unpacking"))
			return (struct ast_node){0};
		/* a positional argument may be the title */
		if ((ast_is(fields, "argument_list") && !ast_is(e, "keyword_argument")) ||
		    (ast_is(fields, "arguments") && ast_is_null(ast_field(e, "name"))))
			return (struct ast_node){0};
	}
	return fields;
}

/* Whether the fields around amount are the value of a productInfo / product_info key. */
static bool in_product_info(const struct sflow *f, struct ast_node amount)
{
	struct ast_node fields = ast_parent(ast_parent(amount));
	struct ast_node holder = ast_parent(fields);
	struct ast_node k = {0};
	if (ast_is(holder, "array_element_initializer") && ast_named_count(holder) == 2)
		k = ast_named_child(holder, 0);
	else if (ast_is(holder, "pair"))
		k = ast_field(holder, "key");
	else if (ast_is(holder, "keyword_argument"))
		k = ast_field(holder, "name");
	char buf[16];
	if (ast_is_null(k))
		return false;
	if (!sflow_string(f, k, buf, sizeof buf)) {
		size_t len;
		const char *t = ast_text(f->syn, k, &len);
		snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1), t);
	}
	return !strcmp(buf, "productInfo") || !strcmp(buf, "product_info");
}

static bool key_is_title(const struct sflow *f, struct ast_node k)
{
	char buf[8];
	if (sflow_string(f, k, buf, sizeof buf))
		return !strcmp(buf, "title");
	return (ast_is(k, "name") || ast_is(k, "identifier")) && ast_text_is(f->syn, k, "title");
}

/* The title beside the amount, or null when there is none. */
static struct ast_node title_in(const struct sflow *f, struct ast_node fields)
{
	for (uint32_t i = 0; i < ast_named_count(fields); i++) {
		struct ast_node e = ast_named_child(fields, i);
		if (ast_is(e, "array_element_initializer") && ast_named_count(e) == 2 &&
		    key_is_title(f, ast_named_child(e, 0)))
			return ast_named_child(e, 1);
		if ((ast_is(e, "pair") || ast_is(e, "keyword_argument")) &&
		    key_is_title(f, ast_field(e, ast_is(e, "pair") ? "key" : "name")))
			return ast_field(e, "value");
		if (ast_is(e, "argument") && key_is_title(f, ast_field(e, "name")))
			return ast_named_child(e, ast_named_count(e) - 1);
	}
	return (struct ast_node){0};
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* OCPay requires a title of 1 to 200 characters: a link with none, an empty one or a
 * longer literal is refused at checkout. */
static void check_title(struct run *run, struct ast_node fn, struct ast_node amount,
			struct ast_node call)
{
	struct sflow *f = &run->f;
	struct ast_node fields = fields_of(amount);
	if (ast_is_null(fields))
		return;
	struct ast_node title = title_in(f, fields);
	if (ast_is_null(title)) {
		/* a body built in steps may get its title on another line */
		if (!text_has(f, fn, "title"))
			run->rc = unit_add_hit(run->u, run->r, ast_start(fields), ast_end(fields),
					       NULL, 0,
					       "createLink has no title: a title of 1 to 200 "
					       "characters is required",
					       -1);
		return;
	}
	struct ast_node v = value_of(f, fn, title, call);
	bool literal = ast_is(v, "string") || ast_is(v, "encapsed_string") ||
		       ast_is(v, "heredoc") || ast_is(v, "nowdoc");
	/* a module constant (PLAN_TITLE = "...") is followed by the evaluator */
	char *text = literal || (!f->php && ast_is(v, "identifier")) ? ast_string_value(f->syn, v)
								    : NULL;
	if (!text)
		return;
	if (literal)
		title = v; /* the literal is the line to change */
	size_t chars = utf8_chars(text);
	bool blank = strspn(text, " \t\r\n") == strlen(text);
	free(text);
	if (blank)
		run->rc = unit_add_hit(run->u, run->r, ast_start(title), ast_end(title), NULL, 0,
				       "createLink title is empty: a title of 1 to 200 characters "
				       "is required",
				       -1);
	else if (chars > TITLE_MAX) {
		char msg[160];
		snprintf(msg, sizeof msg,
			 "createLink title is %zu characters long: OCPay takes 1 to %d", chars,
			 TITLE_MAX);
		run->rc = unit_add_hit(run->u, run->r, ast_start(title), ast_end(title), NULL, 0,
				       msg, -1);
	}
}

static void check_call(struct run *run, struct ast_node call)
{
	struct sflow *f = &run->f;
	struct ast_node fn = sflow_function_of(f, call);
	struct amount a = {.f = f};
	ast_walk(call, visit_amount, &a);
	bool in_call = !ast_is_null(a.found);
	if (ast_is_null(a.found)) /* an HTTP body built before the call */
		ast_walk(fn, visit_amount, &a);
	if (ast_is_null(a.found))
		return;
	/* an amount outside the call may be another record's (Order::create(['amount' =>
	 * ...])): its title is judged only when it sits in a productInfo */
	if (in_call || in_product_info(f, a.found))
		check_title(run, fn, a.found, call);
	if (run->rc)
		return;
	struct ast_node x = a.found;
	while (ast_is(x, "parenthesized_expression"))
		x = ast_named_child(x, 0);
	struct ast_node v = value_of(f, fn, x, call);
	double num;
	if (number(f, v, &num)) {
		if (num != floor(num) || num < AMOUNT_MIN || num > AMOUNT_MAX) {
			char msg[200];
			snprintf(
			    msg, sizeof msg,
			    "amount %g is %s: OCPay takes an integer number of DZD from 500 to "
			    "500000",
			    num, num != floor(num) ? "not an integer" : "out of range");
			run->rc = unit_add_hit(run->u, run->r, ast_start(x), ast_end(x), NULL, 0,
					       msg, -1);
		}
		return;
	}
	if (sflow_from_request(f, v) && !validated(f, fn)) {
		hit(run, x, "the amount", v,
		    " comes from the request and is not checked: verify it is an integer from 500 "
		    "to 500000, or price the order on the server");
	} else if (clamped(f, v)) {
		hit(run, x, "the amount is clamped into range", v,
		    ": an out-of-range price is silently changed instead of refused; validate it "
		    "(integer, 500 to 500000) and reject the order");
	} else if (truncated(f, v) && !int_checked(f, fn)) {
		hit(run, x, "the amount is truncated", v,
		    ": a decimal total silently loses its fraction; reject amounts that are not "
		    "whole DZD, or round them on purpose");
	}
}

static bool visit_create(void *ctx, struct ast_node n)
{
	struct run *run = ctx;
	if (!run->rc && sflow_is_create(&run->f, n)) {
		check_call(run, n);
		return false;
	}
	return run->rc == 0;
}

int oc006_script_unit(struct unit *u, const struct rule *r, const struct detector *d)
{
	(void)d;
	const struct sflow *f = unit_sflow(u);
	if (!f)
		return 0;
	const struct syntax *syn = f->syn;
	struct run run = {.u = u, .r = r, .f = *f};
	ast_walk(ast_root(syn), visit_create, &run);
	return run.rc;
}
