#include "check/jsflow.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"

#define DERIVE_ROUNDS 4
#define MAX_NAMES 64

static bool is_function(struct ast_node n)
{
	static const char *const types[] = {"function_declaration", "function_expression",
					    "arrow_function",	    "method_definition",
					    "generator_function_declaration",
					    "generator_function",   "function"};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (ast_is(n, types[i]))
			return true;
	return false;
}

struct ast_node jsflow_function_of(struct ast_node n)
{
	struct ast_node p = ast_parent(n);
	while (!ast_is_null(p) && !is_function(p)) {
		n = p;
		p = ast_parent(p);
	}
	return ast_is_null(p) ? n : p;
}

bool jsflow_within(struct ast_node n, struct ast_node ancestor)
{
	return ast_start(n) >= ast_start(ancestor) && ast_end(n) <= ast_end(ancestor);
}

static void copy_text(const struct syntax *syn, struct ast_node n, char *buf, size_t size)
{
	size_t len;
	const char *t = ast_is_null(n) ? "" : ast_text(syn, n, &len);
	if (ast_is_null(n))
		len = 0;
	snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), t);
}

void jsflow_function_name(const struct syntax *syn, struct ast_node fn, char *buf, size_t size)
{
	buf[0] = '\0';
	struct ast_node name = ast_field(fn, "name");
	if (ast_is_null(name)) {
		struct ast_node p = ast_parent(fn);
		if (ast_is(p, "variable_declarator"))
			name = ast_field(p, "name");
		else if (ast_is(p, "pair"))
			name = ast_field(p, "key");
		else if (ast_is(p, "assignment_expression"))
			name = ast_field(ast_field(p, "left"), "property");
	}
	if (!ast_is_null(name) && (ast_is(name, "identifier") || ast_is(name, "property_identifier")))
		copy_text(syn, name, buf, size);
}

void jsflow_callee_name(const struct syntax *syn, struct ast_node call, char *buf, size_t size)
{
	struct ast_node f = ast_field(call, "function");
	if (ast_is(f, "member_expression"))
		f = ast_field(f, "property");
	buf[0] = '\0';
	if (ast_is(f, "identifier") || ast_is(f, "property_identifier"))
		copy_text(syn, f, buf, size);
}

bool jsflow_mentions(const char *text, size_t len, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; n && i + n <= len; i++) {
		if (memcmp(text + i, name, n) != 0)
			continue;
		/* A property (`x.status`) is not the variable `status`. */
		bool before = i > 0 && (isalnum((unsigned char)text[i - 1]) || text[i - 1] == '_' ||
					text[i - 1] == '$' || text[i - 1] == '.');
		bool after = i + n < len && (isalnum((unsigned char)text[i + n]) ||
					     text[i + n] == '_' || text[i + n] == '$');
		if (!before && !after)
			return true;
	}
	return false;
}

struct mention {
	const struct syntax *syn;
	char *const *names;
	size_t count;
	bool found;
};

/* A variable is read where an identifier names it, or a shorthand { name }; a key
 * (`{ data: ... }`), a property (`x.data`) or a word in a string is not the variable. */
static bool visit_mention(void *ctx, struct ast_node n)
{
	struct mention *m = ctx;
	if (m->found)
		return false;
	if (!ast_is(n, "identifier") && !ast_is(n, "shorthand_property_identifier") &&
	    !ast_is(n, "shorthand_property_identifier_pattern"))
		return true;
	for (size_t i = 0; i < m->count && !m->found; i++)
		m->found = !strchr(m->names[i], '.') && ast_text_is(m->syn, n, m->names[i]);
	return true;
}

bool jsflow_node_mentions(const struct syntax *syn, struct ast_node n, char *const *names,
			  size_t count)
{
	size_t len;
	const char *t = ast_text(syn, n, &len);
	/* this.link: a member expression, matched in the text */
	for (size_t i = 0; i < count; i++)
		if (strchr(names[i], '.') && jsflow_mentions(t, len, names[i]))
			return true;
	struct mention m = {syn, names, count, false};
	ast_walk(n, visit_mention, &m);
	return m.found;
}

