#include "source/commits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"

/* A set of object ids: open addressing on the first 8 bytes, checked on the whole id
 * (two commits crafted to share 8 bytes are still two). */
struct oidset {
	git_oid *ids;
	size_t cap, len;
};

static size_t oid_slot(const git_oid *id, size_t cap)
{
	uint64_t k;
	memcpy(&k, id->id, sizeof k);
	return (size_t)(k * 0x9E3779B97F4A7C15ull) & (cap - 1);
}

static bool is_zero(const git_oid *id)
{
	static const git_oid zero;
	return !memcmp(id->id, zero.id, GIT_OID_RAWSZ);
}

static bool oidset_has(const struct oidset *s, const git_oid *id)
{
	if (!s->cap)
		return false;
	for (size_t i = oid_slot(id, s->cap); !is_zero(&s->ids[i]); i = (i + 1) & (s->cap - 1))
		if (!git_oid_cmp(&s->ids[i], id))
			return true;
	return false;
}

/* Returns 1 when id was added, 0 when it was there, -1 out of memory. The zero id is
 * never added (it marks empty slots; no object has it). */
static int oidset_add(struct oidset *s, const git_oid *id)
{
	if (is_zero(id) || oidset_has(s, id))
		return 0;
	if ((s->len + 1) * 2 > s->cap) {
		struct oidset n = {.cap = s->cap ? s->cap * 2 : 1024};
		if (!(n.ids = calloc(n.cap, sizeof *n.ids)))
			return error_set("out of memory");
		for (size_t i = 0; i < s->cap; i++)
			if (!is_zero(&s->ids[i]))
				oidset_add(&n, &s->ids[i]);
		free(s->ids);
		*s = n;
	}
	size_t i = oid_slot(id, s->cap);
	while (!is_zero(&s->ids[i]))
		i = (i + 1) & (s->cap - 1);
	s->ids[i] = *id;
	s->len++;
	return 1;
}

struct frame {
	git_oid id, tree;
	size_t parents, nparents, next; /* in the walk's parent pool */
	bool loaded;
};

struct walk {
	git_repository *g;
	const struct commit_visit *v;
	struct oidset seen, hidden, shallow;
	struct frame *stack;
	size_t n, cap;
	git_oid *pool;
	size_t npool, cappool;
};

static int push(struct walk *w, const git_oid *id)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 256;
		struct frame *p = realloc(w->stack, cap * sizeof *p);
		if (!p)
			return error_set("out of memory");
		w->stack = p;
		w->cap = cap;
	}
	w->stack[w->n++] = (struct frame){.id = *id, .parents = w->npool};
	return 0;
}

/* Reads the commit on top: its tree and the parents to visit. 1: it cannot be read. */
static int load(struct walk *w, struct frame *f)
{
	git_commit *c;
	f->loaded = true;
	if (git_commit_lookup(&c, w->g, &f->id) < 0) {
		git_error_clear();
		w->v->missing(w->v->ctx, &f->id, "commit");
		return 1;
	}
	f->tree = *git_commit_tree_id(c);
	/* A shallow clone's boundary: its parents were never fetched. */
	unsigned n = oidset_has(&w->shallow, &f->id) ? 0 : git_commit_parentcount(c);
	if (w->npool + n > w->cappool) {
		size_t cap = (w->npool + n) * 2;
		git_oid *p = realloc(w->pool, cap * sizeof *p);
		if (!p) {
			git_commit_free(c);
			return error_set("out of memory");
		}
		w->pool = p;
		w->cappool = cap;
	}
	for (unsigned i = 0; i < n; i++)
		w->pool[w->npool++] = *git_commit_parent_id(c, i);
	f->nparents = n;
	git_commit_free(c);
	return 0;
}

/* Depth first from id, each commit after its parents. With hide set, only marks. */
static int walk_from(struct walk *w, const git_oid *id, struct oidset *mark, bool emit)
{
	if (oidset_has(mark, id) || (emit && oidset_has(&w->hidden, id)))
		return 0;
	if (oidset_add(mark, id) < 0 || push(w, id) < 0)
		return -1;
	int rc = 0;
	while (w->n && !rc) {
		struct frame *f = &w->stack[w->n - 1];
		if (!f->loaded) {
			rc = load(w, f);
			if (rc) {
				w->npool = f->parents;
				w->n--;
				rc = rc < 0 ? -1 : 0;
				continue;
			}
		}
		if (f->next < f->nparents) {
			git_oid p = w->pool[f->parents + f->next++];
			if (oidset_has(mark, &p) || (emit && oidset_has(&w->hidden, &p)))
				continue;
			rc = oidset_add(mark, &p) < 0 || push(w, &p) < 0 ? -1 : 0;
			continue;
		}
		git_oid cid = f->id, tree = f->tree;
		w->npool = f->parents;
		w->n--;
		if (emit)
			rc = w->v->commit(w->v->ctx, &cid, &tree);
	}
	w->n = 0;
	w->npool = 0;
	return rc;
}

