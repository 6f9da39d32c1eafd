/* The call graph: which project function a call runs, and who calls each function.
 * A callee is found through its name (a local function, a module's, an import's), a
 * method of the class a value holds (new X(), a typed parameter or property, `this`,
 * a container's X::class), a module's member, or an object literal's method. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "flow/flow_private.h"

#define MAX_DEPTH 8

static const struct def *last_def(const struct flow *f, int32_t file, const struct ir_node *n)
{
	if (!n || n->kind != IR_NAME)
		return NULL;
	return def_reaching(f, file, n, n);
}

/* The class a method runs in: its own, or that of the method an arrow sits in. */
static int32_t class_of_func(const struct ir_file *ir, int32_t func)
{
	for (int guard = 0; func >= 0 && guard < 64; guard++) {
		const struct ir_func *fn = &ir->funcs[func];
		if (fn->cls >= 0)
			return fn->cls;
		if (!(fn->flags & IR_FN_ARROW) && !(fn->flags & IR_FN_MODULE) && fn->parent >= 0 &&
		    ir->funcs[fn->parent].cls < 0)
			return -1; /* a plain function has its own `this` */
		func = fn->parent;
	}
	return -1;
}

/* The value a property of a class is given: its declaration's value or type, a
 * constructor parameter promoted to it, or an assignment this.p = v in the constructor. */
static bool property_class(const struct flow *f, int32_t file, int32_t cls, const char *prop,
			   int32_t *out_file, int32_t *out_cls, int depth)
{
	const struct ir_file *ir = flow_ir(f, file);
	const struct ir_class *c = &ir->classes[cls];
	for (uint32_t i = 0; i < c->nfields; i++) {
		const struct ir_field *fd = &c->fields[i];
		if (!fd->name || strcmp(fd->name, prop))
			continue;
		if (fd->type && class_resolve(f, file, fd->type, out_file, out_cls))
			return true;
		if (fd->value && value_class(f, file, fd->value, out_file, out_cls, depth + 1))
			return true;
	}
	for (uint32_t i = 0; i < c->nmethods; i++) {
		const struct ir_func *m = &ir->funcs[c->methods[i]];
		if (!(m->flags & IR_FN_CTOR))
			continue;
		for (uint32_t k = 0; k < m->nparams; k++) {
			const struct ir_param *p = &m->params[k];
			if (p->promoted && p->name && !strcmp(p->name, prop) && p->type &&
			    class_resolve(f, file, p->type, out_file, out_cls))
				return true;
		}
		/* this.prop = value in the constructor */
		const struct ir_node *body = m->body;
		for (uint32_t k = 0; body && k < body->nkids; k++) {
			const struct ir_node *st = body->kids[k];
			const struct ir_node *as = st->kind == IR_EXPR ? st->a : NULL;
			if (!as || as->kind != IR_ASSIGN || !as->a || as->a->kind != IR_MEMBER ||
			    !as->a->a || as->a->a->kind != IR_THIS || !as->a->text ||
			    strcmp(as->a->text, prop))
				continue;
			if (value_class(f, file, as->b, out_file, out_cls, depth + 1))
				return true;
		}
	}
	return false;
}

/* A container's answer: app(X::class), resolve(X::class), $container->get(X::class),
 * inject(X), moduleRef.get(X) — the class named by the first argument. */
static bool container_class(const struct flow *f, int32_t file, const struct ir_node *call,
			    int32_t *out_file, int32_t *out_cls)
{
	const struct ir_node *arg = ir_call_arg(call, 0);
	const char *name = NULL;
	if (arg && arg->kind == IR_MEMBER && (arg->flags & IR_F_STATIC) && arg->text &&
	    !strcmp(arg->text, "class") && arg->a && arg->a->kind == IR_NAME)
		name = arg->a->text;
	else if (arg && arg->kind == IR_NAME && call->a && call->a->kind != IR_NAME)
		name = arg->text; /* moduleRef.get(X) */
	else if (arg && arg->kind == IR_NAME && call->a && ir_is_name(call->a, "inject"))
		name = arg->text;
	return name && class_resolve(f, file, name, out_file, out_cls);
}

