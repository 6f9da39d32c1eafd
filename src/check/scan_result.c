/* The result is a view of the finished scan: lists and strings borrowed, the rules' notes
 * looked up once. */
#include "check/scan_result.h"

#include <stdlib.h>

#include "check/scan.h"
#include "core/error.h"

int scan_result_fill(struct scan_result *out, const struct scan *s)
{
	*out = (struct scan_result){
	    .rules = s->rules,
	    .findings = s->findings,
	    .suppressed = s->suppressed,
	    .directives = s->directives,
	    .ndirectives = s->ndirectives,
	    .incomplete = s->incomplete,
	    .nincomplete = s->nincomplete,
	    .stats = s->stats,
	    .root = s->root,
	    .ocpay_seen = s->ocpay_seen,
	    .history_unknown = s->history_unknown,
	};
	size_t n = s->rules->len;
	if (!(out->per_rule = calloc(n ? n : 1, sizeof *out->per_rule)))
		return error_set("out of memory");
	for (size_t i = 0; i < n; i++) {
		const struct rule *r = &s->rules->rules[i];
		struct result_rule *rr = &out->per_rule[i];
		rr->rule = r;
		rr->unknown = scan_rule_note(s, r, NOTE_UNKNOWN);
		rr->fail = scan_rule_note(s, r, NOTE_FAIL);
		rr->detail = scan_rule_note(s, r, NOTE_DETAIL);
		for (int k = 0; k < 2; k++) {
			unsigned scope = k ? SCOPE_HISTORY : SCOPE_TREE;
			rr->limit[k] = scan_limit_reason(s, r, scope);
			rr->nlimits[k] = scan_limit_count(s, r, scope);
		}
		rr->applies = scan_rule_applies(s, r);
	}
	return 0;
}

void scan_result_free(struct scan_result *r)
{
	free(r->per_rule);
	r->per_rule = NULL;
}
