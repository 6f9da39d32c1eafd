#define _GNU_SOURCE /* memmem, memrchr */
#include "check/scriptflow.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_any(struct ast_node n, const char *const *types)
{
	for (size_t i = 0; types[i]; i++)
		if (ast_is(n, types[i]))
			return true;
	return false;
}

static const char *const php_functions[] = {"function_definition", "method_declaration",
					    "anonymous_function", "arrow_function", NULL};
static const char *const py_functions[] = {"function_definition", "lambda", NULL};
static const char *const php_calls[] = {"function_call_expression", "member_call_expression",
					"nullsafe_member_call_expression", "scoped_call_expression",
					NULL};

static bool is_function(const struct sflow *f, struct ast_node n)
{
	return is_any(n, f->php ? php_functions : py_functions);
}

static bool names_has(const struct sflow_names *ns, const char *s, size_t len)
{
	for (size_t i = 0; i < ns->n; i++)
		if (strlen(ns->name[i]) == len && !memcmp(ns->name[i], s, len))
			return true;
	return false;
}

static void names_add(struct sflow_names *ns, const char *s, size_t len)
{
	if (!len || len >= SFLOW_NAME_LEN || ns->n == SFLOW_NAMES || names_has(ns, s, len))
		return;
	memcpy(ns->name[ns->n], s, len);
	ns->name[ns->n++][len] = '\0';
}

bool sflow_is_call(const struct sflow *f, struct ast_node n)
{
	return f->php ? is_any(n, php_calls) : ast_is(n, "call");
}

void sflow_callee(const struct sflow *f, struct ast_node call, char *buf, size_t size)
{
	struct ast_node name = {0};
	if (f->php) {
		name = ast_is(call, "function_call_expression") ? ast_field(call, "function")
								: ast_field(call, "name");
	} else {
		name = ast_field(call, "function");
		if (ast_is(name, "attribute"))
			name = ast_field(name, "attribute");
	}
	size_t len = 0;
	const char *t = ast_is_null(name) ? "" : ast_text(f->syn, name, &len);
	const char *slash = memrchr(t, '\\', len); /* \OneClickDz\checkPayment */
	if (slash) {
		len -= (size_t)(slash + 1 - t);
		t = slash + 1;
	}
	snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), t);
	if (!ast_is(name, "name") && !ast_is(name, "identifier") && !ast_is(name, "qualified_name"))
		buf[0] = '\0'; /* $obj->$method(): not a name */
}

struct ast_node sflow_arg(const struct sflow *f, struct ast_node call, uint32_t i)
{
	struct ast_node args = ast_field(call, "arguments");
	uint32_t k = 0;
	for (uint32_t j = 0; j < ast_named_count(args); j++) {
		struct ast_node a = ast_named_child(args, j);
		if (f->php) {
			if (!ast_is(a, "argument"))
				continue;
			if (k++ == i)
				return ast_named_child(a, ast_named_count(a) - 1);
		} else if (!ast_is(a, "keyword_argument") && !ast_is(a, "comment") && k++ == i) {
			return a;
		}
	}
	return (struct ast_node){0};
}

static bool text_has(const struct sflow *f, struct ast_node n, const char *needle)
{
	size_t len;
	const char *t = ast_text(f->syn, n, &len);
	return memmem(t, len, needle, strlen(needle)) != NULL;
}

static bool callee_is(const struct sflow *f, struct ast_node call, const char *a, const char *b)
{
	char name[SFLOW_NAME_LEN];
	sflow_callee(f, call, name, sizeof name);
	return !strcmp(name, a) || !strcmp(name, b);
}

struct assigned {
	const struct sflow *f;
	struct ast_node name, before, value;
};

static bool visit_assigned(void *ctx, struct ast_node n)
{
	struct assigned *as = ctx;
	if (ast_start(n) >= ast_start(as->before))
		return false;
	if (ast_is(n, as->f->php ? "assignment_expression" : "assignment")) {
		size_t a, b;
		const char *x = ast_text(as->f->syn, ast_field(n, "left"), &a);
		const char *y = ast_text(as->f->syn, as->name, &b);
		if (a == b && !memcmp(x, y, a))
			as->value = ast_field(n, "right");
	}
	return true;
}

