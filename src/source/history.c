/* Blob-first history scan. One walk over the commits (parents first, each (tree, path)
 * visited once, commits and folders that cannot be read named and passed over) records
 * each unique blob with the commit and path it first appeared at, and the other paths it
 * appeared at. Meanwhile worker threads, each with its own libgit2 handles, screen every
 * packed blob (each delta right after its base, where the delta cache still holds it)
 * for the keywords of the history rules, before its path is known. Once the walk is
 * done, only the blobs that hit, the blobs at paths a rule reads whatever their content
 * (.env files) and the blobs no pack listed are read again and scanned at each of their
 * paths. A packed blob is always decoded by the pack reader, within its bounds on work.
 * Findings of the same secret at the same path keep the earliest commit. */
#include "source/history.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "source/git_private.h"
#include "source/history_state.h"

/* Consecutive blobs a thread decodes: a delta and its base are usually close. After
 * each batch the pack pages read leave memory. */
#define SCREEN_BATCH 256
/* Decoded objects each thread keeps for the deltas that follow. */
#define PACK_CACHE_BYTES ((size_t)16 << 20)

/* SCREEN_LIMIT: decoding it would pass a bound of the pack reader; screened_size then
 * holds the index of the reason in limit_why. */
enum screen { SCREEN_UNREAD, SCREEN_CLEAN, SCREEN_BINARY, SCREEN_LARGE, SCREEN_HIT, SCREEN_LIMIT };

/* Names a blob that was not read, at the first path it was seen at. */
static void note_blob(struct history *h, const struct blob_rec *b, const char *why)
{
	if (atomic_fetch_add(&h->missing, 1) < MAX_MISSING_NOTES) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof hex, &b->oid);
		sink_note_incomplete(h->sink, "%s: blob %s %s", b->path, hex, why);
	}
}

/* A blob the pack reader would not decode (a bound on its work): named, as a missing
 * object is, and never handed to libgit2, which would do that work unbounded. */
static void note_limit(struct history *h, const struct blob_rec *b, const char *why)
{
	char text[256];
	snprintf(text, sizeof text, "not read: %s", why);
	note_blob(h, b, text);
}

/* The index of why among the reasons kept, adding it; the last slot when all are used. */
static uint32_t limit_reason(struct history *h, const char *why)
{
	pthread_mutex_lock(&h->why_lock);
	uint32_t i = 0;
	while (i < MAX_LIMIT_REASONS - 1 && h->limit_why[i] && strcmp(h->limit_why[i], why))
		i++;
	if (!h->limit_why[i])
		h->limit_why[i] = strdup(why);
	pthread_mutex_unlock(&h->why_lock);
	return i;
}

/* ---- phase 2: every blob once, on every core ---- */

struct reader {
	struct history *h;
	struct sink_worker *w;
	struct pack_reader *pack; /* decodes the packed blobs */
	size_t packed_reads;
	git_repository *git;
	git_odb *odb;
	bool late; /* scanning the other paths of blobs read while the walk ran */
	struct finding_list found;
	int rc;
	char error[512];
};

/* Scans the blob at every path it was seen at: each path is a file of its own (its
 * language, the rules of its name, its message), and each finding gets the commit that
 * brought the blob to that path. A blob read while the walk runs (no pack screened first)
 * is scanned at its first path only: the walk may still add paths (a rename in a later
 * commit), which are scanned once it is done (rd->late). */
static int hand_blob(struct reader *rd, size_t index, const char *data, size_t len)
{
	struct history *h = rd->h;
	const struct blob_rec *b = blob_at(h, index);
	uint32_t first = rd->late ? 1 : 0, last = rd->late || h->todo ? b->nothers : 0;
	int rc = 0;
	for (uint32_t k = first; k <= last && rc == 0; k++) {
		const struct unit_input in = {
		    .path = k ? b->others[k - 1].path : b->path,
		    .flags = FILE_TRACKED,
		    .data = data,
		    .len = len,
		    .scope = SCOPE_HISTORY,
		    .blob = index,
		    .commit = k ? b->others[k - 1].commit : b->commit,
		};
		rc = h->sink->unit(rd->w, &in, &rd->found);
	}
	if (!rd->late) {
		atomic_fetch_add(&h->done_blobs, 1);
		atomic_fetch_add(&h->done_bytes, len);
	}
	return rc < 0 ? -1 : 0;
}

