/* The git repository being audited, through libgit2. Read-only: nothing here writes to
 * the repository, its index or its config. repo_free() releases everything. */
#ifndef OCPAY_GIT_H
#define OCPAY_GIT_H

#include <stdbool.h>

#include "core/hash.h"
#include "source/files.h"

struct repo;

/* Opens the repository containing path. Returns 0, 1 when path is in no repository,
 * or -1 with the error set. */
int repo_discover(struct repo **out, const char *path);
void repo_free(struct repo *r);
/* Absolute working directory with a trailing '/', or NULL for a bare repository. */
const char *repo_workdir(const struct repo *r);
/* HEAD's commit id; returns 1 (and leaves out empty) when HEAD is unborn. */
int repo_head(const struct repo *r, char out[HASH_HEX_SIZE]);
/* Tracked files plus untracked files that are not ignored, under prefix ("" or "dir/").
 * Returns 1, with the error set, when only the tracked files could be listed. */
int repo_list_files(struct repo *r, const char *prefix, struct file_list *out);
/* The submodules repo_list_files met (and left out: each is another repository). */
const struct file_list *repo_submodules(const struct repo *r);
int repo_is_ignored(struct repo *r, const char *path, bool *ignored);
/* The folder git runs hooks from (core.hooksPath honoured), newly allocated, with no
 * trailing '/'. */
int repo_hooks_dir(struct repo *r, char **out);

#endif
