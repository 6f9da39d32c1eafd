/* What the two Markdown reports share: escaped inline text, fenced code, status marks. */
#ifndef OCPAY_MARKDOWN_COMMON_H
#define OCPAY_MARKDOWN_COMMON_H

#include <stdbool.h>
#include <stdio.h>

/* pass, fail, n/a, unknown (enum item_status order) with their marks. */
extern const char *const md_status_marks[4];
/* Inline text (NULL: nothing): no markup, no HTML, no line breaks; invalid bytes and
 * controls become spaces. */
void md_put_inline(FILE *out, const char *s);
/* A code block whose fence is longer than any run of backticks in the text; tight: no
 * blank line when the text ends with one. */
void md_put_code(FILE *out, const char *lang, const char *s, bool tight);

#endif
