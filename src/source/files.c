#define _GNU_SOURCE /* getdents64, d_type */
#include "source/files.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#if defined(__linux__)
#include <linux/openat2.h>
#include <sys/syscall.h>
#endif

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"

int file_list_add(struct file_list *list, const char *path, size_t len, unsigned flags)
{
	if (list->len == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 256;
		struct file_entry *p = realloc(list->items, cap * sizeof *p);
		if (!p)
			return error_set("out of memory");
		list->items = p;
		list->cap = cap;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return error_set("out of memory");
	memcpy(copy, path, len);
	copy[len] = '\0';
	list->items[list->len++] = (struct file_entry){copy, flags};
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct file_entry *)a)->path, ((const struct file_entry *)b)->path);
}

void file_list_sort(struct file_list *list)
{
	if (list->len > 1)
		qsort(list->items, list->len, sizeof *list->items, entry_cmp);
}

void file_list_free(struct file_list *list)
{
	for (size_t i = 0; i < list->len; i++)
		free(list->items[i].path);
	free(list->items);
	memset(list, 0, sizeof *list);
}

/* The same, one folder at a time from / (or the current folder), where openat2 is not
 * there (Linux before 5.6, or a sandbox that forbids it). */
static int open_by_components(const char *full, int flags)
{
	char copy[PATH_MAX];
	if ((size_t)snprintf(copy, sizeof copy, "%s", full) >= sizeof copy)
		return errno = ENAMETOOLONG, -1;
	char *p = copy;
	int dir = open(*p == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	while (*p == '/')
		p++;
	for (char *slash; dir >= 0 && (slash = strchr(p, '/'));) {
		*slash = '\0';
		int next = openat(dir, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int err = errno;
		struct stat st;
		/* a link where a folder should be: ELOOP, as openat2 says it */
		if (next < 0 && err == ENOTDIR && fstatat(dir, p, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			err = ELOOP;
		close(dir);
		errno = err;
		dir = next;
		for (p = slash + 1; *p == '/'; p++)
			;
	}
	if (dir < 0)
		return -1;
	int fd = openat(dir, p, flags | O_NOFOLLOW);
	int err = errno;
	close(dir);
	errno = err;
	return fd;
}

int file_open_nofollow(const char *full, int flags)
{
#if defined(__linux__) && defined(SYS_openat2)
	struct open_how how = {.flags = (unsigned)(flags | O_NOFOLLOW),
			       .resolve = RESOLVE_NO_SYMLINKS};
	long fd = syscall(SYS_openat2, AT_FDCWD, full, &how, sizeof how);
	if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
		return (int)fd;
#endif
	return open_by_components(full, flags);
}

char *file_read_small(const char *root, const char *path, size_t max, size_t *len)
{
	char full[4096];
	if ((size_t)snprintf(full, sizeof full, "%s%s", root, path) >= sizeof full)
		return NULL;
	int fd = file_open_nofollow(full, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	char *p = NULL;
	ssize_t n = -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size <= max &&
	    (p = malloc((size_t)st.st_size + 1)))
		n = read(fd, p, (size_t)st.st_size);
	close(fd);
	if (n < 0) {
		free(p);
		return NULL;
	}
	p[n] = '\0';
	*len = (size_t)n;
	return p;
}

static int dir_add(const char *name, unsigned char type, struct buf *names, struct dir_entry **out,
		   size_t *n, size_t *cap)
{
	if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
		return 0;
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		struct dir_entry *p = realloc(*out, c * sizeof *p);
		if (!p)
			return errno = ENOMEM, -1;
		*out = p;
		*cap = c;
	}
	(*out)[(*n)++] = (struct dir_entry){names->len, type};
	buf_put(names, name, strlen(name) + 1);
	return buf_oom(names) ? (errno = ENOMEM, -1) : 0;
}

int dir_read(int fd, struct buf *names, struct dir_entry **out, size_t *n, size_t *cap)
{
	*n = 0;
	names->len = 0;
#if defined(__linux__)
	char block[32768] __attribute__((aligned(8)));
	for (;;) {
		ssize_t got = getdents64(fd, block, sizeof block);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return got < 0 ? -1 : 0;
		for (ssize_t at = 0; at < got;) {
			const struct dirent64 *e = (const struct dirent64 *)(block + at);
			if (dir_add(e->d_name, e->d_type, names, out, n, cap) < 0)
				return -1;
			at += e->d_reclen;
		}
	}
#else
	int dup_fd = dup(fd);
	DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return -1;
	}
	struct dirent *e;
	int rc = 0;
	errno = 0;
	while (!rc && (e = readdir(d)))
		rc = dir_add(e->d_name, e->d_type, names, out, n, cap);
	if (!rc && errno)
		rc = -1;
	int err = errno;
	closedir(d);
	errno = err;
	return rc;
#endif
}
