/* OC004 fulfill-without-verification: an order marked paid or fulfilled where no
 * checkPayment result compared equal to CONFIRMED guards the path. The guard is found on
 * the AST: the branch of an if/else, a switch case, a ternary or && operand, or an early
 * return/throw before the fulfilment; a same-file function that calls checkPayment counts
 * as a check (one level). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check/jsflow.h"
#include "check/scan.h"

struct verify {
	struct unit *u;
	const struct rule *r;
	const struct syntax *syn;
	struct jsflow *flow;
	int rc;
};

static const char *const paid_values[] = {"paid", "confirmed", "completed", "fulfilled", NULL};
static const char *const fulfil_calls[] = {
	"fulfillOrder", "fulfilOrder", "processOrder", "shipOrder", "deliverOrder", "deliver",
	"activateSubscription", "grantAccess", "markAsPaid", "markPaid", "markOrderPaid",
	"completeOrder", NULL};

static bool in_list(const char *name, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcmp(name, list[i]))
			return true;
	return false;
}

static bool is_confirmed(const struct syntax *syn, struct ast_node n)
{
	return jsflow_is_status(syn, n, "CONFIRMED");
}

static bool is_failed(const struct syntax *syn, struct ast_node n)
{
	return jsflow_is_status(syn, n, "FAILED");
}

static bool from_check(const struct verify *v, struct ast_node n, struct ast_node fn)
{
	return jsflow_from_check(v->flow, n, fn);
}

enum test { TEST_NONE, TEST_CONFIRMED, TEST_NOT_CONFIRMED };

static enum test classify_at(const struct verify *v, struct ast_node e, struct ast_node fn,
			     int depth);

/* Classifies a condition: true exactly when the payment is confirmed, or exactly when
 * it is not. `!== "FAILED"` is neither: a PENDING payment passes it. */
static enum test classify(const struct verify *v, struct ast_node e, struct ast_node fn)
{
	return classify_at(v, e, fn, 0);
}

static enum test classify_at(const struct verify *v, struct ast_node e, struct ast_node fn,
			     int depth)
{
	while (ast_is(e, "parenthesized_expression"))
		e = ast_named_child(e, 0);
	if (ast_is(e, "unary_expression") && ast_text_is(v->syn, ast_field(e, "operator"), "!")) {
		enum test t = classify_at(v, ast_field(e, "argument"), fn, depth);
		return t == TEST_CONFIRMED ? TEST_NOT_CONFIRMED
		     : t == TEST_NOT_CONFIRMED ? TEST_CONFIRMED : TEST_NONE;
	}
	if (ast_is(e, "binary_expression")) {
		struct ast_node op = ast_field(e, "operator");
		struct ast_node l = ast_field(e, "left"), r = ast_field(e, "right");
		bool eq = ast_text_is(v->syn, op, "===") || ast_text_is(v->syn, op, "==");
		bool ne = ast_text_is(v->syn, op, "!==") || ast_text_is(v->syn, op, "!=");
		if (eq || ne) {
			struct ast_node other = is_confirmed(v->syn, l) ? r : is_confirmed(v->syn, r) ? l
											       : (struct ast_node){0};
			if (ast_is_null(other) || !from_check(v, other, fn))
				return TEST_NONE;
			return eq ? TEST_CONFIRMED : TEST_NOT_CONFIRMED;
		}
		enum test a = classify_at(v, l, fn, depth), b = classify_at(v, r, fn, depth);
		if (ast_text_is(v->syn, op, "&&"))
			return a == TEST_CONFIRMED || b == TEST_CONFIRMED ? TEST_CONFIRMED : TEST_NONE;
		if (ast_text_is(v->syn, op, "||"))
			return a == TEST_NOT_CONFIRMED || b == TEST_NOT_CONFIRMED ? TEST_NOT_CONFIRMED
											 : TEST_NONE;
		return TEST_NONE;
	}
	/* const isPaid = data.status === "CONFIRMED"; if (isPaid) ... */
	if (ast_is(e, "identifier") && depth < 3) {
		size_t len;
		const char *name = ast_text(v->syn, e, &len);
		struct ast_node value = jsflow_declared_value(v->syn, fn, name, len);
		if (!ast_is_null(value)) {
			enum test t = classify_at(v, value, fn, depth + 1);
			if (t != TEST_NONE)
				return t;
		}
	}
	/* isPaid(ref), or a name holding what a checking function returned. */
	if ((ast_is(e, "call_expression") || ast_is(e, "await_expression") ||
	     ast_is(e, "identifier")) &&
	    jsflow_node_mentions(v->syn, e, v->flow->checker_names, v->flow->ncheckers))
		return TEST_CONFIRMED;
	return TEST_NONE;
}

static bool exits(struct ast_node stmt)
{
	if (ast_is(stmt, "return_statement") || ast_is(stmt, "throw_statement"))
		return true;
	if (ast_is(stmt, "statement_block"))
		for (uint32_t i = 0; i < ast_named_count(stmt); i++)
			if (exits(ast_named_child(stmt, i)))
				return true;
	return false;
}

