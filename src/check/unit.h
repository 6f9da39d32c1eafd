/* Running detectors on one unit and turning its hits into findings: positions, redacted
 * snippets, secret hashes. Internal to the scan. */
#ifndef OCPAY_UNIT_H
#define OCPAY_UNIT_H

#include "check/scan.h"

int unit_run_detector(struct unit *u, const struct rule *r, const struct detector *d);
/* Converts the unit's hits into findings appended to out. */
int unit_finish(struct unit *u, struct finding_list *out);
void unit_free(struct unit *u);

#endif
