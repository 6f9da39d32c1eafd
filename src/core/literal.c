#include "core/literal.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"

/* Letters from rarest to most common in source code and prose. */
static const char rarity[] = "zqjxkvywbgfmpuhdclrsnioate";

struct word {
	const char *text; /* borrowed from the caller's array */
	size_t len;
	size_t pivot;
	unsigned bit;
};

struct literal_set {
	struct word words[LITERAL_MAX];
	size_t n;
	unsigned char pivots[9]; /* distinct lower-case pivot letters, NUL-terminated */
	size_t npivots;
	unsigned char lower[256];
	unsigned char is_pivot[256]; /* either case */
	/* words sorted by pivot letter: those of letter c are words[first[c]..+count[c]] */
	unsigned char first[256], count[256];
};

static int by_pivot(const void *x, const void *y)
{
	const struct word *a = x, *b = y;
	unsigned char pa = (unsigned char)a->text[a->pivot], pb = (unsigned char)b->text[b->pivot];
	return pa != pb ? pa - pb : (int)a->bit - (int)b->bit;
}

static int rank(char c)
{
	const char *p = strchr(rarity, c);
	return p && c ? (int)(p - rarity) : 100;
}

struct literal_set *literal_set_new(char *const *words, size_t n)
{
	if (n > LITERAL_MAX) {
		error_set("more than %d keywords", LITERAL_MAX);
		return NULL;
	}
	struct literal_set *set = calloc(1, sizeof *set);
	if (!set) {
		error_set("out of memory");
		return NULL;
	}
	for (int c = 0; c < 256; c++)
		set->lower[c] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	for (size_t i = 0; i < n; i++) {
		struct word *w = &set->words[set->n];
		*w = (struct word){words[i], strlen(words[i]), 0, (unsigned)i};
		if (!w->len)
			continue;
		for (size_t k = 1; k < w->len; k++)
			if (rank(w->text[k]) < rank(w->text[w->pivot]))
				w->pivot = k;
		unsigned char p = (unsigned char)w->text[w->pivot];
		if (!memchr(set->pivots, p, set->npivots)) {
			if (set->npivots == sizeof set->pivots - 1) {
				/* Too many distinct pivots: use a letter that already is one. */
				const char *hit = strpbrk(w->text, (const char *)set->pivots);
				if (!hit) {
					error_set("keyword '%s' cannot be indexed", w->text);
					free(set);
					return NULL;
				}
				w->pivot = (size_t)(hit - w->text);
				p = (unsigned char)*hit;
			} else {
				set->pivots[set->npivots++] = p;
			}
		}
		set->is_pivot[p] = 1;
		if (p >= 'a' && p <= 'z')
			set->is_pivot[p - 32] = 1;
		set->n++;
	}
	qsort(set->words, set->n, sizeof *set->words, by_pivot);
	for (size_t k = set->n; k-- > 0;) {
		unsigned char p = (unsigned char)set->words[k].text[set->words[k].pivot];
		set->first[p] = (unsigned char)k;
		set->count[p]++;
	}
	return set;
}

void literal_set_free(struct literal_set *set)
{
	free(set);
}

static void check_at(const struct literal_set *set, const unsigned char *t, size_t len, size_t i,
		     uint64_t found[2])
{
	unsigned char c = set->lower[t[i]];
	for (size_t k = set->first[c], end = k + set->count[c]; k < end; k++) {
		const struct word *w = &set->words[k];
		if (i < w->pivot || i - w->pivot + w->len > len ||
		    (found[w->bit / 64] & (1ull << (w->bit % 64))))
			continue;
		const unsigned char *s = t + i - w->pivot;
		size_t j = 0;
		while (j < w->len && set->lower[s[j]] == (unsigned char)w->text[j])
			j++;
		if (j == w->len)
			found[w->bit / 64] |= 1ull << (w->bit % 64);
	}
}

typedef unsigned char v16 __attribute__((vector_size(16)));

void literal_set_scan(const struct literal_set *set, const char *text, size_t len,
		      uint64_t found[2])
{
	const unsigned char *t = (const unsigned char *)text;
	size_t i = 0;
	if (set->npivots) {
		/* Letters only differ in bit 0x20 between cases: fold, then compare each lane
		 * with every pivot at once (at most 8; unused ones repeat the first). */
		v16 fold, p[8];
		memset(&fold, 0x20, sizeof fold);
		for (size_t k = 0; k < 8; k++)
			memset(&p[k], set->pivots[k < set->npivots ? k : 0], sizeof p[k]);
		for (; i + 16 <= len; i += 16) {
			v16 v;
			memcpy(&v, t + i, sizeof v);
			v |= fold;
			v16 hit = (v == p[0]) | (v == p[1]) | (v == p[2]) | (v == p[3]) | (v == p[4]) |
				  (v == p[5]) | (v == p[6]) | (v == p[7]);
			uint64_t lanes[2];
			memcpy(lanes, &hit, sizeof lanes);
			if (!(lanes[0] | lanes[1]))
				continue;
			for (size_t k = 0; k < 16; k++)
				if (set->is_pivot[t[i + k]])
					check_at(set, t, len, i + k, found);
		}
	}
	for (; i < len; i++)
		if (set->is_pivot[t[i]])
			check_at(set, t, len, i, found);
}
