#define _GNU_SOURCE /* strcasestr */
/* What a value holds: its labels (the customer's input, configuration, the store,
 * createLink's or checkPayment's answer ...). Names are followed through their definitions
 * (objects.c), across files through imports, and calls through the summaries of project
 * functions or the models (model_args.c). Strings and numbers: scalars.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/error.h"
#include "flow/flow_private.h"

#define MAX_DEPTH 24

struct flow_query *flow_query_new(const struct flow *f)
{
	struct flow_query *q = calloc(1, sizeof *q);
	if (!q || !(q->labels = calloc(f->nfiles ? f->nfiles : 1, sizeof *q->labels))) {
		free(q);
		error_set("out of memory");
		return NULL;
	}
	q->f = f;
	q->nfiles = f->nfiles;
	return q;
}

void flow_query_free(struct flow_query *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->nfiles; i++)
		free(q->labels[i]);
	free(q->labels);
	free(q);
}

/* ---- labels ---- */

static uint32_t labels_at(struct flow_query *q, int32_t file, const struct ir_node *e);
static uint32_t deep(struct flow_query *q, int32_t file, const struct ir_node *e, int depth);

bool value_is_answer(struct flow_query *q, int32_t file, const struct ir_node *v)
{
	while (v && v->kind == IR_AWAIT)
		v = v->a;
	if (!v)
		return false;
	if (v->kind == IR_NAME) {
		const struct ir_node *defs[4];
		int32_t files[4];
		size_t n = flow_defs(q, file, v, defs, files, 4);
		for (size_t i = 0; i < n; i++) {
			const struct ir_node *d = defs[i];
			while (d && d->kind == IR_AWAIT)
				d = d->a;
			if (d && d->kind == IR_CALL && d != v && value_is_answer(q, files[i], d))
				return true;
		}
		return false;
	}
	if (v->kind != IR_CALL)
		return false;
	const struct model_row *r = model_for(q->f, file, MODEL_HTTP, v);
	if ((r && !(r->attr[MODEL_ATTR_CLIENT] && !strcmp(r->attr[MODEL_ATTR_CLIENT], "true"))) ||
	    model_for(q->f, file, MODEL_API, v))
		return true;
	return (labels_at(q, file, v) & (FL_CREATED | FL_CREATED_URL | FL_CHECKED)) != 0;
}

static uint32_t labels_kids(struct flow_query *q, int32_t file, const struct ir_node *e)
{
	uint32_t l = 0;
	const struct ir_node *fixed[3] = {e->a, e->b, e->c};
	for (int i = 0; i < 3; i++)
		if (fixed[i])
			l |= labels_at(q, file, fixed[i]);
	for (uint32_t i = 0; i < e->nkids; i++)
		l |= labels_at(q, file, e->kids[i]);
	return l;
}

static bool one_segment(struct path *p, const char *text)
{
	if (!text)
		return false;
	p->n = 1;
	p->seg[0] = text;
	p->call[0] = false;
	p->node[0] = NULL;
	p->rooted = true;
	return true;
}

static bool decorated(const struct path_pattern *pat, struct ir_node *const *list, uint32_t n)
{
	struct path p;
	for (uint32_t i = 0; i < n; i++)
		if (path_of(&p, list[i]) && path_match(pat, &p))
			return true;
	return false;
}

/* Whether a function is written as the argument of a call the pattern matches:
 * .mutation(({ input }) => ...). */
static bool handed_to(const struct path_pattern *pat, const struct ir_func *fn)
{
	const struct ir_node *call = fn->node ? fn->node->parent : NULL;
	struct path p;
	return call && call->kind == IR_CALL && call->a != fn->node && path_of(&p, call) &&
	       path_match(pat, &p);
}