/* A packed blob is decoded by the pack reader, within its bounds; returns 1 when it
 * is to be read through libgit2 (not packed, or a pack the reader cannot decode). */
static int read_packed(struct reader *rd, size_t index)
{
	struct history *h = rd->h;
	const struct blob_rec *b = blob_at(h, index);
	struct pack_loc at;
	if (!rd->pack || pack_find(h->packs, &b->oid, &at))
		return 1;
	const char *data;
	size_t len;
	int rc = pack_read(rd->pack, at, h->sink->max_file_size, &data, &len);
	if (++rd->packed_reads % SCREEN_BATCH == 0)
		pack_set_release(h->packs);
	if (rd->late && (rc == 1 || rc == 2))
		return 0; /* counted or named once, when first read */
	if (rc == 1) {
		atomic_fetch_add(&h->done_blobs, 1);
		h->sink->skipped(rd->w, SINK_SKIP_LARGE);
		return 0;
	}
	if (rc == 2) {
		note_limit(h, b, pack_reader_why(rd->pack));
		return 0;
	}
	return rc < 0 ? 1 : hand_blob(rd, index, data, len);
}

static int read_blob(struct reader *rd, size_t index)
{
	struct history *h = rd->h;
	const struct blob_rec *b = blob_at(h, index);
	int packed = read_packed(rd, index);
	if (packed <= 0)
		return packed;
	size_t size;
	git_object_t type;
	/* The header first: an oversized blob is never inflated. */
	if (git_odb_read_header(&size, &type, rd->odb, &b->oid) < 0) {
		git_error_clear();
		if (!rd->late)
			note_blob(h, b, "is missing or unreadable (partial or corrupt clone)");
		return 0;
	}
	if (size > h->sink->max_file_size) {
		if (!rd->late) {
			atomic_fetch_add(&h->done_blobs, 1);
			h->sink->skipped(rd->w, SINK_SKIP_LARGE);
		}
		return 0;
	}
	git_odb_object *obj;
	if (git_odb_read(&obj, rd->odb, &b->oid) < 0) {
		git_error_clear();
		if (!rd->late)
			note_blob(h, b, "is missing or unreadable (partial or corrupt clone)");
		return 0;
	}
	int rc = hand_blob(rd, index, git_odb_object_data(obj), git_odb_object_size(obj));
	git_odb_object_free(obj);
	return rc;
}

/* Waits until blob i is published; false when the walk ended without it. */
static bool wait_for(struct history *h, size_t i)
{
	for (;;) {
		if (i < atomic_load_explicit(&h->published, memory_order_acquire))
			return true;
		if (atomic_load(&h->walk_done))
			return i < atomic_load_explicit(&h->published, memory_order_acquire);
		struct timespec pause = {0, 200 * 1000};
		nanosleep(&pause, NULL);
	}
}

static bool read_or_stop(struct reader *rd, size_t i)
{
	if (read_blob(rd, i) >= 0)
		return true;
	rd->rc = -1;
	snprintf(rd->error, sizeof rd->error, "%s", error_last());
	atomic_store(&rd->h->walk_done, true);
	atomic_store(&rd->h->published, 0); /* stop everyone */
	atomic_store(&rd->h->next_late, SIZE_MAX / 2);
	return false;
}

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	struct history *h = rd->h;
	bool streaming = !h->todo;
	for (;;) {
		size_t i = atomic_fetch_add(&h->next, 1);
		if (h->todo) {
			if (i >= h->ntodo)
				break;
			i = h->todo[i];
		} else if (!wait_for(h, i)) {
			break;
		}
		if (!read_or_stop(rd, i))
			return NULL;
	}
	/* the walk is done: the other paths of the blobs read while it ran */
	if (!streaming || !atomic_load(&h->published))
		return NULL;
	rd->late = true;
	for (;;) {
		size_t i = atomic_fetch_add(&h->next_late, 1);
		if (i >= h->nblobs)
			break;
		if (blob_at(h, i)->nothers && !read_or_stop(rd, i))
			break;
	}
	rd->late = false;
	return NULL;
}

