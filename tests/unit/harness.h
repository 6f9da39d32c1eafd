/* A small test harness: TEST(name) functions, CHECK macros that report file:line and go
 * on, and RUN_TESTS() for main(). Prints "N passed, M failed" and exits non-zero on
 * failure. */
#ifndef OCPAY_HARNESS_H
#define OCPAY_HARNESS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int harness_failed_checks;

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			harness_failed_checks++;                                      \
		}                                                                     \
	} while (0)

#define CHECK_STR(got, want)                                                          \
	do {                                                                          \
		const char *g_ = (got), *w_ = (want);                                 \
		if (!g_ || strcmp(g_, w_)) {                                          \
			fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__,  \
				__LINE__, g_ ? g_ : "(null)", w_);                    \
			harness_failed_checks++;                                      \
		}                                                                     \
	} while (0)

#define CHECK_INT(got, want)                                                          \
	do {                                                                          \
		long long g_ = (long long)(got), w_ = (long long)(want);              \
		if (g_ != w_) {                                                       \
			fprintf(stderr, "%s:%d: %s is %lld, want %lld\n", __FILE__,    \
				__LINE__, #got, g_, w_);                              \
			harness_failed_checks++;                                      \
		}                                                                     \
	} while (0)

struct harness_test {
	const char *name;
	void (*fn)(void);
};

#define TEST(name) static void name(void)

#define RUN_TESTS(...)                                                                \
	int main(void)                                                                \
	{                                                                             \
		static const struct harness_test tests_[] = {__VA_ARGS__};            \
		int passed = 0, failed = 0;                                           \
		for (size_t i = 0; i < sizeof tests_ / sizeof tests_[0]; i++) {       \
			int before = harness_failed_checks;                           \
			tests_[i].fn();                                               \
			if (harness_failed_checks == before) {                        \
				passed++;                                             \
			} else {                                                      \
				failed++;                                             \
				fprintf(stderr, "FAIL %s\n", tests_[i].name);         \
			}                                                             \
		}                                                                     \
		printf("%d passed, %d failed\n", passed, failed);                     \
		return failed ? 1 : 0;                                                \
	}
#define T(fn) {#fn, fn}

#endif
