/* Targets: the project function a timer, a schedule or a route runs. The argument a model
 * row names may be a function value (poll, this.sync, an inline closure), a class or an
 * instance (new SyncPayments, SyncPayments::class: the row's `runs` method, or the handler
 * whose first parameter takes that class: a Symfony message), a callable array
 * ([$this, 'poll'], [Controller::class, 'status']), a string naming a function
 * ('tasks.poll', 'ocpay_sync', 'Controller@status'), a class by one of its properties (an
 * Artisan command's signature), a hook bound by a hook row (add_action('hook', fn)), or a
 * URL of the project's own routes (useSWR('/api/status')). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "flow/flow_private.h"

#define DEPTH_MAX 6

/* Whether name is one of the '|'-separated names. */
static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, "|");
		if (len == n && !strncmp(p, name, n))
			return true;
		p += len + (p[len] == '|');
	}
	return false;
}

/* The method `runs` names in a class, or in the handler of a message of that class. */
static struct flow_fn class_runs(const struct flow *f, int32_t file, int32_t cls, const char *runs)
{
	const char *list = runs ? runs : "__invoke|handle|run|execute|__call__";
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, "|");
		char name[64];
		snprintf(name, sizeof name, "%.*s", (int)(len < 63 ? len : 63), p);
		struct flow_fn m = class_method(f, file, cls, name);
		if (flow_fn_ok(m))
			return m;
		p += len + (p[len] == '|');
	}
	/* a message: the method of another class whose first parameter is of this class */
	for (size_t i = 0; i < f->nclasses; i++) {
		const struct ir_file *ir = flow_ir(f, f->classes[i].file);
		const struct ir_class *c = &ir->classes[f->classes[i].cls];
		for (uint32_t k = 0; k < c->nmethods; k++) {
			const struct ir_func *m = &ir->funcs[c->methods[k]];
			int32_t tf, tc;
			if (m->name && in_list(list, m->name) && m->nparams && m->params[0].type &&
			    class_resolve(f, f->classes[i].file, m->params[0].type, &tf, &tc) &&
			    tf == file && tc == cls)
				return (struct flow_fn){f->classes[i].file, c->methods[k]};
		}
	}
	return FLOW_FN_NONE;
}

/* A class whose property `field` holds a string whose first word is name's first word:
 * protected $signature = 'payments:poll {--limit=}' for 'payments:poll --limit=50'. */
static struct flow_fn class_by_field(const struct flow *f, struct flow_query *q, const char *name,
				     const char *field, const char *runs)
{
	size_t want = strcspn(name, " ");
	for (size_t i = 0; i < f->nclasses; i++) {
		int32_t file = f->classes[i].file;
		const struct ir_class *c = &flow_ir(f, file)->classes[f->classes[i].cls];
		for (uint32_t k = 0; k < c->nfields; k++) {
			char value[256];
			bool partial;
			if (!c->fields[k].name || strcmp(c->fields[k].name, field) ||
			    !c->fields[k].value ||
			    !flow_string(q, file, c->fields[k].value, value, sizeof value,
					 &partial))
				continue;
			if (strcspn(value, " ") == want && !strncmp(value, name, want))
				return class_runs(f, file, f->classes[i].cls, runs);
		}
	}
	return FLOW_FN_NONE;
}

/* A function named by a string: 'ocpay_sync' (one top-level function of that name),
 * 'payments.tasks.poll' (poll in a module whose path ends with payments/tasks),
 * 'Controller@status' or 'Controller::status'. */
static struct flow_fn function_named(const struct flow *f, int32_t file, const char *text,
				     const char *runs)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", text);
	char *sep = strstr(buf, "::");
	if (!sep)
		sep = strchr(buf, '@');
	if (sep) {
		const char *method = sep + (*sep == '@' ? 1 : 2);
		*sep = '\0';
		int32_t cf, cc;
		return class_resolve(f, file, buf, &cf, &cc) ? class_method(f, cf, cc, method)
							     : FLOW_FN_NONE;
	}
	char *dot = strrchr(buf, '.');
	const char *name = dot ? dot + 1 : buf;
	struct flow_fn found = FLOW_FN_NONE;
	int count = 0;
	for (size_t i = 0; i < f->nfiles; i++) {
		uint32_t n;
		const struct def *d = scope_lookup(f, (int32_t)i, 0, name, &n);
		for (uint32_t k = 0; d && k < n; k++) {
			if (d[k].how != DEF_FUNC || d[k].func != 0)
				continue;
			struct flow_fn fn = {(int32_t)i, (int32_t)d[k].value->num};
			if (dot) {
				/* the module's path, dots for slashes, ends with the prefix */
				char mod[512];
				const char *path = flow_ir(f, (int32_t)i)->path;
				snprintf(mod, sizeof mod, "%s", path);
				char *ext = strrchr(mod, '.');
				if (ext)
					*ext = '\0';
				for (char *c = mod; *c; c++)
					if (*c == '/')
						*c = '.';
				size_t ml = strlen(mod), pl = (size_t)(dot - buf);
				if (ml >= pl && !strncmp(mod + ml - pl, buf, pl) &&
				    (ml == pl || mod[ml - pl - 1] == '.'))
					return fn;
			}
			found = fn;
			count++;
		}
	}
	(void)runs;
	return count == 1 ? found : FLOW_FN_NONE;
}

