/* OC006 unvalidated-amount: the productInfo of a createLink. The amount must be an
 * integer number of DZD in 500..500000: a literal outside that, or an amount from the
 * request with no Number.isInteger check and both bounds, is reported; so is a missing or
 * empty title. An amount from the server's own data (an order loaded from the database)
 * is trusted. */
#define _GNU_SOURCE /* memmem */
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

/* ---- class-validator DTOs (NestJS): a parameter typed with a DTO class is request input,
 * validated by the decorators of its fields. ---- */

struct dto_field {
	const char *field; /* the property read: amount of dto.amount */
	bool is_dto;	   /* the class is validated with class-validator */
	bool integer, low, high;
	char rules[96]; /* the field's decorators, for the message */
};

static void read_decorator(const struct syntax *syn, struct ast_node dec, struct dto_field *df)
{
	struct ast_node call = ast_named_child(dec, 0);
	struct ast_node callee =
	    ast_is(call, "call_expression") ? ast_field(call, "function") : call;
	size_t len, tlen;
	const char *name = ast_text(syn, callee, &len);
	const char *text = ast_text(syn, call, &tlen);
	size_t used = strlen(df->rules);
	snprintf(df->rules + used, sizeof df->rules - used, "%s@%.*s", used ? " " : "",
		 (int)(tlen < 24 ? tlen : 24), text);
	double v;
	struct ast_node arg = ast_named_child(ast_field(call, "arguments"), 0);
	bool num = !ast_is_null(arg) && jsflow_number(syn, arg, &v);
	if (len == 5 && !memcmp(name, "IsInt", 5))
		df->integer = true;
	else if (len == 3 && !memcmp(name, "Min", 3) && num && v >= AMOUNT_MIN)
		df->low = true;
	else if (len == 3 && !memcmp(name, "Max", 3) && num && v <= AMOUNT_MAX)
		df->high = true;
}

static bool read_dto(void *ctx, const struct syntax *syn, struct ast_node cls)
{
	struct dto_field *df = ctx;
	size_t len;
	const char *all = ast_text(syn, ast_root(syn), &len);
	df->is_dto =
	    ast_is(cls, "class_declaration") && (memmem(all, len, "\"class-validator\"", 17) ||
						 memmem(all, len, "'class-validator'", 17));
	struct ast_node body = ast_field(cls, "body");
	for (uint32_t i = 0; df->is_dto && i < ast_named_count(body); i++) {
		struct ast_node f = ast_named_child(body, i);
		if (!ast_is(f, "public_field_definition") ||
		    !ast_text_is(syn, ast_field(f, "name"), df->field))
			continue;
		for (uint32_t k = 0; k < ast_named_count(f); k++)
			if (ast_is(ast_named_child(f, k), "decorator"))
				read_decorator(syn, ast_named_child(f, k), df);
	}
	return df->is_dto;
}

/* The type name of fn's parameter called name (`dto: CreatePaymentDto`), or empty. */
static void parameter_type(const struct syntax *syn, struct ast_node fn, struct ast_node name,
			   char *buf, size_t size)
{
	struct ast_node params = ast_field(fn, "parameters");
	size_t len;
	const char *t = ast_text(syn, name, &len);
	buf[0] = '\0';
	for (uint32_t i = 0; i < ast_named_count(params); i++) {
		struct ast_node p = ast_named_child(params, i);
		struct ast_node pat = ast_field(p, "pattern");
		struct ast_node type = ast_named_child(ast_field(p, "type"), 0);
		size_t plen;
		const char *pt = ast_is_null(pat) ? "" : ast_text(syn, pat, &plen);
		if (ast_is_null(pat) || plen != len || memcmp(pt, t, len) ||
		    !ast_is(type, "type_identifier"))
			continue;
		const char *tt = ast_text(syn, type, &len);
		snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), tt);
		return;
	}
}

/* Whether the amount is dto.amount with dto a parameter typed with a class-validator DTO
 * (the request body, whether the controller or a service it calls reads it); its field's
 * decorators are read into df. */
static bool dto_field_of(struct unit *u, const struct syntax *syn, struct ast_node fn,
			 struct ast_node amount, struct dto_field *df)
{
	if (!ast_is(amount, "member_expression") ||
	    !ast_is(ast_field(amount, "object"), "identifier"))
		return false;
	char type[128], field[64];
	parameter_type(syn, fn, ast_field(amount, "object"), type, sizeof type);
	size_t len;
	const char *p = ast_text(syn, ast_field(amount, "property"), &len);
	if (!type[0] || len >= sizeof field)
		return false;
	snprintf(field, sizeof field, "%.*s", (int)len, p);
	df->field = field;
	struct ast_node local = jsflow_find_definition(syn, type);
	bool dto = ast_is_null(local) ? unit_imported_definition(u, type, read_dto, df)
				      : read_dto(df, syn, local);
	df->field = NULL;
	return dto;
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
	struct dto_field dto = {0};
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
	} else if (!ast_is_null(in.amount) && dto_field_of(u, syn, c->func, in.amount, &dto)) {
		/* held to its DTO's decorators, or to checks in the code */
		if (!(dto.integer && dto.low && dto.high) && !validated_anywhere(syn, c->func)) {
			size_t len;
			const char *t = ast_text(syn, in.amount, &len);
			snprintf(msg, sizeof msg,
				 "the amount (%.*s) comes from the request body and its DTO checks "
				 "only %s: require @IsInt() @Min(500) @Max(500000), or price the "
				 "order on the server",
				 (int)(len < 60 ? len : 60), t,
				 dto.rules[0] ? dto.rules : "nothing");
			rc = unit_add_hit(u, r, ast_start(in.amount), ast_end(in.amount), NULL, 0,
					  msg, -1);
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