/* The value last given to the local `name` ($x = ..., x = ...) before `before`, in fn;
 * null when none. */
static struct ast_node last_value(const struct sflow *f, struct ast_node fn, struct ast_node name,
				  struct ast_node before)
{
	struct assigned as = {.f = f, .name = name, .before = before};
	if (ast_is(name, "variable_name") || ast_is(name, "identifier"))
		ast_walk(fn, visit_assigned, &as);
	return as.value;
}

/* The value last assigned to the variable `use` reads, before it, in its function
 * ($url = API . '/checkPayment/' . $ref; wp_remote_get($url)): PHP and Python
 * variables belong to their function, so another function's $url says nothing. */
static struct ast_node local_value(const struct sflow *f, struct ast_node use)
{
	struct ast_node fn = sflow_function_of(f, use);
	return is_function(f, fn) ? last_value(f, fn, use, use) : (struct ast_node){0};
}

/* An HTTP request whose URL names the endpoint: an argument says "/checkPayment/", or
 * evaluates to a URL that does (API = ".../createLink"; requests.post(API, ...)). A
 * callback's body is not an argument of the call that registers it. */
static bool http_to(const struct sflow *f, struct ast_node call, const char *endpoint)
{
	struct ast_node args = ast_field(call, "arguments");
	for (uint32_t i = 0; i < ast_named_count(args); i++) {
		struct ast_node a = ast_named_child(args, i);
		if (f->php && ast_is(a, "argument"))
			a = ast_named_child(a, ast_named_count(a) - 1);
		if (is_function(f, a))
			continue;
		if (text_has(f, a, endpoint))
			return true;
		/* API + ref, self::API . $ref: the base URL is a same-file constant */
		while (ast_is(a, "binary_operator") || ast_is(a, "binary_expression"))
			a = ast_field(a, "left");
		if (ast_is(a, "identifier") || ast_is(a, "variable_name")) {
			struct ast_node v = local_value(f, a), r = v;
			/* a response ($res = wp_remote_post(URL), await client.get(URL)) is
			 * not a URL */
			while (ast_is(r, "await") || ast_is(r, "parenthesized_expression"))
				r = ast_named_child(r, 0);
			if (!ast_is_null(r) && sflow_is_call(f, r))
				continue;
			if (!ast_is_null(v)) {
				if (text_has(f, v, endpoint))
					return true;
				char *sv = ast_string_value(f->syn, v); /* url = API_URL */
				bool hit = sv && strstr(sv, endpoint);
				free(sv);
				if (hit)
					return true;
				continue; /* this function's own URL, whatever other ones say */
			}
		}
		if (ast_is(a, "identifier") || ast_is(a, "variable_name") ||
		    ast_is(a, "class_constant_access_expression")) {
			char *v = ast_string_value(f->syn, a);
			bool hit = v && strstr(v, endpoint);
			free(v);
			if (hit)
				return true;
		}
	}
	return false;
}

bool sflow_is_check(const struct sflow *f, struct ast_node call)
{
	if (!sflow_is_call(f, call))
		return false;
	if (callee_is(f, call, "checkPayment", "check_payment") ||
	    (f->says_check && http_to(f, call, "checkPayment/")))
		return true;
	char name[SFLOW_NAME_LEN];
	sflow_callee(f, call, name, sizeof name);
	return name[0] && names_has(&f->checkers, name, strlen(name));
}

struct ast_node sflow_function_of(const struct sflow *f, struct ast_node n)
{
	struct ast_node p = ast_parent(n);
	while (!ast_is_null(p) && !is_function(f, p)) {
		n = p;
		p = ast_parent(p);
	}
	return ast_is_null(p) ? n : p;
}

void sflow_function_name(const struct sflow *f, struct ast_node fn, char *buf, size_t size)
{
	struct ast_node name = ast_field(fn, "name");
	size_t len = 0;
	const char *t = ast_is_null(name) ? "" : ast_text(f->syn, name, &len);
	snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), t);
}

