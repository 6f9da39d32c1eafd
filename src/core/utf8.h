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

#endif
