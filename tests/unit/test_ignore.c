#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "source/ignore.h"
#include "source/index.h"

static bool wm(const char *pattern, const char *text, bool pathname)
{
	return ignore_wildmatch(pattern, strlen(pattern), text, strlen(text), pathname, false);
}

TEST(wildmatch_stars_stop_at_slashes_in_paths)
{
	CHECK(wm("*.js", "app.js", true));
	CHECK(!wm("*.js", "src/app.js", true));
	CHECK(wm("*.js", "src/app.js", false));
	CHECK(wm("src/*/app.js", "src/x/app.js", true));
	CHECK(!wm("src/*/app.js", "src/x/y/app.js", true));
	CHECK(!wm("?", "/", true));
	CHECK(wm("a?c", "abc", true));
}

TEST(wildmatch_double_star_crosses_folders_only_as_a_component)
{
	CHECK(wm("**/foo", "foo", true));
	CHECK(wm("**/foo", "a/b/foo", true));
	CHECK(wm("a/**/b", "a/b", true));
	CHECK(wm("a/**/b", "a/x/y/b", true));
	CHECK(!wm("a/**/b", "a/xb", true));
	CHECK(wm("a/**", "a/b/c", true));
	CHECK(!wm("a/**", "a", true));
	CHECK(!wm("a**b", "a/b", true)); /* not a whole component: a plain star */
	CHECK(wm("a**b", "axyb", true));
}

TEST(wildmatch_brackets_and_escapes)
{
	CHECK(wm("[a-c]x", "bx", true));
	CHECK(!wm("[!a-c]x", "bx", true));
	CHECK(wm("[^a-c]x", "dx", true));
	CHECK(wm("[]]", "]", true));
	CHECK(wm("[!]]", "a", true));
	CHECK(wm("[[:digit:]]", "5", true));
	CHECK(!wm("[[:bogus:]]", "b", true));
	CHECK(!wm("[abc", "a", true)); /* not closed */
	CHECK(!wm("[/]", "/", true));
	CHECK(wm("\\*", "*", true));
	CHECK(!wm("\\*", "a", true));
	CHECK(wm("\\#x", "#x", true));
	CHECK(ignore_wildmatch("FOO*", 4, "foo.js", 6, true, true));
	CHECK(!ignore_wildmatch("FOO*", 4, "foo.js", 6, true, false));
}

/* A scratch folder with the given files ("path" "content" pairs, NULL-terminated). */
static char *scratch(const char *const *files)
{
	char *dir = strdup("/tmp/ocpay-ignore-XXXXXX");
	if (!dir || !mkdtemp(dir))
		return NULL;
	for (size_t i = 0; files[i]; i += 2) {
		char path[512];
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
		FILE *f = fopen(path, "w");
		if (f) {
			fputs(files[i + 1], f);
			fclose(f);
		}
	}
	return dir;
}

static void remove_all(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
}

static bool ignored(struct ignore *ig, const char *root, const char *path)
{
	bool v = false;
	CHECK_INT(ignore_path(ig, root, path, &v), 0);
	return v;
}

TEST(rules_from_nested_files_negations_and_folders)
{
	static const char *const files[] = {
	    ".gitignore",
	    "*.log\n!keep.log\nbuild/\n/top.js\n# comment\n\\#lit\ntrail \\ \n",
	    "web/.gitignore",
	    "!debug.log\ndist\n",
	    "api/.gitignore",
	    "tmp/*\n!tmp/keep/\n",
	    NULL};
	char *dir = scratch(files);
	CHECK(dir != NULL);
	char root[600];
	snprintf(root, sizeof root, "%s/", dir);
	struct ignore *ig = NULL;
	CHECK_INT(ignore_new(&ig, false, NULL), 0);
	CHECK(ignored(ig, root, "a.log"));
	CHECK(ignored(ig, root, "deep/er/a.log"));
	CHECK(!ignored(ig, root, "keep.log"));
	CHECK(!ignored(ig, root, "web/debug.log")); /* the deeper file decides */
	CHECK(ignored(ig, root, "web/dist"));
	CHECK(ignored(ig, root, "web/dist/app.js")); /* under an ignored folder */
	CHECK(ignored(ig, root, "build/x.js"));
	CHECK(!ignored(ig, root, "build")); /* "build/" is for folders; a file "build" stays */
	CHECK(ignored(ig, root, "top.js"));
	CHECK(!ignored(ig, root, "sub/top.js")); /* anchored */
	CHECK(ignored(ig, root, "#lit"));
	CHECK(ignored(ig, root, "trail  ")); /* an escaped space stays */
	CHECK(ignored(ig, root, "api/tmp/x.js"));
	CHECK(!ignored(ig, root, "api/tmp/keep/k.js"));
	ignore_free(ig);
	remove_all(dir);
	free(dir);
}

static int incomplete_count;
static char incomplete_path[256];
static void on_incomplete(void *ctx, const char *path, const char *why)
{
	(void)ctx;
	(void)why;
	incomplete_count++;
	snprintf(incomplete_path, sizeof incomplete_path, "%s", path);
}

