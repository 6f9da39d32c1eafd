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
#include "cmd/cmd.h"
#include "core/error.h"
#include "core/redact.h"
#include "report/report.h"
#include "source/files.h"
#include "source/git.h"
#include "source/history.h"
#include "source/walk.h"
#include "suppress/baseline.h"

static const char usage[] =
	"usage: ocpay-audit scan [options] [PATH]\n"
	"\n"
	"Audit the OCPay integration in PATH (default: the current folder). In a git\n"
	"repository, the tracked files and the untracked files git does not ignore are\n"
	"read; PATH may be the root or a folder inside it. Elsewhere every file is read,\n"
	"except .git/ and node_modules/. Findings end with the production checklist.\n"
	"\n"
	"Git modes:\n"
	"  --staged             pre-commit: only what the staged change introduces (the\n"
	"                       index, not the working tree)\n"
	"  --history            also every blob ever committed on any ref: keys and .env\n"
	"                       files that were deleted are still leaked\n"
	"  --since REV          only findings that are new since REV (a pull request's\n"
	"                       base); with --history, only commits not reachable from REV\n"
	"\n"
	"Output:\n"
	"  --format FORMAT      text (default), json, sarif (code scanning upload),\n"
	"                       github (workflow annotations), markdown (a pull-request\n"
	"                       comment) or html (a page to hand over)\n"
	"  -o, --output FILE    write the report to FILE instead of standard output\n"
	"  --no-color           no colours (also when NO_COLOR is set or not a terminal)\n"
	"  --no-redact          show secrets in full (never use this in CI logs)\n"
	"  -q, --quiet          text: findings only, no checklist or summary\n"
	"  -v, --verbose        also tell on stderr which files were skipped and why,\n"
	"                       and which were parsed\n"
	"\n"
	"Gate:\n"
	"  --fail-on SEVERITY   exit 1 on findings at or above SEVERITY: info, low, medium,\n"
	"                       high (default), critical\n"
	"\n"
	"Scan:\n"
	"  --config FILE        settings: excluded paths, browser/server globs, the polling\n"
	"                       minimum, rules off or re-graded (default: .ocpay-audit.yml\n"
	"                       at the root of the repository or folder, when present)\n"
	"  --rules DIR          also load the rules in DIR/*.yml\n"
	"  --jobs N             threads (default: one per core)\n"
	"  --max-file-size SIZE larger files are not parsed: the text rules read them in\n"
	"                       pieces, up to 64 times SIZE (default 2M; K and M suffixes)\n"
	"  --max-parse-size SIZE  parse files up to SIZE for the code rules; larger ones\n"
	"                       get the text rules only (default 2M)\n"
	"  --parse-timeout MS   give up parsing one file after MS milliseconds, and checking\n"
	"                       it after MS more (default 2000)\n"
	"  --max-findings-per-file N  report at most N findings per file (default 100;\n"
	"                       0: no limit)\n"
	"  Every limit that is reached is named in the report, which is then incomplete.\n"
	"\n"
	"Suppressions:\n"
	"  A comment `ocpay-audit-ignore OC001 -- reason` on a finding's line or the line\n"
	"  above suppresses it; the rule id and the reason are required, and directives\n"
	"  that suppress nothing are reported.\n"
	"  --baseline FILE      findings accepted with `ocpay-audit baseline` are reported\n"
	"                       as suppressed (default: .ocpay-audit-baseline.json at the\n"
	"                       root, when present)\n"
	"\n"
	"Exit status: 0 nothing at or above --fail-on; 1 such findings; 2 usage or runtime\n"
	"error; 3 the scan was incomplete (unreadable files, parse timeouts) and found\n"
	"nothing at or above --fail-on in what it could read.\n"
	"\n"
	"Examples:\n"
	"  ocpay-audit scan                     audit the repository you are in\n"
	"  ocpay-audit scan --format json -o findings.json .\n"
	"  ocpay-audit scan --fail-on critical  fail CI only on live keys and the like\n"
	"  ocpay-audit scan --history           is any key anywhere in the history?\n"
	"  ocpay-audit scan --staged            what a pre-commit hook runs\n"
	"  ocpay-audit scan --since origin/main what a pull request adds\n";

