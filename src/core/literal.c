#include "core/literal.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define LITERAL_AVX2 1
#endif

/* Letters only differ in bit 0x20 between cases: the scan compares bytes with that bit set
 * ("folded"). Other bytes may collide when folded ('_' and DEL, '\n' and '*'): a candidate
 * is only that, each word is then compared in full. */
#define FOLD 0x20

/* How often folded bytes and byte pairs occur in source code and text (measured on a
 * large JavaScript and PHP code base): pairs are picked so that few positions of a file
 * hold one. byte_freq is in tenths of a per mille, for ASCII. */
/* clang-format off */
static const unsigned short byte_freq[128] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	2371, 6, 110, 6, 16, 1, 7, 175, 67, 392, 275, 17, 147, 153, 93, 58,
	47, 54, 45, 38, 37, 36, 35, 33, 33, 31, 90, 36, 12, 85, 69, 4,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	23, 330, 88, 210, 188, 518, 112, 108, 101, 301, 37, 53, 215, 137, 298, 315,
	158, 33, 314, 305, 397, 167, 70, 61, 60, 72, 36, 76, 20, 76, 1, 21,
};

/* The 256 most common folded pairs, most common first (each above 600 a million). */
static const char common_pairs[] =
	"  ))* ,**) '--oninreer =: teesti"
	"coatleorde {=>> e st' ennt**',ar"
	"io{*methalrose}, \"ctit,  tettat "
	"antons }liss;* as geod cn edisri"
	"ngas\",raeclanetrprfopendexouun f"
	"idpafi) maurca)}heelulrt); scer "
	"agopomlo inae'adncvedie:amichius"
	" rs:vaeailutacems.rsdapt= d chsi"
	"()tyol (llrr pno e->miru duetulu"
	"sa * 1ttpo){ o n $ b{ ieclbaoobl"
	"tsabt-ifefotbe=\"igrna \": `hae.s'"
	"hoo sofue-'suc}*.ccre(suimumshmp"
	")ckeslduypt.ain:fagr>*plepupaycu"
	"oc <apsc mnfrd wppf lse\"xt})qu 2"
	"ckir/*do:: lmoowei//rm'c} git(wi"
	"e,nixpspltip==ryboevd''atpew\" iv";
/* clang-format on */

/* What one more pair costs in the vector loop, in candidates a million bytes: a pair that
 * is that much more common than another still pays for itself if it saves a pair. */
#define PAIR_COST 2000.0

struct word {
	const char *text; /* borrowed from the caller's array */
	size_t len;
	size_t at; /* where its pair starts in it */
	unsigned bit;
	unsigned pair; /* index in pairs[], or npairs + index in singles[] for 1-byte words */
};

struct literal_set {
	struct word words[LITERAL_MAX];
	size_t n;
	unsigned char pairs[LITERAL_MAX][2]; /* folded */
	size_t npairs;
	unsigned char singles[LITERAL_MAX]; /* folded, for words of one byte */
	size_t nsingles;
	uint64_t all[2]; /* every word's bit: the scan may stop once they are all found */
	unsigned char lower[256];
	/* words sorted by pair: those of pair k are words[first[k]..+count[k]] */
	unsigned char first[2 * LITERAL_MAX], count[2 * LITERAL_MAX];
};

static unsigned char fold(unsigned char c)
{
	return c | FOLD;
}

/* Scratch for choosing pairs, indexed by the pair (first byte << 8 | second). */
struct pair_tables {
	unsigned short rank[65536]; /* 1 + position in common_pairs, 0 when not there */
	unsigned char gain[65536];  /* uncovered words holding the pair */
	unsigned stamp[65536];	    /* last word counted, so a word counts once */
};

/* Estimated occurrences of a folded pair in a million bytes. */
static double pair_cost(const struct pair_tables *pt, unsigned char a, unsigned char b)
{
	unsigned r = pt->rank[a << 8 | b];
	if (r)
		return 1000.0 + (257 - r) * 50.0;
	double fa = a < 128 ? byte_freq[a] / 10.0 : 0.1, fb = b < 128 ? byte_freq[b] / 10.0 : 0.1;
	return fa * fb;
}

static unsigned pair_at(const struct word *w, size_t k)
{
	return (unsigned)fold((unsigned char)w->text[k]) << 8 | fold((unsigned char)w->text[k + 1]);
}

static int by_pair(const void *x, const void *y)
{
	const struct word *a = x, *b = y;
	return a->pair != b->pair ? (a->pair < b->pair ? -1 : 1) : (int)a->bit - (int)b->bit;
}

/* Picks the pairs: each word holds one of them, few and rare (weighted set cover, greedy:
 * the pair with the lowest cost per word it newly covers, until every word is covered). */
