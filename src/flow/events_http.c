#define _GNU_SOURCE /* strcasestr */
/* Events of HTTP requests: the clients the models know (fetch, axios, got, Guzzle,
 * requests, httpx ...), the instances and project functions that make them with a base
 * URL, receivers typed as clients, and the OCPay endpoint a URL names, which makes a
 * request a createLink or a checkPayment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "flow/events_private.h"

/* The truth of the option a row's `raises` names on a call (Guzzle's 'http_errors' =>
 * false, aiohttp's raise_for_status=True), through a variable holding the options too:
 * 1 or 0, or -1 when the call does not say. */
static int raises_option(struct events *ev, int32_t file, const struct ir_node *call,
			 const struct model_row *r)
{
	const char *spec = r ? r->attr[MODEL_ATTR_RAISES] : NULL;
	if (!spec)
		return -1;
	const struct ir_node *v = model_arg(call, spec);
	const char *dot = strchr(spec, '.');
	if (!v && dot && (size_t)(dot - spec) < 16) {
		char head[16];
		snprintf(head, sizeof head, "%.*s", (int)(dot - spec), spec);
		int32_t of;
		const struct ir_node *opts = model_arg(call, head);
		v = opts ? flow_member_value(ev->q, file, opts, dot + 1, &of) : NULL;
	}
	return v && v->kind == IR_BOOL ? v->num != 0 : -1;
}

/* Which endpoint a URL names: EV_CREATE_LINK, EV_CHECK_PAYMENT, or -1. A row `on:
 * partial` counts only for a URL with parts that are not known ("{?}/checkPayment/"). */
int ev_endpoint_of(const struct flow *f, enum lang lang, const char *url)
{
	size_t n;
	bool partial = strstr(url, "{?}") != NULL;
	const struct model_row *const *rows = model_rows(f->models, MODEL_ENDPOINT, &n);
	for (size_t i = 0; i < n; i++) {
		const struct model_row *r = rows[i];
		const char *what = r->attr[MODEL_ATTR_FOR];
		if (!(r->langs & LANG_BIT(lang)) || !what || !strcasestr(url, r->text))
			continue;
		if (r->attr[MODEL_ATTR_ON] && !strcmp(r->attr[MODEL_ATTR_ON], "partial") &&
		    !partial)
			continue;
		if (!strcmp(what, "createLink"))
			return EV_CREATE_LINK;
		if (!strcmp(what, "checkPayment"))
			return EV_CHECK_PAYMENT;
	}
	return -1;
}

/* The row of kind whose receiver (by_receiver) or type pattern names a declared type
 * (App\\Logging\\AuditLogger is AuditLogger), or NULL. */
static const struct model_row *row_of_type(const struct flow *f, enum model_kind kind,
					   enum lang lang, const char *type, bool by_receiver)
{
	const char *bs = strrchr(type, '\\');
	struct path p = {.n = 1, .rooted = true};
	p.seg[0] = bs ? bs + 1 : type;
	size_t n;
	const struct model_row *const *rows = model_rows(f->models, kind, &n);
	for (size_t i = 0; i < n; i++) {
		const struct path_pattern *pat =
		    by_receiver ? rows[i]->receiver_pat : rows[i]->type_pat;
		if ((rows[i]->langs & LANG_BIT(lang)) && pat && path_match(pat, &p))
			return rows[i];
	}
	return NULL;
}

/* The declared type of property prop of class c: a field's, or a constructor parameter's
 * promoted to it; NULL when none is written. */
static const char *property_type(const struct ir_file *ir, const struct ir_class *c,
				 const char *prop)
{
	for (uint32_t i = 0; i < c->nfields; i++)
		if (c->fields[i].type && c->fields[i].name && !strcmp(c->fields[i].name, prop))
			return c->fields[i].type;
	for (uint32_t m = 0; m < c->nmethods; m++) {
		const struct ir_func *fn = &ir->funcs[c->methods[m]];
		for (uint32_t k = 0; (fn->flags & IR_FN_CTOR) && k < fn->nparams; k++)
			if (fn->params[k].name && !strcmp(fn->params[k].name, prop))
				return fn->params[k].type;
	}
	return NULL;
}

/* The declared type of what a receiver holds: a property's (declared, or promoted by the
 * constructor), a parameter's. */
