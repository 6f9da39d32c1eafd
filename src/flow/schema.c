/* Schemas: the rules a validator's schema or a class gives a field, read for flow_bounds
 * (bounds.c) with the models' bound rows (calls: z.number().int().min(500), @Min(500),
 * Field(ge=500), forms.IntegerField(min_value=500)) and bound_text rows (words:
 * 'integer|between:500,500000', an int annotation, a cast). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "flow/flow_private.h"

struct schema {
	struct flow_query *q;
	const struct flow *f;
	struct flow_bounds *out;
	const char *field;
};

void bounds_set_min(struct flow_bounds *o, double v)
{
	if (!o->has_min || v > o->min)
		o->min = v;
	o->has_min = true;
}

void bounds_set_max(struct flow_bounds *o, double v)
{
	if (!o->has_max || v < o->max)
		o->max = v;
	o->has_max = true;
}

/* The bound rows a call matches (a `when` that does not hold skips a row). */
const struct model_row *bound_row(const struct flow *f, int32_t file, const struct ir_node *call)
{
	struct path p;
	const struct ir_file *ir = flow_ir(f, file);
	if (!call || call->kind != IR_CALL || !path_of(&p, call) || !p.n)
		return NULL;
	size_t n;
	const struct model_row *const *rows = model_rows(f->models, MODEL_BOUND, &n);
	for (size_t i = 0; i < n; i++) {
		const struct model_row *r = rows[i];
		if (!(r->langs & LANG_BIT(ir->lang)) || !path_match(r->pat, &p))
			continue;
		if (r->attr[MODEL_ATTR_WITH] && !model_arg_is(call, r->attr[MODEL_ATTR_WITH]))
			continue;
		return r;
	}
	return NULL;
}

const struct model_row *bound_text_row(const struct flow *f, int32_t file, const char *word)
{
	size_t n;
	const struct model_row *const *rows = model_rows(f->models, MODEL_BOUND_TEXT, &n);
	const struct ir_file *ir = flow_ir(f, file);
	for (size_t i = 0; word && i < n; i++)
		if ((rows[i]->langs & LANG_BIT(ir->lang)) && !strcasecmp(rows[i]->text, word))
			return rows[i];
	return NULL;
}

bool bound_is(const struct model_row *r, const char *what)
{
	return r && r->attr[MODEL_ATTR_IS] && !strcmp(r->attr[MODEL_ATTR_IS], what);
}

/* What a rule of a schema says: a bound row applied to a call (its min/max arguments). */
void bound_apply(struct flow_query *q, int32_t file, const struct ir_node *call,
		 const struct model_row *r, struct flow_bounds *out)
{
	double v;
	const struct ir_node *a;
	if (bound_is(r, "integer"))
		out->integer = true;
	if (r->attr[MODEL_ATTR_MIN] && (a = model_arg(call, r->attr[MODEL_ATTR_MIN])) &&
	    flow_number(q, file, a, &v))
		bounds_set_min(out, v);
	if (r->attr[MODEL_ATTR_MAX] && (a = model_arg(call, r->attr[MODEL_ATTR_MAX])) &&
	    flow_number(q, file, a, &v))
		bounds_set_max(out, v);
}

/* 'required|integer|between:500,500000': each word and its parameters. */
static void apply_text_rules(struct schema *b, int32_t file, const char *text)
{
	char buf[512];
	snprintf(buf, sizeof buf, "%s", text);
	for (char *save = NULL, *tok = strtok_r(buf, "|", &save); tok;
	     tok = strtok_r(NULL, "|", &save)) {
		char *params = strchr(tok, ':');
		if (params)
			*params++ = '\0';
		while (*tok == ' ')
			tok++;
		const struct model_row *r = bound_text_row(b->f, file, tok);
		if (!r)
			continue;
		if (bound_is(r, "integer"))
			b->out->integer = true;
		for (int k = 0; k < 2 && params; k++) {
			const char *spec = r->attr[k ? MODEL_ATTR_MAX : MODEL_ATTR_MIN];
			if (!spec)
				continue;
			/* the n-th comma-separated parameter */
			const char *p = params;
			for (long i = strtol(spec, NULL, 10); i > 0 && p; i--)
				p = (p = strchr(p, ',')) ? p + 1 : NULL;
			char *end;
			double v = p ? strtod(p, &end) : 0;
			if (p && end != p)
				k ? bounds_set_max(b->out, v) : bounds_set_min(b->out, v);
		}
	}
}

