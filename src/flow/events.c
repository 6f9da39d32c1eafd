#define _GNU_SOURCE /* strcasestr */
/* Events: what a function does that the rules care about, classified by the models. A
 * call to a project function is judged by that function's summary first (a wrapper of
 * the OCPay API is an API call wherever it is called); other calls by the models: the
 * SDKs, HTTP requests whose URL names an OCPay endpoint (the base URL of an axios.create()
 * or httpx.Client() instance included), writes, fulfilments, logs, timers, waits, exits.
 * An assignment of a paid or failed status to an order's status field is an event too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "flow/flow_private.h"

#define URL_MAX 512

struct events {
	struct flow *f;
	struct flow_query *q;
	struct flow_fn fn;
	const struct ir_file *ir;
	struct flow_event *items;
	uint32_t n, cap;
	bool oom;
	const struct ir_node *client; /* the call that made the client client_of() found */
	int32_t client_file;
};

/* Whether name is one of the '|'-separated names. */
static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, "|");
		if (len == n && !strncmp(p, name, n))
			return true;
		p += len + (p[len] == '|');
	}
	return false;
}

static void emit(struct events *ev, enum flow_event_kind kind, const struct ir_node *node,
		 const struct ir_node *arg, const struct model_row *row, struct flow_fn via,
		 double ms, bool sdk)
{
	if (ev->oom)
		return;
	if (ev->n == ev->cap) {
		uint32_t cap = ev->cap ? ev->cap * 2 : 8;
		struct flow_event *p = realloc(ev->items, cap * sizeof *p);
		if (!p) {
			ev->oom = true;
			return;
		}
		ev->items = p;
		ev->cap = cap;
	}
	ev->items[ev->n++] = (struct flow_event){kind, node, ev->fn, arg, row, via, ms, sdk, false};
}

/* Marks the event just emitted as one whose error answer raises. */
static void set_throws(struct events *ev, bool throws)
{
	if (!ev->oom && ev->n)
		ev->items[ev->n - 1].throws = throws;
}

/* Whether the request a wrapper makes raises on an error answer: its first API or HTTP
 * event's, through wrappers of wrappers. */
static bool wrapped_throws(const struct flow *f, struct flow_fn fn, int depth)
{
	size_t n;
	const struct flow_event *e = flow_events(f, fn, &n);
	for (size_t i = 0; i < n; i++) {
		if (e[i].kind != EV_CREATE_LINK && e[i].kind != EV_CHECK_PAYMENT &&
		    e[i].kind != EV_HTTP)
			continue;
		if (flow_fn_ok(e[i].via) && depth < 4)
			return wrapped_throws(f, e[i].via, depth + 1);
		return e[i].throws;
	}
	return false;
}

