/* The files the tool reads and writes for itself: only regular files, never through a
 * link, never blocking on a FIFO, written through a temporary file of their own. */
#include "source/files.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "harness.h"

static char dir[] = "/tmp/ocpay-files-XXXXXX";
static char path[4096];

static const char *at(const char *name)
{
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static char *slurp(const char *name)
{
	static char buf[256];
	FILE *f = fopen(at(name), "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

TEST(reads_a_regular_file)
{
	put("cfg.yml", "exclude: [a]\n");
	char *text = NULL;
	size_t len = 0;
	CHECK_INT(file_read_regular(&text, &len, dir, "cfg.yml", 1024), 0);
	CHECK_STR(text, "exclude: [a]\n");
	CHECK_INT(len, 13);
	free(text);
	CHECK_INT(file_read_regular(&text, &len, dir, "missing.yml", 1024), 1);
	CHECK_INT(file_read_regular(&text, &len, dir, "nope/missing.yml", 1024), 1);
	CHECK_INT(file_read_regular(&text, &len, dir, "cfg.yml/x", 1024), 1);
	CHECK_INT(file_read_regular(&text, &len, dir, "cfg.yml", 5), -1);
	CHECK_STR(error_last() + strlen(dir), "/cfg.yml: larger than 5 bytes: not read");
}

TEST(never_through_a_link)
{
	put("target.yml", "MYSECRET\n");
	mkdir(at("real"), 0755);
	put("real/package.json", "{}\n");
	CHECK_INT(symlink("target.yml", at("link.yml")), 0);
	CHECK_INT(symlink("real", at("linkdir")), 0);
	char *text = NULL;
	size_t len = 0;
	CHECK_INT(file_read_regular(&text, &len, dir, "link.yml", 1024), -1);
	CHECK_STR(error_last() + strlen(dir), "/link.yml: a symbolic link: not followed");
	/* a folder on the way that is a link: the file would be outside */
	CHECK_INT(file_read_regular(&text, &len, dir, "linkdir/package.json", 1024), -1);
	CHECK_STR(error_last() + strlen(dir), "/linkdir/package.json: a symbolic link: not followed");
	CHECK_INT(file_read_regular(&text, &len, dir, "real/../target.yml", 1024), -1);
	CHECK_INT(file_read_regular(&text, &len, dir, "real/package.json", 1024), 0);
	free(text);
	/* the folder itself may be reached through a link: it is trusted as given */
	char linked[4200];
	snprintf(linked, sizeof linked, "%s/linkdir", dir);
	CHECK_INT(file_read_regular(&text, &len, linked, "package.json", 1024), 0);
	CHECK_STR(text, "{}\n");
	free(text);
	CHECK_INT(file_read_regular(&text, &len, linked, "missing.json", 1024), 1);
	CHECK(file_read_small(dir, "link.yml", 1024, &len) == NULL);
	/* a path the user typed is theirs: followed */
	CHECK_INT(file_read_regular(&text, &len, NULL, at("link.yml"), 1024), 0);
	CHECK_STR(text, "MYSECRET\n");
	free(text);
}

TEST(never_blocks_on_a_fifo_or_a_device)
{
	CHECK_INT(mkfifo(at("fifo.yml"), 0644), 0);
	char *text = NULL;
	size_t len = 0;
	CHECK_INT(file_read_regular(&text, &len, dir, "fifo.yml", 1024), -1);
	CHECK_STR(error_last() + strlen(dir), "/fifo.yml: a FIFO, not a regular file: not read");
	CHECK_INT(file_read_regular(&text, &len, NULL, at("fifo.yml"), 1024), -1);
	CHECK_INT(file_read_regular(&text, &len, NULL, "/dev/zero", 1024), -1);
	CHECK_STR(error_last(), "/dev/zero: a character device, not a regular file: not read");
	CHECK_INT(file_read_regular(&text, &len, dir, "real", 1024), -1);
	CHECK_STR(error_last() + strlen(dir), "/real: a folder, not a regular file: not read");
}

TEST(writes_atomically_and_only_over_a_regular_file)
{
	put("out.json", "old\n");
	CHECK_INT(file_write_atomic(at("out.json"), "new\n", 4, 0644), 0);
	CHECK_STR(slurp("out.json"), "new\n");
	struct stat st;
	CHECK_INT(lstat(at("out.json"), &st), 0);
	CHECK(S_ISREG(st.st_mode));
	/* a link planted where the old code put its temporary file is left alone */
	put("victim", "victim\n");
	CHECK_INT(symlink("victim", at("out.json.tmp")), 0);
	CHECK_INT(file_write_atomic(at("out.json"), "newer\n", 6, 0644), 0);
	CHECK_STR(slurp("victim"), "victim\n");
	CHECK_STR(slurp("out.json"), "newer\n");
	/* the destination a link, a FIFO or a folder: refused */
	CHECK_INT(symlink("victim", at("dest.json")), 0);
	CHECK_INT(file_write_atomic(at("dest.json"), "x", 1, 0644), -1);
	CHECK_STR(error_last() + strlen(dir),
		  "/dest.json: a symbolic link: not replaced (remove it, or write elsewhere)");
	CHECK_STR(slurp("victim"), "victim\n");
	CHECK_INT(file_write_atomic(at("fifo.yml"), "x", 1, 0644), -1);
	CHECK_STR(error_last() + strlen(dir), "/fifo.yml: a FIFO, not a regular file: not replaced");
	/* the mode asked, less the umask */
	mode_t old = umask(022);
	CHECK_INT(file_write_atomic(at("hook"), "#!/bin/sh\n", 10, 0755), 0);
	umask(old);
	CHECK_INT(stat(at("hook"), &st), 0);
	CHECK_INT(st.st_mode & 0777, 0755);
}

static void cleanup(void)
{
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static void setup(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	atexit(cleanup);
}

RUN_TESTS(T(setup), T(reads_a_regular_file), T(never_through_a_link),
	  T(never_blocks_on_a_fifo_or_a_device), T(writes_atomically_and_only_over_a_regular_file))