/* A field's rule as written: a string of rules, a list, a chain of calls
 * (z.number().int().min(500)), calls inside calls (v.pipe(v.number(), v.integer())). */
static void read_rule(struct schema *b, int32_t file, const struct ir_node *r, int depth)
{
	if (!r || depth > 4)
		return;
	b->out->schema = true;
	switch (r->kind) {
	case IR_STRING:
		if (r->text)
			apply_text_rules(b, file, r->text);
		return;
	case IR_ARRAY:
		for (uint32_t i = 0; i < r->nkids; i++)
			read_rule(b, file, r->kids[i], depth + 1);
		return;
	case IR_OBJECT:
		/* {type: "integer", minimum: 500, maximum: 500000} */
		for (uint32_t i = 0; i < r->nkids; i++) {
			const struct ir_node *p = r->kids[i];
			const struct model_row *row =
			    p->kind == IR_PAIR ? bound_text_row(b->f, file, p->text) : NULL;
			double v;
			if (row && flow_number(b->q, file, p->b, &v)) {
				if (row->attr[MODEL_ATTR_MIN])
					bounds_set_min(b->out, v);
				if (row->attr[MODEL_ATTR_MAX])
					bounds_set_max(b->out, v);
			} else if (p->kind == IR_PAIR && p->b && p->b->kind == IR_STRING) {
				read_rule(b, file, p->b, depth + 1);
			}
		}
		return;
	case IR_NAME: {
		const struct ir_node *v[2];
		int32_t vf[2];
		if (flow_defs(b->q, file, r, v, vf, 2) == 1)
			read_rule(b, vf[0], v[0], depth + 1);
		return;
	}
	case IR_CALL:
		for (const struct ir_node *c = r; c && c->kind == IR_CALL;
		     c = c->a && c->a->kind == IR_MEMBER ? c->a->a : NULL) {
			const struct model_row *row = bound_row(b->f, file, c);
			if (row)
				bound_apply(b->q, file, c, row, b->out);
			for (uint32_t i = 0; i < c->nkids; i++) {
				const struct ir_node *k =
				    c->kids[i]->kind == IR_PAIR ? c->kids[i]->b : c->kids[i];
				if (k && (k->kind == IR_CALL || k->kind == IR_ARRAY))
					read_rule(b, file, k, depth + 1);
			}
		}
		return;
	default:
		return;
	}
}

/* The rules a class gives a field: its decorators, its type, its value (pydantic's
 * Field, a form's IntegerField), or a method returning rules keyed by field names. */
static bool class_rules(struct schema *b, int32_t file, int32_t cls, const char *field)
{
	const struct ir_file *ir = flow_ir(b->f, file);
	const struct ir_class *c = &ir->classes[cls];
	bool found = false;
	for (uint32_t i = 0; i < c->nfields; i++) {
		const struct ir_field *fd = &c->fields[i];
		if (!fd->name || strcmp(fd->name, field))
			continue;
		found = b->out->schema = true;
		for (uint32_t k = 0; k < fd->ndecorators; k++)
			read_rule(b, file, fd->decorators[k], 1);
		const struct model_row *t = bound_text_row(b->f, file, fd->type);
		if (bound_is(t, "integer"))
			b->out->integer = true;
		if (fd->value)
			read_rule(b, file, fd->value, 1);
	}
	for (uint32_t m = 0; m < c->nmethods && !found; m++) {
		const struct ir_func *fn = &ir->funcs[c->methods[m]];
		/* a property declared by the constructor: __construct(#[Assert\Range(...)] public
		 * int $value) */
		for (uint32_t k = 0; (fn->flags & IR_FN_CTOR) && k < fn->nparams; k++) {
			const struct ir_param *p = &fn->params[k];
			if (!p->promoted || !p->name || strcmp(p->name, field))
				continue;
			found = b->out->schema = true;
			for (uint32_t i = 0; i < p->ndecorators; i++)
				read_rule(b, file, p->decorators[i], 1);
			if (bound_is(bound_text_row(b->f, file, p->type), "integer"))
				b->out->integer = true;
		}
		for (uint32_t k = 0; fn->body && k < fn->body->nkids; k++) {
			const struct ir_node *st = fn->body->kids[k];
			const struct ir_node *v =
			    st->kind == IR_RETURN ? ir_pair_value(st->a, field) : NULL;
			if (v) {
				found = true;
				read_rule(b, file, v, 1);
			}
		}
	}
	return found;
}

