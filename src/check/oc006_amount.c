/* OC006 unvalidated-amount: the productInfo of a createLink. The amount must be an
 * integer number of DZD in 500..500000: a literal outside that, or an amount from the
 * request with no Number.isInteger check and both bounds, is reported; so is a missing or
 * empty title. An amount from the server's own data (an order loaded from the database)
 * is trusted. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check/jsflow.h"
#include "check/scan.h"

#define AMOUNT_MIN 500
#define AMOUNT_MAX 500000

struct info {
	const struct syntax *syn;
	struct ast_node product; /* the productInfo object */
	struct ast_node amount, title;
	bool has_amount, has_title;
};

static bool key_is(const struct syntax *syn, struct ast_node key, const char *name)
{
	size_t len;
	const char *t = ast_text(syn, key, &len);
	size_t n = strlen(name);
	if (ast_is(key, "string"))
		return len == n + 2 && !memcmp(t + 1, name, n);
	return len == n && !memcmp(t, name, n);
}

static bool visit_product(void *ctx, struct ast_node n)
{
	struct info *in = ctx;
	if (!ast_is_null(in->product))
		return false;
	if (ast_is(n, "pair") && key_is(in->syn, ast_field(n, "key"), "productInfo") &&
	    ast_is(ast_field(n, "value"), "object"))
		in->product = ast_field(n, "value");
	return true;
}

static void read_fields(struct info *in)
{
	for (uint32_t i = 0; i < ast_named_count(in->product); i++) {
		struct ast_node p = ast_named_child(in->product, i);
		if (ast_is(p, "pair")) {
			struct ast_node k = ast_field(p, "key");
			if (key_is(in->syn, k, "amount"))
				in->amount = ast_field(p, "value"), in->has_amount = true;
			else if (key_is(in->syn, k, "title"))
				in->title = ast_field(p, "value"), in->has_title = true;
		} else if (ast_is(p, "shorthand_property_identifier")) {
			if (key_is(in->syn, p, "amount"))
				in->amount = p, in->has_amount = true;
			else if (key_is(in->syn, p, "title"))
				in->title = p, in->has_title = true;
		} else if (ast_is(p, "spread_element")) {
			in->has_amount = in->has_title = true; /* fields come from elsewhere */
		}
	}
}

/* The docs' validateOrderData, or its equivalent, in fn or a same-file validator. */
static bool validated(const struct syntax *syn, struct ast_node fn)
{
	size_t len;
	const char *t = ast_text(syn, fn, &len);
	bool integer = false, low = false, high = false;
	for (size_t i = 0; i < len; i++) {
		integer |= !strncmp(t + i, "Number.isInteger", 16) || !strncmp(t + i, "Number.isSafeInteger", 20) ||
			   !strncmp(t + i, ".int()", 6); /* zod */
		high |= !strncmp(t + i, "500000", 6) || !strncmp(t + i, "500_000", 7);
		low |= !strncmp(t + i, "500", 3) && (i + 3 >= len || (t[i + 3] < '0' || t[i + 3] > '9')) &&
		       (i == 0 || t[i - 1] < '0' || t[i - 1] > '9');
	}
	return integer && low && high;
}

static bool validated_anywhere(const struct syntax *syn, struct ast_node fn)
{
	if (validated(syn, fn))
		return true;
	/* a same-file validateOrderData(data) called on the way */
	struct ast_node root = ast_root(syn);
	size_t len;
	const char *t = ast_text(syn, fn, &len);
	for (uint32_t i = 0; i < ast_named_count(root); i++) {
		struct ast_node d = ast_named_child(root, i);
		if (ast_is(d, "export_statement"))
			d = ast_named_child(d, 0);
		if (ast_is(d, "lexical_declaration") || ast_is(d, "variable_declaration"))
			d = ast_field(ast_named_child(d, 0), "value");
		char name[128];
		jsflow_function_name(syn, d, name, sizeof name);
		if (name[0] && jsflow_mentions(t, len, name) && validated(syn, d))
			return true;
	}
	return false;
}

static int check_call(struct unit *u, const struct rule *r, const struct syntax *syn,
		      const struct api_call *c)
{
	struct info in = {.syn = syn};
	ast_walk(c->call, visit_product, &in);
	if (ast_is_null(in.product))
		return 0; /* built elsewhere: nothing to read here */
	read_fields(&in);
	char msg[256];
	int rc = 0;
	double v;
	if (!in.has_amount) {
		rc = unit_add_hit(u, r, ast_start(in.product), ast_end(in.product), NULL, 0,
				  "createLink has no amount: productInfo.amount is required "
				  "(integer DZD, 500 to 500000)",
				  -1);
	} else if (!ast_is_null(in.amount) && jsflow_number(syn, in.amount, &v)) {
		if (v != floor(v) || v < AMOUNT_MIN || v > AMOUNT_MAX) {
			snprintf(msg, sizeof msg,
				 "amount %g is %s: OCPay takes an integer number of DZD from 500 to "
				 "500000",
				 v, v != floor(v) ? "not an integer" : "out of range");
			rc = unit_add_hit(u, r, ast_start(in.amount), ast_end(in.amount), NULL, 0, msg, -1);
		}
	} else if (!ast_is_null(in.amount) && jsflow_from_request(syn, in.amount) &&
		   !validated_anywhere(syn, c->func)) {
		size_t len;
		const char *t = ast_text(syn, in.amount, &len);
		snprintf(msg, sizeof msg,
			 "the amount (%.*s) comes from the request and is not checked: verify "
			 "Number.isInteger and 500..500000, or price the order on the server",
			 (int)(len < 60 ? len : 60), t);
		rc = unit_add_hit(u, r, ast_start(in.amount), ast_end(in.amount), NULL, 0, msg, -1);
	}
	if (rc)
		return rc;
	size_t tl = 0;
	if (in.has_title && !ast_is_null(in.title) && ast_is(in.title, "string"))
		ast_text(syn, in.title, &tl);
	if (!in.has_title || (in.has_title && ast_is(in.title, "string") && tl <= 2 + 0))
		rc = unit_add_hit(u, r, ast_start(in.has_title ? in.title : in.product),
				  ast_end(in.has_title ? in.title : in.product), NULL, 0,
				  in.has_title ? "createLink title is empty: a title of 1 to 200 "
						 "characters is required"
					       : "createLink has no title: a title of 1 to 200 "
						 "characters is required",
				  -1);
	return rc;
}

int oc006_amount_unit(struct unit *u, const struct rule *r, const struct detector *d)
{
	(void)d;
	struct jsflow *flow = unit_flow(u);
	int rc = 0;
	for (size_t i = 0; flow && !rc && i < flow->ncalls; i++)
		if (flow->calls[i].kind == API_CREATE_LINK)
			rc = check_call(u, r, flow->syn, &flow->calls[i]);
	return rc;
}

int oc006_amount_finish(struct scan *s, const struct rule *r)
{
	(void)s;
	(void)r;
	return 0;
}
