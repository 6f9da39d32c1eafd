/* The walk of the history scan: every commit of every ref, parents first (commits.c),
 * each (tree, path) once (tree_walk.c), and the trees and blobs refs name; each blob is
 * recorded once, with the commit and path it first appeared at and its other paths, and
 * published to the readers as soon as it is recorded. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "source/git_private.h"
#include "source/history_state.h"
#include "source/tree_walk.h"

static int add_blob(struct history *h, const git_oid *oid, const char *path, size_t plen)
{
	if (table_grow(&h->blob_index) < 0)
		return -1;
	uint64_t key = oid_key(oid);
	size_t slot = table_slot(&h->blob_index, key);
	/* Equal 64-bit prefixes of different blobs: probe on for the full id. */
	while (h->blob_index.vals[slot] &&
	       git_oid_cmp(&blob_at(h, h->blob_index.vals[slot] - 1)->oid, oid) != 0) {
		key = fnv(oid->id, GIT_OID_RAWSZ, key) | 1;
		slot = table_slot(&h->blob_index, key);
	}
	if (h->blob_index.vals[slot]) {
		if (h->ncommits > h->first_ref)
			return 0; /* in a commit already: the ref adds no leak */
		struct blob_rec *b = blob_at(h, h->blob_index.vals[slot] - 1);
		if (strlen(b->path) == plen && !memcmp(b->path, path, plen))
			return 0;
		for (uint32_t i = 0; i < b->nothers; i++)
			if (strlen(b->others[i].path) == plen &&
			    !memcmp(b->others[i].path, path, plen))
				return 0;
		struct sighting *p = realloc(b->others, (b->nothers + 1) * sizeof *p);
		if (!p)
			return error_set("out of memory");
		b->others = p;
		p[b->nothers] = (struct sighting){strndup(path, plen), (uint32_t)(h->ncommits - 1)};
		if (!p[b->nothers].path)
			return error_set("out of memory");
		b->nothers++;
		return 0;
	}
	size_t chunk = h->nblobs >> CHUNK_BITS;
	if (chunk >= MAX_CHUNKS)
		return error_set("more than %u blobs", MAX_CHUNKS * CHUNK_SIZE);
	if (!h->chunks[chunk] && !(h->chunks[chunk] = calloc(CHUNK_SIZE, sizeof(struct blob_rec))))
		return error_set("out of memory");
	struct blob_rec *b = blob_at(h, h->nblobs);
	*b = (struct blob_rec){.oid = *oid, .commit = (uint32_t)(h->ncommits - 1)};
	if (!(b->path = strndup(path, plen)))
		return error_set("out of memory");
	h->nblobs++;
	atomic_store_explicit(&h->published, h->nblobs, memory_order_release);
	h->blob_index.keys[slot] = key;
	h->blob_index.vals[slot] = (uint32_t)h->nblobs;
	h->blob_index.len++;
	return 0;
}

/* Whether key is new to the set, adding it. */
static int first_time(struct table *t, uint64_t key)
{
	if (table_grow(t) < 0)
		return -1;
	size_t slot = table_slot(t, key);
	if (t->vals[slot])
		return 0;
	t->keys[slot] = key;
	t->vals[slot] = 1;
	t->len++;
	return 1;
}

static uint64_t tree_key(const git_oid *tree, const struct buf *path)
{
	return fnv(path->ptr, path->len, oid_key(tree)) | 1;
}

/* Each (tree, path) is visited once: an unchanged folder of a later commit costs nothing. */
static int visit_tree(void *ctx, const git_oid *id, const struct buf *path)
{
	struct history *h = ctx;
	int rc = first_time(&h->trees, tree_key(id, path));
	return rc < 0 ? -1 : !rc;
}

static uint64_t blob_path_key(const git_oid *id, const struct buf *path)
{
	return fnv(path->ptr, path->len, oid_key(id) ^ 0x6b) | 1;
}

static int visit_blob(void *ctx, const git_oid *id, const struct buf *path)
{
	struct history *h = ctx;
	/* --since: a file as REV has it is not the change's, whichever commit shows it */
	if (h->known.len) {
		size_t slot = table_slot(&h->known, blob_path_key(id, path));
		if (h->known.vals[slot])
			return 0;
	}
	return add_blob(h, id, path->ptr, path->len);
}

