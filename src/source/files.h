/* The list of files a scan reads, whatever their source. The list owns its paths. */
#ifndef OCPAY_FILES_H
#define OCPAY_FILES_H

#include <stddef.h>
#include <sys/types.h>

enum {
	FILE_TRACKED = 1 << 0,	 /* in the git index */
	FILE_UNTRACKED = 1 << 1, /* not in the index and not ignored */
	FILE_SYMLINK = 1 << 2,	 /* a link: never followed */
};

struct file_entry {
	char *path; /* relative to the repository (or folder) root, '/'-separated */
	unsigned flags;
};

struct file_list {
	struct file_entry *items;
	size_t len, cap;
};

/* Where a listing tells what it left out: `incomplete` for what exists but could not be
 * read (the result is then incomplete), `log` for what was left out on purpose, as git
 * leaves it out (told with --verbose). Either may be NULL. */
struct list_notes {
	void (*incomplete)(void *ctx, const char *path, const char *why);
	void (*log)(void *ctx, const char *path, const char *why);
	void *ctx;
};

int file_list_add(struct file_list *list, const char *path, size_t len, unsigned flags);
void file_list_sort(struct file_list *list);
void file_list_free(struct file_list *list);

/* One entry of a folder: its name at `name` in the names buffer, its type as the file
 * system gives it (DT_REG, DT_DIR, DT_LNK, ... or DT_UNKNOWN: look with fstatat). */
struct dir_entry {
	size_t name;
	unsigned char type;
};

/* The entries of the folder open as fd, but "." and "..": names NUL-terminated one after
 * the other in *names (a struct buf), entries in *out (cap in *cap, reused across calls).
 * fd stays open. 0, or -1 with errno set. Linux reads the folder in a few getdents64
 * calls, without the fcntl and fstat of a directory stream. */
struct buf;
int dir_read(int fd, struct buf *names, struct dir_entry **out, size_t *n, size_t *cap);

/* Opens full (absolute and resolved, as the scanned root is) following no link on the
 * way, in the folders as in the file itself: a tracked file whose folder was replaced by
 * a link to elsewhere is not read through it. flags as for open(2); -1 with errno set,
 * ELOOP when a link is met. */
int file_open_nofollow(const char *full, int flags);
/* Reads up to want bytes of fd into p, through interrupted and short reads; *got holds
 * how many it read (fewer at the end of the file). 0, or -1 with errno on a read error. */
int file_read_full(int fd, char *p, size_t want, size_t *got);

/* Reads a file the tool reads for itself (its configuration, the baseline, rule files, a
 * project's package.json or tsconfig.json). It is opened without blocking, so a FIFO or a
 * device never hangs the run, and read only when it is a regular file of at most max
 * bytes. With dir, path is relative to dir and no part of it is a symbolic link: the file
 * is inside dir (the repository root, a --rules folder), whatever the repository holds.
 * Without dir (NULL), path is one the user typed (--config FILE): a link is followed.
 * Returns 0 with *text (NUL-terminated; the caller frees it) and *len; 1 when there is
 * no such file; -1 with the error set, naming the file and the cause, never its content. */
int file_read_regular(char **text, size_t *len, const char *dir, const char *path, size_t max);

/* dir and path joined as messages show them (path alone without dir). */
void file_join_name(char *out, size_t cap, const char *dir, const char *path);

/* file_read_regular(root, path) for the checkers, which skip what they cannot read:
 * the text, or NULL. */
char *file_read_small(const char *root, const char *path, size_t max, size_t *len);

/* Replaces path with data, atomically: a new temporary file of a unique name is created
 * beside it (never through a link), written, given mode (less the umask) and renamed over
 * path. Refuses when path is a symbolic link or not a regular file, so a link planted in
 * a repository never sends the write elsewhere. 0, or -1 with the error set. */
int file_write_atomic(const char *path, const char *data, size_t len, mode_t mode);

#endif
