/* Compiler-style diagnostics: path:line:col: severity: message [rule], the source line with
 * the finding marked, then the checklist and a one-line summary. Colour only when asked. */
#include <stdio.h>
#include <string.h>

#include "core/utf8.h"
#include "report/report.h"

#define RESET "\033[0m"
#define BOLD "\033[1m"
#define DIM "\033[2m"

static const char *const severity_colors[SEV_COUNT] = {"\033[36m", "\033[34m", "\033[33m",
						       "\033[31m", "\033[1;31m"};
static const char *const status_colors[] = {"\033[32m", "\033[31m", "\033[2m", "\033[33m"};
static const char *const status_marks[] = {"pass   ", "FAIL   ", "n/a    ", "unknown"};

static const char *c(const struct report *rep, const char *code)
{
	return rep->color ? code : "";
}

size_t report_put_char(FILE *out, const char *s, size_t n, bool layout)
{
	unsigned cp;
	size_t len = utf8_char(s, n, &cp);
	if (!len)
		fprintf(out, "\\x%02x", (unsigned char)*s);
	else if (utf8_is_control(cp) && !(layout && (cp == '\n' || cp == '\t')))
		fprintf(out, cp < 0x80 ? "\\x%02x" : "\\u{%x}", cp);
	else
		fwrite(s, 1, len, out);
	return len ? len : 1;
}

/* Paths come from the audited repository: never let one move the cursor, change the
 * terminal or reorder what follows. */
void report_put_safe(FILE *out, const char *s)
{
	for (size_t n = strlen(s), k; n; s += k, n -= k)
		k = report_put_char(out, s, n, false);
}

static int display_width(const char *s, int bytes)
{
	int w = 0;
	for (int i = 0; i < bytes && s[i]; i++)
		w += ((unsigned char)s[i] & 0xC0) != 0x80;
	return w;
}

static void write_finding(const struct report *rep, const struct finding *f, FILE *out)
{
	fputs(c(rep, BOLD), out);
	report_put_safe(out, f->path);
	fprintf(out, ":%d:%d:%s ", f->line, f->column, c(rep, RESET));
	fprintf(out, "%s%s:%s ", c(rep, severity_colors[f->severity]), severity_name(f->severity),
		c(rep, RESET));
	report_put_safe(out, f->message);
	fprintf(out, " %s[%s]%s\n", c(rep, DIM), f->rule->id, c(rep, RESET));
	if (f->commit && !(f->commit->date && *f->commit->date)) {
		/* a blob or tree only a ref names */
		fprintf(out, "    object %.12s, in no commit\n", f->commit->id);
	} else if (f->commit) {
		fprintf(out, "    commit %.12s by ", f->commit->id);
		report_put_safe(out, f->commit->author ? f->commit->author : "");
		fputs(" on ", out);
		report_put_safe(out, f->commit->date ? f->commit->date : "");
		fputc('\n', out);
	}
	if (f->snippet && *f->snippet) {
		fprintf(out, "%6d | ", f->line);
		if (rep->color && f->mark_end > f->mark_start) {
			fprintf(out, "%.*s%s%.*s%s%s\n", f->mark_start, f->snippet, BOLD,
				f->mark_end - f->mark_start, f->snippet + f->mark_start, RESET,
				f->snippet + f->mark_end);
		} else {
			fprintf(out, "%s\n", f->snippet);
		}
		if (f->mark_end > f->mark_start) {
			int pad = display_width(f->snippet, f->mark_start);
			int len =
			    display_width(f->snippet + f->mark_start, f->mark_end - f->mark_start);
			fprintf(out, "       | %*s%s^", pad, "",
				c(rep, severity_colors[f->severity]));
			for (int i = 1; i < len; i++)
				fputc('~', out);
			fprintf(out, "%s\n", c(rep, RESET));
		}
	}
}

