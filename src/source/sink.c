#include "source/sink.h"

#include <stdarg.h>
#include <stdio.h>

/* Notes are one line each, cut where the scan's own notes are. */
#define SINK_LINE 1024

int sink_note_incomplete(const struct unit_sink *k, const char *fmt, ...)
{
	char line[SINK_LINE];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	return k->incomplete(k->ctx, line);
}

void sink_log(const struct unit_sink *k, const char *fmt, ...)
{
	if (!k->log)
		return;
	char line[SINK_LINE];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	k->log(k->ctx, line);
}
