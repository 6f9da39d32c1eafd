/* What a source hands on: each file or blob it reads becomes a unit input given to a
 * sink, whoever consumes it (the scan, src/check/scan_sink.c). A source never knows
 * what is done with a unit; it knows only how to read, and tells the sink what it could
 * not read. The sink and its context outlive the source's call; the source borrows them. */
#ifndef OCPAY_SINK_H
#define OCPAY_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/finding.h"

/* Which rules read a unit: the working tree's, or the history's. */
enum scope { SCOPE_TREE = 1, SCOPE_HISTORY = 2 };

/* One file or blob, valid during the sink's unit() call. */
struct unit_input {
	const char *path; /* from the scanned root */
	unsigned flags;	  /* FILE_* (source/files.h) */
	const char *data;
	size_t len;
	unsigned scope; /* SCOPE_TREE or SCOPE_HISTORY */
	/* a history blob: its index in the walk and the order of the commit that brought
	 * it to path, given to every finding made of it; 0 and 0 elsewhere */
	size_t blob;
	uint32_t commit;
};

/* The consumer's per-thread state, opaque to the sources. */
struct sink_worker;

enum sink_skip { SINK_SKIP_LARGE, SINK_SKIP_BINARY };

struct unit_sink {
	void *ctx;
	/* limits of what a source reads, from the consumer's options */
	size_t max_file_size;
	unsigned jobs;	      /* reading threads; 0: one per core */
	bool progress_forced; /* draw the final progress line of a short run too */
	/* A state for one reading thread; freed by the thread that used it. NULL with the
	 * error set. */
	struct sink_worker *(*worker_new)(void *ctx);
	void (*worker_free)(struct sink_worker *w);
	/* Consumes a unit, appending what it finds to out. 1 when binary and skipped, 0,
	 * or -1 with the error set. */
	int (*unit)(struct sink_worker *w, const struct unit_input *in, struct finding_list *out);
	/* A blob was not read (too large) or skipped (binary) before any unit() call. */
	void (*skipped)(struct sink_worker *w, enum sink_skip why);
	/* History blobs, before their path is known: 1 binary, 2 worth scanning, 0 not. */
	int (*screen)(void *ctx, const char *data, size_t len);
	/* Whether a blob at path must be scanned whatever its content. */
	bool (*path_needs_blob)(void *ctx, const char *path);
	/* Something could not be read: the result is incomplete. 0, or -1 (out of memory). */
	int (*incomplete)(void *ctx, const char *text);
	/* --verbose: why something was skipped. */
	void (*log)(void *ctx, const char *text);
};

/* The sink's incomplete() and log() with a format. */
int sink_note_incomplete(const struct unit_sink *k, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sink_log(const struct unit_sink *k, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