static bool attr_true(const struct model_row *r, enum model_attr a)
{
	return r && r->attr[a] && !strcmp(r->attr[a], "true");
}

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
static int endpoint_of(const struct flow *f, enum lang lang, const char *url)
{
	size_t n;
	bool partial = strstr(url, "{?}") != NULL;
	const struct model_row *const *rows = model_rows(f->models, MODEL_ENDPOINT, &n);
	for (size_t i = 0; i < n; i++) {
		const struct model_row *r = rows[i];
		const char *what = r->attr[MODEL_ATTR_FOR];
		if (!(r->langs & LANG_BIT(lang)) || !what || !strcasestr(url, r->text))
			continue;
		if (r->attr[MODEL_ATTR_ON] && !strcmp(r->attr[MODEL_ATTR_ON], "partial") && !partial)
			continue;
		if (!strcmp(what, "createLink"))
			return EV_CREATE_LINK;
		if (!strcmp(what, "checkPayment"))
			return EV_CHECK_PAYMENT;
	}
	return -1;
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
		const struct ir_class *c = &ir->classes[cc];
		for (uint32_t i = 0; i < c->nfields; i++)
			if (c->fields[i].name && !strcmp(c->fields[i].name, recv->text))
				return c->fields[i].type;
		for (uint32_t m = 0; m < c->nmethods; m++) {
			const struct ir_func *fn = &ir->funcs[c->methods[m]];
			for (uint32_t k = 0; (fn->flags & IR_FN_CTOR) && k < fn->nparams; k++)
				if (fn->params[k].name && !strcmp(fn->params[k].name, recv->text))
					return fn->params[k].type;
		}
		return NULL;
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
static const struct model_row *typed_row(struct events *ev, enum model_kind kind,
					 const struct ir_node *call)
{
	const struct ir_node *recv = call->a && call->a->kind == IR_MEMBER ? call->a->a : NULL;
	const char *type = receiver_type(ev, recv);
	if (!type)
		return NULL;
	const char *bs = strrchr(type, '\\');
	struct path p = {.n = 1, .rooted = true};
	p.seg[0] = bs ? bs + 1 : type;
	size_t n;
	const struct model_row *const *rows = model_rows(ev->f->models, kind, &n);
	for (size_t i = 0; i < n; i++)
		if ((rows[i]->langs & LANG_BIT(ev->ir->lang)) && rows[i]->receiver_pat &&
		    path_match(rows[i]->receiver_pat, &p))
			return rows[i];
	return NULL;
}

/* The client row whose `type` names the type of property prop of class c (a declared
 * field, or a constructor parameter promoted to it), or NULL. */
static const struct model_row *client_by_type(struct events *ev, const struct ir_file *ir,
					      const struct ir_class *c, const char *prop)
{
	const char *type = NULL;
	for (uint32_t i = 0; prop && i < c->nfields && !type; i++)
		if (c->fields[i].name && !strcmp(c->fields[i].name, prop))
			type = c->fields[i].type;
	for (uint32_t m = 0; prop && m < c->nmethods && !type; m++) {
		const struct ir_func *fn = &ir->funcs[c->methods[m]];
		for (uint32_t k = 0; (fn->flags & IR_FN_CTOR) && k < fn->nparams && !type; k++)
			if (fn->params[k].name && !strcmp(fn->params[k].name, prop))
				type = fn->params[k].type;
	}
	if (!type)
		return NULL;
	const char *bs = strrchr(type, '\\');
	struct path p = {.n = 1, .rooted = true};
	p.seg[0] = bs ? bs + 1 : type;
	size_t n;
	const struct model_row *const *rows = model_rows(ev->f->models, MODEL_HTTP, &n);
	for (size_t i = 0; i < n; i++)
		if ((rows[i]->langs & LANG_BIT(ir->lang)) && rows[i]->type_pat &&
		    path_match(rows[i]->type_pat, &p))
			return rows[i];
	return NULL;
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
static const struct model_row *client_of(struct events *ev, int32_t file,
					 const struct ir_node *recv, char *base, size_t size,
					 int depth)
{
	const struct flow *f = ev->f;
	if (!recv || depth > 6)
		return NULL;
	while (recv->kind == IR_AWAIT)
		recv = recv->a;
	if (recv->kind == IR_CALL) {
		const struct model_row *r = model_for(f, file, MODEL_HTTP, recv);
		if (!r || !r->attr[MODEL_ATTR_CLIENT] || strcmp(r->attr[MODEL_ATTR_CLIENT], "true")) {
			/* a project function that makes the client: transport(apiKey) */
			struct flow_fn maker = flow_callee(f, file, recv);
			const struct ir_node *made =
				flow_fn_ok(maker) ? flow_returned(f, maker) : NULL;
			return made ? client_of(ev, maker.file, made, base, size, depth + 1) : NULL;
		}
		ev->client = recv;
		ev->client_file = file;
		bool partial;
		const struct ir_node *b = r->attr[MODEL_ATTR_BASE]
						  ? model_arg(recv, r->attr[MODEL_ATTR_BASE])
						  : NULL;
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
				for (uint32_t k = 0; mf->body && k < mf->body->nkids && !value; k++) {
					const struct ir_node *st = mf->body->kids[k];
					const struct ir_node *as = st->kind == IR_EXPR ? st->a : NULL;
					if (as && as->kind == IR_ASSIGN && as->a &&
					    as->a->kind == IR_MEMBER && as->a->a &&
					    as->a->a->kind == IR_THIS && as->a->text && recv->text &&
					    !strcmp(as->a->text, recv->text))
						value = as->b, vf = cf;
				}
			}
			/* no value the engine can see, but a property typed as a client: an
			 * injected HttpClientInterface $ocpayClient */
			const struct model_row *typed = value ? NULL : client_by_type(ev, cir, c, recv->text);
			if (typed) {
				base[0] = '\0';
				return typed;
			}
		}
	}
	return value ? client_of(ev, vf, value, base, size, depth + 1) : NULL;
}

/* The ref in a checkPayment URL: what follows the endpoint in a template or a
 * concatenation ("/ocpay/checkPayment/" + ref), else the URL itself. */
static const struct ir_node *ref_in_url(const struct ir_node *url)
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
	const struct ir_node *h = r->attr[MODEL_ATTR_HANDLE] ? model_arg(call, r->attr[MODEL_ATTR_HANDLE])
							      : NULL;
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

static const struct model_row *http_row(struct events *ev, const struct ir_node *call,
					const struct path *p);

