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
};

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
	ev->items[ev->n++] = (struct flow_event){kind, node, ev->fn, arg, row, via, ms, sdk};
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
		if (!r || !r->attr[MODEL_ATTR_CLIENT] || strcmp(r->attr[MODEL_ATTR_CLIENT], "true"))
			return NULL;
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
				base[0] = '\0';
			return r;
		}
		if (!b || !flow_string(ev->q, file, b, base, size, &partial))
			base[0] = '\0';
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
	if (call->a && call->a->kind == IR_MEMBER)
		client_of(ev, ev->fn.file, call->a->a, base, sizeof base, 0);
	char whole[2 * URL_MAX];
	snprintf(whole, sizeof whole, "%s%s", base, text);
	int kind = endpoint_of(ev->f, ev->ir->lang, whole);
	const struct ir_node *body =
		r->attr[MODEL_ATTR_BODY] ? model_arg(call, r->attr[MODEL_ATTR_BODY]) : NULL;
	if (kind == EV_CREATE_LINK && !body)
		body = body_on_handle(ev, call, r);
	if (kind == EV_CREATE_LINK)
		emit(ev, EV_CREATE_LINK, call, body, r, FLOW_FN_NONE, -1, false);
	else if (kind == EV_CHECK_PAYMENT)
		emit(ev, EV_CHECK_PAYMENT, call, ref_in_url(url), r, FLOW_FN_NONE, -1, false);
	else
		emit(ev, EV_HTTP, call, url, r, FLOW_FN_NONE, -1, false);
}

/* A duration from a model row: ms, seconds, or a fixed period ("5s", "1m", "20m"). */
static double duration(struct events *ev, const struct ir_node *call, const struct model_row *r)
{
	double v;
	const struct ir_node *a;
	if (r->attr[MODEL_ATTR_MS] && (a = model_arg(call, r->attr[MODEL_ATTR_MS])) &&
	    flow_number(ev->q, ev->fn.file, a, &v))
		return v;
	if (r->attr[MODEL_ATTR_SECONDS] && (a = model_arg(call, r->attr[MODEL_ATTR_SECONDS])) &&
	    flow_number(ev->q, ev->fn.file, a, &v))
		return v * 1000;
	if (r->attr[MODEL_ATTR_EVERY]) {
		char *end;
		double n = strtod(r->attr[MODEL_ATTR_EVERY], &end);
		double unit = *end == 'h' ? 3600000 : *end == 'm' ? 60000 : *end == 's' ? 1000 : 1;
		return n * unit;
	}
	return -1;
}

/* A status value written: its kind (paid, failed) from the models, or -1. */
static int status_written(struct events *ev, const struct ir_node *value)
{
	char buf[64];
	bool partial;
	if (!value || !flow_string(ev->q, ev->fn.file, value, buf, sizeof buf, &partial) || partial) {
		/* OrderStatus.PAID, OrderStatus::Paid */
		if (!value || value->kind != IR_MEMBER || !value->text)
			return -1;
		snprintf(buf, sizeof buf, "%s", value->text);
	}
	if (model_has_value(ev->f->models, MODEL_PAID_STATUS, ev->ir->lang, buf))
		return EV_FULFIL;
	if (model_has_value(ev->f->models, MODEL_FAILED_STATUS, ev->ir->lang, buf))
		return EV_FAIL_MARK;
	return -1;
}

static bool is_status_field(struct events *ev, const char *name)
{
	return name && model_has_value(ev->f->models, MODEL_STATUS_FIELD, ev->ir->lang, name);
}

/* {status: "paid"} handed to a write, or SQL that sets it. */
static void written_status(struct events *ev, const struct ir_node *call, const struct ir_node *e,
			   int depth)
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
				written_status(ev, call, p->b, depth + 1); /* {data: {status}} */
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
				emit(ev, EV_FULFIL, e, e, NULL, FLOW_FN_NONE, -1, false);
				return;
			}
			if (model_has_value(ev->f->models, MODEL_FAILED_STATUS, ev->ir->lang, value)) {
				emit(ev, EV_FAIL_MARK, e, e, NULL, FLOW_FN_NONE, -1, false);
				return;
			}
			p = end;
		}
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

/* The write row a call matches: one with `sql` when its SQL writes, one `on: write` when
 * its receiver holds a prepared write ($pdo->prepare("UPDATE ...")->execute()). */
