/* Secrets: their kind, the placeholder test, and the redacted form every output shows,
 * which must reveal no more than the kind prefix and two characters (three without a
 * prefix) and end with the length. */
#include "fuzz.h"

#include "core/secret.h"

static size_t kind_prefix(const char *s, size_t n)
{
	static const char *const prefixes[] = {"sk_live_", "sk_sandbox_", "sk_test_"};
	for (size_t i = 0; i < 3; i++) {
		size_t pl = strlen(prefixes[i]);
		if (n >= pl && !memcmp(s, prefixes[i], pl))
			return pl;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	size_t min_len = data[0] % 64;
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	enum key_kind kind = secret_kind(s, n);
	if (!secret_kind_name(kind))
		abort();
	secret_is_placeholder(s, n, min_len);

	char *shown = secret_redact(s, n, true);
	if (!shown || memcmp(shown, s, n) || shown[n])
		abort();
	free(shown);

	char *red = secret_redact(s, n, false);
	if (!red)
		abort();
	size_t pl = kind_prefix(s, n);
	size_t reveal = pl ? pl + 2 : 3;
	char tail[48];
	snprintf(tail, sizeof tail, "***(%zu chars)", n);
	const char *stars = strstr(red, tail);
	size_t clear = stars ? (size_t)(stars - red) : (size_t)-1;
	/* The clear part is a prefix of the secret (up to a NUL in it), no longer than the
	 * kind prefix and two characters, and the length follows it. */
	if (!stars || strcmp(stars, tail) || clear > reveal || clear > n || memcmp(red, s, clear) ||
	    (n < 16 && clear > pl)) {
		fprintf(stderr, "fuzz: secret of %zu bytes redacted as \"%s\"\n", n, red);
		abort();
	}
	free(red);
	return 0;
}
