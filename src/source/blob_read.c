#include "source/blob_read.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/buf.h"
#include "core/error.h"
#include "source/pack.h"

/* Decoded objects kept for the deltas that follow: a tree's blobs are read in path
 * order, so few of them share a chain. */
#define CACHE_BYTES ((size_t)8 << 20)

struct blob_reader {
	git_odb *odb;
	struct pack_set *packs;
	struct pack_reader *pack;
	git_odb_object *obj; /* the last blob read through libgit2 */
};

int blob_reader_new(struct blob_reader **out, git_repository *g)
{
	struct blob_reader *br = *out = calloc(1, sizeof *br);
	if (!br)
		return error_set("out of memory");
	if (git_repository_odb(&br->odb, g) < 0) {
		const git_error *e = git_error_last();
		return error_set("cannot open the object database: %s",
				 e && e->message ? e->message : "libgit2 error");
	}
	struct buf objects = BUF_INIT;
	buf_printf(&objects, "%sobjects", git_repository_commondir(g));
	int rc =
	    buf_oom(&objects) ? error_set("out of memory") : pack_set_open(&br->packs, objects.ptr);
	buf_free(&objects);
	if (!rc && !(br->pack = pack_reader_new(br->packs, CACHE_BYTES)))
		rc = -1;
	return rc;
}

void blob_reader_free(struct blob_reader *br)
{
	if (!br)
		return;
	git_odb_object_free(br->obj);
	pack_reader_free(br->pack);
	pack_set_free(br->packs);
	git_odb_free(br->odb);
	free(br);
}

int blob_reader_read(struct blob_reader *br, const git_oid *id, size_t limit, const char **data,
		     size_t *len, const char **why)
{
	git_odb_object_free(br->obj);
	br->obj = NULL;
	*why = NULL;
	struct pack_loc at;
	if (!pack_find(br->packs, id, &at)) {
		int rc = pack_read(br->pack, at, limit, data, len);
		if (rc == 2)
			*why = pack_reader_why(br->pack);
		if (rc >= 0)
			return rc;
		/* a pack the reader cannot decode: libgit2 may */
	}
	/* The header first: an oversized blob is never inflated. */
	size_t size;
	git_object_t type;
	if (git_odb_read_header(&size, &type, br->odb, id) < 0 ||
	    (size <= limit && git_odb_read(&br->obj, br->odb, id) < 0)) {
		git_error_clear();
		*why = "missing or unreadable";
		return 3;
	}
	if (size > limit)
		return 1;
	*data = git_odb_object_data(br->obj);
	*len = git_odb_object_size(br->obj);
	return 0;
}
