#include "source/git_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "source/gitdir.h"
#include "source/ignore.h"
#include "source/index.h"
#include "source/worktree.h"

struct repo {
	char *path;	      /* what discovery started from, for opening libgit2 later */
	struct gitdir layout; /* read without libgit2, when fast */
	bool fast;
	git_repository *git;   /* opened when needed (repo_open_git) */
	struct ignore *ignore; /* built by the first listing or question */
	struct file_list submodules; /* met by repo_list_files */
};

int repo_fail(const char *what)
{
	const git_error *e = git_error_last();
	return error_set("%s: %s", what, e && e->message ? e->message : "libgit2 error");
}

/* Opens the repository with libgit2: 0, 1 when libgit2 finds none, -1 with the error set. */
static int open_git(struct repo *r)
{
	if (r->git)
		return 0;
	git_libgit2_init();
	/* Every object is read once: an object cache only costs memory. Pack windows are
	 * bounded so a large history stays within a fixed footprint. Objects are read to be
	 * scanned, as git reads them: zlib's checksum catches damaged data, and hashing
	 * every object again would double the cost of reading the history. */
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)32 * 1024 * 1024);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)4 * 1024 * 1024);
	int rc = git_repository_open_ext(&r->git, r->path, 0, NULL);
	if (rc < 0) {
		r->git = NULL;
		rc = rc == GIT_ENOTFOUND ? 1 : repo_fail(r->path);
		git_libgit2_shutdown();
	}
	return rc;
}

int repo_open_git(struct repo *r)
{
	int rc = open_git(r);
	return rc == 1 ? error_set("%s: not a git repository", r->path) : rc;
}

int repo_discover(struct repo **out, const char *path)
{
	struct repo *r = calloc(1, sizeof *r);
	if (!r || !(r->path = strdup(path))) {
		free(r);
		return error_set("out of memory");
	}
	int rc = gitdir_find(&r->layout, path);
	r->fast = rc == 0;
	if (rc == 2) /* a layout only libgit2 reads */
		rc = open_git(r);
	if (rc) {
		repo_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

git_repository *repo_git(const struct repo *r)
{
	/* history and staged changes come after repo_open_git(); opening here too keeps a
	 * caller that forgot from reading a NULL repository */
	if (!r->git)
		repo_open_git((struct repo *)r);
	return r->git;
}

void repo_free(struct repo *r)
{
	if (!r)
		return;
	ignore_free(r->ignore);
	if (r->git) {
		git_repository_free(r->git);
		git_libgit2_shutdown();
	}
	gitdir_free(&r->layout);
	file_list_free(&r->submodules);
	free(r->path);
	free(r);
}

const char *repo_workdir(const struct repo *r)
{
	return r->fast ? r->layout.workdir : git_repository_workdir(r->git);
}

int repo_head(struct repo *r, char out[HASH_HEX_SIZE])
{
	out[0] = '\0';
	if (r->fast) {
		int rc = gitdir_head(&r->layout, out);
		if (rc != 2)
			return rc;
		if (repo_open_git(r) < 0)
			return -1;
	}
	git_oid oid;
	int rc = git_reference_name_to_id(&oid, r->git, "HEAD");
	if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH)
		return 1;
	if (rc < 0)
		return repo_fail("cannot resolve HEAD");
	git_oid_tostr(out, HASH_HEX_SIZE, &oid);
	return 0;
}

static bool under(const char *path, const char *prefix, size_t plen)
{
	return plen == 0 || strncmp(path, prefix, plen) == 0;
}

/* The index as libgit2 reads it, for what index_read() does not read itself. */
static int index_from_libgit2(struct repo *r, struct index_paths *idx)
{
	git_index *index = NULL;
	if (repo_open_git(r) < 0)
		return -1;
	if (git_repository_index(&index, r->git) < 0)
		return repo_fail("cannot read the git index");
	size_t n = git_index_entrycount(index);
	const char *last = NULL;
	int rc = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		const git_index_entry *e = git_index_get_byindex(index, i);
		/* conflicted paths appear once per stage: keep one */
		if (!e || (last && !strcmp(last, e->path)))
			continue;
		last = e->path;
		rc = index_add(idx, e->path, e->mode);
	}
	git_index_free(index);
	return rc;
}

/* core.ignorecase and core.excludesFile through libgit2, for the layouts gitdir.c leaves
 * to it. *excludes is NULL when not set. */
static int config_from_libgit2(struct repo *r, bool *icase, char **excludes)
{
	git_config *cfg = NULL;
	if (repo_open_git(r) < 0)
		return -1;
	if (git_repository_config_snapshot(&cfg, r->git) < 0)
		return repo_fail("cannot read the git config");
	int v = 0;
	*icase = git_config_get_bool(&v, cfg, "core.ignorecase") == 0 && v;
	git_buf value = {0};
	*excludes = NULL;
	int rc = 0;
	if (git_config_get_path(&value, cfg, "core.excludesFile") == 0 &&
	    !(*excludes = strdup(value.ptr)))
		rc = error_set("out of memory");
	git_error_clear();
	git_buf_dispose(&value);
	git_config_free(cfg);
	return rc;
}

/* The rules git ignores files by, read once: info/exclude and core.excludesFile here, the
 * .gitignore files as folders are visited. */
