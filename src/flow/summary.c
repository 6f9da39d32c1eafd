/* Per-function summaries, computed callees first (strongly connected components of the
 * call graph in reverse topological order; a component of several functions, recursion,
 * is computed twice). A function's closures count as part of it: what a callback passed
 * to a transaction or a promise does, the function does. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "flow/flow_private.h"

static const struct flow_summary empty = {.api_ref = -1, .url_param = -1, .verify_param = -1,
					 .wait_param = -1, .wait_ms = -1};

const struct flow_summary *flow_summary(const struct flow *f, struct flow_fn fn)
{
	struct flow_file *ff = flow_file_at(f, fn.file);
	if (!ff || !ff->summaries || fn.func < 0 || (uint32_t)fn.func >= ff->ir->nfuncs)
		return &empty;
	return &ff->summaries[fn.func];
}

static int lowest_param(uint32_t l)
{
	for (int i = 0; i < 16; i++)
		if (l & fl_param(i))
			return i;
	return -1;
}

/* The function and its closures (functions defined in its body, methods aside). */
struct members {
	struct flow_fn *items;
	uint32_t n, cap;
};

static void with_closures(const struct flow_file *ff, int32_t file, int32_t func,
			  struct members *m, int depth)
{
	if (depth > 64)
		return;
	if (m->n == m->cap) {
		uint32_t cap = m->cap ? m->cap * 2 : 8;
		struct flow_fn *p = realloc(m->items, cap * sizeof *p);
		if (!p)
			return;
		m->items = p;
		m->cap = cap;
	}
	m->items[m->n++] = (struct flow_fn){file, func};
	for (int32_t c = ff->first_child[func]; c >= 0; c = ff->next_sibling[c])
		if (!(ff->ir->funcs[c].flags & IR_FN_METHOD))
			with_closures(ff, file, c, m, depth + 1);
}

void flow_walk(const struct flow *f, struct flow_fn fn, bool closures, ir_visit_fn visit,
	       void *ctx)
{
	struct flow_file *ff = flow_file_at(f, fn.file);
	if (!ff || fn.func < 0 || (uint32_t)fn.func >= ff->ir->nfuncs)
		return;
	if (!closures || !ff->first_child) {
		ir_walk(ff->ir->funcs[fn.func].body, visit, ctx);
		return;
	}
	struct members m = {0};
	with_closures(ff, fn.file, fn.func, &m, 0);
	for (uint32_t i = 0; i < m.n; i++)
		ir_walk(ff->ir->funcs[m.items[i].func].body, visit, ctx);
	free(m.items);
}

static bool guarded_confirmed(struct flow_query *q, int32_t file, const struct ir_node *n)
{
	struct flow_guard g[32];
	size_t k = flow_guards(q, file, n, g, 32);
	for (size_t i = 0; i < k; i++)
		if (flow_condition_status(q, file, g[i].cond, g[i].truth).status == ST_CONFIRMED)
			return true;
	return false;
}

struct returns {
	struct flow_query *q;
	int32_t file;
	uint32_t labels;
	int confirmed, plain; /* returns that tell CONFIRMED, and other true returns */
	bool all_confirmed;   /* every return is reached only when confirmed */
	uint32_t count;
};

static bool visit_return(void *ctx, const struct ir_node *n)
{
	struct returns *r = ctx;
	if (n->kind != IR_RETURN)
		return true;
	r->count++;
	if (n->a)
		r->labels |= flow_labels(r->q, r->file, n->a);
	bool guarded = guarded_confirmed(r->q, r->file, n);
	if (!guarded)
		r->all_confirmed = false;
	if (n->a && flow_condition_status(r->q, r->file, n->a, true).status == ST_CONFIRMED)
		r->confirmed++;
	else if (n->a && n->a->kind == IR_BOOL && n->a->num != 0)
		guarded ? r->confirmed++ : r->plain++;
	return true;
}

/* Values set on the objects a write takes (x.ref = v, x.setRef(v) before x.save(),
 * repo.save(x), or a commit with no argument): their labels. */
struct staged {
	struct flow_query *q;
	int32_t file;
	const char *names[8];
	size_t nnames;
	bool any; /* a commit: every object counts */
	uint32_t labels;
};

