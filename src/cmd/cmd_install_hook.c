/* `ocpay-audit install-hook [PATH]`: writes the git pre-commit hook that runs
 * `ocpay-audit scan --staged`. An existing hook is never replaced silently. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/buf.h"
#include "core/error.h"
#include "source/git.h"

#define HOOK_MARKER "# ocpay-audit pre-commit hook"
#define CHAINED "pre-commit.ocpay-audit-chained"

static const char usage[] =
	"usage: ocpay-audit install-hook [--chain | --force] [PATH]\n"
	"\n"
	"Install a git pre-commit hook in the repository at PATH (default: .) that runs\n"
	"`ocpay-audit scan --staged` and blocks a commit adding an OCPay key or a .env\n"
	"file. core.hooksPath is honoured. Skip the hook once with `git commit --no-verify`.\n"
	"\n"
	"  --chain   keep an existing pre-commit hook and run it first\n"
	"  --force   replace an existing hook (it is kept as pre-commit.backup)\n"
	"\n"
	"With the pre-commit framework, use the hook in this project's\n"
	".pre-commit-hooks.yaml instead (id: ocpay-audit).\n";

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_put(&b, chunk, n);
	fclose(f);
	return buf_detach(&b);
}

static int write_hook(const char *path, const char *self, bool chained)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "#!/bin/sh\n" HOOK_MARKER " (written by `ocpay-audit install-hook`)\n"
		     "# Blocks a commit that adds an OCPay API key or a .env file.\n"
		     "# Skip it once with: git commit --no-verify\n");
	if (chained)
		buf_puts(&b, "\"$(dirname \"$0\")/" CHAINED "\" \"$@\" || exit $?\n");
	buf_printf(&b,
		   "ocpay_audit=\"%s\"\n"
		   "[ -x \"$ocpay_audit\" ] || ocpay_audit=ocpay-audit\n"
		   "\"$ocpay_audit\" scan --staged --quiet\n"
		   "status=$?\n"
		   "[ $status -eq 0 ] || echo \"ocpay-audit: commit blocked (exit $status). Fix the "
		   "findings above, or skip once with: git commit --no-verify\" >&2\n"
		   "exit $status\n",
		   self);
	if (buf_oom(&b))
		return error_set("out of memory");
	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		buf_free(&b);
		return error_set("%s: cannot write: %s", tmp, strerror(errno));
	}
	bool ok = fwrite(b.ptr, 1, b.len, f) == b.len;
	ok = fclose(f) == 0 && ok;
	buf_free(&b);
	if (!ok || chmod(tmp, 0755) < 0 || rename(tmp, path) < 0) {
		int err = errno;
		unlink(tmp);
		return error_set("%s: cannot write: %s", path, strerror(err));
	}
	return 0;
}

static int install(const char *path, bool chain, bool force, const char *self)
{
	struct repo *repo = NULL;
	int rc = repo_discover(&repo, path);
	if (rc == 1)
		return error_set("%s: not in a git repository", path);
	if (rc < 0)
		return -1;
	char *dir = NULL;
	rc = repo_hooks_dir(repo, &dir);
	repo_free(repo);
	if (rc < 0)
		return -1;
	char hook[PATH_MAX], saved[PATH_MAX];
	snprintf(hook, sizeof hook, "%s/pre-commit", dir);
	mkdir(dir, 0755); /* core.hooksPath may name a folder that does not exist yet */
	char *existing = read_file(hook);
	bool ours = existing && strstr(existing, HOOK_MARKER);
	bool chained = false;
	snprintf(saved, sizeof saved, "%s/" CHAINED, dir);
	if (ours) {
		chained = access(saved, X_OK) == 0; /* an update keeps its chain */
	} else if (existing && chain) {
		if (access(saved, F_OK) == 0)
			rc = error_set("%s already exists: remove it or use --force", saved);
		else if (rename(hook, saved) < 0)
			rc = error_set("%s: cannot move: %s", hook, strerror(errno));
		chained = true;
	} else if (existing && force) {
		snprintf(saved, sizeof saved, "%s/pre-commit.backup", dir);
		if (rename(hook, saved) < 0)
			rc = error_set("%s: cannot move: %s", hook, strerror(errno));
	} else if (existing) {
		rc = error_set("%s already exists and is not ours: re-run with --chain to run it "
			       "first, or --force to replace it (kept as pre-commit.backup)",
			       hook);
	}
	free(existing);
	if (!rc)
		rc = write_hook(hook, self, chained);
	if (!rc)
		printf("installed %s%s\n", hook, chained ? " (runs the previous hook first)" : "");
	free(dir);
	return rc;
}

int cmd_install_hook(int argc, char **argv)
{
	static const struct option opts[] = {{"chain", no_argument, 0, 'c'},
					     {"force", no_argument, 0, 'f'},
					     {"help", no_argument, 0, 'h'},
					     {0, 0, 0, 0}};
	bool chain = false, force = false;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'c')
			chain = true;
		else if (c == 'f')
			force = true;
		else if (c == 'h') {
			fputs(usage, stdout);
			return EXIT_CLEAN;
		} else {
			fputs(usage, stderr);
			return EXIT_ERROR;
		}
	}
	if (chain && force)
		return cmd_fail("--chain and --force exclude each other");
	if (argc - optind > 1)
		return cmd_fail("install-hook takes one PATH");
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n < 0)
		snprintf(self, sizeof self, "ocpay-audit");
	else
		self[n] = '\0';
	if (install(optind < argc ? argv[optind] : ".", chain, force, self) < 0)
		return cmd_fail("%s", error_last());
	return EXIT_CLEAN;
}
