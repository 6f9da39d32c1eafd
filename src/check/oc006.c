/* OC006 unvalidated-amount: the productInfo of every createLink. OCPay takes an integer
 * amount of DZD from 500 to 500000 and a title of 1 to 200 characters; anything else
 * fails at checkout, and an amount the customer sends is a price the customer chooses.
 *
 * The productInfo is read from createLink's request whatever the client: the SDK's
 * {productInfo: {...}}, CreateLinkRequest(...) or create_link(product_info=..., amount=...),
 * or the JSON body of an HTTP call (the event's request node), through locals, helpers,
 * spreads, serialisers and the parameters of a wrapper (each caller's argument). Then:
 *   - an amount that evaluates to a number must be an integer in 500..500000;
 *   - an amount the customer chooses (a request value that is not a server price times
 *     a quantity) must be held to an integer in 500..500000 on the way: guards, an
 *     asserting helper, the rules of the schema or DTO it was read from (flow_bounds);
 *     a validator whose rules cannot be read is trusted;
 *   - a server amount clamped into the range with min()/max(), or whose fraction is
 *     dropped ((int), intval(), floor(), int()) with no check that it is whole;
 *   - the title must be there (unless a spread may bring it), not empty, and a literal
 *     of at most 200 characters.
 * Findings sit where the merchant fixes them: the amount or title in the productInfo,
 * which may be in another file than the call (each file reports its own). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check/flow_stage.h"

#define AMOUNT_MIN 500
#define AMOUNT_MAX 500000
#define TITLE_MAX 200
#define MAX_DEPTH 4

struct judge {
	struct flow_check *c;
	const struct rule *r;
	uint32_t seen[64]; /* ids of the nodes reported in this file */
	size_t nseen;
	int rc;
	/* inside a save hook's expression: its instance stands for the record's data */
	const struct ir_node *hook_data;
	int32_t hook_file;
	const char *hook_inst;
};

static void report(struct judge *j, int32_t file, const struct ir_node *n, const char *msg)
{
	if (j->rc || file != j->c->file)
		return;
	for (size_t i = 0; i < j->nseen; i++)
		if (j->seen[i] == n->id)
			return;
	if (j->nseen < sizeof j->seen / sizeof j->seen[0])
		j->seen[j->nseen++] = n->id;
	j->rc = flow_report(j->c, j->r, n, msg, -1);
}

/* The source text of a node of the checked file, shortened, for messages. */
static void shown(const struct judge *j, const struct ir_node *n, char *buf, size_t size)
{
	const struct unit *u = j->c->u;
	size_t len = n->end > n->start && n->end <= u->len ? n->end - n->start : 0;
	snprintf(buf, size, "%.*s%s", (int)(len < 60 ? len : 60), u->data + n->start,
		 len > 60 ? "..." : "");
}

/* ---- who chooses the amount ---- */

/* Inside a save hook, what the record's data holds for instance.field (the whole data
 * when it is not an object written in place); NULL for anything else. */
static const struct ir_node *hook_value(const struct judge *j, const struct ir_node *e,
					 int32_t *file)
{
	if (!j->hook_data || e->kind != IR_MEMBER || !e->text ||
	    !flow_hook_instance(e->a, j->hook_inst))
		return NULL;
	*file = j->hook_file;
	const struct ir_node *v =
	    j->hook_data->kind == IR_OBJECT ? ir_pair_value(j->hook_data, e->text) : NULL;
	return v ? v : j->hook_data;
}

struct mention {
	const char *inst;
	bool found;
};

static bool visit_mention(void *ctx, const struct ir_node *n)
{
	struct mention *m = ctx;
	m->found |= n->kind == IR_MEMBER && flow_hook_instance(n->a, m->inst);
	return !m->found;
}

