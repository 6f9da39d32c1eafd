/* What a finished scan tells its reporters: the findings, what was suppressed, what could
 * not be read, what each rule's checklist items say beyond their findings, the counters.
 * Filled once from the scan (check/scan_result.h) after scan_finish, the redactor and the
 * baseline; every reporter reads only this, never the scan. The result borrows the
 * scan's lists and strings (the scan must outlive it and not change); scan_result_free
 * frees only its per-rule array. */
#ifndef OCPAY_RESULT_H
#define OCPAY_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/rule.h"
#include "core/finding.h"

struct scan_stats {
	size_t files_scanned, bytes_scanned, blobs_scanned, files_parsed;
	size_t flow_named, flow_linked; /* files the flow rules read: OCPay code and its importers,
					   the files around them */
	size_t skipped_binary, skipped_large, skipped_unreadable, skipped_symlink;
	size_t parse_failed;
	size_t commits_scanned;
	uint64_t duration_ms;
};

/* An inline suppression directive of the working tree, for the unused/invalid report. */
struct directive_note {
	char *path;
	int line;
	char *rules;	     /* "OC001, OC005" */
	const char *problem; /* NULL when well formed */
	bool used;
};

/* What a rule's checklist items say beyond their findings, each NULL when nothing: why
 * they could not be decided, why they fail though no finding says so (no tests at all),
 * what the repository-level check saw; the first limit reached in what the rule reads,
 * per scope (tree, history), and how many. */
struct result_rule {
	const struct rule *rule;
	const char *unknown, *fail, *detail;
	const char *limit[2];
	size_t nlimits[2];
	bool applies; /* the code the rule judges (its applies_to words) was seen */
};

struct scan_result {
	const struct ruleset *rules;
	struct finding_list findings;		 /* sorted; the scan's items */
	struct finding_list suppressed;		 /* by a directive or the baseline */
	const struct directive_note *directives; /* unused or invalid only */
	size_t ndirectives;
	char *const *incomplete; /* what could not be read, one line each */
	size_t nincomplete;
	struct scan_stats stats;
	const char *root;	      /* the scanned folder, with its '/', or NULL */
	bool ocpay_seen;	      /* some file mentions OCPay: the integration exists */
	const char *history_unknown;  /* why the history items cannot pass, or NULL */
	struct result_rule *per_rule; /* one per rule of rules, in its order */
};

/* The notes of rule r (of the result's ruleset). */
static inline const struct result_rule *result_rule_of(const struct scan_result *res,
						       const struct rule *r)
{
	return &res->per_rule[r - res->rules->rules];
}

#endif
