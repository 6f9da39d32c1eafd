/* OC004 fulfill-without-verification in PHP and Python: an order marked paid or fulfilled
 * ($order->payment_complete(), update_status('completed'), a status set to paid by
 * assignment, an ORM update or SQL) where no checkPayment/check_payment result compared
 * equal to CONFIRMED guards the path: the branch of an if/elif/else, a switch or match
 * case, or an earlier `if (...) return|exit|throw|raise`. A same-file helper that checks
 * counts as a check; a helper that fulfils is judged by its same-file callers. A helper
 * of another project file (scriptlink.h) that calls checkPayment hands on its result;
 * it is the check itself in a condition only when it compares the status to CONFIRMED,
 * and a call statement guards what follows when it throws or aborts unless CONFIRMED.
 * A fulfilling helper no call in its file reaches is judged by its callers in other
 * files, and a checked parameter by what those callers pass. */
#define _GNU_SOURCE /* memmem, strcasestr */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check/scan.h"
#include "check/scriptflow.h"
#include "check/scriptlink.h"

struct verify {
	struct unit *u;
	const struct rule *r;
	struct sflow f;
	int rc;
	/* helpers of other files, by name: tried, that check (also in f.checkers), that
	 * compare the status to CONFIRMED, that throw or abort unless it is */
	struct slink link;
	struct sflow_names tried, linked, verifiers, raisers;
};

static const char *const paid_values[] = {"paid",     "confirmed", "completed",
					  "complete", "fulfilled", NULL};
/* WooCommerce's paid statuses: processing (to ship) and completed. */
static const char *const woo_paid[] = {"processing", "completed", "wc-processing", "wc-completed",
				       NULL};
static const char *const status_keys[] = {"status",	  "payment_status",  "paymentStatus",
					  "order_status", "_payment_status", NULL};
static const char *const fulfil_calls[] = {"payment_complete", "fulfillOrder",
					   "fulfilOrder",      "processOrder",
					   "shipOrder",	       "deliverOrder",
					   "markAsPaid",       "markPaid",
					   "markOrderPaid",    "completeOrder",
					   "fulfill_order",    "fulfil_order",
					   "process_order",    "ship_order",
					   "deliver_order",    "mark_as_paid",
					   "mark_paid",	       "mark_order_paid",
					   "complete_order",   "activate_subscription",
					   "grant_access",     NULL};
/* Calls whose array or keyword arguments are written to the database. */
static const char *const write_calls[] = {"update",
					  "insert",
					  "create",
					  "fill",
					  "forceFill",
					  "updateOrCreate",
					  "updateOrInsert",
					  "values",
					  "update_or_create",
					  "update_one",
					  "update_many",
					  "update_meta_data",
					  "update_post_meta",
					  "add_meta_data",
					  NULL};

static bool in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcasecmp(s, list[i]))
			return true;
	return false;
}

static bool names_in(const struct sflow_names *ns, const char *s)
{
	for (size_t i = 0; i < ns->n; i++)
		if (!strcmp(ns->name[i], s))
			return true;
	return false;
}

static void names_put(struct sflow_names *ns, const char *s)
{
	if (s[0] && strlen(s) < SFLOW_NAME_LEN && ns->n < SFLOW_NAMES && !names_in(ns, s))
		snprintf(ns->name[ns->n++], SFLOW_NAME_LEN, "%s", s);
}

/* A call statement to a helper of another file that throws unless the payment is
 * CONFIRMED ($this->payments->assertPaid($order); await ensure_paid(order)). */
static bool raiser_call(struct verify *v, struct ast_node s)
{
	if (!ast_is(s, "expression_statement"))
		return false;
	struct ast_node e = ast_named_child(s, 0);
	if (ast_is(e, "await"))
		e = ast_named_child(e, 0);
	char name[SFLOW_NAME_LEN];
	if (!v->raisers.n || !sflow_is_call(&v->f, e))
		return false;
	sflow_callee(&v->f, e, name, sizeof name);
	return names_in(&v->raisers, name);
}

static bool string_in(struct verify *v, struct ast_node n, const char *const *list)
{
	char buf[64];
	return sflow_string(&v->f, n, buf, sizeof buf) && in_list(buf, list);
}

static bool key_is_status(struct verify *v, struct ast_node n)
{
	char buf[64];
	size_t len;
	const char *t;
	if (sflow_string(&v->f, n, buf, sizeof buf))
		return in_list(buf, status_keys);
	t = ast_text(v->f.syn, n, &len);
	snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1), t);
	return (ast_is(n, "name") || ast_is(n, "identifier")) && in_list(buf, status_keys);
}

static struct ast_node enclosing_call(struct verify *v, struct ast_node n)
{
	for (int i = 0; i < 6 && !ast_is_null(n); i++, n = ast_parent(n))
		if (sflow_is_call(&v->f, n))
			return n;
	return (struct ast_node){0};
}

