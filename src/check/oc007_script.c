/* OC007 unhandled-api-error in PHP and Python: an HTTP call to createLink or checkPayment
 * whose response is used with no error check in its function and no try/catch/except
 * around it. Which clients throw decides what a check is: curl, wp_remote_*,
 * file_get_contents, Laravel's Http, requests, httpx and aiohttp hand a 403 (merchant not
 * validated) or a 401 back as an answer, so the code must look at curl_errno/the response
 * code, is_wp_error/wp_remote_retrieve_response_code, `=== false`, ->successful()/->throw(),
 * raise_for_status()/status_code, or the body's success flag. Guzzle (unless
 * 'http_errors' => false) and urllib.request raise on a 4xx, as the SDKs do: their errors
 * are left to the framework. A `status` read from the decoded body is the payment's
 * status, not the HTTP one. As in the JavaScript rule, errors checked or caught without
 * telling 403 apart on a createLink get a low advice, and a thin wrapper that returns the
 * response unread leaves the checks to its callers. */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check/scan.h"
#include "check/scriptflow.h"

enum client {
	CL_NONE,
	CL_CURL,
	CL_WP,
	CL_FGC,	    /* file_get_contents */
	CL_LARAVEL, /* Http:: facade: never throws unless told */
	CL_GUZZLE,  /* throws on 4xx/5xx unless 'http_errors' => false */
	CL_PY,	    /* requests, httpx, aiohttp: answer a 403 */
	CL_URLLIB,  /* urllib.request raises HTTPError */
};

static const char *const hints[] = {
    [CL_NONE] = "",
    [CL_CURL] = "check curl_errno() and the CURLINFO_RESPONSE_CODE",
    [CL_WP] = "check is_wp_error() and wp_remote_retrieve_response_code()",
    [CL_FGC] = "file_get_contents() returns false on an HTTP error: check it",
    [CL_LARAVEL] = "Laravel's Http client does not throw: check ->successful() or call ->throw()",
    [CL_GUZZLE] = "with 'http_errors' => false Guzzle does not throw: check getStatusCode()",
    [CL_PY] = "the client does not raise on a 403: call raise_for_status() or check status_code",
    [CL_URLLIB] = "",
};

struct checks {
	struct sflow *f;
	struct sflow_names resp; /* the HTTP response (or the curl handle) */
	struct sflow_names body; /* what was decoded from it */
	bool checked, has_403;
	bool read;     /* a field of the response or the body is read here */
	bool returned; /* the response or its body is handed back to the caller */
};

/* Whether the first len bytes of t hold needle, ignoring case. */
static bool strncasestr_n(const char *t, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (!strncasecmp(t + i, needle, n))
			return true;
	return false;
}

static bool in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

static bool text_has(const struct sflow *f, struct ast_node n, const char *needle)
{
	size_t len;
	const char *t = ast_text(f->syn, n, &len);
	return memmem(t, len, needle, strlen(needle)) != NULL;
}

static bool names_hold(const struct sflow *f, struct ast_node n, const struct sflow_names *ns)
{
	if (!ast_is(n, f->php ? "variable_name" : "identifier"))
		return false;
	size_t len;
	const char *t = ast_text(f->syn, n, &len);
	for (size_t i = 0; i < ns->n; i++)
		if (strlen(ns->name[i]) == len && !memcmp(ns->name[i], t, len))
			return true;
	return false;
}

static bool is_resp(const struct checks *k, struct ast_node n)
{
	return names_hold(k->f, n, &k->resp);
}

static bool is_ours(const struct checks *k, struct ast_node n)
{
	return names_hold(k->f, n, &k->resp) || names_hold(k->f, n, &k->body);
}

static void add_name(struct sflow_names *ns, const struct sflow *f, struct ast_node n)
{
	if (ast_is(n, "as_pattern_target"))
		n = ast_named_child(n, 0);
	if (!ast_is(n, "variable_name") && !ast_is(n, "identifier"))
		return;
	size_t len;
	const char *t = ast_text(f->syn, n, &len);
	if (!len || len >= SFLOW_NAME_LEN || ns->n == SFLOW_NAMES || names_hold(f, n, ns))
		return;
	memcpy(ns->name[ns->n], t, len);
	ns->name[ns->n++][len] = '\0';
}

