/* Decoding the objects of a pack set: inflate, then apply the delta chain, with each
 * reader keeping the objects it decoded last (the bases of the next deltas) in a bounded
 * cache. Before anything is inflated or applied, the chain is walked down to a cached or
 * whole object reading only the sizes each delta declares, so the work of an object is
 * known and bounded before it is done: an object larger than the limit costs one header,
 * and a chain arranged to be decoded again and again draws on an allowance shared by
 * every reader of the pack set (pack_private.h). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/error.h"
#include "source/pack_private.h"

#define CACHE_SLOTS 1024
/* Larger objects are kept in one slot of their own, so that one of them never evicts
 * the many small ones. */
#define CACHE_MAX_OBJECT ((size_t)4 << 20)
/* A step down a chain costs at least this much, however small its object: a chain of
 * tiny deltas is bounded by its length as well. */
#define STEP_COST ((uint64_t)64 << 10)
/* Work beyond the objects asked for, on top of their own size, for the whole set. */
#define WASTE_ALLOWANCE ((uint64_t)2 << 30)
/* The objects asked for may decode to this many times the size of the packs, and 256 MiB
 * more: real histories stay far below (text compresses about 4 to 1, deltas 5 to 1; a
 * lock file committed a thousand times, a few hundred to 1), while a 100 KB pack of
 * deltas that each copy megabytes would expand to terabytes. */
#define MAX_EXPANSION 1000
#define OUTPUT_FLOOR ((uint64_t)256 << 20)

struct cached {
	uint64_t offset;
	uint32_t pack;
	unsigned char *data; /* NULL: empty */
	size_t len;
};

/* One delta of the chain being decoded, with the size its result declares. */
struct step {
	struct pack_loc at;
	struct entry_header h;
	size_t result;
};

struct pack_reader {
	struct pack_set *set;
	z_stream z;
	bool z_ready;
	struct cached cache[CACHE_SLOTS];
	struct cached large;
	size_t cache_bytes, cache_limit, sweep;
	unsigned char *result; /* the last blob, when it was not cached */
	struct step *chain;
	size_t chain_cap;
	char why[160];
};

struct pack_reader *pack_reader_new(struct pack_set *set, size_t cache_bytes)
{
	struct pack_reader *r = calloc(1, sizeof *r);
	if (!r) {
		error_set("out of memory");
		return NULL;
	}
	r->set = set;
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
	free(r->large.data);
	if (r->z_ready)
		inflateEnd(&r->z);
	free(r->result);
	free(r->chain);
	free(r);
}

const char *pack_reader_why(const struct pack_reader *r)
{
	return r->why;
}

static size_t slot_of(uint32_t pack, uint64_t offset)
{
	return (size_t)((offset * 0x9E3779B97F4A7C15ull + pack) >> 54) & (CACHE_SLOTS - 1);
}

static const struct cached *cache_get(const struct pack_reader *r, struct pack_loc at)
{
	const struct pack *k = &r->set->packs[at.pack];
	uint64_t offset = k->entries[at.entry].offset;
	const struct cached *c = &r->cache[slot_of(at.pack, offset)];
	if (c->data && c->offset == offset && c->pack == at.pack)
		return c;
	c = &r->large;
	return c->data && c->offset == offset && c->pack == at.pack ? c : NULL;
}

static void cache_drop(struct pack_reader *r, struct cached *c)
{
	r->cache_bytes -= c->len;
	free(c->data);
	c->data = NULL;
	c->len = 0;
}

/* Keeps data (taking it) when it fits; returns false when the caller keeps it. */
static bool cache_put(struct pack_reader *r, struct pack_loc at, unsigned char *data, size_t len)
{
	if (len > r->cache_limit)
		return false;
	uint64_t offset = r->set->packs[at.pack].entries[at.entry].offset;
	if (len > CACHE_MAX_OBJECT) {
		free(r->large.data);
		r->large =
		    (struct cached){.offset = offset, .pack = at.pack, .data = data, .len = len};
		return true;
	}
	struct cached *c = &r->cache[slot_of(at.pack, offset)];
	if (c->data)
		cache_drop(r, c);
	while (r->cache_bytes + len > r->cache_limit) {
		struct cached *old = &r->cache[r->sweep];
		r->sweep = (r->sweep + 1) & (CACHE_SLOTS - 1);
		if (old->data)
			cache_drop(r, old);
	}
	*c = (struct cached){.offset = offset, .pack = at.pack, .data = data, .len = len};
	r->cache_bytes += len;
	return true;
}

static const struct pack *pack_of(const struct pack_reader *r, struct pack_loc at)
{
	return &r->set->packs[at.pack];
}

