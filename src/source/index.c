#include "source/index.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "source/files.h"

/* An index is read whole: one this large is no index a merchant has. */
#define INDEX_MAX_SIZE ((size_t)512 * 1024 * 1024)
#define HASH_RAW 20 /* SHA-1: libgit2 opens no other object format */
/* ctime, mtime, dev, ino, mode, uid, gid, size: 32 bits each, then the object id, flags */
#define ENTRY_FIXED (40 + HASH_RAW + 2)

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int path_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	return c ? c : alen < blen ? -1 : alen > blen;
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* core.ignorecase: "Foo" on disk is the tracked "foo", as git sees it. */
static int path_cmp_icase(const char *a, size_t alen, const char *b, size_t blen)
{
	for (size_t i = 0; i < alen && i < blen; i++) {
		int c = lower((unsigned char)a[i]) - lower((unsigned char)b[i]);
		if (c)
			return c;
	}
	return alen < blen ? -1 : alen > blen;
}

static int cmp(const struct index_paths *idx, const char *a, size_t alen, const char *b,
	       size_t blen)
{
	return idx->icase ? path_cmp_icase(a, alen, b, blen) : path_cmp(a, alen, b, blen);
}

static int entry_cmp(const void *x, const void *y)
{
	const struct index_path *a = x, *b = y;
	return path_cmp(a->path, a->len, b->path, b->len);
}

static int entry_cmp_icase(const void *x, const void *y)
{
	const struct index_path *a = x, *b = y;
	int c = path_cmp_icase(a->path, a->len, b->path, b->len);
	return c ? c : path_cmp(a->path, a->len, b->path, b->len);
}

static int grow(struct index_paths *idx)
{
	if (idx->len < idx->cap)
		return 0;
	size_t cap = idx->cap ? idx->cap * 2 : 256;
	struct index_path *p = realloc(idx->items, cap * sizeof *p);
	if (!p)
		return error_set("out of memory");
	idx->items = p;
	idx->cap = cap;
	return 0;
}

/* Whether a component may name .git to some file system, as libgit2 refuses it (with its
 * default core.protectNTFS): ".git" in any case, alone or followed by dots and spaces
 * (which NTFS drops) or by ':' (an NTFS stream), an 8.3 short name "git~N", and ".git"
 * spelt with bytes that HFS+ ignores (any non-ASCII byte is dropped here, to be safe).
 * ".gitignore", ".github" or ".gitkeep" are ordinary names. */
static bool names_git(const char *c, size_t n)
{
	if (n >= 4 && !strncasecmp(c, "git~", 4))
		return true;
	char plain[5];
	size_t k = 0, i = 0;
	for (; i < n && k < 4; i++)
		if (!((unsigned char)c[i] & 0x80))
			plain[k++] = c[i];
	if (k < 4 || plain[0] != '.' || strncasecmp(plain + 1, "git", 3))
		return false;
	for (; i < n; i++)
		if (c[i] != '.' && c[i] != ' ' && !((unsigned char)c[i] & 0x80))
			return c[i] == ':';
	return true;
}

/* A path the listing may use: no empty, "." or ".." component (the scan reads the path
 * under the working tree, and must stay in it) and none that may name .git (names_git).
 * libgit2 refuses such an index; anything this rejects is left to it. */
static bool path_ok(const char *p, size_t len)
{
	const char *end = p + len;
	for (const char *c = p; c <= end;) {
		const char *slash = memchr(c, '/', (size_t)(end - c));
		size_t n = slash ? (size_t)(slash - c) : (size_t)(end - c);
		if (!n || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.') ||
		    names_git(c, n))
			return false;
		if (!slash)
			break;
		c = slash + 1;
	}
	return true;
}

/* git's varint of index v4: 7 bits a byte, each continuation adding one. */
static bool varint(const unsigned char **p, const unsigned char *end, size_t *out)
{
	const unsigned char *q = *p;
	if (q >= end)
		return false;
	unsigned char c = *q++;
	size_t v = c & 127;
	while (c & 128) {
		if (q >= end || v + 1 > SIZE_MAX >> 7)
			return false;
		c = *q++;
		v = ((v + 1) << 7) | (c & 127);
	}
	*p = q;
	*out = v;
	return true;
}

/* Entries of a v2/v3/v4 index, names gathered in names (offsets in items[].path until the
 * end). 0, 1 when not understood, -1 on error. */