static const char *const request_sources[] = {
	"req.query", "req.body", "req.params", "request.query", "request.body", "request.params",
	"searchParams", "event.body", "event.queryStringParameters", "ctx.query", "ctx.request",
	"ctx.params", "router.query", "location.search", "request.json()", "req.json()",
	"formData", "@Query", "@Body", "@Param", "nextUrl",
};

static bool text_from_request(const char *t, size_t len)
{
	for (size_t i = 0; i < sizeof request_sources / sizeof request_sources[0]; i++) {
		size_t n = strlen(request_sources[i]);
		for (size_t k = 0; k + n <= len; k++)
			if (!memcmp(t + k, request_sources[i], n))
				return true;
	}
	return false;
}

struct decl_search {
	const struct syntax *syn;
	const char *name;
	size_t n;
	struct ast_node value;
	struct ast_node scope;
	bool top_only; /* module scope: do not look inside functions */
};

static bool visit_decl(void *ctx, struct ast_node node)
{
	struct decl_search *d = ctx;
	if (!ast_is_null(d->value))
		return false;
	if (d->top_only && is_function(node) && ast_start(node) != ast_start(d->scope))
		return false;
	if (!ast_is(node, "variable_declarator"))
		return true;
	struct ast_node lhs = ast_field(node, "name");
	size_t len;
	const char *t = ast_text(d->syn, lhs, &len);
	if ((ast_is(lhs, "identifier") && len == d->n && !memcmp(t, d->name, d->n)) ||
	    ((ast_is(lhs, "object_pattern") || ast_is(lhs, "array_pattern")) &&
	     jsflow_mentions(t, len, d->name))) {
		d->value = ast_field(node, "value");
		return false;
	}
	return true;
}

struct ast_node jsflow_declared_value(const struct syntax *syn, struct ast_node scope,
				      const char *name, size_t n)
{
	char buf[128];
	if (n >= sizeof buf)
		return (struct ast_node){0};
	memcpy(buf, name, n); /* jsflow_mentions wants a terminated name */
	buf[n] = '\0';
	struct decl_search d = {.syn = syn, .name = buf, .n = n, .scope = scope,
				.top_only = ast_is(scope, "program")};
	ast_walk(scope, visit_decl, &d);
	return d.value;
}

struct mask {
	const struct syntax *syn;
	char *text;
	uint32_t base;
};

static bool visit_mask(void *ctx, struct ast_node n)
{
	struct mask *m = ctx;
	if (!ast_is(n, "subscript_expression"))
		return true;
	size_t olen;
	const char *obj = ast_text(m->syn, ast_field(n, "object"), &olen);
	struct ast_node index = ast_field(n, "index");
	if (ast_is_null(index) || text_from_request(obj, olen) || ast_is(index, "string") ||
	    ast_is(index, "number"))
		return true;
	memset(m->text + (ast_start(index) - m->base), ' ', ast_end(index) - ast_start(index));
	return true;
}

/* A copy of n's text where the index of a lookup in server data is blanked out:
 * PRICES[req.body.plan] is a server price the client only picks, not a client amount.
 * An index into the request itself (req.body[field]) is kept. */
static char *masked_text(const struct syntax *syn, struct ast_node n, size_t *len)
{
	const char *t = ast_text(syn, n, len);
	char *copy = strndup(t, *len);
	if (!copy)
		return NULL;
	struct mask m = {syn, copy, ast_start(n)};
	ast_walk(n, visit_mask, &m);
	return copy;
}

static struct ast_node unwrap(struct ast_node v)
{
	while (ast_is(v, "await_expression") || ast_is(v, "parenthesized_expression") ||
	       ast_is(v, "as_expression") || ast_is(v, "non_null_expression") ||
	       ast_is(v, "satisfies_expression"))
		v = ast_named_child(v, 0);
	return v;
}

