/* What every reporter consumes: the sorted findings, the checklist computed once, the
 * target and the stats. No reporter recomputes what another computed. The report borrows
 * the scan and the ruleset; report_free() frees only the checklist. */
#ifndef OCPAY_REPORT_H
#define OCPAY_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "check/scan.h"

enum item_status { ITEM_PASS, ITEM_FAIL, ITEM_NA, ITEM_UNKNOWN };

struct checklist_entry {
	const struct rule *rule;
	const struct checklist_item *item;
	enum item_status status;
	size_t findings;
	const char *reason; /* for n/a and unknown */
	char *owned;	    /* the reason, when made for this entry */
};

struct report {
	const struct scan *scan;
	const char *target;	/* the path as the user gave it */
	const char *mode;	/* scan, staged, history, since */
	char head[HASH_HEX_SIZE]; /* empty when unknown */
	unsigned scopes;	/* SCOPE_* covered by this run */
	enum severity fail_on;
	bool color;
	bool verbose;
	bool quiet;		/* text: findings only */
	struct checklist_entry *checklist;
	size_t nchecklist;
	size_t by_severity[SEV_COUNT];
	size_t failing;		/* findings at or above fail_on */
};

int report_build(struct report *rep);
/* Passes every string of the scan that any output prints (findings and suppressed ones:
 * path, message, snippet, commit author and date, reason; directives, incomplete notes,
 * --verbose log lines, the rules' notes and limits) and *target through the scan's
 * redactor, once every secret is known. Snippet marks follow. Skipped with --no-redact
 * unless force (the baseline file is committed). 0, or -1 out of memory. */
int report_redact(struct scan *s, char **target, bool force);
/* "N finding(s)" and, when there are some, " (2 critical, 1 high)". */
void report_put_counts(const struct report *rep, FILE *out);
/* One sentence a manager can act on: ready or not, and why. */
void report_verdict(const struct report *rep, char *buf, size_t size);
void report_free(struct report *rep);
const char *item_status_name(enum item_status s);
/* The sections of the docs' production checklist, in order; NULL-terminated. */
extern const char *const checklist_sections[];

/* Writes one character of text from the audited repository (n bytes left at s) and
 * returns the bytes it took: as it is, or escaped when it is an invalid byte (\xNN), a
 * control or a bidirectional override (\xNN, \u{N}); layout keeps newlines and tabs. */
size_t report_put_char(FILE *out, const char *s, size_t n, bool layout);
/* Writes text from the audited repository so that a file name cannot drive the terminal. */
void report_put_safe(FILE *out, const char *s);
/* A JSON string of text from the audited repository: invalid UTF-8 bytes become \xNN. */
struct json_t *report_json_string(const char *s);
int report_write_text(const struct report *rep, FILE *out);
int report_write_json(const struct report *rep, FILE *out);
int report_write_sarif(const struct report *rep, FILE *out);
int report_write_github(const struct report *rep, FILE *out);
int report_write_markdown(const struct report *rep, FILE *out);
int report_write_html(const struct report *rep, FILE *out);

#endif
