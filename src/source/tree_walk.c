#include "source/tree_walk.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"

struct frame {
	git_tree *tree;
	size_t next, base; /* next entry; the path's length for this folder's entries */
};

static void path_cut(struct buf *path, size_t len)
{
	path->len = len;
	if (path->ptr)
		path->ptr[len] = '\0';
}

/* Reads a folder: 1 when it cannot be read (reported), -1 on error. */
static int open_tree(git_repository *g, const git_oid *id, struct buf *path,
		     const struct tree_visit *v, git_tree **out)
{
	if (git_tree_lookup(out, g, id) == 0)
		return 0;
	git_error_clear();
	return v->unread(v->ctx, id, path) < 0 ? -1 : 1;
}

/* What to do with one entry of the folder on top of the stack; pushes a folder to enter. */
static int visit(git_repository *g, const git_tree_entry *e, struct frame *stack, size_t *n,
		 struct buf *path, const struct tree_visit *v)
{
	buf_puts(path, git_tree_entry_name(e));
	git_object_t type = git_tree_entry_type(e);
	if (type == GIT_OBJECT_TREE)
		buf_putc(path, '/');
	if (buf_oom(path))
		return error_set("out of memory");
	if (type == GIT_OBJECT_BLOB)
		return git_tree_entry_filemode(e) == GIT_FILEMODE_LINK
			   ? 0
			   : v->blob(v->ctx, git_tree_entry_id(e), path);
	if (type == GIT_OBJECT_COMMIT)
		return v->submodule ? v->submodule(v->ctx, path) : 0;
	if (type != GIT_OBJECT_TREE)
		return 0;
	/* *n folders are open: this one would be at depth *n. */
	if (*n > TREE_MAX_DEPTH)
		return v->unread(v->ctx, NULL, path);
	int rc = v->tree ? v->tree(v->ctx, git_tree_entry_id(e), path) : 0;
	if (rc)
		return rc < 0 ? -1 : 0;
	git_tree *sub;
	if ((rc = open_tree(g, git_tree_entry_id(e), path, v, &sub)))
		return rc < 0 ? -1 : 0;
	stack[(*n)++] = (struct frame){sub, 0, path->len};
	return 0;
}

int tree_walk(git_repository *g, const git_oid *root, struct buf *path, const struct tree_visit *v)
{
	size_t start = path->len;
	buf_puts(path, ""); /* callbacks always get a string */
	struct frame *stack = malloc((TREE_MAX_DEPTH + 2) * sizeof *stack);
	if (!stack || buf_oom(path)) {
		free(stack);
		return error_set("out of memory");
	}
	size_t n = 0;
	git_tree *top;
	int rc = open_tree(g, root, path, v, &top);
	if (rc == 0)
		stack[n++] = (struct frame){top, 0, path->len};
	rc = rc < 0 ? -1 : 0;
	while (n && !rc) {
		struct frame *f = &stack[n - 1];
		path_cut(path, f->base);
		if (f->next == git_tree_entrycount(f->tree)) {
			git_tree_free(f->tree);
			n--;
			continue;
		}
		rc = visit(g, git_tree_entry_byindex(f->tree, f->next++), stack, &n, path, v);
	}
	while (n)
		git_tree_free(stack[--n].tree);
	free(stack);
	path_cut(path, start);
	return rc;
}

const char *tree_path_shown(const struct buf *path, char *out, size_t max)
{
	if (path->len <= max)
		return path->len ? path->ptr : "";
	memcpy(out, path->ptr, max);
	memcpy(out + max, "...", 4);
	return out;
}