static void z_input(struct pack_reader *r, const struct pack *k, size_t from)
{
	size_t avail = k->data.len - from;
	r->z.next_in = (unsigned char *)k->data.p + from;
	r->z.avail_in = avail > UINT32_MAX ? UINT32_MAX : (uInt)avail;
}

static int inflate_entry(struct pack_reader *r, const struct pack *k, const struct entry_header *h,
			 unsigned char **out)
{
	/* One byte more than expected: a stream that would fill it is corrupt. */
	unsigned char *buf = malloc(h->size + 1);
	if (!buf)
		return error_set("out of memory");
	if (inflateReset(&r->z) != Z_OK) {
		free(buf);
		return -1;
	}
	z_input(r, k, h->data);
	r->z.next_out = buf;
	r->z.avail_out = (uInt)(h->size + 1);
	int z = inflate(&r->z, Z_FINISH);
	if (z != Z_STREAM_END || r->z.total_out != h->size) {
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

/* The size of a delta's result, from the first bytes of its data: the rest of the delta
 * is not inflated. */
static int delta_result_size(struct pack_reader *r, const struct pack *k,
			     const struct entry_header *h, size_t *out)
{
	unsigned char head[24];
	if (inflateReset(&r->z) != Z_OK)
		return -1;
	z_input(r, k, h->data);
	r->z.next_out = head;
	r->z.avail_out = (uInt)(h->size < sizeof head ? h->size : sizeof head);
	int z = inflate(&r->z, Z_SYNC_FLUSH);
	if (z != Z_OK && z != Z_STREAM_END && z != Z_BUF_ERROR)
		return -1;
	const unsigned char *p = head, *end = head + r->z.total_out;
	size_t src;
	return delta_size(&p, end, &src) && delta_size(&p, end, out) ? 0 : -1;
}

/* git's delta format: the base and result sizes, then copy (from the base) and insert
 * (literal) instructions. */
static int apply_delta(const unsigned char *base, size_t base_len, const unsigned char *delta,
		       size_t delta_len, size_t want, unsigned char **out)
{
	const unsigned char *p = delta, *end = delta + delta_len;
	size_t src, dst;
	if (!delta_size(&p, end, &src) || !delta_size(&p, end, &dst) || src != base_len ||
	    dst != want)
		return -1;
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
	return 0;
bad:
	free(res);
	return -1;
}

static int refuse(struct pack_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int refuse(struct pack_reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof r->why, fmt, ap);
	va_end(ap);
	return 2;
}

/* Whether size more bytes of output stay within the expansion bound. */
static bool output_fits(const struct pack_set *set, uint64_t size)
{
	uint64_t out = atomic_load_explicit(&set->output, memory_order_relaxed);
	uint64_t floor = set->output_floor ? set->output_floor : OUTPUT_FLOOR;
	uint64_t max =
	    floor + (set->bytes > UINT64_MAX / 2 / MAX_EXPANSION ? UINT64_MAX / 2
								 : set->bytes * MAX_EXPANSION);
	return out + size <= max;
}

static uint64_t work_allowed(const struct pack_set *set)
{
	return set->work ? set->work : WASTE_ALLOWANCE;
}

void pack_set_bounds(struct pack_set *set, uint64_t work, uint64_t output_floor)
{
	set->work = work;
	set->output_floor = output_floor;
}

static uint64_t allowance_left(const struct pack_set *set)
{
	uint64_t waste = atomic_load_explicit(&set->waste, memory_order_relaxed);
	uint64_t allowed =
	    work_allowed(set) + atomic_load_explicit(&set->output, memory_order_relaxed);
	return waste < allowed ? allowed - waste : 0;
}

static int push_step(struct pack_reader *r, size_t n, const struct step *s)
{
	if (n == r->chain_cap) {
		size_t cap = r->chain_cap ? r->chain_cap * 2 : 64;
		struct step *p = realloc(r->chain, cap * sizeof *p);
		if (!p)
			return error_set("out of memory");
		r->chain = p;
		r->chain_cap = cap;
	}
	r->chain[n] = *s;
	return 0;
}

/* The bounds one object of the chain must keep: 1 when the object asked for (n == 0) is
 * larger than limit, 2 (refused, with the reason) for a bound of the reader. */
static int check_step(struct pack_reader *r, const struct step *s, size_t n, size_t limit,
		      size_t max_base, bool whole)
{
	if (n == 0 && s->result > limit)
		return 1; /* one header read, whatever the chain below */
	if (n == 0 && !output_fits(r->set, s->result))
		return refuse(r,
			      "the packs decode to more than %d times their size (a crafted "
			      "pack?)",
			      MAX_EXPANSION);
	if (s->result > max_base || (!whole && s->h.size > max_base))
		return refuse(r, "its delta base is larger than %llu bytes",
			      (unsigned long long)max_base);
	if (n >= PACK_MAX_DELTA_DEPTH)
		return refuse(r, "its delta chain is longer than %d objects", PACK_MAX_DELTA_DEPTH);
	return 0;
}

/* Walks from the object down its delta chain to a cached or whole object, reading only
 * headers and the sizes deltas declare. On 0, r->chain[0 .. *steps) are the deltas to
 * apply (the object's own first), and *base is the cached base or *whole the object to
 * inflate. The work planned beyond the object itself is drawn from the set's allowance
 * before any of it is done. */
static int plan(struct pack_reader *r, struct pack_loc at, size_t limit, size_t *steps,
		const struct cached **base, struct step *whole)
{
	const struct pack_set *set = r->set;
	size_t max_base =
	    limit > (SIZE_MAX - CACHE_MAX_OBJECT) / 4 ? SIZE_MAX : limit * 4 + CACHE_MAX_OBJECT;
	uint64_t waste = 0, left = allowance_left(set);
	size_t n = 0;
	int rc = 0;
	*base = NULL;
	for (;;) {
		if ((*base = cache_get(r, at))) {
			rc = n == 0 && (*base)->len > limit;
			break;
		}
		struct step s = {.at = at};
		if (pack_entry_header(set, at.pack, at.entry, &s.h) < 0 ||
		    s.h.size > SIZE_MAX / 2) {
			rc = -1;
			break;
		}
		bool is_whole = s.h.type >= 1 && s.h.type <= 4;
		if (is_whole) {
			s.result = (size_t)s.h.size;
		} else if ((s.h.type != OBJ_OFS_DELTA && s.h.type != OBJ_REF_DELTA) ||
			   s.h.base.pack == UINT32_MAX ||
			   delta_result_size(r, pack_of(r, at), &s.h, &s.result) < 0) {
			rc = -1;
			break;
		}
		if ((rc = check_step(r, &s, n, limit, max_base, is_whole)))
			break;
		if (n) /* a base or a delta nobody asked for */
			waste += s.result + (is_whole ? 0 : s.h.size + STEP_COST);
		if (waste > left) {
			rc = refuse(r,
				    "decoding its delta chain again would take more than the %llu "
				    "MB of work allowed for the whole pack set (a crafted pack?)",
				    (unsigned long long)(work_allowed(set) >> 20));
			break;
		}
		if (is_whole) {
			*whole = s;
			break;
		}
		if (push_step(r, n++, &s) < 0) {
			rc = -1;
			break;
		}
		at = s.h.base;
	}
	/* A refused walk did its part of the work too: it counts. */
	atomic_fetch_add_explicit(&r->set->waste, waste, memory_order_relaxed);
	*steps = n;
	return rc;
}

/* Decodes the object at loc: plans its chain, then inflates the base and applies each
 * delta upwards. Every object on the way goes to the cache when it fits; *held is the
 * result when it did not (the caller frees it). */
static int decode(struct pack_reader *r, struct pack_loc loc, size_t limit,
		  const unsigned char **data, size_t *len, unsigned char **held)
{
	size_t n = 0;
	const struct cached *c = NULL;
	struct step whole = {0};
	*held = NULL;
	int rc = plan(r, loc, limit, &n, &c, &whole);
	if (rc)
		return rc;
	const unsigned char *base;
	size_t base_len;
	unsigned char *owned = NULL; /* base, when not in the cache */
	if (c) {
		base = c->data;
		base_len = c->len;
	} else {
		if (inflate_entry(r, pack_of(r, whole.at), &whole.h, &owned) < 0)
			return -1;
		base = owned;
		base_len = whole.result;
		if (cache_put(r, whole.at, owned, base_len))
			owned = NULL;
	}
	while (n) {
		const struct step *s = &r->chain[--n];
		unsigned char *delta = NULL, *res = NULL;
		rc = inflate_entry(r, pack_of(r, s->at), &s->h, &delta);
		if (!rc)
			rc = apply_delta(base, base_len, delta, s->h.size, s->result, &res);
		free(delta);
		if (rc)
			break;
		free(owned);
		owned = NULL;
		base = res;
		base_len = s->result;
		if (!cache_put(r, s->at, res, base_len))
			owned = res;
	}
	if (rc) {
		free(owned);
		return rc;
	}
	atomic_fetch_add_explicit(&r->set->output, base_len, memory_order_relaxed);
	*data = base;
	*len = base_len;
	*held = owned;
	return 0;
}

int pack_read(struct pack_reader *r, struct pack_loc at, size_t limit, const char **data,
	      size_t *len)
{
	free(r->result);
	r->result = NULL;
	r->why[0] = '\0';
	const unsigned char *p = NULL;
	int rc = decode(r, at, limit, &p, len, &r->result);
	if (rc == 0)
		*data = (const char *)p;
	return rc;
}
