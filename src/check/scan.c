#include "check/scan.h"

#include "check/flow_stage.h"

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
#include "check/flow_stage.h"
#include "check/unit.h"
#include "check/worker.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/literal.h"
#include "core/regex.h"
#include "core/utf8.h"
#include "lang/ast.h"
#include "lang/classify.h"
#include "lang/ts.h"
#include "suppress/inline.h"

static pthread_mutex_t note_lock = PTHREAD_MUTEX_INITIALIZER;

static bool detector_off(const struct scan *s, const struct rule *r, const struct detector *d);

static void stats_add(struct scan_stats *a, const struct scan_stats *b);

int scan_init(struct scan *s, const struct ruleset *rules, const struct scan_options *opt)
{
	memset(s, 0, sizeof *s);
	pthread_mutex_init(&s->enqueued_lock, NULL);
	pthread_mutex_init(&s->flow_lock, NULL);
	s->rules = rules;
	s->opt = opt;
	s->redactor.reveal = opt->reveal;
	s->notes = calloc(rules->len ? rules->len : 1, sizeof *s->notes);
	if (!s->notes)
		return error_set("out of memory");
	for (size_t i = 0; i < rules->len; i++)
		s->notes[i].rule = &rules->rules[i];
	return 0;
}

void scan_free(struct scan *s)
{
	for (size_t i = 0; i < s->npatterns; i++)
		regex_free(s->patterns[i].re);
	free(s->patterns);
	resolver_free(&s->resolver);
	file_list_free(&s->files);
	finding_list_free(&s->findings);
	finding_list_free(&s->suppressed);
	for (size_t i = 0; i < s->ndirectives; i++) {
		free(s->directives[i].path);
		free(s->directives[i].rules);
	}
	free(s->directives);
	for (size_t i = 0; i < s->nincomplete; i++)
		free(s->incomplete[i]);
	free(s->incomplete);
	for (size_t i = 0; i < s->nlog; i++)
		free(s->log[i]);
	free(s->log);
	for (size_t i = 0; s->notes && i < s->rules->len; i++) {
		for (int k = 0; k < NOTE_COUNT; k++)
			free(s->notes[i].text[k]);
		free(s->notes[i].limit[0]);
		free(s->notes[i].limit[1]);
	}
	free(s->notes);
	redactor_free(&s->redactor);
	for (size_t i = 0; i < s->nevidence; i++) {
		free(s->evidence[i].path);
		free(s->evidence[i].text);
	}
	free(s->evidence);
	free(s->root);
	enqueue_free(s);
	pthread_mutex_destroy(&s->enqueued_lock);
	flow_stage_free(s);
	pthread_mutex_destroy(&s->flow_lock);
	memset(s, 0, sizeof *s);
}

int scan_note_incomplete(struct scan *s, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	char line[1024];
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	buf_puts(&b, line);
	char *text = buf_detach(&b);
	pthread_mutex_lock(&note_lock);
	char **p = text ? realloc(s->incomplete, (s->nincomplete + 1) * sizeof *p) : NULL;
	if (p) {
		s->incomplete = p;
		p[s->nincomplete++] = text;
	}
	pthread_mutex_unlock(&note_lock);
	if (!p) {
		free(text);
		return error_set("out of memory");
	}
	return 0;
}

int scan_note_secret(struct scan *s, const char *secret)
{
	pthread_mutex_lock(&note_lock);
	int rc = redactor_add(&s->redactor, secret, strlen(secret));
	pthread_mutex_unlock(&note_lock);
	return rc;
}

void scan_log(struct scan *s, const char *fmt, ...)
{
	if (!s->opt->verbose)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	char *text = strdup(line);
	pthread_mutex_lock(&note_lock);
	char **p = text ? realloc(s->log, (s->nlog + 1) * sizeof *p) : NULL;
	if (p) {
		s->log = p;
		p[s->nlog++] = text;
	} else {
		free(text);
	}
	pthread_mutex_unlock(&note_lock);
}

/* Appends the item of the given size to an array the scan's threads share; false when
 * out of memory (the array is left as it was). */
