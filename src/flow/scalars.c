#define _GNU_SOURCE /* strcasestr */
/* The string or number a value evaluates to: literals, templates and concatenations,
 * formatted strings, names through their definitions and imports, members of objects and
 * classes, environment defaults, the models' constants and conversions, what project
 * functions return. A part that cannot be known is "{?}" (a partial string). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/error.h"
#include "flow/flow_private.h"

#define MAX_DEPTH 24

static const struct model_row *constant_of(const struct flow *f, int32_t file,
					   const struct ir_node *e);

struct pieces {
	const struct ir_node **node;
	size_t n, max;
};

struct str {
	struct buf out;
	bool partial, known;
	struct pieces *pieces; /* the literals the text was made of, when asked */
};

static void str_at(struct flow_query *q, int32_t file, const struct ir_node *e, struct str *s,
		   int depth);

static void unknown(struct str *s)
{
	buf_puts(&s->out, "{?}");
	s->partial = true;
}

/* The constant a class gives a name: A::URL, self::URL, this.baseUrl's initial value. */
const struct ir_node *flow_class_constant(struct flow_query *q, int32_t file,
					  const struct ir_node *e, int32_t *out_file)
{
	int32_t cf, cc;
	if (!e->text || !value_class(q->f, file, e->a, &cf, &cc, 0))
		return NULL;
	const struct ir_class *c = &flow_ir(q->f, cf)->classes[cc];
	for (uint32_t i = 0; i < c->nfields; i++) {
		const struct ir_field *fd = &c->fields[i];
		if (!fd->name || strcmp(fd->name, e->text) || !fd->value)
			continue;
		/* #[ORM\Column] private int $amount = 0: a field a framework maps (a column, a
		 * DTO's input) starts with this value and is then set from outside */
		if (fd->ndecorators && !fd->is_static)
			return NULL;
		*out_file = cf;
		return fd->value;
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

/* sprintf('/v3/ocpay/checkPayment/%s', $ref): the template, each conversion unknown. */
static void str_format(struct flow_query *q, int32_t file, const struct ir_node *tmpl,
		       struct str *s, int depth)
{
	struct str t = {BUF_INIT, false, false, s->pieces};
	str_at(q, file, tmpl, &t, depth + 1);
	if (!t.known || buf_oom(&t.out)) {
		buf_free(&t.out);
		unknown(s);
		return;
	}
	const char *c = t.out.ptr, *end = c + t.out.len;
	while (c < end) {
		const char *pc = memchr(c, '%', (size_t)(end - c));
		if (!pc) {
			buf_put(&s->out, c, (size_t)(end - c));
			break;
		}
		buf_put(&s->out, c, (size_t)(pc - c));
		const char *k = pc + 1;
		if (k < end && *k == '%') { /* %% */
			buf_put(&s->out, "%", 1);
			c = k + 1;
			continue;
		}
		while (k < end && strchr("-+ #0123456789.$'", *k))
			k++; /* flags, width, precision, position */
		if (k < end && strchr("sdiufFxXoeEgGcb", *k)) {
			unknown(s);
			c = k + 1;
		} else {
			buf_put(&s->out, "%", 1);
			c = pc + 1;
		}
	}
	s->known = true;
	buf_free(&t.out);
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
		/* text("UPDATE ..."): a call whose value is its argument's */
		const struct model_row *c = model_match(f->models, MODEL_CONVERT, ir->lang, &p);
		if (c && c->attr[MODEL_ATTR_VALUE]) {
			str_at(q, file, model_arg(e, c->attr[MODEL_ATTR_VALUE]), s, depth + 1);
			return;
		}
	}
	const struct model_row *fmt =
	    p.n ? model_match(f->models, MODEL_FORMAT, ir->lang, &p) : NULL;
	if (fmt) {
		const char *at = fmt->attr[MODEL_ATTR_VALUE] ? fmt->attr[MODEL_ATTR_VALUE] : "0";
		str_format(q, file, model_arg(e, at), s, depth);
		return;
	}
	struct flow_fn fn = flow_callee(f, file, e);
	const struct ir_node *r = flow_fn_ok(fn) ? flow_returned(f, fn) : NULL;
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
		const struct ir_node *v = flow_member_at(q, bf, b.value, b.key, &vf, depth + 1);
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
		if (s->pieces && s->pieces->n < s->pieces->max)
			s->pieces->node[s->pieces->n++] = e;
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
			struct str left = {BUF_INIT, false, false, s->pieces};
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
		if (e->op == IR_OP_MOD && e->a && e->a->kind == IR_STRING) {
			str_format(q, file, e->a, s, depth); /* Python: "/checkPayment/%s" % ref */
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
		const struct ir_node *v =
		    e->text ? flow_member_at(q, file, e->a, e->text, &vf, depth + 1) : NULL;
		if (!v)
			v = flow_class_constant(q, file, e, &vf);
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

size_t flow_string_pieces(struct flow_query *q, int32_t file, const struct ir_node *expr,
			  const struct ir_node **out, size_t max)
{
	struct pieces p = {out, 0, max};
	struct str s = {BUF_INIT, false, false, &p};
	str_at(q, file, expr, &s, 0);
	buf_free(&s.out);
	return p.n;
}

bool flow_string(struct flow_query *q, int32_t file, const struct ir_node *expr, char *buf,
		 size_t size, bool *partial)
{
	struct str s = {BUF_INIT, false, false, NULL};
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
static const struct ir_node *param_default(const struct flow *f, int32_t file, const struct def *d)
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
		       number_at(q, file, model_arg(e, r->attr[MODEL_ATTR_DEFAULT]), out,
				 depth + 1);
	if ((r = model_match(f->models, MODEL_CONVERT, ir->lang, &p)) && r->attr[MODEL_ATTR_VALUE])
		return number_at(q, file, model_arg(e, r->attr[MODEL_ATTR_VALUE]), out, depth + 1);
	struct flow_fn fn = flow_callee(f, file, e);
	const struct ir_node *ret = flow_fn_ok(fn) ? flow_returned(f, fn) : NULL;
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
			if (number_at(q, file, e->a, &a, depth + 1) &&
			    (a != 0 || e->op == IR_OP_NULLISH)) {
				*out = a;
				return true;
			}
			return number_at(q, file, right, out, depth + 1);
		}
		if (!number_at(q, file, e->a, &a, depth + 1) ||
		    !number_at(q, file, e->b, &b, depth + 1))
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
		const struct ir_node *v =
		    e->text ? flow_member_at(q, file, e->a, e->text, &vf, depth + 1) : NULL;
		if (!v)
			v = flow_class_constant(q, file, e, &vf);
		if (v)
			return number_at(q, vf, v, out, depth + 1);
		return (c = constant_of(q->f, file, e)) &&
		       number_text(c->attr[MODEL_ATTR_VALUE], out);
	}
	default:
		return false;
	}
}

bool flow_number(struct flow_query *q, int32_t file, const struct ir_node *expr, double *out)
{
	return number_at(q, file, expr, out, 0);
}
