/* What OC010's JavaScript checker (oc010_logging.c) and its PHP/Python one
 * (oc010_script.c) share: the verdicts they record, the events they judge, and how a
 * verdict becomes evidence for the checklist or a finding. */
#ifndef OCPAY_OC010_H
#define OCPAY_OC010_H

#include "lang/ast.h"

struct unit;
struct rule;

enum verdict { LOGGED, UNLOGGED, ELSEWHERE }; /* also the evidence kinds */
enum event { EVENT_CREATED, EVENT_STATUS };

/* Records the verdict on the event at site: evidence when logged or left to other
 * modules, a finding when not logged (value: the status written). Returns the unit's
 * error code. */
int oc010_record(struct unit *u, const struct rule *r, struct ast_node site, enum verdict v,
		 enum event ev, const char *value);

#endif
