/* For the modules of src/source/ that walk git objects themselves (history, staged). */
#ifndef OCPAY_GIT_PRIVATE_H
#define OCPAY_GIT_PRIVATE_H

#include <git2.h>

#include "source/git.h"

git_repository *repo_git(const struct repo *r);
/* Sets the error from libgit2's last error, prefixed with what; returns -1. */
int repo_fail(const char *what);

#endif