/* The request_param row a parameter matches, or NULL. */
static const struct model_row *param_model(const struct flow *f, int32_t file, const struct def *d)
{
	const struct ir_param *prm = def_param(f, file, d);
	const struct ir_file *ir = flow_ir(f, file);
	if (!prm)
		return NULL;
	const struct ir_func *fn = &ir->funcs[d->func];
	size_t n;
	const struct model_row *const *rows = model_rows(f->models, MODEL_REQUEST_PARAM, &n);
	struct path p;
	for (size_t i = 0; i < n; i++) {
		const struct model_row *r = rows[i];
		if (!(r->langs & LANG_BIT(ir->lang)))
			continue;
		if (!one_segment(&p, d->name) || !path_match(r->pat, &p))
			continue;
		if (r->type_pat && (!one_segment(&p, prm->type) || !path_match(r->type_pat, &p)))
			continue;
		if (r->decorator_pat &&
		    !decorated(r->decorator_pat, prm->decorators, prm->ndecorators))
			continue;
		if (r->in_pat && !decorated(r->in_pat, fn->decorators, fn->ndecorators) &&
		    !handed_to(r->in_pat, fn))
			continue;
		/* db: Session = Depends(get_db): not input */
		if (r->unless_pat &&
		    ((one_segment(&p, prm->type) && path_match(r->unless_pat, &p)) ||
		     (one_segment(&p, d->name) && path_match(r->unless_pat, &p)) ||
		     (prm->def && prm->def->kind == IR_CALL && path_of(&p, prm->def->a) &&
		      path_match(r->unless_pat, &p))))
			continue;
		return r;
	}
	return NULL;
}

static bool is_object_param(const struct model_row *r)
{
	return r && r->attr[MODEL_ATTR_OBJECT] && !strcmp(r->attr[MODEL_ATTR_OBJECT], "true");
}

/* A key read from a createLink answer that holds the URL alone drops the ref. */
static uint32_t member_labels(const struct flow *f, int32_t file, uint32_t l, const char *key)
{
	if (!(l & FL_CREATED) || !key || !*key)
		return l;
	const char *last = strrchr(key, '.');
	last = last ? last + 1 : key;
	if (model_has_value(f->models, MODEL_URL_FIELD, flow_ir(f, file)->lang, last))
		return (l & ~FL_CREATED) | FL_CREATED_URL;
	return l;
}

/* The receiver whose elements a function written as the argument of a method call that
 * runs no project function is run on: items in items.map((i) => ...), the rows of
 * rows.forEach(...). NULL when the function is not such a callback. */
static const struct ir_node *element_receiver(const struct flow *f, int32_t file, int32_t func)
{
	const struct ir_file *ir = flow_ir(f, file);
	if (func <= 0 || (uint32_t)func >= ir->nfuncs)
		return NULL;
	const struct ir_node *node = ir->funcs[func].node;
	const struct ir_node *call = node ? node->parent : NULL;
	if (!call || call->kind != IR_CALL || call->a == node || !call->a ||
	    call->a->kind != IR_MEMBER || !call->a->a || flow_fn_ok(flow_callee(f, file, call)) ||
	    model_for(f, file, MODEL_CALLBACK, call))
		return NULL; /* a promise's then() hands on its value, not elements */
	return call->a->a;
}

/* What a callback call (promise.then(fn)) is made on, when function func is the fn it
 * runs; NULL else. */
static const struct ir_node *callback_receiver(struct flow_query *q, int32_t file, int32_t func)
{
	const struct ir_file *ir = flow_ir(q->f, file);
	const struct ir_node *fn =
	    func > 0 && (uint32_t)func < ir->nfuncs ? ir->funcs[func].node : NULL;
	const struct ir_node *call = fn ? fn->parent : NULL;
	if (!call || call->kind != IR_CALL || !call->a || call->a->kind != IR_MEMBER)
		return NULL;
	const struct model_row *r = model_for(q->f, file, MODEL_CALLBACK, call);
	if (!r || model_arg(call, r->attr[MODEL_ATTR_FN] ? r->attr[MODEL_ATTR_FN] : "0") != fn)
		return NULL;
	return call->a->a;
}

/* What a function value returns, for the labels of a call it is handed to. */
struct returning {
	struct flow_query *q;
	int32_t file;
	uint32_t labels;
};

static bool visit_returns(void *ctx, const struct ir_node *n)
{
	struct returning *r = ctx;
	if (n->kind == IR_RETURN && n->a)
		r->labels |= labels_at(r->q, r->file, n->a);
	return true;
}