static bool written_by_call(struct verify *v, struct ast_node n)
{
	struct ast_node call = enclosing_call(v, n);
	char name[SFLOW_NAME_LEN];
	if (ast_is_null(call))
		return false;
	sflow_callee(&v->f, call, name, sizeof name);
	return in_list(name, write_calls);
}

/* UPDATE orders SET status = 'paid' */
static bool sql_marks_paid(struct verify *v, struct ast_node n)
{
	char *s = ast_string_value(v->f.syn, n);
	bool yes = false;
	if (s && strcasestr(s, "update ") && strcasestr(s, " set ") && strcasestr(s, "status")) {
		for (size_t i = 0; paid_values[i] && !yes; i++) {
			char q[32];
			snprintf(q, sizeof q, "'%s'", paid_values[i]);
			yes = strcasestr(s, q) != NULL;
		}
	}
	free(s);
	return yes;
}

/* ---- is the site guarded by a confirmed check? ---- */

enum test { TEST_NONE, TEST_CONFIRMED, TEST_NOT_CONFIRMED };

static enum test invert(enum test t)
{
	return t == TEST_CONFIRMED	 ? TEST_NOT_CONFIRMED
	       : t == TEST_NOT_CONFIRMED ? TEST_CONFIRMED
					 : TEST_NONE;
}

static enum test classify(struct verify *v, struct ast_node e, int depth);

static enum test compare(struct verify *v, struct ast_node l, struct ast_node r, const char *op)
{
	bool eq = !strcmp(op, "===") || !strcmp(op, "==") || !strcmp(op, "is");
	bool ne =
	    !strcmp(op, "!==") || !strcmp(op, "!=") || !strcmp(op, "<>") || !strcmp(op, "is not");
	/* status in ("CONFIRMED",): a collection of that one status */
	if ((!strcmp(op, "in") || !strcmp(op, "not in")) &&
	    (ast_is(r, "tuple") || ast_is(r, "list") || ast_is(r, "set")) &&
	    ast_named_count(r) == 1) {
		r = ast_named_child(r, 0);
		eq = !strcmp(op, "in");
		ne = !eq;
	}
	if (!eq && !ne)
		return TEST_NONE;
	struct ast_node other = sflow_is_status(&v->f, l, "CONFIRMED")	 ? r
				: sflow_is_status(&v->f, r, "CONFIRMED") ? l
									 : (struct ast_node){0};
	if (ast_is_null(other) || !sflow_from_check(&v->f, other))
		return TEST_NONE;
	return eq ? TEST_CONFIRMED : TEST_NOT_CONFIRMED;
}

static enum test combine(const char *op, enum test a, enum test b)
{
	if (!strcmp(op, "&&") || !strcasecmp(op, "and"))
		return a == TEST_CONFIRMED || b == TEST_CONFIRMED ? TEST_CONFIRMED : TEST_NONE;
	if (!strcmp(op, "||") || !strcasecmp(op, "or"))
		return a == TEST_NOT_CONFIRMED || b == TEST_NOT_CONFIRMED ? TEST_NOT_CONFIRMED
									  : TEST_NONE;
	return TEST_NONE;
}

static void op_text(struct verify *v, struct ast_node n, char *buf, size_t size)
{
	size_t len;
	const char *t = ast_text(v->f.syn, n, &len);
	snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), t);
}