/* Whether v is the request's data itself, whose fields the client writes: req.body,
 * JSON.parse(event.body), await request.formData(), await req.json(),
 * new URLSearchParams(event.body) — not a lookup made with a request value
 * (db.order.findUnique({ where: { id: req.body.id } }) is the server's order). */
static bool is_request_data(const struct syntax *syn, struct ast_node v)
{
	static const char *const parsers[] = {"parse",	     "formData",	"json", "text",
					      "fromEntries", "URLSearchParams", NULL};
	v = unwrap(v);
	if (ast_is(v, "required_parameter") || ast_is(v, "optional_parameter")) {
		/* @Body() dto, @Query() query: the decorator, not the type, decides */
		size_t len;
		const char *t = ast_text(syn, ast_named_child(v, 0), &len);
		return text_from_request(t, len);
	}
	if (!ast_is(v, "member_expression") && !ast_is(v, "subscript_expression") &&
	    !ast_is(v, "call_expression") && !ast_is(v, "new_expression"))
		return false;
	size_t len;
	char *t = masked_text(syn, v, &len);
	bool request = t && text_from_request(t, len);
	free(t);
	if (!request || ast_is(v, "member_expression") || ast_is(v, "subscript_expression"))
		return request;
	char callee[64] = "";
	if (ast_is(v, "call_expression")) {
		/* (await fetch(url)).json() is another server's answer */
		struct ast_node fn = ast_field(v, "function");
		struct ast_node obj = unwrap(ast_field(fn, "object"));
		if (ast_is(fn, "member_expression") && !ast_is(obj, "identifier") &&
		    !ast_is(obj, "member_expression"))
			return false;
		jsflow_callee_name(syn, v, callee, sizeof callee);
	} else {
		struct ast_node ctor = ast_field(v, "constructor");
		copy_text(syn, ctor, callee, sizeof callee);
	}
	for (size_t i = 0; parsers[i]; i++)
		if (!strcmp(callee, parsers[i]))
			return true;
	return false;
}

static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$';
}

/* The next identifier-like word of t at or after *i: [*start, *i). False at the end. */
static bool next_name(const char *t, size_t len, size_t *i, size_t *start)
{
	while (*i < len && !(isalpha((unsigned char)t[*i]) || t[*i] == '_' || t[*i] == '$'))
		(*i)++;
	*start = *i;
	while (*i < len && is_name_char(t[*i]))
		(*i)++;
	return *i > *start;
}

/* A decorated parameter of fn or of a function around it called name: NestJS's
 * `@Body() dto: CreatePaymentDto`, whose decorator says where the value comes from. */
static struct ast_node decorated_parameter(const struct syntax *syn, struct ast_node fn,
					   const char *name, size_t len)
{
	for (; is_function(fn); fn = jsflow_function_of(fn)) {
		struct ast_node params = ast_field(fn, "parameters");
		for (uint32_t i = 0; i < ast_named_count(params); i++) {
			struct ast_node p = ast_named_child(params, i);
			size_t plen;
			const char *pt = ast_text(syn, ast_field(p, "pattern"), &plen);
			if (plen == len && !memcmp(pt, name, len) &&
			    ast_is(ast_named_child(p, 0), "decorator"))
				return p;
		}
	}
	return (struct ast_node){0};
}

/* The value name is declared with in n's function, else at module scope, else the
 * decorated parameter that binds it. */
static struct ast_node value_of(const struct syntax *syn, struct ast_node n, const char *name,
				size_t len)
{
	struct ast_node fn = jsflow_function_of(n);
	struct ast_node v = jsflow_declared_value(syn, fn, name, len);
	if (ast_is_null(v))
		v = jsflow_declared_value(syn, ast_root(syn), name, len);
	return ast_is_null(v) ? decorated_parameter(syn, fn, name, len) : v;
}