/* ---- which call, which client ---- */

static const char *const curl_calls[] = {"curl_init", "curl_setopt", "curl_setopt_array", NULL};
static const char *const wp_calls[] = {"wp_remote_post",
				       "wp_remote_get",
				       "wp_remote_request",
				       "wp_safe_remote_post",
				       "wp_safe_remote_get",
				       "wp_safe_remote_request",
				       NULL};
static const char *const http_methods[] = {
    "get",	"post",	     "put",	     "patch",	"request", "send", "postAsync",
    "getAsync", "sendAsync", "requestAsync", "urlopen", "Request", NULL};

/* A route of the merchant's own app named like the endpoint: Route::post('/createLink',
 * ...), @app.post("/checkPayment/<ref>"), $app->get('/checkPayment/{ref}', function ...). */
static bool route_definition(const struct sflow *f, struct ast_node call)
{
	if (ast_is(ast_parent(call), "decorator") ||
	    (ast_is(call, "scoped_call_expression") &&
	     ast_text_is(f->syn, ast_field(call, "scope"), "Route")))
		return true;
	for (uint32_t i = 0; i < 4; i++) {
		struct ast_node a = sflow_arg(f, call, i);
		if (ast_is(a, "anonymous_function") || ast_is(a, "arrow_function") ||
		    ast_is(a, "lambda"))
			return true;
	}
	return false;
}

/* A function or method of the file by that name, or null. */
struct definition {
	const struct sflow *f;
	const char *name;
	struct ast_node found;
};

static bool visit_definition(void *ctx, struct ast_node n)
{
	struct definition *d = ctx;
	if (!ast_is_null(d->found))
		return false;
	if ((ast_is(n, "function_definition") || ast_is(n, "method_declaration")) &&
	    ast_text_is(d->f->syn, ast_field(n, "name"), d->name))
		d->found = n;
	return ast_is_null(d->found);
}

static struct ast_node definition_of(const struct sflow *f, const char *name)
{
	struct definition d = {.f = f, .name = name};
	if (name[0])
		ast_walk(ast_root(f->syn), visit_definition, &d);
	return d.found;
}

/* $this->request('POST', '/ocpay/createLink'): the merchant's own wrapper, defined in the
 * file, judged where it calls the client; cache.get("checkPayment/..."): a cache key. */
static bool not_http(const struct sflow *f, struct ast_node call, const char *name)
{
	struct ast_node recv =
	    f->php ? ast_field(call, "object") : ast_field(ast_field(call, "function"), "object");
	if (ast_is(call, "scoped_call_expression"))
		recv = ast_field(call, "scope");
	if (!ast_is_null(recv)) {
		size_t len;
		const char *t = ast_text(f->syn, recv, &len);
		if (strncasestr_n(t, len, "cache") || strncasestr_n(t, len, "redis"))
			return true;
	}
	return !ast_is_null(definition_of(f, name));
}

static enum client client_of(const struct sflow *f, struct ast_node call)
{
	char name[SFLOW_NAME_LEN];
	sflow_callee(f, call, name, sizeof name);
	struct ast_node root = ast_root(f->syn);
	if (f->php && ast_is(call, "function_call_expression")) {
		return in_list(name, curl_calls)	    ? CL_CURL
		       : in_list(name, wp_calls)	    ? CL_WP
		       : !strcmp(name, "file_get_contents") ? CL_FGC
							    : CL_NONE;
	}
	if (!in_list(name, http_methods) || route_definition(f, call) || not_http(f, call, name))
		return CL_NONE;
	if (!f->php)
		return !strcmp(name, "urlopen") || !strcmp(name, "Request") ? CL_URLLIB : CL_PY;
	/* Http::withToken(...)->post(...), or a pending request kept in a property of a
	 * class that uses the facade and not Guzzle */
	size_t len;
	const char *t = ast_text(f->syn, call, &len);
	const char *paren = memchr(t, '(', len);
	size_t head = paren ? (size_t)(paren - t) : len;
	if (memmem(t, head, "Http::", 6) ||
	    (text_has(f, root, "Facades\\Http") && !text_has(f, root, "GuzzleHttp")))
		return CL_LARAVEL;
	if (text_has(f, root, "'http_errors' => false") ||
	    text_has(f, root, "\"http_errors\" => false") ||
	    text_has(f, root, "RequestOptions::HTTP_ERRORS => false"))
		return CL_GUZZLE;
	return CL_URLLIB; /* Guzzle, Symfony HttpClient: throw on a 4xx */
}

