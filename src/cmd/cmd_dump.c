/* `ocpay-audit dump FILE...`: prints the flow form of source files, the tree every flow
 * rule reads (as semgrep's --dump-ast does): to see what the auditor understands of a
 * file, and to test the lowerings. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/error.h"
#include "flow/ir.h"
#include "lang/lang.h"
#include "lang/lower.h"
#include "lang/ts.h"
#include "source/files.h"

static const char dump_usage[] =
    "usage: ocpay-audit dump [--lines] FILE...\n"
    "\n"
    "Print the flow form of JavaScript, TypeScript, PHP or Python files (pages such as\n"
    ".vue, .svelte and .html: their <script> blocks): the functions, classes, imports,\n"
    "exports, statements and expressions the flow rules reason about, as S-expressions.\n"
    "\n"
    "  --lines   show the line of every node (@N)\n";

#define DUMP_MAX_SIZE (8u << 20)

static int dump_file(struct parser_set *ps, const char *path, bool lines)
{
	size_t len = 0;
	char *src = file_read_small("", path, DUMP_MAX_SIZE, &len);
	if (!src)
		return cmd_fail("%s: cannot read (not a regular file, a link, or over 8 MB)", path);
	enum lang lang = lang_from_path(path);
	char *script = NULL;
	if (lang_is_page(path)) {
		if (!(script = lang_page_scripts(src, len, &lang))) {
			free(src);
			return cmd_fail("out of memory");
		}
	}
	if (lang == LANG_TEXT) {
		free(src);
		return cmd_fail("%s: not a JavaScript, TypeScript, PHP or Python file", path);
	}
	struct syntax *syn = NULL;
	struct ir_file *f = NULL;
	int rc = 0;
	if (syntax_parse(&syn, ps, lang, script ? script : src, len, 0) < 0 ||
	    lang_lower(&f, syn, path) < 0)
		rc = cmd_fail("%s: %s", path, error_last());
	else
		ir_dump(stdout, f, lines);
	ir_file_free(f);
	syntax_free(syn);
	free(script);
	free(src);
	return rc;
}

int cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"lines", no_argument, 0, 'l'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	bool lines = false;
	optind = 1;
	if (cmd_check_options(argc, argv, "h", opts))
		return EXIT_ERROR;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'l') {
			lines = true;
		} else if (c == 'h') {
			fputs(dump_usage, stdout);
			return EXIT_CLEAN;
		} else {
			fputs(dump_usage, stderr);
			return EXIT_ERROR;
		}
	}
	if (optind >= argc) {
		fputs(dump_usage, stderr);
		return EXIT_ERROR;
	}
	struct parser_set *ps = parser_set_new();
	if (!ps)
		return cmd_fail("out of memory");
	int rc = EXIT_CLEAN;
	for (int i = optind; i < argc; i++)
		if (dump_file(ps, argv[i], lines) != EXIT_CLEAN)
			rc = EXIT_ERROR;
	parser_set_free(ps);
	return rc;
}