bool value_class(const struct flow *f, int32_t file, const struct ir_node *e, int32_t *out_file,
		 int32_t *out_cls, int depth)
{
	const struct ir_file *ir = flow_ir(f, file);
	if (!e || !ir || depth > MAX_DEPTH)
		return false;
	switch (e->kind) {
	case IR_AWAIT:
		return value_class(f, file, e->a, out_file, out_cls, depth + 1);
	case IR_THIS: {
		int32_t cls = class_of_func(ir, e->func);
		if (cls < 0)
			return false;
		*out_file = file;
		*out_cls = cls;
		return true;
	}
	case IR_CALL: {
		const struct ir_node *callee = e->a;
		if (callee && callee->kind == IR_CLASS) {
			*out_file = file;
			*out_cls = (int32_t)callee->num;
			return true;
		}
		if (callee && (callee->kind == IR_NAME || callee->kind == IR_MEMBER)) {
			/* new X(), X() (Python), models.Order() */
			const char *name = callee->text;
			if (callee->kind == IR_NAME && value_class(f, file, callee, out_file, out_cls,
								   depth + 1))
				return true;
			if ((e->flags & IR_F_NEW) && name &&
			    class_resolve(f, file, name, out_file, out_cls))
				return true;
		}
		if (container_class(f, file, e, out_file, out_cls))
			return true;
		/* a project function that says what it returns */
		struct flow_fn fn = value_function(f, file, callee, depth + 1);
		const struct ir_func *func = flow_func(f, fn);
		if (func && func->returns && class_resolve(f, fn.file, func->returns, out_file, out_cls))
			return true;
		return false;
	}
	case IR_NAME: {
		const struct def *d = last_def(f, file, e);
		if (!d) /* a class of another file named as it is: WC_OCPay_API::is_paid() */
			return e->text && class_resolve(f, file, e->text, out_file, out_cls);
		switch (d->how) {
		case DEF_CLASS:
			*out_file = file;
			*out_cls = (int32_t)d->value->num;
			return true;
		case DEF_PARAM: {
			const struct ir_param *p = def_param(f, file, d);
			if (p && p->type && class_resolve(f, file, p->type, out_file, out_cls))
				return true;
			return p && p->def &&
			       value_class(f, file, p->def, out_file, out_cls, depth + 1);
		}
		case DEF_ASSIGN:
			return value_class(f, file, d->value, out_file, out_cls, depth + 1);
		case DEF_IMPORT: {
			struct def b;
			int32_t bf;
			if (ir->imports[d->param].kind == IR_IMPORT_USE)
				return class_resolve(f, file, e->text, out_file, out_cls);
			if (!import_binding(f, file, d->param, &b, &bf, depth + 1))
				return false;
			if (b.how == DEF_CLASS) {
				*out_file = bf;
				*out_cls = (int32_t)b.value->num;
				return true;
			}
			return b.how == DEF_ASSIGN &&
			       value_class(f, bf, b.value, out_file, out_cls, depth + 1);
		}
		default:
			return false;
		}
	}
	case IR_MEMBER: {
		int32_t of, oc;
		if (e->a && e->a->kind == IR_THIS && e->text &&
		    value_class(f, file, e->a, &of, &oc, depth + 1))
			return property_class(f, of, oc, e->text, out_file, out_cls, depth + 1);
		/* a module's export: services.orders */
		const struct def *d = last_def(f, file, e->a);
		struct def b;
		int32_t bf;
		if (d && d->how == DEF_IMPORT && e->text &&
		    import_binding(f, file, d->param, &b, &bf, depth + 1) && b.how == DEF_MODULE &&
		    module_export(f, b.module, e->text, &b, &bf, depth + 1)) {
			if (b.how == DEF_CLASS) {
				*out_file = bf;
				*out_cls = (int32_t)b.value->num;
				return true;
			}
			return b.how == DEF_ASSIGN &&
			       value_class(f, bf, b.value, out_file, out_cls, depth + 1);
		}
		return false;
	}
	default:
		return false;
	}
}