/* The argument that holds the URL: curl_init($url), curl_setopt($ch, CURLOPT_URL, $url),
 * $client->request('POST', $url), requests.post(url); -1 when none. */
static int url_arg(const struct sflow *f, struct ast_node call)
{
	char name[SFLOW_NAME_LEN];
	sflow_callee(f, call, name, sizeof name);
	if (!strcmp(name, "curl_setopt"))
		return ast_text_is(f->syn, sflow_arg(f, call, 1), "CURLOPT_URL") ? 2 : -1;
	if (!strcmp(name, "curl_setopt_array"))
		return -1;
	return !strcmp(name, "request") || !strcmp(name, "requestAsync") ? 1 : 0;
}

/* The URL argument names the endpoint (f"{API}/createLink"), or is a local given a string
 * that does ($url = "{$base}/checkPayment/{$ref}"; curl_init($url)); not a call's
 * result, such as a curl handle or a urllib Request. */
static bool url_local_names(const struct sflow *f, struct ast_node call, struct ast_node fn,
			    const char *endpoint)
{
	int i = url_arg(f, call);
	struct ast_node a = i < 0 ? (struct ast_node){0} : sflow_arg(f, call, (uint32_t)i);
	if (!ast_is_null(a) && text_has(f, a, endpoint))
		return true; /* f"{OCPAY_API}/createLink" */
	if (!ast_is(a, "variable_name") && !ast_is(a, "identifier"))
		return false;
	struct ast_node v = sflow_last_value(f, fn, a, call);
	return !ast_is_null(v) && !sflow_is_call(f, v) && !ast_is(v, "object_creation_expression") &&
	       text_has(f, v, endpoint);
}

/* ---- the response's path up from the call ---- */

static const char *const php_checks[] = {
    "successful",    "ok",	    "failed",	   "status",
    "throw",	     "throwIf",	    "throwUnless", "throwUnlessStatus",
    "throwIfStatus", "clientError", "serverError", "onError",
    "getStatusCode", "retry",	    NULL};
static const char *const php_decoders[] = {"json",	 "body",    "getBody", "getContents",
					   "object",	 "collect", "toArray", "getContent",
					   "__toString", NULL};
static const char *const php_decode_calls[] = {
    "json_decode", "wp_remote_retrieve_body", "curl_exec", "trim", "strval", NULL};
static const char *const php_check_calls[] = {"curl_errno", "curl_error", "is_wp_error",
					      "wp_remote_retrieve_response_code", NULL};
static const char *const py_checks[] = {"raise_for_status", "status_code", "ok",
					"is_success",	    "is_error",	   "is_client_error",
					"is_server_error",  NULL};
static const char *const py_decoders[] = {"json", "text", "content", "read", "iter_content", NULL};

/* A read of the success flag is a check; any other field read is a use. */
static void field_read(struct checks *k, bool success)
{
	if (success)
		k->checked = true;
	else
		k->read = true;
}

static bool arg_is_success(const struct sflow *f, struct ast_node call)
{
	char buf[32];
	return sflow_string(f, sflow_arg(f, call, 0), buf, sizeof buf) && !strcmp(buf, "success");
}

static bool index_is_success(const struct sflow *f, struct ast_node idx)
{
	char buf[32];
	return sflow_string(f, idx, buf, sizeof buf) && !strcmp(buf, "success");
}

static void curl_getinfo_check(struct checks *k, struct ast_node call)
{
	if (text_has(k->f, call, "HTTP_CODE") || text_has(k->f, call, "RESPONSE_CODE"))
		k->checked = true;
	else if (ast_is(ast_parent(call), "subscript_expression") &&
		 text_has(k->f, ast_parent(call), "http_code"))
		k->checked = true; /* curl_getinfo($ch)['http_code'] */
}

