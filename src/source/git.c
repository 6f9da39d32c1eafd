#include "source/git_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "source/ignore.h"
#include "source/index.h"
#include "source/worktree.h"

struct repo {
	git_repository *git;
	struct ignore *ignore; /* built by the first listing or question */
};

int repo_fail(const char *what)
{
	const git_error *e = git_error_last();
	return error_set("%s: %s", what, e && e->message ? e->message : "libgit2 error");
}

int repo_discover(struct repo **out, const char *path)
{
	git_libgit2_init();
	/* Every object is read once: an object cache only costs memory. Pack windows are
	 * bounded so a large history stays within a fixed footprint. Objects are read to be
	 * scanned, as git reads them: zlib's checksum catches damaged data, and hashing
	 * every object again would double the cost of reading the history. */
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)32 * 1024 * 1024);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)4 * 1024 * 1024);
	git_repository *g = NULL;
	int rc = git_repository_open_ext(&g, path, 0, NULL);
	if (rc == GIT_ENOTFOUND)
		return 1;
	if (rc < 0)
		return repo_fail(path);
	struct repo *r = calloc(1, sizeof *r);
	if (!r) {
		git_repository_free(g);
		return error_set("out of memory");
	}
	r->git = g;
	*out = r;
	return 0;
}

git_repository *repo_git(const struct repo *r)
{
	return r->git;
}

void repo_free(struct repo *r)
{
	if (!r)
		return;
	ignore_free(r->ignore);
	git_repository_free(r->git);
	free(r);
	git_libgit2_shutdown();
}

const char *repo_workdir(const struct repo *r)
{
	return git_repository_workdir(r->git);
}

int repo_head(const struct repo *r, char out[HASH_HEX_SIZE])
{
	git_oid oid;
	out[0] = '\0';
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

/* The rules git ignores files by, read once: info/exclude and core.excludesFile here, the
 * .gitignore files as folders are visited. */
static int repo_ignore(struct repo *r, const struct list_notes *notes)
{
	if (r->ignore)
		return 0;
	git_config *cfg = NULL;
	if (git_repository_config_snapshot(&cfg, r->git) < 0)
		return repo_fail("cannot read the git config");
	int icase = 0;
	if (git_config_get_bool(&icase, cfg, "core.ignorecase") < 0)
		icase = 0;
	git_buf excludes = {0};
	struct buf path = BUF_INIT;
	int rc = ignore_new(&r->ignore, icase != 0, notes);
	if (!rc) {
		/* named from the working tree when it holds the repository, as .git/info/exclude */
		const char *wd = git_repository_workdir(r->git);
		buf_printf(&path, "%sinfo/exclude", git_repository_commondir(r->git));
		size_t wl = wd ? strlen(wd) : 0;
		const char *shown =
		    wl && !strncmp(path.ptr ? path.ptr : "", wd, wl) ? path.ptr + wl : path.ptr;
		rc = buf_oom(&path) ? error_set("out of memory")
				    : ignore_add_file(r->ignore, IGNORE_INFO, path.ptr, shown);
	}
	/* core.excludesFile, by default $XDG_CONFIG_HOME/git/ignore */
	buf_reset(&path);
	if (git_config_get_path(&excludes, cfg, "core.excludesFile") == 0) {
		if (excludes.ptr[0] != '/')
			buf_puts(&path, git_repository_workdir(r->git));
		buf_puts(&path, excludes.ptr);
	} else if (getenv("XDG_CONFIG_HOME") && *getenv("XDG_CONFIG_HOME")) {
		buf_printf(&path, "%s/git/ignore", getenv("XDG_CONFIG_HOME"));
	} else if (getenv("HOME")) {
		buf_printf(&path, "%s/.config/git/ignore", getenv("HOME"));
	}
	git_error_clear();
	if (!rc && path.len)
		rc = buf_oom(&path) ? error_set("out of memory")
				    : ignore_add_file(r->ignore, IGNORE_GLOBAL, path.ptr, path.ptr);
	buf_free(&path);
	git_buf_dispose(&excludes);
	git_config_free(cfg);
	return rc;
}

int repo_list_files(struct repo *r, const char *prefix, struct file_list *out,
		    const struct list_notes *notes)
{
	const char *workdir = git_repository_workdir(r->git);
	struct index_paths idx;
	struct buf path = BUF_INIT;
	buf_printf(&path, "%sindex", git_repository_path(r->git));
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
		/* submodules are other repositories */
		if (e->mode == INDEX_MODE_GITLINK || !under(e->path, prefix, plen))
			continue;
		unsigned flags = FILE_TRACKED | (e->mode == INDEX_MODE_LINK ? FILE_SYMLINK : 0);
		rc = file_list_add(out, e->path, e->len, flags);
	}
	if (!rc)
		rc = worktree_list_untracked(out, workdir, prefix, &idx, r->ignore, notes);
	index_paths_free(&idx);
	return rc;
}

int repo_is_ignored(struct repo *r, const char *path, bool *ignored)
{
	const char *workdir = git_repository_workdir(r->git);
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
