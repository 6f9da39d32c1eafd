/* The history's findings, once read: each given the commit that brought it (or the ref
 * that names its object), then one per secret per path at its earliest commit, merged
 * with the working tree's finding of the same key. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "source/git_private.h"
#include "source/history_state.h"

/* Gives each finding the commit that brought its blob to its path, or for the objects
 * of refs that name no commit, the object and the ref. */
int commit_info_fill(git_repository *g, const git_oid *id, struct commit_info **out)
{
	struct commit_info *ci = calloc(1, sizeof *ci);
	if (!ci)
		return error_set("out of memory");
	git_oid_tostr(ci->id, sizeof ci->id, id);
	git_commit *c;
	if (git_commit_lookup(&c, g, id) == 0) {
		const git_signature *a = git_commit_author(c);
		char date[40];
		time_t t = (time_t)a->when.time;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
		struct buf who = BUF_INIT;
		buf_printf(&who, "%s <%s>", a->name ? a->name : "", a->email ? a->email : "");
		ci->author = buf_detach(&who);
		ci->date = strdup(date);
		git_commit_free(c);
	} else {
		ci->author = strdup("");
		ci->date = strdup("");
	}
	*out = ci;
	return ci->author && ci->date ? 0 : error_set("out of memory");
}

int history_attribute(struct history *h, struct finding_list *found)
{
	for (size_t i = 0; i < found->len; i++) {
		struct finding *f = &found->items[i];
		if (f->history_order < h->first_ref) {
			if (commit_info_fill(repo_git(h->repo), &h->commits[f->history_order], &f->commit) < 0)
				return -1;
			continue;
		}
		struct commit_info *ci = f->commit = calloc(1, sizeof *ci);
		if (!ci)
			return error_set("out of memory");
		git_oid_tostr(ci->id, sizeof ci->id, &h->commits[f->history_order]);
		ci->author = strdup("");
		ci->date = strdup("");
		if (!ci->author || !ci->date)
			return error_set("out of memory");
	}
	return 0;
}

/* ---- phase 3: one finding per secret per path, at its earliest commit ---- */

static const char *key_of(const struct finding *f)
{
	return f->secret_hash[0] ? f->secret_hash : f->match;
}

static int earliest_first(const void *x, const void *y)
{
	const struct finding *a = x, *b = y;
	int c = strcmp(finding_rule_id(a), finding_rule_id(b));
	if (!c)
		c = strcmp(a->path, b->path);
	if (!c)
		c = strcmp(key_of(a), key_of(b));
	if (!c)
		c = a->history_order < b->history_order ? -1 : a->history_order > b->history_order;
	return c;
}

static bool same_leak(const struct finding *a, const struct finding *b)
{
	return a->rule == b->rule && !strcmp(a->path, b->path) && !strcmp(key_of(a), key_of(b));
}

/* The working-tree finding of the same leak (rule, path, key) not yet given its commit,
 * or NULL. */
static struct finding *in_tree(const struct finding_list *tree, const struct finding *f)
{
	for (size_t i = 0; i < tree->len; i++) {
		struct finding *t = &tree->items[i];
		if (t->rule == f->rule && !t->commit && finding_scopes(t) == FOUND_TREE &&
		    !strcmp(t->path, f->path) && !strcmp(key_of(t), key_of(f)))
			return t;
	}
	return NULL;
}

/* What the message says of where the leak is. */
static void describe(const struct history *h, const struct finding *f, size_t later,
		     const struct finding_list *tree, struct buf *msg)
{
	if (f->history_order >= h->first_ref) {
		const struct ref_object *ref = &h->refs[f->history_order - h->first_ref];
		buf_printf(msg, "%s; in no commit: only %s names it (a ref to a %s): delete the "
				"ref and rotate the key",
			   f->message, ref->name, ref->type == GIT_OBJECT_TREE ? "tree" : "blob");
		return;
	}
	struct finding *t = in_tree(tree, f);
	buf_printf(msg, "%s; committed in %.12s (%s)", t ? t->message : f->message, f->commit->id,
		   f->commit->date);
	if (later)
		buf_printf(msg, ", still in %zu later version%s", later, later == 1 ? "" : "s");
	buf_puts(msg, t ? "; still in the working tree"
		       : "; removed from HEAD, still in history: rotate the key");
}

int history_keep_earliest(const struct history *h, struct finding_list *tree,
			  struct finding_list *found)
{
	if (found->len > 1)
		qsort(found->items, found->len, sizeof *found->items, earliest_first);
	struct finding_list kept = {0};
	int rc = 0;
	for (size_t i = 0; i < found->len && !rc; i++) {
		struct finding *f = &found->items[i];
		size_t later = 0;
		while (i + 1 + later < found->len && same_leak(f, &found->items[i + 1 + later]))
			later++;
		struct buf msg = BUF_INIT;
		describe(h, f, later, tree, &msg);
		char *m = buf_detach(&msg);
		if (!m) {
			rc = error_set("out of memory");
			break;
		}
		/* still in the working tree: one finding, in both, with the commit that
		 * introduced it */
		struct finding *t = f->history_order < h->first_ref ? in_tree(tree, f) : NULL;
		if (t) {
			free(t->message);
			t->message = m;
			t->commit = f->commit;
			f->commit = NULL;
			t->history_order = f->history_order;
			t->found = FOUND_TREE | FOUND_HISTORY;
			finding_clear(f);
			for (size_t j = 1; j <= later; j++)
				finding_clear(&found->items[i + j]);
			i += later;
			continue;
		}
		free(f->message);
		f->message = m;
		struct finding *k = finding_list_add(&kept);
		if (!k) {
			rc = -1;
			break;
		}
		*k = *f;
		memset(f, 0, sizeof *f);
		for (size_t j = 1; j <= later; j++)
			finding_clear(&found->items[i + j]);
		i += later;
	}
	/* Cleared entries are all zero: freeing them is a no-op. */
	finding_list_free(found);
	if (!rc)
		rc = finding_list_take(tree, &kept);
	finding_list_free(&kept);
	return rc;
}
