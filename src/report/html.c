/* The one-off audit as a single HTML page: inline style, no script, nothing loaded from
 * the network, readable printed. Everything from the audited repository is escaped. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/report.h"

static const char style[] =
    "*{box-sizing:border-box}"
    "body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2433;"
    "max-width:60rem;margin:2rem auto;padding:0 1.25rem;background:#fff}"
    "h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.25rem;margin:2rem 0 .75rem;"
    "border-bottom:2px solid #e3e7ef;padding-bottom:.25rem}h3{font-size:1.05rem;margin:1.25rem 0 "
    ".5rem}"
    ".meta{color:#5b6478;font-size:.9rem}.meta code{font-size:.85rem}"
    ".verdict{border-radius:8px;padding:1rem 1.25rem;margin:1.25rem 0;font-size:1.1rem;"
    "font-weight:600;border:2px solid}"
    ".verdict.bad{background:#fdecec;border-color:#d93a3a;color:#8a1414}"
    ".verdict.ok{background:#e9f7ef;border-color:#2e9d5b;color:#14532d}"
    ".verdict.na{background:#f1f3f7;border-color:#9aa3b5;color:#39404f}"
    ".counts{display:flex;gap:.75rem;flex-wrap:wrap;margin:.5rem 0 0;padding:0;list-style:none}"
    ".counts li{border-radius:6px;padding:.35rem .75rem;font-weight:600;font-size:.9rem}"
    ".sev{display:inline-block;border-radius:4px;padding:0 .45rem;font-size:.8rem;font-weight:700;"
    "text-transform:uppercase;letter-spacing:.02em}"
    ".critical{background:#7f1d1d;color:#fff}.high{background:#d93a3a;color:#fff}"
    ".medium{background:#f0a020;color:#2b1a00}.low{background:#cfe0f7;color:#123}"
    ".info{background:#e3e7ef;color:#123}"
    "table{border-collapse:collapse;width:100%;font-size:.92rem}"
    "th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #e3e7ef;vertical-align:top}"
    "th{background:#f6f8fb}"
    ".st{font-weight:700;white-space:nowrap}.st-pass{color:#2e7d4f}.st-fail{color:#c62828}"
    ".st-na{color:#6b7385}.st-unknown{color:#9a6700}"
    ".finding{border:1px solid #e3e7ef;border-left:5px solid #9aa3b5;border-radius:6px;"
    "padding:.75rem 1rem;margin:1rem 0;break-inside:avoid}"
    ".finding.s-critical{border-left-color:#7f1d1d}.finding.s-high{border-left-color:#d93a3a}"
    ".finding.s-medium{border-left-color:#f0a020}.finding.s-low{border-left-color:#6b9bd8}"
    ".finding h3{margin:0 0 "
    ".35rem;font-size:1rem}.where{font-family:ui-monospace,Menlo,Consolas,monospace;"
    "font-size:.88rem;color:#39404f;word-break:break-all}"
    "pre{background:#f6f8fb;border:1px solid #e3e7ef;border-radius:4px;padding:.6rem .75rem;"
    "overflow-x:auto;white-space:pre-wrap;word-break:break-all;font:13px/1.45 ui-monospace,Menlo,"
    "Consolas,monospace;margin:.5rem 0}"
    "mark{background:#ffe08a;color:inherit;border-radius:2px}"
    ".label{font-weight:600;margin:.5rem 0 0}.why,.fix{margin:.25rem 0}"
    "footer{margin:2.5rem 0 1rem;color:#6b7385;font-size:.85rem}"
    "@media print{body{margin:0;max-width:none;font-size:11pt}h2{break-after:avoid}"
    ".finding,tr{break-inside:avoid}pre{white-space:pre-wrap}}";

/* Escapes markup; invalid bytes and controls (but newlines and tabs) are shown escaped,
 * so the page is valid UTF-8 and shows what the file name really holds. */
