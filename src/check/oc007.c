/* OC007 unhandled-api-error: a createLink or checkPayment whose error answer (403: the
 * merchant is not validated; 401: a bad key) goes unhandled.
 *
 * What an error does depends on the client, and the models say it (throws, raises):
 *   - a call that answers an error (fetch, curl, wp_remote_*, file_get_contents, Laravel's
 *     Http, requests, httpx, aiohttp) must have its answer checked in its function — the
 *     models' check reads: response.ok, the status code, raise_for_status(), curl_errno(),
 *     is_wp_error(), the body's success flag, or a test of the answer itself (`=== false`)
 *     — there or in a project function it is handed to, or sit in a try/catch or under a
 *     promise's catch(); else the error body is read as a payment. A function that hands
 *     the answer back unread (a thin wrapper) leaves the checks to its callers, each call
 *     judged the same way.
 *   - a call that raises (the SDKs, axios, got, Guzzle, urllib) is left to the framework's
 *     error handling, unless the error reaches, with no try/catch on the way, an async
 *     route of a router that never catches a rejection (the models' uncaught_async:
 *     Express 4): the request then hangs.
 * Where errors are checked or caught but a createLink's 403 is not told apart (no 403 or
 * FORBIDDEN in the function or its checking helper), the advice is `info`: it does not fail
 * the checklist item, which only a missing error path fails. */
#define _GNU_SOURCE /* strcasestr */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/dependency.h"
#include "check/flow_stage.h"

#define MAX_UP 3     /* callers followed up from a raising call */
#define MAX_HELPER 2 /* helpers followed down from an answer */

/* What a function does with an HTTP answer. */
struct answer {
	struct flow_check *c;
	struct flow_fn fn;
	uint32_t mask;		    /* labels that mark the answer */
	const struct ir_node *root; /* the call whose value is the answer, or NULL */
	bool root_response;	    /* that value is the HTTP answer, not a decoded body */
	const char *name;	    /* a name holding the answer: a curl handle, a parameter */
	const char *note;	    /* how to check the client's answer (its model row's note) */
	int depth;
	bool caught; /* a try/catch or a promise's catch() handles its errors */
	bool checked, has_403, read, returned, returns_response;
};

/* x = v or const x = v (not a destructuring, not a loop's element). */
static bool plain_def(const struct ir_node *v, const char *name)
{
	const struct ir_node *p = v->parent;
	return p && (p->kind == IR_DECL || p->kind == IR_ASSIGN) && p->b == v && p->a &&
	       p->a->kind == IR_NAME && p->a->text && !strcmp(p->a->text, name);
}

/* Whether x holds the HTTP answer itself (its status is the HTTP one), not its body. */
static bool is_response(const struct answer *a, const struct ir_node *x, int depth)
{
	while (x && (x->kind == IR_AWAIT || (x->kind == IR_OTHER && x->a && !x->b && !x->nkids)))
		x = x->a; /* await r, @file_get_contents(...) */
	if (!x || depth > 6)
		return false;
	if (x == a->root)
		return a->root_response;
	if (x->kind != IR_NAME || !x->text)
		return false;
	if (a->name && !strcmp(x->text, a->name))
		return true;
	const struct ir_node *defs[8];
	int32_t files[8];
	size_t n = flow_defs(a->c->q, a->fn.file, x, defs, files, 8);
	for (size_t i = 0; i < n; i++)
		if (files[i] == a->fn.file && plain_def(defs[i], x->text) &&
		    is_response(a, defs[i], depth + 1))
			return true;
	return !n && is_response(a, flow_callback_value(a->c->q, a->fn.file, x), depth + 1);
}

static bool carries(const struct answer *a, const struct ir_node *x)
{
	return x && ((flow_labels(a->c->q, a->fn.file, x) & a->mask) || is_response(a, x, 0));
}

/* A read the models call a check of the answer: res.ok, $res->failed(), curl_errno($ch). */
static bool check_read(const struct answer *a, const struct ir_node *n)
{
	const struct model_row *r = flow_model(a->c->flow, a->fn.file, MODEL_CHECK, n);
	if (!r)
		return false;
	if (n->kind == IR_NAME)
		return !strchr(r->text,
			       '.'); /* a variable the request sets: $http_response_header */
	if (r->attr[MODEL_ATTR_WITH] && !model_arg_is(n, r->attr[MODEL_ATTR_WITH]))
		return false;
	const struct ir_node *what = r->attr[MODEL_ATTR_VALUE]
					 ? model_arg(n, r->attr[MODEL_ATTR_VALUE])
				     : n->kind == IR_MEMBER	       ? n->a
				     : n->a && n->a->kind == IR_MEMBER ? n->a->a
								       : NULL;
	if (r->attr[MODEL_ATTR_ON] && !strcmp(r->attr[MODEL_ATTR_ON], "response"))
		return is_response(a, what, 0);
	return carries(a, what);
}

