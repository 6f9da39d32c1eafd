/* Trees from the object database: a revision's tree (for --since) and the staged change
 * (for the pre-commit hook). Nothing is checked out; blobs are read from the ODB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/flow_stage.h"
#include "core/error.h"
#include "source/git_private.h"
#include "source/history.h"

/* Scans one blob as path into out; skips links, submodules and oversized blobs. */
static int scan_blob(struct worker *w, git_repository *g, const git_oid *id, const char *path,
		     size_t max_size, struct finding_list *out)
{
	git_blob *blob;
	if (git_blob_lookup(&blob, g, id) < 0) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof hex, id);
		git_error_clear();
		return error_set("%s: blob %s is missing", path, hex);
	}
	int rc = 0;
	if ((size_t)git_blob_rawsize(blob) > max_size)
		scan_worker_skipped_large(w);
	else
		rc = scan_worker_unit(w, path, FILE_TRACKED, git_blob_rawcontent(blob),
				      (size_t)git_blob_rawsize(blob), SCOPE_TREE, out);
	git_blob_free(blob);
	return rc < 0 ? -1 : 0;
}

struct rev_walk {
	struct scan *scan;
	struct worker *w;
	git_repository *g;
	struct finding_list *out;
	int rc;
};

static int rev_entry(const char *root, const git_tree_entry *e, void *payload)
{
	struct rev_walk *rw = payload;
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB || git_tree_entry_filemode(e) == GIT_FILEMODE_LINK)
		return 0;
	size_t n = strlen(root) + strlen(git_tree_entry_name(e)) + 1;
	char *path = malloc(n);
	if (!path) {
		rw->rc = error_set("out of memory");
		return -1;
	}
	snprintf(path, n, "%s%s", root, git_tree_entry_name(e));
	rw->rc = file_list_add(&rw->scan->files, path, n - 1, FILE_TRACKED);
	if (!rw->rc)
		rw->rc = scan_blob(rw->w, rw->g, git_tree_entry_id(e), path,
				   rw->scan->opt->max_file_size, rw->out);
	free(path);
	return rw->rc ? -1 : 0;
}

int rev_scan(struct scan *s, struct repo *r, const char *rev, struct finding_list *out)
{
	git_repository *g = repo_git(r);
	git_object *obj;
	if (git_revparse_single(&obj, g, rev) < 0) {
		git_error_clear();
		return error_set("%s: no such revision", rev);
	}
	git_tree *tree;
	int peeled = git_object_peel((git_object **)&tree, obj, GIT_OBJECT_TREE);
	git_object_free(obj);
	if (peeled < 0)
		return error_set("%s: not a commit or tree", rev);
	/* Scanning into the scan's own list is the audit of a bare repository's HEAD;
	 * anything else gets a scan of its own, so REV's files and counters stay out. */
	struct scan past, *into = s;
	bool own = out != &s->findings;
	if (own) {
		if (scan_init(&past, s->rules, s->opt) < 0) {
			git_tree_free(tree);
			return -1;
		}
		past.repo = r;
		into = &past;
	}
	struct worker *w = scan_worker_new(into);
	struct rev_walk rw = {into, w, g, &into->findings, 0};
	int rc = w ? 0 : -1;
	if (!rc && git_tree_walk(tree, GIT_TREEWALK_PRE, rev_entry, &rw) < 0)
		rc = rw.rc ? rw.rc : repo_fail(rev);
	scan_worker_free(w);
	git_tree_free(tree);
	if (!rc)
		rc = flow_stage_run(into, &into->findings);
	if (!rc)
		rc = scan_run_finishers(into);
	if (!rc)
		rc = scan_finish(into);
	if (own) {
		if (!rc)
			rc = finding_list_take(out, &past.findings);
		past.repo = NULL;
		scan_free(&past);
	}
	return rc;
}

static const char *finding_key(const struct finding *f)
{
	return f->secret_hash[0] ? f->secret_hash : f->match;
}