static enum test classify(struct verify *v, struct ast_node e, int depth)
{
	char op[16] = "";
	while (ast_is(e, "parenthesized_expression"))
		e = ast_named_child(e, 0);
	if (ast_is(e, "unary_op_expression") || ast_is(e, "not_operator")) {
		size_t len;
		const char *t = ast_text(v->f.syn, e, &len);
		if (ast_is(e, "not_operator") || (len && t[0] == '!'))
			return invert(classify(v, ast_named_child(e, 0), depth));
		return TEST_NONE;
	}
	if (ast_is(e, "binary_expression") || ast_is(e, "boolean_operator")) {
		struct ast_node l = ast_field(e, "left"), r = ast_field(e, "right");
		op_text(v, ast_field(e, "operator"), op, sizeof op);
		enum test t = compare(v, l, r, op);
		if (t != TEST_NONE)
			return t;
		return combine(op, classify(v, l, depth), classify(v, r, depth));
	}
	if (ast_is(e, "comparison_operator") && ast_named_count(e) == 2) {
		/* the operator is the text between the two operands */
		struct ast_node l = ast_named_child(e, 0), r = ast_named_child(e, 1);
		size_t len;
		const char *t = ast_text(v->f.syn, e, &len);
		uint32_t a = ast_end(l) - ast_start(e), b = ast_start(r) - ast_start(e);
		while (a < b && t[a] == ' ')
			a++;
		while (b > a && t[b - 1] == ' ')
			b--;
		snprintf(op, sizeof op, "%.*s", (int)(b - a < sizeof op ? b - a : sizeof op - 1),
			 t + a);
		return compare(v, l, r, op);
	}
	/* $is_paid = $res['status'] === 'CONFIRMED'; if ($is_paid) ... */
	if ((ast_is(e, "variable_name") || ast_is(e, "identifier")) && depth < 3 &&
	    sflow_from_check(&v->f, e))
		return TEST_CONFIRMED;
	/* if ($status->isConfirmed()): the PHP SDK's CheckPaymentResponse helper */
	if (sflow_is_call(&v->f, e)) {
		char name[SFLOW_NAME_LEN];
		sflow_callee(&v->f, e, name, sizeof name);
		struct ast_node obj = v->f.php ? ast_field(e, "object")
					       : ast_field(ast_field(e, "function"), "object");
		if ((!strcmp(name, "isConfirmed") || !strcmp(name, "is_confirmed")) &&
		    !ast_is_null(obj) && sflow_from_check(&v->f, obj))
			return TEST_CONFIRMED;
	}
	/* if ($this->is_paid($order)): a same-file helper that checks, or a helper of
	 * another file that compares the status it gets to CONFIRMED */
	if (ast_is(e, "await"))
		e = ast_named_child(e, 0);
	if (sflow_is_call(&v->f, e) && sflow_is_check(&v->f, e)) {
		char name[SFLOW_NAME_LEN];
		sflow_callee(&v->f, e, name, sizeof name);
		if (names_in(&v->linked, name) && !names_in(&v->verifiers, name))
			return TEST_NONE;
		if (strcmp(name, "checkPayment") && strcmp(name, "check_payment"))
			return TEST_CONFIRMED;
	}
	return TEST_NONE;
}

/* Whether the statement leaves the function: throws, raises, aborts, dies or exits, and
 * with returns also returns. A throw stops a caller too; a return does not. */
static bool leaves(struct verify *v, struct ast_node s, bool returns)
{
	if ((returns && ast_is(s, "return_statement")) || ast_is(s, "throw_expression") ||
	    ast_is(s, "raise_statement") || ast_is(s, "exit_statement"))
		return true;
	if (ast_is(s, "expression_statement")) {
		struct ast_node e = ast_named_child(s, 0);
		char name[SFLOW_NAME_LEN];
		if (ast_is(e, "throw_expression") || ast_is(e, "exit_statement"))
			return true;
		if (sflow_is_call(&v->f, e)) {
			sflow_callee(&v->f, e, name, sizeof name);
			return !strcmp(name, "wp_die") || !strcmp(name, "abort") ||
			       !strcmp(name, "die");
		}
	}
	if (ast_is(s, "compound_statement") || ast_is(s, "block") || ast_is(s, "colon_block"))
		for (uint32_t i = 0; i < ast_named_count(s); i++)
			if (leaves(v, ast_named_child(s, i), returns))
				return true;
	return false;
}

static bool exits(struct verify *v, struct ast_node s)
{
	return leaves(v, s, true);
}

struct path {
	struct ast_node conds[32];
	size_t n;
	struct ast_node guard;
};

static void add_cond(struct path *p, struct ast_node c)
{
	if (p->n < sizeof p->conds / sizeof p->conds[0])
		p->conds[p->n++] = c;
}

static struct ast_node body_of(struct ast_node n)
{
	struct ast_node b = ast_field(n, "body");
	return ast_is_null(b) ? ast_field(n, "consequence") : b;
}

