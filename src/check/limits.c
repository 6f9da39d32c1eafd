/* Limits reached: a file too large, a parse cut short, the regex match limit, the
 * findings cap. Each makes the scan incomplete and leaves the checklist items of the
 * rules it hid something from undecided; the reason kept per rule and scope is the first
 * limit by its text, so it does not depend on thread timing. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/scan.h"
#include "check/scan_private.h"
#include "core/error.h"

static pthread_mutex_t limit_lock = PTHREAD_MUTEX_INITIALIZER;

/* Keeps, per rule and scope, the first limit by its text, so the reason does not depend
 * on which thread got there first. Called under limit_lock. */
static void keep_limit(struct rule_note *n, int k, const char *text)
{
	n->nlimits[k]++;
	if (n->limit[k] && strcmp(n->limit[k], text) <= 0)
		return;
	char *copy = strdup(text);
	if (copy) {
		free(n->limit[k]);
		n->limit[k] = copy;
	}
}

static int note_limit(struct scan *s, unsigned scopes, const bool *affected, const char *text)
{
	if (scan_note_incomplete(s, "%s", text) < 0)
		return -1;
	pthread_mutex_lock(&limit_lock);
	for (size_t i = 0; i < s->rules->len; i++)
		for (int k = 0; k < 2; k++)
			if ((!affected || affected[i]) && (scopes & (1u << k)) &&
			    (s->rules->rules[i].scopes & (1u << k)))
				keep_limit(&s->notes[i], k, text);
	pthread_mutex_unlock(&limit_lock);
	return 0;
}

int scan_note_limit(struct scan *s, unsigned scopes, const bool *affected, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	return note_limit(s, scopes, affected, line);
}

const char *scan_limit_reason(const struct scan *s, const struct rule *r, unsigned scope)
{
	int k = scope == SCOPE_HISTORY;
	for (size_t i = 0; i < s->rules->len; i++)
		if (s->notes[i].rule == r)
			return s->notes[i].limit[k];
	return NULL;
}

size_t scan_limit_count(const struct scan *s, const struct rule *r, unsigned scope)
{
	int k = scope == SCOPE_HISTORY;
	for (size_t i = 0; i < s->rules->len; i++)
		if (s->notes[i].rule == r)
			return s->notes[i].nlimits[k];
	return 0;
}

bool unit_detector_reads(const struct unit *u, const struct rule *r, const struct detector *d,
			 bool keywords)
{
	if (!(d->langs & LANG_BIT(u->lang)) && !(u->page && (d->langs & LANG_BIT(LANG_TEXT))))
		return false;
	if (keywords && !unit_has_keywords(u, r, d))
		return false;
	if (d->npaths && !path_matches(u->path, d->paths, d->npaths))
		return false;
	if (d->nunless_paths && path_matches(u->path, d->unless_paths, d->nunless_paths))
		return false;
	return !(d->skip_tests && path_is_test(u->path));
}

int unit_note_limit(struct unit *u, bool parse_only, const struct rule *only, const char *fmt, ...)
{
	struct scan *s = u->scan;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	bool *affected = calloc(s->rules->len ? s->rules->len : 1, sizeof *affected);
	if (!affected)
		return error_set("out of memory");
	bool any = false;
	for (size_t i = 0; i < s->rules->len; i++) {
		const struct rule *r = &s->rules->rules[i];
		if (only) {
			affected[i] = r == only && !rule_disabled(s, r);
		} else if ((r->scopes & u->scope) && !rule_disabled(s, r)) {
			for (size_t j = 0; j < r->ndetectors && !affected[i]; j++) {
				const struct detector *d = &r->detectors[j];
				affected[i] = (!parse_only || d->type != DETECT_REGEX) &&
					      unit_detector_reads(u, r, d, true);
			}
		}
		any |= affected[i];
	}
	/* no rule would have read what the limit hid: nothing is missing */
	int rc = any ? note_limit(s, u->scope, affected, line) : 0;
	free(affected);
	return rc;
}

/* What it looks for there may be missed; the text detectors went on past the lines they
 * had to skip, and say which. */
int unit_note_match_limit(struct unit *u, const struct rule *r)
{
	if (u->limit_lines)
		return unit_note_limit(u, false, r,
				       "%s:%d: %s skipped %zu line%s too complex for its pattern "
				       "(PCRE2 match limit); the rest of the file was read",
				       u->path, u->limit_line, r->id, u->limit_lines,
				       u->limit_lines == 1 ? "" : "s");
	return unit_note_limit(u, false, r,
			       "%s: %s: a pattern reached PCRE2's match limit; what it looks for "
			       "there may be missed",
			       u->path, r->id);
}
