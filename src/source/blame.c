/* --since REV without --history: each new finding of the working tree names the commit
 * after REV that brought its line (git blame from HEAD back to REV), or none when the
 * line is not committed yet or predates REV (a change elsewhere made it a finding). */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "source/git_private.h"
#include "source/history.h"
#include "source/history_state.h"

/* The blame of path (relative to the scope) as the working tree has it, or NULL when
 * it cannot be had: a file git does not track, a path HEAD does not hold. */
struct blame_ctx {
	struct repo *repo;
	const char *root;
	size_t max_file_size;
};

static git_blame *blame_path(const struct blame_ctx *s, git_repository *g, const git_oid *rev,
			     const char *path)
{
	char full[4096], spec[4200];
	snprintf(full, sizeof full, "%s%s", repo_scope(s->repo), path);
	/* a file HEAD does not hold (new, staged) is nobody's commit yet; blaming it anyway
	 * leaks in libgit2 1.5, as blaming the working tree's buffer does */
	git_object *blob = NULL;
	if ((size_t)snprintf(spec, sizeof spec, "HEAD:%s", full) >= sizeof spec ||
	    git_revparse_single(&blob, g, spec) < 0 || git_object_type(blob) != GIT_OBJECT_BLOB) {
		git_error_clear();
		git_object_free(blob);
		return NULL;
	}
	/* a file edited since HEAD: its lines are not HEAD's, and an edited line is nobody's
	 * commit yet, so none of it is attributed */
	size_t len = 0;
	char *text = s->root ? file_read_small(s->root, path, s->max_file_size, &len) : NULL;
	bool same = !text || (git_blob_rawsize((git_blob *)blob) == (git_object_size_t)len &&
			      !memcmp(git_blob_rawcontent((git_blob *)blob), text, len));
	free(text);
	git_object_free(blob);
	if (!same)
		return NULL;
	git_blame_options opts;
	git_blame_options_init(&opts, GIT_BLAME_OPTIONS_VERSION);
	opts.oldest_commit = *rev;
	git_blame *head = NULL;
	if (git_blame_file(&head, g, full, &opts) < 0) {
		git_error_clear();
		return NULL;
	}
	return head;
}

int since_attribute(struct finding_list *findings, struct repo *r, const char *root,
		    size_t max_file_size, const char *rev)
{
	git_repository *g = repo_git(r);
	git_object *obj, *commit;
	if (git_revparse_single(&obj, g, rev) < 0) {
		git_error_clear();
		return error_set("%s: no such revision", rev);
	}
	int peeled = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT);
	git_object_free(obj);
	if (peeled < 0) {
		git_error_clear();
		return 0; /* a tree: nothing to blame against */
	}
	git_oid base = *git_object_id(commit);
	git_object_free(commit);
	const struct blame_ctx ctx = {r, root, max_file_size};
	git_blame *blame = NULL;
	const char *blamed = NULL;
	int rc = 0;
	for (size_t i = 0; i < findings->len && !rc; i++) {
		struct finding *f = &findings->items[i];
		if (f->commit || f->line <= 0)
			continue;
		if (!blamed || strcmp(blamed, f->path)) {
			git_blame_free(blame);
			blame = blame_path(&ctx, g, &base, f->path);
			blamed = f->path;
		}
		const git_blame_hunk *hunk = blame ? git_blame_get_hunk_byline(blame, (size_t)f->line)
						   : NULL;
		if (!hunk || hunk->boundary || git_oid_is_zero(&hunk->final_commit_id) ||
		    !git_oid_cmp(&hunk->final_commit_id, &base))
			continue;
		rc = commit_info_fill(g, &hunk->final_commit_id, &f->commit);
		f->found = FOUND_TREE;
	}
	git_blame_free(blame);
	return rc;
}
