/* Finds which of a small set of keywords (up to 128, ASCII, matched without regard to
 * case) occur in a text. Each keyword is searched around one pair of adjacent bytes in
 * it, chosen so that the pairs are few and rare in code; the pairs are found 16 positions
 * at a time. This is the prefilter every unit goes through, so it must run near memory
 * speed. */
#ifndef OCPAY_LITERAL_H
#define OCPAY_LITERAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LITERAL_MAX 128

struct literal_set;

/* words are lower-case; bit i of the result is words[i]. Returns NULL with the error set. */
struct literal_set *literal_set_new(char *const *words, size_t n);
void literal_set_free(struct literal_set *set);
void literal_set_scan(const struct literal_set *set, const char *text, size_t len,
		      uint64_t found[2]);
/* Whether words[bit] was given (not empty): only then does a clear bit mean "absent". */
bool literal_set_has(const struct literal_set *set, unsigned bit);

#endif
