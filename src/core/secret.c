#define _GNU_SOURCE /* memmem */
#include "core/secret.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *prefix;
	enum key_kind kind;
} prefixes[] = {
	{"sk_live_", KEY_LIVE},
	{"sk_sandbox_", KEY_SANDBOX},
	{"sk_test_", KEY_SANDBOX},
};

static size_t prefix_len(const char *s, size_t n, enum key_kind *kind)
{
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		size_t pl = strlen(prefixes[i].prefix);
		if (n >= pl && memcmp(s, prefixes[i].prefix, pl) == 0) {
			if (kind)
				*kind = prefixes[i].kind;
			return pl;
		}
	}
	if (kind)
		*kind = KEY_UNKNOWN;
	return 0;
}

enum key_kind secret_kind(const char *s, size_t n)
{
	enum key_kind kind;
	prefix_len(s, n, &kind);
	return kind;
}

const char *secret_kind_name(enum key_kind kind)
{
	switch (kind) {
	case KEY_LIVE:
		return "live";
	case KEY_SANDBOX:
		return "sandbox";
	default:
		return "unknown";
	}
}

static bool contains_ci(const char *s, size_t n, const char *word)
{
	size_t wl = strlen(word);
	for (size_t i = 0; i + wl <= n; i++) {
		size_t j = 0;
		while (j < wl && tolower((unsigned char)s[i + j]) == word[j])
			j++;
		if (j == wl)
			return true;
	}
	return false;
}

/* Words that only ever appear in stand-in values, never in a key issued by the API. */
static const char *const placeholder_words[] = {
	"your", "xxx", "changeme", "change_me", "change-me", "placeholder", "example",
	"dummy", "fake", "replace", "insert", "redacted", "todo", "***", "<", ">",
	"key_here", "token_here", "secret_here", "here_", "...",
};

/* References to a value kept elsewhere, and template expressions filled in when the file
 * is rendered ({{ port }}, ${PORT}, <%= key %>), wherever they sit in the value. */
static const char *const reference_marks[] = {
	"process.env", "import.meta.env", "os.environ", "getenv", "env(", "config(",
	"secrets.", "vault:", "ssm:", "{{", "${", "<%", "{%",
};

static bool looks_sequential_or_flat(const char *s, size_t n)
{
	if (n == 0)
		return true;
	size_t successors = 0;
	bool seen[256] = {false};
	size_t distinct = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)tolower((unsigned char)s[i]);
		if (!seen[c]) {
			seen[c] = true;
			distinct++;
		}
		if (i && c == (unsigned char)tolower((unsigned char)s[i - 1]) + 1)
			successors++;
	}
	/* Random keys almost never have a character followed by its successor; abc123 and
	 * 1234567890 are mostly that. Four distinct characters or fewer is a filler. */
	return successors * 10 >= n * 6 || distinct <= 4;
}

/* window.OCPAY_KEY, config.ocpay.apiKey, this.key: a reference in code, not a value. */
static bool is_dotted_reference(const char *s, size_t n)
{
	bool dot = false, start = true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (start)
				return false;
			dot = start = true;
		} else if (isalpha(c) || c == '_' || c == '$' || (!start && isdigit(c))) {
			start = false;
		} else {
			return false;
		}
	}
	return dot && !start;
}

/* OCPAY_API_KEY in `'X-Access-Token' => OCPAY_API_KEY`: a constant's name, not its value. */
static bool is_constant_name(const char *s, size_t n)
{
	bool underscore = false;
	size_t letters = 0;
	if (!isupper((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '_')
			underscore = true;
		else if (isupper(c))
			letters++;
		else if (!isdigit(c))
			return false;
	}
	return underscore && letters * 4 >= n * 3;
}

/* 'ocpay_api_key', 'woocommerce_ocpay_settings': an option or setting's name, which
 * WordPress and Laravel code keeps in key-named constants. Issued keys have digits. */
static bool is_snake_name(const char *s, size_t n)
{
	bool sep = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '_' || c == '-' || c == '.')
			sep = true;
		else if (!islower(c))
			return false;
	}
	return sep;
}

/* 'ocpay-prod-key-v2', 'shop.ocpay.key2': a name made of short lowercase words, each
 * perhaps numbered. An issued key has long runs of mixed letters and digits. */
