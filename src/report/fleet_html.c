/* `merge -o fleet.html`: many repositories on one page, in the order a manager reads it:
 * how many are not ready and how many keys must be rotated; the summary as SVG
 * (repositories by verdict, findings by severity, the most frequent rules); a row per
 * repository (verdict, counts by severity, keys to rotate, a link to its own page); the
 * checklist matrix of repositories against items; the most frequent rules. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "report/fleet.h"
#include "report/html.h"

static const char *const verdict_class[] = {"f-fail", "f-unknown", "f-na", "f-pass"};
static const char *const verdicts[] = {"Not ready", "Incomplete scan", "No OCPay integration",
				       "Ready"};

static size_t verdict_index(const struct fleet *f, const struct fleet_repo *r)
{
	const char *v = fleet_verdict(f, r);
	for (size_t i = 0; i < 4; i++)
		if (!strcmp(v, verdicts[i]))
			return i;
	return 3;
}

static void write_summary(FILE *out, const struct fleet *f, const size_t *order)
{
	struct html_bar by_verdict[4];
	for (size_t i = 0; i < 4; i++)
		by_verdict[i] = (struct html_bar){verdicts[i], 0, verdict_class[i], NULL};
	for (size_t i = 0; i < f->nrepos; i++)
		by_verdict[verdict_index(f, &f->repos[i])].value++;
	fputs("<section id=\"summary\" class=\"charts\">\n", out);
	fprintf(out, "<figure><figcaption><a href=\"#repositories\">Repositories</a>: %zu"
		     "</figcaption>\n",
		f->nrepos);
	html_svg_stack(out, "Repositories by verdict", by_verdict, 4);
	fputs("</figure>\n", out);
	static const char *const sev_class[SEV_COUNT] = {"f-info", "f-low", "f-medium", "f-high",
							 "f-critical"};
	struct html_bar sev[SEV_COUNT];
	for (int s = SEV_CRITICAL, k = 0; s >= 0; s--, k++)
		sev[k] = (struct html_bar){severity_name((enum severity)s), f->by_severity[s],
					   sev_class[s], NULL};
	fprintf(out, "<figure><figcaption>Findings by severity: %zu</figcaption>\n", f->findings);
	html_svg_bars(out, "Findings by severity, all repositories", sev, SEV_COUNT);
	fputs("</figure>\n<figure><figcaption><a href=\"#rules\">Most frequent rules</a>"
	      "</figcaption>\n",
	      out);
	struct html_bar top[5];
	size_t n = 0;
	for (; order && n < 5 && n < f->nrules; n++)
		top[n] = (struct html_bar){f->rules[order[n]].rule, f->rules[order[n]].findings,
					   "f-bar", NULL};
	html_svg_bars(out, "Most frequent rules", top, n);
	fputs("</figure>\n</section>\n", out);
}

static void write_name(FILE *out, const struct fleet *f, const struct fleet_repo *r)
{
	if (f->pages) {
		fputs("<a href=\"", out);
		html_put(out, f->pages);
		html_put(out, r->name);
		fputs(".html\">", out);
	}
	html_put(out, r->name);
	fputs(f->pages ? "</a>" : "", out);
}

static void write_repositories(FILE *out, const struct fleet *f)
{
	fputs("<section id=\"repositories\">\n<h2>Repositories</h2>\n<table class=\"wide\">\n"
	      "<thead><tr><th>Repository</th><th>Verdict</th>",
	      out);
	for (int s = SEV_CRITICAL; s >= 0; s--)
		fprintf(out, "<th>%s</th>", severity_name((enum severity)s));
	fputs("<th>Keys to rotate</th></tr></thead>\n<tbody>\n", out);
	for (size_t i = 0; i < f->nrepos; i++) {
		const struct fleet_repo *r = &f->repos[i];
		size_t v = verdict_index(f, r);
		fprintf(out, "<tr id=\"repo-%zu\"><td>", i);
		write_name(out, f, r);
		fputs("<br><span class=\"muted where\">", out);
		html_put(out, r->path);
		if (r->head)
			fprintf(out, " @ %.12s", r->head);
		fprintf(out, "</span></td><td><span class=\"dot %s\"></span>%s</td>", verdict_class[v],
			verdicts[v]);
		for (int s = SEV_CRITICAL; s >= 0; s--)
			fprintf(out, "<td class=\"n\">%zu</td>", r->by_severity[s]);
		fprintf(out, "<td class=\"n\">%zu (%zu live)</td></tr>\n", r->nkeys, r->live_keys);
	}
	fprintf(out, "</tbody>\n<tfoot><tr><th>Total</th><th>%zu not ready</th>", f->failing_repos);
	for (int s = SEV_CRITICAL; s >= 0; s--)
		fprintf(out, "<th class=\"n\">%zu</th>", f->by_severity[s]);
	fprintf(out, "<th class=\"n\">%zu (%zu live)</th></tr></tfoot>\n</table>\n</section>\n",
		f->keys, f->live_keys);
}

static void write_matrix(FILE *out, const struct fleet *f)
{
	static const char *const marks[] = {"pass", "FAIL", "n/a", "?"};
	static const char *const cls[] = {"st-pass", "st-fail", "st-na", "st-unknown"};
	fputs("<section id=\"checklist\">\n<h2>Checklist</h2>\n<table class=\"wide matrix\">\n"
	      "<thead><tr><th>Repository</th>",
	      out);
	for (size_t k = 0; k < f->nitems; k++) {
		fputs("<th title=\"", out);
		html_put(out, f->items[k].item);
		fputs("\">", out);
		html_put(out, f->items[k].rule);
		fputs(strstr(f->items[k].item, "history") ? "<br>history" : "", out);
		fputs("</th>", out);
	}
	fputs("</tr></thead>\n<tbody>\n", out);
	for (size_t i = 0; i < f->nrepos; i++) {
		fputs("<tr><td>", out);
		write_name(out, f, &f->repos[i]);
		fputs("</td>", out);
		for (size_t k = 0; k < f->nitems; k++) {
			int st = f->repos[i].status[k];
			if (st == FLEET_ABSENT)
				fputs("<td></td>", out);
			else
				fprintf(out, "<td class=\"st %s\">%s</td>", cls[st], marks[st]);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody>\n</table>\n<ul class=\"legend\">\n", out);
	for (size_t k = 0; k < f->nitems; k++) {
		fputs("<li><b>", out);
		html_put(out, f->items[k].rule);
		fputs("</b> ", out);
		html_put(out, f->items[k].item);
		fputs("</li>\n", out);
	}
	fputs("</ul>\n</section>\n", out);
}

static void write_rules(FILE *out, const struct fleet *f, const size_t *order)
{
	fputs("<section id=\"rules\">\n<h2>Most frequent rules</h2>\n<table class=\"stack\">\n"
	      "<thead><tr><th>Rule</th><th>Findings</th><th>Repositories</th></tr></thead>\n"
	      "<tbody>\n",
	      out);
	for (size_t i = 0; order && i < f->nrules; i++) {
		const struct fleet_rule *r = &f->rules[order[i]];
		fputs("<tr><td>", out);
		html_put(out, r->rule);
		fputs(" ", out);
		html_put(out, r->name);
		fprintf(out, "</td><td class=\"n\">%zu</td><td class=\"n\">%zu of %zu</td></tr>\n",
			r->findings, r->repos, f->nrepos);
	}
	fputs("</tbody>\n</table>\n</section>\n", out);
}

int fleet_write_html(const struct fleet *f, FILE *out)
{
	size_t *order = fleet_rule_order(f);
	if (!order)
		return error_set("out of memory");
	char title[64];
	snprintf(title, sizeof title, "%zu repositories", f->nrepos);
	html_begin(out, "OCPay audit", title);
	fprintf(out, "<header>\n<h1>OCPay audit of %zu repositories</h1>\n<p class=\"meta\">"
		     "ocpay-audit %s &middot; a repository is not ready with a finding of %s "
		     "severity or above</p>\n</header>\n",
		f->nrepos, OCPAY_VERSION, severity_name(f->fail_on));
	fprintf(out, "<div class=\"verdict %s\">%zu of %zu repositories are not ready for "
		     "production; %zu leaked key%s to rotate (%zu live",
		f->failing_repos ? "bad" : "ok", f->failing_repos, f->nrepos, f->keys,
		f->keys == 1 ? "" : "s", f->live_keys);
	if (f->shared_keys)
		fprintf(out, "; %zu found in more than one repository", f->shared_keys);
	fputs(").</div>\n", out);
	write_summary(out, f, order);
	fputs("<nav class=\"toc\"><a href=\"#repositories\">Repositories</a><a "
	      "href=\"#checklist\">Checklist</a><a href=\"#rules\">Most frequent rules</a></nav>\n",
	      out);
	write_repositories(out, f);
	write_matrix(out, f);
	write_rules(out, f, order);
	html_end(out);
	free(order);
	return ferror(out) ? error_set("cannot write the merged page") : 0;
}
