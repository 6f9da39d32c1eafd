#include <stdio.h>

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
	/* 100 bytes: a 32-byte block, a 16-byte one and a tail of single bytes */
	for (size_t at = 0; at + 5 <= 100; at++) {
		memset(text, '.', 100);
		memcpy(text + at, "ocpay", 5);
		text[100] = '\0';
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

/* The rules' keywords, one-byte words and words sharing their rarest pairs, on random
 * texts, against a plain search. */
static bool naive_has(const char *text, size_t len, const char *word)
{
	size_t n = strlen(word);
	for (size_t i = 0; i + n <= len; i++) {
		size_t j = 0;
		while (j < n) {
			char c = text[i + j];
			if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != word[j])
				break;
			j++;
		}
		if (j == n)
			return true;
	}
	return false;
}

TEST(agrees_with_a_plain_search_on_random_texts)
{
	static char *many[] = {"oneclickdz", "oneclick_api", "ocpay", "x-access-token", "createlink",
			       "create_link", "checkpayment", "sk_live_", "sk_test_", "flexy",
			       "paymentref", "->job(", "::command(", "recurringmessage", "q", "_",
			       "zz", "ab", "ba", "\x7f"};
	size_t n = sizeof many / sizeof many[0];
	struct literal_set *set = literal_set_new(many, n);
	CHECK(set != NULL);
	static const char alphabet[] = "aBbAzZqQ_-:>()\x7f\n\t kKoOnNeEcClLiIdDsS";
	unsigned seed = 7;
	char text[300];
	for (int round = 0; round < 3000; round++) {
		size_t len = (size_t)(round % 290);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			text[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
		}
		/* now and then a whole word somewhere */
		seed = seed * 1103515245u + 12345u;
		const char *w = many[(seed >> 16) % n];
		if (len > strlen(w) && round % 3 == 0)
			memcpy(text + (seed >> 8) % (len - strlen(w)), w, strlen(w));
		uint64_t got[2] = {0, 0}, want = 0;
		literal_set_scan(set, text, len, got);
		for (size_t k = 0; k < n; k++)
			want |= (uint64_t)naive_has(text, len, many[k]) << k;
		if (got[0] != want) {
			fprintf(stderr, "round %d: got %llx, want %llx\n", round,
				(unsigned long long)got[0], (unsigned long long)want);
			CHECK(false);
			break;
		}
	}
	CHECK(literal_set_has(set, 0));
	literal_set_free(set);
	char *some[] = {"", "ocpay"};
	set = literal_set_new(some, 2);
	CHECK(!literal_set_has(set, 0)); /* an empty word is not searched */
	CHECK(literal_set_has(set, 1));
	literal_set_free(set);
}

RUN_TESTS(T(finds_each_word_in_any_case), T(finds_words_across_vector_blocks_and_at_the_edges),
	  T(all_words_at_once), T(agrees_with_a_plain_search_on_random_texts))