/* A method called on the response (or on the call itself, chained). */
static void php_method(struct checks *k, struct ast_node mcall, bool *decoded)
{
	char m[SFLOW_NAME_LEN];
	sflow_callee(k->f, mcall, m, sizeof m);
	if (in_list(m, php_checks))
		k->checked = true;
	else if (!strcmp(m, "json") && ast_named_count(ast_field(mcall, "arguments")))
		field_read(k, arg_is_success(k->f, mcall));
	else if (in_list(m, php_decoders))
		*decoded = true;
	else
		k->read = true;
}

static void py_attribute(struct checks *k, struct ast_node attr, bool body)
{
	struct ast_node a = ast_field(attr, "attribute");
	size_t len;
	const char *t = ast_text(k->f->syn, a, &len);
	char m[SFLOW_NAME_LEN];
	snprintf(m, sizeof m, "%.*s", (int)(len < sizeof m ? len : sizeof m - 1), t);
	struct ast_node p = ast_parent(attr);
	if (in_list(m, py_checks) || !strcmp(m, "success") || (!strcmp(m, "status") && !body))
		k->checked = true; /* aiohttp: resp.status */
	else if (!strcmp(m, "get") && ast_is(p, "call") && arg_is_success(k->f, p))
		k->checked = true; /* data.get("success") */
	else if (!in_list(m, py_decoders) && strcmp(m, "headers"))
		k->read = true;
}

/* !$raw, not resp (not @file_get_contents(), which only silences the warning) */
static bool negation(const struct sflow *f, struct ast_node n)
{
	size_t len;
	const char *t = ast_text(f->syn, n, &len);
	return ast_is(n, "not_operator") ||
	       (ast_is(n, "unary_op_expression") && len && t[0] == '!');
}

/* Http::retry(3, 100)->post(...), Http::throw()->get(...): a pending request told to
 * throw on an error status (retry() throws once its attempts are spent). */
static bool laravel_throws(const struct sflow *f, struct ast_node call)
{
	struct ast_node obj = ast_field(call, "object");
	if (ast_is(call, "scoped_call_expression"))
		return false;
	return !ast_is_null(obj) && (text_has(f, obj, "throw(") || text_has(f, obj, "throwIf") ||
				     text_has(f, obj, "throwUnless") || text_has(f, obj, "retry("));
}

/* Follows the call's value up: chained methods, decoders, subscripts, up to the local it
 * is stored in, the return that hands it back, or the test that checks it. */
static void climb(struct checks *k, struct ast_node call)
{
	struct sflow *f = k->f;
	struct ast_node x = call;
	bool decoded = false;
	for (int guard = 0; guard < 16; guard++) {
		struct ast_node p = ast_parent(x);
		if (ast_is_null(p))
			return;
		if (ast_is(p, "parenthesized_expression") || ast_is(p, "await") ||
		    ast_is(p, "error_suppression_expression")) {
			x = p;
		} else if (f->php && ast_is(p, "argument")) {
			struct ast_node c = ast_parent(ast_parent(p));
			char name[SFLOW_NAME_LEN];
			if (!sflow_is_call(f, c))
				return;
			sflow_callee(f, c, name, sizeof name);
			if (in_list(name, php_check_calls)) {
				k->checked = true;
				return;
			}
			if (!in_list(name, php_decode_calls))
				return;
			decoded |= strcmp(name, "curl_exec") != 0;
			x = c;
		} else if (!f->php && ast_is(p, "argument_list")) {
			struct ast_node c = ast_parent(p);
			if (!text_has(f, ast_field(c, "function"), "loads"))
				return;
			decoded = true;
			x = c;
		} else if ((ast_is(p, "member_call_expression") ||
			    ast_is(p, "nullsafe_member_call_expression")) &&
			   ast_start(ast_field(p, "object")) == ast_start(x)) {
			php_method(k, p, &decoded);
			x = p;
		} else if ((ast_is(p, "member_access_expression") ||
			    ast_is(p, "nullsafe_member_access_expression")) &&
			   ast_start(ast_field(p, "object")) == ast_start(x)) {
			field_read(k, ast_text_is(f->syn, ast_field(p, "name"), "success"));
			x = p;
		} else if ((ast_is(p, "subscript_expression") &&
			    ast_start(ast_named_child(p, 0)) == ast_start(x)) ||
			   (ast_is(p, "subscript") &&
			    ast_start(ast_field(p, "value")) == ast_start(x))) {
			struct ast_node idx =
			    f->php ? ast_named_child(p, 1) : ast_field(p, "subscript");
			field_read(k, index_is_success(f, idx));
			x = p;
		} else if (ast_is(p, "attribute") &&
			   ast_start(ast_field(p, "object")) == ast_start(x)) {
			py_attribute(k, p, decoded);
			struct ast_node a = ast_field(p, "attribute");
			if (ast_text_is(f->syn, a, "json") || ast_text_is(f->syn, a, "text") ||
			    ast_text_is(f->syn, a, "read") || ast_text_is(f->syn, a, "content"))
				decoded = true;
			x = p;
			if (ast_is(ast_parent(p), "call"))
				x = ast_parent(p);
		} else if ((ast_is(p, "assignment_expression") || ast_is(p, "assignment")) &&
			   ast_start(ast_field(p, "right")) == ast_start(x)) {
			add_name(decoded ? &k->body : &k->resp, f, ast_field(p, "left"));
			return;
		} else if (ast_is(p, "as_pattern")) { /* with session.post(...) as resp */
			add_name(&k->resp, f, ast_field(p, "alias"));
			return;
		} else if (ast_is(p, "return_statement")) {
			k->returned |= !k->read;
			return;
		} else if (negation(f, p) ||
			   (ast_is(p, "binary_expression") &&
			    (text_has(f, p, "false") || text_has(f, p, "null")))) {
			k->checked = true; /* if (($r = file_get_contents(...)) === false) */
			return;
		} else {
			return;
		}
	}
}

