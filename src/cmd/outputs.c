#include "cmd/outputs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/error.h"
#include "report/report.h"

typedef int (*writer_fn)(const struct report *rep, FILE *out);

static const struct {
	const char *name;
	writer_fn write;
} formats[] = {
	{"text", report_write_text},	     {"json", report_write_json},
	{"sarif", report_write_sarif},	     {"github", report_write_github},
	{"markdown", report_write_markdown}, {"html", report_write_html},
	{"gitlab-sast", report_write_gitlab_sast}, {"codequality", report_write_codequality},
	{"junit", report_write_junit},
	/* the one-off audit as Markdown (report -o audit.md), not a pull-request comment */
	{"audit-markdown", report_write_markdown_audit},
};
#define NFORMATS (sizeof formats / sizeof formats[0])

bool output_format_known(const char *name)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (!strcmp(formats[i].name, name))
			return true;
	return false;
}

const char *output_formats(void)
{
	return "text, json, sarif, github, markdown, html, gitlab-sast, codequality, junit";
}

const char *output_format_of(const char *file)
{
	static const char *const map[][2] = {
		{".sarif", "sarif"}, {".json", "json"},	  {".md", "markdown"},
		{".markdown", "markdown"}, {".html", "html"}, {".htm", "html"},
		{".xml", "junit"},   {".txt", "text"},
	};
	const char *slash = strrchr(file, '/');
	const char *dot = strrchr(slash ? slash : file, '.');
	if (!dot)
		return NULL;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(dot, map[i][0]))
			return map[i][1];
	return NULL;
}

int outputs_add(struct outputs *o, const char *arg)
{
	if (o->n == MAX_OUTPUTS)
		return cmd_fail("at most %d outputs", MAX_OUTPUTS);
	if (!*arg)
		return cmd_fail("-o/--output takes a file name, '-' or FORMAT=FILE");
	struct output out = {.file = arg};
	const char *eq = strchr(arg, '=');
	if (eq) {
		char name[32];
		size_t n = (size_t)(eq - arg);
		if (n < sizeof name) {
			memcpy(name, arg, n);
			name[n] = '\0';
		}
		/* "foo=out.json": a misspelt format, not a file named so */
		if (n && n < sizeof name && strspn(name, "abcdefghijklmnopqrstuvwxyz-") == n &&
		    !output_format_known(name))
			return cmd_fail("--output %s: unknown format '%s' (%s)", arg, name,
					output_formats());
		if (n < sizeof name && output_format_known(name)) {
			out.format = NULL;
			for (size_t i = 0; i < NFORMATS; i++)
				if (!strcmp(formats[i].name, name))
					out.format = formats[i].name;
			out.file = eq + 1;
			out.named = true;
			if (!*out.file)
				return cmd_fail("--output %s: no file name after '='", arg);
		}
	}
	if (!strcmp(out.file, "-"))
		out.file = NULL;
	o->items[o->n++] = out;
	return 0;
}

int outputs_resolve(struct outputs *o, const char *format)
{
	size_t plain = 0;
	for (size_t i = 0; i < o->n; i++) {
		struct output *out = &o->items[i];
		if (out->named)
			continue;
		if (++plain > 1)
			return cmd_fail("one -o FILE takes the place of the terminal's report; add "
					"more with --output FORMAT=FILE");
		if (!out->format)
			out->format = format ? format
				      : out->file && output_format_of(out->file)
					      ? output_format_of(out->file)
					      : "text";
	}
	if (!plain) {
		if (o->n == MAX_OUTPUTS)
			return cmd_fail("at most %d outputs", MAX_OUTPUTS - 1);
		/* the terminal's report goes first, as when it is the only one */
		memmove(&o->items[1], &o->items[0], o->n * sizeof o->items[0]);
		o->items[0] = (struct output){.format = format ? format : "text"};
		o->n++;
	}
	return 0;
}

const char *outputs_first_file(const struct outputs *o)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->items[i].file)
			return o->items[i].file;
	return NULL;
}

/* NO_COLOR counts when it is set and not empty (no-color.org); --color always wins. */
static bool want_color(enum color_mode mode, FILE *out)
{
	if (mode != COLOR_AUTO)
		return mode == COLOR_ALWAYS;
	const char *no = getenv("NO_COLOR");
	return !(no && *no) && out == stdout && isatty(fileno(stdout));
}

static int write_one(const struct output *o, struct report *rep, enum color_mode color)
{
	writer_fn write = NULL;
	for (size_t i = 0; i < NFORMATS; i++)
		if (!strcmp(formats[i].name, o->format))
			write = formats[i].write;
	FILE *out = stdout;
	if (o->file && !(out = fopen(o->file, "w")))
		return error_set("%s: cannot write: %s", o->file, strerror(errno));
	rep->color = !strcmp(o->format, "text") && want_color(color, out);
	int rc = write(rep, out);
	if (out != stdout && fclose(out) != 0 && !rc)
		rc = error_set("%s: cannot write: %s", o->file, strerror(errno));
	else if (out == stdout && fflush(stdout) != 0 && !rc)
		rc = error_set("cannot write to standard output: %s", strerror(errno));
	return rc;
}

int outputs_write(const struct outputs *o, struct report *rep, enum color_mode color)
{
	for (size_t i = 0; i < o->n; i++)
		if (write_one(&o->items[i], rep, color) < 0)
			return -1;
	return 0;
}