static int repo_ignore(struct repo *r, const struct list_notes *notes)
{
	if (r->ignore)
		return 0;
	bool icase = r->layout.icase;
	char *excludes = NULL;
	if (!r->fast && config_from_libgit2(r, &icase, &excludes) < 0)
		return -1;
	const char *set = r->fast ? r->layout.excludes : excludes;
	const char *wd = repo_workdir(r);
	const char *common = r->fast ? r->layout.commondir : git_repository_commondir(r->git);
	struct buf path = BUF_INIT;
	int rc = ignore_new(&r->ignore, icase, notes);
	if (!rc) {
		/* named from the working tree when it holds the repository, as .git/info/exclude */
		buf_printf(&path, "%sinfo/exclude", common);
		size_t wl = wd ? strlen(wd) : 0;
		const char *shown =
		    wl && path.ptr && !strncmp(path.ptr, wd, wl) ? path.ptr + wl : path.ptr;
		rc = buf_oom(&path) ? error_set("out of memory")
				    : ignore_add_file(r->ignore, IGNORE_INFO, path.ptr, shown);
	}
	/* core.excludesFile (relative to the working tree), by default
	 * $XDG_CONFIG_HOME/git/ignore */
	buf_reset(&path);
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (set) {
		if (set[0] != '/' && wd)
			buf_puts(&path, wd);
		buf_puts(&path, set);
	} else if (xdg && *xdg) {
		buf_printf(&path, "%s/git/ignore", xdg);
	} else if (home) {
		buf_printf(&path, "%s/.config/git/ignore", home);
	}
	if (!rc && path.len)
		rc = buf_oom(&path) ? error_set("out of memory")
				    : ignore_add_file(r->ignore, IGNORE_GLOBAL, path.ptr, path.ptr);
	buf_free(&path);
	free(excludes);
	return rc;
}

int repo_list_files(struct repo *r, const char *prefix, struct file_list *out,
		    const struct list_notes *notes)
{
	const char *workdir = repo_workdir(r);
	struct index_paths idx;
	struct buf path = BUF_INIT;
	buf_printf(&path, "%sindex", r->fast ? r->layout.gitdir : git_repository_path(r->git));
	if (buf_oom(&path))
		return error_set("out of memory");
	int rc = index_read(&idx, path.ptr);
	buf_free(&path);
	if (rc == 1)
		rc = index_from_libgit2(r, &idx);
	if (!rc)
		rc = repo_ignore(r, notes);
	if (!rc)
		index_sort(&idx, ignore_icase(r->ignore));
	size_t plen = strlen(prefix);
	for (size_t i = 0; !rc && i < idx.len; i++) {
		const struct index_path *e = &idx.items[i];
		if (!under(e->path, prefix, plen))
			continue;
		/* submodules are other repositories: named, not listed */
		if (e->mode == INDEX_MODE_GITLINK) {
			rc = file_list_add(&r->submodules, e->path, e->len, FILE_TRACKED);
			continue;
		}
		unsigned flags = FILE_TRACKED | (e->mode == INDEX_MODE_LINK ? FILE_SYMLINK : 0);
		rc = file_list_add(out, e->path, e->len, flags);
	}
	if (!rc)
		rc = worktree_list_untracked(out, workdir, prefix, &idx, r->ignore, notes);
	index_paths_free(&idx);
	return rc;
}

const struct file_list *repo_submodules(const struct repo *r)
{
	return &r->submodules;
}

int repo_is_ignored(struct repo *r, const char *path, bool *ignored)
{
	const char *workdir = repo_workdir(r);
	*ignored = false;
	if (!workdir)
		return 0;
	if (repo_ignore(r, NULL) < 0)
		return -1;
	return ignore_path(r->ignore, workdir, path, ignored);
}

int repo_hooks_dir(struct repo *r, char **out)
{
	git_config *cfg = NULL;
	git_buf value = {0};
	int rc = 0;
	if (repo_open_git(r) < 0)
		return -1;
	if (git_repository_config_snapshot(&cfg, r->git) < 0)
		return repo_fail("cannot read the git config");
	if (git_config_get_path(&value, cfg, "core.hooksPath") == 0) {
		const char *base = git_repository_workdir(r->git);
		if (!base)
			base = git_repository_path(r->git);
		size_t n = strlen(base) + strlen(value.ptr) + 2;
		*out = malloc(n);
		if (!*out)
			rc = error_set("out of memory");
		else if (value.ptr[0] == '/')
			snprintf(*out, n, "%s", value.ptr);
		else
			snprintf(*out, n, "%s%s", base, value.ptr);
	} else {
		git_error_clear();
		git_buf_dispose(&value);
		if (git_repository_item_path(&value, r->git, GIT_REPOSITORY_ITEM_HOOKS) < 0)
			rc = repo_fail("cannot find the hooks folder");
		else if (!(*out = strdup(value.ptr)))
			rc = error_set("out of memory");
	}
	git_buf_dispose(&value);
	git_config_free(cfg);
	if (!rc) {
		size_t n = strlen(*out);
		while (n > 1 && (*out)[n - 1] == '/')
			(*out)[--n] = '\0';
	}
	return rc;
}