static bool visit_handle_body(void *ctx, const struct ir_node *n)
{
	struct handle_body *hb = ctx;
	struct path p;
	if (hb->body || n->kind != IR_CALL || !path_of(&p, n) || !p.n)
		return !hb->body;
	const struct model_row *r = http_row(hb->ev, n, &p);
	const char *h = r && r->attr[MODEL_ATTR_BODY] && r->attr[MODEL_ATTR_HANDLE]
				? handle_name(n, r)
				: NULL;
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

static void http_event(struct events *ev, const struct ir_node *call, const struct model_row *r)
{
	if (r->attr[MODEL_ATTR_CLIENT] && !strcmp(r->attr[MODEL_ATTR_CLIENT], "true"))
		return; /* making a client is not a request */
	const struct ir_node *url = r->attr[MODEL_ATTR_URL] ? model_arg(call, r->attr[MODEL_ATTR_URL])
							    : NULL;
	char text[URL_MAX] = "", base[URL_MAX] = "";
	bool partial = false;
	if (url)
		flow_string(ev->q, ev->fn.file, url, text, sizeof text, &partial);
	const struct model_row *client = NULL;
	ev->client = NULL;
	if (client_holder(call))
		client = client_of(ev, ev->fn.file, client_holder(call), base, sizeof base, 0);
	/* whether an error answer raises: the request's row, unless the client was made
	 * with an option that says otherwise, unless the request itself says */
	bool throws = attr_true(r, MODEL_ATTR_THROWS);
	int opt = client && ev->client ? raises_option(ev, ev->client_file, ev->client, client) : -1;
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
	int kind = endpoint_of(ev->f, ev->ir->lang, whole);
	const struct ir_node *body =
		r->attr[MODEL_ATTR_BODY] ? model_arg(call, r->attr[MODEL_ATTR_BODY]) : NULL;
	if (kind == EV_CREATE_LINK && !body)
		body = body_on_handle(ev, call, r);
	if (kind == EV_CREATE_LINK)
		emit(ev, EV_CREATE_LINK, call, body, r, FLOW_FN_NONE, -1, false);
	else if (kind == EV_CHECK_PAYMENT)
		emit(ev, EV_CHECK_PAYMENT, call, ref_in_url(url), r, FLOW_FN_NONE, -1, false);
	else /* a request to the project's own route runs its handler */
		emit(ev, EV_HTTP, call, url, r, base[0] ? FLOW_FN_NONE : routes_find(ev->f, text), -1,
		     false);
	set_throws(ev, throws);
}

/* A timer or a schedule: what it runs and how often. A scheduling call whose period a
 * chained call sets ($schedule->job(...)->everyMinute()) is one only with that call. */
static bool timer_event(struct events *ev, const struct ir_node *node, const struct model_row *r)
{
	double ms = model_duration(ev->q, ev->fn.file, node, r);
	if (r->attr[MODEL_ATTR_CHAINED] && ms < 0)
		return false;
	const struct ir_node *arg = NULL;
	double wait;
	if (r->attr[MODEL_ATTR_FN])
		arg = model_arg(node, r->attr[MODEL_ATTR_FN]);
	if (arg && node->kind == IR_CALL && flow_number(ev->q, ev->fn.file, arg, &wait)) {
		/* a number where the function goes: timers/promises' setTimeout(750) waits */
		emit(ev, EV_SLEEP, node, arg, r, FLOW_FN_NONE, wait, false);
		return true;
	}
	else if (r->attr[MODEL_ATTR_URL])
		arg = model_arg(node, r->attr[MODEL_ATTR_URL]);
	else if (r->attr[MODEL_ATTR_HOOK])
		arg = model_arg(node, r->attr[MODEL_ATTR_HOOK]);
	emit(ev, EV_TIMER, node, arg, r, flow_target_of(ev->f, ev->q, ev->fn, node, r), ms, false);
	return true;
}

/* A table of schedules assigned (Celery's beat_schedule = {"name": {"task": ...,
 * "schedule": 5.0}}): each entry is a timer. */
static void timer_table(struct events *ev, const struct ir_node *target, const struct ir_node *value)
{
	const struct model_row *r = target ? model_for(ev->f, ev->fn.file, MODEL_TIMER_TABLE, target)
					   : NULL;
	int32_t of;
	const struct ir_node *table = r && value ? flow_object(ev->q, ev->fn.file, value, &of) : NULL;
	if (!table || of != ev->fn.file)
		return;
	for (uint32_t i = 0; i < table->nkids; i++) {
		const struct ir_node *entry = table->kids[i];
		if (entry->kind == IR_PAIR && entry->b && entry->b->kind == IR_OBJECT)
			timer_event(ev, entry->b, r);
	}
}

/* The kinds of status a value written may be (paid, failed), from the models: a string,
 * an enum case (OrderStatus.PAID), or each value a local or a ternary may hold
 * (next = status === "CONFIRMED" ? "PAID" : "FAILED"). */
static void status_options(struct events *ev, int32_t file, const struct ir_node *value,
			   bool *paid, bool *failed, int depth)
{
	char buf[64];
	bool partial;
	if (!value || depth > 6)
		return;
	if (value->kind == IR_COND) {
		status_options(ev, file, value->b ? value->b : value->a, paid, failed, depth + 1);
		status_options(ev, file, value->c, paid, failed, depth + 1);
		return;
	}
	if (value->kind == IR_NAME) {
		const struct ir_node *defs[4];
		int32_t files[4];
		size_t n = flow_defs(ev->q, file, value, defs, files, 4);
		for (size_t i = 0; i < n; i++)
			if (defs[i]->kind == IR_COND)
				status_options(ev, files[i], defs[i], paid, failed, depth + 1);
		if (n && defs[0]->kind == IR_COND)
			return;
	}
	if (!flow_string(ev->q, file, value, buf, sizeof buf, &partial) || partial) {
		if (value->kind != IR_MEMBER || !value->text)
			return;
		snprintf(buf, sizeof buf, "%s", value->text);
	}
	if (model_has_value(ev->f->models, MODEL_PAID_STATUS, ev->ir->lang, buf))
		*paid = true;
	else if (model_has_value(ev->f->models, MODEL_FAILED_STATUS, ev->ir->lang, buf))
		*failed = true;
}

/* A status value written: EV_FULFIL when it may be paid, EV_FAIL_MARK when it may only
 * be failed, or -1. */
static int status_written(struct events *ev, const struct ir_node *value)
{
	bool paid = false, failed = false;
	status_options(ev, ev->fn.file, value, &paid, &failed, 0);
	return paid ? EV_FULFIL : failed ? EV_FAIL_MARK : -1;
}

static bool is_status_field(struct events *ev, const char *name)
{
	return name && model_has_value(ev->f->models, MODEL_STATUS_FIELD, ev->ir->lang, name);
}

/* {status: "paid"} handed to a write, or SQL that sets it; the SQL's status is reported at
 * `at` when given (the execute() of a statement prepared earlier). */
static void written_status(struct events *ev, const struct ir_node *call, const struct ir_node *e,
			   const struct ir_node *at, int depth)
{
	if (!e || depth > 4)
		return;
	if (e->kind == IR_OBJECT || (e->kind == IR_CALL && e == call)) {
		for (uint32_t i = 0; i < e->nkids; i++) {
			const struct ir_node *p = e->kids[i];
			if (p->kind == IR_PAIR && is_status_field(ev, p->text)) {
				/* at the field written: { status: "PAID" } */
				int k = status_written(ev, p->b);
				if (k >= 0)
					emit(ev, (enum flow_event_kind)k, p, p->b, NULL, FLOW_FN_NONE,
					     -1, false);
			} else if (p->kind == IR_PAIR) {
				written_status(ev, call, p->b, at, depth + 1); /* {data: {status}} */
			}
		}
		return;
	}
	if (e->kind == IR_STRING || e->kind == IR_TEMPLATE) {
		char sql[1024];
		bool partial;
		if (!flow_string(ev->q, ev->fn.file, e, sql, sizeof sql, &partial) ||
		    !strcasestr(sql, "update") || !strcasestr(sql, " set "))
			return;
		/* SET status = 'paid' */
		for (const char *p = strcasestr(sql, " set "); p && *p; p++) {
			if (*p != '\'' && *p != '"')
				continue;
			const char *end = strchr(p + 1, *p);
			if (!end)
				break;
			char value[64];
			snprintf(value, sizeof value, "%.*s", (int)(end - p - 1), p + 1);
			if (model_has_value(ev->f->models, MODEL_PAID_STATUS, ev->ir->lang, value)) {
				emit(ev, EV_FULFIL, at ? at : e, e, NULL, FLOW_FN_NONE, -1, false);
				return;
			}
			if (model_has_value(ev->f->models, MODEL_FAILED_STATUS, ev->ir->lang, value)) {
				emit(ev, EV_FAIL_MARK, at ? at : e, e, NULL, FLOW_FN_NONE, -1, false);
				return;
			}
			p = end;
		}
	}
}

/* A statement prepared and kept for later ($stmt = $pdo->prepare("UPDATE ...")): its SQL
 * runs, and its status is set, where the statement is executed. */
static bool prepared_for_later(const struct model_row *r, const struct ir_node *call)
{
	const struct ir_node *up = call->parent;
	while (up && up->kind == IR_AWAIT)
		up = up->parent;
	return attr_true(r, MODEL_ATTR_PREPARED) && up &&
	       (up->kind == IR_DECL || up->kind == IR_ASSIGN);
}

/* At an execute() on a statement prepared earlier in the file: the status its SQL sets. */
static void executed_status(struct events *ev, const struct ir_node *call)
{
	const struct ir_node *recv = call->a && call->a->kind == IR_MEMBER ? call->a->a : NULL;
	const struct ir_node *defs[4];
	int32_t files[4];
	size_t k = recv && recv->kind == IR_NAME ? flow_defs(ev->q, ev->fn.file, recv, defs, files, 4)
						 : 0;
	for (size_t d = 0; d < k; d++) {
		const struct ir_node *v = defs[d];
		while (v && v->kind == IR_AWAIT)
			v = v->a;
		struct path dp;
		const struct model_row *w;
		if (files[d] != ev->fn.file || !v || v->kind != IR_CALL || !path_of(&dp, v) ||
		    !(w = model_match(ev->f->models, MODEL_WRITE, ev->ir->lang, &dp)) ||
		    !prepared_for_later(w, v))
			continue;
		for (uint32_t i = 0; i < v->nkids; i++)
			written_status(ev, v, v->kids[i], call, 0);
		return;
	}
}

/* Whether the SQL a write row's call is handed inserts or updates. */
static bool writes_sql(struct events *ev, int32_t file, const struct ir_node *call,
		       const struct model_row *r)
{
	char sql[1024];
	bool partial;
	const struct ir_node *q = model_arg(call, r->attr[MODEL_ATTR_SQL]);
	return q && flow_string(ev->q, file, q, sql, sizeof sql, &partial) &&
	       (strcasestr(sql, "insert") || strcasestr(sql, "update") || strcasestr(sql, "replace"));
}

static const struct model_row *ephemeral_at(const struct flow *f, struct flow_query *q,
					    int32_t file, const struct ir_node *n, bool assign,
					    int depth);

/* The ephemeral row a store matches: a write call's path (or its receiver's value: a
 * Map, a dict, an object literal in memory), or, with assign, an assignment's target. */
const struct model_row *flow_ephemeral(const struct flow *f, struct flow_query *q, int32_t file,
				       const struct ir_node *n, bool assign)
{
	return ephemeral_at(f, q, file, n, assign, 0);
}

static const struct model_row *ephemeral_at(const struct flow *f, struct flow_query *q,
					    int32_t file, const struct ir_node *n, bool assign,
					    int depth)
{
	static const struct model_row memory = {.kind = MODEL_EPHEMERAL, .text = "",
						 .attr = {[MODEL_ATTR_NOTE] = "memory"}};
	const struct ir_file *ir = flow_ir(f, file);
	struct path p;
	unsigned len;
	if (!path_of(&p, assign ? n : n) || !p.n)
		return NULL;
	size_t nrows;
	const struct model_row *const *rows = model_rows(f->models, MODEL_EPHEMERAL, &nrows);
	for (size_t i = 0; i < nrows; i++) {
		const struct model_row *r = rows[i];
		bool only_assign = r->attr[MODEL_ATTR_ON] && !strcmp(r->attr[MODEL_ATTR_ON], "assign");
		if (!(r->langs & LANG_BIT(ir->lang)) || (only_assign && !assign))
			continue;
		/* redis.set(key, ref, "EX", 1800): only with the option that makes it expire */
		if (r->attr[MODEL_ATTR_WITH] &&
		    (assign || n->kind != IR_CALL || !model_arg_is(n, r->attr[MODEL_ATTR_WITH])))
			continue;
		if (path_match_prefix(r->pat, &p))
			return r;
	}
	(void)len;
	if (assign || n->kind != IR_CALL || depth >= 4)
		return NULL; /* $routes = $routes->map(...): the receiver's value is this call */
	const struct ir_node *recv = n->a && n->a->kind == IR_MEMBER ? n->a->a : NULL;
	const struct ir_node *defs[4];
	int32_t files[4];
	size_t k = recv && recv->kind == IR_NAME ? flow_defs(q, file, recv, defs, files, 4) : 0;
	for (size_t i = 0; i < k; i++) {
		const struct ir_node *v = defs[i];
		while (v && v->kind == IR_AWAIT)
			v = v->a; /* const session = await getSession(cookie) */
		if (!v)
			continue;
		if (v->kind == IR_OBJECT || v->kind == IR_ARRAY)
			return &memory;
		const struct model_row *r =
			v->kind == IR_CALL && v != n ? ephemeral_at(f, q, files[i], v, false, depth + 1)
						     : NULL;
		if (r)
			return r;
	}
	return NULL;
}

/* The write row a call matches: one with `sql` when its SQL writes, one `on: write` when
 * its receiver holds a prepared write ($pdo->prepare("UPDATE ...")->execute()). What does
 * not last is no write. */
static const struct model_row *write_row(struct events *ev, const struct ir_node *call,
					 const struct path *p)
{
	size_t n;
	int32_t file = ev->fn.file;
	if (flow_ephemeral(ev->f, ev->q, file, call, false))
		return NULL; /* what does not last is no write */
	const struct model_row *const *rows = model_rows(ev->f->models, MODEL_WRITE, &n);
	for (size_t i = 0; i < n; i++) {
		const struct model_row *r = rows[i];
		if (!(r->langs & LANG_BIT(ev->ir->lang)) || !path_match(r->pat, p))
			continue;
		if (r->attr[MODEL_ATTR_SQL] && !writes_sql(ev, file, call, r))
			continue;
		if (r->attr[MODEL_ATTR_ON] && !strcmp(r->attr[MODEL_ATTR_ON], "write")) {
			const struct ir_node *recv =
				call->a && call->a->kind == IR_MEMBER ? call->a->a : NULL;
			while (recv && recv->kind == IR_AWAIT)
				recv = recv->a;
			const struct ir_node *defs[4];
			int32_t files[4];
			size_t k = 0;
			if (recv && recv->kind == IR_NAME)
				k = flow_defs(ev->q, file, recv, defs, files, 4);
			else if (recv && recv->kind == IR_CALL) {
				defs[0] = recv; /* db.prepare(sql).bind(x).run() */
				files[0] = file;
				k = 1;
			}
			bool prepared = false;
			for (size_t d = 0; d < k && !prepared; d++) {
				struct path dp;
				const struct model_row *w;
				if (defs[d]->kind != IR_CALL || !path_of(&dp, defs[d]))
					continue;
				w = model_match(ev->f->models, MODEL_WRITE, flow_ir(ev->f, files[d])->lang,
						&dp);
				prepared = w && ((w->attr[MODEL_ATTR_SQL] &&
						  writes_sql(ev, files[d], defs[d], w)) ||
						 (w->attr[MODEL_ATTR_ON] && w != r &&
						  write_row(ev, defs[d], &dp)));
			}
			if (!prepared)
				continue;
		}
		return r;
	}
	return NULL;
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
static const struct model_row *http_row(struct events *ev, const struct ir_node *call,
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
			if (!h || !client_of(ev, ev->fn.file, h, base, sizeof base, 0))
				continue;
		}
		return r;
	}
	return NULL;
}