static struct flow_fn value_target(struct flow *f, struct flow_query *q, int32_t file,
				   const struct ir_node *a, const struct model_row *r, int depth);

/* [$this, 'poll'], [Controller::class, 'status'], array('Class', 'method'). */
static struct flow_fn callable_pair(struct flow *f, struct flow_query *q, int32_t file,
				    const struct ir_node *a)
{
	const struct ir_node *obj = NULL, *method = NULL;
	if (a->kind == IR_ARRAY && a->nkids == 2) {
		obj = a->kids[0];
		method = a->kids[1];
	} else if (a->kind == IR_OBJECT && a->nkids == 2 && a->kids[0]->kind == IR_PAIR &&
		   !a->kids[0]->text && !a->kids[0]->a) {
		obj = a->kids[0]->b;
		method = a->kids[1]->b;
	}
	char name[128];
	bool partial;
	if (!obj || !method || !flow_string(q, file, method, name, sizeof name, &partial) ||
	    partial)
		return FLOW_FN_NONE;
	int32_t cf, cc;
	char cls[256];
	if (obj->kind == IR_MEMBER && (obj->flags & IR_F_STATIC) && obj->text &&
	    !strcmp(obj->text, "class") && obj->a && obj->a->kind == IR_NAME)
		obj = obj->a; /* Controller::class */
	if (value_class(f, file, obj, &cf, &cc, 0) ||
	    (obj->kind == IR_NAME && class_resolve(f, file, obj->text, &cf, &cc)) ||
	    (flow_string(q, file, obj, cls, sizeof cls, &partial) && !partial &&
	     class_resolve(f, file, cls, &cf, &cc)))
		return class_method(f, cf, cc, name);
	return FLOW_FN_NONE;
}

/* The function a hook of that name is bound to by a hook row. */
static struct flow_fn hook_target(struct flow *f, struct flow_query *q, const char *hook, int depth)
{
	for (size_t i = 0; i < f->nfiles; i++) {
		const struct ir_file *ir = flow_ir(f, (int32_t)i);
		for (uint32_t k = 0; k < ir->nnodes; k++) {
			const struct ir_node *n = ir->nodes[k];
			const struct model_row *r;
			char name[128];
			bool partial;
			if (n->kind != IR_CALL || !(r = model_for(f, (int32_t)i, MODEL_HOOK, n)) ||
			    !r->attr[MODEL_ATTR_NAME] || !r->attr[MODEL_ATTR_FN])
				continue;
			const struct ir_node *a = model_arg(n, r->attr[MODEL_ATTR_NAME]);
			if (!a || !flow_string(q, (int32_t)i, a, name, sizeof name, &partial) ||
			    partial || strcmp(name, hook))
				continue;
			struct flow_fn fn = value_target(
			    f, q, (int32_t)i, model_arg(n, r->attr[MODEL_ATTR_FN]), r, depth + 1);
			if (flow_fn_ok(fn))
				return fn;
		}
	}
	return FLOW_FN_NONE;
}

