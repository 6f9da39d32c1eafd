/* The one-off audit as a single HTML page, in the order a reader acts on it: the verdict
 * and what to do first; a one-screen summary drawn as SVG (the checklist tally, findings
 * by severity and by checklist section); the keys to rotate; the checklist, each item
 * linked to its findings; the findings grouped by rule, most severe first
 * (html_findings.c); what the scan read. Everything from the audited repository is
 * escaped; the page runs no script and loads nothing. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "report/html.h"

void html_write_findings(FILE *out, const struct report *rep, const struct file_context *ctx);
void html_write_where(FILE *out, const struct finding *f);

static size_t count_status(const struct report *rep, enum item_status st)
{
	size_t n = 0;
	for (size_t i = 0; i < rep->nchecklist; i++)
		n += rep->checklist[i].status == st;
	return n;
}

static void write_header(FILE *out, const struct report *rep)
{
	char date[32], real[PATH_MAX];
	time_t now = time(NULL);
	struct tm tm;
	strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime_r(&now, &tm));
	fputs("<header>\n<h1>OCPay integration audit</h1>\n<p class=\"meta\">Repository <code>",
	      out);
	html_put(out, realpath(rep->target, real) ? real : rep->target);
	fputs("</code>", out);
	if (rep->head[0])
		fprintf(out, " at commit <code>%.12s</code>", rep->head);
	fprintf(out, " &middot; %s &middot; ocpay-audit %s</p>\n</header>\n", date, OCPAY_VERSION);
}

/* The verdict, then the few things to do, most urgent first, each linked to its part. */
static void write_verdict(FILE *out, const struct report *rep, size_t nkeys, size_t live)
{
	char verdict[512];
	report_verdict(rep, verdict, sizeof verdict);
	fprintf(out, "<section id=\"verdict\">\n<div class=\"verdict %s\">",
		html_verdict_class(rep));
	html_put(out, verdict);
	fputs("</div>\n<ol class=\"todo\">\n", out);
	if (nkeys)
		fprintf(out,
			"<li><a href=\"#keys\">Rotate %zu leaked key%s</a>%s%zu live) in the OneClick "
			"dashboard: a committed key stays readable in every clone.</li>\n",
			nkeys, nkeys == 1 ? "" : "s", " (", live);
	if (rep->failing)
		fprintf(out,
			"<li><a href=\"#findings\">Fix %zu finding%s of %s severity or above</a> "
			"before taking real payments.</li>\n",
			rep->failing, rep->failing == 1 ? "" : "s", severity_name(rep->fail_on));
	size_t unknown = count_status(rep, ITEM_UNKNOWN);
	if (unknown)
		fprintf(out,
			"<li><a href=\"#checklist\">Check %zu checklist item%s by hand</a>: the scan "
			"could not decide %s.</li>\n",
			unknown, unknown == 1 ? "" : "s", unknown == 1 ? "it" : "them");
	size_t other = rep->result->findings.len - rep->failing;
	if (other)
		fprintf(out, "<li><a href=\"#findings\">Review %zu finding%s below %s</a>.</li>\n",
			other, other == 1 ? "" : "s", severity_name(rep->fail_on));
	if (!nkeys && !rep->failing && !unknown && !other)
		fputs("<li>Nothing to do: keep running <code>ocpay-audit scan</code> in CI.</li>\n",
		      out);
	fputs("</ol>\n</section>\n", out);
}

