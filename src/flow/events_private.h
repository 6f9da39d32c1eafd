/* What events.c (the classification of a function's calls) and events_http.c (HTTP
 * requests, their clients and base URLs, typed receivers) share. */
#ifndef OCPAY_EVENTS_PRIVATE_H
#define OCPAY_EVENTS_PRIVATE_H

#include "flow/flow_private.h"

#define URL_MAX 512

struct events {
	struct flow *f;
	struct flow_query *q;
	struct flow_fn fn;
	const struct ir_file *ir;
	struct flow_event *items;
	uint32_t n, cap;
	bool oom;
	const struct ir_node *client; /* the call that made the client ev_client_of() found */
	int32_t client_file;
};

/* events.c */
bool ev_attr_true(const struct model_row *r, enum model_attr a);
void ev_emit(struct events *ev, enum flow_event_kind kind, const struct ir_node *node,
	     const struct ir_node *arg, const struct model_row *row, struct flow_fn via, double ms,
	     bool sdk);
void ev_set_throws(struct events *ev, bool throws);

/* events_http.c */
/* Which endpoint a URL names: EV_CREATE_LINK, EV_CHECK_PAYMENT, or -1. */
int ev_endpoint_of(const struct flow *f, enum lang lang, const char *url);
/* A row of kind matched by the declared type of the call's receiver, or NULL. */
const struct model_row *ev_typed_row(struct events *ev, enum model_kind kind,
				     const struct ir_node *call);
/* The client a receiver holds and its base URL (into base), or NULL. */
const struct model_row *ev_client_of(struct events *ev, int32_t file, const struct ir_node *recv,
				     char *base, size_t size, int depth);
/* The ref in a checkPayment URL, else the URL itself. */
const struct ir_node *ev_ref_in_url(const struct ir_node *url);
/* The HTTP row a call matches, or NULL. */
const struct model_row *ev_http_row(struct events *ev, const struct ir_node *call,
				    const struct path *p);
/* The event an HTTP request makes: an OCPay call by its URL, else a request. */
void ev_http_event(struct events *ev, const struct ir_node *call, const struct model_row *r);

/* events_write.c */
/* $stmt->execute() of a statement prepared with a status: the status is set here. */
void ev_executed_status(struct events *ev, const struct ir_node *call);
/* Whether name is an order's status field (the models' status_field rows). */
bool ev_is_status_field(struct events *ev, const char *name);
/* Whether the write row is a statement prepared for a later execute(). */
bool ev_prepared_for_later(const struct model_row *r, const struct ir_node *call);
/* The event a written status value makes (EV_FULFIL, EV_FAIL_MARK), or -1. */
int ev_status_written(struct events *ev, const struct ir_node *value);
/* The write row a call matches (what does not last is no write), or NULL. */
const struct model_row *ev_write_row(struct events *ev, const struct ir_node *call,
				     const struct path *p);
/* The status fields e (an object, named arguments) gives, as events at call. */
void ev_written_status(struct events *ev, const struct ir_node *call, const struct ir_node *e,
		       const struct ir_node *at, int depth);

#endif