static bool is_name(const char *s, size_t n)
{
	size_t segments = 0;
	for (size_t i = 0; i < n;) {
		size_t letters = 0, digits = 0;
		while (i < n && islower((unsigned char)s[i]) && !digits)
			letters++, i++;
		while (i < n && isdigit((unsigned char)s[i]))
			digits++, i++;
		if ((!letters && !digits) || letters > 12 || digits > 4)
			return false;
		segments++;
		if (i == n)
			break;
		if (s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
		i++;
	}
	return segments >= 2;
}

/* prod/shop/ocpay, projects/shop/secrets/ocpay/versions/latest: the path of a secret in
 * a secrets manager (lowercase words, not the mixed case of base64). */
static bool is_path(const char *s, size_t n)
{
	size_t slashes = 0, run = 0, longest = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '/') {
			slashes++;
			run = 0;
		} else if (islower(c)) {
			if (++run > longest)
				longest = run;
		} else if (isdigit(c) || c == '-' || c == '_' || c == '.') {
			run = 0;
		} else {
			return false;
		}
	}
	return slashes && longest >= 3;
}

/* After a vendor's prefix (whsec_, pk_test_, xoxb-), the part a key's randomness is in. */
static size_t vendor_prefix(const char *s, size_t n)
{
	size_t end = 0;
	for (int seg = 0; seg < 3; seg++) {
		size_t i = end, letters = 0;
		while (i < n && isalpha((unsigned char)s[i]) && letters <= 12)
			i++, letters++;
		if (!letters || letters > 12 || i >= n || (s[i] != '_' && s[i] != '-'))
			break;
		end = i + 1;
	}
	return end;
}

/* 'Content-Type', 'X-Request-Id': a header's name, capitalised words joined by hyphens,
 * which sits beside the key in a header list. */
static bool is_header_name(const char *s, size_t n)
{
	bool hyphen = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '-') {
			if (i == 0 || i + 1 == n || s[i - 1] == '-')
				return false;
			hyphen = true;
		} else if (i == 0 || s[i - 1] == '-') {
			if (!isupper(c))
				return false;
		} else if (!islower(c)) {
			return false;
		}
	}
	return hyphen;
}

bool secret_is_placeholder(const char *s, size_t n, size_t min_len)
{
	while (n && (s[0] == '"' || s[0] == '\'' || s[0] == '`')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == '"' || s[n - 1] == '\'' || s[n - 1] == '`'))
		n--;
	if (n == 0)
		return true;
	if (s[0] == '$' || s[0] == '{' || s[0] == '%' || s[0] == '#' || s[0] == '@')
		return true;
	/* A key is printable ASCII with no space: a value with a space or a non-ASCII
	 * letter is text (a label, a translation of "API key"), not a key. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return true;
	/* A value ending in an ellipsis is a truncated example from the docs. */
	if ((n >= 3 && memcmp(s + n - 3, "\xe2\x80\xa6", 3) == 0) ||
	    (n >= 2 && memcmp(s + n - 2, "..", 2) == 0))
		return true;
	for (size_t i = 0; i < sizeof placeholder_words / sizeof placeholder_words[0]; i++)
		if (contains_ci(s, n, placeholder_words[i]))
			return true;
	for (size_t i = 0; i < sizeof reference_marks / sizeof reference_marks[0]; i++)
		if (contains_ci(s, n, reference_marks[i]))
			return true;
	if (is_dotted_reference(s, n) || is_constant_name(s, n) || is_snake_name(s, n) ||
	    is_header_name(s, n) || is_name(s, n) || is_path(s, n))
		return true;
	/* https://api.oneclickdz.com, arn:aws:secretsmanager:...: an address, not a key. */
	if (memmem(s, n, "://", 3) || (n > 4 && !strncasecmp(s, "arn:", 4)))
		return true;
	size_t pl = prefix_len(s, n, NULL);
	const char *body = s + pl;
	size_t bn = n - pl;
	if (pl == 0 && n < min_len)
		return true;
	if (pl && bn < 8)
		return true;
	/* another vendor's prefix: whsec_ followed by 64 zeros is still a filler */
	size_t vp = pl ? 0 : vendor_prefix(s, n);
	if (vp && vp < n && looks_sequential_or_flat(s + vp, n - vp))
		return true;
	return looks_sequential_or_flat(body, bn);
}

char *secret_redact(const char *s, size_t n, bool reveal)
{
	if (reveal) {
		char *out = malloc(n + 1);
		if (out) {
			memcpy(out, s, n);
			out[n] = '\0';
		}
		return out;
	}
	size_t pl = prefix_len(s, n, NULL);
	size_t show = pl + (n - pl >= 16 ? 2 : 0);
	if (pl == 0)
		show = n >= 16 ? 3 : 0;
	/* never cut a UTF-8 sequence: what is shown stays valid text */
	while (show && show < n && ((unsigned char)s[show] & 0xc0) == 0x80)
		show--;
	char *out = malloc(show + 32);
	if (out)
		snprintf(out, show + 32, "%.*s***(%zu chars)", (int)show, s, n);
	return out;
}