static uint32_t function_returns(struct flow_query *q, int32_t file, const struct ir_node *fn)
{
	const struct ir_file *ir = flow_ir(q->f, file);
	if (fn->num < 0 || fn->num >= ir->nfuncs)
		return 0;
	struct returning r = {q, file, 0};
	ir_walk(ir->funcs[(uint32_t)fn->num].body, visit_returns, &r);
	return r.labels & ~FL_PARAMS; /* its parameters are not the caller's */
}

const struct ir_node *flow_callback_value(struct flow_query *q, int32_t file,
					  const struct ir_node *param)
{
	const struct ir_file *ir = flow_ir(q->f, file);
	if (!ir || !param || param->kind != IR_NAME || !param->text || param->func <= 0 ||
	    (uint32_t)param->func >= ir->nfuncs)
		return NULL;
	const struct ir_func *fn = &ir->funcs[param->func];
	if (!fn->nparams || !fn->params[0].name || strcmp(fn->params[0].name, param->text))
		return NULL;
	return callback_receiver(q, file, param->func);
}

static uint32_t labels_def(struct flow_query *q, int32_t file, const struct def *d, int depth)
{
	const struct flow *f = q->f;
	switch (d->how) {
	case DEF_ASSIGN:
		return d->value ? labels_at(q, file, d->value) : 0;
	case DEF_PATTERN:
	case DEF_ELEMENT:
		return d->value ? member_labels(f, file, labels_at(q, file, d->value), d->key) : 0;
	case DEF_PARAM: {
		uint32_t l = d->param < 16 ? fl_param(d->param) : FL_UNKNOWN;
		/* fetch(url).then(r => r.json()): r is what then() is called on */
		const struct ir_node *cb =
		    d->param == 0 ? callback_receiver(q, file, d->func) : NULL;
		if (cb)
			l |= labels_at(q, file, cb);
		const struct model_row *r = param_model(f, file, d);
		if (r && !is_object_param(r))
			l |= FL_REQUEST;
		if (d->key && *d->key && r && is_object_param(r))
			l |= FL_REQUEST; /* ({ body }) of a request object */
		/* its receiver's parameters are the enclosing function's: read them from its
		 * callers now (lines.reduce((sum, line) => ...) in productInfoFor(lines)) */
		const struct ir_node *recv = element_receiver(f, file, d->func);
		if (recv)
			l |= deep(q, file, recv, 1) & ~FL_PARAMS;
		return l;
	}
	case DEF_IMPORT: {
		const struct ir_import *im = &flow_ir(f, file)->imports[d->param];
		size_t n;
		const struct model_row *const *rows = model_rows(f->models, MODEL_ENV_MODULE, &n);
		for (size_t i = 0; i < n; i++)
			if (im->spec && !strcmp(rows[i]->text, im->spec))
				return FL_ENV;
		struct def b;
		int32_t bf;
		if (depth > 8 || !import_binding(f, file, d->param, &b, &bf, 0) ||
		    b.how == DEF_IMPORT)
			return 0;
		return labels_def(q, bf, &b, depth + 1);
	}
	default:
		return 0;
	}
}

/* The labels of this.p: what the class's methods assign to it, and its initial value. */
static uint32_t property_labels(struct flow_query *q, int32_t file, const struct ir_node *e)
{
	const struct ir_file *ir = flow_ir(q->f, file);
	int32_t func = e->func;
	while (func >= 0 && ir->funcs[func].cls < 0 && (ir->funcs[func].flags & IR_FN_ARROW))
		func = ir->funcs[func].parent;
	if (func < 0 || ir->funcs[func].cls < 0 || !e->text)
		return 0;
	const struct ir_class *c = &ir->classes[ir->funcs[func].cls];
	uint32_t l = 0;
	for (uint32_t i = 0; i < c->nfields; i++)
		if (c->fields[i].name && !strcmp(c->fields[i].name, e->text) && c->fields[i].value)
			l |= labels_at(q, file, c->fields[i].value);
	for (uint32_t m = 0; m < c->nmethods; m++) {
		const struct scope *s = &flow_file_at(q->f, file)->scopes[c->methods[m]];
		(void)s;
		const struct ir_func *fn = &ir->funcs[c->methods[m]];
		for (uint32_t k = 0; fn->body && k < fn->body->nkids; k++) {
			const struct ir_node *st = fn->body->kids[k];
			const struct ir_node *as = st->kind == IR_EXPR ? st->a : NULL;
			if (as && as->kind == IR_ASSIGN && as->a && as->a->kind == IR_MEMBER &&
			    as->a->a && as->a->a->kind == IR_THIS && as->a->text &&
			    !strcmp(as->a->text, e->text))
				l |= labels_at(q, file, as->b);
		}
	}
	return l & ~FL_PARAMS;
}

