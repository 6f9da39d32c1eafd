#include "source/walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"

#define WALK_MAX_DEPTH 256

struct walker {
	struct file_list *out;
	walk_skip_fn skipped;
	void *ctx;
	struct buf path; /* relative path of the current folder, "" or "a/b/" */
};

static bool skip_dir(const char *name)
{
	return !strcmp(name, ".git") || !strcmp(name, "node_modules");
}

static int walk_dir(struct walker *w, int dirfd, int depth)
{
	if (depth > WALK_MAX_DEPTH) {
		w->skipped(w->ctx, w->path.ptr, "folders nested too deep");
		close(dirfd);
		return 0;
	}
	DIR *d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return error_set("%s: %s", w->path.ptr, strerror(errno));
	}
	size_t base = w->path.len;
	int rc = 0;
	struct dirent *e;
	while (!rc && (e = readdir(d))) {
		const char *name = e->d_name;
		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		struct stat st;
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* vanished meanwhile */
		w->path.len = base;
		buf_puts(&w->path, name);
		if (buf_oom(&w->path)) {
			rc = error_set("out of memory");
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			if (skip_dir(name))
				continue;
			int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			buf_putc(&w->path, '/');
			if (fd < 0) {
				w->skipped(w->ctx, w->path.ptr, strerror(errno));
				continue;
			}
			rc = walk_dir(w, fd, depth + 1);
		} else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
			rc = file_list_add(w->out, w->path.ptr, w->path.len,
					   S_ISLNK(st.st_mode) ? FILE_SYMLINK : 0);
		}
		w->path.len = base;
		w->path.ptr[base] = '\0';
	}
	closedir(d);
	return rc;
}

int walk_folder(const char *root, struct file_list *out, walk_skip_fn skipped, void *ctx)
{
	struct walker w = {out, skipped, ctx, BUF_INIT};
	buf_puts(&w.path, "");
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		buf_free(&w.path);
		return error_set("%s: %s", root, strerror(errno));
	}
	int rc = walk_dir(&w, fd, 0);
	buf_free(&w.path);
	if (!rc)
		file_list_sort(out);
	return rc;
}
