/* The pieces of git's wildmatch the pattern parser shares (ignore_wildmatch() itself is
 * declared in ignore.h). */
#ifndef OCPAY_WILDMATCH_H
#define OCPAY_WILDMATCH_H

#include <stdbool.h>

/* ASCII case folding: patterns are bytes, not text of a locale. */
unsigned char wildmatch_lower(unsigned char c);
/* Whether c starts a wildcard or an escape: '*', '?', '[' or '\\'. */
bool wildmatch_special(unsigned char c);

#endif
