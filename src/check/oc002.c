/* OC002 frontend-api-call, on the server side: code that hands the OCPay key to the page.
 * Whatever a page gets, the customer can read: the data of a script the page loads
 * (WordPress's wp_localize_script, wp_add_inline_script), what a PHP template echoes
 * into its HTML, the data or context a view renders a template with (Laravel, Symfony,
 * Django, Flask, FastAPI). Those calls are the models' page rows.
 *
 * The key is a value whose origin is a configuration or environment read (the models'
 * env rows) of a name that says it is the OCPay key (the models' secret_name rows), or a
 * constant, variable or field so named that the code does not define otherwise. It is
 * followed back through locals, constants, arrays and objects, concatenations and
 * templates, the encoders and escapers that show what they are handed (encode rows), and
 * the return values of the project's functions, across files. Anything else says only a
 * fact about the key (bool(key), !empty($key), $key !== '', "yes" if key else "no") and
 * is not the key; an ajax URL, a nonce or a public value are not named for it.
 *
 * A page for the site's owner (a settings form: the models' admin_page rows, or a file
 * under an admin folder) shows the key to the person who keeps it: its echo is not the
 * shop's. */
#include <stdio.h>
#include <string.h>

#include "check/flow_stage.h"
#include "flow/path.h"

#define MAX_DEPTH 8
#define MAX_STEPS 400 /* values visited per page call: defs can fan out */
#define MAX_DEFS 8

struct trace {
	struct flow_check *c;
	const struct model_set *m;
	int steps;
	int32_t key_file;		/* where the key is read */
	const struct ir_node *key;	/* the read, the constant or the field */
	const struct ir_node *at;	/* the last node of the checked file on the way */
	char name[96];			/* the name it is read by */
};

static bool holds_key(struct trace *t, int32_t file, const struct ir_node *e, int depth);

static bool secret_name(struct trace *t, int32_t file, const char *name)
{
	return name && *name &&
	       model_name_matches(t->m, MODEL_SECRET_NAME, flow_ir(t->c->flow, file)->lang, name,
				  strlen(name));
}

/* The name an env or config read of e reads, or false when e reads none: the segments
 * after the models' env prefix (settings.OCPAY_API_KEY, $_ENV['OCPAY_KEY']) and the
 * string a reading call is given (getenv('OCPAY_API_KEY'), config('services.ocpay.key')). */
static bool env_name(struct trace *t, int32_t file, const struct ir_node *e, char *buf,
		     size_t size)
{
	struct path p;
	unsigned len = 0;
	if (!path_of(&p, e) || !p.n || !p.rooted ||
	    !model_match_prefix(t->m, MODEL_ENV, flow_ir(t->c->flow, file)->lang, &p, &len))
		return false;
	size_t n = 0;
	buf[0] = '\0';
	for (unsigned i = len; i < p.n && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "." : "", p.seg[i]);
	const struct ir_node *arg = e->kind == IR_CALL ? ir_call_arg(e, 0) : NULL;
	char s[80];
	bool partial;
	if (arg && n < size && flow_string(t->c->q, file, arg, s, sizeof s, &partial) && !partial)
		snprintf(buf + n, size - n, "%s%s", n ? "." : "", s);
	return true;
}

static bool found(struct trace *t, int32_t file, const struct ir_node *e, const char *name)
{
	t->key_file = file;
	t->key = e;
	snprintf(t->name, sizeof t->name, "%s", name);
	return true;
}

struct returns {
	const struct ir_node *values[MAX_DEFS];
	size_t n;
};

static bool visit_return(void *ctx, const struct ir_node *n)
{
	struct returns *r = ctx;
	if (n->kind == IR_RETURN && n->a && r->n < MAX_DEFS)
		r->values[r->n++] = n->a;
	return true;
}

/* A call: an env read, an encoder of its arguments, or a project function whose return
 * value holds the key. */
static bool call_holds_key(struct trace *t, int32_t file, const struct ir_node *e, int depth)
{
	/* the project's own function first: settings.checkout_widget() reads no setting */
	struct flow_fn fn = flow_callee(t->c->flow, file, e);
	if (flow_fn_ok(fn)) {
		struct returns ret = {.n = 0};
		flow_walk(t->c->flow, fn, false, visit_return, &ret);
		for (size_t i = 0; i < ret.n; i++)
			if (holds_key(t, fn.file, ret.values[i], depth + 1))
				return true;
	}
	char name[96];
	if (env_name(t, file, e, name, sizeof name))
		return secret_name(t, file, name) && found(t, file, e, name);
	const struct model_row *r = flow_model(t->c->flow, file, MODEL_ENCODE, e);
	if (r) {
		const struct ir_node *v = model_arg(e, r->attr[MODEL_ATTR_VALUE]);
		if (v)
			return holds_key(t, file, v, depth + 1);
		for (uint32_t i = 0; i < e->nkids; i++)
			if (holds_key(t, file, e->kids[i], depth + 1))
				return true;
	}
	return false;
}

