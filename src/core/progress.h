/* The progress line a long run draws on stderr when it is a terminal: what is done out of
 * what there is, the rate and the time left. One line, redrawn in place, at most five
 * times a second; progress_end() finishes it with a newline. */
#ifndef OCPAY_PROGRESS_H
#define OCPAY_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct progress {
	FILE *out;	   /* NULL: draw nothing */
	const char *what;  /* "files", "blobs" */
	uint64_t start_ms, drawn_ms;
	bool drawn;
	bool eager;	   /* --progress: the final line even when the run was short */
	size_t done, total; /* the last counts drawn or offered, for the final line */
	double mb;
	char extra[64];
};

void progress_start(struct progress *p, FILE *out, const char *what);
/* Redraws when 200 ms have passed since the last time (force: now). total 0: unknown.
 * extra, when not NULL, is printed after the counts ("1234 commits"). */
void progress_draw(struct progress *p, size_t done, size_t total, double mb, const char *extra,
		   bool force);
/* Finishes the line (redrawn with the last counts) with a newline; a short run that never
 * drew gets its final line only when eager. */
void progress_end(struct progress *p);
uint64_t progress_now_ms(void);

#endif