static void put_html(FILE *out, const char *s, size_t n)
{
	static const char *const entities[][2] = {
	    {"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&#39;"}};
	for (n = strnlen(s, n); n;) {
		size_t k = 0;
		for (size_t e = 0; e < sizeof entities / sizeof entities[0] && !k; e++)
			if (*s == entities[e][0][0]) {
				fputs(entities[e][1], out);
				k = 1;
			}
		if (!k)
			k = report_put_char(out, s, n, true);
		s += k;
		n -= k;
	}
}

static void put(FILE *out, const char *s)
{
	if (s)
		put_html(out, s, strlen(s));
}

/* The first paragraph of a rule's description is what it finds; the rest says why it
 * matters. */
static void put_why(FILE *out, const char *description)
{
	if (!description)
		return;
	const char *para = strstr(description, "\n\n");
	const char *why = para ? para + 2 : description;
	size_t n = strlen(why);
	while (n && (why[n - 1] == '\n' || why[n - 1] == ' '))
		n--;
	put_html(out, why, n);
}

static void write_finding(FILE *out, const struct finding *f, bool show_fix)
{
	fprintf(out, "<div class=\"finding s-%s\">\n<h3><span class=\"sev %s\">%s</span> ",
		severity_name(f->severity), severity_name(f->severity), severity_name(f->severity));
	put(out, f->message);
	fprintf(out, "</h3>\n<div class=\"where\">%s %s &middot; ", f->rule->id, f->rule->name);
	put(out, f->path);
	fprintf(out, ":%d", f->line);
	if (f->commit && !(f->commit->date && *f->commit->date)) {
		fprintf(out, " &middot; object %.12s, in no commit", f->commit->id);
	} else if (f->commit) {
		fprintf(out, " &middot; commit %.12s by ", f->commit->id);
		put(out, f->commit->author);
		fputs(", ", out);
		put(out, f->commit->date);
	}
	fputs("</div>\n", out);
	if (f->snippet && *f->snippet) {
		fputs("<pre>", out);
		int len = (int)strlen(f->snippet);
		if (f->mark_end > f->mark_start && f->mark_end <= len) {
			put_html(out, f->snippet, (size_t)f->mark_start);
			fputs("<mark>", out);
			put_html(out, f->snippet + f->mark_start,
				 (size_t)(f->mark_end - f->mark_start));
			fputs("</mark>", out);
			put(out, f->snippet + f->mark_end);
		} else {
			put(out, f->snippet);
		}
		fputs("</pre>\n", out);
	}
	if (show_fix) {
		fputs("<p class=\"label\">Why it matters</p><p class=\"why\">", out);
		put_why(out, f->rule->description);
		fputs("</p>\n<p class=\"label\">How to fix it</p><pre class=\"fix\">", out);
		put(out, f->rule->fix);
		fputs("</pre>\n", out);
	} else {
		fprintf(out,
			"<p class=\"why\">Why it matters and how to fix it: see the first %s "
			"finding above.</p>\n",
			f->rule->id);
	}
	fputs("</div>\n", out);
}

static void write_findings(FILE *out, const struct finding_list *l, bool history)
{
	bool any = false;
	for (size_t i = 0; i < l->len; i++) {
		const struct finding *f = &l->items[i];
		if ((f->commit != NULL) != history)
			continue;
		bool shown = false;
		for (size_t k = 0; k < i && !shown; k++)
			shown =
			    l->items[k].rule == f->rule && (l->items[k].commit != NULL) == history;
		write_finding(out, f, !shown);
		any = true;
	}
	if (!any)
		fprintf(out, "<p>%s</p>\n",
			history ? "No key or .env file in the history."
				: "No finding in the working tree.");
}

static bool any_history(const struct finding_list *l)
{
	for (size_t i = 0; i < l->len; i++)
		if (l->items[i].commit)
			return true;
	return false;
}

