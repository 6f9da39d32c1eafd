#include "core/redact.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/secret.h"

int redactor_add(struct redactor *r, const char *s, size_t n)
{
	if (n < REDACT_MIN_SECRET)
		return 0;
	if (r->len == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		char **p = realloc(r->secrets, cap * sizeof *p);
		if (!p)
			return error_set("out of memory");
		r->secrets = p;
		r->cap = cap;
	}
	if (!(r->secrets[r->len] = strndup(s, n)))
		return error_set("out of memory");
	r->len++;
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void redactor_seal(struct redactor *r)
{
	if (r->len > 1)
		qsort(r->secrets, r->len, sizeof *r->secrets, str_cmp);
	size_t out = 0;
	for (size_t i = 0; i < r->len; i++) {
		if (out && !strcmp(r->secrets[out - 1], r->secrets[i]))
			free(r->secrets[i]);
		else
			r->secrets[out++] = r->secrets[i];
	}
	r->len = r->sealed = out;
}

void redactor_free(struct redactor *r)
{
	for (size_t i = 0; i < r->len; i++)
		free(r->secrets[i]);
	free(r->secrets);
	memset(r, 0, sizeof *r);
}

/* The starts of key-shaped tokens: OCPay's (and Stripe's, which share them) prefixes,
 * and the same keys base64-encoded (a Kubernetes Secret's data). */
static const char *const shapes[] = {
	"sk_live_", "sk_sandbox_", "sk_test_", "c2tfbGl2ZV", "c2tfc2FuZGJveF", "c2tfdGVzdF",
};

/* A key's body: URL-safe and standard base64 characters. */
static bool key_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '+' || c == '/' || c == '=';
}

/* Length of the key-shaped token at s (n bytes left), or 0. A prefix followed by fewer
 * than 8 key characters is a word about keys ("sk_live_..."), not a key. */
static size_t shape_at(const char *s, size_t n)
{
	if (s[0] != 's' && s[0] != 'c')
		return 0;
	for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
		size_t pl = strlen(shapes[k]);
		if (n < pl + 8 || memcmp(s, shapes[k], pl) != 0)
			continue;
		size_t e = pl;
		while (e < n && key_char((unsigned char)s[e]))
			e++;
		if (e - pl >= 8)
			return e;
	}
	return 0;
}

/* First sealed secret that starts with the two bytes at s. */
static size_t secrets_from(const struct redactor *r, const char *s)
{
	size_t lo = 0, hi = r->sealed;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strncmp(r->secrets[mid], s, 2) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Length of the longest sealed secret at s (n bytes left), or 0. */
static size_t secret_at(const struct redactor *r, const char *s, size_t n)
{
	size_t best = 0;
	for (size_t i = secrets_from(r, s); i < r->sealed && !strncmp(r->secrets[i], s, 2); i++) {
		size_t len = strlen(r->secrets[i]);
		if (len <= n && len > best && !memcmp(r->secrets[i], s, len))
			best = len;
	}
	return best;
}

struct ranges {
	struct redact_range *items;
	size_t len, cap;
	bool oom;
};

static void range_add(struct ranges *rs, size_t a, size_t b, const char *secret)
{
	if (rs->len == rs->cap && !rs->oom) {
		size_t cap = rs->cap ? rs->cap * 2 : 8;
		struct redact_range *p = realloc(rs->items, cap * sizeof *p);
		if (!p) {
			rs->oom = true;
			return;
		}
		rs->items = p;
		rs->cap = cap;
	}
	if (!rs->oom)
		rs->items[rs->len++] = (struct redact_range){a, b, secret};
}

static int range_cmp(const void *x, const void *y)
{
	const struct redact_range *p = x, *q = y;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->b > q->b ? -1 : p->b < q->b;
}

/* Sorts and merges overlapping ranges; a merged range keeps a forced secret. */
static void ranges_merge(struct ranges *rs)
{
	if (rs->len > 1)
		qsort(rs->items, rs->len, sizeof *rs->items, range_cmp);
	size_t out = 0;
	for (size_t i = 0; i < rs->len; i++) {
		struct redact_range *c = &rs->items[i];
		struct redact_range *last = out ? &rs->items[out - 1] : NULL;
		if (last && c->a < last->b) {
			if (c->b > last->b) {
				last->b = c->b;
				last->secret = last->secret ? last->secret : c->secret;
			}
			continue;
		}
		rs->items[out++] = *c;
	}
	rs->len = out;
}

static size_t map_mark(const struct redact_range *items, const size_t *out_a,
		       const size_t *out_b, size_t n, size_t p, bool end)
{
	long long delta = 0;
	for (size_t i = 0; i < n; i++) {
		const struct redact_range *x = &items[i];
		if (p <= x->a)
			break;
		if (p < x->b)
			return end ? out_b[i] : out_a[i];
		delta = (long long)out_b[i] - (long long)x->b;
	}
	return (size_t)((long long)p + delta);
}

char *redact_text(const struct redactor *r, const char *s, size_t n,
		  const struct redact_range *forced, size_t nforced, size_t *marks, size_t nmarks,
		  size_t *out_len)
{
	bool reveal = r && r->reveal;
	struct ranges rs = {0};
	for (size_t i = 0; i < nforced; i++)
		if (forced[i].a < forced[i].b && forced[i].b <= n)
			range_add(&rs, forced[i].a, forced[i].b, forced[i].secret);
	for (size_t i = 0; !reveal && i < n;) {
		size_t k = shape_at(s + i, n - i);
		size_t m = r && r->sealed && n - i >= REDACT_MIN_SECRET ? secret_at(r, s + i, n - i) : 0;
		if (m > k)
			k = m;
		if (k) {
			range_add(&rs, i, i + k, NULL);
			i += k;
		} else {
			i++;
		}
	}
	ranges_merge(&rs);
	size_t *out_a = calloc(rs.len ? 2 * rs.len : 1, sizeof *out_a);
	struct buf b = BUF_INIT;
	if (rs.oom || !out_a) {
		free(rs.items);
		free(out_a);
		error_set("out of memory");
		return NULL;
	}
	size_t *out_b = out_a + rs.len;
	size_t pos = 0;
	for (size_t i = 0; i < rs.len; i++) {
		const struct redact_range *x = &rs.items[i];
		buf_put(&b, s + pos, x->a - pos);
		out_a[i] = b.len;
		const char *what = x->secret ? x->secret : s + x->a;
		size_t wn = x->secret ? strlen(x->secret) : x->b - x->a;
		char *mask = secret_redact(what, wn, reveal);
		if (mask)
			buf_puts(&b, mask);
		else
			b.oom = true;
		free(mask);
		out_b[i] = b.len;
		pos = x->b;
	}
	buf_put(&b, s + pos, n - pos);
	for (size_t i = 0; i < nmarks; i++)
		marks[i] = map_mark(rs.items, out_a, out_b, rs.len, marks[i], i % 2 == 1);
	free(rs.items);
	free(out_a);
	if (buf_oom(&b)) {
		buf_free(&b);
		error_set("out of memory");
		return NULL;
	}
	if (out_len)
		*out_len = b.len;
	return buf_detach(&b);
}

int redact_string(const struct redactor *r, char **s)
{
	if (!s || !*s)
		return 0;
	char *red = redact_text(r, *s, strlen(*s), NULL, 0, NULL, 0, NULL);
	if (!red)
		return -1;
	free(*s);
	*s = red;
	return 0;
}
