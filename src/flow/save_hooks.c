/* A model's hooks run before a record is saved (Mongoose's schema.pre("save"), Sequelize's
 * beforeCreate, Laravel's static::saving): a field they set is made of the fields they
 * read. An order created from what the customer sent, whose total a hook computes from
 * its items, has a total the customer chose. The hooks come from the save_hook models;
 * the record is the instance (`this`, or the hook function's first parameter). */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "flow/flow_private.h"

bool flow_hook_instance(const struct ir_node *n, const char *inst)
{
	return n && (inst ? n->kind == IR_NAME && n->text && !strcmp(n->text, inst)
			  : n->kind == IR_THIS);
}

static int field_add(struct flow *f, const char *field, int32_t file, const struct ir_node *rhs,
		     const char *inst)
{
	if (f->nsave_fields % 16 == 0) {
		struct save_field *p =
		    realloc(f->save_fields, (f->nsave_fields + 16) * sizeof *p);
		if (!p)
			return error_set("out of memory");
		f->save_fields = p;
	}
	f->save_fields[f->nsave_fields++] = (struct save_field){field, file, rhs, inst};
	return 0;
}

struct hook_walk {
	struct flow *f;
	int32_t file;
	const char *inst;
	int rc;
};

static bool visit_assign(void *ctx, const struct ir_node *n)
{
	struct hook_walk *w = ctx;
	if (!w->rc && n->kind == IR_ASSIGN && n->b && n->a && n->a->kind == IR_MEMBER &&
	    n->a->text && flow_hook_instance(n->a->a, w->inst))
		w->rc = field_add(w->f, n->a->text, w->file, n->b, w->inst);
	return !w->rc;
}

static int hook_fields(struct flow *f, int32_t file, const struct ir_node *fn_node)
{
	const struct ir_file *ir = flow_ir(f, file);
	if (!fn_node || fn_node->kind != IR_FUNC || fn_node->num < 0 || fn_node->num >= ir->nfuncs)
		return 0;
	const struct ir_func *fn = &ir->funcs[(uint32_t)fn_node->num];
	/* an arrow's `this` is not the record: it is handed as the first parameter */
	const char *inst = (fn->flags & IR_FN_ARROW) || !lang_is_js(ir->lang)
				   ? (fn->nparams ? fn->params[0].name : NULL)
				   : NULL;
	if ((fn->flags & IR_FN_ARROW || !lang_is_js(ir->lang)) && !inst)
		return 0;
	struct hook_walk w = {f, file, inst, 0};
	ir_walk(fn->body, visit_assign, &w);
	return w.rc;
}

int save_hooks_build(struct flow *f)
{
	for (size_t i = 0; i < f->nfiles; i++) {
		const struct ir_file *ir = flow_ir(f, (int32_t)i);
		for (uint32_t k = 0; k < ir->nnodes; k++) {
			const struct ir_node *n = ir->nodes[k];
			const struct model_row *r;
			if (n->kind != IR_CALL || !(r = model_for(f, (int32_t)i, MODEL_SAVE_HOOK, n)) ||
			    !r->attr[MODEL_ATTR_FN] ||
			    (r->attr[MODEL_ATTR_WITH] && !model_arg_is(n, r->attr[MODEL_ATTR_WITH])))
				continue;
			if (hook_fields(f, (int32_t)i, model_arg(n, r->attr[MODEL_ATTR_FN])) < 0)
				return -1;
		}
	}
	return 0;
}

struct reads {
	struct flow_query *q;
	int32_t file;		    /* of the record's data */
	const struct ir_node *data; /* what the record was made of */
	const char *inst;
	uint32_t labels;
	bool any;
};

static bool visit_read(void *ctx, const struct ir_node *n)
{
	struct reads *r = ctx;
	if (n->kind != IR_MEMBER || !n->text || !flow_hook_instance(n->a, r->inst))
		return true;
	const struct ir_node *v = r->data->kind == IR_OBJECT ? ir_pair_value(r->data, n->text) : NULL;
	r->labels |= flow_labels(r->q, r->file, v ? v : r->data);
	r->any = true;
	return true;
}

/* The data a record was made of: new Order(data), Order.create(data) (a write). */
static const struct ir_node *record_data(struct flow_query *q, int32_t file,
					 const struct ir_node *record)
{
	const struct def *d = def_reaching(q->f, file, record, record);
	const struct ir_node *v = d ? d->value : NULL;
	while (v && v->kind == IR_AWAIT && v->a)
		v = v->a;
	if (!v || v->kind != IR_CALL)
		return NULL;
	const struct flow_event *ev = flow_event_at(q->f, file, v);
	if (!(v->flags & IR_F_NEW) && !(ev && ev->kind == EV_WRITE))
		return NULL;
	return ir_call_arg(v, 0);
}

size_t flow_save_hook(struct flow_query *q, int32_t file, const struct ir_node *member,
		      struct flow_hook_field *out, size_t max, const struct ir_node **data)
{
	const struct flow *f = q->f;
	if (!f->nsave_fields || !member->text || !member->a || member->a->kind != IR_NAME)
		return 0;
	size_t n = 0;
	for (size_t i = 0; i < f->nsave_fields && n < max; i++)
		if (!strcmp(f->save_fields[i].field, member->text))
			out[n++] = (struct flow_hook_field){f->save_fields[i].rhs,
							    f->save_fields[i].file,
							    f->save_fields[i].inst};
	if (!n || !(*data = record_data(q, file, member->a)))
		return 0;
	return n;
}

bool save_hook_labels(struct flow_query *q, int32_t file, const struct ir_node *member,
		      uint32_t *labels)
{
	struct flow_hook_field h[8];
	const struct ir_node *data;
	size_t n = flow_save_hook(q, file, member, h, 8, &data);
	struct reads r = {q, file, data, NULL, 0, false};
	for (size_t i = 0; i < n; i++) {
		r.inst = h[i].inst;
		ir_walk(h[i].rhs, visit_read, &r);
	}
	*labels = r.labels & ~FL_LITERAL;
	return r.any;
}