/* !r, r === false, r is None: a test of the answer itself. */
static bool tests_answer(const struct answer *a, const struct ir_node *n)
{
	if (n->kind == IR_UNARY && n->op == IR_OP_NOT)
		return is_response(a, n->a, 0);
	if (n->kind != IR_BINARY || (n->op != IR_OP_EQ && n->op != IR_OP_NE) || !n->a || !n->b)
		return false;
	bool fa = n->a->kind == IR_NULL || (n->a->kind == IR_BOOL && !n->a->num);
	bool fb = n->b->kind == IR_NULL || (n->b->kind == IR_BOOL && !n->b->num);
	return (fb && is_response(a, n->a, 0)) || (fa && is_response(a, n->b, 0));
}

static void analyse(struct answer *a);

/* The answer handed to a project function that checks it: raise_for_error(resp). */
static void helper_checks(struct answer *a, const struct ir_node *call)
{
	struct flow_fn callee = flow_callee(a->c->flow, a->fn.file, call);
	const struct ir_func *func = flow_func(a->c->flow, callee);
	if (!func || call == a->root || a->depth >= MAX_HELPER)
		return;
	for (uint32_t i = 0; i < func->nparams && i < 16 && !a->checked; i++) {
		const struct ir_node *arg = ir_call_arg(call, i);
		if (!func->params[i].name || !carries(a, arg))
			continue;
		struct answer h = {.c = a->c,
				   .fn = callee,
				   .mask = FL_PARAM0 << i,
				   .name = func->params[i].name,
				   .depth = a->depth + 1};
		analyse(&h);
		a->checked |= h.checked;
		a->has_403 |= h.checked && h.has_403;
	}
}

static bool visit(void *ctx, const struct ir_node *n)
{
	struct answer *a = ctx;
	const struct ir_file *ir = flow_ir(a->c->flow, a->fn.file);
	switch (n->kind) {
	case IR_NUMBER:
		a->has_403 |= n->num == 403;
		return true;
	case IR_FUNC: {
		/* a callback written in place: then(r => ...), each(function ($o) {...}) */
		const struct ir_func *f = &ir->funcs[(int32_t)n->num];
		if (!(f->flags & IR_FN_METHOD) && (!f->name || !*f->name))
			flow_walk(a->c->flow, (struct flow_fn){a->fn.file, (int32_t)n->num}, false,
				  visit, a);
		return true;
	}
	case IR_RETURN:
		if (n->func == a->fn.func && carries(a, n->a)) {
			a->returned = true;
			a->returns_response |= is_response(a, n->a, 0);
		}
		return true;
	case IR_UNARY:
	case IR_BINARY:
		a->checked |= tests_answer(a, n);
		return true;
	case IR_NAME:
	case IR_MEMBER:
	case IR_CALL:
		break;
	case IR_INDEX:
		a->read |= carries(a, n->a);
		return true;
	default:
		return true;
	}
	if (n->text && n->kind != IR_CALL && strcasestr(n->text, "forbidden"))
		a->has_403 = true; /* Response::HTTP_FORBIDDEN, HTTPStatus.FORBIDDEN */
	if (check_read(a, n)) {
		a->checked = true;
		return true;
	}
	bool callee = n->parent && n->parent->kind == IR_CALL && n->parent->a == n;
	if (n->kind == IR_MEMBER && !callee)
		a->read |= carries(a, n->a); /* data.data.paymentUrl */
	else if (n->kind == IR_CALL && n->nkids && n->a && n->a->kind == IR_MEMBER)
		a->read |= carries(a, n->a->a); /* $res->json('data'), body.get("data") */
	if (n->kind == IR_CALL)
		helper_checks(a, n);
	return true;
}

static void analyse(struct answer *a)
{
	flow_walk(a->c->flow, a->fn, false, visit, a);
}

/* Whether a route row applies to the file registering the route: it imports the package,
 * and the project depends on a version the row names, without the patch. */
