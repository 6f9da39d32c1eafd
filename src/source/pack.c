/* The blobs of a repository's pack files in the order they are stored, and a reader
 * that decodes them: inflate, then apply the delta chain, with each thread keeping the
 * objects it decoded last (the bases of the next deltas) in a bounded cache. Listing
 * reads only the pack indexes (version 2) and the object headers: an object's type is
 * in its header, and a delta's type is its base's. A pack that cannot be read this way
 * is left out, and an object that cannot be decoded is reported as such: the history
 * scan then reads it through libgit2. */
#define _DEFAULT_SOURCE /* madvise */
#include "source/pack.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/buf.h"
#include "core/error.h"

#define IDX_HEADER 8
#define FANOUT_SIZE (256 * 4)
#define MAX_DELTA_DEPTH 10000

enum { OBJ_BLOB = 3, OBJ_OFS_DELTA = 6, OBJ_REF_DELTA = 7 };

struct map {
	const unsigned char *p;
	size_t len;
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
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int map_file(struct map *m, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	int rc = -1;
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p != MAP_FAILED) {
			m->p = p;
			m->len = (size_t)st.st_size;
			rc = 0;
		}
	}
	close(fd);
	return rc;
}

static void unmap(struct map *m)
{
	if (m->p)
		munmap((void *)m->p, m->len);
	*m = (struct map){0};
}

