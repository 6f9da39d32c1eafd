/* The paths of a git index ($GIT_DIR/index), read without libgit2: the working-tree
 * listing needs the names and modes only, not the stat data or object ids, so the file is
 * read once, parsed in place and not checksummed.
 *
 * Versions 2, 3 and 4 are read. A split index, a sparse index or anything not understood
 * gives 1, and the caller asks libgit2 instead. struct index_paths owns its strings. */
#ifndef OCPAY_INDEX_H
#define OCPAY_INDEX_H

#include <stdbool.h>
#include <stddef.h>

struct index_path {
	const char *path; /* '/'-separated, from the root */
	size_t len;
	unsigned mode; /* git's mode: 0100644, 0100755, 0120000 (link), 0160000 (submodule) */
};

struct index_paths {
	struct index_path *items; /* sorted bytewise, each path once (conflict stages merged) */
	size_t len, cap;
	char *storage; /* the index file's bytes, or copies */
	char **owned;  /* paths added one by one */
	size_t nowned;
	bool icase; /* sorted and looked up without regard to case */
};

#define INDEX_MODE_LINK 0120000u
#define INDEX_MODE_GITLINK 0160000u

/* 0 read (an absent index is an empty one), 1 not understood (ask libgit2), -1 error set. */
int index_read(struct index_paths *out, const char *path);
/* For an index read by other means: copies path. Call index_sort() after the last. */
int index_add(struct index_paths *idx, const char *path, unsigned mode);
/* Sorts for the lookups below; with icase (core.ignorecase) they ignore ASCII case. */
void index_sort(struct index_paths *idx, bool icase);
void index_paths_free(struct index_paths *idx);

/* Position of path, or -1. */
long index_find(const struct index_paths *idx, size_t lo, size_t hi, const char *path, size_t len);
/* The entries whose path starts with prefix (e.g. "a/b/"), within [lo, hi): [*first, *end). */
void index_range(const struct index_paths *idx, size_t lo, size_t hi, const char *prefix,
		 size_t len, size_t *first, size_t *end);

#endif
