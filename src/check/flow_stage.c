#include "check/flow_stage_private.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "check/checker.h"
#include "check/unit.h"
#include "core/error.h"
#include "lang/classify.h"
#include "lang/lower.h"
#include "lang/ts.h"
#include "source/files.h"


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

static int add_record(struct scan *s, const struct flow_record *rec)
{
	if (s->nflow_records == s->capflow_records) {
		size_t cap = s->capflow_records ? s->capflow_records * 2 : 32;
		struct flow_record *p = realloc(s->flow_records, cap * sizeof *p);
		if (!p)
			return error_set("out of memory");
		s->flow_records = p;
		s->capflow_records = cap;
	}
	s->flow_records[s->nflow_records++] = *rec;
	return 0;
}

bool flow_stage_kept(const struct scan *s, long index)
{
	return index >= 0 && s->flow_kept && s->flow_kept[index];
}

/* Marks and registers a file of the list; 0 when it was already. Under the lock. */
static int keep_locked(struct scan *s, long index)
{
	if (s->flow_kept[index])
		return 0;
	s->flow_kept[index] = true;
	const struct file_entry *e = &s->files.items[index];
	struct flow_record rec = {.path = strdup(e->path), .flags = e->flags, .index = index,
				  .lang = lang_from_path(e->path), .page = lang_is_page(e->path)};
	if (!rec.path || add_record(s, &rec) < 0) {
		free(rec.path);
		return error_set("out of memory");
	}
	return 0;
}

int flow_stage_keep(struct scan *s, long index)
{
	pthread_mutex_lock(&s->flow_lock);
	int rc = keep_locked(s, index);
	pthread_mutex_unlock(&s->flow_lock);
	return rc;
}

/* Parses and lowers a unit into rec (which takes the unit's data). */
static int lower_unit(struct unit *u, struct flow_record *rec)
{
	struct scan *s = u->scan;
	const struct syntax *syn = unit_syntax(u);
	if (!syn) {
		rec->failed = true; /* noted as incomplete by the parse */
		return 0;
	}
	rec->info.runtime = unit_runtime(u);
	rec->info.test = path_is_test(u->path);
	if (lang_lower(&rec->ir, syn, u->path) < 0) {
		rec->failed = true;
		return scan_note_incomplete(s, "%s: not read by the flow rules: %s", u->path,
					    error_last()) < 0 ? -1 : 0;
	}
	rec->lang = u->lang; /* a page's scripts: JavaScript or TypeScript */
	if (rec->ir->truncated)
		scan_note_incomplete(s, "%s: nested too deep: the flow rules read only part of it",
				     u->path);
	return 0;
}

int flow_stage_record(struct unit *u)
{
	struct scan *s = u->scan;
	/* a file read again (as an importer of OCPay code) has no index: found by its path */
	long index = u->index >= 0 || !s->flow_kept ? u->index : flow_file_index(s, u->path);
	if (index >= 0 && s->flow_kept)
		return flow_stage_keep(s, index); /* lowered once every file is read */
	/* a blob: lowered now, from the bytes at hand */
	struct flow_record rec = {.len = u->len, .flags = u->flags, .page = u->page, .index = -1,
				  .path = strdup(u->path), .data = malloc(u->len + 1)};
	if (!rec.path || !rec.data) {
		record_free(&rec);
		return error_set("out of memory");
	}
	memcpy(rec.data, u->data, u->len);
	rec.data[u->len] = '\0';
	int rc = lower_unit(u, &rec);
	if (!rc && !rec.failed) {
		pthread_mutex_lock(&s->flow_lock);
		rc = add_record(s, &rec);
		pthread_mutex_unlock(&s->flow_lock);
		if (!rc)
			return 0;
	}
	record_free(&rec);
	return rc;
}

/* ---- work on every core ---- */

struct pool {
	struct scan *s;
	atomic_size_t *next;
	int (*work)(struct pool *p, struct parser_set *ps, struct flow_query *q, size_t i);
	const struct flow *flow; /* the checkers' index, or NULL while lowering */
	struct finding_list out;
	int rc;
	char error[512];
};

static void *pool_main(void *arg)
{
	struct pool *p = arg;
	struct parser_set *ps = parser_set_new();
	struct flow_query *q = p->flow ? flow_query_new(p->flow) : NULL;
	if (!ps || (p->flow && !q)) {
		p->rc = -1;
		snprintf(p->error, sizeof p->error, "out of memory");
	}
	for (; !p->rc;) {
		size_t i = atomic_fetch_add(p->next, 1);
		if (i >= p->s->nflow_records)
			break;
		if (p->work(p, ps, q, i) < 0) {
			p->rc = -1;
			snprintf(p->error, sizeof p->error, "%s", error_last());
		}
	}
	flow_query_free(q);
	parser_set_free(ps);
	return NULL;
}

/* Runs work for every record on the scan's threads; findings go to out (may be NULL). */
static int run_pool(struct scan *s, const struct flow *flow,
		    int (*work)(struct pool *, struct parser_set *, struct flow_query *, size_t),
		    struct finding_list *out)
{
	unsigned jobs = s->opt->jobs;
	if (jobs == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = cores > 0 ? (unsigned)cores : 1;
	}
	if (jobs > s->nflow_records)
		jobs = s->nflow_records ? (unsigned)s->nflow_records : 1;
	struct pool *p = calloc(jobs, sizeof *p);
	pthread_t *threads = calloc(jobs, sizeof *threads);
	atomic_size_t next = 0;
	if (!p || !threads) {
		free(p);
		free(threads);
		return error_set("out of memory");
	}
	for (unsigned i = 0; i < jobs; i++)
		p[i] = (struct pool){.s = s, .next = &next, .work = work, .flow = flow};
	unsigned started = 1;
	for (unsigned i = 1; i < jobs; i++) {
		if (pthread_create(&threads[i], NULL, pool_main, &p[i]) != 0)
			break;
		started = i + 1;
	}
	pool_main(&p[0]);
	int rc = 0;
	for (unsigned i = 0; i < started; i++) {
		if (i > 0)
			pthread_join(threads[i], NULL);
		if (p[i].rc && !rc)
			rc = error_set("%s", p[i].error);
		if (!rc && out)
			rc = finding_list_take(out, &p[i].out);
		finding_list_free(&p[i].out);
	}
	free(p);
	free(threads);
	return rc;
}

