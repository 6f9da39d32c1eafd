/* The untracked files of a git working tree that git does not ignore, listed the way
 * `git status --untracked-files=all` lists them, without comparing the tracked files with
 * the index: the scan reads every tracked file anyway, so their stat data is of no use.
 *
 * Never goes into .git, a submodule or a nested repository, and never follows a link
 * (links are listed as such). Special files (FIFOs, sockets, devices) are left out, as
 * git leaves them out. */
#ifndef OCPAY_WORKTREE_H
#define OCPAY_WORKTREE_H

#include "source/files.h"
#include "source/ignore.h"
#include "source/index.h"

/* Adds to out, flagged FILE_UNTRACKED, the untracked files under prefix ("" or "a/b/") of
 * the working tree root (with a trailing '/'). Folders that cannot be read are told
 * through notes->incomplete. */
int worktree_list_untracked(struct file_list *out, const char *root, const char *prefix,
			    const struct index_paths *idx, struct ignore *ig,
			    const struct list_notes *notes);

#endif