static bool locked_append(void **array, size_t *n, const void *item, size_t size)
{
	pthread_mutex_lock(&note_lock);
	char *p = realloc(*array, (*n + 1) * size);
	if (p) {
		memcpy(p + *n * size, item, size);
		*array = p;
		++*n;
	}
	pthread_mutex_unlock(&note_lock);
	return p != NULL;
}

int scan_note_directive(struct scan *s, const char *path, const struct directive *d)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < d->nrules; i++) {
		if (i)
			buf_puts(&b, ", ");
		buf_puts(&b, d->rules[i]);
	}
	struct directive_note n = {.path = strdup(path), .line = d->line, .rules = buf_detach(&b),
				   .problem = d->problem, .used = d->used};
	if (!n.rules)
		n.rules = strdup("");
	if (!n.path || !n.rules ||
	    !locked_append((void **)&s->directives, &s->ndirectives, &n, sizeof n)) {
		free(n.path);
		free(n.rules);
		return error_set("out of memory");
	}
	return 0;
}

static int note_cmp(const void *x, const void *y)
{
	const struct directive_note *a = x, *b = y;
	int c = strcmp(a->path, b->path);
	return c ? c : a->line - b->line;
}

/* Suppressed findings leave the list; of the directives (recorded once per pass that read
 * their file) only the unused or invalid ones are kept, once each. */
static bool is_suppressed(struct finding *f, void *ctx)
{
	(void)ctx;
	return f->suppressed != SUPPRESS_NONE;
}

static int apply_suppressions(struct scan *s)
{
	if (finding_list_move_if(&s->suppressed, &s->findings, is_suppressed, NULL) < 0)
		return -1;
	if (s->ndirectives > 1)
		qsort(s->directives, s->ndirectives, sizeof *s->directives, note_cmp);
	size_t out = 0;
	for (size_t i = 0; i < s->ndirectives;) {
		size_t j = i;
		bool used = false;
		for (; j < s->ndirectives && !note_cmp(&s->directives[i], &s->directives[j]); j++)
			used |= s->directives[j].used;
		for (size_t k = i + 1; k < j; k++) {
			free(s->directives[k].path);
			free(s->directives[k].rules);
		}
		if (used && !s->directives[i].problem) {
			free(s->directives[i].path);
			free(s->directives[i].rules);
		} else {
			s->directives[out++] = s->directives[i];
		}
		i = j;
	}
	s->ndirectives = out;
	return 0;
}

int scan_note_rule(struct scan *s, const struct rule *r, enum note_kind kind, const char *text)
{
	for (size_t i = 0; i < s->rules->len; i++) {
		if (s->notes[i].rule != r)
			continue;
		free(s->notes[i].text[kind]);
		s->notes[i].text[kind] = text ? strdup(text) : NULL;
		return !text || s->notes[i].text[kind] ? 0 : error_set("out of memory");
	}
	return 0;
}

const char *scan_rule_note(const struct scan *s, const struct rule *r, enum note_kind kind)
{
	for (size_t i = 0; i < s->rules->len; i++)
		if (s->notes[i].rule == r)
			return s->notes[i].text[kind];
	return NULL;
}

int scan_note_unknown(struct scan *s, const struct rule *r, const char *why)
{
	return scan_note_rule(s, r, NOTE_UNKNOWN, why);
}

const char *scan_unknown_reason(const struct scan *s, const struct rule *r)
{
	return scan_rule_note(s, r, NOTE_UNKNOWN);
}

int scan_add_evidence(struct scan *s, const struct rule *r, int kind, const char *path,
		      int line, const char *text)
{
	struct scan_evidence e = {.rule = r, .kind = kind, .path = strdup(path), .line = line,
				  .text = text ? strdup(text) : NULL};
	if (!e.path || (text && !e.text) ||
	    !locked_append((void **)&s->evidence, &s->nevidence, &e, sizeof e)) {
		free(e.path);
		free(e.text);
		return error_set("out of memory");
	}
	return 0;
}