enum run_kind { RUN_SCAN, RUN_BASELINE, RUN_REPORT };

static const char baseline_usage[] =
	"usage: ocpay-audit baseline [options] [PATH]\n"
	"\n"
	"Accept the current findings: write them to .ocpay-audit-baseline.json at the root\n"
	"of the repository (or -o FILE). Later scans report them as suppressed and fail\n"
	"only on new findings. Commit the file. Entries are salted hashes of the findings'\n"
	"fingerprints (rule, path, the key's hash, occurrence): no secret and no line\n"
	"number is stored, so an entry survives edits elsewhere in the file.\n"
	"\n"
	"  --prune              keep only the entries that still match a finding, add none\n"
	"  --history            accept what --history finds too\n"
	"  -o, --output FILE    the baseline file to write\n"
	"  --config FILE, --rules DIR, --jobs N, --max-file-size SIZE  as for scan\n"
	"\n"
	"Examples:\n"
	"  ocpay-audit baseline && git add .ocpay-audit-baseline.json\n"
	"  ocpay-audit baseline --prune     after fixing findings\n";

static const char report_usage[] =
	"usage: ocpay-audit report [options] [PATH] -o FILE\n"
	"\n"
	"The one-off audit of a repository: the working tree, every blob of the history\n"
	"and the production checklist, written as one self-contained page. FILE ending in\n"
	".html gives a page to open or print (no network, inline style); .md gives\n"
	"Markdown. Secrets are redacted.\n"
	"\n"
	"  -o, --output FILE    where to write the report (required)\n"
	"  --no-history         only the working tree\n"
	"  --fail-on SEVERITY   exit status as for scan (default high)\n"
	"  --config FILE, --rules DIR, --baseline FILE, --jobs N  as for scan\n"
	"\n"
	"Example:\n"
	"  ocpay-audit report -o audit.html ~/src/shop\n";

struct scan_args {
	enum run_kind kind;
	const char *baseline;
	bool prune, no_history;
	const char *path;
	const char *format;
	const char *output;
	const char *rules_dir;
	const char *config;
	const char *since;
	bool staged, history;
	enum severity fail_on;
	bool no_color, quiet;
	struct scan_options opt;
};

/* A whole number of digits only (no sign, no space), at most max. 0, -1 when it is not
 * one (strtoull would take "-1" as its largest value), -2 when it is above max. */
static int parse_number(unsigned long long *out, const char *s, char **end,
			unsigned long long max)
{
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, end, 10);
	if (errno == ERANGE || v > max)
		return -2;
	if (errno)
		return -1;
	*out = v;
	return 0;
}

/* A size such as 512K, 2M or 1G, checked against overflow: 17592186044416M would wrap
 * to 0 and skip every file. 0, -1 when it is not a size, -2 when it is too large. */
static int parse_size(size_t *out, const char *s)
{
	char *end;
	unsigned long long v, unit = 1;
	int rc = parse_number(&v, s, &end, SIZE_MAX);
	if (rc < 0)
		return rc;
	if (*end == 'K' || *end == 'k')
		unit = 1024, end++;
	else if (*end == 'M' || *end == 'm')
		unit = 1024 * 1024, end++;
	else if (*end == 'G' || *end == 'g')
		unit = 1024ull * 1024 * 1024, end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		return -1;
	if (v > SIZE_MAX / unit)
		return -2;
	*out = (size_t)(v * unit);
	return 0;
}

/* A count option: digits only, from min to max. 0, or -1. */
static int parse_count(unsigned long long *out, const char *s, unsigned long long min,
		       unsigned long long max)
{
	char *end;
	return parse_number(out, s, &end, max) < 0 || *end || *out < min ? -1 : 0;
}

/* --max-file-size and --max-parse-size. 0, or the exit code of the usage error. */
static int size_option(size_t *out, const char *name, const char *arg)
{
	int rc = parse_size(out, arg);
	if (rc == -2)
		return cmd_fail("%s: '%s' is too large (the largest is %zuG)", name, arg,
				SIZE_MAX >> 30);
	if (rc < 0)
		return cmd_fail("%s takes a size such as 512K or 2M, not '%s'", name, arg);
	return 0;
}