/* A call of the OCPay API by its name: the SDK's createLink() or checkPayment(). */
static bool api_event(struct events *ev, const struct ir_node *call, const struct model_row *r)
{
	const char *api = r->attr[MODEL_ATTR_API];
	if (api && !strcmp(api, "createLink"))
		emit(ev, EV_CREATE_LINK, call, model_arg(call, r->attr[MODEL_ATTR_INPUT]), r,
		     FLOW_FN_NONE, -1, true);
	else if (api && !strcmp(api, "checkPayment"))
		emit(ev, EV_CHECK_PAYMENT, call, model_arg(call, r->attr[MODEL_ATTR_REF]), r,
		     FLOW_FN_NONE, -1, true);
	else
		return false;
	set_throws(ev, attr_true(r, MODEL_ATTR_THROWS));
	return true;
}

static void call_event(struct events *ev, const struct ir_node *call)
{
	const struct flow *f = ev->f;
	int32_t file = ev->fn.file;
	struct flow_fn callee = flow_callee(f, file, call);
	if (flow_fn_ok(callee)) {
		const struct flow_summary *s = flow_summary(f, callee);
		if (s->api & (1u << EV_CREATE_LINK)) {
			emit(ev, EV_CREATE_LINK, call, ir_call_arg(call, 0), NULL, callee, -1, false);
			set_throws(ev, wrapped_throws(f, callee, 0));
			return;
		}
		if (s->api & (1u << EV_CHECK_PAYMENT)) {
			const struct ir_node *ref =
				ir_call_arg(call, s->api_ref >= 0 ? (uint32_t)s->api_ref : 0);
			emit(ev, EV_CHECK_PAYMENT, call, ref, NULL, callee, -1, false);
			set_throws(ev, wrapped_throws(f, callee, 0));
			return;
		}
		if (s->url_param >= 0) {
			/* apiRequest({ endpoint: "/ocpay/createLink", ... }) */
			const struct ir_node *arg = ir_call_arg(call, (uint32_t)s->url_param);
			int32_t af = file;
			if (arg && s->url_key)
				arg = flow_member_value(ev->q, file, arg, s->url_key, &af);
			char url[URL_MAX], whole[2 * URL_MAX];
			bool partial;
			if (arg && flow_string(ev->q, af, arg, url, sizeof url, &partial)) {
				/* ocpayFetch("/createLink") where the wrapper fetches OCPAY_API + path */
				snprintf(whole, sizeof whole, "%s%s", s->url_base ? s->url_base : "", url);
				int kind = endpoint_of(f, ev->ir->lang, whole);
				const struct ir_node *other =
					s->url_key ? ir_call_arg(call, (uint32_t)s->url_param)
						   : ir_call_arg(call, (uint32_t)s->url_param + 1);
				if (kind == EV_CREATE_LINK) {
					emit(ev, EV_CREATE_LINK, call, other, NULL, callee, -1, false);
					set_throws(ev, wrapped_throws(f, callee, 0));
					return;
				}
				if (kind == EV_CHECK_PAYMENT) {
					emit(ev, EV_CHECK_PAYMENT, call, ref_in_url(arg), NULL, callee,
					     -1, false);
					set_throws(ev, wrapped_throws(f, callee, 0));
					return;
				}
			}
		}
		if (s->waits) {
			/* sleep(ms) written in the project: a wait of what it is given */
			double ms = s->wait_ms, v;
			const struct ir_node *a =
				s->wait_param >= 0 ? ir_call_arg(call, (uint32_t)s->wait_param) : NULL;
			if (a)
				ms = flow_duration(ev->q, file, a, s->wait_unit, &v) ? v : -1;
			emit(ev, EV_SLEEP, call, a, NULL, callee, ms, false);
			return;
		}
		/* a project function named for fulfilling (activateSubscription) fulfils by its
		 * name too, whatever its body shows */
		struct path fp;
		bool named = path_of(&fp, call);
		/* the SDK's checkPayment() in the project's own tree (vendored, or the SDK
		 * itself) whose body the engine cannot follow is still the API call */
		const struct model_row *ar =
			named ? model_match(f->models, MODEL_API, ev->ir->lang, &fp) : NULL;
		if (ar && api_event(ev, call, ar))
			return;
		const struct model_row *fr =
			named ? model_match(f->models, MODEL_FULFIL, ev->ir->lang, &fp) : NULL;
		if (fr && !fr->attr[MODEL_ATTR_STATUS])
			emit(ev, EV_FULFIL, call, NULL, fr, callee, -1, false);
		else if (fr) {
			/* an entity's own setter: $order->setStatus('paid') on a Doctrine entity */
			const struct ir_node *st = model_arg(call, fr->attr[MODEL_ATTR_STATUS]);
			int k = status_written(ev, st);
			if (k >= 0)
				emit(ev, (enum flow_event_kind)k, call, st, fr, FLOW_FN_NONE, -1,
				     false);
		}
		/* db.query("UPDATE ...") through the project's own query wrapper: the SQL it is
		 * handed says it writes, whatever the wrapper's body lets the engine see */
		const struct model_row *wr = fr || !named ? NULL : write_row(ev, call, &fp);
		if (wr && wr->attr[MODEL_ATTR_SQL])
			emit(ev, EV_WRITE, call, NULL, wr, FLOW_FN_NONE, -1, false);
		/* and a project function named for logging (logPaymentEvent) logs by its name */
		const struct model_row *lr =
			named ? model_match(f->models, MODEL_LOG, ev->ir->lang, &fp) : NULL;
		if (lr)
			emit(ev, EV_LOG, call, NULL, lr, FLOW_FN_NONE, -1, false);
		emit(ev, EV_CALL, call, NULL, NULL, callee, -1, false);
		return;
	}
	struct path p;
	if (!path_of(&p, call) || !p.n)
		return;
	/* an alias is the name it imports: import { setTimeout as nap } from "timers/promises" */
	for (uint32_t i = 0; p.rooted && i < ev->ir->nimports; i++) {
		const struct ir_import *im = &ev->ir->imports[i];
		if (im->kind != IR_IMPORT_TYPE && im->local && im->name && strcmp(im->name, "*") &&
		    strcmp(im->name, "default") &&
		    !strcmp(im->local, p.seg[0]) && strcmp(im->name, im->local))
			p.seg[0] = im->name;
	}
	const struct model_set *m = f->models;
	enum lang lang = ev->ir->lang;
	const struct model_row *r;
	if ((r = model_match(m, MODEL_API, lang, &p))) {
		api_event(ev, call, r);
		return;
	}
	if ((r = http_row(ev, call, &p))) {
		http_event(ev, call, r);
		return;
	}
	if ((r = model_match(m, MODEL_FULFIL, lang, &p))) {
		if (!r->attr[MODEL_ATTR_STATUS]) {
			emit(ev, EV_FULFIL, call, NULL, r, FLOW_FN_NONE, -1, false);
			return;
		}
		/* update_status('processing'): fulfils or fails by the status given */
		const struct ir_node *st = model_arg(call, r->attr[MODEL_ATTR_STATUS]);
		int k = status_written(ev, st);
		if (k >= 0)
			emit(ev, (enum flow_event_kind)k, call, st, r, FLOW_FN_NONE, -1, false);
		return;
	}
	if ((r = write_row(ev, call, &p))) {
		emit(ev, EV_WRITE, call, NULL, r, FLOW_FN_NONE, -1, false);
		if (r->attr[MODEL_ATTR_ON] && !strcmp(r->attr[MODEL_ATTR_ON], "write"))
			executed_status(ev, call);
		/* named arguments are fields too: .update(status="expired") */
		if (!prepared_for_later(r, call)) {
			written_status(ev, call, call, NULL, 0);
			for (uint32_t i = 0; i < call->nkids; i++)
				written_status(ev, call, call->kids[i], NULL, 0);
		}
		/* a task queued with a delay is written and is a timer: poll.apply_async() */
		if ((r = model_match(m, MODEL_TIMER, lang, &p)))
			timer_event(ev, call, r);
		return;
	}
	if ((r = model_match(m, MODEL_LOG, lang, &p)) || (r = typed_row(ev, MODEL_LOG, call))) {
		/* echo is the response of a web page, the log of a script */
		bool cli = r->attr[MODEL_ATTR_CLI] && !strcmp(r->attr[MODEL_ATTR_CLI], "true");
		if ((!cli || ev->ir->script) &&
		    (!r->attr[MODEL_ATTR_WITH] || model_arg_is(call, r->attr[MODEL_ATTR_WITH])))
			emit(ev, EV_LOG, call, NULL, r, FLOW_FN_NONE, -1, false);
		return;
	}
	if ((r = model_match(m, MODEL_TIMER, lang, &p)) && timer_event(ev, call, r))
		return;
	if ((r = model_match(m, MODEL_SLEEP, lang, &p))) {
		double unit;
		emit(ev, EV_SLEEP, call, model_duration_arg(call, r, &unit), r, FLOW_FN_NONE,
		     model_duration(ev->q, ev->fn.file, call, r), false);
		return;
	}
	if ((r = model_match(m, MODEL_EXIT, lang, &p))) {
		emit(ev, EV_EXIT, call, NULL, r, FLOW_FN_NONE, -1, false);
		return;
	}
	/* r.json() on what fetch() answered decodes it: no answer to the client */
	if ((r = model_response(f, file, &p)) &&
	    !(call->a && call->a->kind == IR_MEMBER && value_is_answer(ev->q, file, call->a->a)))
		emit(ev, EV_RESPONSE, call, NULL, r, FLOW_FN_NONE, -1, false);
}

