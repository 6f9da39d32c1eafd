/* The scan's result for its reporters (check/result.h), and the redaction of everything
 * they print. */
#ifndef OCPAY_SCAN_RESULT_H
#define OCPAY_SCAN_RESULT_H

#include <stdbool.h>

#include "check/result.h"

struct scan;
/* Fills out from s, once it is finished. 0, or -1 out of memory. */
int scan_result_fill(struct scan_result *out, const struct scan *s);
void scan_result_free(struct scan_result *r);

/* Passes every string of the scan that any output prints (findings and suppressed ones:
 * path, message, snippet, commit author and date, reason; directives, incomplete notes,
 * --verbose log lines, the rules' notes and limits) and *target through the scan's
 * redactor, once every secret is known. Snippet marks follow. Skipped with --no-redact
 * unless force (the baseline file is committed). 0, or -1 out of memory. */
int scan_redact(struct scan *s, char **target, bool force);

#endif
