#define _GNU_SOURCE /* memmem */
#include "check/flow_stage.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/checker.h"
#include "check/unit.h"
#include "core/error.h"
#include "lang/classify.h"
#include "lang/lower.h"
#include "lang/ts.h"
#include "source/files.h"
#include "source/resolve.h"

/* A lowered file, kept until the flow stage runs. */
struct flow_record {
	char *path;
	char *data; /* the file's text, for snippets */
	size_t len;
	enum lang lang;
	unsigned flags;
	bool page;
	long index; /* in the scan's list, or -1 */
	struct flow_file_info info;
	struct ir_file *ir; /* owned until handed to the index */
};

bool detector_is_flow(const struct detector *d)
{
	return d->type == DETECT_CHECKER && d->checker && d->checker->flow;
}

int flow_report(struct flow_check *c, const struct rule *r, const struct ir_node *node,
		const char *message, int severity)
{
	return unit_add_hit(c->u, r, node->start, node->end, NULL, 0, message, severity);
}

static void record_free(struct flow_record *rec)
{
	free(rec->path);
	free(rec->data);
	ir_file_free(rec->ir);
}

void flow_stage_free(struct scan *s)
{
	for (size_t i = 0; i < s->nflow_records; i++)
		record_free(&s->flow_records[i]);
	free(s->flow_records);
	free(s->flow_kept);
	s->flow_records = NULL;
	s->flow_kept = NULL;
	s->nflow_records = s->capflow_records = 0;
}

/* The index of a file of the list by its path, or -1. */
static long file_index(const struct scan *s, const char *path)
{
	size_t lo = 0, hi = s->files.len;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->files.items[mid].path, path);
		if (!c)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int flow_stage_record(struct unit *u)
{
	struct scan *s = u->scan;
	/* an importer read again has no index: found by its path, it is kept once */
	long index = u->index >= 0 || !s->flow_kept ? u->index : file_index(s, u->path);
	if (index >= 0 && s->flow_kept) {
		pthread_mutex_lock(&s->flow_lock);
		bool kept = s->flow_kept[index];
		s->flow_kept[index] = true;
		pthread_mutex_unlock(&s->flow_lock);
		if (kept)
			return 0; /* read again as an importer: lowered already */
	}
	const struct syntax *syn = unit_syntax(u);
	if (!syn)
		return 0; /* noted as incomplete by the parse */
	struct flow_record rec = {.len = u->len, .lang = u->lang, .flags = u->flags,
				  .page = u->page, .index = u->index};
	rec.info.runtime = unit_runtime(u);
	rec.info.test = path_is_test(u->path);
	if (lang_lower(&rec.ir, syn, u->path) < 0) {
		scan_note_incomplete(s, "%s: not read by the flow rules: %s", u->path, error_last());
		return 0;
	}
	rec.path = strdup(u->path);
	rec.data = malloc(u->len + 1);
	if (!rec.path || !rec.data) {
		record_free(&rec);
		return error_set("out of memory");
	}
	memcpy(rec.data, u->data, u->len);
	rec.data[u->len] = '\0';
	if (rec.ir->truncated)
		scan_note_incomplete(s, "%s: nested too deep: the flow rules read only part of it",
				     u->path);
	int rc = 0;
	pthread_mutex_lock(&s->flow_lock);
	if (s->nflow_records == s->capflow_records) {
		size_t cap = s->capflow_records ? s->capflow_records * 2 : 32;
		struct flow_record *p = realloc(s->flow_records, cap * sizeof *p);
		if (!p)
			rc = error_set("out of memory");
		else {
			s->flow_records = p;
			s->capflow_records = cap;
		}
	}
	if (!rc)
		s->flow_records[s->nflow_records++] = rec;
	pthread_mutex_unlock(&s->flow_lock);
	if (rc)
		record_free(&rec);
	return rc;
}

/* ---- neighbours: the files the kept ones import, and those that name them ---- */

#define NEIGHBOUR_ROUNDS 3
#define NEIGHBOUR_MAX 2000 /* files lowered for their neighbours' sake, at most */

static bool kept(const struct scan *s, long index)
{
	return index >= 0 && s->flow_kept && s->flow_kept[index];
}

