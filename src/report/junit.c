/* JUnit XML for CI test views (GitLab's `reports: junit`, Jenkins, Azure): the checklist
 * items and the findings as test cases. A finding at or above --fail-on fails its case,
 * one below it is skipped with its severity; a failing checklist item fails, an unknown
 * or n/a item is skipped with the reason. */
#include <string.h>

#include "core/utf8.h"
#include "report/report.h"

/* Text in an attribute or an element: markup escaped; invalid UTF-8 and the controls XML
 * 1.0 cannot hold become '?'. */
static void put_xml(FILE *out, const char *s)
{
	for (size_t n = s ? strlen(s) : 0; n;) {
		unsigned cp;
		size_t len = utf8_char(s, n, &cp);
		if (!len || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
		    cp == 0xFFFE || cp == 0xFFFF)
			fputc('?', out);
		else if (cp == '&')
			fputs("&amp;", out);
		else if (cp == '<')
			fputs("&lt;", out);
		else if (cp == '>')
			fputs("&gt;", out);
		else if (cp == '"')
			fputs("&quot;", out);
		else
			fwrite(s, 1, len, out);
		len = len ? len : 1;
		s += len;
		n -= len;
	}
}

static void write_checklist(const struct report *rep, FILE *out)
{
	size_t failures = 0, skipped = 0;
	for (size_t i = 0; i < rep->nchecklist; i++) {
		failures += rep->checklist[i].status == ITEM_FAIL;
		skipped += rep->checklist[i].status == ITEM_NA ||
			   rep->checklist[i].status == ITEM_UNKNOWN;
	}
	fprintf(out,
		"  <testsuite name=\"ocpay-audit checklist\" tests=\"%zu\" failures=\"%zu\" "
		"errors=\"0\" skipped=\"%zu\">\n",
		rep->nchecklist, failures, skipped);
	for (size_t i = 0; i < rep->nchecklist; i++) {
		const struct checklist_entry *e = &rep->checklist[i];
		fputs("    <testcase classname=\"checklist.", out);
		put_xml(out, e->item->section);
		fputs("\" name=\"", out);
		put_xml(out, e->item->item);
		fprintf(out, " (%s)\"", e->rule->id);
		if (e->status == ITEM_PASS) {
			fputs("/>\n", out);
			continue;
		}
		fputs(">\n", out);
		if (e->status == ITEM_FAIL) {
			fprintf(out, "      <failure type=\"fail\" message=\"%zu finding%s", e->findings,
				e->findings == 1 ? "" : "s");
			if (e->reason) {
				fputs(": ", out);
				put_xml(out, e->reason);
			}
			fputs("\"/>\n", out);
		} else {
			fprintf(out, "      <skipped message=\"%s: ", item_status_name(e->status));
			put_xml(out, e->reason ? e->reason : "");
			fputs("\"/>\n", out);
		}
		fputs("    </testcase>\n", out);
	}
	fputs("  </testsuite>\n", out);
}

static void write_findings(const struct report *rep, FILE *out)
{
	const struct finding_list *l = &rep->result->findings;
	size_t failing = 0;
	for (size_t i = 0; i < l->len; i++)
		failing += l->items[i].severity >= rep->fail_on;
	fprintf(out,
		"  <testsuite name=\"ocpay-audit findings\" tests=\"%zu\" failures=\"%zu\" "
		"errors=\"0\" skipped=\"%zu\">\n",
		l->len, failing, l->len - failing);
	for (size_t i = 0; i < l->len; i++) {
		const struct finding *f = &l->items[i];
		fprintf(out, "    <testcase classname=\"%s\" name=\"", f->rule->id);
		put_xml(out, f->path);
		fprintf(out, ":%d\" file=\"", f->line);
		put_xml(out, f->path);
		fprintf(out, "\" line=\"%d\">\n", f->line);
		if (f->severity >= rep->fail_on) {
			fprintf(out, "      <failure type=\"%s\" message=\"", severity_name(f->severity));
			put_xml(out, f->message);
			fputs("\">", out);
			put_xml(out, f->path);
			fprintf(out, ":%d:%d: %s: ", f->line, f->column, severity_name(f->severity));
			put_xml(out, f->message);
			fprintf(out, " [%s]\n", f->rule->id);
			if (f->snippet && *f->snippet) {
				put_xml(out, f->snippet);
				fputc('\n', out);
			}
			if (f->commit) {
				fprintf(out, "commit %.12s ", f->commit->id);
				put_xml(out, f->commit->date);
				fputc('\n', out);
			}
			fputs("</failure>\n", out);
		} else {
			fprintf(out, "      <skipped message=\"%s, below --fail-on %s: ",
				severity_name(f->severity), severity_name(rep->fail_on));
			put_xml(out, f->message);
			fputs("\"/>\n", out);
		}
		fputs("    </testcase>\n", out);
	}
	fputs("  </testsuite>\n", out);
}

int report_write_junit(const struct report *rep, FILE *out)
{
	size_t tests = rep->nchecklist + rep->result->findings.len, failures = rep->failing;
	for (size_t i = 0; i < rep->nchecklist; i++)
		failures += rep->checklist[i].status == ITEM_FAIL;
	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"ocpay-audit\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
		tests, failures);
	write_checklist(rep, out);
	write_findings(rep, out);
	fputs("</testsuites>\n", out);
	return ferror(out) ? -1 : 0;
}