/* Keeps the findings of now that before does not have: by rule and secret (or matched
 * text), counted, so a key moved to another line or a renamed file is not new. */
static int keep_introduced(struct finding_list *now, struct finding_list *before,
			   struct finding_list *out)
{
	bool *used = calloc(before->len ? before->len : 1, sizeof *used);
	if (!used)
		return error_set("out of memory");
	int rc = 0;
	for (size_t i = 0; i < now->len && !rc; i++) {
		struct finding *f = &now->items[i];
		bool seen = false;
		for (size_t j = 0; j < before->len && !seen; j++) {
			if (!used[j] && before->items[j].rule == f->rule &&
			    !strcmp(finding_key(&before->items[j]), finding_key(f)))
				seen = used[j] = true;
		}
		if (seen)
			continue;
		struct finding *k = finding_list_add(out);
		if (!k) {
			rc = -1;
			break;
		}
		*k = *f;
		memset(f, 0, sizeof *f);
	}
	free(used);
	return rc;
}

int staged_scan(struct scan *s, struct repo *r)
{
	git_repository *g = repo_git(r);
	git_index *index = NULL;
	git_tree *head = NULL;
	git_diff *diff = NULL;
	struct scan past;
	struct worker *w = NULL, *wpast = NULL;
	int rc = scan_init(&past, s->rules, s->opt);
	if (rc < 0)
		return -1;
	past.repo = r;
	if (git_repository_index(&index, g) < 0) {
		rc = repo_fail("cannot read the git index");
		goto out;
	}
	git_object *obj;
	if (git_revparse_single(&obj, g, "HEAD^{tree}") == 0)
		head = (git_tree *)obj;
	else
		git_error_clear(); /* no commit yet: everything staged is new */
	git_diff_options opts;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	if (git_diff_tree_to_index(&diff, g, head, index, &opts) < 0 ||
	    git_diff_find_similar(diff, NULL) < 0) {
		rc = repo_fail("cannot diff the index against HEAD");
		goto out;
	}
	if (!(w = scan_worker_new(s)) || !(wpast = scan_worker_new(&past))) {
		rc = -1;
		goto out;
	}
	s->partial_tree = past.partial_tree = true;
	size_t n = git_diff_num_deltas(diff);
	for (size_t i = 0; i < n && !rc; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		if (d->status == GIT_DELTA_DELETED || d->new_file.mode == GIT_FILEMODE_LINK ||
		    d->new_file.mode == GIT_FILEMODE_COMMIT)
			continue;
		struct finding_list now = {0}, before = {0};
		const char *path = d->new_file.path;
		rc = file_list_add(&s->files, path, strlen(path), FILE_TRACKED);
		if (!rc)
			rc = scan_blob(w, g, &d->new_file.id, path, s->opt->max_file_size, &now);
		if (!rc && d->status != GIT_DELTA_ADDED && !git_oid_is_zero(&d->old_file.id) &&
		    (d->old_file.mode == GIT_FILEMODE_BLOB ||
		     d->old_file.mode == GIT_FILEMODE_BLOB_EXECUTABLE))
			rc = scan_blob(wpast, g, &d->old_file.id, d->old_file.path,
				       s->opt->max_file_size, &before);
		if (!rc)
			rc = keep_introduced(&now, &before, &s->findings);
		finding_list_free(&now);
		finding_list_free(&before);
	}
	if (!rc) {
		/* the flow rules judge the changed files together, as they stand before and after */
		struct finding_list now = {0}, before = {0};
		rc = flow_stage_run(s, &now);
		if (!rc)
			rc = flow_stage_run(&past, &before);
		if (!rc)
			rc = keep_introduced(&now, &before, &s->findings);
		finding_list_free(&now);
		finding_list_free(&before);
	}
out:
	scan_worker_free(w);
	scan_worker_free(wpast);
	past.repo = NULL;
	scan_free(&past);
	git_diff_free(diff);
	git_tree_free(head);
	git_index_free(index);
	if (!rc)
		rc = scan_finish(s);
	return rc;
}
