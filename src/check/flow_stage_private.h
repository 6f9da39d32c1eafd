/* The flow stage's insides, shared by flow_stage.c (records, lowering, the run) and
 * flow_neighbours.c (the files around the OCPay code). */
#ifndef OCPAY_FLOW_STAGE_PRIVATE_H
#define OCPAY_FLOW_STAGE_PRIVATE_H

#include "check/flow_stage.h"

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
	long index;  /* in the scan's list, or -1 */
	struct flow_file_info info;
	struct ir_file *ir; /* owned until handed to the index; NULL until lowered */
};

/* Registers the file of the list at index, to be lowered (once). */
int flow_stage_keep(struct scan *s, long index);
/* Whether the file of the list at index is registered. */
bool flow_stage_kept(const struct scan *s, long index);
/* The index of a file of the list by its path, or -1. */
long flow_file_index(const struct scan *s, const char *path);
/* Lowers every registered file that is not yet, on every core. */
int flow_stage_lower(struct scan *s);
/* Adds, in rounds, the files the lowered ones import, and the PHP and Python files that
 * name their classes or modules, lowering them. */
int flow_neighbours_expand(struct scan *s);

#endif
