#include "source/paths.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "source/git.h"
#include "source/walk.h"

/* The absolute name of path without following its last component (a named link stays a
 * link): its folder resolved, its base name kept. */
static int absolute_name(char *out, size_t size, const char *path)
{
	char a[PATH_MAX], b[PATH_MAX], dir[PATH_MAX];
	snprintf(a, sizeof a, "%s", path);
	snprintf(b, sizeof b, "%s", path);
	const char *base = basename(a);
	if (!realpath(dirname(b), dir))
		return error_set("%s: %s", path, strerror(errno));
	if (!strcmp(base, ".") || !strcmp(base, "/") || !strcmp(base, "..")) {
		if (!realpath(path, out))
			return error_set("%s: %s", path, strerror(errno));
		return 0;
	}
	if ((size_t)snprintf(out, size, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", base) >= size)
		return error_set("%s: path too long", path);
	return 0;
}

/* path relative to root (which ends in '/'), or NULL when it is outside. */
static const char *inside(const char *root, const char *abs)
{
	size_t n = strlen(root);
	if (!strncmp(abs, root, n))
		return abs + n;
	if (!strncmp(abs, root, n - 1) && !abs[n - 1])
		return ""; /* the root itself */
	return NULL;
}

static int cmp_entry(const void *x, const void *y)
{
	return strcmp(((const struct file_entry *)x)->path, ((const struct file_entry *)y)->path);
}

/* The listed entry for rel, or NULL. */
static const struct file_entry *find(const struct file_list *all, const char *rel)
{
	struct file_entry key = {.path = (char *)rel};
	return bsearch(&key, all->items, all->len, sizeof key, cmp_entry);
}

static void skipped(void *ctx, const char *path, const char *why)
{
	sink_note_incomplete(ctx, "%s: cannot read folder: %s", path, why);
}

/* A folder outside git: its files, named from root. */
static int add_folder(struct file_list *files, const struct unit_sink *notes, const char *abs,
		      const char *rel)
{
	struct file_list sub = {0};
	int rc = walk_folder(abs, &sub, skipped, (void *)notes);
	for (size_t i = 0; !rc && i < sub.len; i++) {
		char name[PATH_MAX];
		int n = snprintf(name, sizeof name, "%s%s%s", rel, *rel ? "/" : "", sub.items[i].path);
		rc = n >= (int)sizeof name
			 ? error_set("%s: path too long", sub.items[i].path)
			 : file_list_add(files, name, (size_t)n, sub.items[i].flags);
	}
	file_list_free(&sub);
	return rc;
}

static void note_incomplete(void *ctx, const char *path, const char *why)
{
	sink_note_incomplete(ctx, "%s: %s", path, why);
}

static void note_log(void *ctx, const char *path, const char *why)
{
	sink_log(ctx, "%s: %s", path, why);
}

int paths_collect(struct repo **repo, char **root_out, struct file_list *files,
		  const struct unit_sink *notes, char *const *paths, int n)
{
	char first[PATH_MAX], cwd[PATH_MAX];
	struct stat st;
	if (absolute_name(first, sizeof first, paths[0]) < 0)
		return -1;
	if (lstat(first, &st) < 0)
		return error_set("%s: %s", paths[0], strerror(errno));
	char probe[PATH_MAX];
	snprintf(probe, sizeof probe, "%s", first);
	int rc = repo_discover(repo, S_ISDIR(st.st_mode) ? probe : dirname(probe));
	if (rc < 0)
		return -1;
	const char *base = rc == 0 ? repo_workdir(*repo) : NULL;
	if (rc == 0 && !base)
		return error_set("%s: a bare repository has no files to scan", paths[0]);
	if (!base) {
		if (!getcwd(cwd, sizeof cwd - 1))
			return error_set("cannot read the current folder: %s", strerror(errno));
		strcat(cwd, strcmp(cwd, "/") ? "/" : "");
		base = cwd;
	}
	char root[PATH_MAX];
	if (!realpath(base, root))
		return error_set("%s: %s", base, strerror(errno));
	size_t rl = strlen(root);
	if (rl + 1 < sizeof root && root[rl - 1] != '/')
		strcat(root, "/");
	if (!(*root_out = strdup(root)))
		return error_set("out of memory");
	struct file_list all = {0};
	if (*repo) {
		struct list_notes listed = {note_incomplete, note_log, (void *)notes};
		if (repo_list_files(*repo, "", &all, &listed) < 0)
			return -1;
		qsort(all.items, all.len, sizeof *all.items, cmp_entry);
	}
	rc = 0;
	for (int i = 0; i < n && !rc; i++) {
		char abs[PATH_MAX];
		if (absolute_name(abs, sizeof abs, paths[i]) < 0 || lstat(abs, &st) < 0) {
			rc = error_set("%s: %s", paths[i], strerror(errno));
			break;
		}
		const char *rel = inside(root, abs);
		if (!rel) {
			rc = error_set("%s: not inside %s (the %s): scan it on its own", paths[i],
				       root,
				       *repo ? "repository of the first path" : "current folder");
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			if (!*repo) {
				rc = add_folder(files, notes, abs, rel);
				continue;
			}
			size_t k = strlen(rel);
			for (size_t j = 0; j < all.len && !rc; j++) {
				const char *p = all.items[j].path;
				if (!k || (!strncmp(p, rel, k) && p[k] == '/'))
					rc = file_list_add(files, p, strlen(p), all.items[j].flags);
			}
			continue;
		}
		const struct file_entry *e = *repo ? find(&all, rel) : NULL;
		/* named on the command line: read even when git ignores it */
		unsigned flags = e		       ? e->flags
				 : S_ISLNK(st.st_mode) ? FILE_SYMLINK
				 : *repo	       ? 0
						       : FILE_UNTRACKED;
		rc = file_list_add(files, rel, strlen(rel), flags);
	}
	file_list_free(&all);
	if (rc)
		return -1;
	/* the same file named twice, or inside a named folder too, is read once */
	file_list_sort(files);
	size_t kept = 0;
	for (size_t i = 0; i < files->len; i++) {
		if (kept && !strcmp(files->items[kept - 1].path, files->items[i].path)) {
			free(files->items[i].path);
			continue;
		}
		files->items[kept++] = files->items[i];
	}
	files->len = kept;
	return 0;
}
