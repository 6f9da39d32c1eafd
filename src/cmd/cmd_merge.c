/* `ocpay-audit merge A.json B.json ... -o fleet.html|md|json`: one view over the JSON
 * reports of many scans (an agency's client shops, a provider's merchants). Every input
 * is checked first; the first bad one is named and nothing is written. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/error.h"
#include "report/fleet.h"

static const char merge_usage[] =
	"usage: ocpay-audit merge [options] REPORT.json... -o FILE\n"
	"\n"
	"Combine the JSON reports of many scans (`ocpay-audit scan --history --format json\n"
	"-o NAME.json`) into one view: a row per repository (verdict, findings by severity,\n"
	"keys to rotate), the checklist of every repository, the most frequent rules. A\n"
	"repository is named after its report's file (shop-a.json: shop-a).\n"
	"\n"
	"  -o, --output FILE    .html (a page), .md (Markdown) or .json; - for JSON on stdout\n"
	"  --fail-on SEVERITY   a repository with a finding at or above it is not ready\n"
	"                       (default high)\n"
	"  --pages PREFIX       link each repository to PREFIX + NAME.html (its own report)\n"
	"\n"
	"Exit status: 0 every repository is ready, 1 some are not, 2 an input is not a\n"
	"valid report (named on stderr) or FILE cannot be written.\n";

int cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {{"output", required_argument, 0, 'o'},
					     {"fail-on", required_argument, 0, 'f'},
					     {"pages", required_argument, 0, 'p'},
					     {"help", no_argument, 0, 'h'},
					     {0, 0, 0, 0}};
	struct fleet f = {.fail_on = SEV_HIGH};
	const char *output = NULL;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'f':
			if (severity_parse(&f.fail_on, optarg) < 0)
				return cmd_fail("--fail-on takes info, low, medium, high or critical, "
						"not '%s'",
						optarg);
			break;
		case 'p':
			f.pages = optarg;
			break;
		case 'h':
			fputs(merge_usage, stdout);
			return EXIT_CLEAN;
		default:
			fputs("Try 'ocpay-audit merge --help'.\n", stderr);
			return EXIT_ERROR;
		}
	}
	if (!output)
		return cmd_fail("merge needs -o FILE (.html, .md or .json): try 'ocpay-audit merge "
				"*.json -o fleet.html'");
	if (optind == argc)
		return cmd_fail("merge needs the JSON reports to combine (ocpay-audit scan "
				"--format json -o NAME.json)");
	const char *dot = strrchr(output, '.');
	int (*write)(const struct fleet *, FILE *) =
		!strcmp(output, "-")			      ? fleet_write_json
		: dot && (!strcmp(dot, ".html") || !strcmp(dot, ".htm")) ? fleet_write_html
		: dot && (!strcmp(dot, ".md") || !strcmp(dot, ".markdown")) ? fleet_write_markdown
		: dot && !strcmp(dot, ".json")			      ? fleet_write_json
									      : NULL;
	if (!write)
		return cmd_fail("%s: merge writes .html, .md or .json; name the file so", output);
	for (int i = optind; i < argc; i++)
		if (fleet_add(&f, argv[i]) < 0) {
			int rc = cmd_fail("%s", error_last());
			fleet_free(&f);
			return rc;
		}
	fleet_finish(&f);
	FILE *out = strcmp(output, "-") ? fopen(output, "w") : stdout;
	int rc = out ? write(&f, out) : error_set("%s: cannot write: %s", output, strerror(errno));
	if (out && out != stdout && fclose(out) != 0 && !rc)
		rc = error_set("%s: cannot write: %s", output, strerror(errno));
	size_t failing = f.failing_repos, n = f.nrepos;
	fleet_free(&f);
	if (rc < 0)
		return cmd_fail("%s", error_last());
	if (out != stdout)
		fprintf(stderr, "ocpay-audit: wrote %s: %zu repositories, %zu not ready\n", output,
			n, failing);
	return failing ? EXIT_FINDINGS : EXIT_CLEAN;
}