/* ---- what the function does with the names ---- */

static bool decodes(const struct sflow *f, struct ast_node right)
{
	static const char *const marks[] = {"json",  "body",	 "Body",   "getContents", "toArray",
					    ".text", ".content", ".read(", "loads",	  NULL};
	for (size_t i = 0; marks[i]; i++)
		if (text_has(f, right, marks[i]))
			return true;
	return false;
}

static bool visit_derive(void *ctx, struct ast_node n)
{
	struct checks *k = ctx;
	if (!ast_is(n, "assignment_expression") && !ast_is(n, "assignment"))
		return true;
	struct ast_node left = ast_field(n, "left"), right = ast_field(n, "right");
	if (ast_is_null(right) || is_ours(k, left))
		return true;
	bool from_resp = sflow_mentions(k->f, right, &k->resp);
	bool from_body = sflow_mentions(k->f, right, &k->body);
	if (from_resp && !decodes(k->f, right) && !from_body)
		add_name(&k->resp, k->f, left);
	else if (from_resp || from_body)
		add_name(&k->body, k->f, left);
	return true;
}

/* return $response / return $data / return json_decode($raw, true) / return r.json() */
static bool returns_ours(const struct checks *k, struct ast_node e)
{
	for (int guard = 0; guard < 4; guard++) {
		while (ast_is(e, "parenthesized_expression") || ast_is(e, "await"))
			e = ast_named_child(e, 0);
		if (is_ours(k, e))
			return true;
		if (!sflow_is_call(k->f, e))
			return false;
		char name[SFLOW_NAME_LEN];
		sflow_callee(k->f, e, name, sizeof name);
		if (!in_list(name, php_decoders) && !in_list(name, php_decode_calls) &&
		    !in_list(name, py_decoders) && strcmp(name, "loads"))
			return false;
		struct ast_node obj = ast_field(e, "object");
		if (!k->f->php && ast_is(ast_field(e, "function"), "attribute"))
			obj = ast_field(ast_field(e, "function"), "object");
		e = ast_is_null(obj) || !strcmp(name, "loads") ? sflow_arg(k->f, e, 0) : obj;
	}
	return false;
}

/* Markers of an HTTP error check in a helper's body. */
static bool checks_in(const struct sflow *f, struct ast_node body)
{
	static const char *const marks[] = {"raise_for_status",
					    "status_code",
					    "->status()",
					    "successful()",
					    "->failed()",
					    "curl_errno",
					    "is_wp_error",
					    "response_code",
					    "getStatusCode",
					    "'success'",
					    "\"success\"",
					    "->throw()",
					    NULL};
	for (size_t i = 0; marks[i]; i++)
		if (text_has(f, body, marks[i]))
			return true;
	return false;
}

