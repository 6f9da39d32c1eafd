#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

int cmd_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("ocpay-audit: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return EXIT_ERROR;
}

/* getopt_long takes any unique prefix of a long option: `--rule DIR` would silently be
 * `--rules DIR`, and a future option could change what an old command line means. Every
 * long option must be spelled in full. */
int cmd_check_options(int argc, char **argv, const char *shortopts, const struct option *opts)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--"))
			break;
		if (a[0] == '-' && a[1] && a[1] != '-') {
			/* a short option whose value is the next argument: -o FILE */
			const char *p = strchr(shortopts, a[1]);
			if (p && p[1] == ':' && !a[2])
				i++;
			continue;
		}
		if (strncmp(a, "--", 2) != 0)
			continue;
		size_t n = strcspn(a + 2, "=");
		const struct option *found = NULL, *longer = NULL;
		for (const struct option *o = opts; o->name; o++) {
			if (strlen(o->name) == n && !strncmp(o->name, a + 2, n))
				found = o;
			else if (!longer && n && !strncmp(o->name, a + 2, n))
				longer = o;
		}
		if (!found) {
			if (longer)
				return cmd_fail("unknown option '--%.*s' (did you mean --%s?)", (int)n,
						a + 2, longer->name);
			continue; /* getopt_long names it */
		}
		if (found->has_arg == required_argument && !a[2 + n])
			i++;
	}
	return 0;
}