/* ---- same-file helpers that check ---- */

struct find_call {
	const struct sflow *f;
	bool (*pred)(const struct sflow *, struct ast_node);
	bool found;
	bool nested; /* look inside nested functions too */
	struct ast_node root;
};

static bool visit_find_call(void *ctx, struct ast_node n)
{
	struct find_call *fc = ctx;
	if (fc->found)
		return false;
	if (!fc->nested && ast_start(n) != ast_start(fc->root) && is_function(fc->f, n))
		return false;
	if (fc->pred(fc->f, n))
		fc->found = true;
	return !fc->found;
}

static bool contains_call(const struct sflow *f, struct ast_node n,
			  bool (*pred)(const struct sflow *, struct ast_node))
{
	struct find_call fc = {f, pred, false, true, n};
	ast_walk(n, visit_find_call, &fc);
	return fc.found;
}

static bool visit_checker(void *ctx, struct ast_node n)
{
	struct sflow *f = ctx;
	if (!is_function(f, n))
		return true;
	char name[SFLOW_NAME_LEN];
	sflow_function_name(f, n, name, sizeof name);
	if (name[0] && !names_has(&f->checkers, name, strlen(name)) &&
	    contains_call(f, ast_field(n, "body"), sflow_is_check))
		names_add(&f->checkers, name, strlen(name));
	return true;
}

void sflow_init(struct sflow *f, const struct syntax *syn, enum lang lang)
{
	*f = (struct sflow){.syn = syn, .php = lang == LANG_PHP};
	/* No value of this file can name an endpoint its text never writes: calls need not
	 * be evaluated then, which costs a walk per name in a long file. */
	size_t len;
	const char *t = ast_text(syn, ast_root(syn), &len);
	f->says_check = memmem(t, len, "checkPayment", 12) != NULL;
	/* twice: a helper that calls a helper that checks (one level more) */
	ast_walk(ast_root(syn), visit_checker, f);
	ast_walk(ast_root(syn), visit_checker, f);
}

/* ---- locals ---- */

bool sflow_mentions(const struct sflow *f, struct ast_node n, const struct sflow_names *names);

static const char *const php_request[] = {
    "$_GET",	 "$_POST",    "$_REQUEST",	"$_COOKIE",	 "$request->",
    "request()", "Request::", "$this->request", "filter_input(", NULL};
static const char *const py_request[] = {
    "request.args",    "request.GET",	       "request.POST",
    "request.form",    "request.query_params", "request.path_params",
    "request.json",    "request.data",	       "request.values",
    "request.query",   "request.match_info",   "request.get_json",
    "request.rel_url", "await request.",       NULL};
/* Wrappers that keep a request value the client's: casts, trims, sanitisers. */
static const char *const passthrough[] = {"sanitize_text_field",
					  "wc_clean",
					  "trim",
					  "strval",
					  "intval",
					  "urldecode",
					  "wp_unslash",
					  "strtoupper",
					  "strtolower",
					  "htmlspecialchars",
					  "str",
					  "strip",
					  "upper",
					  "lower",
					  "int",
					  "float",
					  "floatval",
					  "Decimal",
					  NULL};

static bool starts_request(const struct sflow *f, struct ast_node n)
{
	size_t len;
	const char *t = ast_text(f->syn, n, &len);
	for (const char *const *m = f->php ? php_request : py_request; *m; m++) {
		size_t ml = strlen(*m);
		bool word = isalnum((unsigned char)(*m)[ml - 1]) || (*m)[ml - 1] == '_';
		if (len >= ml && !memcmp(t, *m, ml) &&
		    (!word || len == ml || !(isalnum((unsigned char)t[ml]) || t[ml] == '_')))
			return true;
	}
	return false;
}

