/* What every reporter consumes: the scan's result (check/result.h: the sorted findings,
 * notes, stats), the checklist computed once, the target. No reporter recomputes what
 * another computed, and none reads the scan. The report borrows the result and the
 * ruleset; report_free() frees only the checklist. */
#ifndef OCPAY_REPORT_H
#define OCPAY_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "check/result.h"
#include "core/hash.h"

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
	const struct scan_result *result;
	const char *target;	/* the path as the user gave it */
	const char *prefix;	/* the scanned folder from the repository's root ("shop/"),
				 * or NULL: finding paths are relative to the folder */
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
/* What is known of the file a finding is in: language ("php") and framework
 * ("woocommerce"), either NULL. Static strings. */
struct file_context {
	const char *lang;
	const char *framework;
};
/* One context per finding of rep->result->findings (same order); the caller frees *out. */
int report_contexts(struct file_context **out, const struct report *rep);
/* "PHP, WooCommerce" for the fixes: key "php/woocommerce"; "any language" for NULL. */
const char *report_fix_label(const char *key, char *buf, size_t size);

/* One leaked key: every finding that holds it, found by the secret's hash. */
struct leaked_key {
	char redacted[96];	/* the key as the report shows it: a prefix and the length */
	const char *kind;	/* "live", "sandbox" or "unknown" */
	char id[17];		/* a short hash of the secret's hash: the same key, the same id */
	size_t *findings;	/* indices in result->findings */
	size_t n;
	const struct finding *first, *last; /* the oldest and newest commit, or NULL */
	bool in_tree;		/* still in the working tree (or the staged change) */
	size_t paths;		/* distinct paths */
};
/* The distinct keys of the findings, live first, then by first commit. */
int report_keys(struct leaked_key **out, size_t *n, const struct scan_result *s);
void report_keys_free(struct leaked_key *keys, size_t n);
/* What the key of a finding with a secret is: kind and id; false when it holds none. */
bool report_finding_key(const struct finding *f, const char **kind, char id[17]);
/* The key of a finding as its snippet shows it (redacted unless --no-redact). */
void report_key_text(const struct finding *f, char *out, size_t size);
/* Whether a finding was seen in the working tree (or the staged change). */
bool report_finding_in_tree(const struct finding *f);
/* The rule's page: OCPAY_AUDIT_DOCS_URL (environment) or the build's OCPAY_DOCS_URL
 * followed by OCnnn.md, else docs/rules/OCnnn.md relative to the repository; a rule
 * from --rules DIR links to its own docs: (or nothing). */
const char *report_rule_url(const struct rule *r, char *buf, size_t size);

int report_write_text(const struct report *rep, FILE *out);
int report_write_json(const struct report *rep, FILE *out);
int report_write_sarif(const struct report *rep, FILE *out);
int report_write_github(const struct report *rep, FILE *out);
int report_write_markdown(const struct report *rep, FILE *out);
int report_write_html(const struct report *rep, FILE *out);
int report_write_gitlab_sast(const struct report *rep, FILE *out);
int report_write_codequality(const struct report *rep, FILE *out);
int report_write_junit(const struct report *rep, FILE *out);
/* The one-off audit as Markdown: the HTML page's order, at most REPORT_MD_MAX bytes. */
int report_write_markdown_audit(const struct report *rep, FILE *out);
#define REPORT_MD_MAX (60 * 1024)
/* The JSON report's version: bumped when a field changes meaning or goes away
 * (schema/ocpay-audit-report.schema.json). */
#define REPORT_SCHEMA_VERSION "1.0"

#endif
