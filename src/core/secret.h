/* What a candidate secret is: a placeholder from the docs, a reference to somewhere else,
 * or a key of a kind; and how it is shown (redacted) in every output. */
#ifndef OCPAY_SECRET_H
#define OCPAY_SECRET_H

#include <stdbool.h>
#include <stddef.h>

enum key_kind { KEY_UNKNOWN, KEY_LIVE, KEY_SANDBOX };

enum key_kind secret_kind(const char *s, size_t n);
const char *secret_kind_name(enum key_kind kind);

/* True for values that are not keys: empty, doc placeholders (your_key_here, xxx,
 * <your-key>, sk_live_xyz789...), repeated or sequential characters, references to an
 * environment variable or template ($X, ${X}, {{ X }}, process.env.X), and unprefixed
 * values shorter than min_len. */
bool secret_is_placeholder(const char *s, size_t n, size_t min_len);

/* A newly allocated redacted form: the key's kind prefix, two characters, and the
 * length, e.g. "sk_live_9f***(24 chars)". With reveal set, a copy of the secret. */
char *secret_redact(const char *s, size_t n, bool reveal);

#endif