static bool guarded(struct verify *v, struct ast_node site, struct ast_node fn, struct path *path)
{
	struct ast_node n = site;
	while (!ast_is_null(n) && ast_start(n) != ast_start(fn)) {
		struct ast_node p = ast_parent(n), c;
		if (ast_is_null(p))
			break;
		if (ast_is(p, "if_statement") || ast_is(p, "else_if_clause") ||
		    ast_is(p, "elif_clause")) {
			c = ast_field(p, "condition");
			if (ast_start(body_of(p)) == ast_start(n)) {
				add_cond(path, c);
				if (classify(v, c, 0) == TEST_CONFIRMED)
					return path->guard = c, true;
			}
		} else if (ast_is(p, "else_clause")) {
			c = ast_field(ast_parent(p), "condition");
			if (classify(v, c, 0) == TEST_NOT_CONFIRMED)
				return path->guard = c, true;
		} else if (ast_is(p, "case_statement") || ast_is(p, "case_clause")) {
			/* switch ($res['status']) { case 'CONFIRMED': ... } / match status: */
			struct ast_node sw = ast_parent(ast_parent(p));
			c = ast_field(sw, ast_is(p, "case_clause") ? "subject" : "condition");
			struct ast_node value = ast_is(p, "case_clause")
						    ? ast_named_child(ast_named_child(p, 0), 0)
						    : ast_field(p, "value");
			add_cond(path, c);
			if (sflow_is_status(&v->f, value, "CONFIRMED") &&
			    sflow_from_check(&v->f, c))
				return path->guard = c, true;
		} else if (ast_is(p, "match_conditional_expression") &&
			   ast_start(ast_field(p, "return_expression")) == ast_start(n)) {
			/* match ($res['status']) { 'CONFIRMED' => $order->payment_complete(), } */
			struct ast_node conds = ast_field(p, "conditional_expressions");
			c = ast_field(ast_parent(ast_parent(p)), "condition");
			add_cond(path, c);
			if (ast_named_count(conds) == 1 &&
			    sflow_is_status(&v->f, ast_named_child(conds, 0), "CONFIRMED") &&
			    sflow_from_check(&v->f, c))
				return path->guard = c, true;
		} else if (ast_is(p, "conditional_expression") && v->f.php &&
			   ast_start(ast_field(p, "body")) == ast_start(n)) {
			c = ast_field(p, "condition");
			add_cond(path, c);
			if (classify(v, c, 0) == TEST_CONFIRMED)
				return path->guard = c, true;
		} else if (ast_is(p, "compound_statement") || ast_is(p, "block") ||
			   ast_is(p, "program") || ast_is(p, "module") ||
			   ast_is(p, "colon_block")) {
			/* an earlier `if ($status !== 'CONFIRMED') { exit; }` */
			for (uint32_t i = 0; i < ast_named_count(p); i++) {
				struct ast_node s = ast_named_child(p, i);
				if (ast_start(s) >= ast_start(n))
					break;
				if (raiser_call(v, s))
					return path->guard = s, true;
				if (!ast_is(s, "if_statement") || !exits(v, body_of(s)))
					continue;
				c = ast_field(s, "condition");
				add_cond(path, c);
				if (classify(v, c, 0) == TEST_NOT_CONFIRMED)
					return path->guard = c, true;
			}
		}
		n = p;
	}
	return false;
}

/* ---- why not ---- */

struct evidence {
	struct verify *v;
	bool request_status, failed_only;
	char request_text[80];
};

static const char *const status_words[] = {
    "CONFIRMED", "paid", "success", "completed", "confirmed", "PAID", "SUCCESS", "COMPLETED", NULL};

static bool status_word(struct verify *v, struct ast_node n)
{
	char buf[32];
	if (sflow_string(&v->f, n, buf, sizeof buf)) {
		for (size_t i = 0; status_words[i]; i++)
			if (!strcmp(buf, status_words[i]))
				return true;
		return false;
	}
	return sflow_is_status(&v->f, n, "CONFIRMED");
}

static void note_compare(struct evidence *ev, struct ast_node l, struct ast_node r, const char *op)
{
	struct verify *v = ev->v;
	struct ast_node other = status_word(v, l)   ? r
				: status_word(v, r) ? l
						    : (struct ast_node){0};
	if (!ast_is_null(other) && !sflow_from_check(&v->f, other) &&
	    sflow_from_request(&v->f, other)) {
		size_t len;
		const char *t = ast_text(v->f.syn, other, &len);
		ev->request_status = true;
		snprintf(ev->request_text, sizeof ev->request_text, "%.*s",
			 (int)(len < 60 ? len : 60), t);
	}
	other = sflow_is_status(&v->f, l, "FAILED")   ? r
		: sflow_is_status(&v->f, r, "FAILED") ? l
						      : (struct ast_node){0};
	if (!ast_is_null(other) && (!strcmp(op, "!==") || !strcmp(op, "!=")) &&
	    sflow_from_check(&v->f, other))
		ev->failed_only = true;
}

static bool visit_compare(void *ctx, struct ast_node n)
{
	struct evidence *ev = ctx;
	char op[16] = "";
	if (ast_is(n, "binary_expression")) {
		op_text(ev->v, ast_field(n, "operator"), op, sizeof op);
		note_compare(ev, ast_field(n, "left"), ast_field(n, "right"), op);
	} else if (ast_is(n, "comparison_operator") && ast_named_count(n) == 2) {
		size_t len;
		const char *t = ast_text(ev->v->f.syn, n, &len);
		snprintf(op, sizeof op, "%s", memmem(t, len, "!=", 2) ? "!=" : "==");
		note_compare(ev, ast_named_child(n, 0), ast_named_child(n, 1), op);
	}
	return true;
}

struct check_calls {
	struct verify *v;
	struct ast_node within; /* the guard, or the function */
	bool from_request;
};

