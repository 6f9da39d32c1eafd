/* GitHub Actions workflow commands: one annotation line per finding, shown on the pull
 * request's diff. Values are escaped as the runner expects. */
#include <stdio.h>
#include <string.h>

#include "core/utf8.h"
#include "report/report.h"

static const char *const commands[SEV_COUNT] = {"notice", "notice", "warning", "error", "error"};

/* Message data escapes %, CR and LF; property values also ':' and ','. Invalid bytes
 * and other controls are shown as \xNN or \u{N}: the log would show them raw. */
static void put_escaped(FILE *out, const char *s, bool property)
{
	for (size_t n = strlen(s); n;) {
		unsigned cp;
		size_t len = utf8_char(s, n, &cp);
		if (!len)
			fprintf(out, "\\x%02x", (unsigned char)*s);
		else if (cp == '%')
			fputs("%25", out);
		else if (cp == '\r')
			fputs("%0D", out);
		else if (cp == '\n')
			fputs("%0A", out);
		else if (property && cp == ':')
			fputs("%3A", out);
		else if (property && cp == ',')
			fputs("%2C", out);
		else if (utf8_is_control(cp))
			fprintf(out, cp < 0x80 ? "\\x%02x" : "\\u{%x}", cp);
		else
			fwrite(s, 1, len, out);
		len = len ? len : 1;
		s += len;
		n -= len;
	}
}

int report_write_github(const struct report *rep, FILE *out)
{
	const struct finding_list *l = &rep->scan->findings;
	for (size_t i = 0; i < l->len; i++) {
		const struct finding *f = &l->items[i];
		fprintf(out, "::%s file=", commands[f->severity]);
		put_escaped(out, f->path, true);
		fprintf(out, ",line=%d,col=%d,endLine=%d,title=", f->line, f->column, f->end_line);
		char title[160];
		snprintf(title, sizeof title, "%s %s (%s)", f->rule->id, f->rule->name,
			 severity_name(f->severity));
		put_escaped(out, title, true);
		fputs("::", out);
		put_escaped(out, f->message, false);
		fputc('\n', out);
	}
	for (size_t i = 0; i < rep->scan->nincomplete; i++) {
		fputs("::warning title=ocpay-audit scan incomplete::", out);
		put_escaped(out, rep->scan->incomplete[i], false);
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}
