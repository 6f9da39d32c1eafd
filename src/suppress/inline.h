/* Inline suppressions: `ocpay-audit-ignore OC001 -- reason` in a comment on the finding's
 * line or the line above. The rule id and the reason are required; a directive without
 * them suppresses nothing and is reported, as is one that matched no finding. */
#ifndef OCPAY_SUPPRESS_INLINE_H
#define OCPAY_SUPPRESS_INLINE_H

#include <stdbool.h>
#include <stddef.h>

#define DIRECTIVE_MARK "ocpay-audit-ignore"
#define DIRECTIVE_MAX_RULES 8

struct directive {
	int line;
	char rules[DIRECTIVE_MAX_RULES][16];
	size_t nrules;
	char *reason;
	const char *problem; /* why it is ignored, or NULL when well formed */
	bool trailing;	     /* after code on its line: covers that line only */
	bool used;
};

struct directive_list {
	struct directive *items;
	size_t len, cap;
};

/* Appends every directive written in data. Returns 0 or -1 (out of memory). */
int directives_parse(const char *data, size_t len, struct directive_list *out);
/* The well-formed directive naming rule_id on line or the line above, or NULL. */
struct directive *directives_match(struct directive_list *l, const char *rule_id, int line);
void directives_free(struct directive_list *l);

#endif
