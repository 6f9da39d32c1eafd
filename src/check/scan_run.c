/* The order of the scan's stages over a file list: two passes of the worker threads over
 * the files (the second reads the importers of OCPay code again), the flow stage, the
 * checkers' repository-level part, then sorting and fingerprints (scan_finish). */
#include "check/scan.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/checker.h"
#include "check/enqueue.h"
#include "check/flow_records.h"
#include "check/flow_stage.h"
#include "check/pieces.h"
#include "check/scan_private.h"
#include "check/worker.h"
#include "core/error.h"
#include "core/regex.h"

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

struct import_list {
	const struct scan *scan;
	const char *from;
	int32_t *items;
	uint32_t n, cap;
	bool oom;
};

static void add_import(void *ctx, const char *spec, size_t len)
{
	struct import_list *l = ctx;
	long k = resolve_import(&l->scan->resolver, l->from, spec, len);
	if (k < 0 || l->oom)
		return;
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 8;
		int32_t *p = realloc(l->items, cap * sizeof *p);
		if (!p) {
			l->oom = true;
			return;
		}
		l->items = p;
		l->cap = cap;
	}
	l->items[l->n++] = (int32_t)k;
}

/* The files of the list a JavaScript file imports, kept for the flow stage (the pages
 * importing a page that requests the shop's routes) so it need not read them again. */
static int record_imports(struct scan *s, size_t i, const char *data, size_t len)
{
	struct file_facts *f = &s->facts[i];
	struct import_list l = {s, s->files.items[i].path, NULL, 0, 0, false};
	resolver_list_imports(&s->resolver, data, len, add_import, &l);
	if (l.oom) {
		free(l.items);
		return error_set("out of memory");
	}
	free(f->imports);
	f->imports = l.items;
	f->nimports = l.n;
	f->listed = true;
	return 0;
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
	if (record_imports(s, i, data, len) < 0) {
		free(data);
		return -1;
	}
	uint64_t inherit[2] = {0, 0};
	for (uint32_t k = 0; k < f->nimports; k++) {
		const struct file_facts *t = &s->facts[f->imports[k]];
		if (scan_is_ocpay(s, t->kw)) {
			inherit[0] |= t->kw[0];
			inherit[1] |= t->kw[1];
		}
	}
	inherit[0] &= ~f->kw[0];
	inherit[1] &= ~f->kw[1];
	int rc = 0;
	if (inherit[0] | inherit[1]) {
		scan_log(s, "%s: read again: it imports OCPay code", e->path);
		w->inherit = inherit;
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
	for (size_t i = 0; s->facts && i < n; i++)
		free(s->facts[i].imports);
	free(s->facts);
	s->facts = NULL;
	s->stats.duration_ms = progress_now_ms() - t0;
	return rc;
}