static int parse_args(struct scan_args *a, int argc, char **argv)
{
	enum { O_FORMAT = 256, O_FAIL_ON, O_RULES, O_JOBS, O_NO_COLOR, O_NO_REDACT, O_MAX_SIZE,
	       O_PARSE_TIMEOUT, O_MAX_PARSE, O_MAX_FINDINGS, O_STAGED, O_HISTORY, O_SINCE, O_CONFIG, O_BASELINE, O_PRUNE,
	       O_NO_HISTORY };
	static const struct option opts[] = {
		{"format", required_argument, 0, O_FORMAT},
		{"output", required_argument, 0, 'o'},
		{"fail-on", required_argument, 0, O_FAIL_ON},
		{"rules", required_argument, 0, O_RULES},
		{"config", required_argument, 0, O_CONFIG},
		{"jobs", required_argument, 0, O_JOBS},
		{"no-color", no_argument, 0, O_NO_COLOR},
		{"no-redact", no_argument, 0, O_NO_REDACT},
		{"quiet", no_argument, 0, 'q'},
		{"verbose", no_argument, 0, 'v'},
		{"max-file-size", required_argument, 0, O_MAX_SIZE},
		{"parse-timeout", required_argument, 0, O_PARSE_TIMEOUT},
		{"max-parse-size", required_argument, 0, O_MAX_PARSE},
		{"max-findings-per-file", required_argument, 0, O_MAX_FINDINGS},
		{"staged", no_argument, 0, O_STAGED},
		{"history", no_argument, 0, O_HISTORY},
		{"since", required_argument, 0, O_SINCE},
		{"baseline", required_argument, 0, O_BASELINE},
		{"prune", no_argument, 0, O_PRUNE},
		{"no-history", no_argument, 0, O_NO_HISTORY},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	optind = 1;
	int c, rc;
	while ((c = getopt_long(argc, argv, "o:qvh", opts, NULL)) != -1) {
		switch (c) {
		case O_BASELINE:
			a->baseline = optarg;
			break;
		case O_PRUNE:
			if (a->kind != RUN_BASELINE)
				return cmd_fail("--prune is an option of `ocpay-audit baseline`");
			a->prune = true;
			break;
		case O_NO_HISTORY:
			if (a->kind != RUN_REPORT)
				return cmd_fail("--no-history is an option of `ocpay-audit report`");
			a->no_history = true;
			break;
		case O_STAGED:
			a->staged = true;
			break;
		case O_HISTORY:
			a->history = true;
			break;
		case O_SINCE:
			a->since = optarg;
			break;
		case O_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json") && strcmp(optarg, "sarif") &&
			    strcmp(optarg, "github") && strcmp(optarg, "markdown") &&
			    strcmp(optarg, "html"))
				return cmd_fail("unknown format '%s' (text, json, sarif, github, markdown, "
						"html)",
						optarg);
			a->format = optarg;
			break;
		case 'o':
			a->output = optarg;
			break;
		case O_FAIL_ON:
			if (severity_parse(&a->fail_on, optarg) < 0)
				return cmd_fail("--fail-on takes info, low, medium, high or critical, "
						"not '%s'",
						optarg);
			break;
		case O_RULES:
			a->rules_dir = optarg;
			break;
		case O_CONFIG:
			a->config = optarg;
			break;
		case O_JOBS: {
			unsigned long long n;
			if (parse_count(&n, optarg, 1, 256) < 0)
				return cmd_fail("--jobs takes a number from 1 to 256, not '%s'", optarg);
			a->opt.jobs = (unsigned)n;
			break;
		}
		case O_NO_COLOR:
			a->no_color = true;
			break;
		case O_NO_REDACT:
			a->opt.reveal = true;
			break;
		case 'q':
			a->quiet = true;
			break;
		case 'v':
			a->opt.verbose = true;
			break;
		case O_MAX_SIZE:
			if ((rc = size_option(&a->opt.max_file_size, "--max-file-size", optarg)))
				return rc;
			break;
		case O_MAX_PARSE:
			if ((rc = size_option(&a->opt.max_parse_size, "--max-parse-size", optarg)))
				return rc;
			break;
		case O_MAX_FINDINGS: {
			unsigned long long n;
			if (parse_count(&n, optarg, 0, 1000000000) < 0)
				return cmd_fail("--max-findings-per-file takes a count, not '%s' (at "
						"most 1000000000)",
						optarg);
			a->opt.max_file_findings = (size_t)n;
			break;
		}
		case O_PARSE_TIMEOUT: {
			/* a day at most: the deadline is kept in microseconds */
			unsigned long long n;
			if (parse_count(&n, optarg, 1, 86400000) < 0)
				return cmd_fail("--parse-timeout takes milliseconds, not '%s' (1 to "
						"86400000, a day)",
						optarg);
			a->opt.parse_timeout_ms = (uint64_t)n;
			break;
		}
		case 'h':
			fputs(a->kind == RUN_BASELINE ? baseline_usage
			      : a->kind == RUN_REPORT ? report_usage
						: usage,
			      stdout);
			return -1;
		default:
			fprintf(stderr, "Try 'ocpay-audit %s --help'.\n",
				a->kind == RUN_BASELINE ? "baseline"
				: a->kind == RUN_REPORT ? "report"
							: "scan");
			return EXIT_ERROR;
		}
	}
	if (optind < argc)
		a->path = argv[optind++];
	if (optind < argc)
		return cmd_fail("scan takes one PATH (got '%s' too)", argv[optind]);
	if (a->staged && (a->history || a->since))
		return cmd_fail("--staged cannot be combined with --history or --since");
	if (a->kind != RUN_SCAN && (a->staged || a->since))
		return cmd_fail("--staged and --since are options of `ocpay-audit scan`");
	if (a->kind == RUN_REPORT) {
		if (!a->output)
			return cmd_fail("report needs -o FILE (.html or .md): try 'ocpay-audit report "
					"-o audit.html'");
		const char *dot = strrchr(a->output, '.');
		if (dot && (!strcmp(dot, ".html") || !strcmp(dot, ".htm")))
			a->format = "html";
		else if (dot && (!strcmp(dot, ".md") || !strcmp(dot, ".markdown")))
			a->format = "markdown";
		else
			return cmd_fail("%s: the report is written as .html or .md; name the file "
					"so",
					a->output);
	}
	return 0;
}

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