static bool visit_check_arg(void *ctx, struct ast_node n)
{
	struct check_calls *cc = ctx;
	if (!sflow_is_check(&cc->v->f, n))
		return true;
	struct ast_node arg = sflow_arg(&cc->v->f, n, 0);
	if (!ast_is_null(arg) && sflow_from_request(&cc->v->f, arg))
		cc->from_request = true;
	return true;
}

/* The position, among the arguments of a call to fn, of the parameter arg names
 * (Python's self or cls takes none); -1 when arg is not a parameter. */
static int param_index(struct verify *v, struct ast_node fn, struct ast_node arg)
{
	if (!ast_is(arg, "variable_name") && !ast_is(arg, "identifier"))
		return -1;
	size_t len;
	const char *t = ast_text(v->f.syn, arg, &len);
	struct ast_node params = ast_field(fn, "parameters");
	int k = 0;
	for (uint32_t i = 0; i < ast_named_count(params); i++) {
		struct ast_node p = ast_named_child(params, i), name = p;
		if (ast_is(p, "comment"))
			continue;
		if (!ast_is(p, "identifier")) {
			name = ast_field(p, "name");
			if (ast_is_null(name))
				name = ast_named_child(p, 0);
		}
		if (!v->f.php && i == 0 &&
		    (ast_text_is(v->f.syn, name, "self") || ast_text_is(v->f.syn, name, "cls")))
			continue;
		size_t nl;
		const char *n = ast_text(v->f.syn, name, &nl);
		if (nl == len && !memcmp(n, t, len))
			return k;
		k++;
	}
	return -1;
}

struct param_checks {
	struct verify *v;
	struct ast_node fn;
	int index;
};

static bool visit_param_check(void *ctx, struct ast_node n)
{
	struct param_checks *pc = ctx;
	if (pc->index >= 0)
		return false;
	if (sflow_is_check(&pc->v->f, n))
		pc->index = param_index(pc->v, pc->fn, sflow_arg(&pc->v->f, n, 0));
	return true;
}

struct request_callers {
	int index;
	bool found;
};

static void visit_request_caller(void *ctx, struct slink_target *t)
{
	struct request_callers *rc = ctx;
	struct ast_node arg = sflow_arg(t->f, t->def, (uint32_t)rc->index);
	if (!rc->found && !ast_is_null(arg) && sflow_from_request(t->f, arg))
		rc->found = true;
}

/* The checks of fn (and of the guard) made on a ref from the request: taken there, or
 * a parameter of fn that a caller in another file fills from its request (a controller
 * handing $request->input('paymentRef') to the service method that checks it). */
static bool checks_request_ref(struct verify *v, struct ast_node guard, struct ast_node fn)
{
	struct check_calls cc = {v, guard, false};
	ast_walk(guard, visit_check_arg, &cc);
	if (!cc.from_request)
		ast_walk(fn, visit_check_arg, &cc);
	if (cc.from_request || !v->link.syn || ast_is_null(ast_field(fn, "parameters")))
		return cc.from_request;
	struct param_checks pc = {v, fn, -1};
	ast_walk(guard, visit_param_check, &pc);
	if (pc.index < 0)
		ast_walk(fn, visit_param_check, &pc);
	if (pc.index < 0)
		return false;
	struct request_callers rc = {pc.index, false};
	slink_callers(&v->link, fn, visit_request_caller, &rc);
	return rc.found;
}

static bool fn_checks(struct verify *v, struct ast_node fn);

static const char *why(struct verify *v, struct ast_node site, char *buf, size_t size)
{
	struct ast_node fn = sflow_function_of(&v->f, site);
	struct path path = {0};
	bool php = v->f.php;
	if (guarded(v, site, fn, &path))
		return checks_request_ref(v, path.guard, fn)
			   ? "fulfils after checking a paymentRef taken from the request, not "
			     "the one saved on the order: any earlier confirmed ref can be "
			     "replayed"
			   : NULL;
	struct evidence ev = {.v = v};
	for (size_t i = 0; i < path.n; i++)
		ast_walk(path.conds[i], visit_compare, &ev);
	if (ev.request_status) {
		snprintf(buf, size,
			 "fulfils on a payment status from the request (%s): the customer controls "
			 "the redirect; verify with %s",
			 ev.request_text, php ? "checkPayment" : "check_payment");
		return buf;
	}
	if (ev.failed_only)
		return php ? "only rules out FAILED: a PENDING payment passes; fulfil only when "
			     "the status === 'CONFIRMED'"
			   : "only rules out FAILED: a PENDING payment passes; fulfil only when "
			     "the status == \"CONFIRMED\"";
	if (fn_checks(v, fn))
		return php ? "the checkPayment result does not guard this: fulfil only when the "
			     "status === 'CONFIRMED'"
			   : "the check_payment result does not guard this: fulfil only when the "
			     "status == \"CONFIRMED\"";
	return php ? "marks the order paid without verifying the payment (no checkPayment with "
		     "status === 'CONFIRMED' on this path)"
		   : "marks the order paid without verifying the payment (no check_payment with "
		     "status == \"CONFIRMED\" on this path)";
}