/* The conditions that decide whether site runs: enclosing if/ternary/&&/switch, and
 * earlier `if (...) return|throw` statements of the enclosing blocks. */
struct path {
	struct ast_node conds[32];
	size_t n;
	struct ast_node guard; /* the condition that guards site, if one does */
};

static void add_cond(struct path *p, struct ast_node c)
{
	if (p->n < sizeof p->conds / sizeof p->conds[0])
		p->conds[p->n++] = c;
}

static bool guarded(const struct verify *v, struct ast_node site, struct ast_node fn,
		    struct path *path)
{
	struct ast_node n = site;
	while (!ast_is_null(n) && ast_start(n) != ast_start(fn)) {
		struct ast_node p = ast_parent(n), c;
		if (ast_is_null(p))
			break;
		if (ast_is(p, "if_statement")) {
			c = ast_field(p, "condition");
			add_cond(path, c);
			if (ast_start(ast_field(p, "consequence")) == ast_start(n) &&
			    classify(v, c, fn) == TEST_CONFIRMED)
				return path->guard = c, true;
		} else if (ast_is(p, "else_clause")) {
			c = ast_field(ast_parent(p), "condition");
			if (classify(v, c, fn) == TEST_NOT_CONFIRMED)
				return path->guard = c, true;
		} else if (ast_is(p, "switch_case")) {
			c = ast_field(ast_parent(ast_parent(p)), "value");
			add_cond(path, c);
			if (is_confirmed(v->syn, ast_field(p, "value")) && from_check(v, c, fn))
				return path->guard = c, true;
		} else if (ast_is(p, "ternary_expression")) {
			c = ast_field(p, "condition");
			add_cond(path, c);
			if (ast_start(ast_field(p, "consequence")) == ast_start(n) &&
			    classify(v, c, fn) == TEST_CONFIRMED)
				return path->guard = c, true;
		} else if (ast_is(p, "binary_expression") &&
			   ast_text_is(v->syn, ast_field(p, "operator"), "&&")) {
			c = ast_field(p, "left");
			add_cond(path, c);
			if (ast_start(ast_field(p, "right")) == ast_start(n) &&
			    classify(v, c, fn) == TEST_CONFIRMED)
				return path->guard = c, true;
		} else if (ast_is(p, "statement_block") || ast_is(p, "program")) {
			/* An earlier `if (status !== "CONFIRMED") throw ...;` */
			for (uint32_t i = 0; i < ast_named_count(p); i++) {
				struct ast_node s = ast_named_child(p, i);
				if (ast_start(s) >= ast_start(n))
					break;
				if (!ast_is(s, "if_statement") || !exits(ast_field(s, "consequence")))
					continue;
				c = ast_field(s, "condition");
				add_cond(path, c);
				if (classify(v, c, fn) == TEST_NOT_CONFIRMED)
					return path->guard = c, true;
			}
		}
		n = p;
	}
	return false;
}

struct evidence {
	const struct verify *v;
	struct ast_node fn;
	bool request_status, failed_only;
	char request_text[80];
};

static bool visit_compare(void *ctx, struct ast_node n)
{
	struct evidence *ev = ctx;
	const struct syntax *syn = ev->v->syn;
	if (!ast_is(n, "binary_expression"))
		return true;
	struct ast_node l = ast_field(n, "left"), r = ast_field(n, "right");
	struct ast_node other = is_confirmed(syn, l) ? r : is_confirmed(syn, r) ? l : (struct ast_node){0};
	/* A checkPayment result whose ref came from the request is another mistake. */
	if (!ast_is_null(other) && !from_check(ev->v, other, ev->fn) &&
	    jsflow_from_request(syn, other)) {
		size_t len;
		const char *t = ast_text(syn, other, &len);
		ev->request_status = true;
		snprintf(ev->request_text, sizeof ev->request_text, "%.*s", (int)(len < 60 ? len : 60), t);
	}
	other = is_failed(syn, l) ? r : is_failed(syn, r) ? l : (struct ast_node){0};
	struct ast_node op = ast_field(n, "operator");
	if (!ast_is_null(other) && (ast_text_is(syn, op, "!==") || ast_text_is(syn, op, "!=")) &&
	    from_check(ev->v, other, ev->fn))
		ev->failed_only = true;
	return true;
}

/* checkPayment(paymentRef) on a parameter of its method, when a module that imports this
 * one passes a value from the request there: a NestJS controller's
 * this.payments.confirm(id, dto.paymentRef) with dto its @Body(). */
