/* `ocpay-audit scan [PATH]`: the working tree of a repository (tracked files and untracked
 * files git does not ignore), or every file of a plain folder. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check/config.h"
#include "check/scan.h"
#include "check/scan_result.h"
#include "check/scan_sink.h"
#include "cmd/cmd.h"
#include "cmd/outputs.h"
#include "cmd/scan_args.h"
#include "core/error.h"
#include "core/redact.h"
#include "report/report.h"
#include "source/files.h"
#include "source/git.h"
#include "source/history.h"
#include "source/walk.h"
#include "suppress/baseline.h"


static void skipped_folder(void *ctx, const char *path, const char *why)
{
	scan_note_incomplete(ctx, "%s: cannot read folder: %s", path, why);
}

static void listing_incomplete(void *ctx, const char *path, const char *why)
{
	scan_note_incomplete(ctx, "%s: %s", path, why);
}

static void listing_log(void *ctx, const char *path, const char *why)
{
	scan_log(ctx, "%s: %s", path, why);
}

/* Sets up the file list: from git when PATH is in a repository, else from the folder.
 * A folder inside a repository is the project: its files are named from it, and the
 * repository's scope makes the history and the trees of revisions name them so too. */
static int collect(struct scan *s, struct scan_args *a, char head[HASH_HEX_SIZE],
		   const char **prefix)
{
	const char *path = a->path;
	if (a->npaths == 1 && !strcmp(path, "-"))
		return 0; /* standard input: read by run_mode */
	struct stat st;
	if (a->npaths > 1 || (stat(path, &st) == 0 && !S_ISDIR(st.st_mode))) {
		if (scan_paths(s, a->paths, a->npaths) < 0)
			return -1;
		if (s->repo && repo_head(s->repo, head) < 0)
			return -1;
		return 0;
	}
	char real[PATH_MAX];
	if (!realpath(path, real))
		return error_set("%s: %s", path, strerror(errno));
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
		return error_set("%s: not a folder", path);
	int rc = repo_discover(&s->repo, real);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		size_t n = strlen(real);
		if (!(s->root = malloc(n + 2)))
			return error_set("out of memory");
		snprintf(s->root, n + 2, "%s%s", real, n && real[n - 1] == '/' ? "" : "/");
		return walk_folder(real, &s->files, skipped_folder, s);
	}
	if (repo_head(s->repo, head) < 0)
		return -1;
	if (a->kind == RUN_REPORT && !a->no_history)
		a->history = true; /* the report reads the whole history when there is one */
	/* objects are read through libgit2; a working tree alone does without it */
	if ((a->history || a->staged || a->since) && repo_open_git(s->repo) < 0)
		return -1;
	const char *wd = repo_workdir(s->repo);
	if (!wd && !a->history)
		return error_set("%s: a bare repository has no working tree to scan (use --history)",
				 path);
	if (!wd)
		return 0; /* read from the object database, not from files */
	char wreal[PATH_MAX];
	if (!realpath(wd, wreal))
		return error_set("%s: %s", wd, strerror(errno));
	size_t wl = strlen(wreal);
	/* PATH inside the repository: the folder is the project, its paths named from it */
	char scope[PATH_MAX] = "";
	if (strlen(real) > wl && real[wl] == '/' && wl > 1)
		snprintf(scope, sizeof scope, "%s/", real + wl + 1);
	else if (wl == 1 && real[1])
		snprintf(scope, sizeof scope, "%s/", real + 1);
	if (repo_set_scope(s->repo, scope) < 0)
		return -1;
	*prefix = *scope ? repo_scope(s->repo) : NULL;
	if (a->staged)
		return 0; /* the index, not the files */
	size_t rl = strlen(real);
	if (!(s->root = malloc(rl + 2)))
		return error_set("out of memory");
	snprintf(s->root, rl + 2, "%s%s", real, rl && real[rl - 1] == '/' ? "" : "/");
	struct list_notes notes = {listing_incomplete, listing_log, s};
	if (repo_list_files(s->repo, scope, &s->files, &notes) < 0)
		return -1;
	size_t sl = strlen(scope);
	for (size_t i = 0; sl && i < s->files.len; i++) {
		char *p = s->files.items[i].path;
		memmove(p, p + sl, strlen(p + sl) + 1);
	}
	const struct file_list *subs = repo_submodules(s->repo);
	for (size_t i = 0; i < subs->len; i++)
		scan_log(s, "%s: skipped: a submodule is another repository (scan it on its own)",
			 subs->items[i].path + (strncmp(subs->items[i].path, scope, sl) ? 0 : sl));
	file_list_sort(&s->files);
	return 0;
}

/* Drops the tree findings REV already had (same fingerprint: rule, path, key,
 * occurrence) and the history findings whose key REV's tree still holds at that path. */