static const char *receiver_type(struct events *ev, const struct ir_node *recv)
{
	const struct flow *f = ev->f;
	int32_t file = ev->fn.file;
	if (recv && recv->kind == IR_MEMBER && recv->a && recv->a->kind == IR_THIS && recv->text) {
		int32_t cf, cc;
		if (!value_class(f, file, recv->a, &cf, &cc, 0))
			return NULL;
		const struct ir_file *ir = flow_ir(f, cf);
		return property_type(ir, &ir->classes[cc], recv->text);
	}
	if (recv && recv->kind == IR_NAME) {
		const struct def *d = def_reaching(f, file, recv, recv);
		const struct ir_param *p = d ? def_param(f, file, d) : NULL;
		return p ? p->type : NULL;
	}
	return NULL;
}

/* A row of kind whose `type` names the declared type of the call's receiver: any method
 * of an injected LoggerInterface $audit is a log. */
const struct model_row *ev_typed_row(struct events *ev, enum model_kind kind,
				     const struct ir_node *call)
{
	const struct ir_node *recv = call->a && call->a->kind == IR_MEMBER ? call->a->a : NULL;
	const char *type = receiver_type(ev, recv);
	if (!type)
		return NULL;
	return row_of_type(ev->f, kind, ev->ir->lang, type, true);
}

/* The client row whose `type` names the type of property prop of class c (a declared
 * field, or a constructor parameter promoted to it), or NULL. */
static const struct model_row *client_by_type(struct events *ev, const struct ir_file *ir,
					      const struct ir_class *c, const char *prop)
{
	const char *type = prop ? property_type(ir, c, prop) : NULL;
	return !type ? NULL : row_of_type(ev->f, MODEL_HTTP, ir->lang, type, false);
}

/* What holds the client a request is made on: the receiver of api.post(), or the name
 * called when the client is itself a function (const api = ofetch.create(...); api(url)). */
static const struct ir_node *client_holder(const struct ir_node *call)
{
	if (!call->a)
		return NULL;
	return call->a->kind == IR_MEMBER ? call->a->a : call->a->kind == IR_NAME ? call->a : NULL;
}

/* The client a receiver holds (axios.create({baseURL}), new Client(['base_uri' => ..]),
 * httpx.Client(base_url=...)) and its base URL, through locals, properties, imports. */
const struct model_row *ev_client_of(struct events *ev, int32_t file, const struct ir_node *recv,
				     char *base, size_t size, int depth)
{
	const struct flow *f = ev->f;
	if (!recv || depth > 6)
		return NULL;
	while (recv->kind == IR_AWAIT)
		recv = recv->a;
	if (recv->kind == IR_CALL) {
		const struct model_row *r = model_for(f, file, MODEL_HTTP, recv);
		if (!r || !r->attr[MODEL_ATTR_CLIENT] ||
		    strcmp(r->attr[MODEL_ATTR_CLIENT], "true")) {
			/* a project function that makes the client: transport(apiKey) */
			struct flow_fn maker = flow_callee(f, file, recv);
			const struct ir_node *made =
			    flow_fn_ok(maker) ? flow_returned(f, maker) : NULL;
			return made ? ev_client_of(ev, maker.file, made, base, size, depth + 1)
				    : NULL;
		}
		ev->client = recv;
		ev->client_file = file;
		bool partial;
		const struct ir_node *b =
		    r->attr[MODEL_ATTR_BASE] ? model_arg(recv, r->attr[MODEL_ATTR_BASE]) : NULL;
		if (!b && r->attr[MODEL_ATTR_BASE] && strchr(r->attr[MODEL_ATTR_BASE], '.')) {
			/* the options object is held in a variable */
			char spec[64];
			snprintf(spec, sizeof spec, "%s", r->attr[MODEL_ATTR_BASE]);
			char *dot = strchr(spec, '.');
			*dot = '\0';
			int32_t of;
			const struct ir_node *opts = model_arg(recv, spec);
			b = opts ? flow_member_value(ev->q, file, opts, dot + 1, &of) : NULL;
			if (b && !flow_string(ev->q, of, b, base, size, &partial))
				snprintf(base, size, "{?}");
			return r;
		}
		/* a base the engine cannot read (settings.OCPAY_URL) is still a base */
		if (!b)
			base[0] = '\0';
		else if (!flow_string(ev->q, file, b, base, size, &partial))
			snprintf(base, size, "{?}");
		return r;
	}
	const struct ir_node *value = NULL;
	int32_t vf = file;
	if (recv->kind == IR_NAME) {
		const struct ir_node *defs[4];
		int32_t files[4];
		if (flow_defs(ev->q, file, recv, defs, files, 4) >= 1) {
			value = defs[0];
			vf = files[0];
		}
	} else if (recv->kind == IR_MEMBER && recv->a && recv->a->kind == IR_THIS) {
		/* this.http = axios.create(...) in the constructor, or a property's value */
		int32_t cf, cc;
		if (value_class(f, file, recv->a, &cf, &cc, 0)) {
			const struct ir_file *cir = flow_ir(f, cf);
			const struct ir_class *c = &cir->classes[cc];
			for (uint32_t i = 0; i < c->nfields && !value; i++)
				if (c->fields[i].name && recv->text &&
				    !strcmp(c->fields[i].name, recv->text))
					value = c->fields[i].value, vf = cf;
			for (uint32_t m = 0; m < c->nmethods && !value; m++) {
				const struct ir_func *mf = &cir->funcs[c->methods[m]];
				for (uint32_t k = 0; mf->body && k < mf->body->nkids && !value;
				     k++) {
					const struct ir_node *st = mf->body->kids[k];
					const struct ir_node *as =
					    st->kind == IR_EXPR ? st->a : NULL;
					if (as && as->kind == IR_ASSIGN && as->a &&
					    as->a->kind == IR_MEMBER && as->a->a &&
					    as->a->a->kind == IR_THIS && as->a->text &&
					    recv->text && !strcmp(as->a->text, recv->text))
						value = as->b, vf = cf;
				}
			}
			/* no value the engine can see, but a property typed as a client: an
			 * injected HttpClientInterface $ocpayClient */
			const struct model_row *typed =
			    value ? NULL : client_by_type(ev, cir, c, recv->text);
			if (typed) {
				base[0] = '\0';
				return typed;
			}
		}
	}
	return value ? ev_client_of(ev, vf, value, base, size, depth + 1) : NULL;
}