static int by_offset(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/* Reads the index: object ids and their offsets, sorted by offset. */
static int read_index(struct pack *k)
{
	const unsigned char *p = k->idx.p;
	size_t len = k->idx.len;
	if (len < IDX_HEADER + FANOUT_SIZE || memcmp(p, "\377tOc", 4) || be32(p + 4) != 2)
		return -1;
	uint32_t n = be32(p + IDX_HEADER + FANOUT_SIZE - 4);
	size_t ids = IDX_HEADER + FANOUT_SIZE, offs = ids + (size_t)n * 24;
	size_t large = offs + (size_t)n * 4;
	if (large > len)
		return -1;
	size_t nlarge = (len - large) / 8;
	k->count = n;
	k->ids = p + ids;
	if (!(k->entries = malloc((n ? n : 1) * sizeof *k->entries)))
		return error_set("out of memory");
	for (uint32_t i = 0; i < n; i++) {
		uint32_t o = be32(p + offs + (size_t)i * 4);
		uint64_t off = o;
		if (o & 0x80000000u) {
			uint32_t j = o & 0x7fffffffu;
			if (j >= nlarge)
				return -1;
			off = (uint64_t)be32(p + large + (size_t)j * 8) << 32 |
			      be32(p + large + (size_t)j * 8 + 4);
		}
		k->entries[i] = (struct entry){.offset = off, .pos = i};
	}
	qsort(k->entries, n, sizeof *k->entries, by_offset);
	return 0;
}

static long entry_at(const struct pack *k, uint64_t offset)
{
	size_t lo = 0, hi = k->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (k->entries[mid].offset < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < k->count && k->entries[lo].offset == offset ? (long)lo : -1;
}

static long entry_of_id(const struct pack *k, const unsigned char *id)
{
	size_t lo = 0, hi = k->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(k->ids + mid * 20, id, 20);
		if (!c) {
			const unsigned char *p = k->idx.p;
			size_t offs = IDX_HEADER + FANOUT_SIZE + (size_t)k->count * 24;
			uint32_t o = be32(p + offs + mid * 4);
			if (o & 0x80000000u)
				return -1; /* a base past 2 GiB: left to the walk order */
			return entry_at(k, o);
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The entry's own header type, and for a delta the entry of its base (or -1). */
static int header(const struct pack *k, size_t i, long *base)
{
	const unsigned char *p = k->data.p;
	size_t len = k->data.len, at = (size_t)k->entries[i].offset;
	*base = -1;
	if (at >= len)
		return -1;
	unsigned c = p[at++];
	int type = (c >> 4) & 7;
	while (c & 0x80) {
		if (at >= len)
			return -1;
		c = p[at++];
	}
	if (type == OBJ_OFS_DELTA) {
		if (at >= len)
			return -1;
		c = p[at++];
		uint64_t rel = c & 0x7f;
		while (c & 0x80) {
			if (at >= len || rel > (UINT64_MAX >> 8))
				return -1;
			c = p[at++];
			rel = ((rel + 1) << 7) | (c & 0x7f);
		}
		if (rel > k->entries[i].offset)
			return -1;
		*base = entry_at(k, k->entries[i].offset - rel);
	} else if (type == OBJ_REF_DELTA) {
		if (at + 20 > len)
			return -1;
		*base = entry_of_id(k, p + at);
	}
	return type;
}

/* Follows the delta chain to the first entry whose type is known, then gives that type
 * to every entry on the way. */
static uint8_t resolve(struct pack *k, size_t i)
{
	size_t chain[64], n = 0;
	uint8_t type = 0xff;
	size_t at = i;
	for (int depth = 0; depth < MAX_DELTA_DEPTH; depth++) {
		if (k->entries[at].type) {
			type = k->entries[at].type;
			break;
		}
		long base;
		int t = header(k, at, &base);
		if (n < sizeof chain / sizeof *chain)
			chain[n++] = at;
		if (t >= 1 && t <= 4) {
			type = (uint8_t)t;
			break;
		}
		if ((t != OBJ_OFS_DELTA && t != OBJ_REF_DELTA) || base < 0 || (size_t)base == at)
			break;
		at = (size_t)base;
	}
	for (size_t j = 0; j < n; j++)
		k->entries[chain[j]].type = type;
	k->entries[i].type = type;
	return type;
}

static void pack_close(struct pack *k)
{
	free(k->entries);
	unmap(&k->idx);
	unmap(&k->data);
	*k = (struct pack){0};
}

/* Adds the pack's blobs to out, in pack order; the pack stays mapped in out->packs. */
static int list_pack(const char *idx_path, struct pack_blobs *out)
{
	struct pack k = {0};
	struct buf data_path = BUF_INIT;
	buf_put(&data_path, idx_path, strlen(idx_path) - 4);
	buf_puts(&data_path, ".pack");
	int rc = buf_oom(&data_path) ? error_set("out of memory") : 0;
	if (!rc && (map_file(&k.idx, idx_path) < 0 || map_file(&k.data, data_path.ptr) < 0 ||
		    k.data.len < 12 || memcmp(k.data.p, "PACK", 4)))
		rc = 1;
	buf_free(&data_path);
	if (!rc)
		rc = read_index(&k);
	if (rc == -1 && !k.entries)
		rc = 1; /* not an index this reader knows: the walk order covers it */
	size_t blobs = 0;
	for (uint32_t i = 0; !rc && i < k.count; i++)
		blobs += resolve(&k, i) == OBJ_BLOB;
	if (rc || !blobs) {
		pack_close(&k);
		return rc < 0 ? -1 : 0;
	}
	struct pack_set *set = out->packs;
	struct pack *packs = realloc(set->packs, (set->len + 1) * sizeof *packs);
	git_oid *ids = realloc(out->ids, (out->len + blobs) * sizeof *ids);
	struct pack_loc *where = realloc(out->where, (out->len + blobs) * sizeof *where);
	if (packs)
		set->packs = packs;
	if (ids)
		out->ids = ids;
	if (where)
		out->where = where;
	if (!packs || !ids || !where) {
		pack_close(&k);
		return error_set("out of memory");
	}
	for (uint32_t i = 0; i < k.count; i++)
		if (k.entries[i].type == OBJ_BLOB) {
			git_oid_fromraw(&out->ids[out->len], k.ids + (size_t)k.entries[i].pos * 20);
			out->where[out->len++] = (struct pack_loc){(uint32_t)set->len, i};
		}
	/* The listing read every header: those pages are not needed again soon. */
	madvise((void *)k.data.p, k.data.len, MADV_DONTNEED);
	set->packs[set->len++] = k;
	return 0;
}

int pack_list_blobs(const char *objects_dir, struct pack_blobs *out)
{
	*out = (struct pack_blobs){0};
	if (!(out->packs = calloc(1, sizeof *out->packs)))
		return error_set("out of memory");
	struct buf dir = BUF_INIT;
	buf_printf(&dir, "%s/pack", objects_dir);
	if (buf_oom(&dir))
		return error_set("out of memory");
	DIR *d = opendir(dir.ptr);
	int rc = 0;
	struct dirent *e;
	while (d && !rc && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n <= 4 || strcmp(e->d_name + n - 4, ".idx"))
			continue;
		struct buf path = BUF_INIT;
		buf_printf(&path, "%s/%s", dir.ptr, e->d_name);
		rc = buf_oom(&path) ? error_set("out of memory") : list_pack(path.ptr, out);
		buf_free(&path);
	}
	if (d)
		closedir(d);
	buf_free(&dir);
	if (rc)
		pack_blobs_free(out);
	return rc;
}

/* ---- decoding ---- */

#define CACHE_SLOTS 1024
#define CACHE_MAX_OBJECT (4u << 20)

struct cached {
	uint64_t offset;
	uint32_t pack;
	unsigned char *data; /* NULL: empty */
	size_t len;
};

struct pack_reader {
	const struct pack_blobs *blobs;
	z_stream z;
	bool z_ready;
	struct cached cache[CACHE_SLOTS];
	size_t cache_bytes, cache_limit, sweep;
	unsigned char *result; /* the last blob, when it was not cached */
	size_t *chain;
	size_t chain_cap;
};

struct pack_reader *pack_reader_new(const struct pack_blobs *blobs, size_t cache_bytes)
{
	struct pack_reader *r = calloc(1, sizeof *r);
	if (!r) {
		error_set("out of memory");
		return NULL;
	}
	r->blobs = blobs;
	r->cache_limit = cache_bytes;
	if (inflateInit(&r->z) != Z_OK) {
		free(r);
		error_set("cannot start zlib");
		return NULL;
	}
	r->z_ready = true;
	return r;
}

void pack_reader_free(struct pack_reader *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		free(r->cache[i].data);
	if (r->z_ready)
		inflateEnd(&r->z);
	free(r->result);
	free(r->chain);
	free(r);
}

static size_t slot_of(uint32_t pack, uint64_t offset)
{
	return (size_t)((offset * 0x9E3779B97F4A7C15ull + pack) >> 54) & (CACHE_SLOTS - 1);
}

static const struct cached *cache_get(const struct pack_reader *r, uint32_t pack,
				      uint64_t offset)
{
	const struct cached *c = &r->cache[slot_of(pack, offset)];
	return c->data && c->offset == offset && c->pack == pack ? c : NULL;
}

static void cache_drop(struct pack_reader *r, struct cached *c)
{
	r->cache_bytes -= c->len;
	free(c->data);
	c->data = NULL;
	c->len = 0;
}

/* Keeps data (taking it) when it fits; returns false when the caller keeps it. */
static bool cache_put(struct pack_reader *r, uint32_t pack, uint64_t offset,
		      unsigned char *data, size_t len)
{
	if (len > CACHE_MAX_OBJECT || len > r->cache_limit)
		return false;
	struct cached *c = &r->cache[slot_of(pack, offset)];
	if (c->data)
		cache_drop(r, c);
	while (r->cache_bytes + len > r->cache_limit) {
		struct cached *old = &r->cache[r->sweep];
		r->sweep = (r->sweep + 1) & (CACHE_SLOTS - 1);
		if (old->data)
			cache_drop(r, old);
	}
	*c = (struct cached){.offset = offset, .pack = pack, .data = data, .len = len};
	r->cache_bytes += len;
	return true;
}

struct object {
	int type;
	size_t size;	 /* inflated size of the entry's own data */
	size_t data;	 /* where its zlib stream starts */
	long base;	 /* delta: the base entry, or -1 */
};

static int parse_entry(const struct pack *k, size_t i, struct object *o)
{
	const unsigned char *p = k->data.p;
	size_t len = k->data.len, at = (size_t)k->entries[i].offset;
	if (at >= len)
		return -1;
	unsigned c = p[at++];
	o->type = (c >> 4) & 7;
	uint64_t size = c & 15;
	unsigned shift = 4;
	while (c & 0x80) {
		if (at >= len || shift > 57)
			return -1;
		c = p[at++];
		size |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	}
	if (size > SIZE_MAX / 2)
		return -1;
	o->size = (size_t)size;
	long base = -1;
	o->type = header(k, i, &base);
	if (o->type == OBJ_OFS_DELTA) {
		while (at < len && (p[at] & 0x80))
			at++;
		at++;
	} else if (o->type == OBJ_REF_DELTA) {
		at += 20;
	}
	if (at >= len)
		return -1;
	o->base = base;
	o->data = at;
	return 0;
}

static int inflate_entry(struct pack_reader *r, const struct pack *k, const struct object *o,
			 unsigned char **out)
{
	/* One byte more than expected: a stream that would fill it is corrupt. */
	unsigned char *buf = malloc(o->size + 1);
	if (!buf)
		return error_set("out of memory");
	if (inflateReset(&r->z) != Z_OK) {
		free(buf);
		return -1;
	}
	size_t avail = k->data.len - o->data;
	r->z.next_in = (unsigned char *)k->data.p + o->data;
	r->z.avail_in = avail > UINT32_MAX ? UINT32_MAX : (uInt)avail;
	r->z.next_out = buf;
	r->z.avail_out = (uInt)(o->size + 1);
	int z = inflate(&r->z, Z_FINISH);
	if (z != Z_STREAM_END || r->z.total_out != o->size) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

static bool delta_size(const unsigned char **p, const unsigned char *end, size_t *out)
{
	size_t v = 0;
	unsigned shift = 0;
	unsigned char c;
	do {
		if (*p >= end || shift > 57)
			return false;
		c = *(*p)++;
		v |= (size_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	*out = v;
	return true;
}

/* git's delta format: the base and result sizes, then copy (from the base) and insert
 * (literal) instructions. */
static int apply_delta(const unsigned char *base, size_t base_len, const unsigned char *delta,
		       size_t delta_len, size_t limit, unsigned char **out, size_t *out_len)
{
	const unsigned char *p = delta, *end = delta + delta_len;
	size_t src, dst;
	if (!delta_size(&p, end, &src) || !delta_size(&p, end, &dst) || src != base_len)
		return -1;
	if (dst > limit)
		return 1;
	unsigned char *res = malloc(dst ? dst : 1), *w = res;
	if (!res)
		return error_set("out of memory");
	size_t left = dst;
	while (p < end) {
		unsigned op = *p++;
		if (op & 0x80) {
			size_t off = 0, n = 0;
			for (unsigned b = 0; b < 4; b++)
				if (op & (1u << b)) {
					if (p >= end)
						goto bad;
					off |= (size_t)*p++ << (8 * b);
				}
			for (unsigned b = 0; b < 3; b++)
				if (op & (0x10u << b)) {
					if (p >= end)
						goto bad;
					n |= (size_t)*p++ << (8 * b);
				}
			if (!n)
				n = 0x10000;
			if (off > base_len || n > base_len - off || n > left)
				goto bad;
			memcpy(w, base + off, n);
			w += n;
			left -= n;
		} else if (op) {
			if (op > (size_t)(end - p) || op > left)
				goto bad;
			memcpy(w, p, op);
			w += op;
			p += op;
			left -= op;
		} else {
			goto bad;
		}
	}
	if (left)
		goto bad;
	*out = res;
	*out_len = dst;
	return 0;
bad:
	free(res);
	return -1;
}

/* Decodes entry i of pack pk: down the delta chain to a cached or whole object, then up
 * again applying each delta. Every object on the way goes to the cache when it fits;
 * *held is the result when it did not (the caller frees it). */
static int decode(struct pack_reader *r, uint32_t pk, size_t i, size_t limit,
		  const unsigned char **data, size_t *len, unsigned char **held)
{
	const struct pack *k = &r->blobs->packs->packs[pk];
	size_t n = 0, at = i;
	const unsigned char *base = NULL;
	size_t base_len = 0;
	unsigned char *owned = NULL; /* base, when not in the cache */
	*held = NULL;
	for (;;) {
		const struct cached *c = cache_get(r, pk, k->entries[at].offset);
		if (c) {
			base = c->data;
			base_len = c->len;
			break;
		}
		struct object o;
		if (parse_entry(k, at, &o) < 0)
			return -1;
		if (o.type >= 1 && o.type <= 4) {
			if (o.size > limit && n == 0)
				return 1;
			if (o.size > limit * 4 + CACHE_MAX_OBJECT)
				return -1; /* a huge base: libgit2 reads it within its own bounds */
			if (inflate_entry(r, k, &o, &owned) < 0)
				return -1;
			base = owned;
			base_len = o.size;
			if (cache_put(r, pk, k->entries[at].offset, owned, o.size))
				owned = NULL;
			break;
		}
		if (o.base < 0 || n > MAX_DELTA_DEPTH)
			return -1;
		if (n == r->chain_cap) {
			size_t cap = r->chain_cap ? r->chain_cap * 2 : 64;
			size_t *p = realloc(r->chain, cap * sizeof *p);
			if (!p)
				return error_set("out of memory");
			r->chain = p;
			r->chain_cap = cap;
		}
		r->chain[n++] = at;
		at = (size_t)o.base;
	}
	int rc = 0;
	while (n && !rc) {
		size_t e = r->chain[--n];
		struct object o;
		unsigned char *delta = NULL, *res = NULL;
		size_t res_len = 0;
		rc = parse_entry(k, e, &o) < 0 || o.size > limit * 4 + CACHE_MAX_OBJECT
			     ? -1 : inflate_entry(r, k, &o, &delta);
		if (!rc)
			rc = apply_delta(base, base_len, delta, o.size,
					 n ? limit * 4 + CACHE_MAX_OBJECT : limit, &res, &res_len);
		free(delta);
		if (rc)
			break;
		free(owned);
		owned = NULL;
		base = res;
		base_len = res_len;
		if (!cache_put(r, pk, k->entries[e].offset, res, res_len))
			owned = res;
	}
	if (rc) {
		free(owned);
		return rc;
	}
	*data = base;
	*len = base_len;
	*held = owned;
	return 0;
}

int pack_read_blob(struct pack_reader *r, size_t i, size_t limit, const char **data, size_t *len)
{
	free(r->result);
	r->result = NULL;
	const struct pack_loc *w = &r->blobs->where[i];
	const unsigned char *p = NULL;
	int rc = decode(r, w->pack, w->entry, limit, &p, len, &r->result);
	if (rc == 0)
		*data = (const char *)p;
	return rc;
}

void pack_release(const struct pack_blobs *b, size_t last)
{
	const struct pack_loc *z = &b->where[last - 1];
	const struct pack *k = &b->packs->packs[z->pack];
	long page = sysconf(_SC_PAGESIZE);
	uint64_t end = k->entries[z->entry].offset / (uint64_t)page * (uint64_t)page;
	if (end)
		madvise((void *)k->data.p, (size_t)end, MADV_DONTNEED);
}

void pack_blobs_free(struct pack_blobs *b)
{
	if (b->packs) {
		for (size_t i = 0; i < b->packs->len; i++)
			pack_close(&b->packs->packs[i]);
		free(b->packs->packs);
		free(b->packs);
	}
	free(b->ids);
	free(b->where);
	*b = (struct pack_blobs){0};
}
