/* What a value holds: its labels (the customer's input, configuration, the store,
 * createLink's or checkPayment's answer ...), the string or number it evaluates to, the
 * object literal behind it. Names are followed through their definitions (flow-
 * insensitive within a function: every assignment counts), across files through imports,
 * and calls through the summaries of project functions or the models. */
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

/* ---- definitions ---- */

const struct def *def_reaching(const struct flow *f, int32_t file, const struct ir_node *name,
			       const struct ir_node *at)
{
	if (!name || name->kind != IR_NAME || !name->text)
		return NULL;
	uint32_t n;
	const struct def *d = scope_lookup(f, file, name->func, name->text, &n);
	if (!d)
		return NULL;
	if (d[0].func != name->func)
		return &d[n - 1]; /* an enclosing scope's: its last definition */
	const struct def *best = NULL, *first_after = NULL;
	for (uint32_t i = 0; i < n; i++) {
		const struct ir_node *where = d[i].at;
		if (where && at && ir_within(at, where))
			continue; /* x = x + 1 reads the earlier x */
		if (!where || !at || where->start < at->start)
			best = &d[i];
		else if (!first_after)
			first_after = &d[i];
	}
	return best ? best : first_after ? first_after : &d[0];
}

size_t flow_defs(struct flow_query *q, int32_t file, const struct ir_node *name,
		 const struct ir_node **out, int32_t *out_file, size_t max)
{
	if (!name || name->kind != IR_NAME)
		return 0;
	uint32_t n;
	const struct def *d = scope_lookup(q->f, file, name->func, name->text, &n);
	size_t k = 0;
	for (uint32_t i = 0; d && i < n && k < max; i++) {
		struct def b = d[i];
		int32_t bf = file;
		if (b.how == DEF_IMPORT && !import_binding(q->f, file, b.param, &b, &bf, 0))
			continue;
		if (!b.value)
			continue;
		out[k] = b.value;
		out_file[k++] = bf;
	}
	return k;
}

/* ---- models ---- */

const struct model_row *model_for(const struct flow *f, int32_t file, enum model_kind kind,
				  const struct ir_node *n)
{
	struct path p;
	const struct ir_file *ir = flow_ir(f, file);
	if (!ir || !path_of(&p, n) || !p.n)
		return NULL;
	return model_match(f->models, kind, ir->lang, &p);
}

const struct model_row *flow_model(const struct flow *f, int32_t file, enum model_kind kind,
				   const struct ir_node *n)
{
	return model_for(f, file, kind, n);
}

/* One spelling of an argument (no alternatives). */
static const struct ir_node *model_arg_one(const struct ir_node *call, const char *spec,
					   size_t len)
{
	char one[64];
	if (!len || len >= sizeof one)
		return NULL;
	memcpy(one, spec, len);
	one[len] = '\0';
	if (call->kind == IR_OBJECT) /* a schedule written as a table: its keys */
		return ir_pair_value(call, one);
	if (!strcmp(one, "this"))
		return call->a && call->a->kind == IR_MEMBER ? call->a->a : NULL;
	if (!strcmp(one, "last")) {
		const struct ir_node *last = NULL;
		for (uint32_t i = 0; ir_call_arg(call, i); i++)
			last = ir_call_arg(call, i);
		return last;
	}
	if (one[0] == '@') {
		/* "@every.0": an argument of the call named `every` in the receiver chain:
		 * schedule.every(5).seconds.do(job), Sleep::for(5)->seconds() */
		char *dot = strchr(one, '.');
		struct path p;
		if (!dot || !path_of(&p, call))
			return NULL;
		*dot = '\0';
		for (unsigned i = p.n; i-- > 0;)
			if (p.call[i] && p.node[i] != call && !strcmp(p.seg[i], one + 1))
				return model_arg_one(p.node[i], dot + 1, strlen(dot + 1));
		return NULL;
	}
	if (one[0] >= '0' && one[0] <= '9') {
		char *end;
		unsigned long i = strtoul(one, &end, 10);
		const struct ir_node *arg = ir_call_arg(call, (uint32_t)i);
		if (*end == '.' && arg)
			return ir_pair_value(arg, end + 1);
		return *end ? NULL : arg;
	}
	return ir_pair_value(call, one); /* a named argument */
}