/* Sets up the file list: from git when PATH is in a repository, else from the folder. */
static int collect(struct scan *s, struct scan_args *a, char head[HASH_HEX_SIZE])
{
	const char *path = a->path;
	char real[PATH_MAX];
	if (!realpath(path, real))
		return error_set("%s: %s", path, strerror(errno));
	struct stat st;
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
	if (!wd || a->staged)
		return 0; /* read from the object database, not from files */
	char wreal[PATH_MAX];
	if (!realpath(wd, wreal))
		return error_set("%s: %s", wd, strerror(errno));
	size_t wl = strlen(wreal);
	/* PATH inside the repository: only its files, still named from the root. */
	char prefix[PATH_MAX] = "";
	if (strlen(real) > wl && real[wl] == '/')
		snprintf(prefix, sizeof prefix, "%s/", real + wl + 1);
	if (!(s->root = malloc(wl + 2)))
		return error_set("out of memory");
	snprintf(s->root, wl + 2, "%s/", wreal);
	struct list_notes notes = {listing_incomplete, listing_log, s};
	if (repo_list_files(s->repo, prefix, &s->files, &notes) < 0)
		return -1;
	const struct file_list *subs = repo_submodules(s->repo);
	for (size_t i = 0; i < subs->len; i++)
		scan_log(s, "%s: skipped: a submodule is another repository (scan it on its own)",
			 subs->items[i].path);
	file_list_sort(&s->files);
	return 0;
}