/* The value a schema gives the field: its key, or a key of a nested object (a JSON
 * schema's {body: {properties: {amount: ...}}}). */
static const struct ir_node *field_in(struct schema *b, int32_t file, const struct ir_node *obj,
				      int32_t *out_file, int depth)
{
	const struct ir_node *v = flow_member_value(b->q, file, obj, b->field, out_file);
	int32_t of;
	const struct ir_node *o = !v && depth < 3 ? flow_object(b->q, file, obj, &of) : NULL;
	for (uint32_t i = 0; o && !v && i < o->nkids; i++)
		if (o->kids[i]->kind == IR_PAIR && o->kids[i]->b &&
		    o->kids[i]->b->kind != IR_STRING)
			v = field_in(b, of, o->kids[i]->b, out_file, depth + 1);
	return v;
}

/* What one schema gives the field: rules keyed by field names, a class, or a schema
 * built by calls with such an object (z.object({...}).strict()). */
static void schema_of(struct schema *b, int32_t file, const struct ir_node *s)
{
	int32_t of, cf, cc;
	const struct ir_node *v = field_in(b, file, s, &of, 0);
	if (v) {
		read_rule(b, of, v, 0);
		return;
	}
	if (value_class(b->f, file, s, &cf, &cc, 0) && class_rules(b, cf, cc, b->field))
		return;
	/* follow a name to its value, then the chain; a bound method stands for its schema
	 * (readValidatedBody(event, Don.parse)) */
	const struct ir_node *e = s;
	if (e->kind == IR_MEMBER && e->a && e->a->kind == IR_NAME)
		e = e->a;
	int32_t ef = file;
	const struct ir_node *defs[2];
	int32_t df[2];
	for (int k = 0; k < 3 && e && e->kind == IR_NAME; k++) {
		if (flow_defs(b->q, ef, e, defs, df, 2) != 1)
			e = NULL;
		else
			e = defs[0], ef = df[0];
	}
	for (const struct ir_node *c = e; c && c->kind == IR_CALL;
	     c = c->a && c->a->kind == IR_MEMBER ? c->a->a : NULL)
		for (uint32_t k = 0; k < c->nkids; k++)
			if ((v = field_in(b, ef, c->kids[k], &of, 1)))
				read_rule(b, of, v, 0);
}

/* The schema of a validator call for the field: its receiver, an argument, or what made
 * the validator (const validate = ajv.compile(schema); validate(req.body)). */
static void validator_rules(struct schema *b, int32_t file, const struct ir_node *call)
{
	const struct ir_node *cand[12];
	unsigned n = 0;
	if (call->a && call->a->kind == IR_MEMBER && call->a->a)
		cand[n++] = call->a->a;
	for (uint32_t i = 0; i < call->nkids && n < 8; i++)
		cand[n++] = call->kids[i]->kind == IR_PAIR ? call->kids[i]->b : call->kids[i];
	const struct ir_node *maker[2];
	int32_t mf[2];
	if (call->a && call->a->kind == IR_NAME &&
	    flow_defs(b->q, file, call->a, maker, mf, 2) == 1 && mf[0] == file &&
	    maker[0]->kind == IR_CALL)
		for (uint32_t i = 0; i < maker[0]->nkids && n < 12; i++)
			cand[n++] = maker[0]->kids[i];
	b->out->validator = true;
	for (unsigned i = 0; i < n && b->field; i++)
		schema_of(b, file, cand[i]);
}

bool schema_class(struct flow_query *q, int32_t file, int32_t cls, const char *field,
		  struct flow_bounds *out)
{
	struct schema b = {q, q->f, out, field};
	return field && class_rules(&b, file, cls, field);
}

void schema_validator(struct flow_query *q, int32_t file, const struct ir_node *call,
		      const char *field, struct flow_bounds *out)
{
	struct schema b = {q, q->f, out, field};
	validator_rules(&b, file, call);
}

void schema_rules(struct flow_query *q, int32_t file, const struct ir_node *schema,
		  const char *field, struct flow_bounds *out)
{
	struct schema b = {q, q->f, out, field};
	if (schema && field)
		schema_of(&b, file, schema);
}

void schema_rule(struct flow_query *q, int32_t file, const struct ir_node *rule,
		 struct flow_bounds *out)
{
	struct schema b = {q, q->f, out, NULL};
	read_rule(&b, file, rule, 0);
}