/* Whether e, inside a save hook, reads the instance (and so the record's data). */
static bool reads_instance(const struct judge *j, const struct ir_node *e)
{
	struct mention m = {j->hook_inst, false};
	if (j->hook_data && e)
		ir_walk(e, visit_mention, &m);
	return m.found;
}

/* A price of the server: stored data, configuration, or a table or constant of the code
 * (a number written in place is a factor, not a price: amount * 100). */
static bool server_price(struct judge *j, int32_t file, const struct ir_node *e)
{
	int32_t vf;
	const struct ir_node *v = hook_value(j, e, &vf);
	if (v)
		return server_price(j, vf, v);
	uint32_t l = flow_labels_deep(j->c->q, file, e);
	if (l & (FL_STORED | FL_ENV))
		return true;
	return (l & FL_LITERAL) && !(l & FL_REQUEST) && e->kind != IR_NUMBER && e->kind != IR_UNARY;
}

/* A callback's own parameter added as it is: the running total of a reduce. */
static bool accumulator(struct judge *j, int32_t file, const struct ir_node *e)
{
	const struct ir_file *ir = flow_ir(j->c->flow, file);
	const struct ir_node *fn =
	    e->kind == IR_NAME && e->func > 0 ? ir->funcs[e->func].node : NULL;
	return fn && fn->parent && fn->parent->kind == IR_CALL &&
	       (flow_labels(j->c->q, file, e) & FL_PARAMS);
}

/* Whether a name is a parameter of the function it is read in (or of one around it). */
static bool is_param(struct judge *j, int32_t file, const struct ir_node *e)
{
	const struct ir_file *ir = flow_ir(j->c->flow, file);
	for (int32_t f = e->func; f >= 0 && (uint32_t)f < ir->nfuncs; f = ir->funcs[f].parent)
		for (uint32_t i = 0; i < ir->funcs[f].nparams; i++)
			if (ir->funcs[f].params[i].name &&
			    !strcmp(ir->funcs[f].params[i].name, e->text))
				return true;
	return false;
}

struct callback_returns {
	struct judge *j;
	int32_t file;
	bool client;
};

static bool client_priced(struct judge *j, int32_t file, const struct ir_node *e, int depth);

/* A record's field a save hook computes: the customer chooses it when the hook's
 * expression, over the record's data, is theirs (1, else 0); -1 when no hook computes it. */
static int hooked(struct judge *j, int32_t file, const struct ir_node *e, int depth)
{
	struct flow_hook_field h[4];
	const struct ir_node *data;
	size_t n = j->hook_data ? 0 : flow_save_hook(j->c->q, file, e, h, 4, &data);
	if (!n)
		return -1;
	bool client = false;
	for (size_t i = 0; i < n && !client; i++) {
		j->hook_data = data;
		j->hook_file = file;
		j->hook_inst = h[i].inst;
		client = client_priced(j, h[i].file, h[i].rhs, depth + 1);
	}
	j->hook_data = NULL;
	return client;
}

static bool visit_callback_return(void *ctx, const struct ir_node *n)
{
	struct callback_returns *cr = ctx;
	if (n->kind == IR_RETURN && n->a && client_priced(cr->j, cr->file, n->a, 1))
		cr->client = true;
	return !cr->client;
}

/* Whether the customer chooses the amount: a request value that is not a server price
 * multiplied by a quantity the customer picks. */
