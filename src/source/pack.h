/* The blobs of a repository's pack files, each delta right after its base (delta trees
 * depth first, the trees in pack order), and a reader that decodes them. Reading objects
 * in this order lets each delta find its base among the objects just decoded; in object
 * id order most deltas inflate their chain again, and in pack order many. */
#ifndef OCPAY_PACK_H
#define OCPAY_PACK_H

#include <git2.h>
#include <stddef.h>
#include <stdint.h>

/* The packs of an object database, mapped, with their indexes read. */
struct pack_set;
/* Opens every pack under objects_dir/pack that it can read (the others are left out).
 * Returns 0, or -1 with the error set (out of memory); free *out in both cases. */
int pack_set_open(struct pack_set **out, const char *objects_dir);
/* The same for one pack and its index held in memory (borrowed: they must outlive it). */
int pack_set_open_mem(struct pack_set **out, const void *idx, size_t idx_len, const void *pack,
		      size_t pack_len);
void pack_set_free(struct pack_set *set);
/* Lowers the set's bounds for tests: the work allowed beyond the objects asked for (2 GiB)
 * and what they may decode to beyond 1000 times the packs' size (256 MiB). */
void pack_set_bounds(struct pack_set *set, uint64_t work, uint64_t output_floor);

struct pack_loc {
	uint32_t pack, entry;
};

/* Where the object id is stored: 0, or 1 when no pack of the set holds it. */
int pack_find(const struct pack_set *set, const git_oid *id, struct pack_loc *out);

struct pack_blobs {
	git_oid *ids;
	struct pack_loc *where;
	size_t len;
};

/* Lists the blobs of every pack of the set. Returns 0, or -1 with the error set. */
int pack_list_blobs(struct pack_set *set, struct pack_blobs *out);
void pack_blobs_free(struct pack_blobs *b);

/* One per thread: a zlib stream and a cache of cache_bytes of decoded objects. Every
 * reader of a set draws on the set's bounds on the work of decoding. */
struct pack_reader;
struct pack_reader *pack_reader_new(struct pack_set *set, size_t cache_bytes);
void pack_reader_free(struct pack_reader *r);
/* Decodes the object at at. Returns 0 with *data (valid until the next call on r), 1 when
 * the object is larger than limit (not decoded), 2 when decoding it would pass a bound on
 * the work or memory of decoding (pack_reader_why() says which), -1 when it cannot be
 * decoded here (a corrupt or unusual pack: read it another way). */
int pack_read(struct pack_reader *r, struct pack_loc at, size_t limit, const char **data,
	      size_t *len);
/* Why the last pack_read returned 2, as "its delta chain is ..." */
const char *pack_reader_why(const struct pack_reader *r);
/* The pages of the packs read so far leave memory: they are read again from the page
 * cache when needed. Called every few hundred blobs, it keeps the resident size of a
 * large pack bounded whatever order its objects are read in. */
void pack_set_release(const struct pack_set *set);

#endif
