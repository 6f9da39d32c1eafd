/* A finding as every reporter sees it, and the list that owns them.
 * A finding owns its strings; finding_list_free() frees them all. */
#ifndef OCPAY_FINDING_H
#define OCPAY_FINDING_H

#include <stdbool.h>
#include <stddef.h>

#include "core/hash.h"

enum severity { SEV_INFO, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL, SEV_COUNT };

const char *severity_name(enum severity s);
/* Returns 0 and sets *out, or -1 for an unknown name. */
int severity_parse(enum severity *out, const char *name);

struct rule;

struct commit_info {
	char id[HASH_HEX_SIZE];
	char *author;
	char *date; /* ISO 8601 */
};

struct finding {
	const struct rule *rule;
	enum severity severity;
	char *path; /* repository-relative, '/'-separated */
	int line, column, end_line, end_column; /* 1-based; columns in characters */
	char *message;
	char *snippet; /* the source line, secrets redacted */
	int mark_start, mark_end; /* byte span of the finding inside snippet */
	char secret_hash[HASH_HEX_SIZE]; /* empty when the finding holds no secret */
	char *match; /* normalised matched text (no secret) for the fingerprint */
	char fingerprint[HASH_HEX_SIZE];
	struct commit_info *commit; /* NULL for working-tree findings */
	enum suppress_kind { SUPPRESS_NONE, SUPPRESS_INLINE, SUPPRESS_BASELINE } suppressed;
	char *suppress_reason;	    /* the directive's reason, or NULL */
	unsigned found;		    /* FOUND_*; 0: the working tree, or the history when
				     * commit is set (see finding_scopes) */
	unsigned history_order;	    /* history: position of the commit, oldest first */
	size_t history_blob;	    /* history: the blob it was found in */
};

/* Where a finding was seen. A key in the working tree that was also committed is one
 * finding in both, its commit the one that introduced it; with --since, a working-tree
 * finding names the commit after REV that brought it (still FOUND_TREE only). */
enum { FOUND_TREE = 1, FOUND_HISTORY = 2 };
unsigned finding_scopes(const struct finding *f);

struct finding_list {
	struct finding *items;
	size_t len, cap;
};

/* Appends a zeroed finding and returns it, or NULL when out of memory. */
struct finding *finding_list_add(struct finding_list *list);
/* Moves every finding of src to the end of dst; src is left empty. */
int finding_list_take(struct finding_list *dst, struct finding_list *src);
void finding_clear(struct finding *f);
/* The id of the finding's rule ("OC001"). */
const char *finding_rule_id(const struct finding *f);
/* Moves to out the findings of now that before does not have: by rule and secret (or
 * matched text), counted, so a key moved to another line or a renamed file is not new. */
int finding_list_take_new(struct finding_list *out, struct finding_list *now,
			  const struct finding_list *before);
/* Moves the findings pick() returns true for from src to the end of dst (then sorted),
 * keeping the order of the others. pick may change the finding it is given. */
int finding_list_move_if(struct finding_list *dst, struct finding_list *src,
			 bool (*pick)(struct finding *f, void *ctx), void *ctx);
/* Deep copy of src into dst (dst's previous content is not freed). */
int finding_copy(struct finding *dst, const struct finding *src);
void finding_list_free(struct finding_list *list);
/* Sorts by (path, line, column, rule) so output never depends on scan order. */
void finding_list_sort(struct finding_list *list);
/* Computes every fingerprint: hash of rule, path, secret hash or normalised match, and
 * the occurrence index of that triple in the path. No line number, no commit. */
int finding_list_fingerprint(struct finding_list *list);

#endif
