/* The inputs of `scan PATH...` with several paths or files (what pre-commit hands a hook)
 * and of `scan -` (a file or a diff on standard input). */
#ifndef OCPAY_PATHS_H
#define OCPAY_PATHS_H

#include <stdio.h>

#include "source/files.h"
#include "source/sink.h"

struct repo;

/* Lists the named files and the files of the named folders. In a git repository (the
 * first path's) they are named from its root and keep their git flags; a named file git
 * ignores is read all the same. Elsewhere they are named from the current folder. Sets
 * *repo (or leaves it NULL), *root and files (the caller owns them); what cannot be read
 * is told to notes. Only the named paths are read: checks that need the whole project
 * should stay silent. 0, or -1 with the error set. */
int paths_collect(struct repo **repo, char **root, struct file_list *files,
		  const struct unit_sink *notes, char *const *paths, int n);

/* Reads standard input as one file named name or, when it is a unified diff (git diff,
 * diff -u), the lines it adds, each at its line of the file's new version; each is added
 * to files and handed to sink, which appends its findings to out. 0, or -1 with the
 * error set. */
int stdin_read(const struct unit_sink *sink, FILE *in, const char *name, struct file_list *files,
	       struct finding_list *out);

#endif
