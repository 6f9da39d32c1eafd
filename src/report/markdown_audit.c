/* The one-off audit as Markdown (`report -o audit.md`), in the HTML page's order: the
 * verdict and what to do first, the summary, the keys to rotate, the checklist, the
 * findings grouped by rule with the fix in the file's language. At most REPORT_MD_MAX
 * bytes, so it can be pasted where Markdown is read (an issue, a wiki page): what does not
 * fit is counted in a closing note. Text from the audited repository is escaped. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/utf8.h"
#include "report/markdown_common.h"
#include "report/report.h"

#define MD_KEYS_MAX 50 /* keys listed, so that the findings keep most of the room */

static const char *fence_lang(const char *key)
{
	if (!key)
		return "";
	return !strncmp(key, "javascript", 10) ? "js"
	       : !strncmp(key, "typescript", 10) ? "ts"
	       : !strncmp(key, "php", 3)	 ? "php"
	       : !strncmp(key, "python", 6)	 ? "python"
					 : "";
}

static void put_where(FILE *out, const struct finding *f)
{
	fputc('`', out);
	for (const char *p = f->path; *p; p++)
		fputc((unsigned char)*p < 0x20 || *p == '`' || *p == '|' ? '?' : *p, out);
	fprintf(out, ":%d`", f->line);
	if (f->commit)
		fprintf(out, " (commit %.12s)", f->commit->id);
}

static void write_summary(FILE *out, const struct report *rep, const struct leaked_key *keys,
			  size_t nkeys)
{
	char verdict[512];
	report_verdict(rep, verdict, sizeof verdict);
	fputs("# OCPay integration audit\n\n**", out);
	md_put_inline(out, verdict);
	fputs("**\n\n", out);
	size_t n[4] = {0}, live = 0;
	for (size_t i = 0; i < rep->nchecklist; i++)
		n[rep->checklist[i].status]++;
	for (size_t i = 0; i < nkeys; i++)
		live += !strcmp(keys[i].kind, "live");
	if (nkeys)
		fprintf(out, "1. Rotate %zu leaked key%s (%zu live) in the OneClick dashboard.\n",
			nkeys, nkeys == 1 ? "" : "s", live);
	if (rep->failing)
		fprintf(out, "1. Fix %zu finding%s of %s severity or above.\n", rep->failing,
			rep->failing == 1 ? "" : "s", severity_name(rep->fail_on));
	if (n[ITEM_UNKNOWN])
		fprintf(out, "1. Check %zu checklist item%s by hand.\n", n[ITEM_UNKNOWN],
			n[ITEM_UNKNOWN] == 1 ? "" : "s");
	fprintf(out, "\n**Checklist:** %zu pass, %zu fail, %zu unknown, %zu n/a. **Findings:** ",
		n[ITEM_PASS], n[ITEM_FAIL], n[ITEM_UNKNOWN], n[ITEM_NA]);
	report_put_counts(rep, out);
	fputs(".\n\n| Section | Findings |\n|---|---:|\n", out);
	for (size_t k = 0; checklist_sections[k]; k++) {
		size_t c = 0;
		for (size_t i = 0; i < rep->result->findings.len; i++) {
			const struct rule *r = rep->result->findings.items[i].rule;
			c += r->nitems && !strcmp(r->items[0].section, checklist_sections[k]);
		}
		fprintf(out, "| %s | %zu |\n", checklist_sections[k], c);
	}
}

static void write_keys(FILE *out, const struct report *rep, const struct leaked_key *keys,
		       size_t n)
{
	const struct finding_list *l = &rep->result->findings;
	fprintf(out, "\n## Keys to rotate (%zu)\n\n", n);
	if (!n)
		fputs("No OCPay key was found.\n", out);
	for (size_t i = 0; i < n; i++) {
		const struct leaked_key *k = &keys[i];
		if (i == MD_KEYS_MAX) {
			fprintf(out, "- and %zu more keys: the HTML report lists them all\n",
				n - MD_KEYS_MAX);
			break;
		}
		fputs("- `", out);
		for (const char *p = k->redacted; *p; p++)
			fputc(*p == '`' || (unsigned char)*p < 0x20 ? '?' : *p, out);
		fprintf(out, "` **%s**: %s", k->kind,
			k->in_tree ? "still in the working tree"
				   : "removed from the working tree, still in the git history");
		if (k->first)
			fprintf(out, "; first committed in %.12s (%s)", k->first->commit->id,
				k->first->commit->date);
		if (k->last && k->last != k->first)
			fprintf(out, ", last added in %.12s (%s)", k->last->commit->id,
				k->last->commit->date);
		fputs("\n", out);
		for (size_t j = 0; j < k->n && j < 10; j++) {
			fputs("  - ", out);
			put_where(out, &l->items[k->findings[j]]);
			fputs("\n", out);
		}
		if (k->n > 10)
			fprintf(out, "  - and %zu more places\n", k->n - 10);
	}
}

static void write_checklist(FILE *out, const struct report *rep)
{
	fputs("\n## Production checklist\n", out);
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
		if (e->findings)
			fprintf(out, ": %zu finding%s", e->findings, e->findings == 1 ? "" : "s");
		if (e->reason) {
			fputs(e->findings ? "; " : ": ", out);
			md_put_inline(out, e->reason);
		}
		fputc('\n', out);
	}
}

struct group {
	const struct rule *rule;
	enum severity worst;
	size_t n;
};

static int group_cmp(const void *x, const void *y)
{
	const struct group *a = x, *b = y;
	if (a->worst != b->worst)
		return a->worst > b->worst ? -1 : 1;
	return a->n != b->n ? (a->n > b->n ? -1 : 1) : strcmp(a->rule->id, b->rule->id);
}