/* Lowers the file of the list at index (it is read again from the tree). */
static int keep_file(struct scan *s, struct parser_set *ps, long index, size_t *count)
{
	if (kept(s, index))
		return 0;
	const struct file_entry *e = &s->files.items[index];
	enum lang lang = lang_from_path(e->path);
	if (lang == LANG_TEXT || (e->flags & FILE_SYMLINK))
		return 0;
	if (++*count > NEIGHBOUR_MAX) {
		if (*count == NEIGHBOUR_MAX + 1)
			scan_note_incomplete(s, "more than %d files around the OCPay code: the flow "
						"rules follow calls into the first %d only",
					     NEIGHBOUR_MAX, NEIGHBOUR_MAX);
		return 0;
	}
	size_t len = 0;
	char *data = file_read_small(s->root, e->path, s->opt->max_parse_size, &len);
	if (!data)
		return 0; /* too large, or gone: the first pass said so */
	struct unit u = {.scan = s, .parsers = ps, .path = e->path, .index = index,
			 .flags = e->flags, .data = data, .len = len, .lang = lang,
			 .page = lang_is_page(e->path), .scope = SCOPE_TREE};
	scan_log(s, "%s: read for the flow rules: it is linked to OCPay code", e->path);
	int rc = flow_stage_record(&u);
	ast_set_deadline(0);
	unit_free(&u);
	free(data);
	return rc;
}

static bool join_path(char *out, size_t size, const char *dir, size_t dirlen, const char *rest)
{
	return (size_t)snprintf(out, size, "%.*s%s", (int)dirlen, dir, rest) < size;
}

/* Python: a dotted module, relative (leading dots) or from the root or a folder above. */
static void python_candidates(const struct scan *s, const char *from, const char *spec,
			      const char *name, long *out, size_t *n, size_t max)
{
	char rel[512], path[1024], dir[512];
	size_t dots = 0, k = 0;
	while (spec[dots] == '.')
		dots++;
	for (const char *p = spec + dots; *p && k + 1 < sizeof rel; p++)
		rel[k++] = *p == '.' ? '/' : *p;
	rel[k] = '\0';
	const char *slash = strrchr(from, '/');
	size_t dl = slash ? (size_t)(slash - from + 1) : 0;
	snprintf(dir, sizeof dir, "%.*s", (int)dl, from);
	for (size_t i = 1; i < dots; i++) {
		size_t len = strlen(dir);
		if (len)
			dir[len - 1] = '\0';
		char *up = strrchr(dir, '/');
		if (up)
			up[1] = '\0';
		else
			dir[0] = '\0';
	}
	static const char *const tails[] = {".py", "/__init__.py"};
	const char *bases[8];
	size_t nb = 0;
	char ancestors[4][512];
	if (dots) {
		bases[nb++] = dir;
	} else {
		bases[nb++] = "";
		/* folders above the importing file: src layouts */
		size_t len = dl;
		for (int a = 0; a < 4 && len > 0; a++) {
			snprintf(ancestors[a], sizeof ancestors[a], "%.*s", (int)len, from);
			bases[nb++] = ancestors[a];
			size_t up = len - 1;
			while (up > 0 && from[up - 1] != '/')
				up--;
			len = up;
		}
	}
	for (size_t b = 0; b < nb; b++) {
		/* the module itself: rel.py or rel/__init__.py (from . import x: the package) */
		for (int t = *rel ? 0 : 1; t < 2; t++) {
			if ((size_t)snprintf(path, sizeof path, "%s%s%s", bases[b], rel,
					     *rel ? tails[t] : "__init__.py") >= sizeof path)
				continue;
			long i = file_index(s, path);
			if (i >= 0 && *n < max)
				out[(*n)++] = i;
		}
		/* from pkg import name: the submodule pkg/name.py */
		if (name && strcmp(name, "*") &&
		    (size_t)snprintf(path, sizeof path, "%s%s%s%s.py", bases[b], rel, *rel ? "/" : "",
				     name) < sizeof path) {
			long i = file_index(s, path);
			if (i >= 0 && *n < max)
				out[(*n)++] = i;
		}
	}
}

/* PHP: a class's file by its namespace's tail (PSR-4 folders end with the namespace's
 * last segments: App\Services\Pay is .../Services/Pay.php), or an include's path. */
