/* The scan as the sink of the sources (source/sink.h): each unit a source reads is
 * scanned by a worker of the scan, and the modes that read git objects or standard
 * input run the scan's later stages (flow, finishers, sorting) once their source is
 * done. */
#ifndef OCPAY_SCAN_SINK_H
#define OCPAY_SCAN_SINK_H

#include <stdbool.h>
#include <stdio.h>

#include "check/scan.h"
#include "source/sink.h"

/* A sink whose units scan's workers read and whose notes go to notes (often scan). It
 * borrows both; it is only valid while they are. */
struct scan_sink {
	struct unit_sink sink;
	struct scan *scan, *notes;
};

void scan_sink_init(struct scan_sink *k, struct scan *scan, struct scan *notes);

/* The history of s->repo into s->findings (its leaks joined to the tree's), with the
 * history's notes and counters. since: NULL, or the oldest revision not read. */
int scan_history(struct scan *s, const char *since, bool progress);
/* The tree of rev, scanned with the tree rules, sorted and fingerprinted, into out. When
 * out is s->findings, into s itself (a bare repository's HEAD); else into a scan of its
 * own, so that rev's files and counters stay out of s. Notes go to s. */
int scan_rev(struct scan *s, const char *rev, struct finding_list *out);
/* The findings the index adds to HEAD, into s->findings; finishes s. */
int scan_staged(struct scan *s);
/* Standard input (a file named name, or a diff), into s->findings; finishes s. */
int scan_stdin(struct scan *s, FILE *in, const char *name);
/* The files named on the command line as s's files (a partial tree). */
int scan_paths(struct scan *s, char *const *paths, int n);

#endif
