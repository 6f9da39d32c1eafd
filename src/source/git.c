#include "source/git_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

struct repo {
	git_repository *git;
	struct file_list submodules; /* met by repo_list_files */
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
	git_repository_free(r->git);
	file_list_free(&r->submodules);
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

int repo_list_files(struct repo *r, const char *prefix, struct file_list *out)
{
	size_t plen = strlen(prefix);
	git_index *index = NULL;
	if (git_repository_index(&index, r->git) < 0)
		return repo_fail("cannot read the git index");
	size_t n = git_index_entrycount(index);
	const char *last = NULL;
	for (size_t i = 0; i < n; i++) {
		const git_index_entry *e = git_index_get_byindex(index, i);
		/* Conflicted paths appear once per stage: keep one. Submodules are other
		 * repositories. */
		if (!e || (last && !strcmp(last, e->path)))
			continue;
		last = e->path;
		if (!under(e->path, prefix, plen))
			continue;
		if (e->mode == GIT_FILEMODE_COMMIT) {
			if (file_list_add(&r->submodules, e->path, strlen(e->path), FILE_TRACKED) <
			    0) {
				git_index_free(index);
				return -1;
			}
			continue;
		}
		unsigned flags = FILE_TRACKED;
		if (e->mode == GIT_FILEMODE_LINK)
			flags |= FILE_SYMLINK;
		if (file_list_add(out, e->path, strlen(e->path), flags) < 0) {
			git_index_free(index);
			return -1;
		}
	}
	git_index_free(index);

	git_status_options opts;
	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	opts.show = GIT_STATUS_SHOW_WORKDIR_ONLY;
	opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
		     GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	char *spec = (char *)prefix;
	if (plen) {
		opts.pathspec.strings = &spec;
		opts.pathspec.count = 1;
	}
	git_status_list *st = NULL;
	if (git_status_list_new(&st, r->git, &opts) < 0) {
		repo_fail("untracked files not listed");
		return 1; /* the tracked files are listed: the scan goes on without the rest */
	}
	size_t count = git_status_list_entrycount(st);
	int rc = 0;
	for (size_t i = 0; i < count && !rc; i++) {
		const git_status_entry *e = git_status_byindex(st, i);
		if (!(e->status & GIT_STATUS_WT_NEW) || !e->index_to_workdir)
			continue;
		const char *p = e->index_to_workdir->new_file.path;
		if (!under(p, prefix, plen))
			continue;
		rc = file_list_add(out, p, strlen(p), FILE_UNTRACKED);
	}
	git_status_list_free(st);
	return rc;
}

const struct file_list *repo_submodules(const struct repo *r)
{
	return &r->submodules;
}

int repo_is_ignored(struct repo *r, const char *path, bool *ignored)
{
	int v = 0;
	if (git_ignore_path_is_ignored(&v, r->git, path) < 0)
		return repo_fail(path);
	*ignored = v != 0;
	return 0;
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