int report_write_html(const struct report *rep, FILE *out)
{
	const struct scan *s = rep->scan;
	char verdict[512];
	report_verdict(rep, verdict, sizeof verdict);
	const char *cls = rep->failing ? "bad" : (!s->ocpay_seen && !s->findings.len) ? "na" : "ok";
	char date[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime_r(&now, &tm));

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'\">\n<title>OCPay audit: ",
	      out);
	put(out, rep->target);
	fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n", style);
	fputs("<header>\n<h1>OCPay integration audit</h1>\n<p class=\"meta\">Repository <code>",
	      out);
	char real[4096];
	put(out, realpath(rep->target, real) ? real : rep->target);
	fputs("</code>", out);
	if (rep->head[0])
		fprintf(out, " at commit <code>%.12s</code>", rep->head);
	fprintf(out, " &middot; %s &middot; ocpay-audit %s</p>\n</header>\n", date, OCPAY_VERSION);

	fprintf(out, "<section id=\"summary\">\n<div class=\"verdict %s\">", cls);
	put(out, verdict);
	fputs("</div>\n<ul class=\"counts\">\n", out);
	for (int sev = SEV_CRITICAL; sev >= 0; sev--)
		fprintf(out, "<li class=\"%s\">%zu %s</li>\n", severity_name((enum severity)sev),
			rep->by_severity[sev], severity_name((enum severity)sev));
	fputs("</ul>\n<p>Critical and high findings can lose money or leak the API key: an "
	      "attacker with the key can create payment links and read payments in your name, "
	      "and an order fulfilled without a confirmed payment is goods given away. Fix them "
	      "before taking real payments.</p>\n</section>\n",
	      out);

	fputs("<section id=\"checklist\">\n<h2>Production checklist</h2>\n<table>\n"
	      "<tr><th>Status</th><th>Item</th><th>Rule</th><th>Detail</th></tr>\n",
	      out);
	const char *section = NULL;
	for (size_t i = 0; i < rep->nchecklist; i++) {
		const struct checklist_entry *e = &rep->checklist[i];
		if (!section || strcmp(section, e->item->section)) {
			section = e->item->section;
			fputs("<tr><th colspan=\"4\">", out);
			put(out, section);
			fputs("</th></tr>\n", out);
		}
		const char *st = item_status_name(e->status);
		fprintf(out, "<tr><td class=\"st st-%s\">%s</td><td>",
			e->status == ITEM_NA ? "na" : st, st);
		put(out, e->item->item);
		fprintf(out, "</td><td>%s</td><td>", e->rule->id);
		if (e->findings)
			fprintf(out, "%zu finding%s%s", e->findings, e->findings == 1 ? "" : "s",
				e->reason ? "; " : "");
		if (e->reason)
			put(out, e->reason);
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n</section>\n", out);

	fputs("<section id=\"findings\">\n<h2>Findings in the working tree</h2>\n", out);
	write_findings(out, &s->findings, false);
	fputs("</section>\n", out);
	if (rep->scopes & SCOPE_HISTORY || any_history(&s->findings)) {
		fputs("<section id=\"history\">\n<h2>Leaks in the git history</h2>\n<p>A key that "
		      "was ever committed stays readable in every clone, even after the line is "
		      "deleted: rotate it in the OneClick dashboard.</p>\n",
		      out);
		write_findings(out, &s->findings, true);
		fputs("</section>\n", out);
	}
	const struct scan_stats *st = &s->stats;
	fprintf(out, "<footer>%zu files (%.1f MB) read, %zu parsed", st->files_scanned,
		(double)st->bytes_scanned / 1e6, st->files_parsed);
	if (st->blobs_scanned)
		fprintf(out, ", %zu history blobs", st->blobs_scanned);
	fprintf(out, ", in %llu ms.", (unsigned long long)st->duration_ms);
	if (s->suppressed.len)
		fprintf(out, " %zu finding%s suppressed inline or by the baseline.",
			s->suppressed.len, s->suppressed.len == 1 ? "" : "s");
	for (size_t i = 0; i < s->nincomplete; i++) {
		fputs("<br>Incomplete: ", out);
		put(out, s->incomplete[i]);
	}
	fputs(" Secrets are shown redacted.</footer>\n</body>\n</html>\n", out);
	return ferror(out) ? -1 : 0;
}