/* The value itself, without a cast, a default or a sanitiser around it. */
static struct ast_node unwrap(const struct sflow *f, struct ast_node n)
{
	for (int guard = 0; guard < 8; guard++) {
		if (ast_is(n, "parenthesized_expression") || ast_is(n, "cast_expression") ||
		    ast_is(n, "await")) {
			n = ast_named_child(n, ast_named_count(n) - 1);
		} else if (ast_is(n, "binary_expression") &&
			   ast_text_is(f->syn, ast_field(n, "operator"), "??")) {
			n = ast_field(n, "left");
		} else if (ast_is(n, "boolean_operator")) {
			n = ast_field(n, "left"); /* request.args.get("s") or "" */
		} else if (sflow_is_call(f, n)) {
			char name[SFLOW_NAME_LEN];
			sflow_callee(f, n, name, sizeof name);
			bool pass = false;
			for (size_t i = 0; passthrough[i] && !pass; i++)
				pass = !strcmp(name, passthrough[i]);
			struct ast_node a = sflow_arg(f, n, 0);
			/* request.args.get("ref").strip(): the receiver is the value */
			struct ast_node fn = ast_field(n, "function");
			if (!f->php && ast_is(fn, "attribute") && pass)
				a = ast_field(fn, "object");
			if (!pass || ast_is_null(a))
				return n;
			n = a;
		} else {
			return n;
		}
	}
	return n;
}

/* The variable a subscript or a member access starts from ($data in $data['status']). */
static struct ast_node base_of(struct ast_node n)
{
	while (ast_is(n, "subscript_expression") || ast_is(n, "member_access_expression") ||
	       ast_is(n, "subscript") || ast_is(n, "attribute")) {
		struct ast_node o = ast_field(n, "object");
		if (ast_is_null(o))
			o = ast_field(n, "value");
		if (ast_is_null(o))
			o = ast_named_child(n, 0);
		n = o;
	}
	return n;
}

static bool is_request_value(struct sflow *f, struct ast_node n)
{
	n = unwrap(f, n);
	if (starts_request(f, n))
		return true;
	struct ast_node b = base_of(n);
	size_t len;
	const char *t = ast_text(f->syn, b, &len);
	return (ast_is(b, "variable_name") || ast_is(b, "identifier")) &&
	       names_has(&f->request, t, len);
}

static void add_targets(struct sflow *f, struct ast_node left, struct sflow_names *to)
{
	if (ast_is(left, "variable_name") || ast_is(left, "identifier")) {
		size_t len;
		const char *t = ast_text(f->syn, left, &len);
		names_add(to, t, len);
		return;
	}
	if (ast_is(left, "pattern_list") || ast_is(left, "tuple_pattern") ||
	    ast_is(left, "list_literal") || ast_is(left, "as_pattern_target"))
		for (uint32_t i = 0; i < ast_named_count(left); i++)
			add_targets(f, ast_named_child(left, i), to);
}

static bool is_check_call(const struct sflow *f, struct ast_node n)
{
	return sflow_is_check(f, n);
}

static void learn(struct sflow *f, struct ast_node left, struct ast_node right)
{
	if (ast_is_null(left) || ast_is_null(right))
		return;
	if (contains_call(f, right, is_check_call) || sflow_mentions(f, right, &f->checked))
		add_targets(f, left, &f->checked);
	else if (is_request_value(f, right))
		add_targets(f, left, &f->request);
}

static bool visit_local(void *ctx, struct ast_node n)
{
	struct sflow *f = ctx;
	if (ast_start(n) != ast_start(f->fn) && is_function(f, n))
		return false;
	if (ast_is(n, "assignment_expression") || ast_is(n, "assignment"))
		learn(f, ast_field(n, "left"), ast_field(n, "right"));
	else if (ast_is(n, "as_pattern")) /* with session.get(url) as resp */
		learn(f, ast_field(n, "alias"), ast_named_child(n, 0));
	return true;
}

static const char *const not_request_params[] = {
    "self", "request", "db", "session", "background_tasks", "current_user", "user", NULL};

/* A Python route handler's parameters come from the URL: FastAPI and Flask decorators,
 * Django views (the first parameter is the request). */
