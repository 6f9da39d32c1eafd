/* What the history reader's modules share: the blob records, the tables and the state of
 * one read. history_walk.c walks the commits and records the blobs; history.c screens
 * them and hands them to the sink; history_attribute.c gives the findings their commits.
 * None of them owns this state: each includes it from below. */
#ifndef OCPAY_HISTORY_STATE_H
#define OCPAY_HISTORY_STATE_H

#include <git2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/progress.h"
#include "source/commits.h"
#include "source/history.h"
#include "source/pack.h"
#include "source/sink.h"

struct reader;

#define MAX_MISSING_NOTES 10
#define MAX_LIMIT_REASONS 8

struct sighting {
	char *path;
	uint32_t commit; /* index of the first commit with the blob at this path */
};

struct blob_rec {
	git_oid oid;
	uint32_t commit;	 /* index of the first commit it appears in */
	char *path;		 /* first path: the blob is scanned as this file */
	struct sighting *others; /* other paths it appears at (renames, copies) */
	uint32_t nothers;
};

/* Open-addressing tables keyed by 64-bit hashes; values are indexes + 1 (0: empty). */
struct table {
	uint64_t *keys;
	uint32_t *vals;
	size_t cap, len;
};

static inline uint64_t fnv(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ull;
	return h;
}

static inline uint64_t oid_key(const git_oid *oid)
{
	uint64_t k;
	memcpy(&k, oid->id, sizeof k);
	return k | 1; /* never 0: 0 marks an empty slot's key */
}

/* Returns the slot of key, or of the empty slot where it goes. */
static inline size_t table_slot(const struct table *t, uint64_t key)
{
	size_t i = (size_t)(key * 0x9E3779B97F4A7C15ull) & (t->cap - 1);
	while (t->vals[i] && t->keys[i] != key)
		i = (i + 1) & (t->cap - 1);
	return i;
}

static inline int table_grow(struct table *t)
{
	if ((t->len + 1) * 2 <= t->cap)
		return 0;
	struct table n = {.cap = t->cap ? t->cap * 2 : 1024};
	n.keys = calloc(n.cap, sizeof *n.keys);
	n.vals = calloc(n.cap, sizeof *n.vals);
	if (!n.keys || !n.vals) {
		free(n.keys);
		free(n.vals);
		return error_set("out of memory");
	}
	for (size_t i = 0; i < t->cap; i++)
		if (t->vals[i]) {
			size_t j = table_slot(&n, t->keys[i]);
			n.keys[j] = t->keys[i];
			n.vals[j] = t->vals[i];
		}
	n.len = t->len;
	free(t->keys);
	free(t->vals);
	*t = n;
	return 0;
}

static inline void table_free(struct table *t)
{
	free(t->keys);
	free(t->vals);
}

/* Blob records live in fixed chunks so readers can hold pointers while the walk adds
 * more; a record is handed to readers once `published` counts it. */
#define CHUNK_BITS 12
#define CHUNK_SIZE (1u << CHUNK_BITS)
#define MAX_CHUNKS (1u << 14) /* 67 million blobs */

struct history {
	const struct unit_sink *sink; /* borrowed: units go there */
	struct repo *repo;
	git_oid *commits; /* then, from first_ref on, the objects refs name (refs[i - first_ref]) */
	size_t ncommits, capcommits, first_ref;
	struct ref_object *refs;
	size_t nrefs;
	struct blob_rec *chunks[MAX_CHUNKS];
	size_t nblobs;
	atomic_size_t published;
	atomic_bool walk_done;
	struct table blob_index; /* oid key -> blob index + 1; verified on the full oid */
	struct table trees;	 /* (tree oid, path) key -> 1 */
	struct table known;	 /* --since: (blob oid, path) keys REV's tree holds */
	const char *scope;	 /* the audited folder ("shop/"), or "": the root */
	atomic_size_t missing;
	bool progress;
	struct pack_set *packs; /* every blob stored in them is read through the pack reader */
	/* screening, during the walk: the packed blobs in pack order */
	struct pack_blobs packed;
	uint8_t *screened;	   /* enum screen, per packed blob */
	uint32_t *screened_size;   /* per packed blob, saturated */
	struct table packed_index; /* oid key -> packed index + 1; verified on the full oid */
	pthread_mutex_t why_lock;
	char *limit_why[MAX_LIMIT_REASONS]; /* the distinct reasons of SCREEN_LIMIT */
	atomic_size_t next_packed, done_packed;
	size_t clean_bytes;
	/* scanning: every blob (no screening), or the blobs the screening leaves */
	size_t *todo; /* blob indexes; NULL: every blob in walk order */
	size_t ntodo;
	atomic_size_t next;
	atomic_size_t next_late; /* streaming: the next blob whose other paths are scanned */
	atomic_size_t done_blobs, done_bytes;
	uint64_t started_ms, drawn_ms;
	struct progress bar;		   /* draws nothing without progress */
	const struct reader *first_reader; /* the calling thread's */
};

static inline struct blob_rec *blob_at(const struct history *h, size_t i)
{
	return &h->chunks[i >> CHUNK_BITS][i & (CHUNK_SIZE - 1)];
}

/* The author and date of commit id, for a finding (empty when it cannot be read;
 * history_attribute.c). */
int commit_info_fill(git_repository *g, const git_oid *id, struct commit_info **out);
/* Gives each finding of the history its commit, or its ref's object (history_attribute.c). */
int history_attribute(struct history *h, struct finding_list *found);
/* Keeps one finding per secret per path, at its earliest commit, into tree (the working
 * tree's findings); a key still in the working tree becomes that tree finding, with the
 * commit. */
int history_keep_earliest(const struct history *h, struct finding_list *tree,
			  struct finding_list *found);
/* Names an object that cannot be read (the first few; the rest are counted;
 * history_walk.c). */
void history_note_missing(struct history *h, const git_oid *oid, const char *what);
void history_draw_progress(struct history *h);
/* Walks every commit reachable from the refs (not from since, when given) and the trees
 * and blobs refs name, recording each blob with its paths. Returns 0 or -1. */
int history_walk(struct history *h, const char *since);

#endif
