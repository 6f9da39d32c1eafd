/* What rule.c (one rule file) and ruleset.c (the set) share. */
#ifndef OCPAY_RULE_PRIVATE_H
#define OCPAY_RULE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "check/rule.h"

/* The largest rule file read from a --rules folder: a rule is a few kilobytes. */
#define RULE_MAX_SIZE (4u << 20)
/* The longest keyword the prefilter indexes. */
#define RULE_MAX_KEYWORD 127

/* Reads the rule of one YAML document into *r; builtin: its queries are compiled on
 * first use (they are tested at build time). Errors name NAME:LINE:COL; on error *r
 * holds nothing to free. */
int rule_parse(struct rule *r, const char *name, const char *text, size_t len, bool builtin);
void rule_free(struct rule *r);

#endif