static void php_candidates(const struct scan *s, const char *from, const struct ir_import *im,
			   long *out, size_t *n, size_t max)
{
	char want[512];
	if (im->kind == IR_IMPORT_INCLUDE) {
		const char *rest = !strncmp(im->spec, "__DIR__/", 8) ? im->spec + 8 : im->spec;
		const char *slash = strrchr(from, '/');
		size_t dl = slash ? (size_t)(slash - from + 1) : 0;
		char path[1024];
		if (join_path(path, sizeof path, from, dl, rest)) {
			long i = file_index(s, path);
			if (i >= 0 && *n < max)
				out[(*n)++] = i;
		}
		return;
	}
	/* the last two segments: Services/Pay.php, else the last: Pay.php */
	const char *last = strrchr(im->spec, '\\');
	const char *prev = NULL;
	for (const char *p = im->spec; last && p < last; p++)
		if (*p == '\\')
			prev = p;
	const char *tail = prev ? prev + 1 : im->spec;
	size_t k = 0;
	for (const char *p = tail; *p && k + 5 < sizeof want; p++)
		want[k++] = *p == '\\' ? '/' : *p;
	memcpy(want + k, ".php", 5);
	size_t wl = strlen(want);
	for (size_t i = 0; i < s->files.len && *n < max; i++) {
		const char *p = s->files.items[i].path;
		size_t pl = strlen(p);
		if (pl >= wl && !strcmp(p + pl - wl, want) && (pl == wl || p[pl - wl - 1] == '/'))
			out[(*n)++] = (long)i;
	}
}

static int expand_imports(struct scan *s, struct parser_set *ps, size_t from, size_t to,
			  size_t *count)
{
	for (size_t r = from; r < to; r++) {
		/* the record array may move as files are added: copy what is read */
		const struct ir_file *ir = s->flow_records[r].ir;
		char *path = strdup(s->flow_records[r].path);
		if (!path)
			return error_set("out of memory");
		for (uint32_t k = 0; k < ir->nimports; k++) {
			const struct ir_import *im = &s->flow_records[r].ir->imports[k];
			long found[16];
			size_t n = 0;
			if (!im->spec)
				continue;
			if (im->kind == IR_IMPORT_PY)
				python_candidates(s, path, im->spec, im->name, found, &n, 16);
			else if (im->kind == IR_IMPORT_USE || im->kind == IR_IMPORT_INCLUDE)
				php_candidates(s, path, im, found, &n, 16);
			else if (s->resolver.files) {
				long i = resolve_import(&s->resolver, path, im->spec, strlen(im->spec));
				if (i >= 0)
					found[n++] = i;
			}
			for (size_t i = 0; i < n; i++)
				if (keep_file(s, ps, found[i], count) < 0) {
					free(path);
					return -1;
				}
			ir = s->flow_records[r].ir;
		}
		free(path);
	}
	return 0;
}

/* PHP and Python files that name a kept file's class or module: the callers. */
static int expand_callers(struct scan *s, struct parser_set *ps, size_t *count)
{
	char *names[256];
	size_t nnames = 0;
	for (size_t r = 0; r < s->nflow_records && nnames < 256; r++) {
		const struct flow_record *rec = &s->flow_records[r];
		if (rec->lang != LANG_PHP && rec->lang != LANG_PYTHON)
			continue;
		for (uint32_t c = 0; c < rec->ir->nclasses && nnames < 256; c++)
			if (rec->ir->classes[c].name && strlen(rec->ir->classes[c].name) > 3)
				names[nnames++] = strdup(rec->ir->classes[c].name);
		if (rec->lang == LANG_PYTHON && nnames < 256) {
			/* the module's name: payments for shop/payments.py */
			const char *base = strrchr(rec->path, '/');
			base = base ? base + 1 : rec->path;
			size_t len = strlen(base) - 3;
			if (strcmp(base, "__init__.py") && len > 3)
				names[nnames++] = strndup(base, len);
		}
	}
	int rc = 0;
	for (size_t i = 0; i < nnames; i++)
		if (!names[i])
			rc = error_set("out of memory");
	for (size_t i = 0; !rc && nnames && i < s->files.len; i++) {
		const char *p = s->files.items[i].path;
		enum lang lang = lang_from_path(p);
		if ((lang != LANG_PHP && lang != LANG_PYTHON) || kept(s, (long)i) ||
		    (s->files.items[i].flags & FILE_SYMLINK))
			continue;
		size_t len = 0;
		char *data = file_read_small(s->root, p, s->opt->max_parse_size, &len);
		bool hit = false;
		for (size_t k = 0; data && k < nnames && !hit; k++)
			hit = memmem(data, len, names[k], strlen(names[k])) != NULL;
		free(data);
		if (hit)
			rc = keep_file(s, ps, (long)i, count);
	}
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	return rc;
}