/* A method or function of what a member's object holds. */
static struct flow_fn member_function(const struct flow *f, int32_t file, const struct ir_node *e,
				      int depth)
{
	int32_t cf, cc;
	if (!e->text)
		return FLOW_FN_NONE;
	if (value_class(f, file, e->a, &cf, &cc, depth + 1))
		return class_method(f, cf, cc, e->text);
	/* a module (import * as orders, Python's import orders) or an object of functions */
	const struct def *d = last_def(f, file, e->a);
	struct def b;
	int32_t bf = file;
	if (!d)
		return FLOW_FN_NONE;
	b = *d;
	if (d->how == DEF_IMPORT && !import_binding(f, file, d->param, &b, &bf, depth + 1))
		return FLOW_FN_NONE;
	if (b.how == DEF_MODULE) {
		struct def m;
		int32_t mf;
		if (!module_export(f, b.module, e->text, &m, &mf, depth + 1))
			return FLOW_FN_NONE;
		if (m.how == DEF_FUNC)
			return (struct flow_fn){mf, (int32_t)m.value->num};
		return m.how == DEF_ASSIGN ? value_function(f, mf, m.value, depth + 1) : FLOW_FN_NONE;
	}
	if (b.how == DEF_ASSIGN && b.value && b.value->kind == IR_OBJECT) {
		const struct ir_node *v = ir_pair_value(b.value, e->text);
		return v ? value_function(f, bf, v, depth + 1) : FLOW_FN_NONE;
	}
	return FLOW_FN_NONE;
}

struct flow_fn value_function(const struct flow *f, int32_t file, const struct ir_node *e,
			      int depth)
{
	const struct ir_file *ir = flow_ir(f, file);
	if (!e || !ir || depth > MAX_DEPTH)
		return FLOW_FN_NONE;
	switch (e->kind) {
	case IR_FUNC:
		return (struct flow_fn){file, (int32_t)e->num};
	case IR_AWAIT:
		return value_function(f, file, e->a, depth + 1);
	case IR_MEMBER:
		return member_function(f, file, e, depth);
	case IR_NAME: {
		const struct def *d = last_def(f, file, e);
		if (!d) {
			/* PHP functions are global: the one function of the project by that name */
			if (ir->lang != LANG_PHP || !e->text)
				return FLOW_FN_NONE;
			struct flow_fn found = FLOW_FN_NONE;
			int count = 0;
			for (size_t i = 0; i < flow_nfiles(f) && count < 2; i++) {
				const struct ir_file *o = flow_ir(f, (int32_t)i);
				if (o->lang != LANG_PHP)
					continue;
				uint32_t n;
				const struct def *g = scope_lookup(f, (int32_t)i, 0, e->text, &n);
				for (uint32_t k = 0; g && k < n; k++)
					if (g[k].how == DEF_FUNC) {
						found = (struct flow_fn){(int32_t)i,
									 (int32_t)g[k].value->num};
						count++;
					}
			}
			return count == 1 ? found : FLOW_FN_NONE;
		}
		switch (d->how) {
		case DEF_FUNC:
			return (struct flow_fn){file, (int32_t)d->value->num};
		case DEF_ASSIGN:
			return d->value && d->value != e ? value_function(f, file, d->value, depth + 1)
							 : FLOW_FN_NONE;
		case DEF_IMPORT: {
			struct def b;
			int32_t bf;
			if (!import_binding(f, file, d->param, &b, &bf, depth + 1))
				return FLOW_FN_NONE;
			if (b.how == DEF_FUNC)
				return (struct flow_fn){bf, (int32_t)b.value->num};
			return b.how == DEF_ASSIGN ? value_function(f, bf, b.value, depth + 1)
						   : FLOW_FN_NONE;
		}
		default:
			return FLOW_FN_NONE;
		}
	}
	default:
		return FLOW_FN_NONE;
	}
}

