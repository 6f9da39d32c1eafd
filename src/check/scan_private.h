/* What the modules of the scan share inside it (scan_run.c, worker.c, scan_notes.c,
 * scan_paths.c, limits.c, pieces.c). */
#ifndef OCPAY_SCAN_PRIVATE_H
#define OCPAY_SCAN_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "check/scan.h"

/* git's own test for binary content: a NUL byte in the first 8000 bytes. */
#define BINARY_PROBE 8000

/* Guards the scan's notes, logs and counters across workers. */
extern pthread_mutex_t scan_note_lock;
/* Whether the detector would read the unit, judged without its syntax: its languages,
 * keywords and paths (limits.c). */
bool unit_detector_reads(const struct unit *u, const struct rule *r, const struct detector *d,
			 bool keywords);
/* A pattern of the rule reached PCRE2's match limit in the unit (limits.c). */
int unit_note_match_limit(struct unit *u, const struct rule *r);
/* Orders evidence by path, line and kind (qsort). */
int scan_evidence_cmp(const void *x, const void *y);

#endif
