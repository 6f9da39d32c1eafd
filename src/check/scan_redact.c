/* The one place every printed string passes: once the scan is over and every secret is
 * known, each string a reporter, the baseline or the --verbose log may print is passed
 * through the scan's redactor. Redaction is a property of the output, not of the rules
 * that fired: a key in a file name, a commit author or a note is masked like one in a
 * snippet. Fingerprints were computed before, from the text as it is. */
#include "check/scan_result.h"

#include <stdlib.h>
#include <string.h>

#include "check/scan.h"
#include "core/error.h"
#include "core/redact.h"

static int redact_finding(const struct redactor *r, struct finding *f)
{
	if (redact_string(r, &f->path) < 0 || redact_string(r, &f->message) < 0 ||
	    redact_string(r, &f->suppress_reason) < 0)
		return -1;
	if (f->commit &&
	    (redact_string(r, &f->commit->author) < 0 || redact_string(r, &f->commit->date) < 0))
		return -1;
	if (!f->snippet)
		return 0;
	size_t marks[2] = {(size_t)f->mark_start, (size_t)f->mark_end};
	char *red = redact_text(r, f->snippet, strlen(f->snippet), NULL, 0, marks, 2, NULL);
	if (!red)
		return -1;
	free(f->snippet);
	f->snippet = red;
	f->mark_start = (int)marks[0];
	f->mark_end = (int)marks[1];
	return 0;
}

static int redact_list(const struct redactor *r, struct finding_list *l)
{
	for (size_t i = 0; i < l->len; i++)
		if (redact_finding(r, &l->items[i]) < 0)
			return -1;
	return 0;
}

static int redact_array(const struct redactor *r, char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (redact_string(r, &items[i]) < 0)
			return -1;
	return 0;
}

int scan_redact(struct scan *s, char **target, bool force)
{
	struct redactor *r = &s->redactor;
	redactor_seal(r);
	if (r->reveal && !force)
		return 0;
	bool reveal = r->reveal;
	r->reveal = false;
	int rc = redact_list(r, &s->findings) < 0 || redact_list(r, &s->suppressed) < 0 ||
			 redact_array(r, s->incomplete, s->nincomplete) < 0 ||
			 redact_array(r, s->log, s->nlog) < 0 || redact_string(r, target) < 0
		     ? -1
		     : 0;
	for (size_t i = 0; !rc && i < s->ndirectives; i++)
		if (redact_string(r, &s->directives[i].path) < 0 ||
		    redact_string(r, &s->directives[i].rules) < 0)
			rc = -1;
	for (size_t i = 0; !rc && s->notes && i < s->rules->len; i++)
		if (redact_array(r, s->notes[i].text, NOTE_COUNT) < 0 ||
		    redact_array(r, s->notes[i].limit, 2) < 0)
			rc = -1;
	r->reveal = reveal;
	return rc ? error_set("out of memory") : 0;
}