const struct ir_node *model_arg(const struct ir_node *call, const char *spec)
{
	if (!call || (call->kind != IR_CALL && call->kind != IR_OBJECT) || !spec || !*spec)
		return NULL;
	/* "frequency|0": the named argument, else the first */
	for (const char *p = spec;;) {
		size_t len = strcspn(p, "|");
		const struct ir_node *arg = model_arg_one(call, p, len);
		if (arg || !p[len])
			return arg;
		p += len + 1;
	}
}

/* A call the models name an answer to the client (res.json(), reply.send()), unless its
 * receiver is a local holding something else: `const res = await fetch(...)`. */
const struct model_row *model_response(const struct flow *f, int32_t file, const struct path *p)
{
	const struct model_row *r = model_match(f->models, MODEL_RESPONSE, flow_ir(f, file)->lang, p);
	if (!r || p->n < 2 || !p->node[0] || p->node[0]->kind != IR_NAME)
		return r;
	const struct def *d = def_reaching(f, file, p->node[0], p->node[0]);
	return d && (d->how == DEF_ASSIGN || d->how == DEF_PATTERN) ? NULL : r;
}

bool model_arg_is(const struct ir_node *call, const char *spec)
{
	char *end;
	unsigned long i = strtoul(spec, &end, 10);
	const struct ir_node *arg = ir_call_arg(call, (uint32_t)i);
	return *end == '=' && arg && arg->text &&
	       (arg->kind == IR_STRING || arg->kind == IR_NAME || arg->kind == IR_MEMBER) &&
	       model_list_has(end + 1, arg->text, strlen(arg->text));
}

/* ---- labels ---- */

