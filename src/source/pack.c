/* The blobs of a repository's pack files in the order they are stored. Listing reads
 * only the pack indexes (version 2) and the object headers: an object's type is in its
 * header, and a delta's type is its base's, which may sit in another pack (a reference
 * delta). A pack that cannot be read this way is left out: its objects are read through
 * libgit2. Decoding is pack_read.c's. */
#define _DEFAULT_SOURCE /* madvise */
#include "source/pack_private.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"

#define IDX_HEADER 8
#define FANOUT_SIZE (256 * 4)

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int map_file(struct map *m, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -1;
	struct stat st;
	int rc = -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p != MAP_FAILED) {
			*m = (struct map){.p = p, .len = (size_t)st.st_size, .mapped = true};
			rc = 0;
		}
	}
	close(fd);
	return rc;
}

static void unmap(struct map *m)
{
	if (m->p && m->mapped)
		munmap((void *)m->p, m->len);
	*m = (struct map){0};
}

static int by_offset(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/* The pack offset of the index's object pos, or UINT64_MAX when the index is damaged. */
static uint64_t index_offset(const struct pack *k, uint32_t pos)
{
	const unsigned char *p = k->idx.p;
	size_t offs = IDX_HEADER + FANOUT_SIZE + (size_t)k->count * 24;
	size_t large = offs + (size_t)k->count * 4;
	uint32_t o = be32(p + offs + (size_t)pos * 4);
	if (!(o & 0x80000000u))
		return o;
	size_t j = o & 0x7fffffffu;
	if (j >= (k->idx.len - large) / 8)
		return UINT64_MAX;
	return (uint64_t)be32(p + large + j * 8) << 32 | be32(p + large + j * 8 + 4);
}

/* Reads the index: object ids and their offsets, sorted by offset. */
static int read_index(struct pack *k)
{
	const unsigned char *p = k->idx.p;
	size_t len = k->idx.len;
	if (len < IDX_HEADER + FANOUT_SIZE || memcmp(p, "\377tOc", 4) || be32(p + 4) != 2)
		return 1;
	uint32_t n = be32(p + IDX_HEADER + FANOUT_SIZE - 4);
	size_t ids = IDX_HEADER + FANOUT_SIZE;
	if ((uint64_t)n * 28 > len - ids)
		return 1;
	k->count = n;
	k->ids = p + ids;
	/* Lookups are binary searches: an index out of order would hide objects. */
	for (uint32_t i = 1; i < n; i++)
		if (memcmp(k->ids + (size_t)(i - 1) * 20, k->ids + (size_t)i * 20, 20) >= 0)
			return 1;
	if (!(k->entries = malloc((n ? n : 1) * sizeof *k->entries)))
		return error_set("out of memory");
	for (uint32_t i = 0; i < n; i++) {
		uint64_t off = index_offset(k, i);
		if (off == UINT64_MAX || off >= k->data.len)
			return 1;
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
		if (!c)
			return entry_at(k, index_offset(k, (uint32_t)mid));
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int pack_entry_header(const struct pack_set *set, uint32_t pk, size_t i, struct entry_header *out)
{
	const struct pack *k = &set->packs[pk];
	const unsigned char *p = k->data.p;
	size_t len = k->data.len, at = (size_t)k->entries[i].offset;
	out->base = (struct pack_loc){UINT32_MAX, 0};
	if (at >= len)
		return -1;
	unsigned c = p[at++];
	out->type = (c >> 4) & 7;
	uint64_t size = c & 15;
	unsigned shift = 4;
	while (c & 0x80) {
		if (at >= len || shift > 57)
			return -1;
		c = p[at++];
		size |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	}
	out->size = size;
	if (out->type == OBJ_OFS_DELTA) {
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
		if (rel == 0 || rel > k->entries[i].offset)
			return -1;
		long b = entry_at(k, k->entries[i].offset - rel);
		if (b >= 0)
			out->base = (struct pack_loc){pk, (uint32_t)b};
	} else if (out->type == OBJ_REF_DELTA) {
		if (at + 20 > len)
			return -1;
		/* Its own pack first; a base in another pack is found as well. */
		for (size_t j = 0; j <= set->len && out->base.pack == UINT32_MAX; j++) {
			size_t q = j == 0 ? pk : j - 1;
			if (j > 0 && q == pk)
				continue;
			long b = q < set->len ? entry_of_id(&set->packs[q], p + at) : -1;
			if (b >= 0)
				out->base = (struct pack_loc){(uint32_t)q, (uint32_t)b};
		}
		at += 20;
	}
	if (at >= len)
		return -1;
	out->data = at;
	return 0;
}

/* Follows the delta chain to the first entry whose type is known, then follows it again
 * to give that type to every entry on the way: each entry is typed once, so a long chain
 * costs its length, not its square. */
static uint8_t resolve(struct pack_set *set, uint32_t pk, size_t i)
{
	uint8_t type = 0xff;
	struct pack_loc at = {pk, (uint32_t)i};
	for (int depth = 0; depth <= PACK_MAX_DELTA_DEPTH; depth++) {
		struct entry *e = &set->packs[at.pack].entries[at.entry];
		if (e->type) {
			type = e->type;
			break;
		}
		struct entry_header h;
		if (pack_entry_header(set, at.pack, at.entry, &h) < 0)
			break;
		if (h.type >= 1 && h.type <= 4) {
			type = (uint8_t)h.type;
			break;
		}
		if ((h.type != OBJ_OFS_DELTA && h.type != OBJ_REF_DELTA) ||
		    h.base.pack == UINT32_MAX)
			break;
		at = h.base;
	}
	at = (struct pack_loc){pk, (uint32_t)i};
	for (int depth = 0; depth <= PACK_MAX_DELTA_DEPTH; depth++) {
		struct entry *e = &set->packs[at.pack].entries[at.entry];
		if (e->type)
			break; /* typed before, or a loop back into this chain */
		e->type = type;
		struct entry_header h;
		if (pack_entry_header(set, at.pack, at.entry, &h) < 0 || h.base.pack == UINT32_MAX)
			break;
		at = h.base;
	}
	return set->packs[pk].entries[i].type;
}

static void pack_close(struct pack *k)
{
	free(k->entries);
	unmap(&k->idx);
	unmap(&k->data);
	*k = (struct pack){0};
}

/* Adds a mapped pack to the set when its index can be read, or closes it. */
static int add_pack(struct pack_set *set, struct pack *k)
{
	int rc = 0;
	if (k->data.len < 12 || memcmp(k->data.p, "PACK", 4))
		rc = 1;
	if (!rc)
		rc = read_index(k);
	struct pack *packs = rc ? NULL : realloc(set->packs, (set->len + 1) * sizeof *packs);
	if (!rc && !packs)
		rc = error_set("out of memory");
	if (rc) {
		pack_close(k);
		return rc < 0 ? -1 : 0;
	}
	set->packs = packs;
	set->packs[set->len++] = *k;
	set->bytes += k->data.len;
	return 0;
}

/* The pages of k before offset leave memory: reading headers in offset order would
 * otherwise keep the whole pack resident. */
static void release_before(const struct pack *k, uint64_t offset)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t end = offset / page * page;
	if (end && k->data.mapped)
		madvise((void *)k->data.p, (size_t)end, MADV_DONTNEED);
}

/* The blobs as a forest of delta trees, each object under its base, in global entry
 * numbers (pack pk's entry i is first[pk] + i). */
struct forest {
	size_t *first;	  /* per pack, and the total after the last */
	uint32_t *parent; /* per entry: its base when both are blobs, or NO_PARENT */
	uint32_t *start;  /* per entry: its children are kids[start[g] .. start[g + 1]) */
	uint32_t *kids;
	uint32_t *stack;
	bool *done;
};
#define NO_PARENT UINT32_MAX

static void forest_free(struct forest *f)
{
	free(f->first);
	free(f->parent);
	free(f->start);
	free(f->kids);
	free(f->stack);
	free(f->done);
}

/* Types every entry and links each blob to its base. */
static int forest_build(struct pack_set *set, struct forest *f, size_t *blobs)
{
	if (!(f->first = malloc((set->len + 1) * sizeof *f->first)))
		return error_set("out of memory");
	size_t total = 0;
	for (size_t pk = 0; pk < set->len; pk++) {
		f->first[pk] = total;
		total += set->packs[pk].count;
	}
	f->first[set->len] = total;
	if (total >= NO_PARENT)
		return error_set("more than %u objects in packs", NO_PARENT - 1);
	f->parent = malloc((total + 1) * sizeof *f->parent);
	f->start = calloc(total + 2, sizeof *f->start);
	f->done = calloc(total + 1, sizeof *f->done);
	if (!f->parent || !f->start || !f->done)
		return error_set("out of memory");
	*blobs = 0;
	for (uint32_t pk = 0; pk < set->len; pk++)
		for (uint32_t i = 0; i < set->packs[pk].count; i++) {
			size_t g = f->first[pk] + i;
			if (i % 4096 == 0)
				release_before(&set->packs[pk], set->packs[pk].entries[i].offset);
			f->parent[g] = NO_PARENT;
			if (resolve(set, pk, i) != OBJ_BLOB)
				continue;
			++*blobs;
			struct entry_header h;
			if (pack_entry_header(set, pk, i, &h) < 0 || h.base.pack == UINT32_MAX ||
			    set->packs[h.base.pack].entries[h.base.entry].type != OBJ_BLOB)
				continue;
			f->parent[g] = (uint32_t)(f->first[h.base.pack] + h.base.entry);
			f->start[f->parent[g] + 2]++;
		}
	/* start[g + 2] counted g's children: prefix sums, then fill through start[g + 1]. */
	for (size_t g = 2; g < total + 2; g++)
		f->start[g] += f->start[g - 1];
	f->kids = malloc((*blobs + 1) * sizeof *f->kids);
	f->stack = malloc((*blobs + 1) * sizeof *f->stack);
	if (!f->kids || !f->stack)
		return error_set("out of memory");
	for (size_t g = 0; g < total; g++)
		if (f->parent[g] != NO_PARENT)
			f->kids[f->start[f->parent[g] + 1]++] = (uint32_t)g;
	return 0;
}

static void list_add(struct pack_blobs *out, const struct pack_set *set, const struct forest *f,
		     size_t g)
{
	uint32_t pk = 0;
	while (g >= f->first[pk + 1])
		pk++;
	uint32_t i = (uint32_t)(g - f->first[pk]);
	const struct pack *k = &set->packs[pk];
	git_oid_fromraw(&out->ids[out->len], k->ids + (size_t)k->entries[i].pos * 20);
	out->where[out->len++] = (struct pack_loc){pk, i};
}

/* Lists a delta tree depth first: each delta comes right after its base (or after its
 * base's other descendants), where the reader's cache still holds the base. In pack
 * order a base is often decoded tens of megabytes before its delta, long evicted. */
static void list_tree(struct pack_blobs *out, const struct pack_set *set, struct forest *f,
		      size_t root_g)
{
	size_t n = 0;
	f->stack[n++] = (uint32_t)root_g;
	f->done[root_g] = true;
	while (n) {
		size_t g = f->stack[--n];
		list_add(out, set, f, g);
		for (uint32_t c = f->start[g + 1]; c-- > f->start[g];)
			if (!f->done[f->kids[c]]) {
				f->done[f->kids[c]] = true;
				f->stack[n++] = f->kids[c];
			}
	}
}

/* Once every pack is in the set (a reference delta's base may be in any): types every
 * entry and lists the blobs, tree by tree, the trees in pack order. */
int pack_list_blobs(struct pack_set *set, struct pack_blobs *out)
{
	*out = (struct pack_blobs){0};
	struct forest f = {0};
	size_t blobs = 0;
	int rc = forest_build(set, &f, &blobs);
	if (!rc) {
		out->ids = malloc((blobs + 1) * sizeof *out->ids);
		out->where = malloc((blobs + 1) * sizeof *out->where);
		if (!out->ids || !out->where)
			rc = error_set("out of memory");
	}
	for (size_t pk = 0; !rc && pk < set->len; pk++)
		for (size_t g = f.first[pk]; g < f.first[pk + 1]; g++)
			if (f.parent[g] == NO_PARENT && !f.done[g] &&
			    set->packs[pk].entries[g - f.first[pk]].type == OBJ_BLOB)
				list_tree(out, set, &f, g);
	/* Blobs on a loop of bases have no root: each on its own (the reader refuses them). */
	for (size_t pk = 0; !rc && pk < set->len; pk++)
		for (size_t g = f.first[pk]; g < f.first[pk + 1]; g++)
			if (!f.done[g] && set->packs[pk].entries[g - f.first[pk]].type == OBJ_BLOB)
				list_tree(out, set, &f, g);
	forest_free(&f);
	/* The listing read every header: those pages are not needed again soon. */
	pack_set_release(set);
	if (rc)
		pack_blobs_free(out);
	return rc;
}

int pack_set_open(struct pack_set **out, const char *objects_dir)
{
	struct pack_set *set = *out = calloc(1, sizeof *set);
	if (!set)
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
		buf_printf(&path, "%s/%.*s.pack", dir.ptr, (int)(n - 4), e->d_name);
		struct pack k = {0};
		bool mapped = false;
		if (buf_oom(&path)) {
			rc = error_set("out of memory");
		} else if (map_file(&k.data, path.ptr) == 0) {
			memcpy(path.ptr + path.len - 4, "idx", 4);
			mapped = map_file(&k.idx, path.ptr) == 0;
		}
		if (mapped)
			rc = add_pack(set, &k); /* takes k */
		else
			pack_close(&k);
		buf_free(&path);
	}
	if (d)
		closedir(d);
	buf_free(&dir);
	return rc;
}

int pack_set_open_mem(struct pack_set **out, const void *idx, size_t idx_len, const void *pack,
		      size_t pack_len)
{
	struct pack_set *set = *out = calloc(1, sizeof *set);
	if (!set)
		return error_set("out of memory");
	struct pack k = {.idx = {idx, idx_len, false}, .data = {pack, pack_len, false}};
	return add_pack(set, &k);
}

void pack_set_free(struct pack_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->len; i++)
		pack_close(&set->packs[i]);
	free(set->packs);
	free(set);
}

int pack_find(const struct pack_set *set, const git_oid *id, struct pack_loc *out)
{
	for (size_t pk = 0; set && pk < set->len; pk++) {
		long e = entry_of_id(&set->packs[pk], id->id);
		if (e >= 0) {
			*out = (struct pack_loc){(uint32_t)pk, (uint32_t)e};
			return 0;
		}
	}
	return 1;
}

void pack_set_release(const struct pack_set *set)
{
	for (size_t i = 0; i < set->len; i++) {
		const struct pack *k = &set->packs[i];
		if (k->data.mapped)
			madvise((void *)k->data.p, k->data.len, MADV_DONTNEED);
		if (k->idx.mapped)
			madvise((void *)k->idx.p, k->idx.len, MADV_DONTNEED);
	}
}

void pack_blobs_free(struct pack_blobs *b)
{
	free(b->ids);
	free(b->where);
	*b = (struct pack_blobs){0};
}