static int reader_open(struct reader *rd, struct history *h)
{
	memset(rd, 0, sizeof *rd);
	rd->h = h;
	const char *path = git_repository_path(repo_git(h->repo));
	if (git_repository_open_bare(&rd->git, path) < 0 ||
	    git_repository_odb(&rd->odb, rd->git) < 0)
		return repo_fail(path);
	if (!(rd->w = h->sink->worker_new(h->sink->ctx)))
		return -1;
	if (h->packs && !(rd->pack = pack_reader_new(h->packs, PACK_CACHE_BYTES)))
		return -1;
	return 0;
}

static void reader_close(struct reader *rd)
{
	pack_reader_free(rd->pack);
	if (rd->w)
		rd->h->sink->worker_free(rd->w);
	git_odb_free(rd->odb);
	git_repository_free(rd->git);
	finding_list_free(&rd->found);
}

/* ---- screening: packed blobs in pack order, while the walk runs ---- */

static int index_packed(struct history *h)
{
	for (size_t i = 0; i < h->packed.len; i++) {
		if (table_grow(&h->packed_index) < 0)
			return -1;
		const git_oid *oid = &h->packed.ids[i];
		uint64_t key = oid_key(oid);
		size_t slot = table_slot(&h->packed_index, key);
		while (h->packed_index.vals[slot]) {
			if (!git_oid_cmp(&h->packed.ids[h->packed_index.vals[slot] - 1], oid))
				break; /* the same blob in two packs */
			key = fnv(oid->id, GIT_OID_RAWSZ, key) | 1;
			slot = table_slot(&h->packed_index, key);
		}
		if (h->packed_index.vals[slot])
			continue;
		h->packed_index.keys[slot] = key;
		h->packed_index.vals[slot] = (uint32_t)(i + 1);
		h->packed_index.len++;
	}
	h->screened = calloc(h->packed.len, sizeof *h->screened);
	h->screened_size = calloc(h->packed.len, sizeof *h->screened_size);
	return h->screened && h->screened_size ? 0 : error_set("out of memory");
}

static long packed_find(const struct history *h, const git_oid *oid)
{
	if (!h->packed_index.cap)
		return -1;
	uint64_t key = oid_key(oid);
	size_t slot = table_slot(&h->packed_index, key);
	while (h->packed_index.vals[slot]) {
		size_t i = h->packed_index.vals[slot] - 1;
		if (!git_oid_cmp(&h->packed.ids[i], oid))
			return (long)i;
		key = fnv(oid->id, GIT_OID_RAWSZ, key) | 1;
		slot = table_slot(&h->packed_index, key);
	}
	return -1;
}

/* Decodes one packed blob and records what it holds; a blob that cannot be decoded here
 * stays SCREEN_UNREAD and is read again, through libgit2, by the scan. */
static void screen_blob(struct reader *rd, size_t i)
{
	struct history *h = rd->h;
	const char *data;
	size_t len;
	int rc = pack_read(rd->pack, h->packed.where[i], h->sink->max_file_size, &data, &len);
	if (rc == 1)
		h->screened[i] = SCREEN_LARGE;
	if (rc == 2) {
		h->screened[i] = SCREEN_LIMIT;
		h->screened_size[i] = limit_reason(h, pack_reader_why(rd->pack));
	}
	if (rc)
		return;
	int kind = h->sink->screen(h->sink->ctx, data, len);
	h->screened[i] = kind == 1 ? SCREEN_BINARY : kind == 2 ? SCREEN_HIT : SCREEN_CLEAN;
	h->screened_size[i] = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	atomic_fetch_add(&h->done_bytes, len);
}