static uint32_t labels_at(struct flow_query *q, int32_t file, const struct ir_node *e);


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
		if (r->decorator_pat && !decorated(r->decorator_pat, prm->decorators, prm->ndecorators))
			continue;
		if (r->in_pat && !decorated(r->in_pat, fn->decorators, fn->ndecorators))
			continue;
		/* db: Session = Depends(get_db): not input */
		if (r->unless_pat && ((one_segment(&p, prm->type) && path_match(r->unless_pat, &p)) ||
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

/* What a callback call (promise.then(fn)) is made on, when function func is the fn it
 * runs; NULL else. */
static const struct ir_node *callback_receiver(struct flow_query *q, int32_t file, int32_t func)
{
	const struct ir_file *ir = flow_ir(q->f, file);
	const struct ir_node *fn = func > 0 && (uint32_t)func < ir->nfuncs ? ir->funcs[func].node
									   : NULL;
	const struct ir_node *call = fn ? fn->parent : NULL;
	if (!call || call->kind != IR_CALL || !call->a || call->a->kind != IR_MEMBER)
		return NULL;
	const struct model_row *r = model_for(q->f, file, MODEL_CALLBACK, call);
	if (!r || model_arg(call, r->attr[MODEL_ATTR_FN] ? r->attr[MODEL_ATTR_FN] : "0") != fn)
		return NULL;
	return call->a->a;
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
		const struct ir_node *cb = d->param == 0 ? callback_receiver(q, file, d->func) : NULL;
		if (cb)
			l |= labels_at(q, file, cb);
		const struct model_row *r = param_model(f, file, d);
		if (r && !is_object_param(r))
			l |= FL_REQUEST;
		if (d->key && *d->key && r && is_object_param(r))
			l |= FL_REQUEST; /* ({ body }) of a request object */
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
		if (depth > 8 || !import_binding(f, file, d->param, &b, &bf, 0) || b.how == DEF_IMPORT)
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
			if (e->kind == IR_CALL && model_match(f->models, MODEL_VALIDATOR, ir->lang, &p))
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
		if (have && model_match(f->models, MODEL_READ, ir->lang, &p))
			return FL_STORED;
		if (have && model_response(f, file, &p) &&
		    !(e->a && e->a->kind == IR_MEMBER && value_is_answer(q, file, e->a->a)))
			return 0;
		if (have && model_match(f->models, MODEL_VALIDATOR, ir->lang, &p))
			return labels_kids(q, file, e) | FL_VALIDATED;
		struct flow_fn callee = flow_callee(f, file, e);
		const struct flow_summary *s = flow_fn_ok(callee) ? flow_summary(f, callee) : NULL;
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
		 * of the value itself: Order.find(req.query.id) is an order, not input */
		uint32_t args = 0, l = answer;
		for (uint32_t i = 0; i < e->nkids; i++)
			args |= labels_at(q, file, e->kids[i]);
		if (e->a && e->a->kind == IR_MEMBER)
			l |= labels_at(q, file, e->a->a);
		if (!(have && model_match(f->models, MODEL_PASSTHROUGH, ir->lang, &p)))
			args &= ~(FL_REQUEST | FL_VALIDATED);
		return (l | args) & ~FL_LITERAL;
	}
	if (e->kind == IR_MEMBER) {
		if (e->a && e->a->kind == IR_THIS)
			return property_labels(q, file, e);
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
		return labels_at(q, file, e->b ? e->b : e->a) | (e->c ? labels_at(q, file, e->c) : 0);
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

/* ---- objects ---- */

static const struct ir_node *class_constant(struct flow_query *q, int32_t file,
					    const struct ir_node *e, int32_t *out_file);

static const struct ir_node *object_at(struct flow_query *q, int32_t file, const struct ir_node *e,
				       int32_t *out_file, int depth);

static const struct ir_node *member_at(struct flow_query *q, int32_t file,
				       const struct ir_node *obj, const char *key, int32_t *out_file,
				       int depth)
{
	int32_t of = file;
	const struct ir_node *o = object_at(q, file, obj, &of, depth + 1);
	if (!o)
		return NULL;
	for (uint32_t i = o->nkids; i-- > 0;) {
		const struct ir_node *k = o->kids[i];
		if (k->kind == IR_PAIR && k->text && !strcmp(k->text, key)) {
			*out_file = of;
			return k->b;
		}
		if (k->kind == IR_SPREAD) {
			const struct ir_node *v = member_at(q, of, k->a, key, out_file, depth + 1);
			if (v)
				return v;
		}
	}
	return NULL;
}

/* The single value a project function returns (its last return), or NULL. */
static const struct ir_node *returned(const struct flow *f, struct flow_fn fn)
{
	const struct ir_func *func = flow_func(f, fn);
	if (!func || !func->body)
		return NULL;
	const struct ir_node *found = NULL;
	for (uint32_t i = 0; i < func->body->nkids; i++)
		if (func->body->kids[i]->kind == IR_RETURN && func->body->kids[i]->a)
			found = func->body->kids[i]->a;
	return found;
}

static const struct ir_node *object_at(struct flow_query *q, int32_t file, const struct ir_node *e,
				       int32_t *out_file, int depth)
{
	if (!e || depth > 12)
		return NULL;
	switch (e->kind) {
	case IR_OBJECT:
		*out_file = file;
		return e;
	case IR_AWAIT:
		return object_at(q, file, e->a, out_file, depth + 1);
	case IR_NAME: {
		const struct def *d = def_reaching(q->f, file, e, e);
		struct def b;
		int32_t bf = file;
		if (!d)
			return NULL;
		b = *d;
		if (b.how == DEF_IMPORT && !import_binding(q->f, file, d->param, &b, &bf, 0))
			return NULL;
		if (b.how == DEF_ASSIGN)
			return object_at(q, bf, b.value, out_file, depth + 1);
		if (b.how == DEF_PATTERN && b.key && *b.key && !strchr(b.key, '.'))
			return object_at(q, bf, member_at(q, bf, b.value, b.key, &bf, depth + 1),
					 out_file, depth + 1);
		return NULL;
	}
	case IR_MEMBER: {
		int32_t vf = file;
		const struct ir_node *v = e->text ? member_at(q, file, e->a, e->text, &vf, depth + 1)
						  : NULL;
		if (!v && e->text) /* a class constant: self::STATUS_MAP */
			v = class_constant(q, file, e, &vf);
		return v ? object_at(q, vf, v, out_file, depth + 1) : NULL;
	}
	case IR_CALL: {
		struct flow_fn fn = flow_callee(q->f, file, e);
		const struct ir_node *r = flow_fn_ok(fn) ? returned(q->f, fn) : NULL;
		return r ? object_at(q, fn.file, r, out_file, depth + 1) : NULL;
	}
	default:
		return NULL;
	}
}

const struct ir_node *flow_object(struct flow_query *q, int32_t file, const struct ir_node *expr,
				  int32_t *out_file)
{
	*out_file = file;
	return object_at(q, file, expr, out_file, 0);
}

const struct ir_node *flow_member_value(struct flow_query *q, int32_t file,
					const struct ir_node *obj, const char *key,
					int32_t *out_file)
{
	*out_file = file;
	return member_at(q, file, obj, key, out_file, 0);
}

/* ---- strings and numbers ---- */

static const struct model_row *constant_of(const struct flow *f, int32_t file,
					   const struct ir_node *e);

struct str {
	struct buf out;
	bool partial, known;
};

static void str_at(struct flow_query *q, int32_t file, const struct ir_node *e, struct str *s,
		   int depth);

static void unknown(struct str *s)
{
	buf_puts(&s->out, "{?}");
	s->partial = true;
}

/* The constant a class gives a name: A::URL, self::URL, this.baseUrl's initial value. */
static const struct ir_node *class_constant(struct flow_query *q, int32_t file,
					    const struct ir_node *e, int32_t *out_file)
{
	int32_t cf, cc;
	if (!e->text || !value_class(q->f, file, e->a, &cf, &cc, 0))
		return NULL;
	const struct ir_class *c = &flow_ir(q->f, cf)->classes[cc];
	for (uint32_t i = 0; i < c->nfields; i++)
		if (c->fields[i].name && !strcmp(c->fields[i].name, e->text) && c->fields[i].value) {
			*out_file = cf;
			return c->fields[i].value;
		}
	/* this.baseUrl = "..." in the constructor */
	for (uint32_t m = 0; m < c->nmethods; m++) {
		const struct ir_func *fn = &flow_ir(q->f, cf)->funcs[c->methods[m]];
		if (!(fn->flags & IR_FN_CTOR) || !fn->body)
			continue;
		for (uint32_t k = 0; k < fn->body->nkids; k++) {
			const struct ir_node *st = fn->body->kids[k];
			const struct ir_node *as = st->kind == IR_EXPR ? st->a : NULL;
			if (as && as->kind == IR_ASSIGN && as->a && as->a->kind == IR_MEMBER &&
			    as->a->a && as->a->a->kind == IR_THIS && as->a->text &&
			    !strcmp(as->a->text, e->text)) {
				*out_file = cf;
				return as->b;
			}
		}
	}
	return NULL;
}

static void str_call(struct flow_query *q, int32_t file, const struct ir_node *e, struct str *s,
		     int depth)
{
	const struct flow *f = q->f;
	const struct ir_file *ir = flow_ir(f, file);
	struct path p;
	if (path_of(&p, e) && p.n) {
		unsigned len = 0;
		const struct model_row *env =
			model_match_prefix(f->models, MODEL_ENV, ir->lang, &p, &len);
		if (env && len == p.n) {
			/* an environment read: its default when it has one */
			const char *at = env->attr[MODEL_ATTR_DEFAULT];
			const struct ir_node *def = at ? model_arg(e, at) : NULL;
			if (def)
				str_at(q, file, def, s, depth + 1);
			else
				unknown(s);
			return;
		}
	}
	struct flow_fn fn = flow_callee(f, file, e);
	const struct ir_node *r = flow_fn_ok(fn) ? returned(f, fn) : NULL;
	if (r)
		str_at(q, fn.file, r, s, depth + 1);
	else
		unknown(s);
}

static void str_name(struct flow_query *q, int32_t file, const struct ir_node *e, struct str *s,
		     int depth)
{
	const struct def *d = def_reaching(q->f, file, e, e);
	struct def b;
	int32_t bf = file;
	if (!d) {
		const struct model_row *c = constant_of(q->f, file, e);
		if (c) {
			buf_puts(&s->out, c->attr[MODEL_ATTR_VALUE]);
			s->known = true;
		} else {
			unknown(s);
		}
		return;
	}
	b = *d;
	if (b.how == DEF_IMPORT && !import_binding(q->f, file, d->param, &b, &bf, 0)) {
		unknown(s);
		return;
	}
	if (b.how == DEF_ASSIGN && b.value && b.value != e) {
		str_at(q, bf, b.value, s, depth + 1);
		return;
	}
	if (b.how == DEF_PATTERN && b.key && *b.key && !strchr(b.key, '.')) {
		int32_t vf = bf;
		const struct ir_node *v = member_at(q, bf, b.value, b.key, &vf, depth + 1);
		if (v) {
			str_at(q, vf, v, s, depth + 1);
			return;
		}
	}
	if (b.how == DEF_PARAM) {
		const struct ir_param *prm = def_param(q->f, bf, &b);
		if (prm && prm->def) {
			str_at(q, bf, prm->def, s, depth + 1);
			return;
		}
	}
	unknown(s);
}

static void str_at(struct flow_query *q, int32_t file, const struct ir_node *e, struct str *s,
		   int depth)
{
	if (!e || depth > MAX_DEPTH || s->out.len > 4096) {
		unknown(s);
		return;
	}
	switch (e->kind) {
	case IR_STRING:
		buf_put(&s->out, e->text, e->len);
		s->known = true;
		return;
	case IR_NUMBER:
		if (e->num == (double)(long long)e->num)
			buf_printf(&s->out, "%lld", (long long)e->num);
		else
			buf_printf(&s->out, "%g", e->num);
		s->known = true;
		return;
	case IR_TEMPLATE:
		for (uint32_t i = 0; i < e->nkids; i++)
			str_at(q, file, e->kids[i], s, depth + 1);
		return;
	case IR_BINARY:
		if (e->op == IR_OP_ADD || e->op == IR_OP_CONCAT) {
			str_at(q, file, e->a, s, depth + 1);
			str_at(q, file, e->b, s, depth + 1);
			return;
		}
		if (e->op == IR_OP_OR || e->op == IR_OP_NULLISH) {
			/* process.env.BASE || "https://...": the fallback is what is known */
			struct str left = {BUF_INIT, false, false};
			str_at(q, file, e->a, &left, depth + 1);
			if (left.known && !left.partial) {
				buf_put(&s->out, left.out.ptr, left.out.len);
				s->known = true;
			} else {
				str_at(q, file, e->b, s, depth + 1);
			}
			buf_free(&left.out);
			return;
		}
		unknown(s);
		return;
	case IR_COND:
		str_at(q, file, e->b ? e->b : e->a, s, depth + 1);
		return;
	case IR_AWAIT:
		str_at(q, file, e->a, s, depth + 1);
		return;
	case IR_NAME:
		str_name(q, file, e, s, depth);
		return;
	case IR_MEMBER: {
		int32_t vf = file;
		const struct ir_node *v = e->text ? member_at(q, file, e->a, e->text, &vf, depth + 1)
						  : NULL;
		if (!v)
			v = class_constant(q, file, e, &vf);
		if (v) {
			str_at(q, vf, v, s, depth + 1);
			return;
		}
		const struct model_row *c = constant_of(q->f, file, e);
		if (c) { /* CronExpression.EVERY_5_SECONDS */
			buf_puts(&s->out, c->attr[MODEL_ATTR_VALUE]);
			s->known = true;
			return;
		}
		unknown(s);
		return;
	}
	case IR_CALL:
		str_call(q, file, e, s, depth);
		return;
	default:
		unknown(s);
		return;
	}
}

bool flow_string(struct flow_query *q, int32_t file, const struct ir_node *expr, char *buf,
		 size_t size, bool *partial)
{
	struct str s = {BUF_INIT, false, false};
	str_at(q, file, expr, &s, 0);
	bool ok = s.known && !buf_oom(&s.out);
	if (size) {
		size_t n = ok ? (s.out.len < size - 1 ? s.out.len : size - 1) : 0;
		if (n)
			memcpy(buf, s.out.ptr, n);
		buf[n] = '\0';
	}
	if (partial)
		*partial = s.partial;
	buf_free(&s.out);
	return ok;
}

static bool number_at(struct flow_query *q, int32_t file, const struct ir_node *e, double *out,
		      int depth);

/* A number written as text: "5", "2.5" (env defaults are strings). */
static bool number_text(const char *t, double *out)
{
	char *end;
	if (!t || !*t)
		return false;
	double v = strtod(t, &end);
	while (*end == ' ')
		end++;
	if (end == t || *end)
		return false;
	*out = v;
	return true;
}

/* A framework's constant with a known value: MINUTE_IN_SECONDS. */
static const struct model_row *constant_of(const struct flow *f, int32_t file,
					   const struct ir_node *e)
{
	const struct model_row *r = model_for(f, file, MODEL_CONSTANT, e);
	return r && r->attr[MODEL_ATTR_VALUE] ? r : NULL;
}

/* A parameter's default, when no caller of its function passes that argument. */
static const struct ir_node *param_default(const struct flow *f, int32_t file,
					   const struct def *d)
{
	const struct ir_param *prm = def_param(f, file, d);
	if (!prm || !prm->def || prm->rest)
		return NULL;
	size_t n;
	const struct flow_site *sites = flow_callers(f, (struct flow_fn){file, d->func}, &n);
	for (size_t i = 0; i < n; i++)
		if (ir_call_arg(sites[i].call, (uint32_t)d->param))
			return NULL;
	return prm->def;
}

static bool number_call(struct flow_query *q, int32_t file, const struct ir_node *e, double *out,
			int depth)
{
	const struct flow *f = q->f;
	const struct ir_file *ir = flow_ir(f, file);
	struct path p;
	if (!path_of(&p, e) || !p.n)
		return false;
	unsigned len = 0;
	const struct model_row *r = model_match_prefix(f->models, MODEL_ENV, ir->lang, &p, &len);
	if (r && len == p.n) /* an environment read: its default is what runs unset */
		return r->attr[MODEL_ATTR_DEFAULT] &&
		       number_at(q, file, model_arg(e, r->attr[MODEL_ATTR_DEFAULT]), out, depth + 1);
	if ((r = model_match(f->models, MODEL_CONVERT, ir->lang, &p)) && r->attr[MODEL_ATTR_VALUE])
		return number_at(q, file, model_arg(e, r->attr[MODEL_ATTR_VALUE]), out, depth + 1);
	struct flow_fn fn = flow_callee(f, file, e);
	const struct ir_node *ret = flow_fn_ok(fn) ? returned(f, fn) : NULL;
	return ret && number_at(q, fn.file, ret, out, depth + 1);
}

static bool number_at(struct flow_query *q, int32_t file, const struct ir_node *e, double *out,
		      int depth)
{
	if (!e || depth > MAX_DEPTH)
		return false;
	double a, b;
	const struct model_row *c;
	switch (e->kind) {
	case IR_NUMBER:
		*out = e->num;
		return true;
	case IR_STRING:
		return e->len == strlen(e->text) && number_text(e->text, out);
	case IR_UNARY:
		if (e->op == IR_OP_NEG && number_at(q, file, e->a, &a, depth + 1)) {
			*out = -a;
			return true;
		}
		return e->op == IR_OP_PLUS && number_at(q, file, e->a, out, depth + 1);
	case IR_COND:
		/* PHP's getenv('X') ?: 5: the fallback when the left is unknown or zero */
		if (e->b)
			return false;
		/* fall through */
	case IR_BINARY:
		if (e->kind == IR_COND || e->op == IR_OP_OR || e->op == IR_OP_NULLISH) {
			const struct ir_node *right = e->kind == IR_COND ? e->c : e->b;
			if (number_at(q, file, e->a, &a, depth + 1) && (a != 0 || e->op == IR_OP_NULLISH)) {
				*out = a;
				return true;
			}
			return number_at(q, file, right, out, depth + 1);
		}
		if (!number_at(q, file, e->a, &a, depth + 1) || !number_at(q, file, e->b, &b, depth + 1))
			return false;
		switch (e->op) {
		case IR_OP_ADD:
			*out = a + b;
			return true;
		case IR_OP_SUB:
			*out = a - b;
			return true;
		case IR_OP_MUL:
			*out = a * b;
			return true;
		case IR_OP_DIV:
			if (b == 0)
				return false;
			*out = a / b;
			return true;
		default:
			return false;
		}
	case IR_AWAIT:
		return number_at(q, file, e->a, out, depth + 1);
	case IR_OTHER: /* a cast: (int) 1500 */
		return e->a && !e->b && number_at(q, file, e->a, out, depth + 1);
	case IR_CALL:
		return number_call(q, file, e, out, depth);
	case IR_NAME: {
		const struct def *d = def_reaching(q->f, file, e, e);
		struct def bd;
		int32_t bf = file;
		if (!d)
			return (c = constant_of(q->f, file, e)) &&
			       number_text(c->attr[MODEL_ATTR_VALUE], out);
		bd = *d;
		if (bd.how == DEF_IMPORT && !import_binding(q->f, file, d->param, &bd, &bf, 0))
			return false;
		if (bd.how == DEF_PARAM)
			return number_at(q, bf, param_default(q->f, bf, &bd), out, depth + 1);
		return bd.how == DEF_ASSIGN && bd.value != e &&
		       number_at(q, bf, bd.value, out, depth + 1);
	}
	case IR_MEMBER: {
		int32_t vf = file;
		const struct ir_node *v = e->text ? member_at(q, file, e->a, e->text, &vf, depth + 1)
						  : NULL;
		if (!v)
			v = class_constant(q, file, e, &vf);
		if (v)
			return number_at(q, vf, v, out, depth + 1);
		return (c = constant_of(q->f, file, e)) && number_text(c->attr[MODEL_ATTR_VALUE], out);
	}
	default:
		return false;
	}
}

bool flow_number(struct flow_query *q, int32_t file, const struct ir_node *expr, double *out)
{
	return number_at(q, file, expr, out, 0);
}
