/* What the flow checkers (OC003, OC004, ...) need to know about one JavaScript/TypeScript
 * file: where it calls the OCPay API, in which function, and which names in that function
 * carry the call's result. Built once per unit and shared by the checkers through the
 * unit. Owns its arrays; jsflow_free() releases them. */
#ifndef OCPAY_JSFLOW_H
#define OCPAY_JSFLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "lang/ast.h"

enum api_kind { API_CREATE_LINK, API_CHECK_PAYMENT };

struct api_call {
	enum api_kind kind;
	bool sdk;		/* ocpay.createLink() rather than an HTTP request */
	struct ast_node call;	/* the call_expression */
	struct ast_node func;	/* the enclosing function (or the program) */
	struct ast_node arg;	/* checkPayment: the ref argument or the URL */
	char **names;		/* identifiers in func derived from the result */
	size_t nnames;
};

struct jsflow {
	const struct syntax *syn;
	struct api_call *calls;
	size_t ncalls;
	/* Same-file functions that call checkPayment: calling one is checking. */
	struct ast_node *checkers;
	char **checker_names;
	size_t ncheckers;
};

int jsflow_build(struct jsflow *out, const struct syntax *syn);
/* Adds a function name that verifies a payment (calls checkPayment); its node is null
 * when it lives in another module. */
int jsflow_add_checker(struct jsflow *f, const char *name);
/* The first function (declaration, expression, arrow, method) or class of the module
 * known by name, or the default export for "default"; null when none. */
struct ast_node jsflow_find_definition(const struct syntax *syn, const char *name);
/* Whether fn is the module's `export default function`. */
bool jsflow_is_default_export(const struct syntax *syn, struct ast_node fn);
void jsflow_free(struct jsflow *f);

/* The function (declaration, expression, arrow, method) around n, or the program. */
struct ast_node jsflow_function_of(struct ast_node n);
/* The name a function is known by in its file (declaration, `const f = () =>`, method),
 * copied into buf; empty when anonymous. */
void jsflow_function_name(const struct syntax *syn, struct ast_node fn, char *buf, size_t size);
/* Whether text contains name as a whole identifier. */
bool jsflow_mentions(const char *text, size_t len, const char *name);
/* Whether the node reads one of the names as a variable (not as a key, a property or
 * a word in a string); a dotted name (this.link) is matched in the text. */
bool jsflow_node_mentions(const struct syntax *syn, struct ast_node n, char *const *names,
			  size_t count);
/* Whether n reads something the client controls: req.query, req.body, req.params,
 * searchParams.get(), event.body, ctx.query, ctx.request.body, request.json() ..., also
 * through a local holding the parsed request (JSON.parse(event.body), formData()).
 * An index into server data (PRICES[req.body.plan]) is the server's value. */
bool jsflow_from_request(const struct syntax *syn, struct ast_node n);
/* The callee's name of a call: `f(...)` -> f, `a.b.f(...)` -> f; empty if none. */
void jsflow_callee_name(const struct syntax *syn, struct ast_node call, char *buf, size_t size);
/* A status constant: the string "CONFIRMED" or PaymentStatus.CONFIRMED (for status). */
bool jsflow_is_status(const struct syntax *syn, struct ast_node n, const char *status);
/* Whether n carries a checkPayment result of function fn (or contains the call), or calls
 * a function that calls checkPayment (same-file or imported), or reads a local of fn
 * declared or assigned from such a call (`status = await getPaymentStatus(ref)`). */
bool jsflow_from_check(const struct jsflow *f, struct ast_node n, struct ast_node fn);
/* The value a name is declared with in scope: `const name = v`, `const { name } = v`;
 * at module scope, not inside functions. */
struct ast_node jsflow_declared_value(const struct syntax *syn, struct ast_node scope,
				      const char *name, size_t n);
/* Evaluates a number: a literal, arithmetic on numbers, a `const` of the function, a
 * constant of the module. */
bool jsflow_number(const struct syntax *syn, struct ast_node n, double *out);
/* A numeric literal's text (digit separators `_` allowed, as in JS, PHP and Python). */
bool jsflow_parse_number(const char *text, size_t len, double *out);
/* Whether n is a string literal whose value is one of values (caseless). */
bool jsflow_string_in(const struct syntax *syn, struct ast_node n, const char *const *values);
/* A status written to an order: `order.status = "PAID"`, or `{ status: "PAID" }` handed
 * to a database write (update, save, upsert ...). The node of the value written, or a
 * null node. */
struct ast_node jsflow_status_write(const struct syntax *syn, struct ast_node n);
/* Whether a function node lies inside (or is) the given ancestor. */
bool jsflow_within(struct ast_node n, struct ast_node ancestor);

#endif
