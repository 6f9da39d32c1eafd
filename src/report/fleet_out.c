/* `merge -o fleet.json` and `-o fleet.md`: the same view as the page (fleet_html.c), as
 * data for a dashboard and as Markdown for a wiki or an issue. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "report/fleet.h"

static const struct fleet *order_of; /* qsort has no context argument */

static int rule_cmp(const void *x, const void *y)
{
	const struct fleet_rule *a = &order_of->rules[*(const size_t *)x];
	const struct fleet_rule *b = &order_of->rules[*(const size_t *)y];
	if (a->findings != b->findings)
		return a->findings > b->findings ? -1 : 1;
	if (a->repos != b->repos)
		return a->repos > b->repos ? -1 : 1;
	return strcmp(a->rule, b->rule);
}

size_t *fleet_rule_order(const struct fleet *f)
{
	size_t *order = malloc((f->nrules + 1) * sizeof *order);
	if (!order)
		return NULL;
	for (size_t i = 0; i < f->nrules; i++)
		order[i] = i;
	order_of = f;
	if (f->nrules)
		qsort(order, f->nrules, sizeof *order, rule_cmp);
	return order;
}

const char *fleet_status_name(int status)
{
	return status == FLEET_ABSENT ? "-" : item_status_name((enum item_status)status);
}

static json_t *severities(const size_t *by)
{
	json_t *o = json_object();
	for (int s = SEV_CRITICAL; s >= 0; s--)
		json_object_set_new(o, severity_name((enum severity)s), json_integer((json_int_t)by[s]));
	return o;
}

int fleet_write_json(const struct fleet *f, FILE *out)
{
	json_t *repos = json_array();
	for (size_t i = 0; i < f->nrepos; i++) {
		const struct fleet_repo *r = &f->repos[i];
		json_t *items = json_object(), *rules = json_object();
		for (size_t k = 0; k < f->nitems; k++)
			if (r->status[k] != FLEET_ABSENT)
				json_object_set_new(items, f->items[k].item,
						    json_string(fleet_status_name(r->status[k])));
		for (size_t k = 0; k < f->nrules; k++)
			if (r->rule_findings[k])
				json_object_set_new(rules, f->rules[k].rule,
						    json_integer((json_int_t)r->rule_findings[k]));
		json_array_append_new(
			repos,
			json_pack("{s:s, s:o, s:s, s:o, s:s, s:I, s:I, s:o, s:{s:I, s:I}, s:o, s:o, s:b, "
				  "s:I}",
				  "name", r->name, "report", report_json_string(r->file), "verdict",
				  fleet_verdict(f, r), "path", report_json_string(r->path), "mode",
				  r->mode, "findings", (json_int_t)r->findings, "failing",
				  (json_int_t)r->failing, "by_severity", severities(r->by_severity),
				  "keys_to_rotate", "total", (json_int_t)r->nkeys, "live",
				  (json_int_t)r->live_keys, "checklist", items, "rules", rules,
				  "ocpay_integration", r->integration, "incomplete",
				  (json_int_t)r->incomplete));
	}
	size_t *order = fleet_rule_order(f);
	json_t *rules = json_array();
	for (size_t i = 0; order && i < f->nrules; i++) {
		const struct fleet_rule *ru = &f->rules[order[i]];
		json_array_append_new(rules, json_pack("{s:s, s:s, s:I, s:I}", "rule", ru->rule,
						       "name", ru->name, "findings",
						       (json_int_t)ru->findings, "repositories",
						       (json_int_t)ru->repos));
	}
	free(order);
	json_t *root = json_pack(
		"{s:s, s:{s:s, s:s}, s:s, s:{s:I, s:I, s:I, s:o, s:{s:I, s:I, s:I}}, s:o, s:o}",
		"schema_version", REPORT_SCHEMA_VERSION, "tool", "name", "ocpay-audit", "version",
		OCPAY_VERSION, "fail_on", severity_name(f->fail_on), "totals", "repositories",
		(json_int_t)f->nrepos, "not_ready", (json_int_t)f->failing_repos, "findings",
		(json_int_t)f->findings, "by_severity", severities(f->by_severity), "keys_to_rotate",
		"total", (json_int_t)f->keys, "live", (json_int_t)f->live_keys, "shared",
		(json_int_t)f->shared_keys, "repositories", repos, "rules", rules);
	if (!root)
		return error_set("cannot build the merged JSON (out of memory)");
	int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(root);
	return rc < 0 || ferror(out) ? error_set("cannot write the merged JSON") : 0;
}

