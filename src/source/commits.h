/* The commits of a repository, every ref's (branches, tags, remote-tracking branches, the
 * stash, a detached HEAD), parents before children, walked without libgit2's revwalk:
 * a commit that cannot be read (a partial clone, a damaged object, the parents of a
 * shallow clone's boundary) is named and the walk goes on with every other commit it
 * can reach. Refs that name a tree or a blob rather than a commit are listed too. */
#ifndef OCPAY_COMMITS_H
#define OCPAY_COMMITS_H

#include <git2.h>
#include <stddef.h>

/* A ref (or a tag it names) pointing at a tree or a blob. */
struct ref_object {
	char *name; /* "refs/keep" */
	git_oid id;
	git_object_t type; /* GIT_OBJECT_TREE or GIT_OBJECT_BLOB */
};

struct commit_visit {
	/* Each commit once, its parents (those that can be read) before it. Returns 0, or
	 * -1 (error set) to stop. */
	int (*commit)(void *ctx, const git_oid *id, const git_oid *tree);
	/* An object a ref or a commit names that cannot be read; what: "commit", "object". */
	void (*missing)(void *ctx, const git_oid *id, const char *what);
	void *ctx;
};

/* Visits every commit reachable from the refs and HEAD but not from hide (NULL: none);
 * *refs (freed with commits_refs_free) gets the refs to trees and blobs, by name.
 * Returns 0, or -1 with the error set. */
int commits_walk(git_repository *g, const git_oid *hide, const struct commit_visit *v,
		 struct ref_object **refs, size_t *nrefs);
void commits_refs_free(struct ref_object *refs, size_t n);

#endif