static void learn_route_params(struct sflow *f, struct ast_node fn)
{
	struct ast_node params = ast_field(fn, "parameters");
	struct ast_node deco = ast_parent(fn);
	bool route = ast_is(deco, "decorated_definition") &&
		     (text_has(f, deco, ".get(") || text_has(f, deco, ".post(") ||
		      text_has(f, deco, ".route(") || text_has(f, deco, ".api_route("));
	struct ast_node first = ast_named_child(params, 0);
	route |= ast_text_is(f->syn, first, "request");
	if (!route)
		return;
	for (uint32_t i = 0; i < ast_named_count(params); i++) {
		struct ast_node p = ast_named_child(params, i);
		struct ast_node id = ast_is(p, "identifier") ? p : ast_field(p, "name");
		if (ast_is_null(id))
			id = ast_named_child(p, 0);
		struct ast_node value = ast_field(p, "value");
		if (!ast_is(id, "identifier") ||
		    (!ast_is_null(value) && text_has(f, value, "Depends(")))
			continue;
		size_t len;
		const char *t = ast_text(f->syn, id, &len);
		bool skip = false;
		for (size_t k = 0; not_request_params[k] && !skip; k++)
			skip = strlen(not_request_params[k]) == len &&
			       !memcmp(t, not_request_params[k], len);
		if (!skip)
			names_add(&f->request, t, len);
	}
}

void sflow_scope(struct sflow *f, struct ast_node fn)
{
	if (!ast_is_null(f->fn) && ast_start(f->fn) == ast_start(fn) &&
	    ast_end(f->fn) == ast_end(fn))
		return;
	f->fn = fn;
	f->checked.n = f->request.n = 0;
	if (!f->php && ast_is(fn, "function_definition"))
		learn_route_params(f, fn);
	ast_walk(fn, visit_local, f);
}

struct mention {
	const struct sflow *f;
	const struct sflow_names *names;
	bool found;
};

static bool visit_mention(void *ctx, struct ast_node n)
{
	struct mention *m = ctx;
	if (m->found)
		return false;
	if (ast_is(n, m->f->php ? "variable_name" : "identifier")) {
		/* obj.attr: only the object is a variable */
		struct ast_node p = ast_parent(n);
		if (!m->f->php && ast_is(p, "attribute") &&
		    ast_start(ast_field(p, "attribute")) == ast_start(n))
			return false;
		if (!m->f->php && ast_is(p, "keyword_argument") &&
		    ast_start(ast_field(p, "name")) == ast_start(n))
			return false;
		size_t len;
		const char *t = ast_text(m->f->syn, n, &len);
		m->found = names_has(m->names, t, len);
		return false;
	}
	return true;
}

bool sflow_mentions(const struct sflow *f, struct ast_node n, const struct sflow_names *names)
{
	if (!names->n || ast_is_null(n))
		return false;
	struct mention m = {f, names, false};
	ast_walk(n, visit_mention, &m);
	return m.found;
}

bool sflow_from_check(struct sflow *f, struct ast_node n)
{
	sflow_scope(f, sflow_function_of(f, n));
	return contains_call(f, n, is_check_call) || sflow_mentions(f, n, &f->checked);
}

bool sflow_string(const struct sflow *f, struct ast_node n, char *buf, size_t size)
{
	if (!ast_is(n, "string") && !ast_is(n, "encapsed_string"))
		return false;
	char *v = ast_string_value(f->syn, n);
	if (!v)
		return false;
	snprintf(buf, size, "%s", v);
	free(v);
	return true;
}

bool sflow_is_status(const struct sflow *f, struct ast_node n, const char *status)
{
	char buf[32];
	if (sflow_string(f, n, buf, sizeof buf))
		return !strcmp(buf, status);
	/* PaymentStatus::CONFIRMED, PaymentStatus.CONFIRMED(.value), a Python case pattern */
	if (!ast_is(n, "class_constant_access_expression") && !ast_is(n, "attribute") &&
	    !ast_is(n, "name") && !ast_is(n, "identifier") && !ast_is(n, "dotted_name"))
		return false;
	size_t len, sl = strlen(status);
	const char *t = ast_text(f->syn, n, &len);
	if (len > 6 && !memcmp(t + len - 6, ".value", 6))
		len -= 6;
	return len >= sl && !memcmp(t + len - sl, status, sl) &&
	       (len == sl || t[len - sl - 1] == ':' || t[len - sl - 1] == '.');
}
