/* The project index: its files, the names each function defines, and the order of the
 * build (modules, calls, events and summaries). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "flow/flow_private.h"

struct flow *flow_new(const struct model_set *models, const struct resolver *js_modules,
		      const char *root)
{
	struct flow *f = calloc(1, sizeof *f);
	if (!f || !(f->root = strdup(root ? root : ""))) {
		free(f);
		error_set("out of memory");
		return NULL;
	}
	f->models = models;
	f->js = js_modules;
	return f;
}

static void file_free(struct flow_file *ff)
{
	if (ff->ir) {
		for (uint32_t i = 0; ff->callers && i < ff->ir->nfuncs; i++)
			free(ff->callers[i]);
		for (uint32_t i = 0; ff->handed && i < ff->ir->nfuncs; i++)
			free(ff->handed[i]);
		for (uint32_t i = 0; ff->events && i < ff->ir->nfuncs; i++)
			free(ff->events[i]);
		for (uint32_t i = 0; ff->runs && i < ff->ir->nfuncs; i++)
			free(ff->runs[i]);
		for (uint32_t i = 0; ff->scopes && i < ff->ir->nfuncs; i++)
			free(ff->scopes[i].defs);
	}
	free(ff->callers);
	free(ff->ncallers);
	free(ff->handed);
	free(ff->nhanded);
	free(ff->scopes);
	free(ff->import_file);
	free(ff->callee);
	free(ff->events);
	free(ff->nevents);
	free(ff->event_of);
	free(ff->runs);
	free(ff->nruns);
	free(ff->summaries);
	free(ff->callback);
	free(ff->first_child);
	free(ff->next_sibling);
	ir_file_free(ff->ir);
}

void flow_free(struct flow *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nfiles; i++)
		file_free(&f->files[i]);
	free(f->files);
	free(f->by_path);
	free(f->classes);
	routes_free(f);
	free(f->save_fields);
	free(f->api_strings);
	free(f->fn_base);
	free(f->root);
	free(f);
}

int32_t flow_add_file(struct flow *f, struct ir_file *ir, const struct flow_file_info *info)
{
	if (f->nfiles == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		struct flow_file *p = realloc(f->files, cap * sizeof *p);
		if (!p) {
			ir_file_free(ir);
			return error_set("out of memory");
		}
		f->files = p;
		f->cap = cap;
	}
	f->files[f->nfiles] = (struct flow_file){.ir = ir, .info = *info};
	return (int32_t)f->nfiles++;
}

size_t flow_nfiles(const struct flow *f)
{
	return f->nfiles;
}

struct flow_file *flow_file_at(const struct flow *f, int32_t file)
{
	return file >= 0 && (size_t)file < f->nfiles ? &f->files[file] : NULL;
}

const struct ir_file *flow_ir(const struct flow *f, int32_t file)
{
	struct flow_file *ff = flow_file_at(f, file);
	return ff ? ff->ir : NULL;
}

const struct flow_file_info *flow_info(const struct flow *f, int32_t file)
{
	struct flow_file *ff = flow_file_at(f, file);
	return ff ? &ff->info : NULL;
}

struct by_path {
	const char *path;
	int32_t file;
};

static int path_cmp(const void *a, const void *b)
{
	return strcmp(((const struct by_path *)a)->path, ((const struct by_path *)b)->path);
}

int32_t flow_find_file(const struct flow *f, const char *path)
{
	size_t lo = 0, hi = f->nfiles;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(f->files[f->by_path[mid]].ir->path, path);
		if (!c)
			return f->by_path[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

const struct ir_func *flow_func(const struct flow *f, struct flow_fn fn)
{
	const struct ir_file *ir = flow_ir(f, fn.file);
	return ir && fn.func >= 0 && (uint32_t)fn.func < ir->nfuncs ? &ir->funcs[fn.func] : NULL;
}

struct flow_fn flow_fn_of(const struct flow *f, int32_t file, const struct ir_node *n)
{
	(void)f;
	return n && n->func >= 0 ? (struct flow_fn){file, n->func} : FLOW_FN_NONE;
}

void flow_fn_name(const struct flow *f, struct flow_fn fn, char *buf, size_t size)
{
	const struct ir_func *func = flow_func(f, fn);
	const struct ir_file *ir = flow_ir(f, fn.file);
	if (!func) {
		snprintf(buf, size, "?");
		return;
	}
	if (func->flags & IR_FN_MODULE) {
		snprintf(buf, size, "<module>");
		return;
	}
	const char *cls = func->cls >= 0 ? ir->classes[func->cls].name : NULL;
	const char *name = func->name && *func->name ? func->name : "<anonymous>";
	if (cls && *cls)
		snprintf(buf, size, "%s.%s", cls, name);
	else
		snprintf(buf, size, "%s", name);
}

/* ---- scopes: the names each function defines ---- */

