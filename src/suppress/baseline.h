/* The baseline: findings a team has accepted, stored as salted hashes of their
 * fingerprints (a fingerprint never holds a line number or a commit, so an entry survives
 * edits elsewhere in the file). A scan reports the findings it holds as suppressed. */
#ifndef OCPAY_SUPPRESS_BASELINE_H
#define OCPAY_SUPPRESS_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/finding.h"

#define BASELINE_FILE ".ocpay-audit-baseline.json"

struct baseline_entry {
	char *rule, *path;
	int line;		  /* where it was when written: for readers only */
	char hash[HASH_HEX_SIZE]; /* hash of salt and fingerprint */
};

struct baseline {
	char *path; /* the file, or NULL when there is none */
	char salt[HASH_HEX_SIZE];
	struct baseline_entry *items;
	size_t len;
};

/* Reads the baseline: with dir, path inside dir (the default file, not read through a
 * link); without, a path the user gave. Either must be a regular file. A missing file is
 * an error only when required; *b is then left empty. A malformed file is an error naming
 * the file, the line and column and the problem, never the file's text. */
int baseline_load(struct baseline *b, const char *dir, const char *path, bool required);
/* The same for a baseline's text held in memory; name stands for the file in messages. */
int baseline_load_text(struct baseline *b, const char *name, const char *text, size_t len);
/* Moves the findings the baseline holds from findings to suppressed. */
int baseline_apply(struct baseline *b, struct finding_list *findings,
		   struct finding_list *suppressed);
/* Writes the findings to path with b's salt (a new one when b has none). With prune,
 * only b's entries that the findings still match are written. The file is replaced
 * atomically, and only when it is a regular file (file_write_atomic). */
int baseline_write(struct baseline *b, const char *path, const struct finding_list *findings,
		   bool prune, size_t *written, size_t *dropped);
void baseline_free(struct baseline *b);

#endif