static bool is_check_node(const struct sflow *f, struct ast_node n)
{
	return sflow_is_check(f, n);
}

static bool visit_any_check(void *ctx, struct ast_node n)
{
	struct verify *v = ctx;
	if (is_check_node(&v->f, n))
		v->rc = 1;
	return v->rc == 0;
}

static bool fn_checks(struct verify *v, struct ast_node fn)
{
	int saved = v->rc;
	v->rc = 0;
	ast_walk(fn, visit_any_check, v);
	bool found = v->rc == 1;
	v->rc = saved;
	return found;
}

/* ---- the fulfilment sites ---- */

struct callers {
	struct verify *v;
	const char *name;
	struct ast_node calls[16];
	size_t n;
};

static bool visit_caller(void *ctx, struct ast_node n)
{
	struct callers *c = ctx;
	char name[SFLOW_NAME_LEN];
	if (c->n < 16 && sflow_is_call(&c->v->f, n)) {
		sflow_callee(&c->v->f, n, name, sizeof name);
		if (!strcmp(name, c->name))
			c->calls[c->n++] = n;
	}
	return true;
}

static void link_helpers(struct verify *v, struct ast_node within);

struct far_callers {
	bool all_guarded;
};

/* A call from another file to the helper that fulfils: guarded there, by a check of
 * that file or of a helper it calls, on a ref that is not the request's. */
static void visit_far_caller(void *ctx, struct slink_target *t)
{
	struct far_callers *fc = ctx;
	struct verify *v = calloc(1, sizeof *v);
	if (!v) {
		fc->all_guarded = false;
		return;
	}
	v->f = *t->f;
	v->link = t->link;
	struct ast_node at = sflow_function_of(&v->f, t->def);
	link_helpers(v, at);
	v->f.fn = (struct ast_node){0};
	struct path path = {0};
	if (!guarded(v, t->def, at, &path) || checks_request_ref(v, path.guard, at))
		fc->all_guarded = false;
	free(v);
}

/* A helper that fulfils ($this->mark_paid($order)) is safe when every same-file call
 * to it is guarded, or, with none in its file, every call from the project's other
 * files ($this->orders->markPaid($order) in a controller that checked); a hook callback
 * nobody calls is judged on its own. */
static bool callers_verify(struct verify *v, struct ast_node fn)
{
	char name[SFLOW_NAME_LEN];
	sflow_function_name(&v->f, fn, name, sizeof name);
	if (!name[0])
		return false;
	struct callers c = {.v = v, .name = name};
	ast_walk(ast_root(v->f.syn), visit_caller, &c);
	for (size_t i = 0; i < c.n; i++) {
		struct path path = {0};
		struct ast_node at = sflow_function_of(&v->f, c.calls[i]);
		if (ast_start(at) == ast_start(fn) || !guarded(v, c.calls[i], at, &path) ||
		    checks_request_ref(v, path.guard, at))
			return false;
	}
	if (c.n || !v->link.syn)
		return c.n > 0;
	struct far_callers fc = {true};
	return slink_callers(&v->link, fn, visit_far_caller, &fc) > 0 && fc.all_guarded;
}

static void report(struct verify *v, struct ast_node site)
{
	char buf[256];
	const char *msg = why(v, site, buf, sizeof buf);
	if (msg && !callers_verify(v, sflow_function_of(&v->f, site)))
		v->rc = unit_add_hit(v->u, v->r, ast_start(site), ast_end(site), NULL, 0, msg, -1);
}

