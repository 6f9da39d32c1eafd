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
#include "source/files.h"
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
	"  --force   replace an existing hook (it is kept as pre-commit.backup, or\n"
	"            pre-commit.backup.1 ... when that name is taken)\n"
	"\n"
	"With the pre-commit framework, use the hook in this project's\n"
	".pre-commit-hooks.yaml instead (id: ocpay-audit).\n";

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
	int rc = file_write_atomic(path, b.ptr, b.len, 0755);
	buf_free(&b);
	return rc;
}

/* A free name for the replaced hook: pre-commit.backup, else pre-commit.backup.1, .2 ...
 * An earlier backup is never overwritten. 0, or -1. */
static int backup_name(char *out, size_t size, const char *dir)
{
	struct stat st;
	for (unsigned i = 0; i < 1000; i++) {
		if (i == 0)
			snprintf(out, size, "%s/pre-commit.backup", dir);
		else
			snprintf(out, size, "%s/pre-commit.backup.%u", dir, i);
		if (lstat(out, &st) < 0 && errno == ENOENT)
			return 0;
	}
	return error_set("%s/pre-commit.backup: a thousand backups exist already: remove some",
			 dir);
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
	/* Read without following a link or blocking on a FIFO: only a regular file holding
	 * our marker is ours; anything else there is the user's, kept unless asked. */
	char *existing = NULL;
	size_t len;
	int got = file_read_regular(&existing, &len, dir, "pre-commit", 1 << 20);
	bool present = got != 1;
	bool ours = got == 0 && strstr(existing, HOOK_MARKER);
	bool chained = false, moved = false;
	rc = 0;
	snprintf(saved, sizeof saved, "%s/" CHAINED, dir);
	if (ours) {
		chained = access(saved, X_OK) == 0; /* an update keeps its chain */
	} else if (present && chain) {
		if (access(saved, F_OK) == 0)
			rc = error_set("%s already exists: remove it or use --force", saved);
		else if (rename(hook, saved) < 0)
			rc = error_set("%s: cannot move: %s", hook, strerror(errno));
		chained = moved = !rc;
	} else if (present && force) {
		if (!(rc = backup_name(saved, sizeof saved, dir)) && rename(hook, saved) < 0)
			rc = error_set("%s: cannot move: %s", hook, strerror(errno));
		moved = !rc;
	} else if (present) {
		rc = error_set("%s already exists and is not ours: re-run with --chain to run it "
			       "first, or --force to replace it (kept as pre-commit.backup)",
			       hook);
	}
	free(existing);
	if (!rc && (rc = write_hook(hook, self, chained)) < 0 && moved && rename(saved, hook) < 0) {
		/* the user's hook stays where it was moved: say where */
		char why[1024];
		snprintf(why, sizeof why, "%s", error_last());
		error_set("%s (and the previous hook could not be put back: it is %s)", why, saved);
	}
	if (!rc)
		printf("installed %s%s\n", hook, chained ? " (runs the previous hook first)" : "");
	if (!rc && moved && !chained)
		printf("the previous hook is kept as %s\n", saved);
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
	if (cmd_check_options(argc, argv, "h", opts))
		return EXIT_ERROR;
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