static int visit_submodule(void *ctx, const struct buf *path)
{
	struct history *h = ctx;
	/* once per path, whichever commits hold it */
	int rc = first_time(&h->trees, fnv(path->ptr, path->len, 0x5b) | 1);
	if (rc > 0)
		sink_log(h->sink,
			 "%s: skipped: a submodule is another repository (scan it on its "
			 "own)",
			 path->ptr);
	return rc < 0 ? -1 : 0;
}

static int visit_unread(void *ctx, const git_oid *id, const struct buf *path)
{
	struct history *h = ctx;
	if (id) {
		history_note_missing(h, id, "tree");
		return 0;
	}
	if (atomic_fetch_add(&h->missing, 1) < MAX_MISSING_NOTES) {
		char shown[204], hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof hex, &h->commits[h->ncommits - 1]);
		sink_note_incomplete(h->sink,
				     "%s: folders nested more than %d deep are not scanned "
				     "(%s %.12s)",
				     tree_path_shown(path, shown, 200), TREE_MAX_DEPTH,
				     h->ncommits > h->first_ref ? "tree" : "commit", hex);
	}
	return 0;
}

static int walk_tree(struct history *h, const git_oid *root, struct buf *path)
{
	int rc = first_time(&h->trees, tree_key(root, path));
	if (rc <= 0)
		return rc;
	const struct tree_visit v = {visit_tree, visit_blob, visit_submodule, visit_unread, h};
	return tree_walk(repo_git(h->repo), root, path, &v);
}

/* The tree of the audited folder in the commit's tree: 1 and *out, 0 when the commit has
 * no such folder, -1 on error. Without a scope, the root tree itself. */
static int scoped_tree(struct history *h, const git_oid *root, git_oid *out)
{
	if (!*h->scope) {
		*out = *root;
		return 1;
	}
	git_tree *tree;
	if (git_tree_lookup(&tree, repo_git(h->repo), root) < 0) {
		git_error_clear();
		history_note_missing(h, root, "tree");
		return 0;
	}
	char folder[4096];
	snprintf(folder, sizeof folder, "%.*s", (int)strlen(h->scope) - 1, h->scope);
	git_tree_entry *e = NULL;
	int found = git_tree_entry_bypath(&e, tree, folder) == 0 &&
		    git_tree_entry_type(e) == GIT_OBJECT_TREE;
	if (found)
		*out = *git_tree_entry_id(e);
	git_error_clear();
	git_tree_entry_free(e);
	git_tree_free(tree);
	return found;
}

static int add_commit(struct history *h, const git_oid *oid)
{
	if (h->ncommits == h->capcommits) {
		size_t cap = h->capcommits ? h->capcommits * 2 : 1024;
		git_oid *p = realloc(h->commits, cap * sizeof *p);
		if (!p)
			return error_set("out of memory");
		h->commits = p;
		h->capcommits = cap;
	}
	h->commits[h->ncommits++] = *oid;
	return 0;
}

static int visit_commit(void *ctx, const git_oid *id, const git_oid *tree)
{
	struct history *h = ctx;
	struct buf path = BUF_INIT;
	buf_puts(&path, "");
	int rc = buf_oom(&path) ? error_set("out of memory") : add_commit(h, id);
	git_oid folder;
	int in = rc ? 0 : scoped_tree(h, tree, &folder);
	if (in < 0)
		rc = -1;
	else if (in)
		rc = walk_tree(h, &folder, &path);
	buf_free(&path);
	if (h->progress && progress_now_ms() - h->drawn_ms > 200) {
		h->drawn_ms = progress_now_ms();
		history_draw_progress(h);
	}
	return rc;
}

static void visit_missing(void *ctx, const git_oid *id, const char *what)
{
	history_note_missing(ctx, id, what);
}

/* Refs to a tree or a blob (git update-ref refs/keep $(git hash-object -w key.js), a tag
 * of a tree): their files are in no commit, and are named after the ref, as git names
 * them: refs/keep, refs/tags/t:config.js. Each gets a place after the commits. */
