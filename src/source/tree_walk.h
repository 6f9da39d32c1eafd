/* The entries of a git tree, depth first in entry order, walked with a stack of its own
 * rather than by recursion: a tree nested tens of thousands of folders deep costs a
 * bounded stack and bounded memory, and the folders past the depth limit are named. */
#ifndef OCPAY_TREE_WALK_H
#define OCPAY_TREE_WALK_H

#include <git2.h>

#include "core/buf.h"

/* git's own limit (core.maxTreeDepth): deeper folders are not entered. */
#define TREE_MAX_DEPTH 2048

/* Each callback gets the entry's full path (path->ptr, NUL-terminated, path->len bytes;
 * valid during the call) and returns 0 to go on or -1 (error set) to stop the walk. */
struct tree_visit {
	/* Before a folder is entered, its path ending in '/': 1 skips it (seen before).
	 * NULL: every folder is entered. */
	int (*tree)(void *ctx, const git_oid *id, const struct buf *path);
	/* A file (regular or executable); symbolic links are never reported. */
	int (*blob)(void *ctx, const git_oid *id, const struct buf *path);
	/* A submodule: another repository, not read. NULL: ignored. */
	int (*submodule)(void *ctx, const struct buf *path);
	/* A folder that cannot be read (id set) or that is deeper than TREE_MAX_DEPTH (id
	 * NULL): not entered. */
	int (*unread)(void *ctx, const git_oid *id, const struct buf *path);
	void *ctx;
};

/* Walks the tree root; path holds the prefix of every path (often empty) and is given
 * back as it came. A root that cannot be read is reported to unread. Returns 0 or -1. */
int tree_walk(git_repository *g, const git_oid *root, struct buf *path, const struct tree_visit *v);

/* A path shortened for a message: at most max bytes of it, then "...". */
const char *tree_path_shown(const struct buf *path, char *out, size_t max);

#endif
