/* The browser pages and scripts that call the routes of the flow stage's files. */
#ifndef OCPAY_FLOW_REQUESTERS_H
#define OCPAY_FLOW_REQUESTERS_H

#include <stdbool.h>
#include <stddef.h>

#include "check/scan.h"
#include "flow/flow.h"

/* Marks in wanted (one per file of the list) the JavaScript files and pages that mention
 * one of texts (the routes the kept files define: flow_route_texts), and those importing
 * them (flow_requesters.c). */
int flow_requesters(const struct scan *s, const char (*texts)[FLOW_ROUTE_TEXT], size_t n,
		    bool *wanted);

#endif
