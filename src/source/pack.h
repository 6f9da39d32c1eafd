/* The blobs of a repository's pack files, in pack order, and a reader that decodes them.
 * Reading objects in the order they are stored lets each delta find its base among the
 * objects just decoded; in object id order most deltas inflate their chain again. */
#ifndef OCPAY_PACK_H
#define OCPAY_PACK_H

#include <git2.h>
#include <stddef.h>
#include <stdint.h>

struct pack_set;

struct pack_loc {
	uint32_t pack, entry;
};

struct pack_blobs {
	git_oid *ids;
	struct pack_loc *where;
	size_t len;
	struct pack_set *packs; /* mapped while the list lives */
};

/* Lists the blobs of every pack under objects_dir/pack. Packs it cannot read are left
 * out. Returns 0, or -1 with the error set (out of memory). */
int pack_list_blobs(const char *objects_dir, struct pack_blobs *out);
void pack_blobs_free(struct pack_blobs *b);

/* One per thread: a zlib stream and a cache of cache_bytes of decoded objects. */
struct pack_reader;
struct pack_reader *pack_reader_new(const struct pack_blobs *blobs, size_t cache_bytes);
void pack_reader_free(struct pack_reader *r);
/* Decodes blob i of the list. Returns 0 with *data (valid until the next call on r),
 * 1 when the blob is larger than limit (not decoded), -1 when it cannot be decoded here
 * (a corrupt or unusual pack: read it another way). */
int pack_read_blob(struct pack_reader *r, size_t i, size_t limit, const char **data, size_t *len);
/* Blobs up to last-1 (in pack order) are decoded: the pages of their pack before the last
 * of them leave memory (they are read again from the page cache if a later delta needs
 * its base there). Keeps the resident size of a large pack bounded. */
void pack_release(const struct pack_blobs *b, size_t last);

#endif