static bool is_site(struct verify *v, struct ast_node n)
{
	char name[SFLOW_NAME_LEN];
	if (sflow_is_call(&v->f, n)) {
		sflow_callee(&v->f, n, name, sizeof name);
		if (in_list(name, fulfil_calls))
			return true;
		/* $order->update_status('completed') */
		return (!strcmp(name, "update_status") || !strcmp(name, "set_status")) &&
		       string_in(v, sflow_arg(&v->f, n, 0), woo_paid);
	}
	/* $order->status = 'paid'; order.status = "PAID"; $order['status'] = 'paid' */
	if (ast_is(n, "assignment_expression") || ast_is(n, "assignment")) {
		struct ast_node l = ast_field(n, "left"), key = {0};
		if (ast_is(l, "member_access_expression"))
			key = ast_field(l, "name");
		else if (ast_is(l, "attribute"))
			key = ast_field(l, "attribute");
		else if (ast_is(l, "subscript_expression") || ast_is(l, "subscript"))
			key = ast_named_child(l, ast_named_count(l) - 1);
		return !ast_is_null(key) && key_is_status(v, key) &&
		       string_in(v, ast_field(n, "right"), paid_values);
	}
	/* ['status' => 'paid'] / status="paid" / {"status": "paid"} handed to an update */
	if (ast_is(n, "array_element_initializer") && ast_named_count(n) == 2)
		return key_is_status(v, ast_named_child(n, 0)) &&
		       string_in(v, ast_named_child(n, 1), paid_values) && written_by_call(v, n);
	if (ast_is(n, "keyword_argument") || ast_is(n, "pair")) {
		struct ast_node k = ast_field(n, ast_is(n, "pair") ? "key" : "name");
		return key_is_status(v, k) && string_in(v, ast_field(n, "value"), paid_values) &&
		       written_by_call(v, n);
	}
	/* "UPDATE orders SET status = 'paid' WHERE ..." */
	if (ast_is(n, "string") || ast_is(n, "encapsed_string"))
		return sql_marks_paid(v, n);
	return false;
}

static bool visit_site(void *ctx, struct ast_node n)
{
	struct verify *v = ctx;
	if (v->rc)
		return false;
	if (is_site(v, n)) {
		report(v, n);
		return false;
	}
	return true;
}

/* ---- helpers of other files ---- */

/* What a helper of another file does: calls checkPayment (or a helper that does),
 * compares the status to CONFIRMED, throws or aborts unless it is. */
struct judgement {
	bool checks, verifies, raises;
};

struct judge_walk {
	struct verify *v;
	struct judgement *j;
};

/* Throws, raises, aborts or exits: what stops the caller too (a return does not). */
static bool stops_caller(struct verify *v, struct ast_node s)
{
	return leaves(v, s, false);
}

/* A returned value that says yes or no about the payment in a way not read here
 * (in_array($p->status, [...]), $p->isConfirmed(), a bool set under a condition): the
 * helper is trusted as a verifier, as a same-file one would be. A plain value of the
 * answer (the status, the data) is handed on, and a comparison to another status
 * (!== 'FAILED') is not a verification. */
static bool returns_judgement(struct verify *v, struct ast_node e)
{
	while (ast_is(e, "parenthesized_expression") || ast_is(e, "await"))
		e = ast_named_child(e, 0);
	if (ast_is_null(e) || ast_is(e, "variable_name") || ast_is(e, "identifier") ||
	    ast_is(e, "subscript_expression") || ast_is(e, "member_access_expression") ||
	    ast_is(e, "subscript") || ast_is(e, "attribute") || ast_is(e, "string") ||
	    ast_is(e, "encapsed_string") || ast_is(e, "null") || ast_is(e, "none") ||
	    ast_is(e, "array_creation_expression") || ast_is(e, "dictionary"))
		return false;
	if (ast_is(e, "binary_expression") || ast_is(e, "comparison_operator")) {
		struct ast_node l = ast_is(e, "binary_expression") ? ast_field(e, "left")
								  : ast_named_child(e, 0);
		struct ast_node r = ast_is(e, "binary_expression") ? ast_field(e, "right")
								  : ast_named_child(e, 1);
		char a[32], b[32];
		bool ls = sflow_string(&v->f, l, a, sizeof a) ||
			  ast_is(l, "class_constant_access_expression");
		bool rs = sflow_string(&v->f, r, b, sizeof b) ||
			  ast_is(r, "class_constant_access_expression");
		return !ls && !rs && !sflow_is_check(&v->f, e);
	}
	/* the answer decoded: json_decode(wp_remote_retrieve_body($res), true), resp.json() */
	static const char *const decoders[] = {
	    "json_decode", "wp_remote_retrieve_body", "json", "get_json", "getBody", "getContents",
	    "toArray",	   "to_dict",		      "dict", "model_dump", "get",   NULL};
	char name[SFLOW_NAME_LEN];
	if (sflow_is_call(&v->f, e)) {
		sflow_callee(&v->f, e, name, sizeof name);
		if (in_list(name, decoders))
			return false;
	}
	return !sflow_is_check(&v->f, e);
}