/* The files flow_requesters() finds: pages requesting the shop's own routes. */
static int expand_requesters(struct scan *s, struct parser_set *ps, size_t *count)
{
	char(*texts)[FLOW_ROUTE_TEXT] = calloc(64, sizeof *texts);
	bool *wanted = calloc(s->files.len ? s->files.len : 1, sizeof *wanted);
	size_t n = 0;
	for (size_t r = 0; texts && r < s->nflow_records && n < 64; r++)
		n += flow_route_texts(s->rules->models, s->flow_records[r].ir, texts + n, 64 - n);
	int rc = !texts || !wanted ? error_set("out of memory")
		 : n		    ? flow_requesters(s, (const char(*)[FLOW_ROUTE_TEXT])texts, n, wanted)
				    : 0;
	for (size_t i = 0; !rc && i < s->files.len; i++)
		if (wanted[i])
			rc = keep_file(s, ps, (long)i, count);
	free(texts);
	free(wanted);
	return rc;
}

static int expand_neighbours(struct scan *s)
{
	if (!s->flow_kept || !s->files.len)
		return 0; /* a tree from the object database: only its own files */
	struct parser_set *ps = parser_set_new();
	if (!ps)
		return error_set("out of memory");
	size_t count = 0, from = 0;
	int rc = expand_callers(s, ps, &count);
	if (!rc)
		rc = expand_requesters(s, ps, &count);
	for (int round = 0; !rc && round < NEIGHBOUR_ROUNDS && from < s->nflow_records; round++) {
		size_t to = s->nflow_records;
		rc = expand_imports(s, ps, from, to, &count);
		from = to;
	}
	parser_set_free(ps);
	return rc;
}

static int record_cmp(const void *a, const void *b)
{
	return strcmp(((const struct flow_record *)a)->path, ((const struct flow_record *)b)->path);
}

/* ---- running the checkers ---- */

struct runner {
	struct scan *s;
	const struct flow *flow;
	atomic_size_t *next;
	struct finding_list out;
	int rc;
	char error[512];
};

static int check_file(struct runner *rn, struct flow_query *q, size_t i)
{
	struct scan *s = rn->s;
	struct flow_record *rec = &s->flow_records[i];
	struct unit u = {.scan = s, .path = rec->path, .index = rec->index, .flags = rec->flags,
			 .data = rec->data, .len = rec->len, .lang = rec->lang, .page = rec->page,
			 .scope = SCOPE_TREE, .classified = true, .runtime = rec->info.runtime,
			 .parse_tried = true};
	struct flow_check c = {&u, rn->flow, q, (int32_t)i};
	int rc = 0;
	for (size_t k = 0; !rc && k < s->rules->len; k++) {
		const struct rule *r = &s->rules->rules[k];
		if (!(r->scopes & SCOPE_TREE) || rule_disabled(s, r))
			continue;
		for (size_t j = 0; !rc && j < r->ndetectors; j++) {
			const struct detector *d = &r->detectors[j];
			if (detector_is_flow(d) && scan_detector_applies(&u, r, d, false))
				rc = d->checker->flow(&c, r, d);
		}
	}
	if (!rc)
		rc = unit_finish(&u, &rn->out);
	unit_free(&u);
	return rc;
}

static void *runner_main(void *arg)
{
	struct runner *rn = arg;
	struct flow_query *q = flow_query_new(rn->flow);
	if (!q) {
		rn->rc = -1;
		snprintf(rn->error, sizeof rn->error, "%s", error_last());
		return NULL;
	}
	for (;;) {
		size_t i = atomic_fetch_add(rn->next, 1);
		if (i >= rn->s->nflow_records)
			break;
		if (check_file(rn, q, i) < 0) {
			rn->rc = -1;
			snprintf(rn->error, sizeof rn->error, "%s", error_last());
			break;
		}
	}
	flow_query_free(q);
	return NULL;
}

