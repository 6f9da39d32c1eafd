/* The scan's flow stage. While the files are read, each one a flow rule applies to is
 * lowered into the flow form and kept (flow_stage_record); once every file is read, the
 * files they import and the files that call into them are lowered too, the project index
 * is built (flow/flow.h), and the flow checkers run over it, file by file, on every core
 * (flow_stage_run). Their hits become findings like any other checker's. */
#ifndef OCPAY_FLOW_STAGE_H
#define OCPAY_FLOW_STAGE_H

#include "check/scan.h"
#include "flow/flow.h"

/* What a flow checker gets: the file's unit (for hits), the index, and this thread's
 * query space. */
struct flow_check {
	struct unit *u;
	const struct flow *flow;
	struct flow_query *q;
	int32_t file; /* the unit's file in the index */
};

/* Reports a hit of rule r at node (of the checked file). message may be NULL (the
 * rule's). Returns 0 or -1. */
int flow_report(struct flow_check *c, const struct rule *r, const struct ir_node *node,
		const char *message, int severity);

/* Builds the index over the kept files and runs the flow checkers, adding their
 * findings to out. Does nothing when no file was kept. */
int flow_stage_run(struct scan *s, struct finding_list *out);
/* Whether a detector is a flow checker's. */
bool detector_is_flow(const struct detector *d);

#endif