static bool staged_on(const struct staged *st, const struct ir_node *target)
{
	const char *name = ir_root_name(target);
	if (!name)
		return false;
	if (st->any)
		return true;
	for (size_t i = 0; i < st->nnames; i++)
		if (!strcmp(st->names[i], name))
			return true;
	return false;
}

static bool visit_staged(void *ctx, const struct ir_node *n)
{
	struct staged *st = ctx;
	if (n->kind == IR_ASSIGN && n->a && (n->a->kind == IR_MEMBER || n->a->kind == IR_INDEX) &&
	    staged_on(st, n->a))
		st->labels |= flow_labels(st->q, st->file, n->b);
	else if (n->kind == IR_CALL && n->a && n->a->kind == IR_MEMBER && n->a->text &&
		 !strncmp(n->a->text, "set", 3) && n->nkids && staged_on(st, n->a->a))
		st->labels |= flow_labels(st->q, st->file, n->kids[0]);
	return true;
}

static uint32_t staged_values(struct flow_query *q, const struct flow *f, struct flow_fn fn,
			      const struct ir_node *write)
{
	struct staged st = {q, fn.file, {0}, 0, false, 0};
	if (write->a && write->a->kind == IR_MEMBER && ir_root_name(write->a->a))
		st.names[st.nnames++] = ir_root_name(write->a->a);
	for (uint32_t i = 0; i < write->nkids && st.nnames < 8; i++)
		if (ir_root_name(write->kids[i]))
			st.names[st.nnames++] = ir_root_name(write->kids[i]);
	st.any = write->nkids == 0;
	flow_walk(f, fn, false, visit_staged, &st);
	return st.labels;
}

/* How long a wait helper waits: a parameter given as the wait's length (ms => new
 * Promise(r => setTimeout(r, ms))), or a fixed length. */
static void wait_of(struct flow_query *q, struct flow_summary *s, struct flow_fn fn,
		    const struct flow_event *e)
{
	double unit = 1;
	const struct ir_node *a = e->row ? model_duration_arg(e->node, e->row, &unit) : e->arg;
	if (e->row == NULL && flow_fn_ok(e->via)) {
		/* a helper that calls another helper */
		const struct flow_summary *inner = flow_summary(q->f, e->via);
		unit = inner->wait_unit;
	}
	s->wait_ms = e->ms;
	s->wait_unit = unit;
	const struct ir_param *prm;
	int p = a && a->kind == IR_NAME ? lowest_param(flow_labels(q, fn.file, a)) : -1;
	const struct ir_func *func = flow_func(q->f, fn);
	if (p >= 0 && func && (uint32_t)p < func->nparams && (prm = &func->params[p])->name &&
	    !strcmp(prm->name, a->text))
		s->wait_param = (int8_t)p;
}

/* What a wrapper's URL holds before its last unknown part, the parameter's:
 * `${OCPAY_API}${path}` -> "https://api.oneclickdz.com/v3/ocpay"; kept in the file's arena. */
static const char *url_base(struct flow_query *q, struct flow_file *ff, int32_t file,
			    const struct ir_node *url)
{
	char buf[512];
	bool partial;
	if (!flow_string(q, file, url, buf, sizeof buf, &partial) || !partial)
		return NULL;
	char *last = NULL;
	for (char *p = strstr(buf, "{?}"); p; p = strstr(p + 3, "{?}"))
		last = p;
	if (!last || last == buf)
		return NULL;
	return ir_strndup(ff->ir, buf, (size_t)(last - buf));
}

/* The part of a URL that varies last: endpoint in `${base}${endpoint}`, base + endpoint,
 * followed through locals and conversions (const url = new URL(`${base}${endpoint}`)). */
static const struct ir_node *url_tail(const struct flow *f, int32_t file, const struct ir_node *u)
{
	for (int step = 0; u && step < 8; step++) {
		const struct def *d;
		const struct model_row *c;
		if (u->kind == IR_AWAIT)
			u = u->a;
		else if (u->kind == IR_TEMPLATE && u->nkids)
			u = u->kids[u->nkids - 1];
		else if (u->kind == IR_BINARY)
			u = u->b;
		else if (u->kind == IR_CALL && (c = model_for(f, file, MODEL_CONVERT, u)) &&
			 c->attr[MODEL_ATTR_VALUE])
			u = model_arg(u, c->attr[MODEL_ATTR_VALUE]);
		else if (u->kind == IR_NAME && (d = def_reaching(f, file, u, u)) &&
			 d->how == DEF_ASSIGN && d->value && d->value != u)
			u = d->value;
		else
			break;
	}
	return u;
}