static void write_charts(FILE *out, const struct report *rep)
{
	const struct scan_result *s = rep->result;
	fputs("<section id=\"summary\" class=\"charts\">\n", out);
	struct html_bar tally[] = {
	    {"pass", count_status(rep, ITEM_PASS), "f-pass", NULL},
	    {"fail", count_status(rep, ITEM_FAIL), "f-fail", NULL},
	    {"unknown", count_status(rep, ITEM_UNKNOWN), "f-unknown", NULL},
	    {"n/a", count_status(rep, ITEM_NA), "f-na", NULL},
	};
	fprintf(out, "<figure><figcaption><a href=\"#checklist\">Production checklist</a>: "
		     "%zu items</figcaption>\n",
		rep->nchecklist);
	html_svg_stack(out, "Checklist items by status", tally, 4);
	fputs("</figure>\n", out);

	static const char *const sev_class[SEV_COUNT] = {"f-info", "f-low", "f-medium", "f-high",
							 "f-critical"};
	struct html_bar sev[SEV_COUNT];
	for (int i = SEV_CRITICAL, k = 0; i >= 0; i--, k++)
		sev[k] = (struct html_bar){severity_name((enum severity)i), rep->by_severity[i],
					   sev_class[i], NULL};
	fprintf(out, "<figure><figcaption><a href=\"#findings\">Findings by severity</a>: %zu"
		     "</figcaption>\n",
		s->findings.len);
	html_svg_bars(out, "Findings by severity", sev, SEV_COUNT);
	fputs("</figure>\n", out);

	struct html_bar sec[5];
	size_t nsec = 0, other = 0;
	for (size_t i = 0; checklist_sections[i] && nsec < 4; i++)
		sec[nsec++] = (struct html_bar){checklist_sections[i], 0, "f-bar", NULL};
	for (size_t i = 0; i < s->findings.len; i++) {
		const struct rule *r = s->findings.items[i].rule;
		size_t k = 0;
		while (k < nsec && !(r->nitems && !strcmp(sec[k].label, r->items[0].section)))
			k++;
		if (k < nsec)
			sec[k].value++;
		else
			other++; /* a section of a rule from --rules DIR */
	}
	if (other)
		sec[nsec++] = (struct html_bar){"Other", other, "f-bar", NULL};
	fputs("<figure><figcaption>Findings by checklist section</figcaption>\n", out);
	html_svg_bars(out, "Findings by checklist section", sec, nsec);
	fputs("</figure>\n</section>\n", out);
}

static void write_toc(FILE *out, const struct report *rep, size_t nkeys)
{
	fprintf(out,
		"<nav class=\"toc\"><a href=\"#keys\">Keys to rotate (%zu)</a>"
		"<a href=\"#checklist\">Checklist (%zu)</a><a href=\"#findings\">Findings "
		"(%zu)</a><a href=\"#scan\">What was read</a></nav>\n",
		nkeys, rep->nchecklist, rep->result->findings.len);
}

static void write_commit(FILE *out, const struct finding *f)
{
	fprintf(out, "<code>%.12s</code> (", f->commit->id);
	html_put(out, f->commit->date);
	fputs(", ", out);
	html_put(out, f->commit->author);
	fputs(")", out);
}

static void write_keys(FILE *out, const struct report *rep, const struct leaked_key *keys,
		       size_t n)
{
	const struct finding_list *l = &rep->result->findings;
	fprintf(out, "<section id=\"keys\">\n<h2>Keys to rotate (%zu)</h2>\n", n);
	if (!n)
		fputs("<p>No OCPay key was found in the working tree", out);
	if (!n && !(rep->scopes & SCOPE_HISTORY))
		fputs(" (the git history was not read: there is none, or it was skipped)", out);
	if (!n)
		fputs(rep->scopes & SCOPE_HISTORY ? " or in the git history.</p>\n" : ".</p>\n", out);
	else
		fputs("<p>Each key below was written into the repository: replace it in the "
		      "OneClick dashboard (rotate), then load it from the environment. Deleting the "
		      "line does not help, every clone keeps the history.</p>\n",
		      out);
	for (size_t i = 0; i < n; i++) {
		const struct leaked_key *k = &keys[i];
		fprintf(out, "<article class=\"key\" id=\"key-%s\">\n<h3><code>", k->id);
		html_put(out, k->redacted);
		fprintf(out, "</code> <span class=\"kind %s\">%s</span></h3>\n<p>", k->kind,
			!strcmp(k->kind, "unknown") ? "live or sandbox: unknown" : k->kind);
		fputs(k->in_tree ? "<strong>Still in the working tree.</strong> "
				 : "Removed from the working tree, still in the git history. ",
		      out);
		fprintf(out, "In %zu file%s.", k->paths, k->paths == 1 ? "" : "s");
		if (k->first) {
			fputs(" First committed in ", out);
			write_commit(out, k->first);
			if (k->last && k->last != k->first) {
				fputs("; last added in ", out);
				write_commit(out, k->last);
			}
			fputc('.', out);
		}
		fputs("</p>\n<ul>\n", out);
		/* one line per file: where it was committed, whether it is still there */
		for (size_t j = 0; j < k->n; j++) {
			const struct finding *f = &l->items[k->findings[j]];
			bool seen = false;
			for (size_t m = 0; m < j && !seen; m++)
				seen = !strcmp(l->items[k->findings[m]].path, f->path);
			if (seen)
				continue;
			fprintf(out, "<li><a href=\"#f-%zu\">", k->findings[j]);
			html_put(out, f->path);
			fprintf(out, ":%d</a>", f->line);
			bool tree = false, committed = false;
			for (size_t m = j; m < k->n; m++) {
				const struct finding *g = &l->items[k->findings[m]];
				if (strcmp(g->path, f->path))
					continue;
				tree |= report_finding_in_tree(g);
				if (g->commit && g->commit->date && *g->commit->date) {
					fputs(committed ? ", " : " committed in ", out);
					write_commit(out, g);
					committed = true;
				} else if (g->commit) {
					fprintf(out, " in object <code>%.12s</code>, in no commit",
						g->commit->id);
				}
			}
			fputs(tree ? (committed ? "; still in the working tree" : " in the working tree")
				   : "; removed from the working tree",
			      out);
			fputs("</li>\n", out);
		}
		fputs("</ul>\n</article>\n", out);
	}
	fputs("</section>\n", out);
}

