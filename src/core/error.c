#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>

/* Per thread, like errno: worker threads report their own failures. */
static _Thread_local char last_error[1024];

int error_set(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof last_error, fmt, ap);
	va_end(ap);
	return -1;
}

const char *error_last(void)
{
	return last_error[0] ? last_error : "unknown error";
}

void error_clear(void)
{
	last_error[0] = '\0';
}