/* A table cell: text from a report, with what would break the table or inject markup
 * escaped. */
static void md_cell(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20)
			fputc(' ', out);
		else if (strchr("\\`*_[]<>|#!~&", c))
			fprintf(out, "\\%c", c);
		else
			fputc(c, out);
	}
}

int fleet_write_markdown(const struct fleet *f, FILE *out)
{
	static const char *const marks[] = {"✅", "❌", "➖", "❔"};
	fprintf(out, "# OCPay audit of %zu repositories\n\n**%zu of %zu not ready for "
		     "production**; %zu finding%s; %zu leaked key%s to rotate (%zu live).\n\n",
		f->nrepos, f->failing_repos, f->nrepos, f->findings, f->findings == 1 ? "" : "s",
		f->keys, f->keys == 1 ? "" : "s", f->live_keys);
	fputs("## Repositories\n\n| Repository | Verdict | critical | high | medium | low | info | "
	      "Keys to rotate |\n|---|---|---:|---:|---:|---:|---:|---:|\n",
	      out);
	for (size_t i = 0; i < f->nrepos; i++) {
		const struct fleet_repo *r = &f->repos[i];
		fputs("| ", out);
		if (f->pages) {
			fputs("[", out);
			md_cell(out, r->name);
			fprintf(out, "](%s%s.html)", f->pages, r->name);
		} else {
			md_cell(out, r->name);
		}
		fprintf(out, " | %s |", fleet_verdict(f, r));
		for (int s = SEV_CRITICAL; s >= 0; s--)
			fprintf(out, " %zu |", r->by_severity[s]);
		fprintf(out, " %zu (%zu live) |\n", r->nkeys, r->live_keys);
	}
	fprintf(out, "| **Total** | %zu not ready |", f->failing_repos);
	for (int s = SEV_CRITICAL; s >= 0; s--)
		fprintf(out, " %zu |", f->by_severity[s]);
	fprintf(out, " %zu (%zu live) |\n\n## Checklist\n\n| Repository |", f->keys, f->live_keys);
	for (size_t k = 0; k < f->nitems; k++)
		fprintf(out, " %s%s |", f->items[k].rule,
			strstr(f->items[k].item, "history") ? " history" : "");
	fputs("\n|---|", out);
	for (size_t k = 0; k < f->nitems; k++)
		fputs("---|", out);
	for (size_t i = 0; i < f->nrepos; i++) {
		fputs("\n| ", out);
		md_cell(out, f->repos[i].name);
		fputs(" |", out);
		for (size_t k = 0; k < f->nitems; k++) {
			int st = f->repos[i].status[k];
			fprintf(out, " %s |", st == FLEET_ABSENT ? "" : marks[st]);
		}
	}
	fputs("\n\n✅ pass, ❌ fail, ➖ n/a, ❔ unknown. Items:\n\n", out);
	for (size_t k = 0; k < f->nitems; k++) {
		fprintf(out, "- %s%s: ", f->items[k].rule,
			strstr(f->items[k].item, "history") ? " history" : "");
		md_cell(out, f->items[k].item);
		fputc('\n', out);
	}
	fputs("\n## Most frequent rules\n\n| Rule | Findings | Repositories |\n|---|---:|---:|\n",
	      out);
	size_t *order = fleet_rule_order(f);
	for (size_t i = 0; order && i < f->nrules; i++) {
		const struct fleet_rule *ru = &f->rules[order[i]];
		fprintf(out, "| %s ", ru->rule);
		md_cell(out, ru->name);
		fprintf(out, " | %zu | %zu |\n", ru->findings, ru->repos);
	}
	free(order);
	fprintf(out, "\nocpay-audit %s, failing at %s severity or above.\n", OCPAY_VERSION,
		severity_name(f->fail_on));
	return ferror(out) ? error_set("cannot write the merged Markdown") : 0;
}
