/* Markdown for a pull-request comment: the verdict, the findings as a table with their
 * code in folded details, the checklist. Text from the audited repository is escaped so
 * it cannot break the table or inject markup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

#include "core/utf8.h"
#include "report/markdown_common.h"
#include "report/report.h"

/* GitHub refuses comments over 65,536 characters: leave room for a header. */
#define MARKDOWN_MAX_CHARS 65000

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

/* The findings shown: order[0 .. shown), most severe first. */
static void write_findings(const struct report *rep, FILE *out, const size_t *order, size_t shown)
{
	const struct finding_list *l = &rep->result->findings;
	if (!shown)
		return;
	fputs("| Severity | Rule | Where | Finding |\n|---|---|---|---|\n", out);
	for (size_t k = 0; k < shown; k++) {
		const struct finding *f = &l->items[order[k]];
		fprintf(out, "| %s | %s %s | ", severity_name(f->severity), f->rule->id,
			f->rule->name);
		put_where(out, f);
		if (f->commit)
			fprintf(out, " (commit %.12s)", f->commit->id);
		fputs(" | ", out);
		md_put_inline(out, f->message);
		fputs(" |\n", out);
	}
	fputs("\n<details><summary>Code and fixes</summary>\n\n", out);
	for (size_t k = 0; k < shown; k++) {
		const struct finding *f = &l->items[order[k]];
		fprintf(out, "**%s** ", f->rule->id);
		put_where(out, f);
		fputs("\n\n", out);
		if (f->snippet && *f->snippet)
			md_put_code(out, fence_lang(f->path), f->snippet, false);
		bool shown_fix = false;
		for (size_t j = 0; j < k && !shown_fix; j++)
			shown_fix = l->items[order[j]].rule == f->rule;
		if (!shown_fix && f->rule->fix) {
			fputs("\nFix:\n", out);
			md_put_code(out, "", f->rule->fix, false);
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
		fprintf(out, "- %s: ", md_status_marks[e->status]);
		md_put_inline(out, e->item->item);
		fprintf(out, " (%s)", e->rule->id);
		const char *sep = ": ";
		if (e->findings) {
			fprintf(out, ": %zu finding%s", e->findings, e->findings == 1 ? "" : "s");
			sep = "; ";
		}
		if (e->reason) {
			fputs(sep, out);
			md_put_inline(out, e->reason);
		}
		fputc('\n', out);
	}
}

static void write_footer(const struct report *rep, FILE *out)
{
	const struct scan_result *s = rep->result;
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
}

/* The comment with the first shown findings of order; NULL when out of memory. */
static char *render(const struct report *rep, const size_t *order, size_t shown, size_t *len)
{
	char *text = NULL;
	FILE *out = open_memstream(&text, len);
	if (!out)
		return NULL;
	const struct finding_list *l = &rep->result->findings;
	char verdict[512];
	report_verdict(rep, verdict, sizeof verdict);
	fputs("## ocpay-audit: ", out);
	report_put_counts(rep, out);
	fprintf(out, "\n\n%s\n\n", verdict);
	write_checklist(rep, out);
	fputc('\n', out);
	write_findings(rep, out, order, shown);
	if (shown < l->len)
		fprintf(out, "**%zu more in the full report** (`ocpay-audit report -o audit.html` or "
			"`--format json`): this comment keeps the most severe.\n",
			l->len - shown);
	write_footer(rep, out);
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static size_t char_count(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/* An index of the findings with its severity: sorted most severe first, then in the
 * findings' own order. */
struct ranked {
	size_t index;
	enum severity severity;
};

static int by_severity(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;
	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

int report_write_markdown(const struct report *rep, FILE *out)
{
	const struct finding_list *l = &rep->result->findings;
	size_t *order = malloc((l->len ? l->len : 1) * sizeof *order);
	struct ranked *rank = malloc((l->len ? l->len : 1) * sizeof *rank);
	if (!order || !rank) {
		free(order);
		free(rank);
		return error_set("out of memory");
	}
	for (size_t i = 0; i < l->len; i++)
		rank[i] = (struct ranked){i, l->items[i].severity};
	qsort(rank, l->len, sizeof *rank, by_severity);
	for (size_t i = 0; i < l->len; i++)
		order[i] = rank[i].index;
	free(rank);
	/* The most findings that keep the comment within GitHub's limit: the verdict and
	 * the checklist always fit, the findings are cut, least severe first. */
	size_t len, lo = 0, hi = l->len;
	char *text = render(rep, order, hi, &len);
	if (text && char_count(text, len) > MARKDOWN_MAX_CHARS) {
		free(text);
		text = NULL;
		while (lo < hi) {
			size_t mid = lo + (hi - lo + 1) / 2;
			char *t = render(rep, order, mid, &len);
			if (!t)
				break;
			if (char_count(t, len) <= MARKDOWN_MAX_CHARS)
				lo = mid;
			else
				hi = mid - 1;
			free(t);
		}
		text = render(rep, order, lo, &len);
	}
	free(order);
	if (!text)
		return error_set("cannot build the Markdown report (out of memory)");
	fwrite(text, 1, len, out);
	free(text);
	return ferror(out) ? error_set("cannot write the Markdown report") : 0;
}