static int parse_entries(struct index_paths *idx, const unsigned char *data, size_t size,
			 struct buf *names, struct buf *cur, size_t *ext)
{
	uint32_t version = be32(data + 4), count = be32(data + 8);
	if (version < 2 || version > 4)
		return 1;
	const unsigned char *p = data + 12, *end = data + size - HASH_RAW;
	size_t prev_len = 0;
	for (uint32_t i = 0; i < count; i++) {
		if ((size_t)(end - p) < ENTRY_FIXED)
			return 1;
		uint32_t mode = be32(p + 24);
		unsigned flags = (unsigned)p[40 + HASH_RAW] << 8 | p[41 + HASH_RAW];
		const unsigned char *name = p + ENTRY_FIXED;
		if (flags & 0x4000) { /* extended flags: v3 and up */
			if (version < 3 || end - name < 2)
				return 1;
			name += 2;
		}
		size_t off = names->len, len;
		if (version == 4) {
			size_t strip;
			if (!varint(&name, end, &strip) || strip > prev_len)
				return 1;
			const unsigned char *nul = memchr(name, '\0', (size_t)(end - name));
			if (!nul)
				return 1;
			/* the previous path minus `strip` bytes, then the new suffix */
			cur->len = prev_len - strip;
			buf_put(cur, name, (size_t)(nul - name));
			if (buf_oom(cur))
				return error_set("out of memory");
			len = cur->len;
			buf_put(names, cur->ptr, len);
			p = nul + 1;
		} else {
			const unsigned char *nul = memchr(name, '\0', (size_t)(end - name));
			if (!nul)
				return 1;
			len = (size_t)(nul - name);
			buf_put(names, name, len);
			/* entries are padded with 1 to 8 NULs to a multiple of 8 bytes */
			size_t entry =
			    (size_t)(name - p) + len + 8 - (((size_t)(name - p) + len) % 8);
			if ((size_t)(end - p) < entry)
				return 1;
			p += entry;
		}
		buf_putc(names, '\0');
		if (buf_oom(names))
			return error_set("out of memory");
		if (!path_ok(names->ptr + off, len))
			return 1;
		prev_len = len;
		/* a sparse index lists whole folders ("dir/", mode 040000) */
		if ((mode & 0170000) == 0040000)
			return 1;
		/* conflict stages follow each other: the path once */
		if (idx->len && idx->items[idx->len - 1].len == len &&
		    !memcmp(names->ptr + (size_t)idx->items[idx->len - 1].path, names->ptr + off,
			    len))
			continue;
		if (grow(idx) < 0)
			return -1;
		idx->items[idx->len++] =
		    (struct index_path){(const char *)(uintptr_t)off, len, mode};
	}
	*ext = (size_t)(p - data);
	return 0;
}

/* Extensions an index may hold that change what its entries mean. */
static int check_extensions(const unsigned char *data, size_t size, size_t at)
{
	const unsigned char *p = data + at, *end = data + size - HASH_RAW;
	while (end - p >= 8) {
		uint32_t len = be32(p + 4);
		/* "link": entries live in a shared index; "sdir": a sparse index. Lower case
		 * first: an extension a reader must understand. */
		if (!memcmp(p, "link", 4) || !memcmp(p, "sdir", 4) || p[0] < 'A' || p[0] > 'Z')
			return 1;
		if ((size_t)(end - p) - 8 < len)
			return 1;
		p += 8 + len;
	}
	return 0;
}

int index_read(struct index_paths *out, const char *path)
{
	memset(out, 0, sizeof *out);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : 1; /* nothing added yet: no index */
	struct stat st;
	unsigned char *data = NULL;
	size_t size = 0;
	int rc = 1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size <= INDEX_MAX_SIZE &&
	    (size_t)st.st_size >= 12 + HASH_RAW && (data = malloc((size_t)st.st_size))) {
		if (file_read_full(fd, (char *)data, (size_t)st.st_size, &size) < 0)
			size = 0;
		rc = size == (size_t)st.st_size && !memcmp(data, "DIRC", 4) ? 0 : 1;
	}
	close(fd);
	struct buf names = BUF_INIT, cur = BUF_INIT;
	size_t ext = 0;
	if (!rc)
		rc = parse_entries(out, data, size, &names, &cur, &ext);
	buf_free(&cur);
	if (!rc)
		rc = check_extensions(data, size, ext);
	free(data);
	if (rc) {
		buf_free(&names);
		free(out->items);
		memset(out, 0, sizeof *out);
		return rc;
	}
	out->storage = buf_detach(&names);
	if (!out->storage && out->len) {
		index_paths_free(out);
		return error_set("out of memory");
	}
	for (size_t i = 0; i < out->len; i++)
		out->items[i].path = out->storage + (uintptr_t)out->items[i].path;
	index_sort(out, false);
	return 0;
}

int index_add(struct index_paths *idx, const char *path, unsigned mode)
{
	size_t len = strlen(path);
	char **owned = realloc(idx->owned, (idx->nowned + 1) * sizeof *owned);
	if (!owned)
		return error_set("out of memory");
	idx->owned = owned;
	if (grow(idx) < 0 || !(owned[idx->nowned] = strdup(path)))
		return error_set("out of memory");
	idx->items[idx->len++] = (struct index_path){owned[idx->nowned++], len, mode};
	return 0;
}

void index_sort(struct index_paths *idx, bool icase)
{
	int (*by)(const void *, const void *) = icase ? entry_cmp_icase : entry_cmp;
	idx->icase = icase;
	for (size_t i = 1; i < idx->len; i++)
		if (by(&idx->items[i - 1], &idx->items[i]) > 0) {
			qsort(idx->items, idx->len, sizeof *idx->items, by);
			return;
		}
}

void index_paths_free(struct index_paths *idx)
{
	for (size_t i = 0; i < idx->nowned; i++)
		free(idx->owned[i]);
	free(idx->owned);
	free(idx->items);
	free(idx->storage);
	memset(idx, 0, sizeof *idx);
}

/* First position in [lo, hi) whose path is not below key. */
static size_t lower_bound(const struct index_paths *idx, size_t lo, size_t hi, const char *key,
			  size_t len)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp(idx, idx->items[mid].path, idx->items[mid].len, key, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long index_find(const struct index_paths *idx, size_t lo, size_t hi, const char *path, size_t len)
{
	size_t at = lower_bound(idx, lo, hi, path, len);
	return at < hi && !cmp(idx, idx->items[at].path, idx->items[at].len, path, len) ? (long)at
											: -1;
}

void index_range(const struct index_paths *idx, size_t lo, size_t hi, const char *prefix,
		 size_t len, size_t *first, size_t *end)
{
	lo = lower_bound(idx, lo, hi, prefix, len);
	*first = lo;
	/* the paths holding the prefix come first, then greater ones */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct index_path *e = &idx->items[mid];
		if (e->len >= len && !cmp(idx, e->path, len, prefix, len))
			lo = mid + 1;
		else
			hi = mid;
	}
	*end = lo;
}