void summary_compute(struct flow *f, struct flow_query *q, struct flow_fn fn)
{
	struct flow_file *ff = flow_file_at(f, fn.file);
	const struct ir_func *func = &ff->ir->funcs[fn.func];
	struct flow_summary s = empty;
	struct returns r = {q, fn.file, 0, 0, 0, true, 0};
	ir_walk(func->body, visit_return, &r);
	s.ret = r.labels;
	struct members m = {0};
	with_closures(ff, fn.file, fn.func, &m, 0);
	bool checks = false;
	int waits = 0, others = 0; /* a wait helper does nothing else */
	for (uint32_t k = 0; k < m.n; k++) {
		size_t n;
		const struct flow_event *ev = flow_events(f, m.items[k], &n);
		for (size_t i = 0; i < n; i++) {
			const struct flow_event *e = &ev[i];
			const struct flow_summary *callee =
				flow_fn_ok(e->via) ? flow_summary(f, e->via) : NULL;
			bool once = e->kind == EV_TIMER && e->row && e->row->attr[MODEL_ATTR_ONCE];
			if (e->kind == EV_SLEEP || once) {
				if (!waits++)
					wait_of(q, &s, fn, e);
			} else {
				others++;
			}
			switch (e->kind) {
			case EV_CREATE_LINK:
				s.api |= 1u << EV_CREATE_LINK;
				break;
			case EV_CHECK_PAYMENT: {
				s.api |= 1u << EV_CHECK_PAYMENT;
				checks = true;
				int p = e->arg ? lowest_param(flow_labels(q, fn.file, e->arg)) : -1;
				if (p >= 0 && s.api_ref < 0)
					s.api_ref = (int8_t)p;
				break;
			}
			case EV_HTTP: {
				int p = e->arg ? lowest_param(flow_labels(q, fn.file, e->arg)) : -1;
				if (p >= 0 && s.url_param < 0) {
					s.url_param = (int8_t)p;
					/* url: opts.endpoint */
					const struct ir_node *u = url_tail(f, fn.file, e->arg);
					if (u && u->kind == IR_MEMBER && u->a && u->a->kind == IR_NAME)
						s.url_key = u->text;
					/* ({ endpoint, body }) => fetch(base + endpoint) */
					const struct def *pd = u && u->kind == IR_NAME
								       ? def_reaching(f, fn.file, u, u)
								       : NULL;
					if (pd && pd->how == DEF_PARAM && pd->key && *pd->key &&
					    !strchr(pd->key, '.'))
						s.url_key = pd->key;
					s.url_base = url_base(q, ff, fn.file, e->arg);
				}
				break;
			}
			case EV_WRITE: {
				uint32_t l = 0;
				for (uint32_t a = 0; a < e->node->nkids; a++)
					l |= flow_labels(q, fn.file, e->node->kids[a]);
				if (e->node->a && e->node->a->kind == IR_MEMBER)
					l |= flow_labels(q, fn.file, e->node->a->a);
				/* what was set on a model it writes: order.ref = ref; order.save() */
				l |= staged_values(q, f, m.items[k], e->node);
				s.writes |= l & FL_PARAMS;
				break;
			}
			case EV_FULFIL:
				if (!guarded_confirmed(q, fn.file, e->node))
					s.fulfils = true;
				break;
			case EV_FAIL_MARK:
				s.fails = true;
				break;
			case EV_LOG:
				s.logs = true;
				break;
			case EV_CALL:
				if (!callee)
					break;
				s.logs |= callee->logs;
				s.fails |= callee->fails;
				if (callee->fulfils && !guarded_confirmed(q, fn.file, e->node))
					s.fulfils = true;
				for (unsigned a = 0; a < 16; a++) {
					const struct ir_node *arg;
					if ((callee->writes & fl_param(a)) &&
					    (arg = ir_call_arg(e->node, a)))
						s.writes |= flow_labels(q, fn.file, arg) & FL_PARAMS;
				}
				if (callee->verifies != VERIFY_NONE)
					checks = true;
				break;
			default:
				break;
			}
		}
	}
	free(m.items);
	s.waits = waits == 1 && !others;
	if (checks && r.confirmed && !r.plain)
		s.verifies = VERIFY_RETURNS;
	else if (checks && r.count && r.all_confirmed)
		s.verifies = VERIFY_ASSERTS;
	else if (checks && !r.count && func->body && guarded_confirmed(q, fn.file, func->body))
		s.verifies = VERIFY_ASSERTS; /* throws unless confirmed, then falls off the end */
	s.verify_param = s.api_ref;
	ff->summaries[fn.func] = s;
}

