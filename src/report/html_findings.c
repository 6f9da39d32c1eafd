/* The findings of the audit page, grouped by rule with the most severe group first. Each
 * group folds (<details>), says once why the rule matters to the business and links the
 * rule's page; each finding says what is wrong, where, shows the code, and the fix as code
 * in the file's language and framework (the `fixes:` of the rule file), shown once per group and
 * referred to after. A long group shows its first findings in full and the rest as a
 * table. */
#include <stdlib.h>
#include <string.h>

#include "report/html.h"

#define GROUP_FULL 5 /* findings shown in full in a group of more than GROUP_FULL + 1 */

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
	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return strcmp(a->rule->id, b->rule->id);
}

void html_write_where(FILE *out, const struct finding *f)
{
	fputs("<p class=\"where\">", out);
	html_put(out, f->path);
	fprintf(out, ":%d &middot; ", f->line);
	if (f->commit && !(f->commit->date && *f->commit->date)) {
		fprintf(out, "object %.12s, in no commit", f->commit->id);
	} else if (f->commit) {
		fprintf(out, "commit %.12s by ", f->commit->id);
		html_put(out, f->commit->author);
		fputs(", ", out);
		html_put(out, f->commit->date);
	} else {
		fputs("working tree", out);
	}
	fputs("</p>\n", out);
}

static void write_snippet(FILE *out, const struct finding *f)
{
	if (!f->snippet || !*f->snippet)
		return;
	fputs("<pre>", out);
	int len = (int)strlen(f->snippet);
	if (f->mark_end > f->mark_start && f->mark_start >= 0 && f->mark_end <= len) {
		html_put_n(out, f->snippet, (size_t)f->mark_start);
		fputs("<mark>", out);
		html_put_n(out, f->snippet + f->mark_start, (size_t)(f->mark_end - f->mark_start));
		fputs("</mark>", out);
		html_put(out, f->snippet + f->mark_end);
	} else {
		html_put(out, f->snippet);
	}
	fputs("</pre>\n", out);
}

static void fix_anchor(FILE *out, const struct rule *r, const char *key)
{
	fprintf(out, "fix-%s-", r->id);
	html_put_id(out, key ? key : "any");
}

/* The fix for one finding: in full the first time its entry shows in the group, then a
 * link back to it. shown[] holds the entries shown so far (NULL: the fix in words). */
static void write_fix(FILE *out, const struct finding *f, const struct file_context *c,
		      const char **shown, size_t *nshown, bool *words_shown)
{
	const struct rule *r = f->rule;
	const char *key = NULL;
	const char *code = rule_fix_for(r, c->lang, c->framework, &key);
	char label[64];
	report_fix_label(key, label, sizeof label);
	bool seen = code ? false : *words_shown;
	for (size_t i = 0; code && i < *nshown && !seen; i++)
		seen = !strcmp(shown[i], key);
	if (seen) {
		fprintf(out, "<p class=\"label\">How to fix it (%s): <a href=\"#", label);
		fix_anchor(out, r, key);
		fputs("\">as shown above</a>.</p>\n", out);
		return;
	}
	if (code)
		shown[(*nshown)++] = key;
	else
		*words_shown = true;
	fputs("<p class=\"label\" id=\"", out);
	fix_anchor(out, r, key);
	fprintf(out, "\">How to fix it (%s)</p>\n<pre class=\"code\"><code>", label);
	html_put(out, code ? code : r->fix);
	fputs("</code></pre>\n", out);
}

static void write_card(FILE *out, const struct finding *f, size_t index,
		       const struct file_context *c, const char **shown, size_t *nshown,
		       bool *words_shown)
{
	const char *sev = severity_name(f->severity);
	fprintf(out, "<div class=\"finding s-%s\" id=\"f-%zu\">\n<p class=\"what\"><span "
		     "class=\"sev %s\">%s</span> ",
		sev, index, sev, sev);
	html_put(out, f->message);
	fputs("</p>\n", out);
	html_write_where(out, f);
	write_snippet(out, f);
	write_fix(out, f, c, shown, nshown, words_shown);
	fputs("</div>\n", out);
}