static bool client_priced(struct judge *j, int32_t file, const struct ir_node *e, int depth)
{
	struct flow_check *c = j->c;
	if (!e || depth > 8)
		return false;
	int32_t vf;
	const struct ir_node *v = hook_value(j, e, &vf);
	if (v)
		return client_priced(j, vf, v, depth + 1);
	if (e->kind == IR_MEMBER) {
		int h = hooked(j, file, e, depth);
		if (h >= 0)
			return h;
	}
	if (!(flow_labels_deep(c->q, file, e) & FL_REQUEST) && !reads_instance(j, e))
		return false;
	switch (e->kind) {
	case IR_AWAIT:
		return client_priced(j, file, e->a, depth + 1);
	case IR_BINARY:
		if (e->op == IR_OP_MUL || e->op == IR_OP_DIV)
			return !server_price(j, file, e->a) && !server_price(j, file, e->b) &&
			       (client_priced(j, file, e->a, depth + 1) ||
				client_priced(j, file, e->b, depth + 1));
		return (!accumulator(j, file, e->a) && client_priced(j, file, e->a, depth + 1)) ||
		       (!accumulator(j, file, e->b) && client_priced(j, file, e->b, depth + 1));
	case IR_COND:
		return client_priced(j, file, e->b ? e->b : e->a, depth + 1) ||
		       client_priced(j, file, e->c, depth + 1);
	case IR_MEMBER:
	case IR_INDEX:
		/* a field of what the customer sent (req.body.amount), or of a record looked up
		 * with the customer's key (order.total) */
		if (e->a && (flow_labels_deep(c->q, file, e->a) & FL_REQUEST))
			return client_priced(j, file, e->a, depth + 1);
		return true;
	case IR_OBJECT:
	case IR_ARRAY:
		for (uint32_t i = 0; i < e->nkids; i++)
			if (client_priced(j, file, e->kids[i], depth + 1))
				return true;
		return false;
	case IR_PAIR:
	case IR_SPREAD:
		return client_priced(j, file, e->kind == IR_PAIR ? e->b : e->a, depth + 1);
	case IR_OTHER:
		/* (int) $x: the operand's */
		return !e->a || client_priced(j, file, e->a, depth + 1);
	case IR_NAME: {
		if (is_param(j, file, e))
			return true; /* its callers' or its framework's request value */
		const struct ir_node *defs[8];
		int32_t files[8];
		size_t n = flow_defs(c->q, file, e, defs, files, 8);
		for (size_t i = 0; i < n; i++)
			if (client_priced(j, files[i], defs[i], depth + 1))
				return true;
		return n == 0;
	}
	case IR_CALL: {
		/* in a save hook, this.items.reduce(...): whether the record's items are the
		 * customer's */
		if (j->hook_data && e->a && e->a->kind == IR_MEMBER && reads_instance(j, e->a->a))
			return client_priced(j, file, e->a->a, depth + 1);
		/* items.reduce((sum, i) => sum + i.price * i.qty, 0): what the function returns */
		for (uint32_t i = 0; i < e->nkids; i++) {
			if (e->kids[i]->kind != IR_FUNC)
				continue;
			struct callback_returns cr = {j, file, false};
			flow_walk(c->flow, (struct flow_fn){file, (int32_t)e->kids[i]->num}, false,
				  visit_callback_return, &cr);
			return cr.client;
		}
		const struct ir_node *passed = flow_passes(c->flow, file, e);
		if (passed && ((flow_labels_deep(c->q, file, passed) & FL_REQUEST) ||
			       reads_instance(j, passed)))
			return client_priced(j, file, passed, depth + 1); /* Number(req.body.x) */
		if (flow_labels(c->q, file, e) & FL_VALIDATED)
			return true; /* schema.parse(req.body): the customer's, checked */
		const struct flow_event *ev = flow_event_at(c->flow, file, e);
		if (ev && ev->kind == EV_WRITE) { /* Order.create({total: req.body.total}) */
			for (uint32_t i = 0; i < e->nkids; i++)
				if (client_priced(j, file, e->kids[i], depth + 1))
					return true;
			return false;
		}
		struct flow_fn fn = flow_callee(c->flow, file, e);
		if (flow_fn_ok(fn)) {
			uint32_t ret = flow_summary(c->flow, fn)->ret;
			for (unsigned i = 0; i < 16; i++)
				if ((ret & fl_param(i)) &&
				    client_priced(j, file, ir_call_arg(e, i), depth + 1))
					return true;
			return ret & FL_REQUEST;
		}
		/* the customer's when it reads what the customer sent (request.json(),
		 * form.get("amount")); the customer's arguments to another library's function
		 * are keys it looks a price up by (priceOf(req.body.sku)) */
		uint32_t args = 0;
		for (uint32_t i = 0; i < e->nkids; i++)
			args |= flow_labels_deep(c->q, file, e->kids[i]);
		if (!(args & FL_REQUEST))
			return true;
		return e->a && e->a->kind == IR_MEMBER &&
		       client_priced(j, file, e->a->a, depth + 1);
	}
	default:
		return true;
	}
}

