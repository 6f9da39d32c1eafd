/* Units from git objects rather than the working tree, handed to a sink (source/sink.h):
 * - history_read: every blob reachable from any ref (branches, tags, remotes, stash), each
 *   read once, with the history's scope; each finding names the commit that introduced it.
 * - rev_read: the tree of one revision, read from the object database (no checkout).
 * - staged_read: what the index adds compared with HEAD.
 * None writes to the repository. */
#ifndef OCPAY_HISTORY_H
#define OCPAY_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/finding.h"
#include "source/files.h"
#include "source/sink.h"

struct repo;

/* What the history read: blobs (screened or scanned), bytes screened clean, commits. */
struct history_counts {
	size_t blobs, bytes, commits;
};

/* since: a revision whose ancestors are not read, or NULL. progress: draw a progress
 * line on stderr. The sink's findings of a secret at a path keep the earliest commit and
 * join tree (the working tree's findings, which a leak still there becomes). */
int history_read(const struct unit_sink *sink, struct repo *r, const char *since, bool progress,
		 struct finding_list *tree, struct history_counts *counts);
/* Hands every blob of rev's tree to sink (findings into out), adding its path to files.
 * 1 when rev has no such folder as the repository's scope (nothing was read), 0, or -1. */
int rev_read(const struct unit_sink *sink, struct repo *r, const char *rev, struct file_list *files,
	     struct finding_list *out);
/* Hands the staged version of every path the index changes against HEAD to now_sink and
 * its HEAD version to before_sink, adding the path to files, and keeps in out only the
 * findings the change introduces (finding_list_take_new). */
int staged_read(const struct unit_sink *now_sink, const struct unit_sink *before_sink,
		struct repo *r, struct file_list *files, struct finding_list *out);
/* --since rev: gives each working-tree finding without a commit the commit after rev that
 * brought its line (blame), when there is one. root: the scanned folder, or NULL. */
int since_attribute(struct finding_list *findings, struct repo *r, const char *root,
		    size_t max_file_size, const char *rev);

#endif
