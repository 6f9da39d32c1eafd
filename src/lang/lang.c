#include "lang/lang.h"

#include <string.h>

static const char *const names[LANG_COUNT] = {"text", "javascript", "typescript", "tsx"};

static const struct {
	const char *ext;
	enum lang lang;
} extensions[] = {
	{".js", LANG_JAVASCRIPT}, {".mjs", LANG_JAVASCRIPT}, {".cjs", LANG_JAVASCRIPT},
	/* The javascript grammar parses JSX; .ts files must not, so .tsx has its own. */
	{".jsx", LANG_JAVASCRIPT}, {".ts", LANG_TYPESCRIPT}, {".mts", LANG_TYPESCRIPT},
	{".cts", LANG_TYPESCRIPT}, {".tsx", LANG_TSX},
};

enum lang lang_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	if (!dot || dot == base)
		return LANG_TEXT;
	/* Type declarations hold no values worth reading. */
	size_t n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".d.ts") == 0)
		return LANG_TEXT;
	for (size_t i = 0; i < sizeof extensions / sizeof extensions[0]; i++)
		if (strcmp(dot, extensions[i].ext) == 0)
			return extensions[i].lang;
	return LANG_TEXT;
}

const char *lang_name(enum lang l)
{
	return l < LANG_COUNT ? names[l] : "?";
}

int lang_parse_mask(unsigned *mask, const char *name)
{
	if (strcmp(name, "any") == 0) {
		*mask = LANG_ALL;
		return 0;
	}
	for (int i = 0; i < LANG_COUNT; i++) {
		if (strcmp(name, names[i]) == 0) {
			*mask = LANG_BIT(i);
			return 0;
		}
	}
	return -1;
}