/* An interface's or protocol's method, an abstract one: no body to learn from. */
static bool is_stub(const struct ir_func *fn)
{
	if (!fn->body)
		return true;
	for (uint32_t i = 0; i < fn->body->nkids; i++) {
		const struct ir_node *st = fn->body->kids[i];
		bool inert = st->kind == IR_EXPR && st->a &&
			     (st->a->kind == IR_STRING || (st->a->kind == IR_OTHER && !st->a->nkids));
		if (!inert)
			return false;
	}
	return true;
}

static bool collect_call(void *ctx, const struct ir_node *n);

struct resolving {
	struct flow *f;
	int32_t file;
};

static bool collect_call(void *ctx, const struct ir_node *n)
{
	struct resolving *r = ctx;
	if (n->kind != IR_CALL || (n->flags & IR_F_NEW))
		return true;
	struct flow_file *ff = &r->f->files[r->file];
	/* functions handed over as values: app.get("/x", handler), cron.schedule(spec, job) */
	for (uint32_t i = 0; i < n->nkids; i++) {
		const struct ir_node *a = n->kids[i];
		if (a->kind != IR_NAME && a->kind != IR_MEMBER)
			continue;
		struct flow_fn cb = value_function(r->f, r->file, a, 0);
		if (flow_fn_ok(cb))
			r->f->files[cb.file].callback[cb.func] = true;
	}
	struct flow_fn fn = value_function(r->f, r->file, n->a, 0);
	/* a call of a stub is a call of an implementation the project does not show */
	ff->callee[n->id] = flow_fn_ok(fn) && !is_stub(flow_func(r->f, fn)) ? fn : FLOW_FN_NONE;
	return true;
}

static int add_site(struct flow_site **sites, uint32_t *count, int32_t file,
		    const struct ir_node *call)
{
	uint32_t n = *count;
	if ((n & (n - 1)) == 0) { /* grow at powers of two */
		struct flow_site *p = realloc(*sites, (n ? n * 2 : 1) * sizeof *p);
		if (!p)
			return error_set("out of memory");
		*sites = p;
	}
	(*sites)[n] = (struct flow_site){file, call};
	*count = n + 1;
	return 0;
}

static int add_caller(struct flow *f, struct flow_fn target, int32_t file,
		      const struct ir_node *call)
{
	struct flow_file *tf = &f->files[target.file];
	return add_site(&tf->callers[target.func], &tf->ncallers[target.func], file, call);
}

/* The functions a call is handed as arguments: router.post("/x", handler), inline or by
 * name, for the framework code that will run them. */
static int add_handed(struct flow *f, int32_t file, const struct ir_node *call)
{
	for (uint32_t a = 0; a < call->nkids; a++) {
		struct flow_fn fn = value_function(f, file, call->kids[a], 0);
		struct flow_file *tf = flow_fn_ok(fn) ? &f->files[fn.file] : NULL;
		if (tf && add_site(&tf->handed[fn.func], &tf->nhanded[fn.func], file, call) < 0)
			return -1;
	}
	return 0;
}

