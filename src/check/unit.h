/* Running detectors on one unit and turning its hits into findings: positions, redacted
 * snippets, secret hashes. Internal to the scan. */
#ifndef OCPAY_UNIT_H
#define OCPAY_UNIT_H

#include "check/scan.h"

int unit_run_detector(struct unit *u, const struct rule *r, const struct detector *d);
/* Converts the unit's hits into findings appended to out. */
int unit_finish(struct unit *u, struct finding_list *out);
void unit_free(struct unit *u);
/* The bounds [*ls, *le) of the line holding pos in the unit's data. */
void unit_line_bounds(const struct unit *u, size_t pos, size_t *ls, size_t *le);

#endif
