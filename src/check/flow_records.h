/* The files of the flow stage (flow_records.c): what the scan's workers register and
 * lower, what the neighbours add (flow_neighbours.c) and what the flow stage checks
 * (flow_stage.c). The scan owns the records until flow_stage_free(). */
#ifndef OCPAY_FLOW_RECORDS_H
#define OCPAY_FLOW_RECORDS_H

#include <stdatomic.h>

#include "check/scan.h"
#include "flow/flow.h"

/* A file of the flow stage: registered while the tree is read, lowered once every file is
 * (files of the list), or lowered at once (blobs of --staged, --since, a bare HEAD). */
struct flow_record {
	char *path;
	char *data; /* the file's text, for snippets; NULL until lowered */
	size_t len;
	enum lang lang;
	unsigned flags;
	bool page;
	bool failed; /* could not be read or parsed: noted, left out */
	bool linked; /* read for its links to OCPay code (imports, callers), not its words */
	long index;  /* in the scan's list, or -1 */
	struct flow_file_info info;
	struct ir_file *ir; /* owned until handed to the index; NULL until lowered */
};

/* Lowers and keeps the unit (once per file of the list). Returns 0 or -1 (out of
 * memory); a file that cannot be parsed is noted as incomplete and skipped. */
int flow_stage_record(struct unit *u);
/* Registers the file of the list at index, to be lowered (once). */
int flow_stage_keep(struct scan *s, long index);
/* Whether the file of the list at index is registered. */
bool flow_stage_kept(const struct scan *s, long index);
/* The index of a file of the list by its path, or -1. */
long flow_file_index(const struct scan *s, const char *path);
/* Lowers every registered file that is not yet, on every core. */
int flow_stage_lower(struct scan *s);
void flow_record_free(struct flow_record *rec);
/* Frees every record of the scan. */
void flow_stage_free(struct scan *s);

/* One thread's share of work over the records. */
struct pool {
	struct scan *s;
	atomic_size_t *next;
	int (*work)(struct pool *p, struct parser_set *ps, struct flow_query *q, size_t i);
	const struct flow *flow; /* the checkers' index, or NULL while lowering */
	struct finding_list out;
	int rc;
	char error[512];
};

/* Runs work for every record on the scan's threads; findings go to out (may be NULL). */
int flow_pool_run(struct scan *s, const struct flow *flow,
		  int (*work)(struct pool *, struct parser_set *, struct flow_query *, size_t),
		  struct finding_list *out);

#endif