static int choose_pairs(struct literal_set *set)
{
	bool covered[LITERAL_MAX] = {false};
	size_t left = 0;
	for (size_t i = 0; i < set->n; i++) {
		struct word *w = &set->words[i];
		if (w->len > 1) {
			left++;
			continue;
		}
		unsigned char c = fold((unsigned char)w->text[0]);
		size_t k = 0;
		while (k < set->nsingles && set->singles[k] != c)
			k++;
		if (k == set->nsingles)
			set->singles[set->nsingles++] = c;
		w->pair = (unsigned)(LITERAL_MAX + k);
		covered[i] = true;
	}
	struct pair_tables *pt = left ? calloc(1, sizeof *pt) : NULL;
	if (left && !pt)
		return error_set("out of memory");
	for (size_t r = 0; pt && r + 1 < sizeof common_pairs; r += 2)
		pt->rank[(unsigned char)common_pairs[r] << 8 | (unsigned char)common_pairs[r + 1]] =
		    (unsigned short)(r / 2 + 1);
	unsigned tick = 0;
	while (left) {
		/* gain is zero where it is read: each round clears what it counted */
		for (size_t i = 0; i < set->n; i++) {
			tick++;
			for (size_t k = 0; !covered[i] && k + 1 < set->words[i].len; k++) {
				unsigned p = pair_at(&set->words[i], k);
				if (pt->stamp[p] != tick) {
					pt->stamp[p] = tick;
					pt->gain[p]++;
				}
			}
		}
		double best = 0;
		unsigned pick = 0;
		for (size_t i = 0; i < set->n; i++)
			for (size_t k = 0; !covered[i] && k + 1 < set->words[i].len; k++) {
				unsigned p = pair_at(&set->words[i], k);
				double cost = (PAIR_COST + pair_cost(pt, (unsigned char)(p >> 8),
								     (unsigned char)p)) /
					      pt->gain[p];
				if (best == 0 || cost < best) {
					best = cost;
					pick = p;
				}
			}
		for (size_t i = 0; i < set->n; i++)
			for (size_t k = 0; !covered[i] && k + 1 < set->words[i].len; k++)
				pt->gain[pair_at(&set->words[i], k)] = 0;
		unsigned index = (unsigned)set->npairs++;
		set->pairs[index][0] = (unsigned char)(pick >> 8);
		set->pairs[index][1] = (unsigned char)pick;
		for (size_t i = 0; i < set->n; i++)
			for (size_t k = 0; !covered[i] && k + 1 < set->words[i].len; k++)
				if (pair_at(&set->words[i], k) == pick) {
					set->words[i].at = k;
					set->words[i].pair = index;
					covered[i] = true;
					left--;
				}
	}
	free(pt);
	/* single-byte words come after the pairs */
	for (size_t i = 0; i < set->n; i++)
		if (set->words[i].pair >= LITERAL_MAX)
			set->words[i].pair =
			    (unsigned)(set->npairs + set->words[i].pair - LITERAL_MAX);
	return 0;
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
		size_t len = strlen(words[i]);
		if (!len)
			continue;
		set->words[set->n++] = (struct word){words[i], len, 0, (unsigned)i, 0};
		set->all[i / 64] |= 1ull << (i % 64);
	}
	if (choose_pairs(set) < 0) {
		free(set);
		return NULL;
	}
	qsort(set->words, set->n, sizeof *set->words, by_pair);
	for (size_t k = set->n; k-- > 0;) {
		set->first[set->words[k].pair] = (unsigned char)k;
		set->count[set->words[k].pair]++;
	}
	return set;
}

bool literal_set_has(const struct literal_set *set, unsigned bit)
{
	return bit < 2 * 64 && (set->all[bit / 64] >> (bit % 64) & 1);
}

void literal_set_free(struct literal_set *set)
{
	free(set);
}

static void check_words(const struct literal_set *set, unsigned pair, const unsigned char *t,
			size_t len, size_t i, uint64_t found[2])
{
	for (size_t k = set->first[pair], end = k + set->count[pair]; k < end; k++) {
		const struct word *w = &set->words[k];
		if (i < w->at || i - w->at + w->len > len ||
		    (found[w->bit / 64] & (1ull << (w->bit % 64))))
			continue;
		const unsigned char *s = t + i - w->at;
		size_t j = 0;
		while (j < w->len && set->lower[s[j]] == (unsigned char)w->text[j])
			j++;
		if (j == w->len)
			found[w->bit / 64] |= 1ull << (w->bit % 64);
	}
}

