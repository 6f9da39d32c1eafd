#define _GNU_SOURCE /* getdents64, d_type, syscall */
#include "source/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__) && defined(__has_include)
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#include <sys/syscall.h>
#endif
#endif

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
#ifdef SYS_openat2
	struct open_how how = {.flags = (unsigned)(flags | O_NOFOLLOW),
			       .resolve = RESOLVE_NO_SYMLINKS};
	long fd = syscall(SYS_openat2, AT_FDCWD, full, &how, sizeof how);
	if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
		return (int)fd;
#endif
	return open_by_components(full, flags);
}

void file_join_name(char *out, size_t cap, const char *dir, const char *path)
{
	size_t n = dir ? strlen(dir) : 0;
	snprintf(out, cap, "%s%s%s", dir ? dir : "", n && dir[n - 1] != '/' ? "/" : "", path);
}

/* Why comp (in dirfd) could not be opened: 1 when there is no such file. */
static int open_failed(int dirfd, const char *comp, const char *name, int err)
{
	struct stat st;
	/* O_NOFOLLOW says ELOOP for a link, and ENOTDIR when O_DIRECTORY is asked too */
	if (err == ELOOP || (err == ENOTDIR && fstatat(dirfd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			     S_ISLNK(st.st_mode)))
		return error_set("%s: a symbolic link: not followed", name);
	if (err == ENOENT || err == ENOTDIR)
		return 1;
	return error_set("%s: cannot open: %s", name, strerror(err));
}

/* Opens dir/path one component at a time, none of them through a link, the last one
 * without blocking. 0 with *fd, 1 when there is no such file, or -1. */
static int open_beneath(int *fd, const char *dir, const char *path, const char *name)
{
	char rel[4096];
	if ((size_t)snprintf(rel, sizeof rel, "%s", path) >= sizeof rel)
		return error_set("%s: path too long", name);
	int dfd = open(dir[0] ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT || errno == ENOTDIR
			   ? 1
			   : error_set("%s: cannot open: %s", name, strerror(errno));
	for (char *comp = rel, *next;; comp = next) {
		next = strchr(comp, '/');
		if (next)
			*next++ = '\0';
		if (next && (!comp[0] || !strcmp(comp, ".")))
			continue;
		int rc = 0;
		if (!comp[0])
			rc = 1; /* a folder's name, not a file's */
		else if (!strcmp(comp, ".."))
			rc = error_set("%s: outside its folder: not read", name);
		if (rc) {
			close(dfd);
			return rc;
		}
		int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (next ? O_DIRECTORY : O_NONBLOCK);
		int nfd = openat(dfd, comp, flags);
		if (nfd < 0)
			rc = open_failed(dfd, comp, name, errno);
		close(dfd);
		if (rc)
			return rc;
		if (!next) {
			*fd = nfd;
			return 0;
		}
		dfd = nfd;
	}
}

static const char *kind_of(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device"
	       : S_ISDIR(m) ? "a folder" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

static int read_open(char **text, size_t *len, int fd, const char *name, size_t max)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return error_set("%s: cannot read: %s", name, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return error_set("%s: %s, not a regular file: not read", name, kind_of(st.st_mode));
	if ((unsigned long long)st.st_size > max)
		return error_set("%s: larger than %zu bytes: not read", name, max);
	/* a regular file never blocks, but reads must not see EAGAIN either */
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
		return error_set("%s: cannot read: %s", name, strerror(errno));
	size_t size = (size_t)st.st_size, got = 0;
	char *p = malloc(size + 1);
	if (!p)
		return error_set("out of memory");
	if (file_read_full(fd, p, size, &got) < 0) { /* a file that shrank: what is there */
		int err = errno;
		free(p);
		return error_set("%s: cannot read: %s", name, strerror(err));
	}
	p[got] = '\0';
	*text = p;
	*len = got;
	return 0;
}

/* Linux resolves the whole path without a link in one call (openat2, 5.6 and later): a
 * file found, or authoritatively absent. 0 with *fd, 1 when absent, or 2 when the walk of
 * open_beneath must decide (a link somewhere, maybe in dir, which may be one; an old
 * kernel; a sandbox refusing the call). */
static int open_fast(int *fd, const char *name)
{
#ifdef SYS_openat2
	struct open_how how = {.flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
			       .resolve = RESOLVE_NO_SYMLINKS};
	long r = syscall(SYS_openat2, AT_FDCWD, name, &how, sizeof how);
	if (r >= 0) {
		*fd = (int)r;
		return 0;
	}
	if (errno == ENOENT || errno == ENOTDIR)
		return 1;
#else
	(void)fd;
	(void)name;
#endif
	return 2;
}

/* Whether path has a ".." component, which could leave the folder without any link. */
static bool climbs(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")); p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return true;
	return false;
}

int file_read_regular(char **text, size_t *len, const char *dir, const char *path, size_t max)
{
	char name[4096];
	file_join_name(name, sizeof name, dir, path);
	int fd = -1, rc;
	if (dir) {
		/* the common case in one call; the walk for links and for the messages */
		if (climbs(path) || (rc = open_fast(&fd, name)) == 2)
			rc = open_beneath(&fd, dir, path, name);
	} else if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) >= 0) {
		rc = 0;
	} else {
		rc = errno == ENOENT ? 1 : error_set("%s: cannot open: %s", name, strerror(errno));
	}
	if (rc)
		return rc;
	rc = read_open(text, len, fd, name, max);
	close(fd);
	return rc;
}

char *file_read_small(const char *root, const char *path, size_t max, size_t *len)
{
	char *text = NULL;
	return root && file_read_regular(&text, len, root, path, max) == 0 ? text : NULL;
}

/* The destination of a write must be a regular file or nothing. 0, or -1. */
static int check_destination(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : error_set("%s: %s", path, strerror(errno));
	if (S_ISLNK(st.st_mode))
		return error_set("%s: a symbolic link: not replaced (remove it, or write elsewhere)",
				 path);
	if (!S_ISREG(st.st_mode))
		return error_set("%s: %s, not a regular file: not replaced", path,
				 kind_of(st.st_mode));
	return 0;
}

int file_write_atomic(const char *path, const char *data, size_t len, mode_t mode)
{
	if (check_destination(path) < 0)
		return -1;
	char tmp[4096];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= sizeof tmp)
		return error_set("%s: path too long", path);
	/* O_CREAT|O_EXCL with a name of its own: never an existing file, never a link's
	 * target, never the file of another run writing at the same time */
	int fd = mkstemp(tmp);
	if (fd < 0)
		return error_set("%s: cannot create a temporary file beside it: %s", path,
				 strerror(errno));
	mode_t mask = umask(0);
	umask(mask);
	int err = 0;
	if (fchmod(fd, mode & ~mask) < 0)
		err = errno;
	for (size_t done = 0; !err && done < len;) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0 && errno != EINTR)
			err = errno;
		else if (n > 0)
			done += (size_t)n;
	}
	if (!err && fsync(fd) < 0)
		err = errno;
	if (close(fd) < 0 && !err)
		err = errno;
	if (err) {
		unlink(tmp);
		return error_set("%s: cannot write: %s", path, strerror(err));
	}
	/* checked again: the destination may have changed while the data was written */
	if (check_destination(path) < 0) {
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		err = errno;
		unlink(tmp);
		return error_set("%s: cannot write: %s", path, strerror(err));
	}
	return 0;
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

int file_read_full(int fd, char *p, size_t want, size_t *got)
{
	*got = 0;
	while (*got < want) {
		ssize_t n = read(fd, p + *got, want - *got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		*got += (size_t)n;
	}
	return 0;
}
