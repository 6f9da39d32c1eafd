/* Every report format for findings whose path, message, snippet, commit and notes come
 * from the input: text (with and without colour), JSON, SARIF, GitHub annotations,
 * Markdown and HTML. The JSON and SARIF documents must parse back, hold every finding,
 * and the plain text must hold no control character but the newline.
 *
 * Input: a byte of counts, then fields separated by NUL bytes. Snippets reach the
 * reporters as the scan makes them (valid UTF-8 without controls), so the target cleans
 * them the same way; every other string is as hostile as a repository can make it. */
#define _GNU_SOURCE /* open_memstream */
#include "fuzz.h"

#include <jansson.h>

#include "check/scan_result.h"
#include "report/report.h"

struct input {
	const uint8_t *p;
	size_t n;
};

static uint8_t take_byte(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

/* The next field, up to a NUL byte or the end. */
static char *take_string(struct input *in)
{
	const uint8_t *end = memchr(in->p, '\0', in->n);
	size_t len = end ? (size_t)(end - in->p) : in->n;
	char *s = strndup((const char *)in->p, len);
	if (!s)
		abort();
	in->p += len + (end != NULL);
	in->n -= len + (end != NULL);
	return s;
}

/* What unit.c's snippet maker guarantees: C0 controls and DEL are gone. */
static void clean_snippet(char *s)
{
	for (unsigned char *p = (unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
}

static void add_finding(struct scan *s, struct input *in)
{
	const struct ruleset *rules = s->rules;
	uint8_t flags = take_byte(in);
	struct finding *f = finding_list_add(&s->findings);
	if (!f)
		abort();
	f->rule = &rules->rules[take_byte(in) % rules->len];
	f->severity = (enum severity)(flags % SEV_COUNT);
	f->line = 1 + take_byte(in);
	f->column = 1 + take_byte(in);
	f->end_line = f->line + (flags >> 6);
	f->end_column = 1 + take_byte(in);
	f->path = take_string(in);
	f->message = take_string(in);
	f->snippet = take_string(in);
	clean_snippet(f->snippet);
	size_t len = strlen(f->snippet);
	f->mark_start = len ? take_byte(in) % (len + 1) : 0;
	f->mark_end = f->mark_start + (len ? take_byte(in) % (len - f->mark_start + 1) : 0);
	f->match = take_string(in);
	if (flags & 8) {
		if (!(f->commit = calloc(1, sizeof *f->commit)))
			abort();
		snprintf(f->commit->id, sizeof f->commit->id, "%040x", flags);
		f->commit->author = take_string(in);
		f->commit->date = take_string(in);
	}
	if (flags & 16) {
		f->suppressed = flags & 32 ? SUPPRESS_INLINE : SUPPRESS_BASELINE;
		f->suppress_reason = take_string(in);
	}
}

/* Writes with one writer to memory; returns the text (the caller frees it). */
static char *write_mem(int (*writer)(const struct report *, FILE *), const struct report *rep,
		       size_t *len)
{
	char *text = NULL;
	FILE *out = open_memstream(&text, len);
	if (!out || writer(rep, out) < 0 || fclose(out) != 0)
		abort();
	return text;
}

static void check_json(const char *what, const char *text, size_t len, const char *list,
		       size_t want)
{
	json_error_t err;
	json_t *root = json_loadb(text, len, 0, &err);
	if (!root) {
		fprintf(stderr, "fuzz: %s output does not parse: %d:%d: %s\n", what, err.line,
			err.column, err.text);
		abort();
	}
	json_t *items = json_object_get(root, list);
	if (!items) /* SARIF: runs[0].results */
		items =
		    json_object_get(json_array_get(json_object_get(root, "runs"), 0), "results");
	if (json_array_size(items) != want) {
		fprintf(stderr, "fuzz: %s output has %zu %s, want %zu\n", what,
			json_array_size(items), list, want);
		abort();
	}
	json_decref(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	struct scan s;
	if (scan_init(&s, fuzz_ruleset(), &fuzz_scan_options) < 0)
		abort();
	uint8_t counts = take_byte(&in);
	char *target = take_string(&in);
	for (size_t i = 0; i < (size_t)(counts & 7) && in.n; i++)
		add_finding(&s, &in);
	if (counts & 8) { /* what the scan could not read, naming a file */
		char *note = take_string(&in);
		scan_note_incomplete(&s, "%s: cannot read", note);
		free(note);
	}
	if (counts & 16) { /* what a checker says of a rule, naming files */
		char *note = take_string(&in);
		const struct rule *r = &s.rules->rules[take_byte(&in) % s.rules->len];
		scan_note_rule(&s, r, (enum note_kind)(take_byte(&in) % NOTE_COUNT), note);
		free(note);
	}
	s.ocpay_seen = counts & 32;
	if (scan_finish(&s) < 0)
		abort();
	struct scan_result result;
	if (scan_result_fill(&result, &s) < 0)
		abort();
	struct report rep = {.result = &result,
			     .target = target,
			     .mode = "scan",
			     .scopes = counts & 64 ? SCOPE_TREE | SCOPE_HISTORY : SCOPE_TREE,
			     .fail_on = (enum severity)(counts % SEV_COUNT)};
	if (report_build(&rep) < 0)
		abort();

	size_t len;
	char *text = write_mem(report_write_json, &rep, &len);
	check_json("JSON", text, len, "findings", s.findings.len);
	free(text);
	text = write_mem(report_write_sarif, &rep, &len);
	check_json("SARIF", text, len, "results", s.findings.len + s.suppressed.len);
	free(text);

	text = write_mem(report_write_text, &rep, &len);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x20 && text[i] != '\n') {
			fprintf(stderr, "fuzz: control byte 0x%02x in the text report at %zu\n",
				(unsigned char)text[i], i);
			abort();
		}
	free(text);

	FILE *null = fopen("/dev/null", "w");
	if (!null)
		abort();
	rep.color = true;
	report_write_text(&rep, null);
	rep.color = false;
	rep.quiet = true;
	report_write_text(&rep, null);
	report_write_github(&rep, null);
	report_write_markdown(&rep, null);
	report_write_html(&rep, null);
	fclose(null);

	report_free(&rep);
	scan_result_free(&result);
	scan_free(&s);
	free(target);
	return 0;
}
