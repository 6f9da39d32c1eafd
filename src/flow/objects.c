/* What names and members hold: the definitions reaching a name (flow-insensitive within a
 * function, across files through imports), object literals behind a value, a member's
 * value (set in the literal or later), what a project function returns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/error.h"
#include "flow/flow_private.h"

#define MAX_DEPTH 24

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

static const struct ir_node *object_at(struct flow_query *q, int32_t file, const struct ir_node *e,
				       int32_t *out_file, int depth);

/* A later `o.key = v` (body["productInfo"]["title"] = ...) in the function that wrote the
 * object literal o. */
struct setting {
	struct flow_query *q;
	int32_t file;
	const struct ir_node *object;
	const char *key;
	const struct ir_node *value;
	int depth;
};

static bool visit_setting(void *ctx, const struct ir_node *n)
{
	struct setting *st = ctx;
	if (st->value)
		return false;
	if (n->kind == IR_ASSIGN && n->op == IR_OP_ASSIGN && n->a && n->a->kind == IR_MEMBER &&
	    n->a->text && !strcmp(n->a->text, st->key)) {
		int32_t of = st->file;
		if (object_at(st->q, st->file, n->a->a, &of, st->depth + 1) == st->object)
			st->value = n->b;
	}
	return true;
}

static const struct ir_node *member_set_later(struct flow_query *q, int32_t file,
					      const struct ir_node *o, const char *key, int depth)
{
	const struct ir_file *ir = flow_ir(q->f, file);
	if (o->func < 0 || (uint32_t)o->func >= ir->nfuncs)
		return NULL;
	struct setting st = {q, file, o, key, NULL, depth};
	ir_walk(ir->funcs[o->func].body, visit_setting, &st);
	return st.value;
}

const struct ir_node *flow_member_at(struct flow_query *q, int32_t file, const struct ir_node *obj,
				     const char *key, int32_t *out_file, int depth)
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
			const struct ir_node *v =
			    flow_member_at(q, of, k->a, key, out_file, depth + 1);
			if (v)
				return v;
		}
	}
	const struct ir_node *later = depth < 8 ? member_set_later(q, of, o, key, depth) : NULL;
	if (later)
		*out_file = of;
	return later;
}

const struct ir_node *flow_returned(const struct flow *f, struct flow_fn fn)
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
			return object_at(q, bf,
					 flow_member_at(q, bf, b.value, b.key, &bf, depth + 1),
					 out_file, depth + 1);
		return NULL;
	}
	case IR_MEMBER: {
		int32_t vf = file;
		const struct ir_node *v =
		    e->text ? flow_member_at(q, file, e->a, e->text, &vf, depth + 1) : NULL;
		if (!v && e->text) /* a class constant: self::STATUS_MAP */
			v = flow_class_constant(q, file, e, &vf);
		return v ? object_at(q, vf, v, out_file, depth + 1) : NULL;
	}
	case IR_CALL: {
		struct flow_fn fn = flow_callee(q->f, file, e);
		const struct ir_node *r = flow_fn_ok(fn) ? flow_returned(q->f, fn) : NULL;
		if (r)
			return object_at(q, fn.file, r, out_file, depth + 1);
		/* JSON.stringify({...}), json_encode([...]): the value serialised */
		const struct ir_node *v =
		    model_for(q->f, file, MODEL_PASSTHROUGH, e) ? ir_call_arg(e, 0) : NULL;
		return v ? object_at(q, file, v, out_file, depth + 1) : NULL;
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
	return flow_member_at(q, file, obj, key, out_file, 0);
}