TEST(a_fifo_is_never_opened_for_reading_and_is_told_once)
{
	static const char *const files[] = {"a.js", "x", NULL};
	char *dir = scratch(files);
	char path[600], root[600];
	snprintf(path, sizeof path, "%s/.gitignore", dir);
	snprintf(root, sizeof root, "%s/", dir);
	CHECK_INT(mkfifo(path, 0644), 0);
	struct list_notes notes = {on_incomplete, NULL, NULL};
	struct ignore *ig = NULL;
	CHECK_INT(ignore_new(&ig, false, &notes), 0);
	incomplete_count = 0;
	CHECK(!ignored(ig, root, "a.js"));
	CHECK(!ignored(ig, root, "b.js"));
	CHECK_INT(incomplete_count, 1);
	CHECK_STR(incomplete_path, ".gitignore");
	ignore_free(ig);
	remove_all(dir);
	free(dir);
}

TEST(index_lookups_by_path_and_folder)
{
	struct index_paths idx = {0};
	const char *paths[] = {"b.js", "a/x.js", "a/b/y.js", "a.js", "a-b/z.js", "c/d"};
	for (size_t i = 0; i < 6; i++)
		CHECK_INT(index_add(&idx, paths[i], 0100644), 0);
	index_sort(&idx, false);
	CHECK_STR(idx.items[0].path, "a-b/z.js"); /* bytewise: '-' < '.' < '/' */
	CHECK(index_find(&idx, 0, idx.len, "a.js", 4) >= 0);
	CHECK(index_find(&idx, 0, idx.len, "a", 1) < 0);
	size_t first, end;
	index_range(&idx, 0, idx.len, "a/", 2, &first, &end);
	CHECK_INT(end - first, 2);
	CHECK_STR(idx.items[first].path, "a/b/y.js");
	index_range(&idx, 0, idx.len, "e/", 2, &first, &end);
	CHECK_INT(end - first, 0);
	index_sort(&idx, true);
	CHECK(index_find(&idx, 0, idx.len, "A.JS", 4) >= 0);
	index_paths_free(&idx);
}

/* Writes a version 2 index of one entry named path into dir and reads it back: what
 * index_read returns (0 read here, 1 left to libgit2). */
static int read_one_entry_index(const char *dir, const char *path)
{
	unsigned char data[512] = {'D', 'I', 'R', 'C', 0, 0, 0, 2, 0, 0, 0, 1};
	size_t len = strlen(path), at = 12;
	unsigned char *e = data + at;
	e[24] = 0, e[25] = 0, e[26] = 0x81, e[27] = 0xa4; /* mode 0100644 */
	e[60] = (unsigned char)(len >> 8), e[61] = (unsigned char)len;
	memcpy(e + 62, path, len);
	at += 62 + len + 8 - (62 + len) % 8;
	at += 20; /* the checksum, not checked */
	char file[600];
	snprintf(file, sizeof file, "%s/index", dir);
	FILE *f = fopen(file, "wb");
	if (!f || fwrite(data, 1, at, f) != at || fclose(f))
		return -2;
	struct index_paths idx;
	int rc = index_read(&idx, file);
	if (!rc && (idx.len != 1 || strcmp(idx.items[0].path, path)))
		rc = -3;
	index_paths_free(&idx);
	return rc;
}

/* Names that only look like .git are read here: a repository with a .gitignore or a
 * .github folder does not start libgit2 to list its files. Names that a file system may
 * take for .git are left to libgit2, which refuses them. */
TEST(index_names_like_dot_git)
{
	static const char *const files[] = {"x", "", NULL};
	char *dir = scratch(files);
	static const char *const fine[] = {".gitignore", ".github/workflows/ci.yml", "a/.gitkeep",
					   ".gitattributes", ".gitmodules", "x.git/a", "git/a",
					   "gitx~1/a", ".g/it"};
	for (size_t i = 0; i < sizeof fine / sizeof *fine; i++)
		if (read_one_entry_index(dir, fine[i]) != 0) {
			fprintf(stderr, "not read: %s\n", fine[i]);
			CHECK(false);
		}
	static const char *const refused[] = {".git/config", ".GIT/x", "a/.Git/hooks/x", ".git./x",
					      ".git  /x", "git~1/x", ".git::$INDEX_ALLOCATION/x",
					      ".g\xe2\x80\x8cit/x", "a/../b", "./a", "a//b"};
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
		if (read_one_entry_index(dir, refused[i]) != 1) {
			fprintf(stderr, "read: %s\n", refused[i]);
			CHECK(false);
		}
	remove_all(dir);
	free(dir);
}

RUN_TESTS(T(wildmatch_stars_stop_at_slashes_in_paths),
	  T(wildmatch_double_star_crosses_folders_only_as_a_component),
	  T(wildmatch_brackets_and_escapes), T(rules_from_nested_files_negations_and_folders),
	  T(a_fifo_is_never_opened_for_reading_and_is_told_once),
	  T(index_lookups_by_path_and_folder), T(index_names_like_dot_git))
