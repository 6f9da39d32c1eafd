/* The list of files a scan reads, whatever their source. The list owns its paths. */
#ifndef OCPAY_FILES_H
#define OCPAY_FILES_H

#include <stddef.h>

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

/* Reads root + path when it is a regular file of at most max bytes, never through a
 * link (file_open_nofollow): the text (NUL-terminated, the caller frees it) and its
 * length, or NULL. */
char *file_read_small(const char *root, const char *path, size_t max, size_t *len);

#endif
