/* Trees from the object database: a revision's tree (for --since) and the staged change
 * (for the pre-commit hook). Nothing is checked out; blobs are read from the ODB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "source/blob_read.h"
#include "source/git_private.h"
#include "source/history.h"
#include "source/sink.h"
#include "source/tree_walk.h"

/* Hands one blob as path to the sink, into out. A blob that cannot be read is noted (the
 * result is then incomplete) and the reading goes on. */
static int hand_blob(const struct unit_sink *k, struct sink_worker *w, struct blob_reader *br,
		     const git_oid *id, const char *path, struct finding_list *out)
{
	const char *data, *why;
	size_t len;
	int rc = blob_reader_read(br, id, k->max_file_size, &data, &len, &why);
	if (rc < 0)
		return -1;
	if (rc == 1)
		k->skipped(w, SINK_SKIP_LARGE);
	if (rc >= 2) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof hex, id);
		return sink_note_incomplete(k, "%s: blob %s %s%s", path, hex,
					    rc == 2 ? "not read: " : "is ", why);
	}
	if (rc)
		return 0;
	const struct unit_input in = {
	    .path = path, .flags = FILE_TRACKED, .data = data, .len = len, .scope = SCOPE_TREE};
	rc = k->unit(w, &in, out);
	return rc < 0 ? -1 : 0;
}

struct rev_walk {
	const struct unit_sink *sink;
	struct sink_worker *w;
	struct blob_reader *br;
	const char *rev;
	struct file_list *files;
	struct finding_list *out;
};

static int rev_blob(void *ctx, const git_oid *id, const struct buf *path)
{
	struct rev_walk *rw = ctx;
	if (file_list_add(rw->files, path->ptr, path->len, FILE_TRACKED) < 0)
		return -1;
	return hand_blob(rw->sink, rw->w, rw->br, id, path->ptr, rw->out);
}

static int rev_submodule(void *ctx, const struct buf *path)
{
	struct rev_walk *rw = ctx;
	sink_log(rw->sink, "%s: skipped: a submodule is another repository (scan it on its own)",
		 path->ptr);
	return 0;
}

static int rev_unread(void *ctx, const git_oid *id, const struct buf *path)
{
	struct rev_walk *rw = ctx;
	char shown[204], hex[GIT_OID_HEXSZ + 1] = "";
	if (id) {
		git_oid_tostr(hex, sizeof hex, id);
		return sink_note_incomplete(rw->sink, "%s: tree %s of %s is missing or unreadable",
					    path->len ? path->ptr : ".", hex, rw->rev);
	}
	return sink_note_incomplete(rw->sink,
				    "%s: folders nested more than %d deep are not "
				    "scanned (%s)",
				    tree_path_shown(path, shown, 200), TREE_MAX_DEPTH, rw->rev);
}

int rev_read(const struct unit_sink *sink, struct repo *r, const char *rev, struct file_list *files,
	     struct finding_list *out)
{
	git_repository *g = repo_git(r);
	git_object *obj;
	if (git_revparse_single(&obj, g, rev) < 0) {
		git_error_clear();
		return error_set("%s: no such revision", rev);
	}
	git_object *tree;
	int peeled = git_object_peel(&tree, obj, GIT_OBJECT_TREE);
	git_object_free(obj);
	if (peeled < 0)
		return error_set("%s: not a commit or tree", rev);
	const char *scope = repo_scope(r);
	if (*scope) {
		/* a folder's audit: REV's tree of that folder, its paths named from it */
		char folder[4096];
		snprintf(folder, sizeof folder, "%.*s", (int)strlen(scope) - 1, scope);
		git_tree_entry *e = NULL;
		git_object *sub = NULL;
		if (git_tree_entry_bypath(&e, (git_tree *)tree, folder) == 0 &&
		    git_tree_entry_type(e) == GIT_OBJECT_TREE)
			git_tree_entry_to_object(&sub, g, e);
		git_error_clear();
		git_tree_entry_free(e);
		git_object_free(tree);
		if (!sub)
			return 1; /* REV had no such folder: nothing of it was known */
		tree = sub;
	}
	struct rev_walk rw = {sink, sink->worker_new(sink->ctx), NULL, rev, files, out};
	struct buf path = BUF_INIT;
	int rc = rw.w && blob_reader_new(&rw.br, g) == 0 ? 0 : -1;
	const struct tree_visit v = {NULL, rev_blob, rev_submodule, rev_unread, &rw};
	if (!rc)
		rc = tree_walk(g, git_object_id(tree), &path, &v);
	buf_free(&path);
	blob_reader_free(rw.br);
	if (rw.w)
		sink->worker_free(rw.w);
	git_object_free(tree);
	return rc;
}

static int no_blob(void *ctx, const git_oid *id, const struct buf *path)
{
	(void)ctx, (void)id, (void)path;
	return 0;
}

static int head_unread(void *ctx, const git_oid *id, const struct buf *path)
{
	bool *deep = ctx;
	*deep |= !id;
	return 0; /* a missing tree of HEAD: the diff names it */
}

/* Whether HEAD's tree has folders nested deeper than TREE_MAX_DEPTH. Walking it costs
 * about what the diff costs, and the diff cannot be told to stop at a depth: its memory
 * grows with the square of the depth (437 MB at 20 000 folders). */
static int head_is_deep(git_repository *g, git_tree *head, bool *deep)
{
	*deep = false;
	if (!head)
		return 0;
	struct buf path = BUF_INIT;
	const struct tree_visit v = {NULL, no_blob, NULL, head_unread, deep};
	int rc = tree_walk(g, git_tree_id(head), &path, &v);
	buf_free(&path);
	return rc;
}

