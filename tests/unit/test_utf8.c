/* Text as the detectors read it: UTF-16 with a byte order mark decoded, a UTF-8 one left
 * out, anything else as it is. */
#include "core/utf8.h"

#include <stdlib.h>
#include <string.h>

#include "harness.h"

static const char *decode(const char *data, size_t n, size_t *len, char **owned)
{
	const char *text = NULL;
	if (utf8_from_file(&text, len, owned, data, n) < 0)
		return NULL;
	return text;
}

TEST(utf16_little_and_big_endian)
{
	static const char le[] = "\xff\xfe" "K\0=\0" "v\0\r\0\n\0" "\xe9\0" "\x3d\xd8\x00\xde";
	static const char be[] = "\xfe\xff" "\0K\0=" "\0v\0\n" "\0\xe9" "\xd8\x3d\xde\x00";
	size_t len;
	char *owned;
	const char *t = decode(le, sizeof le - 1, &len, &owned);
	/* é is two bytes, U+1F600 (a surrogate pair) four; line breaks stay */
	CHECK_STR(t, "K=v\r\n\xc3\xa9\xf0\x9f\x98\x80");
	CHECK_INT(len, 11);
	CHECK(owned == t);
	free(owned);
	t = decode(be, sizeof be - 1, &len, &owned);
	CHECK_STR(t, "K=v\n\xc3\xa9\xf0\x9f\x98\x80");
	free(owned);
}

TEST(utf16_damage_becomes_replacement_characters)
{
	/* an unpaired high surrogate, a lone low one, then an odd last byte */
	static const char le[] = "\xff\xfe" "\x00\xd8" "A\0" "\x00\xdc" "B";
	size_t len;
	char *owned;
	const char *t = decode(le, sizeof le - 1, &len, &owned);
	CHECK_STR(t, "\xef\xbf\xbd" "A" "\xef\xbf\xbd" "\xef\xbf\xbd");
	free(owned);
	t = decode("\xff\xfe", 2, &len, &owned);
	CHECK_STR(t, "");
	CHECK_INT(len, 0);
	free(owned);
}

TEST(utf8_mark_left_out_and_other_text_untouched)
{
	static const char bom[] = "\xef\xbb\xbfKEY=1\n";
	size_t len;
	char *owned;
	const char *t = decode(bom, sizeof bom - 1, &len, &owned);
	CHECK(t == bom + 3);
	CHECK(owned == NULL);
	CHECK_INT(len, 6);
	static const char plain[] = "KEY=1\n\xff";
	t = decode(plain, sizeof plain - 1, &len, &owned);
	CHECK(t == plain);
	CHECK(owned == NULL);
	CHECK_INT(len, 7);
}

RUN_TESTS(T(utf16_little_and_big_endian), T(utf16_damage_becomes_replacement_characters),
	  T(utf8_mark_left_out_and_other_text_untouched))
