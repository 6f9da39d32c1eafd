/* Where a repository's files are, what its config says of ignoring files and what HEAD
 * is, read without libgit2: starting libgit2 loads every CA certificate of the system
 * (its TLS setup), which costs more than listing a working tree. The scan of a working
 * tree needs no more than this; history, staged changes and hooks open libgit2.
 *
 * Only the common layout is read here: a working tree holding a .git folder, or a .git
 * file naming one (a linked worktree, a submodule), not bare, no core.worktree, no config
 * include or repository extension, owned by the user (or root), found the way libgit2
 * finds it (from PATH upwards, not across file systems). Anything else gives 2: the
 * caller asks libgit2, which knows all the rest. Config files are read without blocking
 * and must be regular files. struct gitdir owns its strings; gitdir_free() frees them. */
#ifndef OCPAY_GITDIR_H
#define OCPAY_GITDIR_H

#include <stdbool.h>

#include "core/hash.h"

struct gitdir {
	char *workdir;	 /* absolute, with a trailing '/' */
	char *gitdir;	 /* HEAD and the index: .git/ or .git/worktrees/NAME/ */
	char *commondir; /* objects, refs, config and info/: .git/ */
	bool icase;	 /* core.ignorecase */
	char *excludes;	 /* core.excludesFile as a path, or NULL when not set */
};

/* path is absolute and resolved (realpath). 0 found, 1 in no repository, 2 ask libgit2,
 * -1 with the error set. */
int gitdir_find(struct gitdir *out, const char *path);
void gitdir_free(struct gitdir *g);

/* HEAD's commit id: 0, 1 when HEAD is unborn, 2 ask libgit2 (a layout of refs not read
 * here). */
int gitdir_head(const struct gitdir *g, char out[HASH_HEX_SIZE]);

#endif