/* The index's paths deeper than TREE_MAX_DEPTH folders are named and left out: when
 * there are any, or when HEAD is that deep (deep), *spec lists the other paths (the
 * caller frees it), so that the diff visits only those and never walks the deep folders
 * (nor finds the renames from elsewhere: the result is incomplete anyway). */
static int leave_out_deep(const struct unit_sink *k, git_index *index, bool deep_head,
			  git_strarray *spec)
{
	size_t n = git_index_entrycount(index), deep = 0;
	*spec = (git_strarray){0};
	for (size_t i = 0; i < n; i++) {
		const git_index_entry *e = git_index_get_byindex(index, i);
		size_t depth = 0;
		for (const char *p = e->path; (p = strchr(p, '/')); p++)
			depth++;
		if (depth <= TREE_MAX_DEPTH)
			continue;
		if (deep++ < 10) {
			struct buf shown = BUF_INIT;
			buf_put(&shown, e->path, strlen(e->path) < 200 ? strlen(e->path) : 200);
			int rc = buf_oom(&shown)
				     ? error_set("out of memory")
				     : sink_note_incomplete(k,
							    "%s...: folders nested more "
							    "than %d deep are not scanned",
							    shown.ptr, TREE_MAX_DEPTH);
			buf_free(&shown);
			if (rc < 0)
				return -1;
		}
	}
	if (!deep && !deep_head)
		return 0;
	if (deep_head && !deep)
		sink_note_incomplete(k,
				     "HEAD: folders nested more than %d deep are not compared "
				     "with the index",
				     TREE_MAX_DEPTH);
	if (!(spec->strings = malloc((n - deep + 1) * sizeof *spec->strings)))
		return error_set("out of memory");
	spec->strings[0] = NULL; /* no path at all: there is nothing to diff */
	for (size_t i = 0; i < n; i++) {
		const git_index_entry *e = git_index_get_byindex(index, i);
		size_t depth = 0;
		for (const char *p = e->path; (p = strchr(p, '/')); p++)
			depth++;
		if (depth <= TREE_MAX_DEPTH &&
		    (!spec->count || strcmp(spec->strings[spec->count - 1], e->path)))
			spec->strings[spec->count++] = (char *)e->path;
	}
	return 0;
}

int staged_read(const struct unit_sink *now_sink, const struct unit_sink *before_sink,
		struct repo *r, struct file_list *files, struct finding_list *out)
{
	git_repository *g = repo_git(r);
	git_index *index = NULL;
	git_tree *head = NULL;
	git_diff *diff = NULL;
	struct blob_reader *br = NULL;
	git_strarray spec = {0};
	struct sink_worker *w = NULL, *wpast = NULL;
	int rc = 0;
	if (git_repository_index(&index, g) < 0) {
		rc = repo_fail("cannot read the git index");
		goto out;
	}
	git_object *obj;
	if (git_revparse_single(&obj, g, "HEAD^{tree}") == 0)
		head = (git_tree *)obj;
	else
		git_error_clear(); /* no commit yet: everything staged is new */
	bool deep_head;
	if ((rc = head_is_deep(g, head, &deep_head)) < 0 ||
	    (rc = leave_out_deep(now_sink, index, deep_head, &spec)) < 0 ||
	    (rc = blob_reader_new(&br, g)) < 0)
		goto out;
	git_diff_options opts;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	if (spec.strings) {
		opts.pathspec = spec;
		opts.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
	}
	if (spec.strings && !spec.count)
		goto out;
	if (git_diff_tree_to_index(&diff, g, head, index, &opts) < 0 ||
	    git_diff_find_similar(diff, NULL) < 0) {
		rc = repo_fail("cannot diff the index against HEAD");
		goto out;
	}
	if (!(w = now_sink->worker_new(now_sink->ctx)) ||
	    !(wpast = before_sink->worker_new(before_sink->ctx))) {
		rc = -1;
		goto out;
	}
	const char *scope = repo_scope(r);
	size_t sl = strlen(scope);
	size_t n = git_diff_num_deltas(diff);
	for (size_t i = 0; i < n && !rc; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		if (d->new_file.mode == GIT_FILEMODE_COMMIT && d->status != GIT_DELTA_DELETED)
			sink_log(now_sink,
				 "%s: skipped: a submodule is another repository (scan it on its "
				 "own)",
				 d->new_file.path);
		if (d->status == GIT_DELTA_DELETED || d->new_file.mode == GIT_FILEMODE_LINK ||
		    d->new_file.mode == GIT_FILEMODE_COMMIT)
			continue;
		struct finding_list now = {0}, before = {0};
		const char *path = d->new_file.path, *old_path = d->old_file.path;
		/* a folder's audit: its changes only, named from it */
		if (sl && strncmp(path, scope, sl))
			continue;
		path += sl;
		if (sl && !strncmp(old_path, scope, sl))
			old_path += sl;
		rc = file_list_add(files, path, strlen(path), FILE_TRACKED);
		if (!rc)
			rc = hand_blob(now_sink, w, br, &d->new_file.id, path, &now);
		if (!rc && d->status != GIT_DELTA_ADDED && !git_oid_is_zero(&d->old_file.id) &&
		    (d->old_file.mode == GIT_FILEMODE_BLOB ||
		     d->old_file.mode == GIT_FILEMODE_BLOB_EXECUTABLE))
			rc = hand_blob(before_sink, wpast, br, &d->old_file.id, old_path, &before);
		if (!rc)
			rc = finding_list_take_new(out, &now, &before);
		finding_list_free(&now);
		finding_list_free(&before);
	}
out:
	if (w)
		now_sink->worker_free(w);
	if (wpast)
		before_sink->worker_free(wpast);
	git_diff_free(diff);
	git_tree_free(head);
	git_index_free(index);
	blob_reader_free(br);
	free(spec.strings);
	return rc;
}
