#define _DEFAULT_SOURCE /* DT_* of readdir */
#include "source/walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"

#define WALK_MAX_DEPTH 256

/* The entries of one folder being walked; kept per depth, so their memory is reused. */
struct level {
	struct buf names;
	struct dir_entry *items;
	size_t cap;
};

struct walker {
	struct file_list *out;
	walk_skip_fn skipped;
	void *ctx;
	struct buf path; /* relative path of the current folder, "" or "a/b/" */
	struct level levels[WALK_MAX_DEPTH + 1];
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
	struct level *l = &w->levels[depth];
	size_t n = 0;
	if (dir_read(dirfd, &l->names, &l->items, &n, &l->cap) < 0) {
		int err = errno;
		close(dirfd);
		return err == ENOMEM ? error_set("out of memory")
				     : error_set("%s: %s", w->path.ptr, strerror(err));
	}
	size_t base = w->path.len;
	int rc = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		const char *name = l->names.ptr + l->items[i].name;
		unsigned char type = l->items[i].type;
		/* the file system says the type in readdir; ask only when it does not */
		if (type == DT_UNKNOWN) {
			struct stat st;
			if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue; /* vanished meanwhile */
			type = S_ISDIR(st.st_mode)   ? DT_DIR
			       : S_ISREG(st.st_mode) ? DT_REG
			       : S_ISLNK(st.st_mode) ? DT_LNK
						     : DT_FIFO;
		}
		w->path.len = base;
		buf_puts(&w->path, name);
		if (buf_oom(&w->path)) {
			rc = error_set("out of memory");
			break;
		}
		if (type == DT_DIR) {
			if (skip_dir(name))
				continue;
			int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			buf_putc(&w->path, '/');
			if (fd < 0) {
				w->skipped(w->ctx, w->path.ptr, strerror(errno));
				continue;
			}
			rc = walk_dir(w, fd, depth + 1);
		} else if (type == DT_REG || type == DT_LNK) {
			rc = file_list_add(w->out, w->path.ptr, w->path.len,
					   type == DT_LNK ? FILE_SYMLINK : 0);
		}
		w->path.len = base;
		w->path.ptr[base] = '\0';
	}
	close(dirfd);
	return rc;
}

int walk_folder(const char *root, struct file_list *out, walk_skip_fn skipped, void *ctx)
{
	/* zeroed: every struct buf and list of it starts empty */
	struct walker *w = calloc(1, sizeof *w);
	if (!w)
		return error_set("out of memory");
	w->out = out;
	w->skipped = skipped;
	w->ctx = ctx;
	buf_puts(&w->path, "");
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = fd < 0 ? error_set("%s: %s", root, strerror(errno)) : walk_dir(w, fd, 0);
	buf_free(&w->path);
	for (size_t i = 0; i <= WALK_MAX_DEPTH; i++) {
		buf_free(&w->levels[i].names);
		free(w->levels[i].items);
	}
	free(w);
	if (!rc)
		file_list_sort(out);
	return rc;
}
