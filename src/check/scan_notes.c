/* What a scan notes beside its findings: incomplete parts, secrets to redact, the
 * verbose log, directives and suppressions, rule notes and evidence for the checklist,
 * and the configuration applied when it finishes. */
#include "check/scan.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check/checker.h"
#include "check/config.h"
#include "check/enqueue.h"
#include "check/scan_private.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/literal.h"
#include "core/regex.h"
#include "core/utf8.h"
#include "lang/ast.h"
#include "lang/classify.h"
#include "lang/ts.h"
#include "suppress/inline.h"

pthread_mutex_t scan_note_lock = PTHREAD_MUTEX_INITIALIZER;

int scan_note_incomplete(struct scan *s, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	char line[1024];
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	buf_puts(&b, line);
	char *text = buf_detach(&b);
	pthread_mutex_lock(&scan_note_lock);
	char **p = text ? realloc(s->incomplete, (s->nincomplete + 1) * sizeof *p) : NULL;
	if (p) {
		s->incomplete = p;
		p[s->nincomplete++] = text;
	}
	pthread_mutex_unlock(&scan_note_lock);
	if (!p) {
		free(text);
		return error_set("out of memory");
	}
	return 0;
}

int scan_note_secret(struct scan *s, const char *secret)
{
	pthread_mutex_lock(&scan_note_lock);
	int rc = redactor_add(&s->redactor, secret, strlen(secret));
	pthread_mutex_unlock(&scan_note_lock);
	return rc;
}

void scan_log(struct scan *s, const char *fmt, ...)
{
	if (!s->opt->verbose)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	char *text = strdup(line);
	pthread_mutex_lock(&scan_note_lock);
	char **p = text ? realloc(s->log, (s->nlog + 1) * sizeof *p) : NULL;
	if (p) {
		s->log = p;
		p[s->nlog++] = text;
	} else {
		free(text);
	}
	pthread_mutex_unlock(&scan_note_lock);
}

/* Appends the item of the given size to an array the scan's threads share; false when
 * out of memory (the array is left as it was). */
static bool locked_append(void **array, size_t *n, const void *item, size_t size)
{
	pthread_mutex_lock(&scan_note_lock);
	char *p = realloc(*array, (*n + 1) * size);
	if (p) {
		memcpy(p + *n * size, item, size);
		*array = p;
		++*n;
	}
	pthread_mutex_unlock(&scan_note_lock);
	return p != NULL;
}

int scan_note_directive(struct scan *s, const char *path, const struct directive *d)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < d->nrules; i++) {
		if (i)
			buf_puts(&b, ", ");
		buf_puts(&b, d->rules[i]);
	}
	struct directive_note n = {.path = strdup(path),
				   .line = d->line,
				   .rules = buf_detach(&b),
				   .problem = d->problem,
				   .used = d->used};
	if (!n.rules)
		n.rules = strdup("");
	if (!n.path || !n.rules ||
	    !locked_append((void **)&s->directives, &s->ndirectives, &n, sizeof n)) {
		free(n.path);
		free(n.rules);
		return error_set("out of memory");
	}
	return 0;
}

int scan_note_rule(struct scan *s, const struct rule *r, enum note_kind kind, const char *text)
{
	for (size_t i = 0; i < s->rules->len; i++) {
		if (s->notes[i].rule != r)
			continue;
		free(s->notes[i].text[kind]);
		s->notes[i].text[kind] = text ? strdup(text) : NULL;
		return !text || s->notes[i].text[kind] ? 0 : error_set("out of memory");
	}
	return 0;
}

const char *scan_rule_note(const struct scan *s, const struct rule *r, enum note_kind kind)
{
	for (size_t i = 0; i < s->rules->len; i++)
		if (s->notes[i].rule == r)
			return s->notes[i].text[kind];
	return NULL;
}

int scan_note_unknown(struct scan *s, const struct rule *r, const char *why)
{
	return scan_note_rule(s, r, NOTE_UNKNOWN, why);
}

const char *scan_unknown_reason(const struct scan *s, const struct rule *r)
{
	return scan_rule_note(s, r, NOTE_UNKNOWN);
}

int scan_add_evidence(struct scan *s, const struct rule *r, int kind, const char *path, int line,
		      const char *text)
{
	struct scan_evidence e = {.rule = r,
				  .kind = kind,
				  .path = strdup(path),
				  .line = line,
				  .text = text ? strdup(text) : NULL};
	if (!e.path || (text && !e.text) ||
	    !locked_append((void **)&s->evidence, &s->nevidence, &e, sizeof e)) {
		free(e.path);
		free(e.text);
		return error_set("out of memory");
	}
	return 0;
}

int scan_evidence_cmp(const void *x, const void *y)
{
	const struct scan_evidence *a = x, *b = y;
	int c = strcmp(a->path, b->path);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return strcmp(a->text ? a->text : "", b->text ? b->text : "");
}

bool scan_rule_applies(const struct scan *s, const struct rule *r)
{
	return !r->napplies || (s->kw_seen[0] & r->applies_mask[0]) ||
	       (s->kw_seen[1] & r->applies_mask[1]);
}

bool rule_disabled(const struct scan *s, const struct rule *r)
{
	const struct rule_setting *set = config_rule(s->config, r->id);
	return set && set->disabled;
}
