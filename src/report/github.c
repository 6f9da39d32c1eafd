/* GitHub Actions workflow commands: one annotation line per finding, shown on the pull
 * request's diff. Values are escaped as the runner expects. */
#include <stdio.h>

#include "report/report.h"

static const char *const commands[SEV_COUNT] = {"notice", "notice", "warning", "error", "error"};

/* Message data escapes %, CR and LF; property values also ':' and ','. */
static void put_escaped(FILE *out, const char *s, bool property)
{
	for (; *s; s++) {
		switch (*s) {
		case '%':
			fputs("%25", out);
			break;
		case '\r':
			fputs("%0D", out);
			break;
		case '\n':
			fputs("%0A", out);
			break;
		case ':':
			fputs(property ? "%3A" : ":", out);
			break;
		case ',':
			fputs(property ? "%2C" : ",", out);
			break;
		default:
			fputc(*s, out);
		}
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
