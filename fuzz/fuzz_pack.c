/* The pack reader: a pack index and a pack (input: the index's length as 4 bytes, little
 * endian, the index, then the pack), listed and every blob decoded, with the bounds on
 * work lowered so that each input costs little. Whatever the bytes, the reader lists,
 * finds and decodes without reading outside either part, and a decoded blob is never
 * larger than the limit. */
#include "fuzz.h"

#include "source/pack.h"

#define LIMIT ((size_t)64 << 10)

static volatile unsigned char sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	size_t n =
	    (size_t)data[0] | (size_t)data[1] << 8 | (size_t)data[2] << 16 | (size_t)data[3] << 24;
	if (n > size - 4)
		return 0;
	/* Copies of their own: a read past either part is a read past an allocation. */
	size_t pack_len = size - 4 - n;
	unsigned char *idx = malloc(n ? n : 1), *pack = malloc(pack_len ? pack_len : 1);
	if (!idx || !pack)
		abort();
	memcpy(idx, data + 4, n);
	memcpy(pack, data + 4 + n, pack_len);
	struct pack_set *set = NULL;
	struct pack_blobs b = {0};
	if (pack_set_open_mem(&set, idx, n, pack, pack_len) == 0 && pack_list_blobs(set, &b) == 0) {
		pack_set_bounds(set, (uint64_t)4 << 20, (uint64_t)1 << 20);
		struct pack_reader *r = pack_reader_new(set, (size_t)1 << 20);
		if (!r)
			abort();
		for (size_t i = 0; i < b.len && i < 4096; i++) {
			struct pack_loc at;
			if (pack_find(set, &b.ids[i], &at) != 0)
				abort(); /* a listed blob is found by its id */
			const char *out;
			size_t len;
			int rc = pack_read(r, b.where[i], LIMIT, &out, &len);
			if (rc == 0 && len > LIMIT)
				abort();
			if (rc == 0 && len)
				sink ^=
				    (unsigned char)(out[0] ^ out[len - 1]); /* both ends readable */
			if (rc == 2 && !*pack_reader_why(r))
				abort(); /* a refusal says why */
		}
		pack_reader_free(r);
	}
	pack_blobs_free(&b);
	pack_set_free(set);
	free(idx);
	free(pack);
	return 0;
}