static void write_checklist(const struct report *rep, FILE *out)
{
	fprintf(out, "\n%sProduction checklist%s\n", c(rep, BOLD), c(rep, RESET));
	const char *section = NULL;
	for (size_t i = 0; i < rep->nchecklist; i++) {
		const struct checklist_entry *e = &rep->checklist[i];
		if (!section || strcmp(section, e->item->section)) {
			section = e->item->section;
			fprintf(out, "  %s\n", section);
		}
		fprintf(out, "    %s%s%s %s (%s)", c(rep, status_colors[e->status]),
			status_marks[e->status], c(rep, RESET), e->item->item, e->rule->id);
		const char *sep = ": ";
		if (e->findings) {
			fprintf(out, ": %zu finding%s", e->findings, e->findings == 1 ? "" : "s");
			sep = "; ";
		}
		if (e->reason) {
			/* a checker's reason may name files of the repository */
			fputs(sep, out);
			report_put_safe(out, e->reason);
		}
		fputc('\n', out);
	}
}

static void write_summary(const struct report *rep, FILE *out)
{
	const struct scan_result *s = rep->result;
	const struct scan_stats *st = &s->stats;
	fputc('\n', out);
	/* a key found, or a file not read, is no proof that there is nothing to audit */
	if (!s->ocpay_seen && !s->findings.len)
		fprintf(out,
			"No OCPay integration found %s (no file mentions OCPay, the OneClick DZ "
			"API (oneclickdz, ONECLICK_API_*) or X-Access-Token).\n",
			s->nincomplete ? "in what could be read" : "here");
	report_put_counts(rep, out);
	fprintf(out, " in %zu files (%.1f MB), %zu parsed, %llu ms", st->files_scanned,
		(double)st->bytes_scanned / 1e6, st->files_parsed,
		(unsigned long long)st->duration_ms);
	if (st->blobs_scanned)
		fprintf(out, ", %zu blobs", st->blobs_scanned);
	if (st->flow_named + st->flow_linked)
		fprintf(out,
			"; the flow rules read %zu (%zu with or importing OCPay code, %zu they "
			"call or are called by)",
			st->flow_named + st->flow_linked, st->flow_named, st->flow_linked);
	size_t skipped =
	    st->skipped_binary + st->skipped_large + st->skipped_unreadable + st->skipped_symlink;
	if (skipped)
		fprintf(out, "; skipped %zu binary, %zu too large, %zu unreadable, %zu symlinks",
			st->skipped_binary, st->skipped_large, st->skipped_unreadable,
			st->skipped_symlink);
	fputs(".\n", out);
	if (s->suppressed.len) {
		size_t inl = 0;
		for (size_t i = 0; i < s->suppressed.len; i++)
			inl += s->suppressed.items[i].suppressed == SUPPRESS_INLINE;
		fprintf(out,
			"%zu suppressed (%zu inline, %zu by the baseline); --format json lists "
			"them.\n",
			s->suppressed.len, inl, s->suppressed.len - inl);
	}
	for (size_t i = 0; i < s->ndirectives; i++) {
		const struct directive_note *d = &s->directives[i];
		report_put_safe(out, d->path);
		fprintf(out, ":%d: %s%s suppression%s", d->line, c(rep, BOLD),
			d->problem ? "invalid" : "unused", c(rep, RESET));
		if (d->rules[0]) {
			fputs(" for ", out);
			report_put_safe(out, d->rules);
		}
		fprintf(out, ": %s\n",
			d->problem ? d->problem
				   : "no finding of that rule on this "
				     "line or the next; remove it");
	}
	for (size_t i = 0; i < s->nincomplete; i++) {
		fputs("incomplete: ", out);
		report_put_safe(out, s->incomplete[i]);
		fputc('\n', out);
	}
}

int report_write_text(const struct report *rep, FILE *out)
{
	const struct finding_list *l = &rep->result->findings;
	for (size_t i = 0; i < l->len; i++)
		write_finding(rep, &l->items[i], out);
	if (!rep->quiet) {
		write_checklist(rep, out);
		write_summary(rep, out);
	}
	return ferror(out) ? -1 : 0;
}