static const struct model_row *write_row(struct events *ev, const struct ir_node *call,
					 const struct path *p)
{
	size_t n;
	int32_t file = ev->fn.file;
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
		if (r->attr[MODEL_ATTR_WHEN] && !model_when(call, r->attr[MODEL_ATTR_WHEN]))
			continue;
		if (r->attr[MODEL_ATTR_ON] && !strcmp(r->attr[MODEL_ATTR_ON], "client")) {
			char base[URL_MAX];
			if (!call->a || call->a->kind != IR_MEMBER ||
			    !client_of(ev, ev->fn.file, call->a->a, base, sizeof base, 0))
				continue;
		}
		return r;
	}
	return NULL;
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
			return;
		}
		if (s->api & (1u << EV_CHECK_PAYMENT)) {
			const struct ir_node *ref =
				ir_call_arg(call, s->api_ref >= 0 ? (uint32_t)s->api_ref : 0);
			emit(ev, EV_CHECK_PAYMENT, call, ref, NULL, callee, -1, false);
			return;
		}
		if (s->url_param >= 0) {
			/* apiRequest({ endpoint: "/ocpay/createLink", ... }) */
			const struct ir_node *arg = ir_call_arg(call, (uint32_t)s->url_param);
			int32_t af = file;
			if (arg && s->url_key)
				arg = flow_member_value(ev->q, file, arg, s->url_key, &af);
			char url[URL_MAX];
			bool partial;
			if (arg && flow_string(ev->q, af, arg, url, sizeof url, &partial)) {
				int kind = endpoint_of(f, ev->ir->lang, url);
				const struct ir_node *other =
					s->url_key ? ir_call_arg(call, (uint32_t)s->url_param)
						   : ir_call_arg(call, (uint32_t)s->url_param + 1);
				if (kind == EV_CREATE_LINK) {
					emit(ev, EV_CREATE_LINK, call, other, NULL, callee, -1, false);
					return;
				}
				if (kind == EV_CHECK_PAYMENT) {
					emit(ev, EV_CHECK_PAYMENT, call, ref_in_url(arg), NULL, callee,
					     -1, false);
					return;
				}
			}
		}
		/* a project function named for fulfilling (activateSubscription) fulfils by its
		 * name too, whatever its body shows */
		struct path fp;
		const struct model_row *fr =
			path_of(&fp, call) ? model_match(f->models, MODEL_FULFIL, ev->ir->lang, &fp)
					   : NULL;
		if (fr && !fr->attr[MODEL_ATTR_STATUS])
			emit(ev, EV_FULFIL, call, NULL, fr, callee, -1, false);
		emit(ev, EV_CALL, call, NULL, NULL, callee, -1, false);
		return;
	}
	struct path p;
	if (!path_of(&p, call) || !p.n)
		return;
	const struct model_set *m = f->models;
	enum lang lang = ev->ir->lang;
	const struct model_row *r;
	if ((r = model_match(m, MODEL_API, lang, &p))) {
		const char *api = r->attr[MODEL_ATTR_API];
		if (api && !strcmp(api, "createLink"))
			emit(ev, EV_CREATE_LINK, call, model_arg(call, r->attr[MODEL_ATTR_INPUT]), r,
			     FLOW_FN_NONE, -1, true);
		else if (api && !strcmp(api, "checkPayment"))
			emit(ev, EV_CHECK_PAYMENT, call, model_arg(call, r->attr[MODEL_ATTR_REF]), r,
			     FLOW_FN_NONE, -1, true);
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
		/* named arguments are fields too: .update(status="expired") */
		written_status(ev, call, call, 0);
		for (uint32_t i = 0; i < call->nkids; i++)
			written_status(ev, call, call->kids[i], 0);
		return;
	}
	if ((r = model_match(m, MODEL_LOG, lang, &p))) {
		emit(ev, EV_LOG, call, NULL, r, FLOW_FN_NONE, -1, false);
		return;
	}
	if ((r = model_match(m, MODEL_TIMER, lang, &p))) {
		const struct ir_node *fn =
			r->attr[MODEL_ATTR_FN] ? model_arg(call, r->attr[MODEL_ATTR_FN]) : NULL;
		emit(ev, EV_TIMER, call, fn, r, FLOW_FN_NONE, duration(ev, call, r), false);
		return;
	}
	if ((r = model_match(m, MODEL_SLEEP, lang, &p))) {
		emit(ev, EV_SLEEP, call, NULL, r, FLOW_FN_NONE, duration(ev, call, r), false);
		return;
	}
	if ((r = model_match(m, MODEL_EXIT, lang, &p))) {
		emit(ev, EV_EXIT, call, NULL, r, FLOW_FN_NONE, -1, false);
		return;
	}
	if ((r = model_response(f, file, &p)))
		emit(ev, EV_RESPONSE, call, NULL, r, FLOW_FN_NONE, -1, false);
}

static bool visit(void *ctx, const struct ir_node *n)
{
	struct events *ev = ctx;
	if (n->kind == IR_CALL && !(n->flags & IR_F_NEW)) {
		call_event(ev, n);
	} else if (n->kind == IR_CALL) {
		/* new X(...): only HTTP clients and SDK clients matter, and not as events */
	} else if (n->kind == IR_ASSIGN && n->a && n->a->kind == IR_MEMBER &&
		   is_status_field(ev, n->a->text)) {
		int k = status_written(ev, n->b);
		if (k >= 0)
			emit(ev, (enum flow_event_kind)k, n, n->b, NULL, FLOW_FN_NONE, -1, false);
	}
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
			emit(&ev, EV_TIMER, d, NULL, r, fn, d->kind == IR_CALL ? duration(&ev, d, r) : -1,
			     false);
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
