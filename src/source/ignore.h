/* git's ignore rules (gitignore(5)), read and matched here rather than through libgit2 so
 * that the working-tree listing never asks libgit2 to open a file: a FIFO or a link named
 * .gitignore is looked at before it is opened, and never read through.
 *
 * Sources, most important first: the .gitignore of each folder from the deepest up to
 * the root, $GIT_DIR/info/exclude, then core.excludesFile. The first source with a
 * matching pattern decides; within a source the last matching pattern does ("!" lets a
 * path through again). A path under an ignored folder is ignored whatever its own
 * patterns say: the caller checks each folder before going into it.
 *
 * struct ignore owns every list it holds; ignore_free() releases them. */
#ifndef OCPAY_IGNORE_H
#define OCPAY_IGNORE_H

#include <stdbool.h>
#include <stddef.h>

#include "source/files.h"

struct ignore;

/* A rules file that exists but cannot be read is told as incomplete (the listing may then
 * hold files git ignores); a .gitignore that is a symbolic link is logged, as git skips
 * it too. notes is copied. */
int ignore_new(struct ignore **out, bool icase, const struct list_notes *notes);
void ignore_free(struct ignore *ig);
/* core.ignorecase, as given to ignore_new(). */
bool ignore_icase(const struct ignore *ig);

enum ignore_source {
	IGNORE_INFO,   /* $GIT_DIR/info/exclude: never read through a link */
	IGNORE_GLOBAL, /* core.excludesFile: the user's own, a link is followed */
};

/* Reads a repository-wide source: a regular file, read without blocking. A missing file
 * is no error; one that cannot be read is told through the notes, named `shown`. */
int ignore_add_file(struct ignore *ig, enum ignore_source which, const char *path,
		    const char *shown);

/* Adds the patterns of a folder's .gitignore to the stack. dirfd is that folder, base its
 * path from the root ("" or "a/b/"); type is the d_type readdir gave for ".gitignore"
 * (DT_UNKNOWN when not known), or -1 when the folder has none. Pair with ignore_pop(). */
int ignore_push(struct ignore *ig, int dirfd, const char *base, int type);
void ignore_pop(struct ignore *ig);

/* Whether path (from the root, no trailing '/') is ignored by the sources in force: the
 * pushed folders must be those above path. */
bool ignore_match(const struct ignore *ig, const char *path, size_t len, bool is_dir);

/* The same for any path, the folders above it read as needed: for one-off questions
 * ("would git ignore .env?"). root is the working tree, with a trailing '/'. */
int ignore_path(struct ignore *ig, const char *root, const char *path, bool *ignored);

/* wildmatch(3) as git has it: '*' and '?' stop at '/' when pathname is set, "**" between
 * slashes crosses folders, [...] classes, '\' escapes. Exposed for the unit tests. */
bool ignore_wildmatch(const char *pattern, size_t plen, const char *text, size_t tlen,
		      bool pathname, bool icase);

#endif
