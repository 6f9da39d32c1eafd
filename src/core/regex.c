#define PCRE2_CODE_UNIT_WIDTH 8
#include "core/regex.h"

#include <pcre2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

struct regex {
	pcre2_code *code;
	/* JIT-compiled at the first match, not at load: most of the rules' and models'
	 * patterns never run on a given tree, and compiling them all cost more than the
	 * start of a small scan. */
	atomic_bool jit_tried;
	pthread_mutex_t jit_lock;
};

/* Matches that failed on a resource limit (the match or depth limit, memory), in this
 * thread: a caller that cannot tell a failure from no match still learns of it. */
static _Thread_local unsigned long match_errors;

unsigned long regex_errors(void)
{
	return match_errors;
}

/* JIT is an optimisation: a platform without it still matches, only slower. A memory
 * checker cannot follow JIT code (it reads the subject 16 bytes at a time, past its end
 * within the page), so OCPAY_AUDIT_NO_JIT keeps the interpreter for valgrind. */
static void jit_once(const struct regex *cre)
{
	struct regex *re = (struct regex *)cre; /* the compiled form is a cache */
	if (atomic_load_explicit(&re->jit_tried, memory_order_acquire))
		return;
	pthread_mutex_lock(&re->jit_lock);
	if (!atomic_load_explicit(&re->jit_tried, memory_order_relaxed)) {
		if (!getenv("OCPAY_AUDIT_NO_JIT"))
			pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
		atomic_store_explicit(&re->jit_tried, true, memory_order_release);
	}
	pthread_mutex_unlock(&re->jit_lock);
}

static int match(const struct regex *re, const char *s, size_t len, size_t start,
		 pcre2_match_data *md)
{
	jit_once(re);
	int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, start, 0, md, NULL);
	if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
		match_errors++;
	return rc;
}

struct regex *regex_new(const char *pattern, unsigned flags, char *err, size_t errsize,
			size_t *err_offset)
{
	uint32_t opts = 0;
	if (flags & REGEX_CASELESS)
		opts |= PCRE2_CASELESS;
	if (flags & REGEX_MULTILINE)
		opts |= PCRE2_MULTILINE;
	if (flags & REGEX_LITERAL)
		opts |= PCRE2_LITERAL;
	int code;
	PCRE2_SIZE off = 0;
	pcre2_code *c =
	    pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &code, &off, NULL);
	if (!c) {
		if (err)
			pcre2_get_error_message(code, (PCRE2_UCHAR *)err, errsize);
		if (err_offset)
			*err_offset = off;
		return NULL;
	}
	struct regex *re = malloc(sizeof *re);
	if (!re) {
		pcre2_code_free(c);
		if (err)
			snprintf(err, errsize, "out of memory");
		return NULL;
	}
	re->code = c;
	atomic_init(&re->jit_tried, false);
	pthread_mutex_init(&re->jit_lock, NULL);
	return re;
}

void regex_free(struct regex *re)
{
	if (!re)
		return;
	pthread_mutex_destroy(&re->jit_lock);
	pcre2_code_free(re->code);
	free(re);
}

int regex_group_number(const struct regex *re, const char *name)
{
	int n = pcre2_substring_number_from_name(re->code, (PCRE2_SPTR)name);
	return n < 0 ? -1 : n;
}

int regex_find(const struct regex *re, const char *s, size_t len)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	if (!md)
		return -1;
	int rc = match(re, s, len, 0, md);
	pcre2_match_data_free(md);
	return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

bool regex_search(const struct regex *re, const char *s, size_t len)
{
	return regex_find(re, s, len) == 1;
}

void regex_iter_init(struct regex_iter *it, const struct regex *re, const char *s, size_t len)
{
	it->re = re;
	it->subject = s;
	it->len = len;
	it->next = 0;
	it->md = pcre2_match_data_create_from_pattern(re->code, NULL);
	it->ov = it->md ? pcre2_get_ovector_pointer(it->md) : NULL;
	it->done = it->md == NULL;
	it->failed = it->md == NULL;
}

void regex_iter_range(struct regex_iter *it, size_t start, size_t end)
{
	it->next = start;
	it->len = end;
	it->done = it->md == NULL;
	it->failed = it->md == NULL;
}

bool regex_iter_next(struct regex_iter *it)
{
	if (it->done || it->next > it->len)
		return false;
	int rc = match(it->re, it->subject, it->len, it->next, it->md);
	if (rc < 0) {
		it->done = true;
		it->failed = rc != PCRE2_ERROR_NOMATCH;
		return false;
	}
	size_t s = it->ov[0], e = it->ov[1];
	/* An empty match would loop forever: step one byte past it. */
	it->next = e > s ? e : e + 1;
	return true;
}

bool regex_iter_group(const struct regex_iter *it, int n, size_t *start, size_t *end)
{
	if (n < 0 || (uint32_t)n >= pcre2_get_ovector_count(it->md))
		return false;
	if (it->ov[2 * n] == PCRE2_UNSET)
		return false;
	*start = it->ov[2 * n];
	*end = it->ov[2 * n + 1];
	return true;
}

void regex_iter_free(struct regex_iter *it)
{
	pcre2_match_data_free(it->md);
	it->md = NULL;
}
