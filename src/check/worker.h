/* The scan's per-thread state, shared by the modules of the scan (scan.c, pieces.c) and
 * by none of the checkers. */
#ifndef OCPAY_WORKER_H
#define OCPAY_WORKER_H

#include <stdatomic.h>

#include "check/scan.h"

/* git's own test for binary content: a NUL byte in the first 8000 bytes. */
#define BINARY_PROBE 8000

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
	int rc;
	char error[512];
};

/* Reads the file index of the list, open on fd and size bytes long (above
 * --max-file-size), in pieces with the text detectors (pieces.c). 0, or -1. */
int scan_large_file(struct worker *w, size_t index, int fd, size_t size);
/* Drops the hits of a piece that start where another piece reports them. */
void piece_keep_hits(struct unit *u, size_t from, size_t to);
/* Whether the detector would read the unit, judged without its syntax: its languages,
 * keywords and paths (limits.c). */
bool unit_detector_reads(const struct unit *u, const struct rule *r, const struct detector *d,
			 bool keywords);
/* A pattern of the rule reached PCRE2's match limit in the unit (limits.c). */
int unit_note_match_limit(struct unit *u, const struct rule *r);

#endif
