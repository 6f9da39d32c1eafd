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
#include "check/scan_private.h"
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

pthread_mutex_t scan_note_lock = PTHREAD_MUTEX_INITIALIZER;

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
	struct unit u = {.scan = s,
			 .parsers = php->parsers,
			 .path = php->path,
			 .flags = php->flags,
			 .index = -1,
			 .scope = php->scope,
			 .data = php->data,
			 .len = php->len,
			 .lang = LANG_JAVASCRIPT,
			 .page = true,
			 .php_scripts = true,
			 .classified = true,
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
	struct unit u = {.scan = s,
			 .parsers = w->parsers,
			 .path = path,
			 .flags = flags,
			 .index = w->index,
			 .scope = scope,
			 .data = data,
			 .len = len,
			 .lang = lang_from_path(path),
			 .page = lang_is_page(path),
			 .text_only = w->piece.on,
			 .line_base = w->piece.line_base,
			 .col_base = w->piece.col_base,
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
		rc = unit_note_limit(
		    &u, true, NULL,
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
	if (scan_read_unit(w, e, &data, &len, NULL))
		return 0; /* counted in the first pass */
	struct importer im = {s, e->path, {0, 0}};
	resolver_list_imports(&s->resolver, data, len, add_import, &im);
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
	int rc = scan_read_unit(w, e, &data, &len, &fd);
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
	pthread_mutex_lock(&scan_note_lock);
	stats_add(&s->stats, &w->stats);
	s->kw_seen[0] |= w->kw_seen[0];
	s->kw_seen[1] |= w->kw_seen[1];
	s->ocpay_seen = is_ocpay(s, s->kw_seen);
	s->ocpay_script_seen |= w->ocpay_script;
	s->large_unnamed += w->large_unnamed;
	pthread_mutex_unlock(&scan_note_lock);
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
		qsort(s->evidence, s->nevidence, sizeof *s->evidence, scan_evidence_cmp);
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
			rc =
			    scan_note_unknown(s, r,
					      "this rule reads JavaScript and TypeScript only: the "
					      "OCPay code in PHP or Python files was not judged");
	}
	return rc;
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
	uint64_t t0 = progress_now_ms();
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
	s->stats.duration_ms = progress_now_ms() - t0;
	return rc;
}
