/* OC007 unhandled-api-error: an HTTP call to createLink or checkPayment whose response is
 * used with no check of response.ok/status or data.success, outside any try/catch and
 * with no .catch. fetch resolves on a 403 (merchant not validated) or 401 (bad key): the
 * error body is then read as a payment. Advice when a createLink's errors are checked but
 * 403 is not told apart. SDK calls throw on errors and are left to the framework; a
 * wrapper that returns the response or its body unread leaves the checks to its callers. */
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/jsflow.h"
#include "check/scan.h"

struct checks {
	const struct syntax *syn;
	const struct api_call *c;
	bool checked, has_403;
	bool read;	/* a field of the body is read here (data.data.paymentUrl) */
	bool returned;	/* the response or its body is handed back to the caller */
};

static bool is_name(const struct checks *k, struct ast_node n)
{
	if (!ast_is(n, "identifier"))
		return false;
	size_t len;
	const char *t = ast_text(k->syn, n, &len);
	for (size_t i = 0; i < k->c->nnames; i++)
		if (strlen(k->c->names[i]) == len && !memcmp(k->c->names[i], t, len))
			return true;
	return false;
}

/* return r / return data / return r.json() / return await r.json() */
static bool returns_result(const struct checks *k, struct ast_node ret)
{
	struct ast_node e = ast_named_child(ret, 0);
	if (ast_is(e, "await_expression"))
		e = ast_named_child(e, 0);
	if (ast_is(e, "call_expression")) {
		struct ast_node fn = ast_field(e, "function");
		if (ast_is(fn, "member_expression") &&
		    ast_text_is(k->syn, ast_field(fn, "property"), "json"))
			e = ast_field(fn, "object");
	}
	return is_name(k, e);
}

/* Whether obj names the parsed body rather than the HTTP response: bound from a .json()
 * or .text() call, or taken out of it by destructuring (`const { data } = await
 * res.json()`). Its `status` is the payment's status, not the HTTP one. */
static bool is_body(const struct checks *k, struct ast_node obj)
{
	if (!ast_is(obj, "identifier"))
		return false;
	size_t len;
	const char *name = ast_text(k->syn, obj, &len);
	struct ast_node v = jsflow_declared_value(k->syn, k->c->func, name, len);
	if (ast_is_null(v))
		return false;
	struct ast_node lhs = ast_field(ast_parent(v), "name");
	size_t vlen;
	const char *vt = ast_text(k->syn, v, &vlen);
	return !ast_is(lhs, "identifier") || memmem(vt, vlen, ".json(", 6) ||
	       memmem(vt, vlen, ".text(", 6);
}

static bool visit_check(void *ctx, struct ast_node n)
{
	struct checks *k = ctx;
	if (ast_is(n, "member_expression")) {
		struct ast_node prop = ast_field(n, "property");
		struct ast_node obj = ast_field(n, "object");
		size_t len;
		const char *t = ast_text(k->syn, obj, &len);
		bool ours = false;
		for (size_t i = 0; i < k->c->nnames && !ours; i++)
			ours = strlen(k->c->names[i]) == len && !memcmp(k->c->names[i], t, len);
		bool http_status = (ast_text_is(k->syn, prop, "status") ||
				    ast_text_is(k->syn, prop, "statusCode")) &&
				   !is_body(k, obj);
		if (ours && (ast_text_is(k->syn, prop, "ok") || http_status ||
			     ast_text_is(k->syn, prop, "success")))
			k->checked = true;
		else if (ours && !ast_text_is(k->syn, prop, "json") &&
			 !ast_text_is(k->syn, prop, "text"))
			k->read = true;
	} else if (ast_is(n, "return_statement") && returns_result(k, n)) {
		k->returned = true;
	} else if (ast_is(n, "number") && ast_text_is(k->syn, n, "403")) {
		k->has_403 = true;
	}
	return true;
}

static bool caught(const struct syntax *syn, const struct api_call *c)
{
	for (struct ast_node n = ast_parent(c->call); !ast_is_null(n); n = ast_parent(n)) {
		if (ast_is(n, "try_statement") && !ast_is_null(ast_field(n, "handler")) &&
		    jsflow_within(c->call, ast_field(n, "body")))
			return true;
		if (ast_is(n, "member_expression") && ast_text_is(syn, ast_field(n, "property"), "catch"))
			return true;
		if (ast_start(n) == ast_start(c->func) && ast_end(n) == ast_end(c->func))
			break;
	}
	return false;
}

