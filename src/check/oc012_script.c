/* OC012 unhandled-payment-failure in PHP and Python: status handling that acts when
 * checkPayment/check_payment says CONFIRMED (an `=== 'CONFIRMED'` or `== "CONFIRMED"`
 * test, in_array() or `in (...)` of a list holding it, a switch case, a PHP match arm, a
 * Python match case, the PHP SDK's isConfirmed()) in a function that never mentions
 * FAILED, never sets an order failed, cancelled or expired (WooCommerce
 * update_status('failed'), a cancel, expire or fail call such as the SDK's isFailed()),
 * and looks the status up in no table with a FAILED entry (a PHP array or a Python dict).
 * Links expire 20 minutes after creation and turn FAILED: such orders stay pending
 * forever. A guard that only rejects what is not confirmed is verification (OC004). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check/scan.h"
#include "check/scriptflow.h"

struct run {
	struct unit *u;
	const struct rule *r;
	struct sflow f;
	int rc;
};

/* ---- does the function handle a failed payment? ---- */

struct handles {
	struct sflow *f;
	bool found;
};

/* The name a table is known by: $map, self::MAP, $this->map, STATUS_MAP, self.MAP. */
static void table_name(const struct sflow *f, struct ast_node n, char *buf, size_t size)
{
	size_t len;
	const char *t = ast_text(f->syn, n, &len);
	size_t from = 0;
	for (size_t i = 0; i + 1 < len; i++)
		if ((t[i] == ':' && t[i + 1] == ':') || (t[i] == '-' && t[i + 1] == '>'))
			from = i + 2;
		else if (t[i] == '.')
			from = i + 1;
	if (from < len && t[from] == '$')
		from++;
	snprintf(buf, size, "%.*s", (int)(len - from < size ? len - from : size - 1), t + from);
}

static bool has_failed_key(const struct sflow *f, struct ast_node table)
{
	if (ast_is(table, "array_creation_expression")) {
		for (uint32_t i = 0; i < ast_named_count(table); i++) {
			struct ast_node e = ast_named_child(table, i);
			if (ast_named_count(e) == 2 &&
			    sflow_is_status(f, ast_named_child(e, 0), "FAILED"))
				return true;
		}
	} else if (ast_is(table, "dictionary")) {
		for (uint32_t i = 0; i < ast_named_count(table); i++)
			if (sflow_is_status(f, ast_field(ast_named_child(table, i), "key"),
					    "FAILED"))
				return true;
	}
	return false;
}

struct table {
	const struct sflow *f;
	const char *name;
	bool failed;
};

static bool named(const struct sflow *f, struct ast_node n, const char *name)
{
	char buf[SFLOW_NAME_LEN];
	table_name(f, n, buf, sizeof buf);
	return !ast_is_null(n) && !strcmp(buf, name);
}

static bool visit_table(void *ctx, struct ast_node n)
{
	struct table *t = ctx;
	if (t->failed)
		return false;
	struct ast_node name = {0}, value = {0};
	if (ast_is(n, "assignment_expression") || ast_is(n, "assignment")) {
		name = ast_field(n, "left");
		value = ast_field(n, "right");
	} else if (ast_is(n, "const_element")) {
		name = ast_named_child(n, 0);
		value = ast_named_child(n, 1);
	} else if (ast_is(n, "property_element")) {
		name = ast_field(n, "name");
		value = ast_field(n, "default_value");
	}
	if (!ast_is_null(name) && named(t->f, name, t->name) && has_failed_key(t->f, value))
		t->failed = true;
	return true;
}

/* ORDER_STATUS_FOR[$payment->status], STATUS_MAP.get(payment.status): a table of the
 * file, indexed by the checked status, with a FAILED entry. */
static bool maps_failed(struct handles *h, struct ast_node table, struct ast_node index)
{
	if (ast_is_null(table) || ast_is_null(index) || !sflow_from_check(h->f, index))
		return false;
	char name[SFLOW_NAME_LEN];
	table_name(h->f, table, name, sizeof name);
	struct table t = {h->f, name, false};
	if (name[0])
		ast_walk(ast_root(h->f->syn), visit_table, &t);
	return t.failed;
}

