/* The inputs of `scan PATH...` with several paths or files (what pre-commit hands a hook)
 * and of `scan -` (a file or a diff on standard input). */
#ifndef OCPAY_PATHS_H
#define OCPAY_PATHS_H

#include <stdio.h>

#include "check/scan.h"

/* Lists the named files and the files of the named folders. In a git repository (the
 * first path's) they are named from its root and keep their git flags; a named file git
 * ignores is read all the same. Elsewhere they are named from the current folder. Sets
 * s->repo (or leaves it NULL), s->root and s->files; the scan is a partial tree: checks
 * that need the whole project stay silent. 0, or -1 with the error set. */
int paths_collect(struct scan *s, char *const *paths, int n);

/* Scans standard input as one file named name or, when it is a unified diff (git diff,
 * diff -u), the lines it adds, each at its line of the file's new version. Appends to
 * s->findings and finishes the scan. 0, or -1 with the error set. */
int stdin_scan(struct scan *s, FILE *in, const char *name);

#endif
