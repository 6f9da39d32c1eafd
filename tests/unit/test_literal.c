#include "core/literal.h"
#include "harness.h"

static char *words[] = {"sk_live_", "sk_sandbox_", "oneclick", "ocpay", "x-access-token"};

static uint64_t scan(const struct literal_set *set, const char *text)
{
	uint64_t found[2] = {0, 0};
	literal_set_scan(set, text, strlen(text), found);
	return found[0];
}

TEST(finds_each_word_in_any_case)
{
	struct literal_set *set = literal_set_new(words, 5);
	CHECK(set != NULL);
	CHECK_INT(scan(set, "const k = 'sk_live_abc'"), 1);
	CHECK_INT(scan(set, "SK_SANDBOX_X"), 2);
	CHECK_INT(scan(set, "import { OneClick } from 'x'"), 4);
	CHECK_INT(scan(set, "new OCPay(key)"), 8);
	CHECK_INT(scan(set, "headers: {'X-Access-Token': k}"), 16);
	CHECK_INT(scan(set, "nothing here at all, just words: key, yes, six"), 0);
	literal_set_free(set);
}

TEST(finds_words_across_vector_blocks_and_at_the_edges)
{
	struct literal_set *set = literal_set_new(words, 5);
	char text[200];
	for (size_t at = 0; at + 5 <= 64; at++) {
		memset(text, '.', 64);
		memcpy(text + at, "ocpay", 5);
		text[64] = '\0';
		if (scan(set, text) != 8) {
			fprintf(stderr, "missed at offset %zu\n", at);
			CHECK(false);
		}
	}
	CHECK_INT(scan(set, "ocpa"), 0); /* truncated at the end */
	CHECK_INT(scan(set, "ocpay"), 8);
	literal_set_free(set);
}

TEST(all_words_at_once)
{
	struct literal_set *set = literal_set_new(words, 5);
	CHECK_INT(scan(set, "sk_live_ sk_sandbox_ ONECLICK OcPaY X-ACCESS-TOKEN"), 31);
	literal_set_free(set);
}

RUN_TESTS(T(finds_each_word_in_any_case), T(finds_words_across_vector_blocks_and_at_the_edges),
	  T(all_words_at_once))