static int write_report(const struct scan_args *a, struct report *rep)
{
	FILE *out = stdout;
	if (a->output && !(out = fopen(a->output, "w")))
		return error_set("%s: cannot write: %s", a->output, strerror(errno));
	rep->color = !a->output && !a->no_color && !getenv("NO_COLOR") && isatty(fileno(stdout)) &&
		     !strcmp(a->format, "text");
	int rc;
	if (!strcmp(a->format, "json")) {
		rc = report_write_json(rep, out);
	} else if (!strcmp(a->format, "sarif")) {
		rc = report_write_sarif(rep, out);
	} else if (!strcmp(a->format, "github")) {
		rc = report_write_github(rep, out);
	} else if (!strcmp(a->format, "markdown")) {
		rc = report_write_markdown(rep, out);
	} else if (!strcmp(a->format, "html")) {
		rc = report_write_html(rep, out);
	} else {
		rep->quiet = a->quiet;
		rc = report_write_text(rep, out);
	}
	if (out != stdout && fclose(out) != 0 && !rc)
		rc = error_set("%s: cannot write: %s", a->output, strerror(errno));
	else if (out == stdout && fflush(stdout) != 0 && !rc)
		rc = error_set("cannot write to standard output: %s", strerror(errno));
	return rc;
}

/* Drops the findings REV already had: same fingerprint (rule, path, key, occurrence). */
static int drop_known(struct scan *s, const char *rev)
{
	struct finding_list past = {0};
	if (rev_scan(s, s->repo, rev, &past) < 0) {
		finding_list_free(&past);
		return -1;
	}
	size_t kept = 0;
	for (size_t i = 0; i < s->findings.len; i++) {
		struct finding *f = &s->findings.items[i];
		bool known = false;
		for (size_t j = 0; j < past.len && !known; j++)
			known = !strcmp(past.items[j].fingerprint, f->fingerprint);
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
	bool git_mode = a->staged || a->history || a->since;
	if (git_mode && !s->repo)
		return error_set("%s: not in a git repository (--%s needs one)", a->path,
				 a->staged ? "staged" : a->history ? "history" : "since");
	if (a->staged)
		return staged_scan(s, s->repo);
	if (s->root) {
		if (scan_run(s) < 0)
			return -1;
	} else if (head[0]) {
		/* A bare repository: the tree part of the audit is HEAD's tree. */
		if (rev_scan(s, s->repo, "HEAD", &s->findings) < 0)
			return -1;
	}
	if (a->since && drop_known(s, a->since) < 0)
		return -1;
	if (a->history) {
		bool progress = !a->quiet && isatty(fileno(stderr));
		if (history_scan(s, s->repo, a->since, progress) < 0 || scan_finish(s) < 0)
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
	struct scan_args a = {.kind = kind, .path = ".", .format = "text", .fail_on = SEV_HIGH,
			      .opt = {.max_file_size = 2 * 1024 * 1024,
				      .max_parse_size = 2 * 1024 * 1024,
				      .max_file_findings = 100,
				      .parse_timeout_ms = 2000}};
	int rc = parse_args(&a, argc, argv);
	if (rc)
		return rc < 0 ? EXIT_CLEAN : rc;

	struct ruleset rules = {0};
	struct scan s;
	struct report rep = {0};
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
	rep = (struct report){.scan = &s, .target = a.path, .mode = "scan",
			      .scopes = SCOPE_TREE, .fail_on = a.fail_on};
	char *target = strdup(a.path);
	if (!target) {
		cmd_fail("out of memory");
		scan_free(&s);
		ruleset_free(&rules);
		return EXIT_ERROR;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int ran = collect(&s, &a, rep.head);
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
	if (ran == 0 && report_redact(&s, &target, kind == RUN_BASELINE) < 0)
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
	if (apply_baseline(&a, &s) < 0 || report_build(&rep) < 0 || write_report(&a, &rep) < 0) {
		fail_redacted(&s);
		goto out;
	}
	if (kind == RUN_REPORT && !a.quiet)
		fprintf(stderr, "ocpay-audit: wrote %s: %zu finding%s\n", a.output,
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
