/* The end of a scan, once every stage has run: the configuration's rules and allowed keys
 * applied, the blobs skipped unnamed noted, the findings sorted and fingerprinted, the
 * suppressed ones moved out and the unused directives kept for the report. */
#include "check/scan.h"

#include <stdlib.h>
#include <string.h>

#include "check/config.h"
#include "suppress/inline.h"

static int note_cmp(const void *x, const void *y)
{
	const struct directive_note *a = x, *b = y;
	int c = strcmp(a->path, b->path);
	return c ? c : a->line - b->line;
}

/* Suppressed findings leave the list; of the directives (recorded once per pass that read
 * their file) only the unused or invalid ones are kept, once each. */
static bool is_suppressed(struct finding *f, void *ctx)
{
	(void)ctx;
	return f->suppressed != SUPPRESS_NONE;
}

static int apply_suppressions(struct scan *s)
{
	if (finding_list_move_if(&s->suppressed, &s->findings, is_suppressed, NULL) < 0)
		return -1;
	if (s->ndirectives > 1)
		qsort(s->directives, s->ndirectives, sizeof *s->directives, note_cmp);
	size_t out = 0;
	for (size_t i = 0; i < s->ndirectives;) {
		size_t j = i;
		bool used = false;
		for (; j < s->ndirectives && !note_cmp(&s->directives[i], &s->directives[j]); j++)
			used |= s->directives[j].used;
		for (size_t k = i + 1; k < j; k++) {
			free(s->directives[k].path);
			free(s->directives[k].rules);
		}
		if (used && !s->directives[i].problem) {
			free(s->directives[i].path);
			free(s->directives[i].rules);
		} else {
			s->directives[out++] = s->directives[i];
		}
		i = j;
	}
	s->ndirectives = out;
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Rules turned off or re-graded in the configuration. */
static int apply_config(struct scan *s)
{
	if (!s->config || (!s->config->nrules && !s->config->nallowed))
		return 0;
	for (size_t i = 0; i < s->rules->len; i++)
		if (rule_disabled(s, &s->rules->rules[i]) &&
		    scan_note_unknown(s, &s->rules->rules[i], "turned off in the configuration") <
			0)
			return -1;
	size_t kept = 0;
	for (size_t i = 0; i < s->findings.len; i++) {
		struct finding *f = &s->findings.items[i];
		const struct rule_setting *set = config_rule(s->config, f->rule->id);
		bool allowed = false;
		for (size_t k = 0; f->secret_hash[0] && k < s->config->nallowed && !allowed; k++)
			allowed = !strcmp(s->config->allowed[k], f->secret_hash);
		if ((set && set->disabled) || allowed) {
			finding_clear(f);
			continue;
		}
		if (set && set->severity >= 0)
			f->severity = (enum severity)set->severity;
		if (kept != i)
			s->findings.items[kept] = *f;
		kept++;
	}
	s->findings.len = kept;
	return 0;
}

int scan_finish(struct scan *s)
{
	if (apply_config(s) < 0)
		return -1;
	/* Blobs skipped for size by a caller that could not name them: what they hold is
	 * not known, so no rule can be said to pass. */
	if (s->large_unnamed > s->large_noted) {
		size_t n = s->large_unnamed - s->large_noted;
		s->large_noted = s->large_unnamed;
		if (scan_note_limit(s, SCOPE_TREE | SCOPE_HISTORY, NULL,
				    "%zu blob%s larger than --max-file-size (%zu bytes) not read",
				    n, n == 1 ? "" : "s", s->opt->max_file_size) < 0)
			return -1;
	}
	if (s->nlog > 1)
		qsort(s->log, s->nlog, sizeof *s->log, str_cmp);
	finding_list_sort(&s->findings);
	if (finding_list_fingerprint(&s->findings) < 0)
		return -1;
	return apply_suppressions(s);
}