static bool failure_word(const struct sflow *f, struct ast_node n)
{
	static const char *const words[] = {"failed",	 "cancelled",	 "canceled", "expired",
					    "wc-failed", "wc-cancelled", "declined", NULL};
	char buf[32];
	if (!sflow_string(f, n, buf, sizeof buf))
		return false;
	for (size_t i = 0; words[i]; i++)
		if (!strcasecmp(buf, words[i]))
			return true;
	return false;
}

/* $order->cancel(), order.mark_failed(), expire_order(order); not Laravel's
 * $response->failed(), an HTTP check. */
static bool failure_call(const struct sflow *f, struct ast_node n)
{
	char name[SFLOW_NAME_LEN];
	if (!sflow_is_call(f, n))
		return false;
	sflow_callee(f, n, name, sizeof name);
	for (char *c = name; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
	return strcmp(name, "failed") && strcmp(name, "fail") &&
	       (strstr(name, "fail") || strstr(name, "cancel") || strstr(name, "expire"));
}

static bool visit_handles(void *ctx, struct ast_node n)
{
	struct handles *h = ctx;
	const struct sflow *f = h->f;
	if (h->found)
		return false;
	/* "failed" in a catch block answers an API error, not a failed payment */
	if (ast_is(n, "catch_clause") || ast_is(n, "except_clause") ||
	    ast_is(n, "except_group_clause"))
		return false;
	if (sflow_is_status(f, n, "FAILED") || sflow_is_status(f, n, "CANCELLED") ||
	    sflow_is_status(f, n, "EXPIRED") || failure_word(f, n) || failure_call(f, n)) {
		h->found = true;
	} else if (ast_is(n, "subscript_expression")) {
		h->found = maps_failed(h, ast_named_child(n, 0), ast_named_child(n, 1));
	} else if (ast_is(n, "subscript")) {
		h->found = maps_failed(h, ast_field(n, "value"), ast_field(n, "subscript"));
	} else if (ast_is(n, "call") && ast_is(ast_field(n, "function"), "attribute") &&
		   ast_text_is(f->syn, ast_field(ast_field(n, "function"), "attribute"), "get")) {
		h->found = maps_failed(h, ast_field(ast_field(n, "function"), "object"),
				       sflow_arg(f, n, 0));
	}
	return !h->found;
}

static bool handles_failure(struct run *run, struct ast_node fn)
{
	struct handles h = {&run->f, false};
	ast_walk(fn, visit_handles, &h);
	/* the walk above may have learnt another function's locals */
	sflow_scope(&run->f, fn);
	return h.found;
}

/* ---- where CONFIRMED is acted on ---- */

static bool list_has_confirmed(const struct sflow *f, struct ast_node list)
{
	for (uint32_t i = 0; i < ast_named_count(list); i++) {
		struct ast_node e = ast_named_child(list, i);
		if (ast_is(e, "array_element_initializer") && ast_named_count(e) == 1)
			e = ast_named_child(e, 0);
		if (sflow_is_status(f, e, "CONFIRMED"))
			return true;
	}
	return false;
}

/* The operator of a two-operand Python comparison: the text between the operands. */
static void py_operator(const struct sflow *f, struct ast_node e, char *buf, size_t size)
{
	struct ast_node l = ast_named_child(e, 0), r = ast_named_child(e, 1);
	size_t len;
	const char *t = ast_text(f->syn, e, &len);
	uint32_t a = ast_end(l) - ast_start(e), b = ast_start(r) - ast_start(e);
	while (a < b && (t[a] == ' ' || t[a] == ')'))
		a++;
	while (b > a && (t[b - 1] == ' ' || t[b - 1] == '('))
		b--;
	snprintf(buf, size, "%.*s", (int)(b - a < size ? b - a : size - 1), t + a);
}

static bool equal_confirmed(struct sflow *f, struct ast_node l, struct ast_node r)
{
	struct ast_node other = sflow_is_status(f, l, "CONFIRMED")   ? r
				: sflow_is_status(f, r, "CONFIRMED") ? l
								     : (struct ast_node){0};
	return !ast_is_null(other) && sflow_from_check(f, other);
}

static bool positive_confirmed(struct sflow *f, struct ast_node n)
{
	char op[16] = "";
	if (ast_is(n, "binary_expression")) {
		size_t len;
		const char *t = ast_text(f->syn, ast_field(n, "operator"), &len);
		snprintf(op, sizeof op, "%.*s", (int)(len < sizeof op ? len : sizeof op - 1), t);
		return (!strcmp(op, "===") || !strcmp(op, "==")) &&
		       equal_confirmed(f, ast_field(n, "left"), ast_field(n, "right"));
	}
	if (ast_is(n, "comparison_operator") && ast_named_count(n) == 2) {
		py_operator(f, n, op, sizeof op);
		struct ast_node l = ast_named_child(n, 0), r = ast_named_child(n, 1);
		if (!strcmp(op, "in"))
			return (ast_is(r, "tuple") || ast_is(r, "list") || ast_is(r, "set")) &&
			       list_has_confirmed(f, r) && sflow_from_check(f, l);
		return (!strcmp(op, "==") || !strcmp(op, "is")) && equal_confirmed(f, l, r);
	}
	if (ast_is(n, "function_call_expression")) {
		/* in_array($status, ['CONFIRMED', ...]), not under a `!` */
		char name[SFLOW_NAME_LEN];
		sflow_callee(f, n, name, sizeof name);
		struct ast_node p = ast_parent(n);
		while (ast_is(p, "parenthesized_expression"))
			p = ast_parent(p);
		return !strcmp(name, "in_array") && !ast_is(p, "unary_op_expression") &&
		       list_has_confirmed(f, sflow_arg(f, n, 1)) &&
		       sflow_from_check(f, sflow_arg(f, n, 0));
	}
	if (ast_is(n, "member_call_expression") || ast_is(n, "nullsafe_member_call_expression") ||
	    ast_is(n, "call")) {
		/* the PHP SDK's $status->isConfirmed(), is_confirmed() in Python */
		char name[SFLOW_NAME_LEN];
		sflow_callee(f, n, name, sizeof name);
		struct ast_node obj =
		    f->php ? ast_field(n, "object") : ast_field(ast_field(n, "function"), "object");
		return (!strcmp(name, "isConfirmed") || !strcmp(name, "is_confirmed")) &&
		       !ast_is_null(obj) && sflow_from_check(f, obj);
	}
	if (ast_is(n, "case_statement")) {
		struct ast_node sw = ast_parent(ast_parent(n));
		return ast_is(sw, "switch_statement") &&
		       sflow_is_status(f, ast_field(n, "value"), "CONFIRMED") &&
		       sflow_from_check(f, ast_field(sw, "condition"));
	}
	if (ast_is(n, "match_conditional_expression")) {
		struct ast_node m = ast_parent(ast_parent(n));
		return ast_is(m, "match_expression") &&
		       list_has_confirmed(f, ast_field(n, "conditional_expressions")) &&
		       sflow_from_check(f, ast_field(m, "condition"));
	}
	if (ast_is(n, "case_clause")) {
		struct ast_node m = ast_parent(ast_parent(n));
		struct ast_node pat = ast_named_child(n, 0);
		struct ast_node first = ast_named_child(pat, 0);
		bool confirmed = sflow_is_status(f, first, "CONFIRMED") ||
				 (ast_is(first, "union_pattern") && list_has_confirmed(f, first));
		return ast_is(m, "match_statement") && confirmed &&
		       sflow_from_check(f, ast_field(m, "subject"));
	}
	return false;
}

static bool visit_confirmed(void *ctx, struct ast_node n)
{
	struct run *run = ctx;
	if (run->rc)
		return false;
	if (!positive_confirmed(&run->f, n))
		return true;
	struct ast_node fn = sflow_function_of(&run->f, n);
	if (!handles_failure(run, fn))
		run->rc = unit_add_hit(run->u, run->r, ast_start(n), ast_end(n), NULL, 0,
				       "acts on CONFIRMED but never handles FAILED: an expired or "
				       "declined payment leaves the order pending forever",
				       -1);
	return !ast_is(n, "binary_expression") && !ast_is(n, "comparison_operator") &&
	       !ast_is(n, "function_call_expression") && !ast_is(n, "member_call_expression") &&
	       !ast_is(n, "call");
}

int oc012_script_unit(struct unit *u, const struct rule *r, const struct detector *d)
{
	(void)d;
	const struct sflow *f = unit_sflow(u);
	if (!f)
		return 0;
	const struct syntax *syn = f->syn;
	struct run run = {.u = u, .r = r, .f = *f};
	ast_walk(ast_root(syn), visit_confirmed, &run);
	return run.rc;
}