/* The ref in a checkPayment URL: what follows the endpoint in a template or a
 * concatenation ("/ocpay/checkPayment/" + ref), else the URL itself. */
const struct ir_node *ev_ref_in_url(const struct ir_node *url)
{
	if (!url)
		return NULL;
	if (url->kind == IR_TEMPLATE && url->nkids) {
		const struct ir_node *last = url->kids[url->nkids - 1];
		return last->kind == IR_STRING && url->nkids > 1 ? url->kids[url->nkids - 2] : last;
	}
	if (url->kind == IR_BINARY && (url->op == IR_OP_ADD || url->op == IR_OP_CONCAT))
		return url->b;
	return url;
}

/* The name a handle call works on: its `handle` argument, or the name the call's answer is
 * given ($ch = curl_init(...)). */
static const char *handle_name(const struct ir_node *call, const struct model_row *r)
{
	const struct ir_node *h =
	    r->attr[MODEL_ATTR_HANDLE] ? model_arg(call, r->attr[MODEL_ATTR_HANDLE]) : NULL;
	if (!h) {
		const struct ir_node *p = call->parent;
		if (p && p->kind == IR_ASSIGN && p->b == call)
			h = p->a;
		else if (p && p->kind == IR_DECL && p->b == call)
			h = p->a;
	}
	return h && h->kind == IR_NAME ? h->text : NULL;
}

struct handle_body {
	struct events *ev;
	const char *handle;
	const struct ir_node *body;
};

const struct model_row *ev_http_row(struct events *ev, const struct ir_node *call,
				    const struct path *p);

static bool visit_handle_body(void *ctx, const struct ir_node *n)
{
	struct handle_body *hb = ctx;
	struct path p;
	if (hb->body || n->kind != IR_CALL || !path_of(&p, n) || !p.n)
		return !hb->body;
	const struct model_row *r = ev_http_row(hb->ev, n, &p);
	const char *h =
	    r && r->attr[MODEL_ATTR_BODY] && r->attr[MODEL_ATTR_HANDLE] ? handle_name(n, r) : NULL;
	if (h && !strcmp(h, hb->handle))
		hb->body = model_arg(n, r->attr[MODEL_ATTR_BODY]);
	return !hb->body;
}

/* The body a request made in steps on a handle is given by another call on the handle:
 * curl_setopt($ch, CURLOPT_POSTFIELDS, $payload) for $ch = curl_init($url). */
static const struct ir_node *body_on_handle(struct events *ev, const struct ir_node *call,
					    const struct model_row *r)
{
	const char *h = handle_name(call, r);
	if (!h)
		return NULL;
	struct handle_body hb = {ev, h, NULL};
	ir_walk(ev->ir->funcs[ev->fn.func].body, visit_handle_body, &hb);
	return hb.body;
}