/* self._raise_for_error(resp), $this->assertOk($response): the response handed to a
 * function of the file that checks it. */
static bool checked_by_helper(struct checks *k, struct ast_node call)
{
	bool ours = false;
	for (uint32_t i = 0; i < 4 && !ours; i++)
		ours = is_ours(k, sflow_arg(k->f, call, i));
	if (!ours)
		return false;
	char name[SFLOW_NAME_LEN];
	sflow_callee(k->f, call, name, sizeof name);
	struct ast_node def = definition_of(k->f, name);
	if (ast_is_null(def) || !checks_in(k->f, ast_field(def, "body")))
		return false;
	k->has_403 |= text_has(k->f, def, "403") || text_has(k->f, def, "FORBIDDEN");
	return true;
}

static bool visit_use(void *ctx, struct ast_node n)
{
	struct checks *k = ctx;
	const struct sflow *f = k->f;
	if (sflow_is_call(f, n) && !k->checked && checked_by_helper(k, n))
		k->checked = true;
	if (ast_is(n, "integer") && ast_text_is(f->syn, n, "403")) {
		k->has_403 = true;
	} else if ((ast_is(n, "name") || ast_is(n, "identifier")) &&
		   (text_has(f, n, "FORBIDDEN") || ast_text_is(f->syn, n, "forbidden"))) {
		k->has_403 = true; /* Response::HTTP_FORBIDDEN, HTTPStatus.FORBIDDEN */
	} else if (ast_is(n, "variable_name") && ast_text_is(f->syn, n, "$http_response_header")) {
		k->checked = true;
	} else if (ast_is(n, "return_statement")) {
		if (returns_ours(k, ast_named_child(n, 0)))
			k->returned = true;
	} else if (ast_is(n, "function_call_expression")) {
		char name[SFLOW_NAME_LEN];
		sflow_callee(f, n, name, sizeof name);
		if (in_list(name, php_check_calls))
			k->checked = true;
		else if (!strcmp(name, "curl_getinfo"))
			curl_getinfo_check(k, n);
	} else if ((ast_is(n, "member_call_expression") ||
		    ast_is(n, "nullsafe_member_call_expression")) &&
		   is_ours(k, ast_field(n, "object"))) {
		bool decoded = false;
		php_method(k, n, &decoded);
	} else if ((ast_is(n, "member_access_expression") ||
		    ast_is(n, "nullsafe_member_access_expression")) &&
		   is_ours(k, ast_field(n, "object"))) {
		field_read(k, ast_text_is(f->syn, ast_field(n, "name"), "success"));
	} else if ((ast_is(n, "subscript_expression") && is_ours(k, ast_named_child(n, 0))) ||
		   (ast_is(n, "subscript") && is_ours(k, ast_field(n, "value")))) {
		struct ast_node idx = f->php ? ast_named_child(n, 1) : ast_field(n, "subscript");
		field_read(k, index_is_success(f, idx));
	} else if (ast_is(n, "attribute") && is_ours(k, ast_field(n, "object"))) {
		py_attribute(k, n, !is_resp(k, ast_field(n, "object")));
	} else if (negation(f, n) && is_resp(k, ast_named_child(n, 0))) {
		k->checked = true; /* if (!$raw), if not resp */
	} else if (ast_is(n, "binary_expression") &&
		   (is_resp(k, ast_field(n, "left")) || is_resp(k, ast_field(n, "right"))) &&
		   (text_has(f, n, "false") || text_has(f, n, "null"))) {
		k->checked = true; /* $raw === false */
	} else if (ast_is(n, "keyword_argument") &&
		   ast_text_is(f->syn, ast_field(n, "name"), "raise_for_status") &&
		   ast_text_is(f->syn, ast_field(n, "value"), "True")) {
		k->checked = true; /* aiohttp.ClientSession(raise_for_status=True) */
	}
	return true;
}