static void write_checklist(FILE *out, const struct report *rep)
{
	fputs("<section id=\"checklist\">\n<h2>Production checklist</h2>\n"
	      "<table class=\"stack\">\n<thead><tr><th>Status</th><th>Item</th><th>Findings</th>"
	      "<th>Detail</th></tr></thead>\n<tbody>\n",
	      out);
	const char *section = NULL;
	for (size_t i = 0; i < rep->nchecklist; i++) {
		const struct checklist_entry *e = &rep->checklist[i];
		if (!section || strcmp(section, e->item->section)) {
			section = e->item->section;
			fputs("<tr><th colspan=\"4\">", out);
			html_put(out, section);
			fputs("</th></tr>\n", out);
		}
		const char *st = item_status_name(e->status);
		fprintf(out, "<tr id=\"item-%s-%s\"><td class=\"st st-%s\">%s</td><td>", e->rule->id,
			e->item->scope == SCOPE_HISTORY ? "history" : "tree",
			e->status == ITEM_NA ? "na" : st, st);
		html_put(out, e->item->item);
		fprintf(out, " <span class=\"muted\">%s</span></td><td class=\"count\">", e->rule->id);
		/* a key in the history is a key to rotate: the keys list says where */
		bool keys = e->item->scope == SCOPE_HISTORY && e->rule->by_kind;
		if (e->findings)
			fprintf(out, "<a href=\"#%s%s\">%zu finding%s</a>", keys ? "keys" : "rule-",
				keys ? "" : e->rule->id, e->findings, e->findings == 1 ? "" : "s");
		fputs("</td><td>", out);
		if (e->reason)
			html_put(out, e->reason);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody>\n</table>\n</section>\n", out);
}

static void write_footer(FILE *out, const struct report *rep)
{
	const struct scan_result *s = rep->result;
	const struct scan_stats *st = &s->stats;
	fprintf(out, "<footer id=\"scan\">\n<h2>What was read</h2>\n<p>%zu files (%.1f MB) read, "
		     "%zu parsed",
		st->files_scanned, (double)st->bytes_scanned / 1e6, st->files_parsed);
	if (st->blobs_scanned)
		fprintf(out, ", %zu history blobs", st->blobs_scanned);
	fprintf(out, ", in %llu ms.", (unsigned long long)st->duration_ms);
	if (s->suppressed.len)
		fprintf(out, " %zu finding%s suppressed inline or by the baseline.",
			s->suppressed.len, s->suppressed.len == 1 ? "" : "s");
	fputs(" Secrets are shown redacted.</p>\n", out);
	if (s->nincomplete) {
		fputs("<p>The scan is incomplete:</p>\n<ul>\n", out);
		for (size_t i = 0; i < s->nincomplete; i++) {
			fputs("<li>", out);
			html_put(out, s->incomplete[i]);
			fputs("</li>\n", out);
		}
		fputs("</ul>\n", out);
	}
	fputs("</footer>\n", out);
}

int report_write_html(const struct report *rep, FILE *out)
{
	struct leaked_key *keys = NULL;
	size_t nkeys = 0, live = 0;
	struct file_context *ctx = NULL;
	if (report_keys(&keys, &nkeys, rep->result) < 0 || report_contexts(&ctx, rep) < 0) {
		report_keys_free(keys, nkeys);
		return -1;
	}
	for (size_t i = 0; i < nkeys; i++)
		live += !strcmp(keys[i].kind, "live");
	html_begin(out, "OCPay audit", rep->target);
	write_header(out, rep);
	write_verdict(out, rep, nkeys, live);
	write_charts(out, rep);
	write_toc(out, rep, nkeys);
	write_keys(out, rep, keys, nkeys);
	write_checklist(out, rep);
	html_write_findings(out, rep, ctx);
	write_footer(out, rep);
	html_end(out);
	report_keys_free(keys, nkeys);
	free(ctx);
	return ferror(out) ? error_set("cannot write the HTML report") : 0;
}
