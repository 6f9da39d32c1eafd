/* The one redactor every printed string goes through: it masks every key-shaped token
 * (sk_live_, sk_sandbox_, sk_test_ and their base64 forms) and every exact secret a
 * detector found in this scan, wherever it sits (a snippet, a path, a commit author, a
 * note), with no limit on how many a string holds. A masked key keeps its kind prefix,
 * two characters and its length (secret_redact), so a reader can still tell keys apart.
 *
 * A redactor owns copies of its secrets. Adding is not thread-safe: the scan adds under
 * its lock. redactor_seal() sorts them once all are known; redact_text() may run before
 * (it then masks shapes and only the secrets of a sealed prefix, i.e. none). */
#ifndef OCPAY_REDACT_H
#define OCPAY_REDACT_H

#include <stdbool.h>
#include <stddef.h>

struct redactor {
	char **secrets; /* after redactor_seal: sorted, unique */
	size_t len, cap;
	size_t sealed;	/* secrets[0, sealed) are sorted and searched */
	bool reveal;	/* --no-redact: redact_text copies, forced ranges show the secret */
};

/* Secrets shorter than this are words, not keys: masking them would garble the text. */
#define REDACT_MIN_SECRET 8

/* Remembers a secret (a copy); shorter ones are ignored. 0, or -1 out of memory. */
int redactor_add(struct redactor *r, const char *s, size_t n);
/* Sorts and deduplicates the secrets added so far: redact_text searches them. */
void redactor_seal(struct redactor *r);
void redactor_free(struct redactor *r);

/* Part of a text shown as the redacted form of secret (NULL: of the part itself): a key
 * assembled from pieces ("sk_live_" + x) is not in the text verbatim. */
struct redact_range {
	size_t a, b;
	const char *secret;
};

/* A new string: s[0, n) with every key-shaped token, every sealed secret and every
 * forced range replaced by its redacted form (r may be NULL: shapes and ranges only).
 * marks, in [start, end) pairs of byte offsets into s, are moved to the same places
 * of the result; a start inside a masked part moves to its beginning, an end to its
 * end. *out_len (may be NULL) gets the length. NULL when out of memory. */
char *redact_text(const struct redactor *r, const char *s, size_t n,
		  const struct redact_range *forced, size_t nforced, size_t *marks, size_t nmarks,
		  size_t *out_len);
/* redact_text of a whole string, replacing *s in place (no-op on NULL). 0, or -1. */
int redact_string(const struct redactor *r, char **s);

#endif