/* Whether t (the text of n) names a local that holds the request's data and reads a
 * field of it: body.amount after body = JSON.parse(event.body), form.get("amount")
 * after form = await request.formData(). */
static bool reads_request_data(const struct syntax *syn, struct ast_node n, const char *t,
			       size_t len)
{
	for (size_t i = 0, s; next_name(t, len, &i, &s);) {
		if ((s > 0 && t[s - 1] == '.') || i >= len || (t[i] != '.' && t[i] != '['))
			continue;
		struct ast_node v = value_of(syn, n, t + s, i - s);
		if (!ast_is_null(v) && is_request_data(syn, v))
			return true;
	}
	return false;
}

static bool text_from_request_at(const struct syntax *syn, struct ast_node n)
{
	size_t len;
	char *t = masked_text(syn, n, &len);
	bool yes = t && (text_from_request(t, len) || reads_request_data(syn, n, t, len));
	free(t);
	return yes;
}

bool jsflow_from_request(const struct syntax *syn, struct ast_node n)
{
	if (text_from_request_at(syn, n))
		return true;
	size_t len;
	char *t = masked_text(syn, n, &len);
	if (!t)
		return false;
	/* One step back through a local: `const { status } = req.query; status === ...` */
	bool yes = false;
	for (size_t i = 0, s; !yes && next_name(t, len, &i, &s);) {
		/* Only a name used on its own: `order.paymentRef` is the order's saved ref even
		 * when the order was looked up by an id from the request. */
		if ((s > 0 && t[s - 1] == '.') || (i < len && (t[i] == '.' || t[i] == '[')))
			continue;
		struct ast_node v = value_of(syn, n, t + s, i - s);
		yes = !ast_is_null(v) && text_from_request_at(syn, v);
	}
	free(t);
	return yes;
}

bool jsflow_is_status(const struct syntax *syn, struct ast_node n, const char *status)
{
	size_t len, sl = strlen(status);
	const char *t = ast_text(syn, n, &len);
	if (ast_is(n, "string"))
		return len == sl + 2 && !memcmp(t + 1, status, sl);
	return ast_is(n, "member_expression") && len > sl + 1 && t[len - sl - 1] == '.' &&
	       !memcmp(t + len - sl, status, sl);
}

/* Whether name, in fn, is declared or assigned from a call to a function that checks:
 * `status = await getPaymentStatus(order.paymentRef)`. */
struct checked_name {
	const struct jsflow *f;
	const char *name;
	size_t len;
	bool yes;
};

static bool is_checker_call(const struct jsflow *f, struct ast_node v)
{
	v = unwrap(v);
	if (!ast_is(v, "call_expression"))
		return false;
	char callee[128];
	jsflow_callee_name(f->syn, v, callee, sizeof callee);
	for (size_t i = 0; callee[0] && i < f->ncheckers; i++)
		if (!strcmp(callee, f->checker_names[i]))
			return true;
	return false;
}

static bool visit_checked_name(void *ctx, struct ast_node n)
{
	struct checked_name *c = ctx;
	if (c->yes)
		return false;
	struct ast_node target, value;
	if (ast_is(n, "variable_declarator"))
		target = ast_field(n, "name"), value = ast_field(n, "value");
	else if (ast_is(n, "assignment_expression"))
		target = ast_field(n, "left"), value = ast_field(n, "right");
	else
		return true;
	size_t len;
	const char *t = ast_text(c->f->syn, target, &len);
	bool named = ast_is(target, "identifier")
			 ? len == c->len && !memcmp(t, c->name, len)
			 : (ast_is(target, "object_pattern") || ast_is(target, "array_pattern")) &&
			       jsflow_mentions(t, len, c->name);
	if (named && !ast_is_null(value) && is_checker_call(c->f, value))
		c->yes = true;
	return true;
}

