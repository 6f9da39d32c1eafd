/* UTF-8 as output needs it: text from an audited repository (file names, snippets) may
 * hold invalid bytes, terminal controls or bidirectional overrides. */
#ifndef OCPAY_UTF8_H
#define OCPAY_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* The length (1-4) of the well-formed character at s (n bytes available), or 0 when the
 * byte at s does not start one: stray continuations, overlong forms, surrogates. */
size_t utf8_char(const char *s, size_t n, unsigned *cp);
/* Characters that change how a terminal or an editor shows what follows: C0 and C1
 * controls, DEL, and the bidirectional embeddings, overrides and isolates. */
bool utf8_is_control(unsigned cp);

/* The text of a file as the detectors read it, in UTF-8: a UTF-8 byte order mark is left
 * out, and UTF-16 with a byte order mark, little or big endian (what PowerShell writes
 * by default), is decoded, each line staying a line (an unpaired surrogate or an odd last
 * byte becomes U+FFFD). *text points into data, or at *owned, a NUL-terminated copy the
 * caller frees (NULL when none was needed). 0, or -1 when out of memory. */
int utf8_from_file(const char **text, size_t *len, char **owned, const char *data, size_t n);

#endif