/* The read row a call matches; one with `sql` only when the SQL it is handed selects
 * (pool.query("SELECT ... WHERE id = $1", [req.params.id]) is the store's answer). */
static const struct model_row *read_row(struct flow_query *q, int32_t file,
					const struct ir_node *call, const struct path *p)
{
	size_t n;
	const struct ir_file *ir = flow_ir(q->f, file);
	const struct model_row *const *rows = model_rows(q->f->models, MODEL_READ, &n);
	for (size_t i = 0; i < n; i++) {
		const struct model_row *r = rows[i];
		if (!(r->langs & LANG_BIT(ir->lang)) || !path_match(r->pat, p))
			continue;
		if (r->attr[MODEL_ATTR_SQL]) {
			char sql[512];
			bool partial;
			const struct ir_node *a = model_arg(call, r->attr[MODEL_ATTR_SQL]);
			if (!a || !flow_string(q, file, a, sql, sizeof sql, &partial) ||
			    !strcasestr(sql, "select"))
				continue;
		}
		return r;
	}
	return NULL;
}

/* Labels of a member chain or call: models first, then what it is made of. */
static uint32_t labels_chain(struct flow_query *q, int32_t file, const struct ir_node *e)
{
	const struct flow *f = q->f;
	const struct ir_file *ir = flow_ir(f, file);
	struct path p;
	bool have = path_of(&p, e) && p.n;
	if (have && p.rooted) {
		unsigned lr = 0, ln = 0, le = 0;
		model_match_prefix(f->models, MODEL_REQUEST, ir->lang, &p, &lr);
		model_match_prefix(f->models, MODEL_NOT_REQUEST, ir->lang, &p, &ln);
		model_match_prefix(f->models, MODEL_ENV, ir->lang, &p, &le);
		if (ln && ln >= lr)
			return FL_SESSION;
		if (lr) {
			uint32_t l = FL_REQUEST;
			if (e->kind == IR_CALL && model_validator(f, file, e))
				l |= FL_VALIDATED;
			return l;
		}
		if (le)
			return FL_ENV;
		/* a member of a parameter that is a request object: $request->input('ref') */
		if (p.n >= 2 && p.node[0] && p.node[0]->kind == IR_NAME) {
			const struct def *d = def_reaching(f, file, p.node[0], p.node[0]);
			if (d && d->how == DEF_PARAM && is_object_param(param_model(f, file, d)))
				return FL_REQUEST;
		}
	}
	if (e->kind == IR_CALL) {
		const struct flow_event *ev = flow_event_at(f, file, e);
		if (ev && ev->kind == EV_CREATE_LINK)
			return FL_CREATED;
		if (ev && ev->kind == EV_CHECK_PAYMENT)
			return FL_CHECKED;
		uint32_t answer = ev && ev->kind == EV_HTTP ? FL_ANSWER : 0;
		if (have && read_row(q, file, e, &p)) {
			/* a keyed read from what the customer sent is the customer's:
			 * form.get("amount") (a query built with the customer's id is not) */
			const struct ir_node *recv =
			    e->a && e->a->kind == IR_MEMBER ? e->a->a : NULL;
			const struct ir_node *k = ir_call_arg(e, 0);
			uint32_t rl = recv && (recv->kind == IR_NAME || recv->kind == IR_MEMBER) &&
					      k && k->kind == IR_STRING
					  ? labels_at(q, file, recv)
					  : 0;
			return rl & FL_REQUEST ? rl & ~FL_LITERAL : FL_STORED;
		}
		if (have && model_response(f, file, &p) &&
		    !(e->a && e->a->kind == IR_MEMBER && value_is_answer(q, file, e->a->a)))
			return 0;
		if (have && model_validator(f, file, e))
			return labels_kids(q, file, e) | FL_VALIDATED;
		struct flow_fn callee = flow_callee(f, file, e);
		/* new self(paymentRef: $data['paymentRef']): the object is made of what it is
		 * given, whatever its constructor returns */
		const struct flow_summary *s = flow_fn_ok(callee) && !(e->flags & IR_F_NEW)
						       ? flow_summary(f, callee)
						       : NULL;
		if (s) {
			uint32_t l = s->ret & ~FL_PARAMS;
			for (unsigned i = 0; i < 16; i++)
				if (s->ret & fl_param(i)) {
					const struct ir_node *arg = ir_call_arg(e, i);
					if (arg)
						l |= labels_at(q, file, arg);
				}
			return l;
		}
		/* not modelled: the answer is made of what went in, but what the customer sent
		 * stays theirs only through a passthrough (a cast, a trim, a parser) or a method
		 * of the value itself: Order.find(req.query.id) is an order, not input; and of
		 * what a function handed to it returns (items.reduce((s, i) => s + i.price, 0)) */
		uint32_t args = 0, l = answer;
		for (uint32_t i = 0; i < e->nkids; i++) {
			if (e->kids[i]->kind == IR_FUNC)
				l |= function_returns(q, file, e->kids[i]);
			else
				args |= labels_at(q, file, e->kids[i]);
		}
		if (e->a && e->a->kind == IR_MEMBER)
			l |= labels_at(q, file, e->a->a);
		if (!(have && model_match(f->models, MODEL_PASSTHROUGH, ir->lang, &p)))
			args &= ~(FL_REQUEST | FL_VALIDATED);
		return (l | args) & ~FL_LITERAL;
	}
	if (e->kind == IR_MEMBER) {
		if (e->a && e->a->kind == IR_THIS)
			return property_labels(q, file, e);
		uint32_t hooked;
		if (save_hook_labels(q, file, e, &hooked))
			return hooked;
		return member_labels(f, file, labels_at(q, file, e->a), e->text);
	}
	return e->a ? labels_at(q, file, e->a) : 0; /* an index: the table's, not the key's */
}