static bool holds_key_here(struct trace *t, int32_t file, const struct ir_node *e, int depth)
{
	char name[96];
	switch (e->kind) {
	case IR_CALL:
		return call_holds_key(t, file, e, depth);
	case IR_MEMBER:
	case IR_INDEX: {
		if (env_name(t, file, e, name, sizeof name))
			return secret_name(t, file, name) && found(t, file, e, name);
		int32_t of = file;
		const struct ir_node *v =
		    e->kind == IR_MEMBER && e->text
			? flow_member_value(t->c->q, file, e->a, e->text, &of)
			: NULL;
		if (v)
			return holds_key(t, of, v, depth + 1);
		/* a field named for the key ($this->api_key, self.ocpay_token) */
		return e->kind == IR_MEMBER && secret_name(t, file, e->text) &&
		       found(t, file, e, e->text);
	}
	case IR_NAME: {
		const struct ir_node *defs[MAX_DEFS];
		int32_t files[MAX_DEFS];
		size_t n = flow_defs(t->c->q, file, e, defs, files, MAX_DEFS);
		for (size_t i = 0; i < n; i++)
			if (defs[i] != e && holds_key(t, files[i], defs[i], depth + 1))
				return true;
		/* a constant or parameter the code does not define: OCPAY_API_KEY */
		return !n && secret_name(t, file, e->text) && found(t, file, e, e->text);
	}
	case IR_BINARY:
		/* joined into a string, or a fallback: a comparison says only whether it is set */
		if (e->op != IR_OP_CONCAT && e->op != IR_OP_ADD && e->op != IR_OP_NULLISH &&
		    e->op != IR_OP_MOD && e->op != IR_OP_OR)
			return false;
		return holds_key(t, file, e->a, depth + 1) || holds_key(t, file, e->b, depth + 1);
	case IR_COND: /* the branches are shown, not the test */
		return holds_key(t, file, e->b ? e->b : e->a, depth + 1) ||
		       holds_key(t, file, e->c, depth + 1);
	case IR_PAIR: /* the names of entries are not values */
		return holds_key(t, file, e->b, depth + 1);
	case IR_SPREAD:
	case IR_AWAIT:
		return holds_key(t, file, e->a, depth + 1);
	case IR_TEMPLATE:
	case IR_ARRAY:
	case IR_OBJECT:
	case IR_OTHER: /* a cast, and what the flow form does not model */
		for (uint32_t i = 0; i < e->nkids; i++)
			if (holds_key(t, file, e->kids[i], depth + 1))
				return true;
		return false;
	default:
		return false;
	}
}

/* Whether the value e reaches the page holding the key; t->key is the read. */
static bool holds_key(struct trace *t, int32_t file, const struct ir_node *e, int depth)
{
	if (!e || depth > MAX_DEPTH || ++t->steps > MAX_STEPS)
		return false;
	if (!holds_key_here(t, file, e, depth))
		return false;
	if (!t->at && file == t->c->file)
		t->at = e; /* the deepest node of the checked file on the way */
	return true;
}

/* A page for the site's owner: a file under an admin folder, or one that calls the
 * models' admin_page rows (a settings form, a capability check). */
static bool admin_page(struct flow_check *c)
{
	for (const char *p = c->u->path; (p = strstr(p, "admin")); p++)
		if (p == c->u->path || p[-1] == '/' || p[-1] == '-' || p[-1] == '_')
			return true;
	const struct ir_file *ir = flow_ir(c->flow, c->file);
	for (uint32_t i = 0; i < ir->nnodes; i++)
		if (ir->nodes[i]->kind == IR_CALL &&
		    flow_model(c->flow, c->file, MODEL_ADMIN_PAGE, ir->nodes[i]))
			return true;
	return false;
}

static int report(struct flow_check *c, const struct rule *r, const struct trace *t,
		  const struct model_row *row)
{
	const char *how = row->attr[MODEL_ATTR_NOTE] ? row->attr[MODEL_ATTR_NOTE] : "the page";
	char what[160];
	const struct ir_node *k = t->key;
	if (t->key_file == c->file && k->end > k->start && k->end <= c->u->len) {
		size_t len = k->end - k->start;
		snprintf(what, sizeof what, "%.*s", (int)(len < 60 ? len : 60), c->u->data + k->start);
	} else {
		snprintf(what, sizeof what, "%s, read in %s:%u", t->name,
			 flow_ir(c->flow, t->key_file)->path, k->line);
	}
	char msg[320];
	snprintf(msg, sizeof msg,
		 "the OCPay key (%s) is handed to the page by %s: anyone who opens the page can "
		 "read it",
		 what, how);
	return flow_report(c, r, t->at, msg, -1);
}

int oc002_run(struct flow_check *c, const struct rule *r, const struct detector *d)
{
	(void)d;
	const struct ir_file *ir = flow_ir(c->flow, c->file);
	const struct model_set *m = c->u->scan->rules->models;
	int html = -1; /* whether its echo reaches a shop page: learnt on the first echo */
	int rc = 0;
	for (uint32_t i = 0; i < ir->nnodes && !rc; i++) {
		const struct ir_node *call = ir->nodes[i];
		const struct model_row *row =
		    call->kind == IR_CALL ? flow_model(c->flow, c->file, MODEL_PAGE, call) : NULL;
		if (!row)
			continue;
		const char *only_html = row->attr[MODEL_ATTR_HTML];
		if (only_html && !strcmp(only_html, "true")) {
			if (html < 0)
				html = ir->html && !admin_page(c);
			if (!html)
				continue;
		}
		struct trace t = {.c = c, .m = m};
		const struct ir_node *data = model_arg(call, row->attr[MODEL_ATTR_VALUE]);
		bool held = false;
		if (data)
			held = holds_key(&t, c->file, data, 0);
		for (uint32_t k = 0; !data && !held && k < call->nkids; k++)
			held = holds_key(&t, c->file, call->kids[k], 0);
		if (held)
			rc = report(c, r, &t, row);
	}
	return rc;
}