int calls_resolve(struct flow *f)
{
	for (size_t i = 0; i < f->nfiles; i++) {
		struct flow_file *ff = &f->files[i];
		uint32_t nf = ff->ir->nfuncs;
		ff->callee = malloc((ff->ir->nnodes ? ff->ir->nnodes : 1) * sizeof *ff->callee);
		ff->callers = calloc(nf ? nf : 1, sizeof *ff->callers);
		ff->ncallers = calloc(nf ? nf : 1, sizeof *ff->ncallers);
		ff->callback = calloc(nf ? nf : 1, sizeof *ff->callback);
		ff->handed = calloc(nf ? nf : 1, sizeof *ff->handed);
		ff->nhanded = calloc(nf ? nf : 1, sizeof *ff->nhanded);
		if (!ff->callee || !ff->callers || !ff->ncallers || !ff->callback || !ff->handed ||
		    !ff->nhanded)
			return error_set("out of memory");
		for (uint32_t k = 0; k < ff->ir->nnodes; k++)
			ff->callee[k] = FLOW_FN_NONE;
	}
	for (size_t i = 0; i < f->nfiles; i++) {
		struct flow_file *ff = &f->files[i];
		struct resolving r = {f, (int32_t)i};
		for (uint32_t k = 0; k < ff->ir->nfuncs; k++) {
			const struct ir_func *fn = &ff->ir->funcs[k];
			ir_walk(fn->body, collect_call, &r);
			for (uint32_t p = 0; p < fn->nparams; p++)
				ir_walk(fn->params[p].def, collect_call, &r);
		}
	}
	for (size_t i = 0; i < f->nfiles; i++) {
		struct flow_file *ff = &f->files[i];
		for (uint32_t k = 0; k < ff->ir->nnodes; k++) {
			const struct ir_node *n = ff->ir->nodes[k];
			if (flow_fn_ok(ff->callee[k]) && add_caller(f, ff->callee[k], (int32_t)i, n) < 0)
				return -1;
			if (n && n->kind == IR_CALL && n->nkids && add_handed(f, (int32_t)i, n) < 0)
				return -1;
		}
	}
	return 0;
}

struct flow_fn flow_callee(const struct flow *f, int32_t file, const struct ir_node *call)
{
	struct flow_file *ff = flow_file_at(f, file);
	if (!ff || !ff->callee || !call || call->id >= ff->ir->nnodes)
		return FLOW_FN_NONE;
	return ff->callee[call->id];
}

const struct flow_site *flow_callers(const struct flow *f, struct flow_fn fn, size_t *n)
{
	struct flow_file *ff = flow_file_at(f, fn.file);
	*n = 0;
	if (!ff || !ff->callers || fn.func < 0 || (uint32_t)fn.func >= ff->ir->nfuncs)
		return NULL;
	*n = ff->ncallers[fn.func];
	return ff->callers[fn.func];
}

const struct flow_site *flow_handed_to(const struct flow *f, struct flow_fn fn, size_t *n)
{
	struct flow_file *ff = flow_file_at(f, fn.file);
	*n = 0;
	if (!ff || !ff->handed || fn.func < 0 || (uint32_t)fn.func >= ff->ir->nfuncs)
		return NULL;
	*n = ff->nhanded[fn.func];
	return ff->handed[fn.func];
}

bool flow_is_entry(const struct flow *f, struct flow_fn fn)
{
	const struct ir_func *func = flow_func(f, fn);
	const struct ir_file *ir = flow_ir(f, fn.file);
	if (func && flow_file_at(f, fn.file)->callback[fn.func])
		return true;
	if (!func || !func->nparams)
		return false;
	const struct ir_param *p = &func->params[0];
	size_t n;
	const struct model_row *const *rows = model_rows(f->models, MODEL_ENTRY, &n);
	struct path path;
	for (size_t i = 0; i < n; i++) {
		const struct model_row *r = rows[i];
		if (!(r->langs & LANG_BIT(ir->lang)))
			continue;
		path.n = 1;
		path.call[0] = false;
		path.rooted = true;
		path.seg[0] = p->name ? p->name : "";
		if (!path_match(r->pat, &path))
			continue;
		if (r->type_pat) {
			path.seg[0] = p->type ? p->type : "";
			if (!p->type || !path_match(r->type_pat, &path))
				continue;
		}
		bool in = !r->in_pat;
		for (uint32_t k = 0; !in && k < func->ndecorators; k++)
			in = path_of(&path, func->decorators[k]) && path_match(r->in_pat, &path);
		if (in)
			return true;
	}
	return false;
}