static bool holds_checker_result(const struct jsflow *f, struct ast_node n, struct ast_node fn)
{
	size_t len;
	const char *t = ast_text(f->syn, n, &len);
	char name[128];
	for (size_t i = 0, s; next_name(t, len, &i, &s);) {
		if ((s > 0 && t[s - 1] == '.') || i - s >= sizeof name)
			continue;
		memcpy(name, t + s, i - s);
		name[i - s] = '\0';
		struct checked_name c = {f, name, i - s, false};
		ast_walk(fn, visit_checked_name, &c);
		if (c.yes)
			return true;
	}
	return false;
}

bool jsflow_from_check(const struct jsflow *f, struct ast_node n, struct ast_node fn)
{
	for (size_t i = 0; i < f->ncalls; i++) {
		const struct api_call *c = &f->calls[i];
		if (c->kind != API_CHECK_PAYMENT)
			continue;
		if (jsflow_within(c->call, n))
			return true;
		if (ast_start(c->func) == ast_start(fn) && ast_end(c->func) == ast_end(fn) &&
		    jsflow_node_mentions(f->syn, n, c->names, c->nnames))
			return true;
	}
	return jsflow_node_mentions(f->syn, n, f->checker_names, f->ncheckers) ||
	       holds_checker_result(f, n, fn);
}

/* Whether a declared value is bound by `const`. */
static bool is_const(struct ast_node value)
{
	struct ast_node decl = ast_parent(ast_parent(value));
	return ast_is(decl, "lexical_declaration") && ast_count(decl) > 0 &&
	       ast_is(ast_child(decl, 0), "const");
}

bool jsflow_parse_number(const char *t, size_t len, double *out)
{
	char buf[64];
	size_t k = 0;
	for (size_t i = 0; i < len && k + 1 < sizeof buf; i++)
		if (t[i] != '_')
			buf[k++] = t[i];
	buf[k] = '\0';
	char *end;
	*out = strtod(buf, &end);
	return end != buf;
}

bool jsflow_number(const struct syntax *syn, struct ast_node n, double *out)
{
	size_t len;
	const char *t = ast_text(syn, n, &len);
	if (ast_is(n, "number"))
		return jsflow_parse_number(t, len, out);
	if (ast_is(n, "parenthesized_expression"))
		return jsflow_number(syn, ast_named_child(n, 0), out);
	if (ast_is(n, "binary_expression")) {
		double a, b;
		if (!jsflow_number(syn, ast_field(n, "left"), &a) ||
		    !jsflow_number(syn, ast_field(n, "right"), &b))
			return false;
		struct ast_node op = ast_field(n, "operator");
		if (ast_text_is(syn, op, "*"))
			*out = a * b;
		else if (ast_text_is(syn, op, "+"))
			*out = a + b;
		else if (ast_text_is(syn, op, "-"))
			*out = a - b;
		else if (ast_text_is(syn, op, "/") && b != 0)
			*out = a / b;
		else
			return false;
		return true;
	}
	if (ast_is(n, "identifier") || ast_is(n, "shorthand_property_identifier")) {
		/* a local only when `const`: `let amount = 0` is set again further on */
		struct ast_node fn = jsflow_function_of(n), v = {0};
		if (is_function(fn))
			v = jsflow_declared_value(syn, fn, t, len);
		if (!ast_is_null(v) && !is_const(v))
			return false;
		if (ast_is_null(v))
			v = jsflow_declared_value(syn, ast_root(syn), t, len);
		return !ast_is_null(v) && !ast_is(v, "identifier") && jsflow_number(syn, v, out);
	}
	return false;
}

/* ---- finding the API calls ---- */

/* The endpoint as a URL path segment: "/v3/ocpay/createLink", `${base}/checkPayment/${ref}`,
 * 'createLink' — not a word in a message such as "createLink failed". */
