/* `ocpay-audit rules` and `ocpay-audit explain RULE`: the rule catalogue, from the same
 * loader the scan uses. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check/rule.h"
#include "cmd/cmd.h"
#include "check/checker.h"
#include "core/error.h"
#include "report/report.h"

static const char rules_usage[] =
	"usage: ocpay-audit rules [--rules DIR]\n"
	"\n"
	"List every rule: id, name, default severity and the checklist item it decides.\n";

static const char explain_usage[] =
	"usage: ocpay-audit explain [--rules DIR] [--long | --lang LANG | --markdown] RULE\n"
	"\n"
	"Explain what RULE (an id such as OC001, or a name such as hardcoded-api-key) finds,\n"
	"why it matters and how to fix it.\n"
	"  --long         also what the detectors look for, and the fix in every language\n"
	"  --lang LANG    the fix in one language or framework (php, php/woocommerce)\n"
	"  --markdown     the rule's page (docs/rules/RULE.md is made from it)\n";

struct explain_opts {
	bool is_long, markdown;
	const char *lang;
};

static int parse(int argc, char **argv, const char *usage, const char **rules_dir,
		 struct explain_opts *ex)
{
	static const struct option opts[] = {{"rules", required_argument, 0, 'r'},
					     {"help", no_argument, 0, 'h'},
					     {"long", no_argument, 0, 'l'},
					     {"lang", required_argument, 0, 'L'},
					     {"markdown", no_argument, 0, 'm'},
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
		case 'l':
		case 'L':
		case 'm':
			if (!ex) {
				fputs(usage, stderr);
				return EXIT_ERROR;
			}
			ex->is_long |= c == 'l';
			ex->markdown |= c == 'm';
			ex->lang = c == 'L' ? optarg : ex->lang;
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
	int rc = parse(argc, argv, rules_usage, &dir, NULL);
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

/* Prints text under a title, indented; a long line of prose is wrapped at 88 columns
 * (code lines are short in the rule files and are left as they are). */
static void print_block(const char *title, const char *text, bool wrap)
{
	if (!text)
		return;
	printf("\n%s\n", title);
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		while (wrap && n > 86) {
			size_t cut = 86;
			while (cut && p[cut] != ' ')
				cut--;
			if (!cut)
				break;
			printf("  %.*s\n", (int)cut, p);
			p += cut + 1;
			n -= cut + 1;
		}
		printf("  %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

static void explain_text(const struct rule *r, bool is_long)
{
	printf("%s %s (%s", r->id, r->name, severity_name(r->severity));
	if (r->by_kind)
		printf("; live key %s, sandbox key %s", severity_name(r->kind_severity[KEY_LIVE]),
		       severity_name(r->kind_severity[KEY_SANDBOX]));
	printf(")\n");
	for (size_t j = 0; j < r->nitems; j++)
		printf("Checklist: %s: %s\n", r->items[j].section, r->items[j].item);
	print_block("What it finds", r->summary, true);
	print_block("Why it matters", r->why, true);
	print_block("How to fix it", r->fix, false);
	if (r->nfixes) {
		/* the list of languages, wrapped like prose */
		printf("  In code for:");
		size_t col = 14;
		for (size_t i = 0; i < r->nfixes; i++) {
			size_t w = strlen(r->fixes[i].key) + 2;
			if (col + w > 86) {
				printf(i ? ",\n   " : "\n   ");
				col = 3;
			} else if (i) {
				putchar(',');
			}
			printf(" %s", r->fixes[i].key);
			col += w;
		}
		printf("\n  (ocpay-audit explain --lang %s %s)\n", r->fixes[0].key, r->id);
	}
	if (is_long) {
		print_block("What the detectors look for", r->description, false);
		for (size_t i = 0; i < r->nfixes; i++) {
			char title[96];
			snprintf(title, sizeof title, "Fix (%s)", r->fixes[i].key);
			print_block(title, r->fixes[i].code, false);
		}
		printf("\nDetectors:\n");
		for (size_t i = 0; i < r->ndetectors; i++) {
			const struct detector *d = &r->detectors[i];
			printf("  %s: %s", d->label ? d->label : d->checker ? d->checker->name : "(unnamed)",
			       d->type == DETECT_REGEX ? "regex" : d->type == DETECT_QUERY ? "query"
											: "checker");
			for (int l = LANG_TEXT; l < LANG_COUNT; l++)
				if (d->langs & LANG_BIT(l) && d->langs != LANG_ALL)
					printf(" %s", lang_name((enum lang)l));
			printf("\n");
		}
		if (r->docs)
			printf("\nOCPay documentation: %s\n", r->docs);
	}
	char url[512];
	if (*report_rule_url(r, url, sizeof url))
		printf("\nRule page: %s%s\n", url, is_long ? "" : " (--long: what the detectors look for)");
}

/* The rule's page. docs/rules/OCnnn.md is this, and examples from the fixtures added by
 * scripts/rule_docs.py; a test checks that the pages are up to date. */
static void explain_markdown(const struct rule *r)
{
	printf("# %s %s\n\n", r->id, r->name);
	printf("Severity: **%s**", severity_name(r->severity));
	if (r->by_kind)
		printf(" (live key %s, sandbox key %s)", severity_name(r->kind_severity[KEY_LIVE]),
		       severity_name(r->kind_severity[KEY_SANDBOX]));
	printf(". Checklist:");
	for (size_t j = 0; j < r->nitems; j++)
		printf("%s %s: %s", j ? ";" : "", r->items[j].section, r->items[j].item);
	printf(".\n\n## What it finds\n\n%s.\n\n", r->summary);
	if (r->why)
		printf("## Why it matters\n\n%s\n\n", r->why);
	printf("## How to fix it\n\n```\n%s```\n", r->fix);
	for (size_t i = 0; i < r->nfixes; i++) {
		char label[64];
		const char *k = r->fixes[i].key;
		const char *fence = !strncmp(k, "php", 3) ? "php" : !strncmp(k, "python", 6) ? "python"
								    : "js";
		printf("\n### %s\n\n```%s\n%s```\n", report_fix_label(k, label, sizeof label), fence,
		       r->fixes[i].code);
	}
	printf("\n## What the detectors look for\n\n%s", r->description);
	if (r->docs)
		printf("\nOCPay documentation: <%s>\n", r->docs);
}

int cmd_explain(int argc, char **argv)
{
	const char *dir = NULL;
	struct explain_opts ex = {0};
	int rc = parse(argc, argv, explain_usage, &dir, &ex);
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
	if (ex.lang) {
		const char *key = NULL;
		size_t l = strcspn(ex.lang, "/");
		char lang[32];
		snprintf(lang, sizeof lang, "%.*s", (int)(l < 31 ? l : 31), ex.lang);
		const char *code = rule_fix_for(r, lang, ex.lang[l] ? ex.lang + l + 1 : NULL, &key);
		if (!code) {
			rc = cmd_fail("%s has no fix in code for '%s' (%s)", r->id, ex.lang,
				      r->nfixes ? "`ocpay-audit explain` lists those it has"
						: "its fix is the same in every language");
			ruleset_free(&set);
			return rc;
		}
		if (strcmp(key, ex.lang))
			printf("# %s: the %s fix\n", r->id, key);
		fputs(code, stdout);
	} else if (ex.markdown) {
		explain_markdown(r);
	} else {
		explain_text(r, ex.is_long);
	}
	ruleset_free(&set);
	return 0;
}