void ev_http_event(struct events *ev, const struct ir_node *call, const struct model_row *r)
{
	if (r->attr[MODEL_ATTR_CLIENT] && !strcmp(r->attr[MODEL_ATTR_CLIENT], "true"))
		return; /* making a client is not a request */
	const struct ir_node *url =
	    r->attr[MODEL_ATTR_URL] ? model_arg(call, r->attr[MODEL_ATTR_URL]) : NULL;
	char text[URL_MAX] = "", base[URL_MAX] = "";
	bool partial = false;
	if (url)
		flow_string(ev->q, ev->fn.file, url, text, sizeof text, &partial);
	const struct model_row *client = NULL;
	ev->client = NULL;
	if (client_holder(call))
		client = ev_client_of(ev, ev->fn.file, client_holder(call), base, sizeof base, 0);
	/* whether an error answer raises: the request's row, unless the client was made
	 * with an option that says otherwise, unless the request itself says */
	bool throws = ev_attr_true(r, MODEL_ATTR_THROWS);
	int opt =
	    client && ev->client ? raises_option(ev, ev->client_file, ev->client, client) : -1;
	if (opt >= 0)
		throws = opt;
	if ((opt = raises_option(ev, ev->fn.file, call, r)) >= 0)
		throws = opt;
	/* a client's base and a relative path join with one slash (got's prefixUrl,
	 * Guzzle's base_uri); an absolute URL ignores the base */
	char whole[2 * URL_MAX];
	bool slash = base[0] && text[0] && base[strlen(base) - 1] != '/' && text[0] != '/';
	if (strstr(text, "://"))
		snprintf(whole, sizeof whole, "%s", text);
	else if (!base[0] && text[0] && text[0] != '/' && text[0] != '{' && call->a &&
		 call->a->kind == IR_MEMBER)
		snprintf(whole, sizeof whole, "{?}/%s", text); /* a client configured elsewhere */
	else
		snprintf(whole, sizeof whole, "%s%s%s", base, slash ? "/" : "", text);
	int kind = ev_endpoint_of(ev->f, ev->ir->lang, whole);
	const struct ir_node *body =
	    r->attr[MODEL_ATTR_BODY] ? model_arg(call, r->attr[MODEL_ATTR_BODY]) : NULL;
	if (kind == EV_CREATE_LINK && !body)
		body = body_on_handle(ev, call, r);
	if ((kind == EV_CREATE_LINK || kind == EV_CHECK_PAYMENT) &&
	    flow_note_api_url(ev->f, ev->q, ev->fn.file, url) < 0)
		ev->oom = true;
	if (kind == EV_CREATE_LINK)
		ev_emit(ev, EV_CREATE_LINK, call, body, r, FLOW_FN_NONE, -1, false);
	else if (kind == EV_CHECK_PAYMENT)
		ev_emit(ev, EV_CHECK_PAYMENT, call, ev_ref_in_url(url), r, FLOW_FN_NONE, -1, false);
	else /* a request to the project's own route runs its handler */
		ev_emit(ev, EV_HTTP, call, url, r,
			base[0] ? FLOW_FN_NONE : routes_find(ev->f, text), -1, false);
	ev_set_throws(ev, throws);
}

/* Whether the path's first name is imported from module: import { request } from "undici". */
static bool imported_from(struct events *ev, const struct path *p, const char *module)
{
	const struct ir_node *name = p->n ? p->node[0] : NULL;
	if (name && name->kind == IR_CALL) /* the segment of request(): its callee */
		name = name->a;
	if (!name || name->kind != IR_NAME)
		return false;
	const struct def *d = def_reaching(ev->f, ev->fn.file, name, name);
	if (!d || d->how != DEF_IMPORT)
		return false;
	const struct ir_import *im = &ev->ir->imports[d->param];
	return im->spec && !strcmp(im->spec, module);
}

/* The HTTP row a call matches; a row `on: client` only when the receiver holds a client. */
const struct model_row *ev_http_row(struct events *ev, const struct ir_node *call,
				    const struct path *p)
{
	size_t n;
	const struct model_row *const *rows = model_rows(ev->f->models, MODEL_HTTP, &n);
	for (size_t i = 0; i < n; i++) {
		const struct model_row *r = rows[i];
		if (!(r->langs & LANG_BIT(ev->ir->lang)) || !path_match(r->pat, p))
			continue;
		if (r->attr[MODEL_ATTR_WITH] && !model_arg_is(call, r->attr[MODEL_ATTR_WITH]))
			continue;
		if (r->attr[MODEL_ATTR_FROM] && !imported_from(ev, p, r->attr[MODEL_ATTR_FROM]))
			continue;
		if (r->attr[MODEL_ATTR_ON] && !strcmp(r->attr[MODEL_ATTR_ON], "client")) {
			char base[URL_MAX];
			const struct ir_node *h = client_holder(call);
			if (!h || !ev_client_of(ev, ev->fn.file, h, base, sizeof base, 0))
				continue;
		}
		return r;
	}
	return NULL;
}