static bool names_endpoint(const char *t, size_t len, const char *endpoint)
{
	size_t n = strlen(endpoint);
	for (size_t i = 0; n && i + n <= len; i++) {
		if (memcmp(t + i, endpoint, n) != 0)
			continue;
		char before = i > 0 ? t[i - 1] : '"';
		char after = i + n < len ? t[i + n] : '"';
		if (strchr("/\"'`", before) && strchr("\"'`/?#", after))
			return true;
	}
	return false;
}

static bool arg_names_endpoint(const struct syntax *syn, struct ast_node arg, const char *endpoint)
{
	size_t len;
	const char *t = ast_text(syn, arg, &len);
	if ((ast_is(arg, "string") || ast_is(arg, "template_string") ||
	     ast_is(arg, "binary_expression")) &&
	    names_endpoint(t, len, endpoint))
		return true;
	if (ast_is(arg, "identifier")) {
		char *v = ast_string_value(syn, arg);
		bool hit = v && names_endpoint(v, strlen(v), endpoint);
		free(v);
		return hit;
	}
	return false;
}

static int add_name(struct api_call *c, const char *name, size_t n)
{
	if (!n || c->nnames >= MAX_NAMES)
		return 0;
	for (size_t i = 0; i < c->nnames; i++)
		if (strlen(c->names[i]) == n && !memcmp(c->names[i], name, n))
			return 0;
	char **p = realloc(c->names, (c->nnames + 1) * sizeof *p);
	if (!p || !(p[c->nnames] = strndup(name, n))) {
		if (p)
			c->names = p;
		return error_set("out of memory");
	}
	c->names = p;
	c->nnames++;
	return 0;
}

/* Every identifier bound by a declarator's left side: x, { a, b: c }, [d, e]. */
static int add_pattern(const struct syntax *syn, struct api_call *c, struct ast_node lhs)
{
	if (ast_is(lhs, "identifier") || ast_is(lhs, "shorthand_property_identifier_pattern")) {
		size_t len;
		const char *t = ast_text(syn, lhs, &len);
		return add_name(c, t, len);
	}
	if (ast_is(lhs, "member_expression")) { /* this.link = await ... */
		size_t len;
		const char *t = ast_text(syn, lhs, &len);
		return add_name(c, t, len);
	}
	int rc = 0;
	if (ast_is(lhs, "pair_pattern"))
		return add_pattern(syn, c, ast_field(lhs, "value"));
	for (uint32_t i = 0; !rc && i < ast_named_count(lhs); i++)
		if (ast_is(lhs, "object_pattern") || ast_is(lhs, "array_pattern") ||
		    ast_is(lhs, "assignment_pattern"))
			rc = add_pattern(syn, c, ast_named_child(lhs, i));
	return rc;
}

/* Where the call's value lands: through await, parentheses, `.data`, `.then(...)`. */
static struct ast_node result_target(struct ast_node call)
{
	struct ast_node n = call, p = ast_parent(call);
	while (ast_is(p, "await_expression") || ast_is(p, "parenthesized_expression") ||
	       ast_is(p, "as_expression") || ast_is(p, "non_null_expression") ||
	       (ast_is(p, "member_expression") && ast_start(ast_field(p, "object")) == ast_start(n)) ||
	       (ast_is(p, "call_expression") && ast_start(ast_field(p, "function")) == ast_start(n))) {
		n = p;
		p = ast_parent(p);
	}
	if (ast_is(p, "variable_declarator"))
		return ast_field(p, "name");
	if (ast_is(p, "assignment_expression"))
		return ast_field(p, "left");
	return (struct ast_node){0};
}

struct derive {
	const struct syntax *syn;
	struct api_call *c;
	int rc;
};

static bool visit_derive(void *ctx, struct ast_node d)
{
	struct derive *dv = ctx;
	if (dv->rc)
		return false;
	if (ast_is(d, "variable_declarator")) {
		struct ast_node v = ast_field(d, "value");
		if (!ast_is_null(v) && jsflow_node_mentions(dv->syn, v, dv->c->names, dv->c->nnames))
			dv->rc = add_pattern(dv->syn, dv->c, ast_field(d, "name"));
	}
	return true;
}