static bool visit_judge(void *ctx, struct ast_node n)
{
	struct judge_walk *jw = ctx;
	struct verify *v = jw->v;
	char op[16] = "";
	if (ast_is(n, "return_statement") && returns_judgement(v, ast_named_child(n, 0)))
		jw->j->verifies = true;
	if (ast_is(n, "binary_expression") || ast_is(n, "boolean_operator")) {
		op_text(v, ast_field(n, "operator"), op, sizeof op);
		if (compare(v, ast_field(n, "left"), ast_field(n, "right"), op) != TEST_NONE)
			jw->j->verifies = true;
	} else if (ast_is(n, "comparison_operator") && ast_named_count(n) == 2) {
		if (classify(v, n, 0) != TEST_NONE)
			jw->j->verifies = true;
	} else if (ast_is(n, "if_statement")) {
		enum test t = classify(v, ast_field(n, "condition"), 0);
		if (t == TEST_NOT_CONFIRMED && stops_caller(v, body_of(n)))
			jw->j->raises = true;
	} else if (sflow_is_call(&v->f, n)) {
		char name[SFLOW_NAME_LEN];
		sflow_callee(&v->f, n, name, sizeof name);
		/* abort_unless($paid, 402) / abort_if(! $paid, 402), Laravel */
		bool unless = !strcmp(name, "abort_unless") || !strcmp(name, "throw_unless");
		bool when = !strcmp(name, "abort_if") || !strcmp(name, "throw_if");
		if (unless || when) {
			enum test t = classify(v, sflow_arg(&v->f, n, 0), 0);
			if (t == (unless ? TEST_CONFIRMED : TEST_NOT_CONFIRMED))
				jw->j->raises = jw->j->verifies = true;
		}
		/* a helper of one more file that verifies or throws */
		jw->j->verifies |= names_in(&v->verifiers, name);
		if (names_in(&v->raisers, name) && ast_is(ast_parent(n), "expression_statement"))
			jw->j->raises = jw->j->verifies = true;
	}
	return true;
}

/* Judges a helper of another file (ctx: its struct judgement), after learning the
 * helpers of one more file it calls. */
static bool judge_target(void *ctx, struct slink_target *t)
{
	struct judgement *out = ctx;
	struct verify *v = calloc(1, sizeof *v);
	if (!v)
		return false;
	v->f = *t->f;
	v->link = t->link;
	struct ast_node body = ast_field(t->def, "body");
	link_helpers(v, body);
	v->f.fn = (struct ast_node){0};
	struct judge_walk jw = {v, out};
	out->checks = fn_checks(v, body);
	if (out->checks)
		ast_walk(body, visit_judge, &jw);
	free(v);
	return out->checks;
}

/* Names too common to stand for one helper: the flow knows helpers by name, and a
 * `get` that checks would make every request.args.get a check. */
static const char *const generic_names[] = {"get",  "post",   "put",	 "request", "send",
					    "call", "handle", "execute", "run",	    "__invoke",
					    "json", "first",  "find",	 "save",    NULL};

static bool visit_link(void *ctx, struct ast_node n)
{
	struct verify *v = ctx;
	char name[SFLOW_NAME_LEN];
	if (!sflow_is_call(&v->f, n))
		return true;
	sflow_callee(&v->f, n, name, sizeof name);
	if (!name[0] || names_in(&v->tried, name) || names_in(&v->f.checkers, name) ||
	    in_list(name, fulfil_calls) || in_list(name, generic_names) ||
	    !strcmp(name, "checkPayment") ||
	    !strcmp(name, "check_payment") || !strcmp(name, "createLink") ||
	    !strcmp(name, "create_link"))
		return true;
	names_put(&v->tried, name);
	bool resolved = false;
	struct judgement j = {0};
	if (!slink_call(&v->link, &v->f, n, judge_target, &j, &resolved) || !j.checks)
		return true;
	names_put(&v->f.checkers, name);
	names_put(&v->linked, name);
	if (j.verifies)
		names_put(&v->verifiers, name);
	if (j.raises)
		names_put(&v->raisers, name);
	return true;
}

static void link_helpers(struct verify *v, struct ast_node within)
{
	ast_walk(within, visit_link, v);
}

static bool visit_any_site(void *ctx, struct ast_node n)
{
	struct verify *v = ctx;
	if (v->rc)
		return false;
	if (is_site(v, n))
		v->rc = 1;
	return v->rc == 0;
}

int oc004_script_unit(struct unit *u, const struct rule *r, const struct detector *d)
{
	(void)d;
	const struct sflow *f = unit_sflow(u);
	if (!f)
		return 0;
	const struct syntax *syn = f->syn;
	struct verify *v = calloc(1, sizeof *v);
	if (!v)
		return -1;
	struct slink_budget budget = {0};
	v->u = u;
	v->r = r;
	v->f = *f;
	slink_init(&v->link, u, &budget);
	/* helpers of other files are looked up only where something is fulfilled */
	ast_walk(ast_root(syn), visit_any_site, v);
	if (v->rc) {
		v->rc = 0;
		link_helpers(v, ast_root(syn));
		v->f.fn = (struct ast_node){0}; /* locals are learnt again with them */
		ast_walk(ast_root(syn), visit_site, v);
	}
	int rc = v->rc < 0 ? v->rc : 0;
	free(v);
	return rc;
}