/* ---- the fields ---- */

static void held_to(const struct flow_bounds *b, char *buf, size_t size)
{
	char min[32] = "", max[32] = "";
	if (b->has_min)
		snprintf(min, sizeof min, "%s>= %g", b->integer || b->whole ? ", " : "", b->min);
	if (b->has_max)
		snprintf(max, sizeof max, "%s<= %g",
			 b->integer || b->whole || b->has_min ? ", " : "", b->max);
	snprintf(buf, size, "%s%s%s", b->integer || b->whole ? "an integer" : "", min, max);
}

static void judge_amount(struct judge *j, int32_t file, const struct ir_node *a)
{
	struct flow_check *c = j->c;
	char msg[400], text[80];
	double v;
	if (flow_number(c->q, file, a, &v)) {
		if (v != floor(v) || v < AMOUNT_MIN || v > AMOUNT_MAX) {
			snprintf(
			    msg, sizeof msg,
			    "amount %g is %s: OCPay takes an integer number of DZD from 500 to "
			    "500000",
			    v, v != floor(v) ? "not an integer" : "out of range");
			report(j, file, a, msg);
		}
		return;
	}
	if (file != c->file)
		return; /* judged by the file that holds it */
	struct flow_bounds b;
	flow_bounds(c->q, file, a, &b);
	shown(j, a, text, sizeof text);
	if ((flow_labels_deep(c->q, file, a) & FL_REQUEST) && client_priced(j, file, a, 0)) {
		bool held = (b.integer || b.whole) && b.has_min && b.min >= AMOUNT_MIN &&
			    b.has_max && b.max <= AMOUNT_MAX;
		if (held || (b.validator && !b.schema))
			return; /* a validator whose rules cannot be read is trusted */
		char what[96];
		held_to(&b, what, sizeof what);
		snprintf(msg, sizeof msg,
			 "the amount (%s) comes from the request and %s%s: verify it is an integer "
			 "from 500 to 500000, or price the order on the server",
			 text,
			 *what	    ? "is held only to "
			 : b.schema ? "its validation does not bound it"
				    : "is not checked",
			 what);
		report(j, file, a, msg);
		return;
	}
	bool clamped = false;
	for (uint32_t i = 0; b.clamp && i < b.clamp->nkids; i++)
		clamped |= flow_number(c->q, b.clamp_file, b.clamp->kids[i], &v) &&
			   v >= AMOUNT_MIN && v <= AMOUNT_MAX;
	if (clamped) {
		snprintf(
		    msg, sizeof msg,
		    "the amount (%s) is clamped into range: an out-of-range price is silently "
		    "changed instead of refused; validate it (integer, 500 to 500000) and reject "
		    "the order",
		    text);
		report(j, file, a, msg);
	} else if (b.trunc && !b.integer && !b.rounded) {
		snprintf(
		    msg, sizeof msg,
		    "the amount (%s) is truncated: a decimal total silently loses its fraction; "
		    "reject amounts that are not whole DZD, or round them on purpose",
		    text);
		report(j, file, a, msg);
	}
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static void judge_title(struct judge *j, int32_t file, const struct ir_node *t)
{
	char buf[2048], msg[160];
	bool partial;
	if (!flow_string(j->c->q, file, t, buf, sizeof buf, &partial) || partial)
		return;
	/* a title held in a local: the literal is the line to change */
	const struct ir_node *defs[2];
	int32_t files[2];
	if (t->kind == IR_NAME && flow_defs(j->c->q, file, t, defs, files, 2) == 1 &&
	    files[0] == file && defs[0]->kind == IR_STRING && defs[0]->func == t->func)
		t = defs[0];
	if (strspn(buf, " \t\r\n") == strlen(buf)) {
		report(j, file, t,
		       "createLink title is empty: a title of 1 to 200 characters is required");
	} else if (utf8_chars(buf) > TITLE_MAX) {
		snprintf(msg, sizeof msg,
			 "createLink title is %zu characters long: OCPay takes 1 to %d",
			 utf8_chars(buf), TITLE_MAX);
		report(j, file, t, msg);
	}
}

/* A field of productInfo: an object's (through spreads and later assignments) or a named
 * argument of a call (CreateLinkRequest(amount: ...), create_link(amount=...)). */
static const struct ir_node *field(struct judge *j, int32_t file, const struct ir_node *info,
				   const char *key, int32_t *out_file)
{
	*out_file = file;
	if (info->kind == IR_CALL)
		return ir_pair_value(info, key);
	return flow_member_value(j->c->q, file, info, key, out_file);
}

/* productInfo, or the fields of it, taken whole from what the customer sent. */
static void from_request(struct judge *j, int32_t file, const struct ir_node *e, const char *what)
{
	char msg[300], text[80];
	const struct ir_node *v = e->kind == IR_SPREAD ? e->a : e;
	if (file != j->c->file || !client_priced(j, file, v, 0))
		return;
	shown(j, v, text, sizeof text);
	snprintf(msg, sizeof msg,
		 "%s what the customer sent (%s): the customer chooses the amount; price the order "
		 "on the server, or validate an integer from 500 to 500000",
		 what, text);
	report(j, file, e, msg);
}

/* The position of the parameter a name is in its own function, or -1. */
static int param_index(struct judge *j, int32_t file, const struct ir_node *e)
{
	const struct ir_func *fn =
	    e->kind == IR_NAME ? flow_func(j->c->flow, flow_fn_of(j->c->flow, file, e)) : NULL;
	for (uint32_t p = 0; fn && p < fn->nparams && p < 16; p++)
		if (fn->params[p].name && !strcmp(fn->params[p].name, e->text))
			return (int)p;
	return -1;
}

/* Judges a field where its value is written: a helper's parameter (productInfo(title,
 * amount)) at each caller's argument. */
static void judge_field(struct judge *j, int32_t file, const struct ir_node *v, bool amount,
			int depth)
{
	int p = depth < MAX_DEPTH ? param_index(j, file, v) : -1;
	size_t n = 0;
	const struct flow_site *sites =
	    p >= 0 ? flow_callers(j->c->flow, flow_fn_of(j->c->flow, file, v), &n) : NULL;
	for (size_t i = 0; i < n; i++) {
		const struct ir_node *arg = ir_call_arg(sites[i].call, (uint32_t)p);
		if (arg)
			judge_field(j, sites[i].file, arg, amount, depth + 1);
	}
	if (n)
		return;
	if (amount)
		judge_amount(j, file, v);
	else
		judge_title(j, file, v);
}

static void judge_fields(struct judge *j, int32_t file, const struct ir_node *info)
{
	/* a spread, **kwargs or a positional argument may bring the fields not written */
	bool open = false;
	for (uint32_t i = 0; i < info->nkids; i++)
		open |= info->kids[i]->kind == IR_SPREAD ||
			(info->kind == IR_CALL && info->kids[i]->kind != IR_PAIR);
	int32_t af, tf;
	const struct ir_node *amount = field(j, file, info, "amount", &af);
	const struct ir_node *title = field(j, file, info, "title", &tf);
	for (uint32_t i = 0; !amount && i < info->nkids; i++)
		if (info->kids[i]->kind == IR_SPREAD)
			from_request(j, file, info->kids[i],
				     "productInfo spreads"); /* {...req.body} */
	if (amount)
		judge_field(j, af, amount, true, 0);
	else if (!open)
		report(
		    j, file, info,
		    "createLink has no amount: productInfo.amount is required (integer DZD, 500 to "
		    "500000)");
	if (title)
		judge_field(j, tf, title, false, 0);
	else if (!open)
		report(j, file, info,
		       "createLink has no title: a title of 1 to 200 characters is required");
}

static bool has_key(const struct ir_node *o, const char *key)
{
	return ir_pair_value(o, key) != NULL;
}

/* Finds the productInfo in what a createLink is handed (info: h is the productInfo
 * itself) and judges it: an object or a call with named arguments, a serialised body, an
 * options object holding the body (apiRequest({endpoint, body})), or a parameter (each
 * caller's argument). */
static void find_info(struct judge *j, int32_t file, const struct ir_node *h, bool info, int depth)
{
	struct flow_check *c = j->c;
	while (h && h->kind == IR_AWAIT)
		h = h->a;
	if (!h || depth > MAX_DEPTH || j->rc)
		return;
	int32_t of = file;
	const struct ir_node *o = flow_object(c->q, file, h, &of);
	if (!o && h->kind == IR_CALL)
		o = h;
	if (o && info) {
		judge_fields(j, of, o);
		return;
	}
	if (o) {
		static const char *const keys[] = {"productInfo", "product_info"};
		for (int k = 0; k < 2; k++) {
			int32_t vf;
			const struct ir_node *v = field(j, of, o, keys[k], &vf);
			if (v) {
				find_info(j, vf, v, true, depth + 1);
				return;
			}
		}
		if (has_key(o, "amount") || has_key(o, "title")) {
			judge_fields(j, of, o); /* a wrapper's own arguments */
			return;
		}
		for (uint32_t i = 0; o->kind == IR_OBJECT && i < o->nkids; i++)
			if (o->kids[i]->kind == IR_PAIR && o->kids[i]->b)
				find_info(j, of, o->kids[i]->b, false, depth + 1);
		return;
	}
	/* a parameter of the function: what each caller passes */
	int p = param_index(j, file, h);
	if (p >= 0) {
		size_t n;
		const struct flow_site *sites =
		    flow_callers(c->flow, flow_fn_of(c->flow, file, h), &n);
		for (size_t i = 0; i < n; i++)
			find_info(j, sites[i].file, ir_call_arg(sites[i].call, (uint32_t)p), info,
				  depth + 1);
		return;
	}
	from_request(j, file, h, info ? "productInfo is" : "createLink's request is");
}

int oc006_run(struct flow_check *c, const struct rule *r, const struct detector *d)
{
	(void)d;
	struct judge j = {.c = c, .r = r};
	/* every createLink of the project: its productInfo may be written in this file */
	for (size_t f = 0; f < flow_nfiles(c->flow) && !j.rc; f++) {
		const struct ir_file *ir = flow_ir(c->flow, (int32_t)f);
		for (uint32_t i = 0; i < ir->nfuncs && !j.rc; i++) {
			size_t n;
			const struct flow_event *ev =
			    flow_events(c->flow, (struct flow_fn){(int32_t)f, (int32_t)i}, &n);
			for (size_t k = 0; k < n && !j.rc; k++) {
				const struct flow_event *e = &ev[k];
				if (e->kind != EV_CREATE_LINK)
					continue;
				/* a wrapper's own createLink is judged inside it */
				if (flow_fn_ok(e->via) &&
				    (flow_summary(c->flow, e->via)->api & (1u << EV_CREATE_LINK)))
					continue;
				find_info(&j, (int32_t)f, e->arg ? e->arg : e->node, false, 0);
			}
		}
	}
	return j.rc;
}
