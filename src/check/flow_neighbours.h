/* The files around the OCPay code, for the flow rules (flow_neighbours.c). */
#ifndef OCPAY_FLOW_NEIGHBOURS_H
#define OCPAY_FLOW_NEIGHBOURS_H

#include "check/scan.h"

/* Adds, in rounds, the files the lowered ones import, and the PHP and Python files that
 * name their classes or modules, lowering them. */
int flow_neighbours_expand(struct scan *s);

#endif
