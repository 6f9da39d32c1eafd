/* Paths and units: test paths and globs, the keywords a unit may hold, a checker's
 * regexes, line numbers, findings added, the reading of a listed file, and what the
 * workers count as skipped. */
#include "check/scan.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check/checker.h"
#include "check/config.h"
#include "check/enqueue.h"
#include "check/scan_private.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/literal.h"
#include "core/regex.h"
#include "core/utf8.h"
#include "lang/ast.h"
#include "lang/classify.h"
#include "lang/ts.h"
#include "suppress/inline.h"

bool path_matches(const char *path, char *const *globs, size_t n)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	for (size_t i = 0; i < n; i++) {
		const char *g = globs[i];
		if (!strncmp(g, "**/", 3))
			g += 3;
		const char *subject = strchr(g, '/') ? path : base;
		if (fnmatch(g, subject, FNM_PERIOD * 0) == 0)
			return true;
	}
	return false;
}

bool path_is_test(const char *path)
{
	static const char *const folders[] = {"__tests__/", "test/", "tests/",
					      "spec/",	    "e2e/",  "cypress/"};
	static const char *const infixes[] = {".test.", ".spec.", ".cy.", ".e2e."};
	for (size_t i = 0; i < sizeof folders / sizeof folders[0]; i++) {
		size_t n = strlen(folders[i]);
		for (const char *p = path; (p = strstr(p, folders[i])); p += n)
			if (p == path || p[-1] == '/')
				return true;
	}
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	for (size_t i = 0; i < sizeof infixes / sizeof infixes[0]; i++)
		if (strstr(base, infixes[i]))
			return true;
	/* pytest and Django (test_x.py, x_test.py, tests.py, conftest.py), PHPUnit (XTest.php) */
	size_t n = strlen(base);
	return (!strncmp(base, "test_", 5) && n > 8 && !strcmp(base + n - 3, ".py")) ||
	       (n > 8 && !strcmp(base + n - 8, "_test.py")) || !strcmp(base, "tests.py") ||
	       !strcmp(base, "conftest.py") || (n > 8 && !strcmp(base + n - 8, "Test.php"));
}

bool unit_has_keywords(const struct unit *u, const struct rule *r, const struct detector *d)
{
	(void)r;
	if (!d->nkeywords)
		return !(u->inherit[0] | u->inherit[1]);
	bool own = (u->kw[0] & d->kwmask[0]) || (u->kw[1] & d->kwmask[1]);
	if (!(u->inherit[0] | u->inherit[1]))
		return own;
	/* Second pass over a module that imports OCPay code: only what the first pass
	 * did not already run. */
	return !own && ((u->inherit[0] & d->kwmask[0]) || (u->inherit[1] & d->kwmask[1]));
}

bool unit_may_contain(const struct unit *u, const char *word)
{
	const struct ruleset *rs = u->scan->rules;
	for (size_t k = 0; k < rs->nkeywords; k++)
		if (!strcmp(rs->keywords[k], word))
			return !literal_set_has(rs->prefilter_lang[u->lang], (unsigned)k) ||
			       (u->kw[k / 64] >> (k % 64) & 1);
	return true;
}

struct regex *checker_regex(struct scan *s, const struct rule *r, const char *pattern)
{
	struct regex *re = NULL;
	pthread_mutex_lock(&scan_note_lock);
	for (size_t i = 0; i < s->npatterns && !re; i++)
		if (!strcmp(s->patterns[i].pattern, pattern))
			re = s->patterns[i].re;
	if (!re) {
		char err[256];
		size_t off;
		struct checker_pattern *p = realloc(s->patterns, (s->npatterns + 1) * sizeof *p);
		if (p)
			s->patterns = p;
		if (!p)
			error_set("out of memory");
		else if (!(re = regex_new(pattern, 0, err, sizeof err, &off)))
			error_set("%s: checker pattern, at %zu: %s", r->id, off, err);
		else
			p[s->npatterns++] = (struct checker_pattern){pattern, re};
	}
	pthread_mutex_unlock(&scan_note_lock);
	return re;
}

int unit_line(const struct unit *u, size_t pos)
{
	int line = 1;
	for (size_t i = 0; i < pos && i < u->len; i++)
		line += u->data[i] == '\n';
	return line;
}

int scan_add_finding(struct scan *s, const struct rule *r, enum severity sev, const char *path,
		     int line, const char *message, const char *match)
{
	pthread_mutex_lock(&scan_note_lock);
	struct finding *f = finding_list_add(&s->findings);
	pthread_mutex_unlock(&scan_note_lock);
	if (!f)
		return -1;
	f->rule = r;
	f->severity = sev;
	f->line = f->end_line = line;
	f->column = f->end_column = 1;
	f->path = strdup(path);
	f->message = strdup(message);
	f->match = strdup(match ? match : "");
	if (!f->path || !f->message || !f->match)
		return error_set("out of memory");
	return 0;
}

int scan_screen_blob(const struct scan *s, const char *data, size_t len)
{
	const char *text;
	size_t n;
	char *owned;
	if (utf8_from_file(&text, &n, &owned, data, len) < 0)
		return 2; /* out of memory: let the scan read it, and fail there */
	if (memchr(text, '\0', n < BINARY_PROBE ? n : BINARY_PROBE)) {
		free(owned);
		return 1;
	}
	uint64_t kw[2] = {0, 0};
	literal_set_scan(s->rules->prefilter, text, n, kw);
	free(owned);
	for (size_t i = 0; i < s->rules->len; i++) {
		const struct rule *r = &s->rules->rules[i];
		if (!(r->scopes & SCOPE_HISTORY) || rule_disabled(s, r))
			continue;
		for (size_t j = 0; j < r->ndetectors; j++) {
			const struct detector *d = &r->detectors[j];
			if ((kw[0] & d->kwmask[0]) || (kw[1] & d->kwmask[1]))
				return 2;
		}
	}
	return 0;
}

bool scan_path_needs_blob(const struct scan *s, const char *path)
{
	for (size_t i = 0; i < s->rules->len; i++) {
		const struct rule *r = &s->rules->rules[i];
		if (!(r->scopes & SCOPE_HISTORY) || rule_disabled(s, r))
			continue;
		for (size_t j = 0; j < r->ndetectors; j++) {
			const struct detector *d = &r->detectors[j];
			if (!d->nkeywords &&
			    (!d->npaths || path_matches(path, d->paths, d->npaths)))
				return true;
		}
	}
	return false;
}
