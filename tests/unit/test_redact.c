#include <stdlib.h>

#include "core/redact.h"
#include "harness.h"

static char *red(const struct redactor *r, const char *s)
{
	return redact_text(r, s, strlen(s), NULL, 0, NULL, 0, NULL);
}

TEST(shapes_are_masked_without_a_limit)
{
	/* the same key 80 times on one line: every one masked */
	char line[4096] = "";
	for (int i = 0; i < 80; i++)
		strcat(line, "\"sk_live_9fK2mQ7xR4tL8vN3\",");
	char *out = red(NULL, line);
	CHECK(out && !strstr(out, "sk_live_9fK2mQ7x"));
	size_t masks = 0;
	for (const char *p = out; p && (p = strstr(p, "sk_live_9f***(24 chars)")); p++)
		masks++;
	CHECK_INT(masks, 80);
	free(out);
	char *b64 = red(NULL, "data: c2tfc2FuZGJveF9BOGQ3Rmgz");
	CHECK_STR(b64, "data: c2t***(24 chars)");
	free(b64);
	/* a word about keys is not a key */
	char *word = red(NULL, "an sk_live_... key, sk_test_ prefix");
	CHECK_STR(word, "an sk_live_... key, sk_test_ prefix");
	free(word);
}

TEST(known_secrets_are_masked_anywhere)
{
	struct redactor r = {0};
	CHECK_INT(redactor_add(&r, "3f2b8c1e-9a4d-4e7b-8c2f-1a2b3c4d5e6f", 36), 0);
	CHECK_INT(redactor_add(&r, "short", 5), 0); /* a word: ignored */
	CHECK_INT(redactor_add(&r, "3f2b8c1e-9a4d-4e7b-8c2f-1a2b3c4d5e6f", 36), 0);
	redactor_seal(&r);
	CHECK_INT(r.len, 1);
	char *path = red(&r, "public/3f2b8c1e-9a4d-4e7b-8c2f-1a2b3c4d5e6f.html: short");
	CHECK_STR(path, "public/3f2***(36 chars).html: short");
	free(path);
	r.reveal = true;
	char *shown = red(&r, "3f2b8c1e-9a4d-4e7b-8c2f-1a2b3c4d5e6f sk_live_9fK2mQ7xR4tL8vN3");
	CHECK_STR(shown, "3f2b8c1e-9a4d-4e7b-8c2f-1a2b3c4d5e6f sk_live_9fK2mQ7xR4tL8vN3");
	free(shown);
	redactor_free(&r);
}

TEST(marks_follow_the_text)
{
	/* [start, end) pairs: a mark inside a masked key moves to its edge */
	const char *s = "k = \"sk_live_9fK2mQ7xR4tL8vN3\"; fetch(u)";
	size_t marks[4] = {4, 30, 10, 38};
	char *out = redact_text(NULL, s, strlen(s), NULL, 0, marks, 4, NULL);
	CHECK_STR(out, "k = \"sk_live_9f***(24 chars)\"; fetch(u)");
	CHECK_INT(marks[0], 4);
	CHECK_INT(marks[1], 29);
	CHECK_INT(marks[2], 5);
	CHECK_INT(marks[3], 37);
	free(out);
	/* a forced range: a key assembled from pieces, shown as the key it makes */
	const char *e = "k = \"sk_live_\" + \"9fK2mQ7xR4tL8vN3\";";
	struct redact_range f = {4, 35, "sk_live_9fK2mQ7xR4tL8vN3"};
	char *forced = redact_text(NULL, e, strlen(e), &f, 1, NULL, 0, NULL);
	CHECK_STR(forced, "k = sk_live_9f***(24 chars);");
	free(forced);
}

RUN_TESTS(T(shapes_are_masked_without_a_limit), T(known_secrets_are_masked_anywhere),
	  T(marks_follow_the_text))