struct defs {
	struct ir_file *ir;
	struct def *items;
	uint32_t n, cap;
	bool oom;
};

static void def_add(struct defs *d, const char *name, uint8_t how, const struct ir_node *value,
		    const char *key, const struct ir_node *at, int param)
{
	if (!name || !*name || d->oom)
		return;
	if (d->n == d->cap) {
		uint32_t cap = d->cap ? d->cap * 2 : 16;
		struct def *p = realloc(d->items, cap * sizeof *p);
		if (!p) {
			d->oom = true;
			return;
		}
		d->items = p;
		d->cap = cap;
	}
	d->items[d->n++] = (struct def){.name = name,
					.value = value,
					.key = key,
					.at = at,
					.param = (int16_t)param,
					.how = how};
}

/* "a.b" for nested patterns; allocated in the file's arena. */
static const char *key_join(struct ir_file *ir, const char *prefix, const char *key)
{
	if (!prefix || !*prefix)
		return key ? key : "";
	size_t a = strlen(prefix), b = key ? strlen(key) : 0;
	char *s = ir_alloc(ir, a + b + 2);
	if (!s)
		return "";
	memcpy(s, prefix, a);
	s[a] = '.';
	if (b)
		memcpy(s + a + 1, key, b);
	s[a + 1 + b] = '\0';
	return s;
}

/* Every name a target binds: a name, or the names of a destructuring pattern. */
static void bind_target(struct defs *d, const struct ir_node *target, uint8_t how,
			const struct ir_node *value, const char *key, const struct ir_node *at,
			int param, int depth)
{
	if (!target || depth > 32)
		return;
	if (target->kind == IR_NAME) {
		def_add(d, target->text, how, value, key, at, param);
		return;
	}
	if (target->kind != IR_PATTERN)
		return; /* a member or an index: not a local */
	uint8_t inner = how == DEF_ASSIGN ? DEF_PATTERN : how;
	for (uint32_t i = 0; i < target->nkids; i++) {
		const struct ir_node *k = target->kids[i];
		if (k->kind == IR_PAIR)
			bind_target(d, k->b, inner, value, key_join(d->ir, key, k->text), at, param,
				    depth + 1);
		else if (k->kind == IR_SPREAD)
			bind_target(d, k->a, inner, value, key ? key : "", at, param, depth + 1);
		else
			bind_target(d, k, inner, value, key_join(d->ir, key, ""), at, param,
				    depth + 1);
	}
}

struct collect {
	struct defs *d;
	const struct ir_file *ir;
};

static bool collect_defs(void *ctx, const struct ir_node *n)
{
	struct collect *c = ctx;
	struct defs *d = c->d;
	switch (n->kind) {
	case IR_DECL:
		bind_target(d, n->a, DEF_ASSIGN, n->b, NULL, n, -1, 0);
		break;
	case IR_ASSIGN:
		bind_target(d, n->a, DEF_ASSIGN, n->b, NULL, n, -1, 0);
		break;
	case IR_LOOP:
		if (n->op == IR_LOOP_FOREACH)
			bind_target(d, n->c, DEF_ELEMENT, n->a, NULL, n, -1, 0);
		break;
	case IR_CATCH:
		bind_target(d, n->a, DEF_CATCH, NULL, NULL, n, -1, 0);
		break;
	case IR_FUNC: {
		/* a declaration stands as a statement of a block */
		const struct ir_func *fn = &c->ir->funcs[(int32_t)n->num];
		if (n->parent && n->parent->kind == IR_BLOCK && fn->name && *fn->name)
			def_add(d, fn->name, DEF_FUNC, n, NULL, n, -1);
		break;
	}
	case IR_CLASS: {
		const struct ir_class *cl = &c->ir->classes[(int32_t)n->num];
		if (n->parent && n->parent->kind == IR_BLOCK && cl->name && *cl->name)
			def_add(d, cl->name, DEF_CLASS, n, NULL, n, -1);
		break;
	}
	default:
		break;
	}
	return true;
}

/* const { a } = require("m") is lowered as an import and as a declaration: the import is
 * the binding (through it a call reaches the module's export), so the declaration on the
 * import's line that binds the same name is dropped. */
static void drop_import_decls(struct defs *d, const struct ir_file *ir)
{
	uint32_t kept = 0;
	for (uint32_t k = 0; k < d->n; k++) {
		const struct def *x = &d->items[k];
		bool same = false;
		for (uint32_t i = 0; i < ir->nimports && !same && x->how != DEF_IMPORT; i++)
			same = x->at && x->at->kind == IR_DECL && ir->imports[i].local &&
			       ir->imports[i].line == x->at->line &&
			       !strcmp(ir->imports[i].local, x->name);
		if (!same)
			d->items[kept++] = *x;
	}
	d->n = kept;
}

