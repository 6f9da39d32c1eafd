#define _DEFAULT_SOURCE /* d_type and DT_* of readdir */
#include "source/worktree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"

/* Deeper untracked folders are reported, not walked: each level holds a folder open. */
#define WORKTREE_MAX_DEPTH 256

/* The entries of one folder being walked; kept per depth, so their memory is reused. */
struct level {
	struct buf names;
	struct dir_entry *items;
	size_t cap;
};

struct walker {
	struct file_list *out;
	const struct index_paths *idx;
	struct ignore *ig;
	const struct list_notes *notes;
	struct buf path; /* the current folder from the root: "" or "a/b/" */
	struct level levels[WORKTREE_MAX_DEPTH + 1];
};

static void tell(const struct walker *w, bool incomplete, const char *path, const char *why)
{
	void (*fn)(void *, const char *, const char *) =
	    incomplete ? w->notes->incomplete : w->notes->log;
	if (fn)
		fn(w->notes->ctx, path, why);
}

/* Whether the folder holds a repository of its own (a .git folder with HEAD, objects/ and
 * refs/, or a .git file naming one), which git shows as one untracked folder and never
 * enters. A stray empty .git is no repository: git goes in, and so does the listing. */
static bool is_repository(int dirfd)
{
	struct stat st;
	if (fstatat(dirfd, ".git", &st, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	if (S_ISREG(st.st_mode)) {
		char head[8];
		int fd = openat(dirfd, ".git", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, head, sizeof head);
		if (fd >= 0)
			close(fd);
		return n == (ssize_t)sizeof head && !memcmp(head, "gitdir: ", sizeof head);
	}
	if (!S_ISDIR(st.st_mode))
		return false;
	int fd = openat(dirfd, ".git", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat objects, refs;
	bool yes = fstatat(fd, "HEAD", &st, 0) == 0 && fstatat(fd, "objects", &objects, 0) == 0 &&
		   S_ISDIR(objects.st_mode) && fstatat(fd, "refs", &refs, 0) == 0 &&
		   S_ISDIR(refs.st_mode);
	close(fd);
	return yes;
}

static int walk_folder_at(struct walker *w, int dirfd, size_t lo, size_t hi, int depth);

static int visit(struct walker *w, int dirfd, const char *name, unsigned char type, size_t lo,
		 size_t hi, int depth)
{
	const struct index_paths *idx = w->idx;
	buf_puts(&w->path, name);
	if (buf_oom(&w->path))
		return error_set("out of memory");
	const char *path = w->path.ptr;
	size_t len = w->path.len;
	if (type == DT_UNKNOWN) {
		struct stat st;
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return 0; /* gone meanwhile */
		type = S_ISDIR(st.st_mode)   ? DT_DIR
		       : S_ISREG(st.st_mode) ? DT_REG
		       : S_ISLNK(st.st_mode) ? DT_LNK
					     : DT_FIFO;
	}
	long at = index_find(idx, lo, hi, path, len);
	if (type != DT_DIR) {
		/* tracked files come from the index; FIFOs and devices are not git's */
		if (at >= 0 || (type != DT_REG && type != DT_LNK) ||
		    ignore_match(w->ig, path, len, false))
			return 0;
		return file_list_add(w->out, path, len,
				     FILE_UNTRACKED | (type == DT_LNK ? FILE_SYMLINK : 0));
	}
	if (at >= 0 && idx->items[at].mode == INDEX_MODE_GITLINK)
		return 0; /* a submodule: another repository */
	/* Under an ignored folder everything is ignored; what is tracked there comes from
	 * the index. */
	if (ignore_match(w->ig, path, len, true))
		return 0;
	buf_putc(&w->path, '/');
	if (buf_oom(&w->path))
		return error_set("out of memory");
	size_t first, end;
	index_range(idx, lo, hi, w->path.ptr, w->path.len, &first, &end);
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			tell(w, true, w->path.ptr, strerror(errno));
		return 0;
	}
	if (first == end && is_repository(fd)) {
		tell(w, false, w->path.ptr, "skipped: another git repository");
		close(fd);
		return 0;
	}
	if (depth + 1 > WORKTREE_MAX_DEPTH) {
		tell(w, true, w->path.ptr, "untracked files not listed: folders nested too deep");
		close(fd);
		return 0;
	}
	return walk_folder_at(w, fd, first, end, depth + 1);
}

/* Walks the folder open as dirfd (its path in w->path), whose tracked entries are
 * [lo, hi) of the index. Takes dirfd. The entries are all read first: the folder's
 * .gitignore must be known before any of them is judged. */
static int walk_folder_at(struct walker *w, int dirfd, size_t lo, size_t hi, int depth)
{
	struct level *l = &w->levels[depth];
	size_t n = 0;
	if (dir_read(dirfd, &l->names, &l->items, &n, &l->cap) < 0) {
		int err = errno;
		close(dirfd);
		if (err == ENOMEM)
			return error_set("out of memory");
		tell(w, true, w->path.ptr, strerror(err));
		return 0;
	}
	int gitignore = -1;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(l->names.ptr + l->items[i].name, ".gitignore"))
			gitignore = l->items[i].type;
	int rc = ignore_push(w->ig, dirfd, w->path.ptr, gitignore);
	if (!rc) {
		size_t base = w->path.len;
		for (size_t i = 0; !rc && i < n; i++) {
			const char *name = l->names.ptr + l->items[i].name;
			/* git never lists .git, whatever its type and depth */
			if (!strcmp(name, ".git"))
				continue;
			rc = visit(w, dirfd, name, l->items[i].type, lo, hi, depth);
			w->path.len = base;
			w->path.ptr[base] = '\0';
		}
		ignore_pop(w->ig);
	}
	close(dirfd);
	return rc;
}

int worktree_list_untracked(struct file_list *out, const char *root, const char *prefix,
			    const struct index_paths *idx, struct ignore *ig,
			    const struct list_notes *notes)
{
	/* zeroed: every struct buf and list of it starts empty */
	struct walker *w = calloc(1, sizeof *w);
	if (!w)
		return error_set("out of memory");
	w->out = out;
	w->idx = idx;
	w->ig = ig;
	w->notes = notes;
	buf_puts(&w->path, "");
	size_t lo = 0, hi = idx->len, pushed = 0;
	int rc = 0;
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		rc = error_set("%s: %s", root, strerror(errno));
	/* PATH inside the repository: the rules of the folders above it count too, and an
	 * ignored folder on the way means nothing untracked below. */
	for (const char *p = prefix, *slash; !rc && fd >= 0 && (slash = strchr(p, '/'));
	     p = slash + 1) {
		if (slash - p == 4 && !memcmp(p, ".git", 4)) {
			close(fd); /* PATH in .git/: the repository, not its files */
			fd = -1;
			break;
		}
		rc = ignore_push(ig, fd, w->path.ptr, DT_UNKNOWN);
		if (rc)
			break;
		pushed++;
		buf_put(&w->path, p, (size_t)(slash - p));
		if (buf_oom(&w->path)) {
			rc = error_set("out of memory");
			break;
		}
		int sub = -1;
		if (!ignore_match(ig, w->path.ptr, w->path.len, true))
			sub = openat(fd, w->path.ptr + (p - prefix),
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = sub;
		buf_putc(&w->path, '/');
		index_range(idx, lo, hi, w->path.ptr, w->path.len, &lo, &hi);
	}
	if (!rc && fd >= 0 && buf_oom(&w->path))
		rc = error_set("out of memory");
	if (!rc && fd >= 0) {
		rc = walk_folder_at(w, fd, lo, hi, 0);
		fd = -1;
	}
	if (fd >= 0)
		close(fd);
	while (pushed--)
		ignore_pop(ig);
	buf_free(&w->path);
	for (size_t i = 0; i <= WORKTREE_MAX_DEPTH; i++) {
		buf_free(&w->levels[i].names);
		free(w->levels[i].items);
	}
	free(w);
	return rc;
}
