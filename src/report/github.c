/* GitHub Actions workflow commands: one annotation line per finding, shown on the pull
 * request's diff. Values are escaped as the runner expects. */
#include <stdio.h>
#include <string.h>

#include "report/report.h"

static const char *const commands[SEV_COUNT] = {"notice", "notice", "warning", "error", "error"};

/* Message data escapes %, CR and LF; property values also ':' and ','. Invalid bytes
 * and other controls are shown escaped: the log would show them raw. */
static void put_escaped(FILE *out, const char *s, bool property)
{
	for (size_t n = strlen(s), k; n; s += k, n -= k) {
		k = 1;
		if (*s == '%')
			fputs("%25", out);
		else if (*s == '\r')
			fputs("%0D", out);
		else if (*s == '\n')
			fputs("%0A", out);
		else if (property && *s == ':')
			fputs("%3A", out);
		else if (property && *s == ',')
			fputs("%2C", out);
		else
			k = report_put_char(out, s, n, false);
	}
}

int report_write_github(const struct report *rep, FILE *out)
{
	const struct finding_list *l = &rep->result->findings;
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
	for (size_t i = 0; i < rep->result->nincomplete; i++) {
		fputs("::warning title=ocpay-audit scan incomplete::", out);
		put_escaped(out, rep->result->incomplete[i], false);
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}
