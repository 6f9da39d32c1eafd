/* The project's .ocpay-audit.yml (or --config FILE): paths to exclude, where code runs
 * when the evidence is not enough (browser and server globs), the OC008 polling minimum,
 * rules turned off or given another severity, and test keys allowed in the code. The
 * README shows the format. Unknown keys and wrong types are errors naming
 * file:line:column. */
#ifndef OCPAY_CONFIG_H
#define OCPAY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/finding.h"

struct ruleset;

struct rule_setting {
	char *id;
	bool disabled;
	int severity; /* enum severity, or -1 to keep the rule's */
};

struct config {
	char *path; /* where it was read from, or NULL: the defaults */
	char **exclude, **browser, **server;
	size_t nexclude, nbrowser, nserver;
	double poll_min_ms;
	struct rule_setting *rules;
	size_t nrules;
	/* allowed_keys: public test keys (a demo shop's sandbox key) that are not leaks,
	 * kept as hashes of the values */
	char (*allowed)[HASH_HEX_SIZE];
	size_t nallowed;
};

#define CONFIG_POLL_MIN_MS 10000.0

void config_defaults(struct config *c);
/* Reads the configuration: with dir, the default path inside dir (not through a link;
 * when it does not exist, the defaults stay); without, a path the user gave, which must
 * exist. Either must be a regular file. Rule ids are checked against rules. 0, or -1
 * with error_last() naming file:line:column and the problem, never the file's text. */
int config_load(struct config *c, const char *dir, const char *path,
		const struct ruleset *rules);
int config_load_text(struct config *c, const char *name, const char *text, size_t len,
		     const struct ruleset *rules);
const struct rule_setting *config_rule(const struct config *c, const char *id);
void config_free(struct config *c);

#endif