static int walk_ref_objects(struct history *h, const struct ref_object *refs, size_t n)
{
	h->first_ref = h->ncommits;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		struct buf path = BUF_INIT;
		buf_puts(&path, refs[i].name);
		if (refs[i].type == GIT_OBJECT_TREE)
			buf_putc(&path, ':');
		rc = buf_oom(&path) ? error_set("out of memory") : add_commit(h, &refs[i].id);
		/* a folder's audit reads what is under it: a ref's lone blob is not */
		if (!rc && refs[i].type == GIT_OBJECT_BLOB && !*h->scope)
			rc = add_blob(h, &refs[i].id, path.ptr, path.len);
		else if (!rc && refs[i].type == GIT_OBJECT_BLOB)
			;
		else if (!rc)
			rc = walk_tree(h, &refs[i].id, &path);
		buf_free(&path);
	}
	return rc;
}

static int known_tree(void *ctx, const git_oid *id, const struct buf *path)
{
	struct history *h = ctx;
	int rc = first_time(&h->trees, tree_key(id, path));
	return rc < 0 ? -1 : 0;
}

static int known_blob(void *ctx, const git_oid *id, const struct buf *path)
{
	struct history *h = ctx;
	return first_time(&h->known, blob_path_key(id, path)) < 0 ? -1 : 0;
}

static int known_unread(void *ctx, const git_oid *id, const struct buf *path)
{
	(void)ctx, (void)id, (void)path;
	return 0; /* REV's own damage is not the change's */
}

/* Marks what REV's tree holds (its folders and each file as it is there) as known: the
 * commits after REV bring only what differs. */
static int mark_known(struct history *h, git_commit *rev)
{
	git_oid folder;
	int in = scoped_tree(h, git_commit_tree_id(rev), &folder);
	if (in <= 0)
		return in;
	struct buf path = BUF_INIT;
	buf_puts(&path, "");
	const struct tree_visit v = {known_tree, known_blob, NULL, known_unread, h};
	int rc = buf_oom(&path) ? error_set("out of memory")
				: known_tree(h, &folder, &path);
	if (!rc)
		rc = tree_walk(repo_git(h->repo), &folder, &path, &v);
	buf_free(&path);
	return rc;
}

int history_walk(struct history *h, const char *since)
{
	git_repository *g = repo_git(h->repo);
	git_oid hide;
	if (since) {
		git_object *obj, *commit;
		if (git_revparse_single(&obj, g, since) < 0)
			return error_set("--since %s: no such revision", since);
		int peeled = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT);
		git_object_free(obj);
		if (peeled < 0)
			return error_set("--since %s: not a commit", since);
		hide = *git_object_id(commit);
		int rc = mark_known(h, (git_commit *)commit);
		git_object_free(commit);
		if (rc < 0)
			return -1;
	}
	const struct commit_visit v = {visit_commit, visit_missing, h};
	int rc = commits_walk(g, since ? &hide : NULL, &v, &h->refs, &h->nrefs);
	if (!rc)
		rc = walk_ref_objects(h, h->refs, h->nrefs);
	return rc;
}

void history_note_missing(struct history *h, const git_oid *oid, const char *what)
{
	if (atomic_fetch_add(&h->missing, 1) < MAX_MISSING_NOTES) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof hex, oid);
		sink_note_incomplete(h->sink,
				     "%s %s is missing or unreadable (partial or corrupt clone)",
				     what, hex);
	}
}

void history_draw_progress(struct history *h)
{
	double mb = (double)atomic_load(&h->done_bytes) / 1e6;
	size_t done = h->packed.len ? atomic_load(&h->done_packed) : atomic_load(&h->done_blobs);
	/* the total is known once the walk has listed every blob (or the packs did) */
	size_t total = h->packed.len		    ? h->packed.len
		       : atomic_load(&h->walk_done) ? atomic_load(&h->published)
						    : 0;
	char extra[64];
	snprintf(extra, sizeof extra, "history: %zu commits", h->ncommits);
	progress_draw(&h->bar, done, total, mb, extra, true);
}
