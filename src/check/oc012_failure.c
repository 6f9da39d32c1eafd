/* OC012 unhandled-payment-failure: code that acts when checkPayment says CONFIRMED but
 * never handles FAILED. Links expire 20 minutes after creation and turn FAILED: an order
 * whose handling only knows CONFIRMED stays pending forever. A guard that only rejects
 * what is not confirmed (`if (status !== "CONFIRMED") throw`) is verification, not status
 * handling, and is left to OC004. */
#include <string.h>
#include <strings.h>

#include "check/jsflow.h"
#include "check/scan.h"

struct failure {
	struct unit *u;
	const struct rule *r;
	struct jsflow *flow;
	int rc;
};

/* FAILED, or an order set to failed/cancelled/expired, anywhere in fn. */
struct handles {
	const struct syntax *syn;
	const struct jsflow *flow;
	struct ast_node fn;
	bool found;
};

/* Whether an object literal has a FAILED key: { FAILED: ... }, { "FAILED": ... },
 * { [PaymentStatus.FAILED]: ... }. */
static bool has_failed_key(const struct syntax *syn, struct ast_node obj)
{
	for (uint32_t i = 0; ast_is(obj, "object") && i < ast_named_count(obj); i++) {
		struct ast_node key = ast_field(ast_named_child(obj, i), "key");
		if (ast_is(key, "computed_property_name"))
			key = ast_named_child(key, 0);
		if (!ast_is_null(key) &&
		    (ast_text_is(syn, key, "FAILED") || jsflow_is_status(syn, key, "FAILED")))
			return true;
	}
	return false;
}

/* A table indexed by the checked status that has an entry for FAILED:
 * ORDER_STATUS_FOR[payment.status] with ORDER_STATUS_FOR = { CONFIRMED: "PAID",
 * FAILED: "PAYMENT_FAILED" } declared in the function or the module. */
static bool maps_failed(const struct handles *h, struct ast_node n)
{
	struct ast_node obj = ast_field(n, "object"), index = ast_field(n, "index");
	if (!ast_is(obj, "identifier") || ast_is_null(index) ||
	    !jsflow_from_check(h->flow, index, h->fn))
		return false;
	size_t len;
	const char *name = ast_text(h->syn, obj, &len);
	struct ast_node v = jsflow_declared_value(h->syn, h->fn, name, len);
	if (ast_is_null(v))
		v = jsflow_declared_value(h->syn, ast_root(h->syn), name, len);
	while (ast_is(v, "as_expression") || ast_is(v, "satisfies_expression"))
		v = ast_named_child(v, 0);
	return has_failed_key(h->syn, v);
}

static bool visit_handles(void *ctx, struct ast_node n)
{
	struct handles *h = ctx;
	if (h->found)
		return false;
	/* "failed" in a catch block answers an API error, not a failed payment */
	if (ast_is(n, "catch_clause"))
		return false;
	if (ast_is(n, "subscript_expression") && maps_failed(h, n))
		h->found = true;
	else if (jsflow_is_status(h->syn, n, "FAILED"))
		h->found = true;
	else if (ast_is(n, "string")) {
		static const char *const words[] = {"failed", "cancelled", "canceled", "expired"};
		size_t len;
		const char *t = ast_text(h->syn, n, &len);
		for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
			if (len == strlen(words[i]) + 2 && !strncasecmp(t + 1, words[i], len - 2))
				h->found = true;
	}
	return true;
}

static bool positive_confirmed(const struct failure *f, struct ast_node n, struct ast_node *fn)
{
	const struct syntax *syn = f->flow->syn;
	if (ast_is(n, "binary_expression")) {
		struct ast_node op = ast_field(n, "operator");
		if (!ast_text_is(syn, op, "===") && !ast_text_is(syn, op, "=="))
			return false;
		struct ast_node l = ast_field(n, "left"), r = ast_field(n, "right");
		struct ast_node other = jsflow_is_status(syn, l, "CONFIRMED") ? r
				      : jsflow_is_status(syn, r, "CONFIRMED") ? l
									      : (struct ast_node){0};
		*fn = jsflow_function_of(n);
		return !ast_is_null(other) && jsflow_from_check(f->flow, other, *fn);
	}
	if (ast_is(n, "switch_case")) {
		struct ast_node sw = ast_parent(ast_parent(n));
		*fn = jsflow_function_of(n);
		return jsflow_is_status(syn, ast_field(n, "value"), "CONFIRMED") &&
		       jsflow_from_check(f->flow, ast_field(sw, "value"), *fn);
	}
	return false;
}

static bool visit_confirmed(void *ctx, struct ast_node n)
{
	struct failure *f = ctx;
	if (f->rc)
		return false;
	struct ast_node fn;
	if (!positive_confirmed(f, n, &fn))
		return true;
	struct handles h = {f->flow->syn, f->flow, fn, false};
	ast_walk(fn, visit_handles, &h);
	if (!h.found)
		f->rc = unit_add_hit(f->u, f->r, ast_start(n), ast_end(n), NULL, 0,
				     "acts on CONFIRMED but never handles FAILED: an expired or "
				     "declined payment leaves the order pending forever",
				     -1);
	return !ast_is(n, "binary_expression");
}

int oc012_failure_unit(struct unit *u, const struct rule *r, const struct detector *d)
{
	(void)d;
	struct jsflow *flow = unit_flow(u);
	if (!flow)
		return 0;
	struct failure f = {u, r, flow, 0};
	ast_walk(ast_root(flow->syn), visit_confirmed, &f);
	return f.rc;
}