/* The words whose pair (or single byte) starts at t[i]. */
static void check_at(const struct literal_set *set, const unsigned char *t, size_t len, size_t i,
		     uint64_t found[2])
{
	unsigned char a = fold(t[i]);
	int b = i + 1 < len ? fold(t[i + 1]) : -1;
	for (size_t k = 0; k < set->npairs; k++)
		if (set->pairs[k][0] == a && set->pairs[k][1] == b)
			check_words(set, (unsigned)k, t, len, i, found);
	for (size_t k = 0; k < set->nsingles; k++)
		if (set->singles[k] == a)
			check_words(set, (unsigned)(set->npairs + k), t, len, i, found);
}

typedef unsigned char v16 __attribute__((vector_size(16)));

/* Bit k set when lane k of v is non-zero. */
static unsigned lanes(v16 v)
{
#if defined(__SSE2__)
	return (unsigned)_mm_movemask_epi8((__m128i)v);
#else
	unsigned m = 0;
	for (int k = 0; k < 16; k++)
		m |= (unsigned)(v[k] != 0) << k;
	return m;
#endif
}

static bool all_found(const struct literal_set *set, const uint64_t found[2])
{
	return (found[0] & set->all[0]) == set->all[0] && (found[1] & set->all[1]) == set->all[1];
}

#if defined(LITERAL_AVX2)
typedef unsigned char v32 __attribute__((vector_size(32)));

/* The loop of literal_set_scan 32 positions at a time, for processors with AVX2 (chosen at
 * run time, the build targets plain x86-64): the prefilter is most of the time spent on a
 * file it clears. Returns where it stopped, or len when every word is found. */
__attribute__((target("avx2"))) static size_t
scan_avx2(const struct literal_set *set, const unsigned char *t, size_t len, uint64_t found[2])
{
	v32 fold_bits, a[LITERAL_MAX], b[LITERAL_MAX], s[LITERAL_MAX];
	memset(&fold_bits, FOLD, sizeof fold_bits);
	for (size_t k = 0; k < set->npairs; k++) {
		memset(&a[k], set->pairs[k][0], sizeof a[k]);
		memset(&b[k], set->pairs[k][1], sizeof b[k]);
	}
	for (size_t k = 0; k < set->nsingles; k++)
		memset(&s[k], set->singles[k], sizeof s[k]);
	size_t i = 0;
	for (; i + 33 <= len; i += 32) {
		v32 v0, v1, hit = {0};
		memcpy(&v0, t + i, sizeof v0);
		memcpy(&v1, t + i + 1, sizeof v1);
		v0 |= fold_bits;
		v1 |= fold_bits;
		for (size_t k = 0; k < set->npairs; k++)
			hit |= (v0 == a[k]) & (v1 == b[k]);
		for (size_t k = 0; k < set->nsingles; k++)
			hit |= v0 == s[k];
		unsigned m = (unsigned)_mm256_movemask_epi8((__m256i)hit);
		if (!m)
			continue;
		for (; m; m &= m - 1)
			check_at(set, t, len, i + (size_t)__builtin_ctz(m), found);
		if (all_found(set, found))
			return len;
	}
	return i;
}
#endif

void literal_set_scan(const struct literal_set *set, const char *text, size_t len,
		      uint64_t found[2])
{
	const unsigned char *t = (const unsigned char *)text;
	size_t i = 0;
	if (!set->n)
		return;
#if defined(LITERAL_AVX2)
	if (__builtin_cpu_supports("avx2") && (i = scan_avx2(set, t, len, found)) == len)
		return;
#endif
	/* 16 positions at a time: a lane is a candidate when its byte and the next one are
	 * one of the pairs (or its byte a single-byte word). */
	v16 fold_bits, a[LITERAL_MAX], b[LITERAL_MAX], s[LITERAL_MAX];
	memset(&fold_bits, FOLD, sizeof fold_bits);
	for (size_t k = 0; k < set->npairs; k++) {
		memset(&a[k], set->pairs[k][0], sizeof a[k]);
		memset(&b[k], set->pairs[k][1], sizeof b[k]);
	}
	for (size_t k = 0; k < set->nsingles; k++)
		memset(&s[k], set->singles[k], sizeof s[k]);
	for (; i + 17 <= len; i += 16) {
		v16 v0, v1, hit = {0};
		memcpy(&v0, t + i, sizeof v0);
		memcpy(&v1, t + i + 1, sizeof v1);
		v0 |= fold_bits;
		v1 |= fold_bits;
		for (size_t k = 0; k < set->npairs; k++)
			hit |= (v0 == a[k]) & (v1 == b[k]);
		for (size_t k = 0; k < set->nsingles; k++)
			hit |= v0 == s[k];
		unsigned m = lanes(hit);
		if (!m)
			continue;
		for (; m; m &= m - 1)
			check_at(set, t, len, i + (size_t)__builtin_ctz(m), found);
		if (all_found(set, found))
			return;
	}
	for (; i < len; i++)
		check_at(set, t, len, i, found);
}