/* One finding: what, where, and the fix the first time its entry shows in the group. */
static void write_finding(FILE *out, const struct finding *f, const struct file_context *c,
			  const char **shown, size_t *nshown)
{
	fprintf(out, "- **%s** ", severity_name(f->severity));
	put_where(out, f);
	fputs(": ", out);
	md_put_inline(out, f->message);
	fputc('\n', out);
	const char *key = NULL;
	const char *code = rule_fix_for(f->rule, c->lang, c->framework, &key);
	const char *id = key ? key : "";
	for (size_t i = 0; i < *nshown; i++)
		if (!strcmp(shown[i], id))
			return;
	shown[(*nshown)++] = id;
	char label[64];
	fprintf(out, "\n  How to fix it (%s):\n\n", report_fix_label(key, label, sizeof label));
	md_put_code(out, fence_lang(key), code ? code : f->rule->fix, true);
	fputc('\n', out);
}

/* Appends what mem holds to out if it fits in the budget; false when it does not. */
static bool append(FILE *out, char *mem, size_t len, size_t *left)
{
	if (len > *left)
		return false;
	fwrite(mem, 1, len, out);
	*left -= len;
	return true;
}

static int write_findings(FILE *out, const struct report *rep, const struct file_context *ctx,
			  size_t *left, size_t *cut)
{
	const struct finding_list *l = &rep->result->findings;
	struct group *groups = calloc(l->len ? l->len : 1, sizeof *groups);
	const char **shown = calloc(l->len + 1, sizeof *shown);
	if (!groups || !shown) {
		free(groups);
		free(shown);
		return error_set("out of memory");
	}
	size_t n = 0;
	for (size_t i = 0; i < l->len; i++) {
		size_t k = 0;
		while (k < n && groups[k].rule != l->items[i].rule)
			k++;
		if (k == n)
			groups[n++] = (struct group){l->items[i].rule, l->items[i].severity, 0};
		groups[k].n++;
		if (l->items[i].severity > groups[k].worst)
			groups[k].worst = l->items[i].severity;
	}
	qsort(groups, n, sizeof *groups, group_cmp);
	fprintf(out, "\n## Findings (%zu)\n", l->len);
	for (size_t g = 0; g < n; g++) {
		const struct rule *r = groups[g].rule;
		char *mem = NULL, url[512];
		size_t len = 0, nshown = 0;
		FILE *m = open_memstream(&mem, &len);
		if (!m)
			break;
		fprintf(m, "\n### %s: ", r->id);
		md_put_inline(m, r->summary);
		fprintf(m, " (%zu, %s)\n\n**Why it matters.** ", groups[g].n,
			severity_name(groups[g].worst));
		md_put_inline(m, r->why ? r->why : r->summary);
		if (*report_rule_url(r, url, sizeof url))
			fprintf(m, " [Rule %s](%s)", r->id, url);
		fputs("\n\n", m);
		fclose(m);
		bool fits = append(out, mem, len, left);
		free(mem);
		for (size_t i = 0; i < l->len; i++) {
			if (l->items[i].rule != r)
				continue;
			mem = NULL;
			if (fits && (m = open_memstream(&mem, &len))) {
				write_finding(m, &l->items[i], &ctx[i], shown, &nshown);
				fclose(m);
				fits = append(out, mem, len, left);
			}
			free(mem);
			*cut += !fits;
		}
	}
	free(groups);
	free(shown);
	return 0;
}

int report_write_markdown_audit(const struct report *rep, FILE *out)
{
	struct leaked_key *keys = NULL;
	size_t nkeys = 0, cut = 0;
	struct file_context *ctx = NULL;
	char *head = NULL;
	size_t head_len = 0;
	if (report_keys(&keys, &nkeys, rep->result) < 0 || report_contexts(&ctx, rep) < 0) {
		report_keys_free(keys, nkeys);
		return -1;
	}
	FILE *m = open_memstream(&head, &head_len);
	if (!m) {
		report_keys_free(keys, nkeys);
		free(ctx);
		return error_set("out of memory");
	}
	write_summary(m, rep, keys, nkeys);
	write_keys(m, rep, keys, nkeys);
	write_checklist(m, rep);
	fclose(m);
	/* the summary, keys and checklist always fit: what is cut is findings */
	const size_t closing = 400;
	size_t left = REPORT_MD_MAX > head_len + closing ? REPORT_MD_MAX - head_len - closing : 0;
	fwrite(head, 1, head_len, out);
	free(head);
	int rc = write_findings(out, rep, ctx, &left, &cut);
	const struct scan_stats *st = &rep->result->stats;
	fputs("\n---\n\n", out);
	if (cut)
		fprintf(out, "**%zu finding%s not shown** to keep this file under %d kB: the HTML "
			     "report (`ocpay-audit report -o audit.html`) or `--format json` has "
			     "them all.\n\n",
			cut, cut == 1 ? "" : "s", REPORT_MD_MAX / 1024);
	fprintf(out, "%zu files", st->files_scanned);
	if (st->blobs_scanned)
		fprintf(out, " and %zu history blobs", st->blobs_scanned);
	fprintf(out, " read in %llu ms", (unsigned long long)st->duration_ms);
	if (rep->result->nincomplete)
		fprintf(out, "; **incomplete**: %zu problem%s reading the repository",
			rep->result->nincomplete, rep->result->nincomplete == 1 ? "" : "s");
	fprintf(out, ". Secrets are redacted. ocpay-audit %s\n", OCPAY_VERSION);
	report_keys_free(keys, nkeys);
	free(ctx);
	return rc < 0 ? -1 : ferror(out) ? error_set("cannot write the Markdown report") : 0;
}