/* A handle the API call configured (curl_setopt($ch, CURLOPT_URL, ...createLink)) carries
 * the answer it will fetch. */
static uint32_t handle_labels(struct flow_query *q, int32_t file, const struct ir_node *name)
{
	size_t n;
	const struct flow_event *ev = flow_events(q->f, flow_fn_of(q->f, file, name), &n);
	uint32_t l = 0;
	for (size_t i = 0; i < n; i++) {
		const struct flow_event *e = &ev[i];
		if ((e->kind != EV_CREATE_LINK && e->kind != EV_CHECK_PAYMENT) || !e->row ||
		    !e->row->attr[MODEL_ATTR_HANDLE])
			continue;
		const struct ir_node *h = model_arg(e->node, e->row->attr[MODEL_ATTR_HANDLE]);
		if (h && h->kind == IR_NAME && h->text && !strcmp(h->text, name->text))
			l |= e->kind == EV_CREATE_LINK ? FL_CREATED : FL_CHECKED;
	}
	return l;
}

static uint32_t compute(struct flow_query *q, int32_t file, const struct ir_node *e)
{
	switch (e->kind) {
	case IR_STRING:
	case IR_NUMBER:
	case IR_BOOL:
	case IR_NULL:
		return FL_LITERAL;
	case IR_TEMPLATE: {
		uint32_t l = FL_LITERAL;
		for (uint32_t i = 0; i < e->nkids; i++) {
			uint32_t k = labels_at(q, file, e->kids[i]);
			if (!(k & FL_LITERAL))
				l &= ~FL_LITERAL;
			l |= k & ~FL_LITERAL;
		}
		return l;
	}
	case IR_NAME: {
		struct path p;
		const struct ir_file *ir = flow_ir(q->f, file);
		if (one_segment(&p, e->text)) {
			unsigned len = 0;
			if (model_match_prefix(q->f->models, MODEL_REQUEST, ir->lang, &p, &len))
				return FL_REQUEST;
			if (model_match_prefix(q->f->models, MODEL_ENV, ir->lang, &p, &len))
				return FL_ENV;
		}
		uint32_t n;
		const struct def *d = scope_lookup(q->f, file, e->func, e->text, &n);
		uint32_t l = 0;
		for (uint32_t i = 0; d && i < n; i++)
			if (d[i].value != e)
				l |= labels_def(q, file, &d[i], 0);
		return l | handle_labels(q, file, e);
	}
	case IR_MEMBER:
	case IR_INDEX:
	case IR_CALL:
		return labels_chain(q, file, e);
	case IR_AWAIT:
	case IR_SPREAD:
		return e->a ? labels_at(q, file, e->a) : 0;
	case IR_PAIR:
		return e->b ? labels_at(q, file, e->b) : 0;
	case IR_COND:
		return labels_at(q, file, e->b ? e->b : e->a) |
		       (e->c ? labels_at(q, file, e->c) : 0);
	case IR_BINARY:
		switch (e->op) {
		case IR_OP_EQ:
		case IR_OP_NE:
		case IR_OP_LT:
		case IR_OP_LE:
		case IR_OP_GT:
		case IR_OP_GE:
		case IR_OP_IN:
		case IR_OP_NOT_IN:
		case IR_OP_INSTANCEOF:
			return 0;
		default:
			return labels_kids(q, file, e);
		}
	case IR_UNARY:
		return e->op == IR_OP_NEG || e->op == IR_OP_PLUS ? labels_at(q, file, e->a) : 0;
	case IR_ASSIGN:
		return e->b ? labels_at(q, file, e->b) : 0;
	case IR_FUNC:
	case IR_CLASS:
	case IR_THIS:
	case IR_SUPER:
		return 0;
	default:
		return labels_kids(q, file, e);
	}
}

