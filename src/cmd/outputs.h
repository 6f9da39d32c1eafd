/* Where a run's reports go: the terminal and any number of files, each in its format.
 * `-o FILE` takes the format from --format or from FILE's extension; `-o -` is standard
 * output; `--output FORMAT=FILE` adds a report beside the terminal's. */
#ifndef OCPAY_OUTPUTS_H
#define OCPAY_OUTPUTS_H

#include <stdbool.h>
#include <stddef.h>

struct report;

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

#define MAX_OUTPUTS 16

struct output {
	const char *format; /* NULL until resolved: --format, else the extension, else text */
	const char *file;   /* NULL: standard output */
	bool named;	    /* FORMAT=FILE: the terminal keeps its own report */
};

struct outputs {
	struct output items[MAX_OUTPUTS];
	size_t n;
};

/* Whether name is a format (text, json, sarif, ...). */
bool output_format_known(const char *name);
/* The list of formats, for messages: "text, json, ...". */
const char *output_formats(void);
/* The format a file name asks for by its extension, or NULL. */
const char *output_format_of(const char *file);
/* Adds a -o/--output argument: FORMAT=FILE, FILE or -. Returns 0, or the exit code of
 * the usage error (printed). */
int outputs_add(struct outputs *o, const char *arg);
/* Settles each output's format once the options are read: format is --format or NULL.
 * The terminal gets a report unless a plain -o FILE took its place. 0, or the exit code
 * of the usage error. */
int outputs_resolve(struct outputs *o, const char *format);
/* Writes every report; color applies to text. 0, or -1 with the error set. */
int outputs_write(const struct outputs *o, struct report *rep, enum color_mode color);
/* The first output written to a file, or NULL. */
const char *outputs_first_file(const struct outputs *o);

#endif