static bool route_concerned(struct flow_check *c, int32_t file, const struct model_row *r)
{
	const char *pkg = r->attr[MODEL_ATTR_PACKAGE], *patch = r->attr[MODEL_ATTR_PATCHED];
	const struct ir_file *ir = flow_ir(c->flow, file);
	bool imported = !pkg;
	for (uint32_t i = 0; i < ir->nimports && !imported; i++)
		imported = ir->imports[i].kind != IR_IMPORT_TYPE && ir->imports[i].spec &&
			   !strcmp(ir->imports[i].spec, pkg);
	int major = imported && pkg ? dependency_major(c->u->scan, ir->path, pkg) : -1;
	char want[16];
	int n = snprintf(want, sizeof want, "%d", major);
	return imported && (!pkg || major >= 0) &&
	       (!patch || dependency_major(c->u->scan, ir->path, patch) == -1) &&
	       (!pkg || !r->attr[MODEL_ATTR_VERSION] ||
		model_list_has(r->attr[MODEL_ATTR_VERSION], want, (size_t)n));
}

/* The uncaught_async row of a route fn is the async handler of (handed to it inline or by
 * name: router.post("/pay", createPayment)), or NULL. */
static const struct model_row *uncaught_route(struct flow_check *c, struct flow_fn fn)
{
	const struct ir_func *func = flow_func(c->flow, fn);
	size_t n;
	const struct flow_site *sites = flow_handed_to(c->flow, fn, &n);
	for (size_t i = 0; func && (func->flags & IR_FN_ASYNC) && i < n; i++) {
		const struct model_row *r =
		    flow_model(c->flow, sites[i].file, MODEL_UNCAUGHT_ASYNC, sites[i].call);
		if (r && route_concerned(c, sites[i].file, r))
			return r;
	}
	return NULL;
}

/* Whether an error raised in fn, not caught there, reaches an uncaught async route with no
 * try/catch on the way (fn itself, or its callers a few levels up). */
static const struct model_row *reaches_uncaught(struct flow_check *c, struct flow_fn fn, int depth)
{
	const struct model_row *r = uncaught_route(c, fn);
	size_t n;
	const struct flow_site *sites = flow_callers(c->flow, fn, &n);
	for (size_t i = 0; !r && depth < MAX_UP && i < n; i++)
		if (!flow_caught(c->q, sites[i].file, sites[i].call))
			r = reaches_uncaught(c, flow_fn_of(c->flow, sites[i].file, sites[i].call),
					     depth + 1);
	return r;
}

/* The request a wrapper makes: its OCPay call, else the request whose URL it is handed. */
static const struct flow_event *wrapped_request(struct flow_check *c, struct flow_fn fn)
{
	size_t n;
	const struct flow_event *ev = flow_events(c->flow, fn, &n);
	const struct flow_event *http = NULL;
	for (size_t k = 0; k < n; k++) {
		if (ev[k].kind == EV_CREATE_LINK || ev[k].kind == EV_CHECK_PAYMENT)
			return &ev[k];
		if (ev[k].kind == EV_HTTP && !http && ev[k].arg &&
		    (flow_labels(c->q, fn.file, ev[k].arg) & FL_PARAMS))
			http = &ev[k];
	}
	return http;
}

/* The answer of a request, analysed where it is used. A wrapper's call (via) answers what
 * the wrapper's request did: here when the wrapper hands it back unread; in the wrapper
 * when it reads it (an OCPay call there is judged there: false). */
static bool answer_of(struct answer *a, struct flow_check *c, struct flow_fn fn,
		      const struct flow_event *e, int depth)
{
	*a = (struct answer){.c = c, .fn = fn, .root = e->node, .root_response = true};
	a->mask = e->kind == EV_CREATE_LINK	? FL_CREATED | FL_CREATED_URL
		  : e->kind == EV_CHECK_PAYMENT ? FL_CHECKED
						: FL_ANSWER;
	a->caught = flow_caught(c->q, fn.file, e->node);
	if (e->row && e->row->attr[MODEL_ATTR_NOTE])
		a->note = e->row->attr[MODEL_ATTR_NOTE];
	if (flow_fn_ok(e->via)) {
		const struct flow_event *inner = wrapped_request(c, e->via);
		struct answer w;
		bool caught = a->caught;
		if (!inner || depth >= MAX_UP || !answer_of(&w, c, e->via, inner, depth + 1))
			return false;
		if (w.checked || w.read || !w.returned) {
			if (inner->kind != EV_HTTP)
				return false;
			struct answer here = *a;
			*a = w; /* apiRequest({endpoint}) that reads the answer itself */
			a->caught |= caught;
			if (w.returned && !a->has_403) {
				/* [$code, $body] = ocpay_post(...): what it hands back may be
				 * told apart here (if ($code === 403)) */
				analyse(&here);
				a->has_403 = here.has_403;
			}
			return true;
		}
		a->root_response = w.returns_response;
		a->note = w.note;
	} else if (e->row && e->row->attr[MODEL_ATTR_HANDLE]) {
		const struct ir_node *h = model_arg(e->node, e->row->attr[MODEL_ATTR_HANDLE]);
		a->name = h && h->kind == IR_NAME ? h->text : NULL; /* curl_setopt($ch, ...) */
	}
	analyse(a);
	return true;
}