static int run_checkers(struct scan *s, const struct flow *flow, struct finding_list *out)
{
	unsigned jobs = s->opt->jobs;
	if (jobs == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = cores > 0 ? (unsigned)cores : 1;
	}
	if (jobs > s->nflow_records)
		jobs = (unsigned)s->nflow_records;
	struct runner *rn = calloc(jobs, sizeof *rn);
	pthread_t *threads = calloc(jobs, sizeof *threads);
	atomic_size_t next = 0;
	if (!rn || !threads) {
		free(rn);
		free(threads);
		return error_set("out of memory");
	}
	unsigned started = 1;
	for (unsigned i = 0; i < jobs; i++)
		rn[i] = (struct runner){.s = s, .flow = flow, .next = &next};
	for (unsigned i = 1; i < jobs; i++) {
		if (pthread_create(&threads[i], NULL, runner_main, &rn[i]) != 0)
			break;
		started = i + 1;
	}
	runner_main(&rn[0]);
	int rc = 0;
	for (unsigned i = 0; i < started; i++) {
		if (i > 0)
			pthread_join(threads[i], NULL);
		if (rn[i].rc && !rc)
			rc = error_set("%s", rn[i].error);
		if (!rc)
			rc = finding_list_take(out, &rn[i].out);
		finding_list_free(&rn[i].out);
	}
	free(rn);
	free(threads);
	return rc;
}

static const char *const event_names[EV_KIND_COUNT] = {
	[EV_CREATE_LINK] = "createLink",  [EV_CHECK_PAYMENT] = "checkPayment",
	[EV_WRITE] = "write",		  [EV_FULFIL] = "fulfilment",
	[EV_FAIL_MARK] = "failure mark", [EV_LOG] = "log",
	[EV_RESPONSE] = "response",	  [EV_TIMER] = "timer",
	[EV_SLEEP] = "wait",		  [EV_EXIT] = "exit",
	[EV_HTTP] = "HTTP request",	  [EV_CALL] = "call"};

/* --verbose: what the flow rules understood of each file, event by event. */
static void log_events(struct scan *s, const struct flow *flow)
{
	for (size_t i = 0; i < flow_nfiles(flow); i++) {
		const struct ir_file *ir = flow_ir(flow, (int32_t)i);
		for (uint32_t k = 0; k < ir->nfuncs; k++) {
			struct flow_fn fn = {(int32_t)i, (int32_t)k};
			size_t n;
			const struct flow_event *ev = flow_events(flow, fn, &n);
			char name[128], via[128] = "";
			flow_fn_name(flow, fn, name, sizeof name);
			for (size_t e = 0; e < n; e++) {
				if (ev[e].kind == EV_CALL)
					continue;
				if (flow_fn_ok(ev[e].via))
					flow_fn_name(flow, ev[e].via, via, sizeof via);
				char ms[48] = ""; /* how long a wait, how often a timer */
				if ((ev[e].kind == EV_TIMER || ev[e].kind == EV_SLEEP) && ev[e].ms >= 0)
					snprintf(ms, sizeof ms, " (%.0f ms)", ev[e].ms);
				scan_log(s, "%s:%u: %s%s in %s%s%s%s%s", ir->path, ev[e].node->line,
					 event_names[ev[e].kind], ms, name,
					 flow_fn_ok(ev[e].via) ? " through " : "",
					 flow_fn_ok(ev[e].via) ? via : "", ev[e].row ? ", by " : "",
					 ev[e].row ? ev[e].row->source : "");
			}
		}
	}
}

int flow_stage_run(struct scan *s, struct finding_list *out)
{
	if (!s->nflow_records)
		return 0;
	if (expand_neighbours(s) < 0)
		return -1;
	/* the index's order never depends on thread timing */
	qsort(s->flow_records, s->nflow_records, sizeof *s->flow_records, record_cmp);
	struct flow *flow = flow_new(s->rules->models, s->resolver.files ? &s->resolver : NULL,
				     s->root);
	if (!flow)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < s->nflow_records && !rc; i++) {
		struct flow_record *rec = &s->flow_records[i];
		if (flow_add_file(flow, rec->ir, &rec->info) < 0)
			rc = -1;
		rec->ir = NULL; /* the index owns it now, or freed it */
	}
	if (!rc)
		rc = flow_build(flow);
	if (!rc && s->opt->verbose)
		log_events(s, flow);
	if (!rc)
		rc = run_checkers(s, flow, out);
	flow_free(flow);
	flow_stage_free(s);
	return rc;
}