/* ---- the order: Tarjan's components, iteratively ---- */

struct graph {
	struct flow *f;
	uint32_t n;		 /* functions */
	uint32_t *edge_at;	 /* per function: edges [edge_at[i], edge_at[i + 1]) */
	uint32_t *edges;
	struct flow_fn *fns;	 /* by global number */
};

static uint32_t gid(const struct flow *f, struct flow_fn fn)
{
	return f->fn_base[fn.file] + (uint32_t)fn.func;
}

static int graph_build(struct graph *g)
{
	struct flow *f = g->f;
	uint32_t total = 0;
	f->fn_base = malloc((f->nfiles ? f->nfiles : 1) * sizeof *f->fn_base);
	if (!f->fn_base)
		return error_set("out of memory");
	for (size_t i = 0; i < f->nfiles; i++) {
		f->fn_base[i] = total;
		total += f->files[i].ir->nfuncs;
	}
	f->nfns = g->n = total;
	g->fns = malloc((total ? total : 1) * sizeof *g->fns);
	g->edge_at = calloc(total + 1, sizeof *g->edge_at);
	if (!g->fns || !g->edge_at)
		return error_set("out of memory");
	for (size_t i = 0; i < f->nfiles; i++) {
		struct flow_file *ff = &f->files[i];
		for (uint32_t k = 0; k < ff->ir->nfuncs; k++)
			g->fns[f->fn_base[i] + k] = (struct flow_fn){(int32_t)i, (int32_t)k};
	}
	/* edges: a function to the functions its calls run, and to its closures; counted
	 * per function in one pass over each file's nodes, then filled (CSR) */
	for (int pass = 0; pass < 2; pass++) {
		uint32_t *fill = NULL;
		if (pass == 1) {
			uint32_t sum = 0;
			for (uint32_t v = 0; v <= total; v++) {
				uint32_t c = g->edge_at[v];
				g->edge_at[v] = sum;
				sum += c;
			}
			g->edges = malloc((sum ? sum : 1) * sizeof *g->edges);
			fill = malloc((total ? total : 1) * sizeof *fill);
			if (!g->edges || !fill) {
				free(fill);
				return error_set("out of memory");
			}
			memcpy(fill, g->edge_at, (total ? total : 1) * sizeof *fill);
		}
		for (size_t i = 0; i < f->nfiles; i++) {
			struct flow_file *ff = &f->files[i];
			const struct ir_file *ir = ff->ir;
			for (uint32_t k = 0; k < ir->nnodes; k++) {
				const struct ir_node *node = ir->nodes[k];
				if (!node || node->func < 0)
					continue;
				uint32_t to;
				if (flow_fn_ok(ff->callee[k]))
					to = gid(f, ff->callee[k]);
				else if (node->kind == IR_FUNC)
					to = gid(f, (struct flow_fn){(int32_t)i, (int32_t)node->num});
				else
					continue;
				uint32_t from = f->fn_base[i] + (uint32_t)node->func;
				if (pass == 0)
					g->edge_at[from]++;
				else
					g->edges[fill[from]++] = to;
			}
		}
		free(fill);
	}
	return 0;
}

struct frame {
	uint32_t v, next;
};

