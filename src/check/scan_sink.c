#include "check/scan_sink.h"

#include "check/flow_stage.h"
#include "core/error.h"
#include "source/history.h"
#include "source/paths.h"

/* The sink's worker is the scan's; the sources see only the opaque type. */
static struct sink_worker *sink_worker_new(void *ctx)
{
	struct scan_sink *k = ctx;
	return (struct sink_worker *)scan_worker_new(k->scan);
}

static void sink_worker_free(struct sink_worker *w)
{
	scan_worker_free((struct worker *)w);
}

static int sink_unit(struct sink_worker *w, const struct unit_input *in, struct finding_list *out)
{
	size_t before = out->len;
	int rc = scan_worker_unit((struct worker *)w, in->path, in->flags, in->data, in->len,
				  in->scope, out);
	/* a history finding names the blob and the commit that brought it to the path */
	for (size_t i = before; in->scope == SCOPE_HISTORY && i < out->len; i++) {
		out->items[i].history_blob = in->blob;
		out->items[i].history_order = in->commit;
	}
	return rc;
}

static void sink_skipped(struct sink_worker *w, enum sink_skip why)
{
	if (why == SINK_SKIP_LARGE)
		scan_worker_skipped_large((struct worker *)w);
	else
		scan_worker_skipped_binary((struct worker *)w);
}

static int sink_screen(void *ctx, const char *data, size_t len)
{
	return scan_screen_blob(((struct scan_sink *)ctx)->scan, data, len);
}

static bool sink_path_needs_blob(void *ctx, const char *path)
{
	return scan_path_needs_blob(((struct scan_sink *)ctx)->scan, path);
}

static int sink_incomplete(void *ctx, const char *text)
{
	return scan_note_incomplete(((struct scan_sink *)ctx)->notes, "%s", text);
}

static void sink_log_line(void *ctx, const char *text)
{
	scan_log(((struct scan_sink *)ctx)->notes, "%s", text);
}

void scan_sink_init(struct scan_sink *k, struct scan *scan, struct scan *notes)
{
	*k = (struct scan_sink){
	    .sink = {.ctx = k,
		     .max_file_size = scan->opt->max_file_size,
		     .jobs = scan->opt->jobs,
		     .progress_forced = scan->opt->progress_forced,
		     .worker_new = sink_worker_new,
		     .worker_free = sink_worker_free,
		     .unit = sink_unit,
		     .skipped = sink_skipped,
		     .screen = sink_screen,
		     .path_needs_blob = sink_path_needs_blob,
		     .incomplete = sink_incomplete,
		     .log = sink_log_line},
	    .scan = scan,
	    .notes = notes,
	};
}

int scan_history(struct scan *s, const char *since, bool progress)
{
	struct scan_sink k;
	scan_sink_init(&k, s, s);
	struct history_counts n = {0};
	size_t notes_before = s->nincomplete;
	int rc = history_read(&k.sink, s->repo, since, progress, &s->findings, &n);
	if (s->nincomplete > notes_before)
		s->history_unknown = "part of the history could not be read (see the incomplete "
				     "notes): what it holds is not known";
	s->stats.blobs_scanned += n.blobs;
	s->stats.bytes_scanned += n.bytes;
	s->stats.commits_scanned += n.commits;
	return rc;
}

int scan_rev(struct scan *s, const char *rev, struct finding_list *out)
{
	struct scan past, *into = s;
	bool own = out != &s->findings;
	if (own) {
		if (scan_init(&past, s->rules, s->opt) < 0)
			return -1;
		past.repo = s->repo;
		into = &past;
	}
	struct scan_sink k;
	scan_sink_init(&k, into, s);
	int rc = rev_read(&k.sink, s->repo, rev, &into->files, &into->findings);
	if (rc == 1) {
		rc = 0; /* rev had no such folder: nothing of it was known */
	} else {
		if (!rc)
			rc = flow_stage_run(into, &into->findings);
		if (!rc)
			rc = scan_run_finishers(into);
		if (!rc)
			rc = scan_finish(into);
		if (own && !rc)
			rc = finding_list_take(out, &past.findings);
	}
	if (own) {
		past.repo = NULL;
		scan_free(&past);
	}
	return rc;
}

int scan_staged(struct scan *s)
{
	struct scan past;
	if (scan_init(&past, s->rules, s->opt) < 0)
		return -1;
	past.repo = s->repo;
	s->partial_tree = past.partial_tree = true;
	struct scan_sink now_sink, before_sink;
	scan_sink_init(&now_sink, s, s);
	scan_sink_init(&before_sink, &past, s);
	int rc = staged_read(&now_sink.sink, &before_sink.sink, s->repo, &s->files, &s->findings);
	if (!rc) {
		/* the flow rules judge the changed files together, as they stand before and after
		 */
		struct finding_list now = {0}, before = {0};
		rc = flow_stage_run(s, &now);
		if (!rc)
			rc = flow_stage_run(&past, &before);
		if (!rc)
			rc = finding_list_take_new(&s->findings, &now, &before);
		finding_list_free(&now);
		finding_list_free(&before);
	}
	past.repo = NULL;
	scan_free(&past);
	if (!rc)
		rc = scan_finish(s);
	return rc;
}

int scan_stdin(struct scan *s, FILE *in, const char *name)
{
	struct scan_sink k;
	scan_sink_init(&k, s, s);
	s->partial_tree = true;
	int rc = stdin_read(&k.sink, in, name, &s->files, &s->findings);
	if (!rc)
		rc = flow_stage_run(s, &s->findings);
	if (!rc)
		rc = scan_finish(s);
	return rc;
}

int scan_paths(struct scan *s, char *const *paths, int n)
{
	struct scan_sink k;
	scan_sink_init(&k, s, s);
	if (paths_collect(&s->repo, &s->root, &s->files, &k.sink, paths, n) < 0)
		return -1;
	s->partial_tree = true;
	return 0;
}