static void *screen_main(void *arg)
{
	struct reader *rd = arg;
	struct history *h = rd->h;
	for (;;) {
		size_t first = atomic_fetch_add(&h->next_packed, SCREEN_BATCH);
		if (first >= h->packed.len)
			break;
		size_t last =
		    first + SCREEN_BATCH < h->packed.len ? first + SCREEN_BATCH : h->packed.len;
		for (size_t i = first; i < last; i++)
			screen_blob(rd, i);
		pack_set_release(h->packs);
		atomic_fetch_add(&h->done_packed, last - first);
		/* the calling thread, once its walk is done, keeps the progress line going */
		if (h->progress && rd == h->first_reader && progress_now_ms() - h->drawn_ms > 200) {
			h->drawn_ms = progress_now_ms();
			history_draw_progress(h);
		}
	}
	return NULL;
}

static bool path_needs_blob(const struct history *h, const struct blob_rec *b)
{
	if (h->sink->path_needs_blob(h->sink->ctx, b->path))
		return true;
	for (uint32_t k = 0; k < b->nothers; k++)
		if (h->sink->path_needs_blob(h->sink->ctx, b->others[k].path))
			return true;
	return false;
}

/* After the walk and the screening: the blobs to read again and scan at their path. */
static int plan_scan(struct history *h, struct sink_worker *w)
{
	if (!(h->todo = malloc((h->nblobs ? h->nblobs : 1) * sizeof *h->todo)))
		return error_set("out of memory");
	for (size_t i = 0; i < h->nblobs; i++) {
		const struct blob_rec *b = blob_at(h, i);
		long k = packed_find(h, &b->oid);
		enum screen kind = k < 0 ? SCREEN_UNREAD : (enum screen)h->screened[k];
		if (kind == SCREEN_LARGE) {
			h->sink->skipped(w, SINK_SKIP_LARGE);
		} else if (kind == SCREEN_LIMIT) {
			const char *why = h->limit_why[h->screened_size[k]];
			note_limit(h, b, why ? why : "out of memory");
		} else if (kind == SCREEN_BINARY) {
			h->sink->skipped(w, SINK_SKIP_BINARY);
			atomic_fetch_add(&h->done_blobs, 1);
		} else if (kind == SCREEN_CLEAN && !path_needs_blob(h, b)) {
			atomic_fetch_add(&h->done_blobs, 1);
			h->clean_bytes += h->screened_size[k];
		} else {
			h->todo[h->ntodo++] = i;
		}
	}
	atomic_store(&h->next, 0);
	return 0;
}

/* ---- the threads ---- */

struct crew {
	struct history *h;
	struct reader *rd;
	pthread_t *threads;
	bool *running;
	unsigned jobs, opened;
};

/* Runs fn on every reader but the first, which stays with the calling thread. */
static void crew_start(struct crew *c, void *(*fn)(void *))
{
	for (unsigned i = 1; i < c->opened; i++)
		c->running[i] = pthread_create(&c->threads[i], NULL, fn, &c->rd[i]) == 0;
}

static int crew_join(struct crew *c)
{
	int rc = 0;
	for (unsigned i = 0; i < c->opened; i++) {
		if (c->running[i])
			pthread_join(c->threads[i], NULL);
		c->running[i] = false;
		if (c->rd[i].rc && !rc)
			rc = error_set("%s", c->rd[i].error);
	}
	return rc;
}

static unsigned job_count(const struct history *h)
{
	unsigned jobs = h->sink->jobs;
	if (jobs == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = cores > 0 ? (unsigned)cores : 1;
	}
	return jobs;
}

/* The walk runs on this thread while the others screen the packed blobs (or, with no
 * pack to screen, already scan the blobs the walk has published); then this thread
 * joins them. The blobs the screening leaves are scanned last, on every thread. */