static uint32_t labels_at(struct flow_query *q, int32_t file, const struct ir_node *e)
{
	const struct ir_file *ir = flow_ir(q->f, file);
	if (!e || !ir || (size_t)file >= q->nfiles || e->id >= ir->nnodes)
		return 0;
	if (!q->labels[file] && !(q->labels[file] = calloc(ir->nnodes, sizeof **q->labels)))
		return FL_UNKNOWN;
	uint32_t *slot = &q->labels[file][e->id];
	if (*slot & LBL_DONE)
		return *slot & ~LBL_DONE;
	if ((*slot & LBL_BUSY) || q->depth > MAX_DEPTH)
		return 0; /* a cycle, or too deep: what is known so far */
	*slot = LBL_BUSY;
	q->depth++;
	uint32_t l = compute(q, file, e) & ~(LBL_DONE | LBL_BUSY);
	q->depth--;
	*slot = l | LBL_DONE;
	return l;
}

uint32_t flow_labels(struct flow_query *q, int32_t file, const struct ir_node *e)
{
	return labels_at(q, file, e);
}

static uint32_t deep(struct flow_query *q, int32_t file, const struct ir_node *e, int depth)
{
	uint32_t l = labels_at(q, file, e);
	if (!(l & FL_PARAMS))
		return l;
	uint32_t out = l & ~FL_PARAMS;
	struct flow_fn fn = flow_fn_of(q->f, file, e);
	/* a parameter of an enclosing function when e sits in a closure */
	const struct ir_file *ir = flow_ir(q->f, file);
	while (fn.func > 0 && (ir->funcs[fn.func].flags & IR_FN_ARROW) &&
	       !ir->funcs[fn.func].nparams)
		fn.func = ir->funcs[fn.func].parent;
	size_t n;
	const struct flow_site *sites = flow_callers(q->f, fn, &n);
	if (!n || depth >= 3)
		return out | FL_UNKNOWN;
	for (unsigned i = 0; i < 16; i++) {
		if (!(l & fl_param(i)))
			continue;
		for (size_t k = 0; k < n; k++) {
			const struct ir_node *arg = ir_call_arg(sites[k].call, i);
			out |= arg ? deep(q, sites[k].file, arg, depth + 1) : FL_UNKNOWN;
		}
	}
	return out;
}

uint32_t flow_labels_deep(struct flow_query *q, int32_t file, const struct ir_node *e)
{
	return deep(q, file, e, 0);
}