static int evidence_cmp(const void *x, const void *y)
{
	const struct scan_evidence *a = x, *b = y;
	int c = strcmp(a->path, b->path);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return strcmp(a->text ? a->text : "", b->text ? b->text : "");
}

bool scan_rule_applies(const struct scan *s, const struct rule *r)
{
	return !r->napplies || (s->kw_seen[0] & r->applies_mask[0]) ||
	       (s->kw_seen[1] & r->applies_mask[1]);
}

bool rule_disabled(const struct scan *s, const struct rule *r)
{
	const struct rule_setting *set = config_rule(s->config, r->id);
	return set && set->disabled;
}

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
	static const char *const folders[] = {"__tests__/", "test/", "tests/", "spec/", "e2e/",
					      "cypress/"};
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
	pthread_mutex_lock(&note_lock);
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
	pthread_mutex_unlock(&note_lock);
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
	pthread_mutex_lock(&note_lock);
	struct finding *f = finding_list_add(&s->findings);
	pthread_mutex_unlock(&note_lock);
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

/* Reads a regular file without following a symbolic link and without blocking on a
 * FIFO. Returns 0 with *data set, 1 when the file is skipped (stats updated), 2 when it
 * is larger than --max-file-size (*large gets the open descriptor and *len its size; with
 * large NULL, it is skipped), -1 on an internal error. */