/* Reads and lowers one registered file of the tree. */
static int lower_one(struct pool *p, struct parser_set *ps, struct flow_query *q, size_t i)
{
	(void)q;
	struct scan *s = p->s;
	struct flow_record *rec = &s->flow_records[i];
	if (rec->ir || rec->failed)
		return 0;
	size_t len = 0;
	char *data = file_read_small(s->root, rec->path, s->opt->max_parse_size, &len);
	if (!data) {
		rec->failed = true; /* too large or gone: the first pass said so */
		return 0;
	}
	struct unit u = {.scan = s, .parsers = ps, .path = rec->path, .index = rec->index,
			 .flags = rec->flags, .data = data, .len = len, .lang = rec->lang,
			 .page = rec->page, .scope = SCOPE_TREE};
	int rc = lower_unit(&u, rec);
	ast_set_deadline(0);
	unit_free(&u);
	if (rc || rec->failed) {
		free(data);
		return rc;
	}
	rec->data = data;
	rec->len = len;
	return 0;
}

int flow_stage_lower(struct scan *s)
{
	return s->nflow_records ? run_pool(s, NULL, lower_one, NULL) : 0;
}

static int record_cmp(const void *a, const void *b)
{
	return strcmp(((const struct flow_record *)a)->path, ((const struct flow_record *)b)->path);
}

/* ---- running the checkers ---- */

static int check_file(struct pool *p, struct parser_set *ps, struct flow_query *q, size_t i)
{
	(void)ps;
	struct scan *s = p->s;
	struct flow_record *rec = &s->flow_records[i];
	struct unit u = {.scan = s, .path = rec->path, .index = rec->index, .flags = rec->flags,
			 .data = rec->data, .len = rec->len, .lang = rec->lang, .page = rec->page,
			 .scope = SCOPE_TREE, .classified = true, .runtime = rec->info.runtime,
			 .parse_tried = true};
	struct flow_check c = {&u, p->flow, q, (int32_t)i};
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
		rc = unit_finish(&u, &p->out);
	unit_free(&u);
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

/* Whether a flow rule judges calls of this kind: its applies_to names them. */
static bool rule_needs(const struct rule *r, enum flow_event_kind kind)
{
	bool flow = false;
	for (size_t j = 0; j < r->ndetectors; j++)
		flow |= detector_is_flow(&r->detectors[j]);
	for (size_t k = 0; flow && k < r->napplies; k++) {
		const char *w = r->applies_to[k];
		if ((kind != EV_CHECK_PAYMENT && !strcasecmp(w, "createLink")) ||
		    (kind != EV_CREATE_LINK && !strcasecmp(w, "checkPayment")))
			return true;
	}
	return false;
}

/* No pass on what the engine did not follow: an endpoint named, or an SDK imported, with
 * no call of it understood makes the items of the rules judging those calls unknown. */
static int note_unexplained(struct scan *s, const struct flow *flow)
{
	struct flow_unexplained u[16];
	size_t n = flow_unexplained(flow, u, 16);
	for (size_t i = 0; i < n; i++) {
		/* an SDK imported in a test, or imported by a project that makes its calls
		 * somewhere (a client made in one file, used in others) */
		if (u[i].sdk && (flow_info(flow, u[i].file)->test || flow_has_api_call(flow)))
			continue;
		char why[512];
		const char *path = flow_ir(flow, u[i].file)->path;
		if (u[i].sdk)
			snprintf(why, sizeof why,
				 "%s:%u imports the OCPay SDK, but no createLink or checkPayment "
				 "call through it was understood (a wrapper or client the engine does "
				 "not follow)",
				 path, u[i].line);
		else
			snprintf(why, sizeof why,
				 "%s:%u names the %s endpoint, but no call of it was understood (a "
				 "wrapper or client the engine does not follow)",
				 path, u[i].line,
				 u[i].kind == EV_CREATE_LINK ? "createLink" : "checkPayment");
		for (size_t k = 0; k < s->rules->len; k++) {
			const struct rule *r = &s->rules->rules[k];
			if (rule_needs(r, u[i].kind) && scan_rule_applies(s, r) &&
			    !scan_rule_note(s, r, NOTE_UNKNOWN) && scan_note_unknown(s, r, why) < 0)
				return -1;
		}
	}
	return 0;
}

int flow_stage_run(struct scan *s, struct finding_list *out)
{
	if (!s->nflow_records)
		return 0;
	if (flow_stage_lower(s) < 0 || flow_neighbours_expand(s) < 0)
		return -1;
	/* files that could not be read or parsed are left out (and were noted) */
	size_t kept = 0;
	for (size_t i = 0; i < s->nflow_records; i++) {
		if (s->flow_records[i].ir)
			s->flow_records[kept++] = s->flow_records[i];
		else
			record_free(&s->flow_records[i]);
	}
	s->nflow_records = kept;
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
		rc = note_unexplained(s, flow);
	if (!rc)
		rc = run_pool(s, flow, check_file, out);
	flow_free(flow);
	flow_stage_free(s);
	return rc;
}