/* The major version of a dependency in a package.json text ("^4.21.1" -> 4), or -1. */
static int dependency_major(const char *pkg, size_t len, const char *name)
{
	char key[64];
	int n = snprintf(key, sizeof key, "\"%s\"", name);
	const char *end = pkg + len;
	/* the first "name": "version" pair, past "keywords": ["name"] and the like */
	for (const char *p = pkg; (p = memmem(p, (size_t)(end - p), key, (size_t)n));) {
		const char *v = p + n;
		while (v < end && strchr(" \t\r\n", *v))
			v++;
		if (v >= end || *v != ':') {
			p = v;
			continue;
		}
		while (v < end && strchr(" \t\r\n:\"^~>=v", *v))
			v++;
		return v < end && isdigit((unsigned char)*v) ? atoi(v) : -1;
	}
	return -1;
}

/* Whether fn is an async handler given to an Express 4 route (router.post(path, async
 * (req, res) => ...)): Express 4 does not catch the rejection of an async handler, so an
 * SDK error is an unhandled rejection and the request never gets an answer. Express 5,
 * express-async-errors and wrappers such as asyncHandler(...) catch it. */
static bool express4_async_route(struct unit *u, const struct syntax *syn, struct ast_node fn)
{
	static const char *const methods[] = {"get", "post", "put", "patch", "delete", "all", NULL};
	size_t len;
	const char *t = ast_text(syn, fn, &len);
	if (len < 5 || strncmp(t, "async", 5))
		return false;
	struct ast_node call = ast_parent(ast_parent(fn));
	if (!ast_is(ast_parent(fn), "arguments") || !ast_is(call, "call_expression") ||
	    !ast_is(ast_field(call, "function"), "member_expression"))
		return false;
	char callee[16];
	jsflow_callee_name(syn, call, callee, sizeof callee);
	bool route = false;
	for (size_t i = 0; methods[i] && !route; i++)
		route = !strcmp(callee, methods[i]);
	const char *src = ast_text(syn, ast_root(syn), &len);
	if (!route || (!memmem(src, len, "require(\"express\")", 18) &&
		       !memmem(src, len, "from \"express\"", 14) &&
		       !memmem(src, len, "require('express')", 18) &&
		       !memmem(src, len, "from 'express'", 14)))
		return false;
	size_t plen = 0;
	char *pkg = unit_package_json(u, &plen);
	bool yes = pkg && dependency_major(pkg, plen, "express") == 4 &&
		   !memmem(pkg, plen, "\"express-async-errors\"", 22);
	free(pkg);
	return yes;
}

int oc007_errors_unit(struct unit *u, const struct rule *r, const struct detector *d)
{
	(void)d;
	struct jsflow *flow = unit_flow(u);
	int rc = 0;
	for (size_t i = 0; flow && !rc && i < flow->ncalls; i++) {
		const struct api_call *c = &flow->calls[i];
		if (c->sdk && !caught(flow->syn, c) &&
		    express4_async_route(u, flow->syn, c->func)) {
			rc = unit_add_hit(
			    u, r, ast_start(c->call), ast_end(c->call), NULL, 0,
			    c->kind == API_CREATE_LINK
				? "the SDK's createLink throws on an API error (403 merchant "
				  "not validated) and Express 4 does not catch an async "
				  "route's rejection: wrap it in try/catch and answer the error"
				: "the SDK's checkPayment throws on an API error and Express 4 "
				  "does not catch an async route's rejection: wrap it in "
				  "try/catch and answer the error",
			    -1);
			continue;
		}
		if (c->sdk || !c->nnames)
			continue;
		struct checks k = {.syn = flow->syn, .c = c};
		ast_walk(c->func, visit_check, &k);
		/* A thin wrapper that hands the response back leaves the checks to its
		 * callers. */
		if (!k.checked && !k.read && k.returned)
			continue;
		const char *what = c->kind == API_CREATE_LINK ? "createLink" : "checkPayment";
		bool is_caught = caught(flow->syn, c);
		if (!k.checked && !is_caught) {
			char msg[256];
			snprintf(msg, sizeof msg,
				 "the %s response is used without checking response.ok or "
				 "data.success, and no try/catch: a 403 or 401 error is read as a "
				 "payment",
				 what);
			rc = unit_add_hit(u, r, ast_start(c->call), ast_end(c->call), NULL, 0, msg, -1);
		} else if (!k.has_403 && c->kind == API_CREATE_LINK) {
			/* checked, or caught by a try/catch that answers every error alike */
			rc = unit_add_hit(
			    u, r, ast_start(c->call), ast_end(c->call), NULL, 0,
			    k.checked ? "createLink errors are checked but 403 (merchant "
					"not validated) is not told apart from other failures"
				      : "createLink errors are caught but 403 (merchant not "
					"validated) is not told apart from other failures",
			    SEV_LOW);
		}
	}
	return rc;
}
