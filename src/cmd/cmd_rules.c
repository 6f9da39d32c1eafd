/* `ocpay-audit rules` and `ocpay-audit explain RULE`: the rule catalogue, from the same
 * loader the scan uses. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check/rule.h"
#include "cmd/cmd.h"
#include "core/error.h"

static const char rules_usage[] =
	"usage: ocpay-audit rules [--rules DIR]\n"
	"\n"
	"List every rule: id, name, default severity and the checklist item it decides.\n";

static const char explain_usage[] =
	"usage: ocpay-audit explain [--rules DIR] RULE\n"
	"\n"
	"Explain what RULE (an id such as OC001, or a name such as hardcoded-api-key) finds,\n"
	"why it matters and how to fix it.\n";

static int parse(int argc, char **argv, const char *usage, const char **rules_dir)
{
	static const struct option opts[] = {{"rules", required_argument, 0, 'r'},
					     {"help", no_argument, 0, 'h'},
					     {0, 0, 0, 0}};
	optind = 1;
	if (cmd_check_options(argc, argv, "h", opts))
		return EXIT_ERROR;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			*rules_dir = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		default:
			fputs(usage, stderr);
			return EXIT_ERROR;
		}
	}
	return 0;
}

int cmd_rules(int argc, char **argv)
{
	const char *dir = NULL;
	int rc = parse(argc, argv, rules_usage, &dir);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (optind < argc)
		return cmd_fail("rules takes no arguments (got '%s')", argv[optind]);
	struct ruleset set = {0};
	if (ruleset_load(&set, dir) < 0) {
		rc = cmd_fail("%s", error_last());
		ruleset_free(&set);
		return rc;
	}
	printf("%-7s %-30s %-9s %s\n", "ID", "NAME", "SEVERITY", "CHECKLIST");
	for (size_t i = 0; i < set.len; i++) {
		const struct rule *r = &set.rules[i];
		for (size_t j = 0; j < r->nitems; j++)
			printf("%-7s %-30s %-9s %s: %s\n", j ? "" : r->id, j ? "" : r->name,
			       j ? "" : severity_name(r->severity), r->items[j].section,
			       r->items[j].item);
	}
	ruleset_free(&set);
	return 0;
}

static void print_block(const char *title, const char *text)
{
	if (!text)
		return;
	printf("\n%s\n", title);
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		printf("  %.*s\n", (int)n, p);
		p += n + (nl != NULL);
	}
}

int cmd_explain(int argc, char **argv)
{
	const char *dir = NULL;
	int rc = parse(argc, argv, explain_usage, &dir);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (optind != argc - 1) {
		fputs(explain_usage, stderr);
		return EXIT_ERROR;
	}
	const char *want = argv[optind];
	struct ruleset set = {0};
	if (ruleset_load(&set, dir) < 0) {
		rc = cmd_fail("%s", error_last());
		ruleset_free(&set);
		return rc;
	}
	const struct rule *r = NULL;
	for (size_t i = 0; i < set.len && !r; i++)
		if (!strcasecmp(set.rules[i].id, want) || !strcmp(set.rules[i].name, want))
			r = &set.rules[i];
	if (!r) {
		ruleset_free(&set);
		return cmd_fail("no rule '%s' (see `ocpay-audit rules`)", want);
	}
	printf("%s %s (%s", r->id, r->name, severity_name(r->severity));
	if (r->by_kind)
		printf("; live key %s, sandbox key %s", severity_name(r->kind_severity[KEY_LIVE]),
		       severity_name(r->kind_severity[KEY_SANDBOX]));
	printf(")\n");
	for (size_t j = 0; j < r->nitems; j++)
		printf("Checklist: %s: %s\n", r->items[j].section, r->items[j].item);
	print_block("What it finds", r->description);
	print_block("How to fix it", r->fix);
	if (r->docs)
		printf("\nDocs: %s\n", r->docs);
	ruleset_free(&set);
	return 0;
}