/* The commits of the shallow file: their parents are not in this clone. */
static void read_shallow(struct walk *w)
{
	char path[4096];
	snprintf(path, sizeof path, "%sshallow", git_repository_commondir(w->g));
	FILE *f = fopen(path, "r");
	char line[128];
	while (f && fgets(line, sizeof line, f)) {
		git_oid id;
		if (strlen(line) >= GIT_OID_HEXSZ &&
		    git_oid_fromstrn(&id, line, GIT_OID_HEXSZ) == 0)
			oidset_add(&w->shallow, &id);
	}
	if (f)
		fclose(f);
}

struct tip {
	char *name;
	git_oid id;
	git_object_t type;
};

static int by_name(const void *x, const void *y)
{
	return strcmp(((const struct tip *)x)->name, ((const struct tip *)y)->name);
}

/* What a ref names, tags peeled: a commit, a tree or a blob (0 when it cannot be read). */
static git_object_t peel(struct walk *w, git_oid *id)
{
	for (int depth = 0; depth < 100; depth++) {
		git_object *o;
		if (git_object_lookup(&o, w->g, id, GIT_OBJECT_ANY) < 0) {
			git_error_clear();
			w->v->missing(w->v->ctx, id, "object");
			return 0;
		}
		git_object_t type = git_object_type(o);
		if (type == GIT_OBJECT_TAG)
			*id = *git_tag_target_id((git_tag *)o);
		git_object_free(o);
		if (type != GIT_OBJECT_TAG)
			return type;
	}
	return 0; /* a loop of tags */
}

static int add_tip(struct tip **tips, size_t *n, const char *name, const git_oid *id)
{
	struct tip *p = realloc(*tips, (*n + 1) * sizeof *p);
	if (!p)
		return error_set("out of memory");
	*tips = p;
	p[*n] = (struct tip){.name = strdup(name), .id = *id};
	if (!p[*n].name)
		return error_set("out of memory");
	++*n;
	return 0;
}

/* Every ref and HEAD, by name, with what each names. */
static int list_tips(struct walk *w, struct tip **tips, size_t *n)
{
	git_reference_iterator *it;
	if (git_reference_iterator_glob_new(&it, w->g, "refs/*") < 0) {
		const git_error *e = git_error_last();
		return error_set("cannot read refs: %s", e && e->message ? e->message : "");
	}
	int rc = 0;
	git_reference *ref;
	while (!rc && git_reference_next(&ref, it) == 0) {
		git_reference *direct;
		if (git_reference_resolve(&direct, ref) == 0) {
			rc =
			    add_tip(tips, n, git_reference_name(ref), git_reference_target(direct));
			git_reference_free(direct);
		} else {
			git_error_clear(); /* a symbolic ref to nothing: nothing to read */
		}
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	git_error_clear();
	git_oid head;
	if (!rc && git_reference_name_to_id(&head, w->g, "HEAD") == 0)
		rc = add_tip(tips, n, "HEAD", &head);
	git_error_clear(); /* an unborn HEAD: the refs are all there is */
	if (*n > 1)
		qsort(*tips, *n, sizeof **tips, by_name);
	for (size_t i = 0; !rc && i < *n; i++)
		(*tips)[i].type = peel(w, &(*tips)[i].id);
	return rc;
}

int commits_walk(git_repository *g, const git_oid *hide, const struct commit_visit *v,
		 struct ref_object **refs, size_t *nrefs)
{
	struct walk w = {.g = g, .v = v};
	struct tip *tips = NULL;
	size_t ntips = 0;
	*refs = NULL;
	*nrefs = 0;
	read_shallow(&w);
	int rc = list_tips(&w, &tips, &ntips);
	if (!rc && hide)
		rc = walk_from(&w, hide, &w.hidden, false);
	for (size_t i = 0; !rc && i < ntips; i++)
		if (tips[i].type == GIT_OBJECT_COMMIT)
			rc = walk_from(&w, &tips[i].id, &w.seen, true);
	for (size_t i = 0; !rc && i < ntips; i++) {
		if (tips[i].type != GIT_OBJECT_TREE && tips[i].type != GIT_OBJECT_BLOB)
			continue;
		struct ref_object *p = realloc(*refs, (*nrefs + 1) * sizeof *p);
		if (!p) {
			rc = error_set("out of memory");
			break;
		}
		*refs = p;
		p[(*nrefs)++] = (struct ref_object){tips[i].name, tips[i].id, tips[i].type};
		tips[i].name = NULL;
	}
	for (size_t i = 0; i < ntips; i++)
		free(tips[i].name);
	free(tips);
	free(w.seen.ids);
	free(w.hidden.ids);
	free(w.shallow.ids);
	free(w.stack);
	free(w.pool);
	return rc;
}

void commits_refs_free(struct ref_object *refs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(refs[i].name);
	free(refs);
}
