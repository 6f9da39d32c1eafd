/* What the HTML pages share (the audit of one repository and the view over many): the
 * page frame with its inline style and no script, escaping, and the SVG charts. Inside
 * src/report/ only. */
#ifndef OCPAY_REPORT_HTML_H
#define OCPAY_REPORT_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "report/report.h"

/* Text from the audited repository, escaped; invalid bytes and controls shown as \xNN. */
void html_put_n(FILE *out, const char *s, size_t n);
void html_put(FILE *out, const char *s);
/* An attribute-safe id from a string: letters, digits and '-' kept, the rest '-'. */
void html_put_id(FILE *out, const char *s);
/* <!DOCTYPE html> ... <body>, with the Content-Security-Policy that forbids loading
 * anything, the style, and a <title>. */
void html_begin(FILE *out, const char *title, const char *title_detail);
void html_end(FILE *out);

/* One bar or one part of a stacked bar. cls is a CSS class (its fill colour). */
struct html_bar {
	const char *label;
	size_t value;
	const char *cls;
	const char *href; /* where the bar links, or NULL */
};
/* One bar cut in parts, with a legend under it: the checklist tally. */
void html_svg_stack(FILE *out, const char *title, const struct html_bar *bars, size_t n);
/* One labelled bar per entry, the count at its end: findings by severity, by section. */
void html_svg_bars(FILE *out, const char *title, const struct html_bar *bars, size_t n);
/* The verdict's CSS class: bad (blocking findings), ok, na (no integration). */
const char *html_verdict_class(const struct report *rep);

#endif