static int walk_and_read(struct history *h, const char *since, struct finding_list *out)
{
	struct crew c = {.h = h, .jobs = job_count(h)};
	c.rd = calloc(c.jobs, sizeof *c.rd);
	c.threads = calloc(c.jobs, sizeof *c.threads);
	c.running = calloc(c.jobs, sizeof *c.running);
	int rc = c.rd && c.threads && c.running ? 0 : error_set("out of memory");
	h->started_ms = progress_now_ms();
	for (unsigned i = 0; i < c.jobs && !rc; i++) {
		rc = reader_open(&c.rd[i], h);
		c.opened = i + 1;
	}
	bool screening = h->packed.len > 0;
	h->first_reader = c.rd;
	if (!rc) {
		crew_start(&c, screening ? screen_main : reader_main);
		rc = history_walk(h, since);
		atomic_store(&h->walk_done, true);
		if (rc) {
			atomic_store(&h->published, 0); /* stop everyone */
			atomic_store(&h->next_packed, h->packed.len);
		} else if (screening) {
			screen_main(&c.rd[0]);
		} else {
			reader_main(&c.rd[0]);
		}
	}
	int joined = crew_join(&c);
	rc = rc ? rc : joined;
	if (!rc && screening && !(rc = plan_scan(h, c.rd[0].w))) {
		crew_start(&c, reader_main);
		reader_main(&c.rd[0]);
		rc = crew_join(&c);
	}
	for (unsigned i = 0; i < c.opened; i++) {
		if (!rc)
			rc = finding_list_take(out, &c.rd[i].found);
		reader_close(&c.rd[i]);
	}
	if (h->progress) {
		history_draw_progress(h);
		progress_end(&h->bar);
	}
	free(c.rd);
	free(c.threads);
	free(c.running);
	return rc;
}

int history_read(const struct unit_sink *sink, struct repo *r, const char *since, bool progress,
		 struct finding_list *tree, struct history_counts *counts)
{
	struct history *h = calloc(1, sizeof *h);
	if (!h)
		return error_set("out of memory");
	*h = (struct history){.sink = sink,
			      .repo = r,
			      .progress = progress,
			      .first_ref = SIZE_MAX,
			      .scope = repo_scope(r)};
	progress_start(&h->bar, progress ? stderr : NULL, "blobs");
	h->bar.eager = sink->progress_forced;
	struct finding_list found = {0};
	if (git_repository_is_shallow(repo_git(r)) == 1)
		sink_note_incomplete(sink,
				     "shallow clone: commits before the shallow boundary were "
				     "not scanned (run `git fetch --unshallow`)");
	pthread_mutex_init(&h->why_lock, NULL);
	struct buf objects = BUF_INIT;
	buf_printf(&objects, "%sobjects", git_repository_commondir(repo_git(r)));
	int rc =
	    buf_oom(&objects) ? error_set("out of memory") : pack_set_open(&h->packs, objects.ptr);
	buf_free(&objects);
	/* With --since only the newest commits count: screening every packed blob would
	 * cost more than reading those few (through the pack reader all the same). */
	if (!rc && !since)
		rc = pack_list_blobs(h->packs, &h->packed);
	if (!rc && h->packed.len)
		rc = index_packed(h);
	if (!rc)
		rc = walk_and_read(h, since, &found);
	if (!rc)
		rc = history_attribute(h, &found);
	if (!rc)
		rc = history_keep_earliest(h, tree, &found);
	size_t missing = atomic_load(&h->missing);
	if (missing > MAX_MISSING_NOTES)
		sink_note_incomplete(sink, "%zu more objects missing", missing - MAX_MISSING_NOTES);
	counts->blobs = atomic_load(&h->done_blobs);
	counts->bytes = h->clean_bytes;
	counts->commits = h->ncommits;
	finding_list_free(&found);
	for (size_t i = 0; i < h->nblobs; i++) {
		struct blob_rec *b = blob_at(h, i);
		free(b->path);
		for (uint32_t k = 0; k < b->nothers; k++)
			free(b->others[k].path);
		free(b->others);
	}
	for (size_t c = 0; c < MAX_CHUNKS && h->chunks[c]; c++)
		free(h->chunks[c]);
	free(h->commits);
	commits_refs_free(h->refs, h->nrefs);
	table_free(&h->blob_index);
	table_free(&h->trees);
	table_free(&h->known);
	table_free(&h->packed_index);
	pack_blobs_free(&h->packed);
	pack_set_free(h->packs);
	free(h->screened);
	free(h->screened_size);
	free(h->todo);
	for (size_t i = 0; i < MAX_LIMIT_REASONS; i++)
		free(h->limit_why[i]);
	pthread_mutex_destroy(&h->why_lock);
	free(h);
	return rc;
}
