/* What the pack listing (pack.c) and the pack reader (pack_read.c) share: the mapped
 * packs, their entries in offset order, and the header of an entry. */
#ifndef OCPAY_PACK_PRIVATE_H
#define OCPAY_PACK_PRIVATE_H

#include <stdatomic.h>
#include <stdbool.h>

#include "source/pack.h"

/* Deeper delta chains are taken for corrupt or crafted (git itself stops at 4095). */
#define PACK_MAX_DELTA_DEPTH 10000

enum { OBJ_BLOB = 3, OBJ_OFS_DELTA = 6, OBJ_REF_DELTA = 7 };

struct map {
	const unsigned char *p;
	size_t len;
	bool mapped; /* false: borrowed memory (pack_list_blobs_mem) */
};

struct entry {
	uint64_t offset;
	uint32_t pos; /* in the index's sorted object ids */
	uint8_t type; /* 0: not known yet; 0xff: unreadable */
};

struct pack {
	struct map idx, data;
	uint32_t count;
	const unsigned char *ids; /* count x 20 bytes, sorted */
	struct entry *entries;	  /* by offset */
};

struct pack_set {
	struct pack *packs;
	size_t len;
	uint64_t bytes; /* of the packs' data */
	/* Decoding work beyond the bytes of the objects asked for (chains decoded again,
	 * bases nobody asked for), and those bytes: every reader of the set draws on one
	 * allowance, so a crafted pack costs bounded time however its deltas are arranged. */
	atomic_uint_least64_t waste, output;
	uint64_t work, output_floor; /* pack_set_bounds; 0: the defaults */
};

/* The entry's header: its type and the size its header declares, where its data starts,
 * and for a delta the location of its base (base->pack == UINT32_MAX when it cannot be
 * found). Returns -1 when the header is damaged. */
struct entry_header {
	int type;
	uint64_t size;
	size_t data;
	struct pack_loc base;
};
int pack_entry_header(const struct pack_set *set, uint32_t pack, size_t entry,
		      struct entry_header *out);

#endif
