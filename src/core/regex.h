/* The only module that speaks PCRE2. Patterns are compiled once (JIT when available)
 * and shared read-only between threads; an iterator holds the per-call match data. */
#ifndef OCPAY_REGEX_H
#define OCPAY_REGEX_H

#include <stdbool.h>
#include <stddef.h>

struct regex;

enum {
	REGEX_CASELESS = 1 << 0,
	REGEX_MULTILINE = 1 << 1,
	REGEX_LITERAL = 1 << 2,
};

/* On failure returns NULL and writes the cause and the offset in the pattern. */
struct regex *regex_new(const char *pattern, unsigned flags, char *err, size_t errsize,
			size_t *err_offset);
void regex_free(struct regex *re);
/* Number of the named group, or -1. */
int regex_group_number(const struct regex *re, const char *name);
bool regex_search(const struct regex *re, const char *s, size_t len);
/* 1 on a match, 0 on none, -1 when the search failed (a resource limit). */
int regex_find(const struct regex *re, const char *s, size_t len);

struct regex_iter {
	const struct regex *re;
	const char *subject;
	size_t len;
	size_t next;
	void *md;
	size_t *ov;
	bool done;
	bool failed; /* stopped on a match error (a resource limit), not at the end */
};

void regex_iter_init(struct regex_iter *it, const struct regex *re, const char *s, size_t len);
/* Advances to the next match; false at the end or on a match error (resource limits:
 * then it->failed is set, and the search can go on with regex_iter_range). */
bool regex_iter_next(struct regex_iter *it);
/* Restarts the search at start, the subject ending at end (the text before start is
 * still seen by lookbehinds). */
void regex_iter_range(struct regex_iter *it, size_t start, size_t end);
/* How many matches failed on a resource limit in this thread so far. */
unsigned long regex_errors(void);
/* Span of group n (0: the whole match) of the current match; false when unset. */
bool regex_iter_group(const struct regex_iter *it, int n, size_t *start, size_t *end);
void regex_iter_free(struct regex_iter *it);

#endif