static bool visit(void *ctx, const struct ir_node *n)
{
	struct events *ev = ctx;
	if (n->kind == IR_CALL && !(n->flags & IR_F_NEW)) {
		call_event(ev, n);
	} else if (n->kind == IR_CALL) {
		/* new X(...): HTTP and SDK clients are not events; a timer is (new CronJob()) */
		const struct model_row *r = model_for(ev->f, ev->fn.file, MODEL_TIMER, n);
		if (r)
			timer_event(ev, n, r);
	} else if (n->kind == IR_ASSIGN && n->a && n->a->kind == IR_MEMBER &&
		   is_status_field(ev, n->a->text)) {
		int k = status_written(ev, n->b);
		if (k >= 0)
			emit(ev, (enum flow_event_kind)k, n, n->b, NULL, FLOW_FN_NONE, -1, false);
	}
	if (n->kind == IR_ASSIGN && n->op == IR_OP_ASSIGN)
		timer_table(ev, n->a, n->b);
	else if (n->kind == IR_DECL)
		timer_table(ev, n->a, n->b);
	return true;
}

int events_classify(struct flow *f, struct flow_query *q, struct flow_fn fn)
{
	struct flow_file *ff = flow_file_at(f, fn.file);
	const struct ir_func *func = &ff->ir->funcs[fn.func];
	struct events ev = {.f = f, .q = q, .fn = fn, .ir = ff->ir};
	/* schedules written as decorators: @Cron(...), @Interval(5000), @app.task */
	for (uint32_t i = 0; i < func->ndecorators; i++) {
		const struct ir_node *d = func->decorators[i];
		const struct model_row *r = model_for(f, fn.file, MODEL_SCHEDULE, d);
		if (r)
			emit(&ev, EV_TIMER, d, NULL, r, fn, model_duration(q, fn.file, d, r), false);
	}
	/* or on its class, for the method they run: #[AsPeriodicTask(frequency: 5)] */
	const struct ir_class *cls = func->cls >= 0 ? &ff->ir->classes[func->cls] : NULL;
	for (uint32_t i = 0; cls && i < cls->ndecorators; i++) {
		const struct ir_node *d = cls->decorators[i];
		const struct model_row *r = model_for(f, fn.file, MODEL_SCHEDULE, d);
		const char *runs = r ? r->attr[MODEL_ATTR_RUNS] : NULL;
		if (runs && func->name && in_list(runs, func->name))
			emit(&ev, EV_TIMER, d, NULL, r, fn, model_duration(q, fn.file, d, r), false);
	}
	ir_walk(func->body, visit, &ev);
	if (ev.oom) {
		free(ev.items);
		return error_set("out of memory");
	}
	free(ff->events[fn.func]);
	ff->events[fn.func] = ev.items;
	ff->nevents[fn.func] = ev.n;
	for (uint32_t i = ev.n; i-- > 0;)
		if (ev.items[i].node->id < ff->ir->nnodes)
			ff->event_of[ev.items[i].node->id] = &ev.items[i];
	return 0;
}

const struct flow_event *flow_events(const struct flow *f, struct flow_fn fn, size_t *n)
{
	struct flow_file *ff = flow_file_at(f, fn.file);
	*n = 0;
	if (!ff || !ff->events || fn.func < 0 || (uint32_t)fn.func >= ff->ir->nfuncs)
		return NULL;
	*n = ff->nevents[fn.func];
	return ff->events[fn.func];
}

const struct flow_event *flow_event_at(const struct flow *f, int32_t file,
				       const struct ir_node *n)
{
	struct flow_file *ff = flow_file_at(f, file);
	if (!ff || !ff->event_of || !n || n->id >= ff->ir->nnodes)
		return NULL;
	return ff->event_of[n->id];
}

bool flow_event_wrapped(const struct flow *f, const struct flow_event *e)
{
	return flow_fn_ok(e->via) && (flow_summary(f, e->via)->api & (1u << e->kind));
}
