#include "check/flow_stage.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/checker.h"
#include "check/unit.h"
#include "core/error.h"
#include "lang/classify.h"
#include "lang/lower.h"
#include "lang/ts.h"

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

int flow_stage_record(struct unit *u)
{
	struct scan *s = u->scan;
	if (u->index >= 0 && s->flow_kept) {
		pthread_mutex_lock(&s->flow_lock);
		bool kept = s->flow_kept[u->index];
		s->flow_kept[u->index] = true;
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

int flow_stage_run(struct scan *s, struct finding_list *out)
{
	if (!s->nflow_records)
		return 0;
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
	if (!rc)
		rc = run_checkers(s, flow, out);
	flow_free(flow);
	flow_stage_free(s);
	return rc;
}