/* Errors handled, but a createLink's 403 is not told apart: advice, which fails no item. */
static int advise(struct flow_check *c, const struct rule *r, const struct flow_event *e,
		  bool checked)
{
	char msg[160];
	snprintf(msg, sizeof msg,
		 "createLink errors are %s but 403 (merchant not validated) is not told apart "
		 "from other failures",
		 checked ? "checked" : "caught");
	return flow_report(c, r, e->node, msg, SEV_INFO);
}

static bool visit_403(void *ctx, const struct ir_node *n)
{
	bool *found = ctx;
	*found |= (n->kind == IR_NUMBER && n->num == 403) ||
		  (n->kind != IR_CALL && n->text && strcasestr(n->text, "forbidden"));
	return !*found;
}

/* Whether a catch around the call tells a 403 apart: the wrapper raised an error holding
 * the HTTP status and the caller reads it (err.status === 403). */
static bool catch_tells_403(const struct ir_node *call)
{
	bool found = false;
	for (const struct ir_node *t = flow_try_of(call); t && !found; t = flow_try_of(t))
		for (uint32_t i = 0; i < t->nkids && !found; i++)
			if (t->kids[i] && t->kids[i]->kind == IR_CATCH)
				ir_walk(t->kids[i]->b, visit_403, &found);
	return found;
}

static int judge(struct flow_check *c, const struct rule *r, struct flow_fn fn,
		 const struct flow_event *e)
{
	bool create = e->kind == EV_CREATE_LINK;
	const char *what = create ? "createLink" : "checkPayment";
	char msg[400];
	struct answer a;
	if (e->throws) {
		const struct flow_event *in =
		    flow_fn_ok(e->via) ? wrapped_request(c, e->via) : NULL;
		if (in && (in->kind != EV_HTTP || flow_caught(c->q, e->via.file, in->node)))
			return 0; /* judged at the wrapper's own OCPay call, or caught there */
		bool caught = flow_caught(c->q, c->file, e->node);
		const struct model_row *route = caught ? NULL : reaches_uncaught(c, fn, 0);
		if (route) {
			snprintf(
			    msg, sizeof msg,
			    "%s %s%s throws on an API error (403 merchant not validated) and %s: "
			    "wrap it in try/catch and answer the error",
			    e->sdk ? "the SDK's" : "the", what, e->sdk ? "" : " request",
			    route->attr[MODEL_ATTR_NOTE] ? route->attr[MODEL_ATTR_NOTE]
							 : "the async route does not catch it");
			return flow_report(c, r, e->node, msg, -1);
		}
		/* left to the framework; a catch-all of an HTTP client's errors is advised */
		if (!caught || e->sdk || !create || !answer_of(&a, c, fn, e, 0) || a.has_403 ||
		    catch_tells_403(e->node))
			return 0;
		return advise(c, r, e, false);
	}
	if (!answer_of(&a, c, fn, e, 0))
		return 0; /* a wrapper's OCPay call that reads or checks the answer: judged there */
	if (!a.checked && !a.read && a.returned)
		return 0; /* a thin wrapper: its callers are judged */
	if (!a.checked && !a.caught) {
		snprintf(msg, sizeof msg,
			 "the %s answer is used without checking the HTTP status or the success "
			 "flag, and nothing catches its errors: a 403 or 401 is read as a payment "
			 "(%s)",
			 what, a.note ? a.note : "check the HTTP status and the success flag");
		return flow_report(c, r, e->node, msg, -1);
	}
	return !create || a.has_403 || catch_tells_403(e->node) ? 0 : advise(c, r, e, a.checked);
}

int oc007_run(struct flow_check *c, const struct rule *r, const struct detector *d)
{
	(void)d;
	const struct ir_file *ir = flow_ir(c->flow, c->file);
	int rc = 0;
	for (uint32_t i = 0; i < ir->nfuncs && !rc; i++) {
		struct flow_fn fn = {c->file, (int32_t)i};
		size_t n;
		const struct flow_event *ev = flow_events(c->flow, fn, &n);
		for (size_t k = 0; k < n && !rc; k++)
			if (ev[k].kind == EV_CREATE_LINK || ev[k].kind == EV_CHECK_PAYMENT)
				rc = judge(c, r, fn, &ev[k]);
	}
	return rc;
}