static int compute_in_order(struct graph *g, struct flow_query *q)
{
	uint32_t n = g->n;
	uint32_t *index = malloc((n ? n : 1) * sizeof *index);
	uint32_t *low = malloc((n ? n : 1) * sizeof *low);
	uint32_t *stack = malloc((n ? n : 1) * sizeof *stack);
	bool *on = calloc(n ? n : 1, sizeof *on);
	struct frame *calls = malloc((n ? n : 1) * sizeof *calls);
	int rc = 0;
	if (!index || !low || !stack || !on || !calls) {
		rc = error_set("out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < n; i++)
		index[i] = UINT32_MAX;
	uint32_t counter = 0, sp = 0;
	for (uint32_t root = 0; root < n && !rc; root++) {
		if (index[root] != UINT32_MAX)
			continue;
		uint32_t depth = 0;
		calls[depth++] = (struct frame){root, g->edge_at[root]};
		index[root] = low[root] = counter++;
		stack[sp++] = root;
		on[root] = true;
		while (depth && !rc) {
			struct frame *fr = &calls[depth - 1];
			uint32_t v = fr->v;
			if (fr->next < g->edge_at[v + 1]) {
				uint32_t w = g->edges[fr->next++];
				if (index[w] == UINT32_MAX) {
					index[w] = low[w] = counter++;
					stack[sp++] = w;
					on[w] = true;
					calls[depth++] = (struct frame){w, g->edge_at[w]};
				} else if (on[w] && index[w] < low[v]) {
					low[v] = index[w];
				}
				continue;
			}
			if (low[v] == index[v]) {
				/* a component: the stack from v up; callees are done already */
				uint32_t start = sp;
				while (stack[start - 1] != v)
					start--;
				start--;
				int rounds = sp - start > 1 ? 2 : 1;
				for (int round = 0; round < rounds && !rc; round++)
					for (uint32_t k = start; k < sp && !rc; k++) {
						struct flow_fn fn = g->fns[stack[k]];
						rc = events_classify(g->f, q, fn);
						if (!rc)
							summary_compute(g->f, q, fn);
					}
				for (uint32_t k = start; k < sp; k++)
					on[stack[k]] = false;
				sp = start;
			}
			depth--;
			if (depth) {
				uint32_t parent = calls[depth - 1].v;
				if (low[v] < low[parent])
					low[parent] = low[v];
			}
		}
	}
out:
	free(index);
	free(low);
	free(stack);
	free(on);
	free(calls);
	return rc;
}

int summaries_build(struct flow *f)
{
	for (size_t i = 0; i < f->nfiles; i++) {
		struct flow_file *ff = &f->files[i];
		uint32_t nf = ff->ir->nfuncs ? ff->ir->nfuncs : 1;
		ff->summaries = malloc(nf * sizeof *ff->summaries);
		ff->events = calloc(nf, sizeof *ff->events);
		ff->nevents = calloc(nf, sizeof *ff->nevents);
		ff->event_of = calloc(ff->ir->nnodes ? ff->ir->nnodes : 1, sizeof *ff->event_of);
		ff->first_child = malloc(nf * sizeof *ff->first_child);
		ff->next_sibling = malloc(nf * sizeof *ff->next_sibling);
		if (!ff->summaries || !ff->events || !ff->nevents || !ff->event_of ||
		    !ff->first_child || !ff->next_sibling)
			return error_set("out of memory");
		for (uint32_t k = 0; k < nf; k++)
			ff->first_child[k] = ff->next_sibling[k] = -1;
		for (uint32_t k = ff->ir->nfuncs; k-- > 1;) {
			int32_t p = ff->ir->funcs[k].parent;
			if (p >= 0 && (uint32_t)p < ff->ir->nfuncs) {
				ff->next_sibling[k] = ff->first_child[p];
				ff->first_child[p] = (int32_t)k;
			}
		}
		for (uint32_t k = 0; k < ff->ir->nfuncs; k++)
			ff->summaries[k] = empty;
	}
	struct graph g = {.f = f};
	struct flow_query *q = NULL;
	int rc = graph_build(&g);
	if (!rc && !(q = flow_query_new(f)))
		rc = -1;
	if (!rc)
		rc = compute_in_order(&g, q);
	flow_query_free(q);
	free(g.fns);
	free(g.edge_at);
	free(g.edges);
	return rc;
}