static int drop_known(struct scan *s, const char *rev)
{
	struct finding_list past = {0};
	if (scan_rev(s, rev, &past) < 0) {
		finding_list_free(&past);
		return -1;
	}
	size_t kept = 0;
	for (size_t i = 0; i < s->findings.len; i++) {
		struct finding *f = &s->findings.items[i];
		bool known = false;
		for (size_t j = 0; j < past.len && !known; j++) {
			const struct finding *p = &past.items[j];
			if (finding_scopes(f) & FOUND_TREE)
				known = !strcmp(p->fingerprint, f->fingerprint);
			else
				known = p->rule == f->rule && !strcmp(p->path, f->path) &&
					!strcmp(p->secret_hash, f->secret_hash) &&
					(f->secret_hash[0] || !strcmp(p->match ? p->match : "",
								      f->match ? f->match : ""));
		}
		if (known)
			finding_clear(f);
		else
			s->findings.items[kept++] = *f;
	}
	s->findings.len = kept;
	finding_list_free(&past);
	return 0;
}

static int run_mode(const struct scan_args *a, struct scan *s, const char *head)
{
	if (a->npaths == 1 && !strcmp(a->path, "-"))
		return scan_stdin(s, stdin, a->stdin_name ? a->stdin_name : "stdin");
	bool git_mode = a->staged || a->history || a->since;
	if (git_mode && !s->repo)
		return error_set("%s: not in a git repository (--%s needs one)", a->path,
				 a->staged ? "staged" : a->history ? "history" : "since");
	if (a->staged)
		return scan_staged(s);
	if (s->root) {
		if (scan_run(s) < 0)
			return -1;
	} else if (head[0]) {
		/* A bare repository: the tree part of the audit is HEAD's tree. */
		if (scan_rev(s, "HEAD", &s->findings) < 0)
			return -1;
	}
	if (a->history) {
		if (scan_history(s, a->since, s->opt->progress) < 0 || scan_finish(s) < 0)
			return -1;
	}
	if (a->since) {
		if (drop_known(s, a->since) < 0)
			return -1;
		/* each new finding of the tree names the commit after REV that brought it */
		if (since_attribute(&s->findings, s->repo, s->root, s->opt->max_file_size,
				    a->since) < 0)
			return -1;
	}
	return 0;
}

/* The root of what is scanned, where the default configuration and baseline live. */
static const char *scan_root(const struct scan *s)
{
	return s->root ? s->root : s->repo ? repo_workdir(s->repo) : NULL;
}

/* --config FILE, or .ocpay-audit.yml at the root of what is scanned when present. */
static int load_config(struct scan *s, const struct scan_args *a, struct config *cfg,
		       const struct ruleset *rules)
{
	const char *root = scan_root(s);
	if (!a->config && !root)
		return 0;
	if (config_load(cfg, a->config ? NULL : root, a->config ? a->config : ".ocpay-audit.yml",
			rules) < 0)
		return -1;
	if (cfg->path)
		s->config = cfg;
	return 0;
}

/* The baseline file: --baseline FILE (or -o for `baseline`), with *dir NULL, else the
 * default inside *dir, the root of what is scanned. NULL when there is no root to put it
 * in. buf receives the name to show. */
static const char *baseline_path(const struct scan_args *a, const struct scan *s,
				 const char **dir, char *buf, size_t size)
{
	const char *path = a->kind == RUN_BASELINE && a->output ? a->output : a->baseline;
	*dir = path ? NULL : scan_root(s);
	if (!path && !*dir)
		return NULL;
	if (!path)
		path = BASELINE_FILE;
	file_join_name(buf, size, *dir, path);
	return path;
}

/* Text of the run (a path, an error) on stderr, through the scan's redactor. */
static void print_redacted(struct scan *s, const char *text)
{
	redactor_seal(&s->redactor);
	char *red = redact_text(&s->redactor, text, strlen(text), NULL, 0, NULL, 0, NULL);
	report_put_safe(stderr, red ? red : "(out of memory)");
	free(red);
}

static void fail_redacted(struct scan *s)
{
	fputs("ocpay-audit: ", stderr);
	print_redacted(s, error_last());
	fputc('\n', stderr);
}

/* `baseline`: writes the findings (or, with --prune, those the file still holds). */
static int write_baseline(const struct scan_args *a, struct scan *s)
{
	char name[PATH_MAX];
	const char *dir;
	const char *path = baseline_path(a, s, &dir, name, sizeof name);
	if (!path)
		return error_set("%s: no working tree to put the baseline in: use -o FILE", a->path);
	struct baseline b;
	if (baseline_load(&b, dir, path, a->prune) < 0)
		return -1;
	size_t written, dropped;
	int rc = baseline_write(&b, name, &s->findings, a->prune, &written, &dropped);
	if (!rc) {
		fputs("ocpay-audit: ", stderr);
		print_redacted(s, name);
		fprintf(stderr, ": %zu finding%s accepted", written, written == 1 ? "" : "s");
		if (a->prune)
			fprintf(stderr, ", %zu stale entr%s dropped", dropped,
				dropped == 1 ? "y" : "ies");
		fputs(s->suppressed.len ? " (findings suppressed inline are not included)\n" : "\n",
		      stderr);
	}
	baseline_free(&b);
	return rc;
}