static int def_cmp(const void *x, const void *y)
{
	const struct def *a = x, *b = y;
	int c = strcmp(a->name, b->name);
	if (c)
		return c;
	uint32_t sa = a->at ? a->at->start : 0, sb = b->at ? b->at->start : 0;
	return sa < sb ? -1 : sa > sb;
}

int scopes_build(struct flow *f, int32_t file)
{
	struct flow_file *ff = &f->files[file];
	struct ir_file *ir = ff->ir;
	ff->scopes = calloc(ir->nfuncs ? ir->nfuncs : 1, sizeof *ff->scopes);
	if (!ff->scopes)
		return error_set("out of memory");
	for (uint32_t i = 0; i < ir->nfuncs; i++) {
		const struct ir_func *fn = &ir->funcs[i];
		struct defs d = {.ir = ir};
		for (uint32_t k = 0; k < fn->nparams; k++) {
			const struct ir_param *p = &fn->params[k];
			if (p->name)
				def_add(&d, p->name, DEF_PARAM, p->def, NULL, NULL, (int)k);
			else
				bind_target(&d, p->pattern, DEF_PARAM, p->def, NULL, NULL, (int)k,
					    0);
		}
		if (i == 0)
			for (uint32_t k = 0; k < ir->nimports; k++)
				if (ir->imports[k].kind != IR_IMPORT_TYPE) /* a type is no value */
					def_add(&d, ir->imports[k].local, DEF_IMPORT, NULL, NULL,
						NULL, (int)k);
		struct collect c = {&d, ir};
		ir_walk(fn->body, collect_defs, &c);
		if (i == 0 && !d.oom)
			drop_import_decls(&d, ir);
		if (d.oom) {
			free(d.items);
			return error_set("out of memory");
		}
		for (uint32_t k = 0; k < d.n; k++)
			d.items[k].func = (int32_t)i;
		if (d.n > 1)
			qsort(d.items, d.n, sizeof *d.items, def_cmp);
		ff->scopes[i] = (struct scope){d.items, d.n};
	}
	return 0;
}

static const struct def *scope_find(const struct scope *s, const char *name, uint32_t *n)
{
	uint32_t lo = 0, hi = s->ndefs;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (strcmp(s->defs[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint32_t end = lo;
	while (end < s->ndefs && !strcmp(s->defs[end].name, name))
		end++;
	*n = end - lo;
	return *n ? &s->defs[lo] : NULL;
}

const struct def *scope_lookup(const struct flow *f, int32_t file, int32_t func, const char *name,
			       uint32_t *n)
{
	struct flow_file *ff = flow_file_at(f, file);
	*n = 0;
	if (!ff || !ff->scopes || !name)
		return NULL;
	for (int guard = 0; func >= 0 && (uint32_t)func < ff->ir->nfuncs && guard < 64; guard++) {
		const struct def *d = scope_find(&ff->scopes[func], name, n);
		if (d)
			return d;
		const struct ir_func *fn = &ff->ir->funcs[func];
		/* a method's class body is not a scope: its parent function is */
		func = fn->parent;
	}
	return NULL;
}

const struct ir_param *def_param(const struct flow *f, int32_t file, const struct def *d)
{
	const struct ir_file *ir = flow_ir(f, file);
	if (!ir || d->how != DEF_PARAM || d->func < 0 || (uint32_t)d->func >= ir->nfuncs)
		return NULL;
	const struct ir_func *fn = &ir->funcs[d->func];
	return d->param >= 0 && (uint32_t)d->param < fn->nparams ? &fn->params[d->param] : NULL;
}

/* ---- the build ---- */

int flow_build(struct flow *f)
{
	f->by_path = malloc((f->nfiles ? f->nfiles : 1) * sizeof *f->by_path);
	struct by_path *order = malloc((f->nfiles ? f->nfiles : 1) * sizeof *order);
	if (!f->by_path || !order) {
		free(order);
		return error_set("out of memory");
	}
	for (size_t i = 0; i < f->nfiles; i++)
		order[i] = (struct by_path){f->files[i].ir->path, (int32_t)i};
	qsort(order, f->nfiles, sizeof *order, path_cmp);
	for (size_t i = 0; i < f->nfiles; i++)
		f->by_path[i] = order[i].file;
	free(order);
	for (size_t i = 0; i < f->nfiles; i++)
		if (scopes_build(f, (int32_t)i) < 0)
			return -1;
	if (auto_imports_bind(f) < 0 || classes_index(f) < 0 || modules_resolve(f) < 0 ||
	    calls_resolve(f) < 0 || routes_build(f) < 0 || save_hooks_build(f) < 0 ||
	    summaries_build(f) < 0 || runs_build(f) < 0)
		return -1;
	f->built = true;
	return 0;
}