static bool caught(const struct sflow *f, struct ast_node call, struct ast_node fn)
{
	for (struct ast_node n = ast_parent(call); !ast_is_null(n); n = ast_parent(n)) {
		if (ast_start(n) == ast_start(fn) && ast_end(n) == ast_end(fn))
			break;
		if (!ast_is(n, "try_statement"))
			continue;
		struct ast_node body = ast_field(n, "body");
		bool handler = false;
		for (uint32_t i = 0; i < ast_named_count(n) && !handler; i++)
			handler = ast_is(ast_named_child(n, i),
					 f->php ? "catch_clause" : "except_clause") ||
				  ast_is(ast_named_child(n, i), "except_group_clause");
		if (handler && ast_start(call) >= ast_start(body) && ast_end(call) <= ast_end(body))
			return true;
	}
	return false;
}

struct run {
	struct unit *u;
	const struct rule *r;
	struct sflow f;
	int rc;
};

static void judge(struct run *run, struct ast_node call, enum client cl, bool create)
{
	struct sflow *f = &run->f;
	struct ast_node fn = sflow_function_of(f, call);
	struct checks k = {.f = f};
	const char *what = create ? "createLink" : "checkPayment";
	/* curl_setopt($ch, CURLOPT_URL, ...): the handle is the response's source */
	if (cl == CL_CURL && ast_is(ast_parent(call), "expression_statement"))
		add_name(&k.resp, f, sflow_arg(f, call, 0));
	climb(&k, call);
	if (cl == CL_LARAVEL && laravel_throws(f, call))
		k.checked = true;
	for (int pass = 0; pass < 3; pass++)
		ast_walk(fn, visit_derive, &k);
	ast_walk(fn, visit_use, &k);
	if (text_has(f, ast_root(f->syn), "raise_for_status=True"))
		k.checked = true;
	bool is_caught = caught(f, call, fn);
	if (cl == CL_URLLIB) {
		/* throws: the framework answers, unless a catch answers every error alike */
		if (is_caught && create && !k.has_403)
			run->rc =
			    unit_add_hit(run->u, run->r, ast_start(call), ast_end(call), NULL, 0,
					 "createLink errors are caught but 403 (merchant not "
					 "validated) is not told apart from other failures",
					 SEV_LOW);
		return;
	}
	if (!k.checked && !k.read && k.returned)
		return; /* a thin wrapper: its callers check */
	if (!k.checked && !is_caught) {
		char msg[320];
		snprintf(msg, sizeof msg,
			 "the %s response is used without checking the HTTP status or the success "
			 "flag, and no %s: a 403 or 401 error is read as a payment (%s)",
			 what, f->php ? "try/catch" : "try/except", hints[cl]);
		run->rc =
		    unit_add_hit(run->u, run->r, ast_start(call), ast_end(call), NULL, 0, msg, -1);
	} else if (!k.has_403 && create) {
		run->rc = unit_add_hit(
		    run->u, run->r, ast_start(call), ast_end(call), NULL, 0,
		    k.checked ? "createLink errors are checked but 403 (merchant not validated) "
				"is not told apart from other failures"
			      : "createLink errors are caught but 403 (merchant not validated) is "
				"not told apart from other failures",
		    SEV_LOW);
	}
}

static bool visit_call(void *ctx, struct ast_node n)
{
	struct run *run = ctx;
	if (run->rc)
		return false;
	if (!sflow_is_call(&run->f, n))
		return true;
	/* the endpoint first: telling the client costs walks of the whole file */
	struct ast_node fn = sflow_function_of(&run->f, n);
	bool check = sflow_is_check(&run->f, n) || url_local_names(&run->f, n, fn, "checkPayment/");
	bool create = !check && (sflow_is_create(&run->f, n) ||
				 url_local_names(&run->f, n, fn, "/createLink"));
	if (!check && !create)
		return true;
	enum client cl = client_of(&run->f, n);
	if (cl == CL_NONE)
		return true;
	judge(run, n, cl, create);
	return false;
}

int oc007_script_unit(struct unit *u, const struct rule *r, const struct detector *d)
{
	(void)d;
	const struct sflow *f = unit_sflow(u);
	if (!f)
		return 0;
	const struct syntax *syn = f->syn;
	struct run run = {.u = u, .r = r, .f = *f};
	ast_walk(ast_root(syn), visit_call, &run);
	return run.rc;
}
