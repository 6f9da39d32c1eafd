/* The pack reader decodes every blob of a packed repository to the bytes its id names:
 * whole objects, delta chains (offset and ref deltas), empty and binary blobs. A pack
 * with a damaged byte decodes wrong objects as errors, never as other content.
 * OCPAY_PACK_TEST_REPO=path checks a real repository too. */
#include <git2.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "source/pack.h"

static char repo[] = "/tmp/ocpay-pack-XXXXXX";

/* Runs a shell command in the test repository. */
static int in_repo(const char *cmd)
{
	char line[4096];
	snprintf(line, sizeof line, "cd '%s' && %s", repo, cmd);
	return system(line);
}

/* A history where each file changes a little at every commit: git stores most
 * versions as deltas. */
static bool make_repo(void)
{
	if (!mkdtemp(repo))
		return false;
	if (in_repo("git init -q && git config user.email t@example.com && "
		    "git config user.name t && git config commit.gpgsign false"))
		return false;
	for (int c = 0; c < 40; c++) {
		char path[512];
		snprintf(path, sizeof path, "%s/app.js", repo);
		FILE *f = fopen(path, "a");
		if (!f)
			return false;
		for (int i = 0; i < 50; i++)
			fprintf(f, "export const line_%d_%d = 'value %d';\n", c, i, c * i);
		fclose(f);
		snprintf(path, sizeof path, "%s/data.bin", repo);
		if (!(f = fopen(path, "wb")))
			return false;
		for (int i = 0; i < 3000; i++)
			fputc((i * 7 + c) % 256, f);
		fclose(f);
		if (in_repo(": > empty.txt && git add -A && git commit -qm change"))
			return false;
	}
	return in_repo("git gc -q --aggressive") == 0;
}

/* Decodes every listed blob; counts those whose bytes hash to their id. */
static size_t check_all(const char *path, size_t *listed, size_t *failed)
{
	char objects[4096];
	snprintf(objects, sizeof objects, "%s/.git/objects", path);
	if (access(objects, F_OK))
		snprintf(objects, sizeof objects, "%s/objects", path);
	struct pack_set *set = NULL;
	struct pack_blobs b = {0};
	if (pack_set_open(&set, objects) < 0 || pack_list_blobs(set, &b) < 0) {
		pack_set_free(set);
		return 0;
	}
	struct pack_reader *r = pack_reader_new(set, (size_t)8 << 20);
	size_t ok = 0;
	*failed = 0;
	for (size_t i = 0; r && i < b.len; i++) {
		const char *data;
		size_t len;
		git_oid id;
		if (pack_read(r, b.where[i], (size_t)1 << 30, &data, &len) != 0) {
			++*failed;
			continue;
		}
		git_odb_hash(&id, data, len, GIT_OBJECT_BLOB);
		if (!git_oid_cmp(&id, &b.ids[i]))
			ok++;
	}
	*listed = b.len;
	pack_reader_free(r);
	pack_blobs_free(&b);
	pack_set_free(set);
	return ok;
}

TEST(every_blob_decodes_to_its_id)
{
	size_t listed = 0, failed = 0;
	size_t ok = check_all(repo, &listed, &failed);
	CHECK_INT(listed, 81); /* 40 versions of two files, and the empty file */
	CHECK_INT(ok, listed);
	CHECK_INT(failed, 0);
}

TEST(a_too_large_blob_is_not_decoded)
{
	char objects[4096];
	snprintf(objects, sizeof objects, "%s/.git/objects", repo);
	struct pack_set *set = NULL;
	struct pack_blobs b = {0};
	CHECK(pack_set_open(&set, objects) == 0 && pack_list_blobs(set, &b) == 0);
	struct pack_reader *r = pack_reader_new(set, (size_t)8 << 20);
	size_t large = 0;
	for (size_t i = 0; r && i < b.len; i++) {
		const char *data;
		size_t len;
		large += pack_read(r, b.where[i], 2999, &data, &len) == 1;
	}
	CHECK_INT(large, 79); /* data.bin (3000 bytes) 40 times, app.js from its 2nd version */
	pack_reader_free(r);
	pack_blobs_free(&b);
	pack_set_free(set);
}

TEST(a_damaged_pack_gives_errors_not_other_content)
{
	CHECK(in_repo("cp -r .git .git.good && chmod -R u+w .git && "
		      "for p in .git/objects/pack/*.pack; do size=$(stat -c %s \"$p\"); for k in 1 2 3 4 5 6 7 8 9; do "
		      "printf '\\377\\377\\377\\377' | dd of=\"$p\" bs=1 seek=$((size * k / 10)) "
		      "conv=notrunc status=none; done; done") == 0);
	size_t listed = 0, failed = 0;
	size_t ok = check_all(repo, &listed, &failed);
	CHECK(listed > 0);
	CHECK(failed > 0);
	CHECK_INT(ok + failed, listed);
	CHECK(in_repo("rm -rf .git && mv .git.good .git") == 0);
}

TEST(a_real_repository_decodes)
{
	const char *path = getenv("OCPAY_PACK_TEST_REPO");
	if (!path)
		return;
	size_t listed = 0, failed = 0;
	size_t ok = check_all(path, &listed, &failed);
	fprintf(stderr, "%s: %zu blobs listed, %zu decoded to their id, %zu not decoded\n", path,
		listed, ok, failed);
	CHECK(listed > 0);
	CHECK_INT(ok, listed);
}

TEST(setup)
{
	git_libgit2_init();
	if (!make_repo()) {
		fprintf(stderr, "cannot build the test repository in %s\n", repo);
		exit(1);
	}
}

TEST(cleanup)
{
	CHECK(in_repo("cd / && rm -rf \"$OLDPWD\"") == 0);
}

RUN_TESTS(T(setup), T(every_blob_decodes_to_its_id), T(a_too_large_blob_is_not_decoded),
	  T(a_damaged_pack_gives_errors_not_other_content), T(a_real_repository_decodes),
	  T(cleanup))