static struct flow_fn value_target(struct flow *f, struct flow_query *q, int32_t file,
				   const struct ir_node *a, const struct model_row *r, int depth)
{
	if (!a || depth > DEPTH_MAX)
		return FLOW_FN_NONE;
	while (a->kind == IR_AWAIT && a->a)
		a = a->a;
	const char *runs = r ? r->attr[MODEL_ATTR_RUNS] : NULL;
	if (a->kind == IR_CALL && !(a->flags & IR_F_NEW)) {
		/* poll.s(), View.as_view(): a convert row says which part is the target */
		const struct model_row *c = model_for(f, file, MODEL_CONVERT, a);
		if (c && c->attr[MODEL_ATTR_VALUE])
			return value_target(f, q, file, model_arg(a, c->attr[MODEL_ATTR_VALUE]), r,
					    depth + 1);
	}
	struct flow_fn fn = value_function(f, file, a, 0);
	if (flow_fn_ok(fn))
		return fn;
	int32_t cf, cc;
	const struct ir_node *cls = a;
	if (cls->kind == IR_MEMBER && (cls->flags & IR_F_STATIC) && cls->text &&
	    !strcmp(cls->text, "class") && cls->a)
		cls = cls->a; /* SyncPayments::class */
	if (cls->kind == IR_CALL && (cls->flags & IR_F_NEW) && cls->a &&
	    (cls->a->kind == IR_THIS || ir_is_name(cls->a, "self") ||
	     ir_is_name(cls->a, "static"))) {
		/* new self(...), new static(...): the class the call is written in */
		struct ir_node self = {.kind = IR_THIS, .func = cls->func};
		return value_class(f, file, &self, &cf, &cc, 0) ? class_runs(f, cf, cc, runs)
								: FLOW_FN_NONE;
	}
	if (value_class(f, file, cls, &cf, &cc, 0) ||
	    (cls->kind == IR_NAME && class_resolve(f, file, cls->text, &cf, &cc)))
		return class_runs(f, cf, cc, runs);
	if (a->kind == IR_ARRAY || a->kind == IR_OBJECT)
		return callable_pair(f, q, file, a);
	char text[256];
	bool partial;
	if (!flow_string(q, file, a, text, sizeof text, &partial) || partial || !*text)
		return FLOW_FN_NONE;
	if (r && r->attr[MODEL_ATTR_FIELD] && r->kind != MODEL_HOOK)
		return class_by_field(f, q, text, r->attr[MODEL_ATTR_FIELD], runs);
	fn = function_named(f, file, text, runs);
	if (!flow_fn_ok(fn) && class_resolve(f, file, text, &cf, &cc))
		fn = class_runs(f, cf, cc, runs); /* 'App\\Jobs\\Sync' */
	return fn;
}

struct flow_fn flow_target_of(struct flow *f, struct flow_query *q, struct flow_fn at,
			      const struct ir_node *node, const struct model_row *r)
{
	const char *self = r->attr[MODEL_ATTR_SELF];
	if (self && !strcmp(self, "true")) {
		/* the function it is called in: a closure's enclosing named function */
		const struct ir_file *ir = flow_ir(f, at.file);
		while (at.func > 0 && (ir->funcs[at.func].flags & IR_FN_ARROW))
			at.func = ir->funcs[at.func].parent;
		return at;
	}
	char text[256];
	bool partial;
	const struct ir_node *a;
	if (r->attr[MODEL_ATTR_URL] && (a = model_arg(node, r->attr[MODEL_ATTR_URL])) &&
	    flow_string(q, at.file, a, text, sizeof text, &partial))
		return routes_find(f, text);
	if (r->attr[MODEL_ATTR_HOOK] && (a = model_arg(node, r->attr[MODEL_ATTR_HOOK])) &&
	    flow_string(q, at.file, a, text, sizeof text, &partial) && !partial)
		return hook_target(f, q, text, 0);
	if (r->attr[MODEL_ATTR_FN])
		return value_target(f, q, at.file, model_arg(node, r->attr[MODEL_ATTR_FN]), r, 0);
	return FLOW_FN_NONE;
}

/* ---- the reverse: what runs a function ---- */

static int runs_add(struct flow *f, struct flow_fn to, const struct flow_event *e)
{
	struct flow_file *tf = flow_file_at(f, to.file);
	uint32_t n = tf->nruns[to.func];
	if ((n & (n - 1)) == 0) { /* grow at powers of two */
		const struct flow_event **p =
		    realloc(tf->runs[to.func], (n ? n * 2 : 1) * sizeof *p);
		if (!p)
			return error_set("out of memory");
		tf->runs[to.func] = p;
	}
	tf->runs[to.func][n] = e;
	tf->nruns[to.func] = n + 1;
	return 0;
}

int runs_build(struct flow *f)
{
	for (size_t i = 0; i < f->nfiles; i++) {
		struct flow_file *ff = &f->files[i];
		uint32_t nf = ff->ir->nfuncs ? ff->ir->nfuncs : 1;
		ff->runs = calloc(nf, sizeof *ff->runs);
		ff->nruns = calloc(nf, sizeof *ff->nruns);
		if (!ff->runs || !ff->nruns)
			return error_set("out of memory");
	}
	for (size_t i = 0; i < f->nfiles; i++) {
		struct flow_file *ff = &f->files[i];
		for (uint32_t k = 0; k < ff->ir->nfuncs; k++)
			for (uint32_t e = 0; e < ff->nevents[k]; e++) {
				const struct flow_event *ev = &ff->events[k][e];
				if ((ev->kind == EV_TIMER || ev->kind == EV_HTTP) &&
				    flow_fn_ok(ev->via) && runs_add(f, ev->via, ev) < 0)
					return -1;
			}
	}
	return 0;
}

const struct flow_event *const *flow_runs(const struct flow *f, struct flow_fn fn, size_t *n)
{
	struct flow_file *ff = flow_file_at(f, fn.file);
	*n = 0;
	if (!ff || !ff->runs || fn.func < 0 || (uint32_t)fn.func >= ff->ir->nfuncs)
		return NULL;
	*n = ff->nruns[fn.func];
	return (const struct flow_event *const *)ff->runs[fn.func];
}
