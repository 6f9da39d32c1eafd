/* The git repository being audited. Read-only: nothing here writes to the repository, its
 * index or its config. Its layout, config keys, HEAD and index are read directly when
 * they have the common shape (source/gitdir.h, source/index.h); libgit2 is started only
 * for the rest, for history and staged changes (repo_open_git) and hooks.
 * repo_free() releases everything. */
#ifndef OCPAY_GIT_H
#define OCPAY_GIT_H

#include <stdbool.h>

#include "core/hash.h"
#include "source/files.h"

struct repo;

/* Finds the repository containing path (absolute, resolved). Returns 0, 1 when path is in
 * no repository, or -1 with the error set. */
int repo_discover(struct repo **out, const char *path);
/* Opens it with libgit2, for reading objects: before history_scan(), staged_scan(),
 * rev_scan(). 0, or -1 with the error set. */
int repo_open_git(struct repo *r);
void repo_free(struct repo *r);
/* Absolute working directory with a trailing '/', or NULL for a bare repository. */
const char *repo_workdir(const struct repo *r);
/* HEAD's commit id; returns 1 (and leaves out empty) when HEAD is unborn. */
int repo_head(struct repo *r, char out[HASH_HEX_SIZE]);
/* Tracked files plus untracked files that are not ignored, under prefix ("" or "dir/"),
 * as `git status --untracked-files=all` has them. What could not be read (a folder, an
 * ignore file that is a FIFO) is told through notes, and the listing goes on. */
int repo_list_files(struct repo *r, const char *prefix, struct file_list *out,
		    const struct list_notes *notes);
/* The submodules repo_list_files met (and left out: each is another repository). */
const struct file_list *repo_submodules(const struct repo *r);
/* Whether git would ignore path (from the root of the working tree). */
int repo_is_ignored(struct repo *r, const char *path, bool *ignored);
/* The folder git runs hooks from (core.hooksPath honoured), newly allocated, with no
 * trailing '/'. */
int repo_hooks_dir(struct repo *r, char **out);

#endif
