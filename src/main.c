/* ocpay-audit: argv to a command, through one table. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"scan", cmd_scan, "audit the working tree of a repository or folder"},
	{"report", cmd_report, "the one-off audit (tree, history, checklist) as .html or .md"},
	{"baseline", cmd_baseline, "accept the current findings: later scans fail only on new ones"},
	{"rules", cmd_rules, "list the rules"},
	{"explain", cmd_explain, "what a rule finds, why it matters, how to fix it"},
	{"install-hook", cmd_install_hook, "install the git pre-commit hook (scan --staged)"},
	{"merge", cmd_merge, "one view over the JSON reports of many repositories"},
	{"dump", cmd_dump, "print the flow form of a source file (what the flow rules read)"},
};

static void usage(FILE *out)
{
	fputs("usage: ocpay-audit COMMAND [options] [PATH]\n"
	      "\n"
	      "Production-readiness audit of an OCPay (OneClick DZ) payment integration:\n"
	      "leaked API keys (in the tree and in git history), committed .env files, the API\n"
	      "called from browser code, payment refs not saved, orders fulfilled without\n"
	      "checkPayment, and the docs' production checklist.\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-13s %s\n", commands[i].name, commands[i].summary);
	fputs("\n"
	      "Run 'ocpay-audit COMMAND --help' for a command's options.\n"
	      "\n"
	      "Examples:\n"
	      "  ocpay-audit scan                  audit the repository you are in\n"
	      "  ocpay-audit report -o audit.html  the one-off audit, tree and history\n"
	      "  ocpay-audit explain OC001         read about a rule\n"
	      "  ocpay-audit install-hook          block commits that add a key\n",
	      out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		usage(stdout);
		return EXIT_CLEAN;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "version")) {
		printf("ocpay-audit %s\n", OCPAY_VERSION);
		return EXIT_CLEAN;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(name, commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	cmd_fail("unknown command '%s' (try 'ocpay-audit --help')", name);
	return EXIT_ERROR;
}
