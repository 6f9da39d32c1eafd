/* What the flow checkers need to know about one PHP or Python file: its functions, the
 * OCPay calls in them (the SDKs' createLink/create_link and checkPayment/check_payment,
 * or an HTTP request whose URL names the endpoint: curl, Guzzle, Laravel's Http, the
 * wp_remote_* functions, file_get_contents, requests, httpx, aiohttp, urllib), which
 * local names carry a check's result or a value from the request, and same-file helpers
 * that check. Fixed-size tables, nothing allocated: a sflow lives on the stack of the
 * checker that reads it, and borrows the syntax. */
#ifndef OCPAY_SCRIPTFLOW_H
#define OCPAY_SCRIPTFLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "lang/ast.h"
#include "lang/lang.h"

#define SFLOW_NAMES 24
#define SFLOW_NAME_LEN 64

struct sflow_names {
	char name[SFLOW_NAMES][SFLOW_NAME_LEN];
	size_t n;
};

struct sflow {
	const struct syntax *syn;
	bool php;		     /* PHP, else Python */
	struct sflow_names checkers; /* same-file functions that call checkPayment */
	bool says_check; /* the file's text holds checkPayment/ */
	/* per function, filled by sflow_scope() */
	struct ast_node fn;
	struct sflow_names checked; /* locals holding a check's result */
	struct sflow_names request; /* locals holding a value from the request */
};

void sflow_init(struct sflow *f, const struct syntax *syn, enum lang lang);
/* The function or method around n, or the file's root. */
struct ast_node sflow_function_of(const struct sflow *f, struct ast_node n);
/* Its name (empty when anonymous). */
void sflow_function_name(const struct sflow *f, struct ast_node fn, char *buf, size_t size);
/* Learns the locals of fn (no-op when fn is the one already learnt). */
void sflow_scope(struct sflow *f, struct ast_node fn);

bool sflow_is_call(const struct sflow *f, struct ast_node n);
/* The called name without its receiver (checkPayment, payment_complete, get). */
void sflow_callee(const struct sflow *f, struct ast_node call, char *buf, size_t size);
/* The n-th positional argument of a call, or null. */
struct ast_node sflow_arg(const struct sflow *f, struct ast_node call, uint32_t i);
/* checkPayment/check_payment, an HTTP call to the checkPayment endpoint, or a same-file
 * helper that makes one. */
bool sflow_is_check(const struct sflow *f, struct ast_node call);
/* Whether n holds a checkPayment call or reads a local holding its result. */
bool sflow_from_check(struct sflow *f, struct ast_node n);
/* Whether n is the status value (a string, or a constant such as PaymentStatus::CONFIRMED). */
bool sflow_is_status(const struct sflow *f, struct ast_node n, const char *status);
/* Whether n reads one of the names as a variable. */
bool sflow_mentions(const struct sflow *f, struct ast_node n, const struct sflow_names *names);
/* The string value of a literal (case kept), copied into buf; false when not a literal. */
bool sflow_string(const struct sflow *f, struct ast_node n, char *buf, size_t size);

#endif