/* scan and report: the findings the baseline holds become suppressed. */
static int apply_baseline(const struct scan_args *a, struct scan *s)
{
	char name[PATH_MAX];
	const char *dir;
	const char *path = baseline_path(a, s, &dir, name, sizeof name);
	if (!path)
		return 0;
	struct baseline b;
	if (baseline_load(&b, dir, path, a->baseline != NULL) < 0)
		return -1;
	int rc = baseline_apply(&b, &s->findings, &s->suppressed);
	baseline_free(&b);
	return rc;
}

static int scan_main(enum run_kind kind, int argc, char **argv)
{
	static char *here[] = {"."};
	struct scan_args a = {.kind = kind, .path = ".", .paths = here, .npaths = 1,
			      .fail_on = SEV_HIGH, .progress = -1,
			      .opt = {.max_file_size = 2 * 1024 * 1024,
				      .max_parse_size = 2 * 1024 * 1024,
				      .max_file_findings = 100,
				      .parse_timeout_ms = 2000}};
	int rc = scan_args_parse(&a, argc, argv);
	if (rc)
		return rc < 0 ? EXIT_CLEAN : rc;
	a.opt.progress = a.progress >= 0 ? a.progress == 1 : !a.quiet && isatty(fileno(stderr));
	a.opt.progress_forced = a.progress == 1;

	struct ruleset rules = {0};
	struct scan s;
	struct report rep = {0};
	struct scan_result result = {0};
	struct config cfg;
	config_defaults(&cfg);
	int code = EXIT_ERROR;
	if (ruleset_load(&rules, a.rules_dir) < 0) {
		cmd_fail("%s", error_last());
		ruleset_free(&rules);
		return EXIT_ERROR;
	}
	if (scan_init(&s, &rules, &a.opt) < 0) {
		cmd_fail("%s", error_last());
		ruleset_free(&rules);
		return EXIT_ERROR;
	}
	rep = (struct report){.result = &result,
			      .target = a.path,
			      .mode = "scan",
			      .scopes = SCOPE_TREE,
			      .fail_on = a.fail_on};
	char *target = strdup(a.path);
	if (!target) {
		cmd_fail("out of memory");
		scan_free(&s);
		ruleset_free(&rules);
		return EXIT_ERROR;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int ran = collect(&s, &a, rep.head, &rep.prefix);
	if (a.history)
		rep.mode = "history", rep.scopes |= SCOPE_HISTORY;
	else if (a.staged)
		rep.mode = "staged";
	else if (a.since)
		rep.mode = "since";
	if (ran == 0 && (load_config(&s, &a, &cfg, &rules) < 0 || run_mode(&a, &s, rep.head) < 0))
		ran = -1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s.stats.duration_ms = (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000 +
					 (t1.tv_nsec - t0.tv_nsec) / 1000000);
	/* every string printed from here on has passed the redactor */
	if (ran == 0 && scan_redact(&s, &target, kind == RUN_BASELINE) < 0)
		ran = -1;
	rep.target = target;
	if (ran < 0) {
		fail_redacted(&s);
		goto out;
	}
	if (kind == RUN_BASELINE) {
		if (write_baseline(&a, &s) < 0)
			fail_redacted(&s);
		else
			code = s.nincomplete ? EXIT_INCOMPLETE : EXIT_CLEAN;
		goto out;
	}
	rep.quiet = a.quiet;
	if (apply_baseline(&a, &s) < 0 || scan_result_fill(&result, &s) < 0 ||
	    report_build(&rep) < 0 || outputs_write(&a.outputs, &rep, a.color) < 0) {
		fail_redacted(&s);
		goto out;
	}
	if (kind == RUN_REPORT && !a.quiet)
		fprintf(stderr, "ocpay-audit: wrote %s: %zu finding%s\n", outputs_first_file(&a.outputs),
			s.findings.len, s.findings.len == 1 ? "" : "s");
	for (size_t i = 0; i < s.nlog; i++) {
		fputs("ocpay-audit: ", stderr);
		report_put_safe(stderr, s.log[i]);
		fputc('\n', stderr);
	}
	if (rep.failing)
		code = EXIT_FINDINGS;
	else if (s.nincomplete)
		code = EXIT_INCOMPLETE;
	else
		code = EXIT_CLEAN;
out:
	free(target);
	report_free(&rep);
	scan_result_free(&result);
	struct repo *repo = s.repo;
	scan_free(&s);
	repo_free(repo);
	config_free(&cfg);
	ruleset_free(&rules);
	return code;
}

int cmd_scan(int argc, char **argv)
{
	return scan_main(RUN_SCAN, argc, argv);
}

int cmd_baseline(int argc, char **argv)
{
	return scan_main(RUN_BASELINE, argc, argv);
}

int cmd_report(int argc, char **argv)
{
	return scan_main(RUN_REPORT, argc, argv);
}