static bool ref_param_from_callers(const struct verify *v, const struct api_call *c)
{
	if (!ast_is(c->arg, "identifier"))
		return false;
	struct ast_node params = ast_field(c->func, "parameters");
	for (uint32_t i = 0; i < ast_named_count(params); i++) {
		struct ast_node p = ast_named_child(params, i);
		struct ast_node pat = ast_is(p, "identifier") ? p : ast_field(p, "pattern");
		size_t len;
		const char *t = ast_text(v->syn, c->arg, &len);
		char name[128];
		if (ast_is_null(pat) || len >= sizeof name)
			continue;
		snprintf(name, sizeof name, "%.*s", (int)len, t);
		if (!ast_text_is(v->syn, pat, name))
			continue;
		char method[128];
		jsflow_function_name(v->syn, c->func, method, sizeof method);
		return unit_callers_pass_request(v->u, method, i);
	}
	return false;
}

/* Whether the check behind a guard was made on a ref from the request. */
static bool guard_ref_from_request(const struct verify *v, struct ast_node guard, struct ast_node fn)
{
	for (size_t i = 0; i < v->flow->ncalls; i++) {
		const struct api_call *c = &v->flow->calls[i];
		if (c->kind != API_CHECK_PAYMENT || ast_is_null(c->arg))
			continue;
		bool related = jsflow_within(c->call, guard) ||
			       (ast_start(c->func) == ast_start(fn) &&
				jsflow_node_mentions(v->syn, guard, c->names, c->nnames));
		if (related &&
		    (jsflow_from_request(v->syn, c->arg) || ref_param_from_callers(v, c)))
			return true;
	}
	/* isPaid(req.query.ref): a checking helper handed a ref from the request */
	return jsflow_node_mentions(v->syn, guard, v->flow->checker_names, v->flow->ncheckers) &&
	       jsflow_from_request(v->syn, guard);
}

static bool fn_checks(const struct verify *v, struct ast_node fn)
{
	for (size_t i = 0; i < v->flow->ncalls; i++) {
		const struct api_call *c = &v->flow->calls[i];
		if (c->kind == API_CHECK_PAYMENT && ast_start(c->func) == ast_start(fn))
			return true;
	}
	return jsflow_node_mentions(v->syn, fn, v->flow->checker_names, v->flow->ncheckers);
}

static void report(struct verify *v, struct ast_node site)
{
	struct ast_node fn = jsflow_function_of(site);
	struct path path = {0};
	char buf[256];
	const char *msg = NULL;
	if (guarded(v, site, fn, &path)) {
		if (guard_ref_from_request(v, path.guard, fn))
			msg = "fulfils after checking a paymentRef taken from the request, not the one "
			      "saved on the order: any earlier confirmed ref can be replayed";
	} else {
		/* Explain with the conditions on the path to the fulfilment. */
		struct evidence ev = {.v = v, .fn = fn};
		for (size_t i = 0; i < path.n; i++)
			ast_walk(path.conds[i], visit_compare, &ev);
		if (ev.request_status) {
			snprintf(buf, sizeof buf,
				 "fulfils on a payment status from the request (%s): the customer "
				 "controls the redirect; verify with checkPayment",
				 ev.request_text);
			msg = buf;
		} else if (ev.failed_only) {
			msg = "only rules out FAILED: a PENDING payment passes; fulfil only when "
			      "status === \"CONFIRMED\"";
		} else if (fn_checks(v, fn)) {
			msg = "the checkPayment result does not guard this: fulfil only when status "
			      "=== \"CONFIRMED\"";
		} else {
			msg = "marks the order paid without verifying the payment (no checkPayment "
			      "with status === \"CONFIRMED\" on this path)";
		}
	}
	if (msg)
		v->rc = unit_add_hit(v->u, v->r, ast_start(site), ast_end(site), NULL, 0, msg, -1);
}

/* A call to a same-file function that verifies before it fulfils is that function's job. */
static bool calls_checker(const struct verify *v, struct ast_node call)
{
	char name[128];
	jsflow_callee_name(v->syn, call, name, sizeof name);
	for (size_t i = 0; i < v->flow->ncheckers; i++)
		if (!strcmp(name, v->flow->checker_names[i]))
			return true;
	return false;
}

static bool visit_site(void *ctx, struct ast_node n)
{
	struct verify *v = ctx;
	if (v->rc)
		return false;
	const struct syntax *syn = v->syn;
	if (ast_is(n, "assignment_expression") || ast_is(n, "pair")) {
		if (jsflow_string_in(syn, jsflow_status_write(syn, n), paid_values))
			report(v, n);
	} else if (ast_is(n, "call_expression")) {
		char callee[64];
		jsflow_callee_name(syn, n, callee, sizeof callee);
		if (in_list(callee, fulfil_calls) && !calls_checker(v, n))
			report(v, n);
	}
	return true;
}

int oc004_verify_unit(struct unit *u, const struct rule *r, const struct detector *d)
{
	(void)d;
	struct jsflow *flow = unit_flow(u);
	if (!flow)
		return 0;
	struct verify v = {u, r, flow->syn, flow, 0};
	ast_walk(ast_root(flow->syn), visit_site, &v);
	return v.rc;
}
