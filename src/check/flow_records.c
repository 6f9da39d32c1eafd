/* The files of the flow stage: registered while the tree is read, lowered into the flow
 * form on every core once every file is read (or at once for a blob), kept until the
 * scan is freed. */
#include "check/flow_records.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/unit.h"
#include "core/error.h"
#include "lang/classify.h"
#include "lang/lower.h"
#include "lang/ts.h"
#include "source/files.h"

void flow_record_free(struct flow_record *rec)
{
	free(rec->path);
	free(rec->data);
	ir_file_free(rec->ir);
}

void flow_stage_free(struct scan *s)
{
	for (size_t i = 0; i < s->nflow_records; i++)
		flow_record_free(&s->flow_records[i]);
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
	struct flow_record rec = {.path = strdup(e->path),
				  .flags = e->flags,
				  .index = index,
				  .lang = lang_from_path(e->path),
				  .page = lang_is_page(e->path)};
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
					    error_last()) < 0
			   ? -1
			   : 0;
	}
	rec->lang = u->lang; /* a page's scripts: JavaScript or TypeScript */
	if (rec->ir->truncated)
		scan_note_incomplete(s, "%s: nested too deep: the flow rules read only part of it",
				     u->path);
	return 0;
}

/* A file of the list the checks parsed already: lowered now from that tree, not parsed
 * again once every file is read. */
static int lower_parsed(struct unit *u, long index)
{
	struct scan *s = u->scan;
	pthread_mutex_lock(&s->flow_lock);
	bool was = s->flow_kept[index];
	int rc = was ? 0 : keep_locked(s, index);
	size_t at = s->nflow_records - 1; /* its place: records only grow */
	pthread_mutex_unlock(&s->flow_lock);
	if (was || rc)
		return rc;
	struct flow_record rec = {.len = u->len, .data = malloc(u->len + 1)};
	if (!rec.data)
		return error_set("out of memory");
	memcpy(rec.data, u->data, u->len);
	rec.data[u->len] = '\0';
	rc = lower_unit(u, &rec);
	pthread_mutex_lock(&s->flow_lock);
	struct flow_record *kept = &s->flow_records[at];
	kept->ir = rec.ir;
	kept->failed = rec.failed || rc;
	kept->info = rec.info;
	if (rec.ir)
		kept->lang = rec.lang;
	if (rec.ir) {
		kept->data = rec.data;
		kept->len = rec.len;
	} else {
		free(rec.data);
	}
	pthread_mutex_unlock(&s->flow_lock);
	return rc;
}

int flow_stage_record(struct unit *u)
{
	struct scan *s = u->scan;
	/* a file read again (as an importer of OCPay code) has no index: found by its path */
	long index = u->index >= 0 || !s->flow_kept ? u->index : flow_file_index(s, u->path);
	if (index >= 0 && s->flow_kept && !u->syntax)
		return flow_stage_keep(s, index); /* lowered once every file is read */
	if (index >= 0 && s->flow_kept)
		return lower_parsed(u, index);
	/* a blob: lowered now, from the bytes at hand */
	struct flow_record rec = {.len = u->len,
				  .flags = u->flags,
				  .page = u->page,
				  .index = -1,
				  .path = strdup(u->path),
				  .data = malloc(u->len + 1)};
	if (!rec.path || !rec.data) {
		flow_record_free(&rec);
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
	flow_record_free(&rec);
	return rc;
}

/* ---- work on every core ---- */

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

int flow_pool_run(struct scan *s, const struct flow *flow,
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
	struct unit u = {.scan = s,
			 .parsers = ps,
			 .path = rec->path,
			 .index = rec->index,
			 .flags = rec->flags,
			 .data = data,
			 .len = len,
			 .lang = rec->lang,
			 .page = rec->page,
			 .scope = SCOPE_TREE};
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
	return s->nflow_records ? flow_pool_run(s, NULL, lower_one, NULL) : 0;
}

long flow_file_index(const struct scan *s, const char *path)
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