static int read_unit(struct worker *w, const struct file_entry *e, char **data, size_t *len,
		     int *large)
{
	struct scan *s = w->scan;
	if (e->flags & FILE_SYMLINK) {
		w->stats.skipped_symlink++;
		scan_log(s, "%s: skipped: symbolic link (never followed)", e->path);
		return 1;
	}
	struct buf path = BUF_INIT;
	buf_puts(&path, s->root);
	buf_puts(&path, e->path);
	if (buf_oom(&path))
		return error_set("out of memory");
	/* no link followed, in the file's folders either: ELOOP */
	int fd = file_open_nofollow(path.ptr, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int err = errno;
	buf_free(&path);
	if (fd < 0) {
		if (err == ENOENT || err == ENOTDIR)
			return 1; /* tracked but deleted from the working tree */
		if (err == ELOOP) {
			w->stats.skipped_symlink++;
			scan_log(s, "%s: skipped: symbolic link (never followed)", e->path);
			return 1;
		}
		w->stats.skipped_unreadable++;
		scan_note_limit(s, SCOPE_TREE, NULL, "%s: cannot read: %s", e->path, strerror(err));
		return 1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 1;
	}
	if ((size_t)st.st_size > s->opt->max_file_size) {
		if (!large) {
			close(fd);
			return 1;
		}
		*large = fd;
		*len = (size_t)st.st_size;
		return 2;
	}
	char *p = malloc((size_t)st.st_size + 1);
	if (!p) {
		close(fd);
		return error_set("out of memory");
	}
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, p + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : 0;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	if (got < (size_t)st.st_size && err) {
		free(p);
		w->stats.skipped_unreadable++;
		scan_note_limit(s, SCOPE_TREE, NULL, "%s: cannot read: %s", e->path, strerror(err));
		return 1;
	}
	p[got] = '\0';
	*data = p;
	*len = got;
	return 0;
}

static void prefilter(struct unit *u)
{
	literal_set_scan(u->scan->rules->prefilter_lang[u->lang], u->data, u->len, u->kw);
}

static bool detector_applies(struct unit *u, const struct rule *r, const struct detector *d)
{
	return scan_detector_applies(u, r, d, true);
}

bool scan_detector_applies(struct unit *u, const struct rule *r, const struct detector *d,
			   bool keywords)
{
	/* The PHP file's own reading ran its text detectors over these bytes, the markup
	 * included: its scripts get only the detectors of their language. */
	if (u->php_scripts && ((d->type == DETECT_REGEX && (d->langs & LANG_BIT(LANG_PHP))) ||
			       !(d->langs & LANG_BIT(u->lang))))
		return false;
	/* A page is text too: its markup and attributes are read by the text detectors.
	 * Cheapest first: most files hold none of the keywords. */
	if (!unit_detector_reads(u, r, d, keywords))
		return false;
	/* a context search that fails on the match limit lets the detector run: it is
	 * noted, and a key is not missed for it */
	if (d->context_re && regex_find(d->context_re, u->data, u->len) == 0)
		return false;
	if (d->unless_context_re && regex_find(d->unless_context_re, u->data, u->len) == 1)
		return false;
	if (d->runtimes && !(d->runtimes & (1u << unit_runtime(u))))
		return false;
	return true;
}

struct importer {
	const struct scan *scan;
	const char *from;
	uint64_t inherit[2];
};

static bool is_ocpay(const struct scan *s, const uint64_t kw[2]);

/* The keywords of the OCPay modules a file imports. */
static void add_import(void *ctx, const char *spec, size_t len)
{
	struct importer *im = ctx;
	long k = resolve_import(&im->scan->resolver, im->from, spec, len);
	if (k >= 0 && is_ocpay(im->scan, im->scan->facts[k].kw)) {
		im->inherit[0] |= im->scan->facts[k].kw[0];
		im->inherit[1] |= im->scan->facts[k].kw[1];
	}
}


/* The <script> blocks of a PHP page or template are browser code: they are read as a
 * page of their own, with the JavaScript detectors, and their hits join the PHP file's
 * (the blanked copy keeps every offset), so suppressions and duplicates are judged once. */
static int scan_php_scripts(struct unit *php)
{
	struct scan *s = php->scan;
	struct unit u = {.scan = s, .parsers = php->parsers, .path = php->path,
			 .flags = php->flags, .index = -1, .scope = php->scope,
			 .data = php->data, .len = php->len, .lang = LANG_JAVASCRIPT,
			 .page = true, .php_scripts = true, .classified = true,
			 .runtime = RUNTIME_BROWSER};
	memcpy(u.kw, php->kw, sizeof u.kw);
	scan_log(s, "%s: runs in: browser (the <script> blocks of a PHP page)", u.path);
	int rc = 0;
	for (size_t i = 0; !rc && i < s->rules->len; i++) {
		const struct rule *r = &s->rules->rules[i];
		if (!(r->scopes & u.scope))
			continue;
		for (size_t j = 0; !rc && j < r->ndetectors; j++)
			if (!ast_deadline_passed() && !detector_off(s, r, &r->detectors[j]) &&
			    detector_applies(&u, r, &r->detectors[j]))
				rc = unit_run_detector(&u, r, &r->detectors[j]);
	}
	for (size_t i = 0; !rc && i < u.nhits; i++) {
		struct hit *h = &u.hits[i];
		if (unit_add_hit(php, h->rule, h->start, h->end, h->secret,
				 h->secret ? strlen(h->secret) : 0, NULL, (int)h->severity) < 0) {
			rc = -1;
			break;
		}
		struct hit *copy = &php->hits[php->nhits - 1];
		free(copy->message);
		copy->message = h->message;
		h->message = NULL;
	}
	unit_free(&u);
	return rc;
}

/* A rule turned off in the configuration reports nothing; its text detectors that find
 * secrets still run, so that every output masks what they find (unit_finish drops their
 * hits). Nothing is parsed for it. */
static bool detector_off(const struct scan *s, const struct rule *r, const struct detector *d)
{
	return rule_disabled(s, r) && (d->type != DETECT_REGEX || !d->secret);
}

static int scan_text(struct worker *w, const char *path, unsigned flags, const char *data,
		     size_t len, unsigned scope, struct finding_list *out);

/* The detectors read UTF-8: a UTF-16 file (a .env saved by PowerShell) is decoded first,
 * not skipped as binary for its NUL bytes. */
int scan_worker_unit(struct worker *w, const char *path, unsigned flags, const char *data,
		     size_t len, unsigned scope, struct finding_list *out)
{
	const char *text;
	size_t n;
	char *owned;
	if (utf8_from_file(&text, &n, &owned, data, len) < 0)
		return error_set("out of memory");
	int rc = scan_text(w, path, flags, text, n, scope, out);
	free(owned);
	return rc;
}

static int scan_text(struct worker *w, const char *path, unsigned flags, const char *data,
		     size_t len, unsigned scope, struct finding_list *out)
{
	struct scan *s = w->scan;
	if (memchr(data, '\0', len < BINARY_PROBE ? len : BINARY_PROBE)) {
		w->stats.skipped_binary++;
		if (scope == SCOPE_TREE)
			scan_log(s, "%s: skipped: binary", path);
		return 1;
	}
	if (s->config && s->config->nexclude &&
	    path_matches(path, s->config->exclude, s->config->nexclude)) {
		if (scope == SCOPE_TREE && !w->inherit)
			scan_log(s, "%s: skipped: excluded by %s", path, s->config->path);
		return 0;
	}
	if (!w->second_pass) {
		/* a piece of a large file: the file once, the bytes it adds */
		w->stats.files_scanned += scope == SCOPE_TREE && !w->piece.carry;
		w->stats.bytes_scanned += len - w->piece.carry;
	}
	struct unit u = {.scan = s, .parsers = w->parsers, .path = path, .flags = flags,
			 .index = w->index, .scope = scope,
			 .data = data, .len = len, .lang = lang_from_path(path),
			 .page = lang_is_page(path), .text_only = w->piece.on,
			 .line_base = w->piece.line_base, .col_base = w->piece.col_base,
			 .prior_findings = w->piece.prior};
	prefilter(&u);
	w->piece.kw[0] = u.kw[0];
	w->piece.kw[1] = u.kw[1];
	if (w->inherit) {
		u.inherit[0] = w->inherit[0] & ~u.kw[0];
		u.inherit[1] = w->inherit[1] & ~u.kw[1];
	} else if (w->index >= 0 && s->facts) {
		/* first pass: what the second needs to know of the file (of all its pieces) */
		s->facts[w->index].kw[0] |= u.kw[0];
		s->facts[w->index].kw[1] |= u.kw[1];
		s->facts[w->index].read = true;
	}
	w->kw_seen[0] |= u.kw[0];
	w->kw_seen[1] |= u.kw[1];
	if ((u.lang == LANG_PHP || u.lang == LANG_PYTHON) && scope == SCOPE_TREE &&
	    is_ocpay(s, u.kw))
		w->ocpay_script = true;
	int rc = 0;
	for (size_t i = 0; !rc && i < s->rules->len; i++) {
		const struct rule *r = &s->rules->rules[i];
		if (!(r->scopes & scope))
			continue;
		unsigned long errors = regex_errors();
		size_t skipped = 0;
		int first_skipped = 0;
		for (size_t j = 0; !rc && j < r->ndetectors; j++) {
			const struct detector *d = &r->detectors[j];
			/* past the file's deadline only the text detectors still run; a piece
			 * of a large file is never parsed */
			if ((ast_deadline_passed() || u.text_only) && d->type != DETECT_REGEX)
				continue;
			if (detector_off(s, r, d))
				continue;
			u.limit_lines = 0;
			if (!detector_applies(&u, r, d))
				continue;
			if (detector_is_flow(d))
				u.flow_wanted = scope == SCOPE_TREE; /* runs in the flow stage */
			else
				rc = unit_run_detector(&u, r, d);
			/* the detectors of a rule often skip the same lines: the most, the first */
			if (u.limit_lines > skipped)
				skipped = u.limit_lines;
			if (u.limit_lines && (!first_skipped || u.limit_line < first_skipped))
				first_skipped = u.limit_line;
		}
		u.limit_lines = skipped;
		u.limit_line = first_skipped;
		if (!rc && regex_errors() != errors)
			rc = unit_note_match_limit(&u, r);
	}
	if (!rc && u.flow_wanted && !u.text_only)
		rc = flow_stage_record(&u);
	if (!rc && !u.text_only && u.lang == LANG_PHP && scope == SCOPE_TREE &&
	    lang_php_has_scripts(data, len))
		rc = scan_php_scripts(&u);
	if (!rc && w->piece.on)
		piece_keep_hits(&u, w->piece.keep_from, w->piece.keep_to);
	if (!rc)
		rc = unit_finish(&u, out);
	if (!rc && ast_deadline_passed())
		rc = unit_note_limit(&u, true, NULL,
				     "%s: checks stopped after %llu ms: the file is too large or too "
				     "complex to check in time (--parse-timeout)",
				     path, (unsigned long long)s->opt->parse_timeout_ms);
	ast_set_deadline(0);
	if (u.parse_tried) {
		w->stats.files_parsed++;
		if (scope == SCOPE_TREE)
			scan_log(s, "%s: parsed as %s", path, lang_name(u.lang));
	}
	unit_free(&u);
	return rc;
}

static bool is_ocpay(const struct scan *s, const uint64_t kw[2])
{
	return (kw[0] & s->rules->ocpay_mask[0]) || (kw[1] & s->rules->ocpay_mask[1]);
}

/* Second pass, for one file: a module that imports OCPay code (its API base URL, its
 * client) is read again with the detectors that need keywords only the imported module
 * has, and only those. */
static int import_file(struct worker *w, size_t i)
{
	struct scan *s = w->scan;
	const struct file_facts *f = &s->facts[i];
	const struct file_entry *e = &s->files.items[i];
	if (!f->read || !lang_is_js(lang_from_path(e->path)))
		return 0; /* skipped files were counted by the first pass */
	char *data = NULL;
	size_t len = 0;
	if (read_unit(w, e, &data, &len, NULL))
		return 0; /* counted in the first pass */
	struct importer im = {s, e->path, {0, 0}};
	scan_imports(&s->resolver, data, len, add_import, &im);
	im.inherit[0] &= ~f->kw[0];
	im.inherit[1] &= ~f->kw[1];
	int rc = 0;
	if (im.inherit[0] | im.inherit[1]) {
		scan_log(s, "%s: read again: it imports OCPay code", e->path);
		w->inherit = im.inherit;
		rc = scan_worker_unit(w, e->path, e->flags, data, len, SCOPE_TREE, &w->results[i]);
		w->inherit = NULL;
	}
	free(data);
	return rc < 0 ? -1 : 0;
}

static int scan_file(struct worker *w, size_t index)
{
	const struct file_entry *e = &w->scan->files.items[index];
	char *data = NULL;
	size_t len = 0;
	int fd = -1;
	int rc = read_unit(w, e, &data, &len, &fd);
	if (rc == 2)
		return scan_large_file(w, index, fd, len) < 0 ? -1 : 0;
	if (rc)
		return rc < 0 ? -1 : 0;
	w->index = (long)index;
	rc = scan_worker_unit(w, e->path, e->flags, data, len, SCOPE_TREE, &w->results[index]);
	w->index = -1;
	free(data);
	return rc < 0 ? -1 : 0;
}

struct worker *scan_worker_new(struct scan *s)
{
	struct worker *w = calloc(1, sizeof *w);
	if (!w || !(w->parsers = parser_set_new())) {
		free(w);
		error_set("out of memory");
		return NULL;
	}
	w->scan = s;
	w->index = -1;
	return w;
}

void scan_worker_free(struct worker *w)
{
	if (!w)
		return;
	struct scan *s = w->scan;
	pthread_mutex_lock(&note_lock);
	stats_add(&s->stats, &w->stats);
	s->kw_seen[0] |= w->kw_seen[0];
	s->kw_seen[1] |= w->kw_seen[1];
	s->ocpay_seen = is_ocpay(s, s->kw_seen);
	s->ocpay_script_seen |= w->ocpay_script;
	s->large_unnamed += w->large_unnamed;
	pthread_mutex_unlock(&note_lock);
	parser_set_free(w->parsers);
	free(w);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	size_t n = w->scan->files.len;
	for (;;) {
		size_t i = atomic_fetch_add(w->next, 1);
		if (i >= n)
			break;
		if ((w->second_pass ? import_file(w, i) : scan_file(w, i)) < 0) {
			w->rc = -1;
			snprintf(w->error, sizeof w->error, "%s", error_last());
			break;
		}
		if (w->bar)
			progress_draw(w->bar, i + 1, n, 0, "tree", false);
	}
	return NULL;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void stats_add(struct scan_stats *a, const struct scan_stats *b)
{
	a->files_scanned += b->files_scanned;
	a->bytes_scanned += b->bytes_scanned;
	a->files_parsed += b->files_parsed;
	a->skipped_binary += b->skipped_binary;
	a->skipped_large += b->skipped_large;
	a->skipped_unreadable += b->skipped_unreadable;
	a->skipped_symlink += b->skipped_symlink;
	a->parse_failed += b->parse_failed;
	a->blobs_scanned += b->blobs_scanned;
	a->commits_scanned += b->commits_scanned;
}

/* Whether a rule's checks read PHP or Python: a flow rule written for JavaScript only
 * has not judged an integration written in them, and must not pass it. */
static bool rule_reads_scripts(const struct rule *r)
{
	bool checker = false;
	for (size_t j = 0; j < r->ndetectors; j++) {
		const struct detector *d = &r->detectors[j];
		if (d->langs & (LANG_BIT(LANG_PHP) | LANG_BIT(LANG_PYTHON)))
			return true;
		checker |= d->checker != NULL;
	}
	return !checker;
}

int scan_run_finishers(struct scan *s)
{
	int rc = 0;
	/* Threads recorded evidence in any order: checkers read it sorted. */
	if (s->nevidence > 1)
		qsort(s->evidence, s->nevidence, sizeof *s->evidence, evidence_cmp);
	for (size_t i = 0; !rc && i < s->rules->len; i++) {
		const struct rule *r = &s->rules->rules[i];
		if (rule_disabled(s, r))
			continue;
		for (size_t j = 0; !rc && j < r->ndetectors; j++)
			if (r->detectors[j].checker && r->detectors[j].checker->finish &&
			    (r->scopes & SCOPE_TREE))
				rc = r->detectors[j].checker->finish(s, r);
		if (!rc && s->ocpay_script_seen && !rule_reads_scripts(r) &&
		    !scan_rule_note(s, r, NOTE_UNKNOWN))
			rc = scan_note_unknown(s, r,
					       "this rule reads JavaScript and TypeScript only: the "
					       "OCPay code in PHP or Python files was not judged");
	}
	return rc;
}

void scan_worker_skipped_large(struct worker *w)
{
	w->stats.skipped_large++;
	w->large_unnamed++;
}

int scan_worker_skipped_large_at(struct worker *w, const char *path, size_t size,
				 unsigned scope)
{
	w->stats.skipped_large++;
	return scan_note_limit(w->scan, scope, NULL,
			       "%s: not read: %zu bytes, above --max-file-size (%zu)", path, size,
			       w->scan->opt->max_file_size);
}

void scan_worker_skipped_binary(struct worker *w)
{
	w->stats.skipped_binary++;
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
			if (!d->nkeywords && (!d->npaths || path_matches(path, d->paths, d->npaths)))
				return true;
		}
	}
	return false;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Rules turned off or re-graded in the configuration. */
static int apply_config(struct scan *s)
{
	if (!s->config || (!s->config->nrules && !s->config->nallowed))
		return 0;
	for (size_t i = 0; i < s->rules->len; i++)
		if (rule_disabled(s, &s->rules->rules[i]) &&
		    scan_note_unknown(s, &s->rules->rules[i], "turned off in the configuration") < 0)
			return -1;
	size_t kept = 0;
	for (size_t i = 0; i < s->findings.len; i++) {
		struct finding *f = &s->findings.items[i];
		const struct rule_setting *set = config_rule(s->config, f->rule->id);
		bool allowed = false;
		for (size_t k = 0; f->secret_hash[0] && k < s->config->nallowed && !allowed; k++)
			allowed = !strcmp(s->config->allowed[k], f->secret_hash);
		if ((set && set->disabled) || allowed) {
			finding_clear(f);
			continue;
		}
		if (set && set->severity >= 0)
			f->severity = (enum severity)set->severity;
		if (kept != i)
			s->findings.items[kept] = *f;
		kept++;
	}
	s->findings.len = kept;
	return 0;
}

int scan_finish(struct scan *s)
{
	if (apply_config(s) < 0)
		return -1;
	/* Blobs skipped for size by a caller that could not name them: what they hold is
	 * not known, so no rule can be said to pass. */
	if (s->large_unnamed > s->large_noted) {
		size_t n = s->large_unnamed - s->large_noted;
		s->large_noted = s->large_unnamed;
		if (scan_note_limit(s, SCOPE_TREE | SCOPE_HISTORY, NULL,
				    "%zu blob%s larger than --max-file-size (%zu bytes) not read", n,
				    n == 1 ? "" : "s", s->opt->max_file_size) < 0)
			return -1;
	}
	if (s->nlog > 1)
		qsort(s->log, s->nlog, sizeof *s->log, str_cmp);
	finding_list_sort(&s->findings);
	if (finding_list_fingerprint(&s->findings) < 0)
		return -1;
	return apply_suppressions(s);
}

/* Runs one pass over s->files on jobs threads (the calling thread is the first). */
static int run_pass(struct scan *s, unsigned jobs, bool second, struct finding_list *results)
{
	struct worker **workers = calloc(jobs, sizeof *workers);
	pthread_t *threads = calloc(jobs, sizeof *threads);
	atomic_size_t next = 0;
	int rc = 0;
	if (!workers || !threads) {
		free(workers);
		free(threads);
		return error_set("out of memory");
	}
	unsigned started = 0;
	struct progress bar;
	progress_start(&bar, s->opt->progress && !second ? stderr : NULL, "files");
	bar.eager = s->opt->progress_forced;
	for (unsigned i = 0; i < jobs; i++) {
		if (!(workers[i] = scan_worker_new(s))) {
			rc = -1;
			break;
		}
		workers[i]->results = results;
		workers[i]->next = &next;
		workers[i]->second_pass = second;
		workers[i]->bar = i == 0 ? &bar : NULL;
		if (i > 0 && pthread_create(&threads[i], NULL, worker_main, workers[i]) != 0) {
			scan_worker_free(workers[i]);
			break;
		}
		started = i + 1;
	}
	if (started)
		worker_main(workers[0]);
	progress_end(&bar);
	for (unsigned i = 0; i < started; i++) {
		if (i > 0)
			pthread_join(threads[i], NULL);
		if (workers[i]->rc && !rc)
			rc = error_set("%s", workers[i]->error);
		scan_worker_free(workers[i]);
	}
	free(workers);
	free(threads);
	return rc;
}

int scan_run(struct scan *s)
{
	uint64_t t0 = now_ms();
	size_t n = s->files.len;
	unsigned jobs = s->opt->jobs;
	if (jobs == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = cores > 0 ? (unsigned)cores : 1;
	}
	if (jobs > n)
		jobs = n ? (unsigned)n : 1;
	struct finding_list *results = calloc(n ? n : 1, sizeof *results);
	int rc = 0;
	s->facts = calloc(n ? n : 1, sizeof *s->facts);
	s->flow_kept = calloc(n ? n : 1, sizeof *s->flow_kept);
	if (!results || !s->facts || !s->flow_kept) {
		rc = error_set("out of memory");
		goto out;
	}
	if (resolver_init(&s->resolver, &s->files, s->root) < 0) {
		rc = -1;
		goto out;
	}
	rc = run_pass(s, jobs, false, results);
	/* No OCPay code anywhere: nothing imports it. */
	if (!rc && s->ocpay_seen)
		rc = run_pass(s, jobs, true, results);
	for (size_t i = 0; !rc && i < n; i++)
		rc = finding_list_take(&s->findings, &results[i]);
	if (!rc)
		rc = flow_stage_run(s, &s->findings);
	if (!rc)
		rc = scan_run_finishers(s);
	if (!rc)
		rc = scan_finish(s);
out:
	for (size_t i = 0; results && i < n; i++)
		finding_list_free(&results[i]);
	free(results);
	free(s->facts);
	s->facts = NULL;
	s->stats.duration_ms = now_ms() - t0;
	return rc;
}
