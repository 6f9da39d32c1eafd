/* The scan's per-thread state and the reading of one unit (worker.c), shared by the
 * modules of the scan (scan_run.c, pieces.c, scan_sink.c) and by none of the checkers. */
#ifndef OCPAY_WORKER_H
#define OCPAY_WORKER_H

#include <stdatomic.h>

#include "check/scan.h"
#include "check/unit.h"
#include "core/progress.h"

struct worker {
	/* per thread: parsers, counters, the unit results it fills */
	struct scan *scan;
	struct parser_set *parsers;
	struct scan_stats stats;
	struct finding_list *results;
	atomic_size_t *next;
	uint64_t kw_seen[2]; /* every keyword found in the files it read */
	bool ocpay_script;   /* a PHP or Python file it read mentions OCPay */
	long index;		 /* the file of the list being scanned, or -1 */
	bool second_pass;	 /* reading importers of OCPay code again */
	const uint64_t *inherit; /* second pass: keyword bits to add */
	size_t large_unnamed;	 /* scan_worker_skipped_large calls */
	struct {		 /* a file too large to hold, read piece by piece */
		bool on;
		size_t carry;		/* bytes at the start the previous piece also had */
		size_t keep_from, keep_to; /* hits starting there belong to this piece */
		size_t line_base;	/* lines before the piece */
		size_t col_base;	/* characters of its first line before it */
		size_t prior;		/* findings the file's earlier pieces reported */
		uint64_t kw[2];		/* out: the keywords the piece holds */
	} piece;
	struct progress *bar; /* the calling thread's, in the first pass: draws the line */
	int rc;
	char error[512];
};

/* Reads a listed file for a worker (regular files only, within the limits). */
int scan_read_unit(struct worker *w, const struct file_entry *e, char **data, size_t *len,
		   int *large);
/* Whether the keyword bits hold an OCPay keyword. */
bool scan_is_ocpay(const struct scan *s, const uint64_t kw[2]);

#endif
