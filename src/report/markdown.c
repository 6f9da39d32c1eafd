/* Markdown for a pull-request comment: the verdict, the findings as a table with their
 * code in folded details, the checklist. Text from the audited repository is escaped so
 * it cannot break the table or inject markup. */
#include <string.h>

#include "core/utf8.h"
#include "report/report.h"

static const char *const status_marks[] = {"✅ pass", "❌ fail", "➖ n/a", "❔ unknown"};

/* Inline text: no markup, no HTML, no line breaks; invalid bytes and controls become
 * spaces. */
static void put_inline(FILE *out, const char *s)
{
	for (size_t n = strlen(s); n;) {
		unsigned cp;
		size_t len = utf8_char(s, n, &cp);
		if (!len || utf8_is_control(cp))
			fputc(' ', out);
		else if (cp < 0x80 && strchr("\\`*_[]<>|#!~", (int)cp))
			fprintf(out, "\\%c", (char)cp);
		else if (cp == '&')
			fputs("&amp;", out);
		else
			fwrite(s, 1, len, out);
		len = len ? len : 1;
		s += len;
		n -= len;
	}
}

/* A code block whose fence is longer than any run of backticks in the text. */
static void put_code(FILE *out, const char *lang, const char *s)
{
	int longest = 0, run = 0;
	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	int fence = longest >= 3 ? longest + 1 : 3;
	for (int i = 0; i < fence; i++)
		fputc('`', out);
	fprintf(out, "%s\n", lang);
	for (const char *p = s; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		fputc(ch < 0x20 && ch != '\t' && ch != '\n' ? ' ' : ch, out);
	}
	fputc('\n', out);
	for (int i = 0; i < fence; i++)
		fputc('`', out);
	fputc('\n', out);
}

static const char *fence_lang(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (!dot)
		return "";
	static const char *const map[][2] = {
	    {".js", "js"},     {".mjs", "js"},	  {".cjs", "js"},   {".jsx", "jsx"},
	    {".ts", "ts"},     {".tsx", "tsx"},	  {".vue", "vue"},  {".html", "html"},
	    {".php", "php"},   {".py", "python"}, {".yml", "yaml"}, {".yaml", "yaml"},
	    {".json", "json"},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(dot, map[i][0]))
			return map[i][1];
	return "";
}

/* `path:line` as inline code; characters that would end it or the table cell, invalid
 * bytes and controls become '?'. */
static void put_where(FILE *out, const struct finding *f)
{
	fputc('`', out);
	const char *p = f->path;
	for (size_t n = strlen(p); n;) {
		unsigned cp;
		size_t len = utf8_char(p, n, &cp);
		if (!len || utf8_is_control(cp) || cp == '`' || cp == '|')
			fputc('?', out);
		else
			fwrite(p, 1, len, out);
		len = len ? len : 1;
		p += len;
		n -= len;
	}
	fprintf(out, ":%d`", f->line);
}

static void write_findings(const struct report *rep, FILE *out)
{
	const struct finding_list *l = &rep->scan->findings;
	if (!l->len)
		return;
	fputs("| Severity | Rule | Where | Finding |\n|---|---|---|---|\n", out);
	for (size_t i = 0; i < l->len; i++) {
		const struct finding *f = &l->items[i];
		fprintf(out, "| %s | %s %s | ", severity_name(f->severity), f->rule->id,
			f->rule->name);
		put_where(out, f);
		if (f->commit)
			fprintf(out, " (commit %.12s)", f->commit->id);
		fputs(" | ", out);
		put_inline(out, f->message);
		fputs(" |\n", out);
	}
	fputs("\n<details><summary>Code and fixes</summary>\n\n", out);
	for (size_t i = 0; i < l->len; i++) {
		const struct finding *f = &l->items[i];
		fprintf(out, "**%s** ", f->rule->id);
		put_where(out, f);
		fputs("\n\n", out);
		if (f->snippet && *f->snippet)
			put_code(out, fence_lang(f->path), f->snippet);
		bool shown = false;
		for (size_t k = 0; k < i && !shown; k++)
			shown = l->items[k].rule == f->rule;
		if (!shown && f->rule->fix) {
			fputs("\nFix:\n", out);
			put_code(out, "", f->rule->fix);
		}
		fputc('\n', out);
	}
	fputs("</details>\n\n", out);
}

static void write_checklist(const struct report *rep, FILE *out)
{
	fputs("### Production checklist\n", out);
	const char *section = NULL;
	for (size_t i = 0; i < rep->nchecklist; i++) {
		const struct checklist_entry *e = &rep->checklist[i];
		if (!section || strcmp(section, e->item->section)) {
			section = e->item->section;
			fprintf(out, "\n**%s**\n\n", section);
		}
		fprintf(out, "- %s: ", status_marks[e->status]);
		put_inline(out, e->item->item);
		fprintf(out, " (%s)", e->rule->id);
		const char *sep = ": ";
		if (e->findings) {
			fprintf(out, ": %zu finding%s", e->findings, e->findings == 1 ? "" : "s");
			sep = "; ";
		}
		if (e->reason) {
			fputs(sep, out);
			put_inline(out, e->reason);
		}
		fputc('\n', out);
	}
}

int report_write_markdown(const struct report *rep, FILE *out)
{
	const struct scan *s = rep->scan;
	char verdict[512];
	report_verdict(rep, verdict, sizeof verdict);
	fputs("## ocpay-audit: ", out);
	report_put_counts(rep, out);
	fprintf(out, "\n\n%s\n\n", verdict);
	write_findings(rep, out);
	write_checklist(rep, out);
	const struct scan_stats *st = &s->stats;
	fprintf(out, "\n<sub>%zu files", st->files_scanned);
	if (st->blobs_scanned)
		fprintf(out, " and %zu history blobs", st->blobs_scanned);
	fprintf(out, " read in %llu ms", (unsigned long long)st->duration_ms);
	if (s->suppressed.len)
		fprintf(out, "; %zu suppressed", s->suppressed.len);
	if (s->nincomplete)
		fprintf(out, "; **incomplete**: %zu problem%s reading the repository",
			s->nincomplete, s->nincomplete == 1 ? "" : "s");
	fprintf(out, ". ocpay-audit %s</sub>\n", OCPAY_VERSION);
	return ferror(out) ? -1 : 0;
}