struct collect {
	struct jsflow *f;
	int rc;
};

static bool visit_call(void *ctx, struct ast_node n)
{
	struct collect *col = ctx;
	if (col->rc || !ast_is(n, "call_expression"))
		return !col->rc;
	const struct syntax *syn = col->f->syn;
	char callee[64];
	jsflow_callee_name(syn, n, callee, sizeof callee);
	struct ast_node fn = ast_field(n, "function");
	struct ast_node args = ast_field(n, "arguments");
	struct api_call c = {0};
	bool found = false;
	if (ast_is(fn, "member_expression") &&
	    (!strcmp(callee, "createLink") || !strcmp(callee, "checkPayment"))) {
		c.kind = !strcmp(callee, "createLink") ? API_CREATE_LINK : API_CHECK_PAYMENT;
		c.sdk = found = true;
		c.arg = ast_named_child(args, 0);
	} else {
		for (uint32_t i = 0; i < 2 && i < ast_named_count(args) && !found; i++) {
			struct ast_node a = ast_named_child(args, i);
			if (arg_names_endpoint(syn, a, "createLink"))
				c.kind = API_CREATE_LINK, found = true, c.arg = a;
			else if (arg_names_endpoint(syn, a, "checkPayment"))
				c.kind = API_CHECK_PAYMENT, found = true, c.arg = a;
		}
	}
	if (!found)
		return true;
	c.call = n;
	c.func = jsflow_function_of(n);
	struct ast_node target = result_target(n);
	if (!ast_is_null(target))
		col->rc = add_pattern(syn, &c, target);
	/* Names derived from the result: `const data = await response.json()`. */
	for (int round = 0; !col->rc && round < DERIVE_ROUNDS && c.nnames; round++) {
		size_t before = c.nnames;
		struct derive dv = {syn, &c, 0};
		ast_walk(c.func, visit_derive, &dv);
		col->rc = dv.rc;
		if (c.nnames == before)
			break;
	}
	struct api_call *p = realloc(col->f->calls, (col->f->ncalls + 1) * sizeof *p);
	if (!p) {
		col->rc = error_set("out of memory");
		return false;
	}
	col->f->calls = p;
	p[col->f->ncalls++] = c;
	return true;
}

int jsflow_build(struct jsflow *out, const struct syntax *syn)
{
	memset(out, 0, sizeof *out);
	out->syn = syn;
	struct collect col = {out, 0};
	ast_walk(ast_root(syn), visit_call, &col);
	for (size_t i = 0; !col.rc && i < out->ncalls; i++) {
		if (out->calls[i].kind != API_CHECK_PAYMENT)
			continue;
		char name[128];
		jsflow_function_name(syn, out->calls[i].func, name, sizeof name);
		if (!name[0])
			continue;
		char **p = realloc(out->checker_names, (out->ncheckers + 1) * sizeof *p);
		struct ast_node *q = realloc(out->checkers, (out->ncheckers + 1) * sizeof *q);
		if (p)
			out->checker_names = p;
		if (q)
			out->checkers = q;
		if (!p || !q || !(p[out->ncheckers] = strdup(name))) {
			col.rc = error_set("out of memory");
			break;
		}
		q[out->ncheckers++] = out->calls[i].func;
	}
	return col.rc;
}

int jsflow_add_checker(struct jsflow *f, const char *name)
{
	char **p = realloc(f->checker_names, (f->ncheckers + 1) * sizeof *p);
	struct ast_node *q = realloc(f->checkers, (f->ncheckers + 1) * sizeof *q);
	if (p)
		f->checker_names = p;
	if (q)
		f->checkers = q;
	if (!p || !q || !(p[f->ncheckers] = strdup(name)))
		return error_set("out of memory");
	q[f->ncheckers++] = (struct ast_node){0};
	return 0;
}

struct def_search {
	const struct syntax *syn;
	const char *name;
	struct ast_node found;
};