static void write_group(FILE *out, const struct report *rep, const struct group *g,
			const struct file_context *ctx)
{
	const struct rule *r = g->rule;
	const struct finding_list *l = &rep->result->findings;
	char url[512];
	fprintf(out, "<details class=\"rule\" id=\"rule-%s\"%s>\n<summary><span class=\"sev "
		     "%s\">%s</span> %s ",
		r->id, g->worst >= rep->fail_on ? " open" : "", severity_name(g->worst),
		severity_name(g->worst), r->id);
	html_put(out, r->summary);
	fprintf(out, " &middot; %zu finding%s</summary>\n<p class=\"why\"><strong>Why it "
		     "matters.</strong> ",
		g->n, g->n == 1 ? "" : "s");
	html_put(out, r->why ? r->why : r->summary);
	fputs("</p>\n", out);
	if (*report_rule_url(r, url, sizeof url)) {
		fputs("<p class=\"muted\">Rule ", out);
		html_put(out, r->id);
		fputs(": <a href=\"", out);
		html_put(out, url);
		fputs("\">what it finds and how to fix it in each language</a></p>\n", out);
	}
	const char **shown = calloc(r->nfixes + 1, sizeof *shown);
	size_t nshown = 0, k = 0;
	bool words_shown = false;
	bool summarise = g->n > GROUP_FULL + 1;
	for (size_t i = 0; i < l->len; i++) {
		const struct finding *f = &l->items[i];
		if (f->rule != r)
			continue;
		if (!summarise || k < GROUP_FULL) {
			if (shown)
				write_card(out, f, i, &ctx[i], shown, &nshown, &words_shown);
		} else {
			if (k == GROUP_FULL)
				fprintf(out, "<p class=\"label\">%zu more %s finding%s, the same fix "
					     "applies:</p>\n<table class=\"stack wide\"><thead><tr>"
					     "<th>Where</th><th>Severity</th><th>What is wrong</th>"
					     "</tr></thead>\n<tbody>\n",
					g->n - GROUP_FULL, r->id, g->n - GROUP_FULL == 1 ? "" : "s");
			fprintf(out, "<tr id=\"f-%zu\"><td class=\"where\">", i);
			html_put(out, f->path);
			fprintf(out, ":%d", f->line);
			if (f->commit)
				fprintf(out, " (%.12s)", f->commit->id);
			fprintf(out, "</td><td><span class=\"sev %s\">%s</span></td><td>",
				severity_name(f->severity), severity_name(f->severity));
			html_put(out, f->message);
			fputs("</td></tr>\n", out);
		}
		k++;
	}
	if (summarise)
		fputs("</tbody>\n</table>\n", out);
	free(shown);
	fputs("</details>\n", out);
}

void html_write_findings(FILE *out, const struct report *rep, const struct file_context *ctx)
{
	const struct finding_list *l = &rep->result->findings;
	fprintf(out, "<section id=\"findings\">\n<h2>Findings (%zu)</h2>\n", l->len);
	if (!l->len) {
		fputs("<p>No finding.</p>\n</section>\n", out);
		return;
	}
	struct group *groups = calloc(l->len, sizeof *groups);
	size_t n = 0;
	for (size_t i = 0; groups && i < l->len; i++) {
		const struct finding *f = &l->items[i];
		size_t k = 0;
		while (k < n && groups[k].rule != f->rule)
			k++;
		if (k == n)
			groups[n++] = (struct group){f->rule, f->severity, 0};
		groups[k].n++;
		if (f->severity > groups[k].worst)
			groups[k].worst = f->severity;
	}
	if (groups)
		qsort(groups, n, sizeof *groups, group_cmp);
	fputs("<p class=\"muted\">Grouped by rule, the most severe first. Each finding says what "
	      "is wrong and where; the fix is given in the file's language and framework.</p>\n",
	      out);
	for (size_t i = 0; i < n; i++)
		write_group(out, rep, &groups[i], ctx);
	free(groups);
	fputs("</section>\n", out);
}
