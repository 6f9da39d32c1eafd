/* The options of `ocpay-audit scan`, `baseline` and `report`: their usage text and their
 * reading into struct scan_args, every value checked before anything is scanned. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/scan_args.h"

static const char usage[] =
	"usage: ocpay-audit scan [options] [PATH... | -]\n"
	"\n"
	"Audit the OCPay integration in PATH (default: the current folder). In a git\n"
	"repository, the tracked files and the untracked files git does not ignore are\n"
	"read; a folder inside a repository is audited as the project (its files, its\n"
	"history, paths relative to it). Elsewhere every file is read, except .git/ and\n"
	"node_modules/. Several paths, files included, are read as one change (what\n"
	"pre-commit hands a hook); - reads a file or a diff from standard input (only\n"
	"the lines a diff adds are judged). Findings end with the production checklist.\n"
	"\n"
	"Git modes:\n"
	"  --staged             pre-commit: only what the staged change introduces (the\n"
	"                       index, not the working tree)\n"
	"  --history            also every blob ever committed on any ref: keys and .env\n"
	"                       files that were deleted are still leaked\n"
	"  --since REV          only findings that are new since REV (a pull request's\n"
	"                       base), each with the commit after REV that brought it;\n"
	"                       with --history, only the commits HEAD adds to REV\n"
	"\n"
	"Output:\n"
	"  --format FORMAT      text (default), json, sarif (code scanning upload),\n"
	"                       github (workflow annotations), markdown (a pull-request\n"
	"                       comment, at most 65,000 characters), html (a page to hand\n"
	"                       over), gitlab-sast (GitLab security report), codequality\n"
	"                       (GitLab Code Quality) or junit (CI test views)\n"
	"  -o, --output FILE    write the report to FILE instead of standard output; the\n"
	"                       format comes from --format, else from the extension\n"
	"                       (.sarif .json .md .html .xml); - is standard output\n"
	"  --output FORMAT=FILE also write FORMAT to FILE (repeatable); the terminal\n"
	"                       keeps its report\n"
	"  --color WHEN         auto (default: on a terminal, unless NO_COLOR is set),\n"
	"                       always or never; --no-color is never\n"
	"  --progress, --no-progress  a progress line on stderr (default: when stderr is\n"
	"                       a terminal)\n"
	"  --stdin-name NAME    the file name standard input is judged as (default stdin)\n"
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
	"  ocpay-audit scan --since origin/main what a pull request adds\n"
	"  ocpay-audit scan --output sarif=audit.sarif --output gitlab-sast=gl-sast.json\n"
	"  git diff | ocpay-audit scan -       what a diff adds\n";


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
	"  -o, --output FILE    where to write the report (required): .html, .md, or any\n"
	"                       format's extension; --output FORMAT=FILE for more\n"
	"  --no-history         only the working tree\n"
	"  --fail-on SEVERITY   exit status as for scan (default high)\n"
	"  --config FILE, --rules DIR, --baseline FILE, --jobs N  as for scan\n"
	"\n"
	"Example:\n"
	"  ocpay-audit report -o audit.html ~/src/shop\n";


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

int scan_args_parse(struct scan_args *a, int argc, char **argv)
{
	enum { O_FORMAT = 256, O_FAIL_ON, O_RULES, O_JOBS, O_NO_COLOR, O_NO_REDACT, O_MAX_SIZE,
	       O_PARSE_TIMEOUT, O_MAX_PARSE, O_MAX_FINDINGS, O_STAGED, O_HISTORY, O_SINCE, O_CONFIG, O_BASELINE, O_PRUNE,
	       O_NO_HISTORY, O_COLOR, O_PROGRESS, O_NO_PROGRESS, O_STDIN_NAME };
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
		{"color", required_argument, 0, O_COLOR},
		{"progress", no_argument, 0, O_PROGRESS},
		{"no-progress", no_argument, 0, O_NO_PROGRESS},
		{"stdin-name", required_argument, 0, O_STDIN_NAME},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0}};
	optind = 1;
	int c, rc;
	if ((rc = cmd_check_options(argc, argv, "o:qvh", opts)))
		return rc;
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
			if (!output_format_known(optarg))
				return cmd_fail("unknown format '%s' (%s)", optarg, output_formats());
			a->format = optarg;
			break;
		case 'o':
			if (a->kind == RUN_BASELINE)
				a->output = optarg;
			else if ((rc = outputs_add(&a->outputs, optarg)))
				return rc;
			break;
		case O_COLOR:
			if (!strcmp(optarg, "auto"))
				a->color = COLOR_AUTO;
			else if (!strcmp(optarg, "always"))
				a->color = COLOR_ALWAYS;
			else if (!strcmp(optarg, "never"))
				a->color = COLOR_NEVER;
			else
				return cmd_fail("--color takes auto, always or never, not '%s'", optarg);
			break;
		case O_PROGRESS:
			a->progress = 1;
			break;
		case O_NO_PROGRESS:
			a->progress = 0;
			break;
		case O_STDIN_NAME:
			a->stdin_name = optarg;
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
			a->color = COLOR_NEVER;
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
	if (optind < argc) {
		a->path = argv[optind];
		a->paths = argv + optind;
		a->npaths = argc - optind;
	}
	if (a->npaths > 1 && a->kind != RUN_SCAN)
		return cmd_fail("%s takes one PATH (got '%s' too)",
				a->kind == RUN_BASELINE ? "baseline" : "report", a->paths[1]);
	bool from_stdin = false;
	for (int i = 0; i < a->npaths; i++)
		from_stdin |= !strcmp(a->paths[i], "-");
	if (from_stdin && (a->npaths > 1 || a->kind != RUN_SCAN || a->staged || a->history ||
			   a->since))
		return cmd_fail("- (standard input) is scanned on its own, without --staged, "
				"--history or --since");
	if (a->npaths > 1 && (a->staged || a->since || a->history))
		return cmd_fail("--staged, --since and --history take one PATH");
	if (a->staged && (a->history || a->since))
		return cmd_fail("--staged cannot be combined with --history or --since");
	if (a->kind != RUN_SCAN && (a->staged || a->since))
		return cmd_fail("--staged and --since are options of `ocpay-audit scan`");
	if (a->kind == RUN_REPORT) {
		const char *file = NULL;
		for (size_t i = 0; i < a->outputs.n && !file; i++)
			if (!a->outputs.items[i].named)
				file = a->outputs.items[i].file;
		if (!file)
			return cmd_fail("report needs -o FILE (.html or .md): try 'ocpay-audit report "
					"-o audit.html'");
		if (!a->format && !output_format_of(file))
			return cmd_fail("%s: the report is written as .html or .md; name the file "
					"so",
					file);
	}
	if (a->kind != RUN_BASELINE && (rc = outputs_resolve(&a->outputs, a->format)))
		return rc;
	for (size_t i = 0; a->kind == RUN_REPORT && i < a->outputs.n; i++)
		if (a->outputs.items[i].format && !strcmp(a->outputs.items[i].format, "markdown"))
			a->outputs.items[i].format = "audit-markdown"; /* the audit, in its order */
	return 0;
}
