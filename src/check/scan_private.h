/* What scan.c, scan_notes.c and scan_paths.c share inside the scan. */
#ifndef OCPAY_SCAN_PRIVATE_H
#define OCPAY_SCAN_PRIVATE_H

#include <pthread.h>
#include <stddef.h>

#include "check/scan.h"
#include "check/worker.h"

/* Guards the scan's notes, logs and counters across workers. */
extern pthread_mutex_t scan_note_lock;
/* Reads a listed file for a worker (regular files only, within the limits). */
int scan_read_unit(struct worker *w, const struct file_entry *e, char **data, size_t *len,
		   int *large);
/* Orders evidence by path, line and kind (qsort). */
int scan_evidence_cmp(const void *x, const void *y);

#endif