static bool visit_definition(void *ctx, struct ast_node n)
{
	struct def_search *d = ctx;
	if (!ast_is_null(d->found))
		return false;
	if (ast_is(n, "class_declaration")) {
		if (ast_text_is(d->syn, ast_field(n, "name"), d->name))
			d->found = n;
		return true;
	}
	if (!is_function(n))
		return true;
	char name[128];
	jsflow_function_name(d->syn, n, name, sizeof name);
	if (!strcmp(d->name, "default") ? jsflow_is_default_export(d->syn, n)
					: name[0] && !strcmp(name, d->name))
		d->found = n;
	return true;
}

struct ast_node jsflow_find_definition(const struct syntax *syn, const char *name)
{
	struct def_search d = {.syn = syn, .name = name};
	if (name[0])
		ast_walk(ast_root(syn), visit_definition, &d);
	return d.found;
}

bool jsflow_is_default_export(const struct syntax *syn, struct ast_node fn)
{
	(void)syn;
	struct ast_node p = ast_parent(fn);
	return ast_is(p, "export_statement") && ast_count(p) > 1 &&
	       ast_is(ast_child(p, 1), "default");
}

void jsflow_free(struct jsflow *f)
{
	for (size_t i = 0; i < f->ncalls; i++) {
		for (size_t k = 0; k < f->calls[i].nnames; k++)
			free(f->calls[i].names[k]);
		free(f->calls[i].names);
	}
	free(f->calls);
	for (size_t i = 0; i < f->ncheckers; i++)
		free(f->checker_names[i]);
	free(f->checker_names);
	free(f->checkers);
	memset(f, 0, sizeof *f);
}

static const char *const status_props[] = {"status", "paymentStatus", "payment_status",
					   "orderStatus", "order_status", "state", NULL};
static const char *const status_writes[] = {
	"update", "updateOne", "updateMany", "findOneAndUpdate", "findByIdAndUpdate", "upsert",
	"save", "set", "patch", "modify", "updateOrder", "updateStatus", NULL};

static bool name_in(const char *name, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcmp(name, list[i]))
			return true;
	return false;
}

/* An identifier or a quoted key named one of names. */
static bool is_named(const struct syntax *syn, struct ast_node n, const char *const *names)
{
	char buf[64];
	size_t len;
	const char *t = ast_text(syn, n, &len);
	snprintf(buf, sizeof buf, "%.*s", (int)len, t);
	if (ast_is(n, "string") && len >= 2)
		snprintf(buf, sizeof buf, "%.*s", (int)len - 2, t + 1);
	return name_in(buf, names);
}

bool jsflow_string_in(const struct syntax *syn, struct ast_node n, const char *const *values)
{
	if (!ast_is(n, "string"))
		return false;
	size_t len;
	const char *t = ast_text(syn, n, &len);
	for (size_t i = 0; values[i]; i++)
		if (len == strlen(values[i]) + 2 && !strncasecmp(t + 1, values[i], len - 2))
			return true;
	return false;
}

struct ast_node jsflow_status_write(const struct syntax *syn, struct ast_node n)
{
	struct ast_node none = {0};
	if (ast_is(n, "assignment_expression")) {
		struct ast_node l = ast_field(n, "left");
		bool status = ast_is(l, "member_expression") &&
			      is_named(syn, ast_field(l, "property"), status_props);
		return status ? ast_field(n, "right") : none;
	}
	if (!ast_is(n, "pair") || !is_named(syn, ast_field(n, "key"), status_props))
		return none;
	struct ast_node call = ast_parent(n);
	while (!ast_is_null(call) && !ast_is(call, "call_expression") &&
	       !ast_is(call, "statement_block"))
		call = ast_parent(call);
	char callee[64] = "";
	if (ast_is(call, "call_expression"))
		jsflow_callee_name(syn, call, callee, sizeof callee);
	return name_in(callee, status_writes) ? ast_field(n, "value") : none;
}
