/* `scan -`: a file or a diff on standard input, like `gitleaks stdin`. A diff is judged by
 * what it adds: each file's added lines are scanned at their line of the new version
 * (the other lines left empty), so a finding points where the change put it. */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "source/paths.h"

/* Standard input is held whole: past this it is an error, not a silent cut. */
#define STDIN_MAX ((size_t)256 << 20)

static const char *next_line(const char *p, const char *end, size_t *len)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	*len = (size_t)((nl ? nl : end) - p);
	return nl ? nl + 1 : end;
}

static bool starts(const char *p, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && !memcmp(p, prefix, n);
}

/* A unified diff: a "--- " line followed by a "+++ " line, then a hunk. */
static bool is_diff(const char *data, size_t len)
{
	const char *end = data + len, *p = data;
	bool minus = false;
	while (p < end) {
		size_t n;
		const char *line = p;
		p = next_line(p, end, &n);
		if (minus && starts(line, n, "+++ "))
			return p < end && starts(p, (size_t)(end - p), "@@ ");
		minus = starts(line, n, "--- ");
	}
	return false;
}

struct post_image {
	char *path;
	struct buf text; /* the added lines at their line numbers, empty lines between */
	long lines;	 /* lines written so far */
};

/* Where the read units go. */
struct stdin_out {
	const struct unit_sink *sink;
	struct sink_worker *w;
	struct file_list *files;
	struct finding_list *out;
};

static int hand_unit(struct stdin_out *o, const char *path, unsigned flags, const char *data,
		     size_t len)
{
	const struct unit_input in = {
	    .path = path, .flags = flags, .data = data, .len = len, .scope = SCOPE_TREE};
	int rc = file_list_add(o->files, path, strlen(path), flags);
	if (!rc && o->sink->unit(o->w, &in, o->out) < 0)
		rc = -1;
	return rc;
}

static int hand_image(struct stdin_out *o, struct post_image *img)
{
	int rc = 0;
	if (img->path && img->text.len) {
		if (buf_oom(&img->text))
			return error_set("out of memory");
		rc = hand_unit(o, img->path, FILE_TRACKED, img->text.ptr, img->text.len);
	}
	free(img->path);
	buf_free(&img->text);
	*img = (struct post_image){.text = BUF_INIT};
	return rc;
}

/* The new name of a "+++ " line: b/path as git writes it, path as diff -u does, a
 * timestamp after a tab dropped; NULL for /dev/null (a deleted file). */
static char *new_name(const char *line, size_t n, bool git_prefix)
{
	line += 4, n -= 4;
	const char *tab = memchr(line, '\t', n);
	if (tab)
		n = (size_t)(tab - line);
	if (n == 9 && !memcmp(line, "/dev/null", 9))
		return NULL;
	if (git_prefix && n > 2 && !memcmp(line, "b/", 2))
		line += 2, n -= 2;
	return strndup(line, n);
}

static int read_diff(struct stdin_out *o, const char *data, size_t len)
{
	const char *end = data + len, *p = data;
	struct post_image img = {.text = BUF_INIT};
	long old_left = 0, new_left = 0, new_line = 0;
	bool git_prefix = false;
	int rc = 0;
	while (p < end && !rc) {
		size_t n;
		const char *line = p;
		p = next_line(p, end, &n);
		if (old_left > 0 || new_left > 0) {
			/* inside a hunk: what starts with "+++" here is an added line */
			if (n && line[0] == '+') {
				while (img.lines < new_line - 1) {
					buf_putc(&img.text, '\n');
					img.lines++;
				}
				buf_put(&img.text, line + 1, n - 1);
				buf_putc(&img.text, '\n');
				img.lines++;
				new_line++, new_left--;
			} else if (n && line[0] == '-') {
				old_left--;
			} else if (n && line[0] == '\\') {
				/* "\ No newline at end of file" */
			} else {
				new_line++, new_left--, old_left--;
			}
			continue;
		}
		if (starts(line, n, "diff --git ")) {
			rc = hand_image(o, &img);
			git_prefix = true;
		} else if (starts(line, n, "--- ")) {
			git_prefix |= starts(line, n, "--- a/");
		} else if (starts(line, n, "+++ ")) {
			rc = hand_image(o, &img);
			img.path = new_name(line, n, git_prefix);
		} else if (starts(line, n, "@@ ")) {
			long a = 0, b = 1, c = 0, d = 1;
			const char *q = line + 3;
			char *e;
			a = strtol(q + (*q == '-'), &e, 10);
			if (*e == ',')
				b = strtol(e + 1, &e, 10);
			if (*e == ' ' && e[1] == '+') {
				c = strtol(e + 2, &e, 10);
				if (*e == ',')
					d = strtol(e + 1, &e, 10);
			}
			(void)a;
			old_left = b, new_left = d, new_line = c;
		}
	}
	if (!rc)
		rc = hand_image(o, &img);
	return rc;
}

int stdin_read(const struct unit_sink *sink, FILE *in, const char *name, struct file_list *files,
	       struct finding_list *out)
{
	struct buf data = BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, in)) > 0) {
		buf_put(&data, chunk, n);
		if (data.len > STDIN_MAX) {
			buf_free(&data);
			return error_set("standard input: more than %zu MiB", STDIN_MAX >> 20);
		}
	}
	if (ferror(in) || buf_oom(&data)) {
		buf_free(&data);
		return error_set("cannot read standard input");
	}
	struct stdin_out o = {sink, sink->worker_new(sink->ctx), files, out};
	if (!o.w) {
		buf_free(&data);
		return -1;
	}
	int rc = 0;
	const char *text = data.ptr ? data.ptr : "";
	if (is_diff(text, data.len))
		rc = read_diff(&o, text, data.len);
	else
		rc = hand_unit(&o, name, FILE_UNTRACKED, text, data.len);
	sink->worker_free(o.w);
	buf_free(&data);
	return rc;
}
