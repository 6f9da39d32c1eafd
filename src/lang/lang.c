#include "lang/lang.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[LANG_COUNT] = {"text", "javascript", "typescript", "tsx",
					      "php", "python"};

static const struct {
	const char *ext;
	enum lang lang;
} extensions[] = {
	{".js", LANG_JAVASCRIPT}, {".mjs", LANG_JAVASCRIPT}, {".cjs", LANG_JAVASCRIPT},
	/* The javascript grammar parses JSX; .ts files must not, so .tsx has its own. */
	{".jsx", LANG_JAVASCRIPT}, {".ts", LANG_TYPESCRIPT}, {".mts", LANG_TYPESCRIPT},
	{".cts", LANG_TYPESCRIPT}, {".tsx", LANG_TSX},
	/* .blade.php and wp-config.php are PHP too. */
	{".php", LANG_PHP}, {".phtml", LANG_PHP}, {".py", LANG_PYTHON},
};

enum lang lang_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	if (!dot || dot == base)
		return LANG_TEXT;
	/* Type declarations hold no values worth reading. */
	if (lang_is_page(path))
		return LANG_JAVASCRIPT;
	size_t n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".d.ts") == 0)
		return LANG_TEXT;
	for (size_t i = 0; i < sizeof extensions / sizeof extensions[0]; i++)
		if (strcmp(dot, extensions[i].ext) == 0)
			return extensions[i].lang;
	return LANG_TEXT;
}

bool lang_is_js(enum lang l)
{
	return l == LANG_JAVASCRIPT || l == LANG_TYPESCRIPT || l == LANG_TSX;
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

/* Twig (.twig, .html.twig) and Jinja2 (.jinja, .jinja2, .j2) templates are pages too;
 * Django's templates are .html. */
static const char *const page_extensions[] = {".html", ".htm",	  ".vue", ".svelte",
					      ".twig", ".jinja", ".jinja2", ".j2"};

bool lang_is_page(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *dot = strrchr(base ? base + 1 : path, '.');
	if (!dot)
		return false;
	for (size_t i = 0; i < sizeof page_extensions / sizeof page_extensions[0]; i++)
		if (strcmp(dot, page_extensions[i]) == 0)
			return true;
	return false;
}

static unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Case-insensitive search for needle (lower case) in [p, end). Every PHP file is searched
 * for "<script": its first byte is found with memchr (both cases of a letter), the rest
 * compared where it occurs. */
static const char *find_ci(const char *p, const char *end, const char *needle)
{
	size_t n = strlen(needle);
	unsigned char first = (unsigned char)needle[0];
	unsigned char upper = first >= 'a' && first <= 'z' ? (unsigned char)(first - 32) : first;
	while (n && end - p >= (ptrdiff_t)n) {
		const char *last = end - n + 1; /* a match starts before it */
		const char *hit = memchr(p, first, (size_t)(last - p));
		if (upper != first) {
			const char *up = memchr(p, upper, (size_t)((hit ? hit : last) - p));
			if (up)
				hit = up;
		}
		if (!hit)
			return NULL;
		size_t i = 1;
		while (i < n && ascii_lower((unsigned char)hit[i]) == (unsigned char)needle[i])
			i++;
		if (i == n)
			return hit;
		p = hit + 1;
	}
	return n ? NULL : p;
}

/* Whether an opening <script ...> tag holds JavaScript (no type, or a JS/module type). */
static bool script_is_code(const char *tag, const char *tag_end, enum lang *lang)
{
	if (find_ci(tag, tag_end, "lang=\"ts\"") || find_ci(tag, tag_end, "lang='ts'") ||
	    find_ci(tag, tag_end, "lang=\"typescript\""))
		*lang = LANG_TYPESCRIPT;
	const char *type = find_ci(tag, tag_end, "type=");
	if (!type)
		return true;
	return find_ci(type, tag_end, "javascript") || find_ci(type, tag_end, "module") ||
	       find_ci(type, tag_end, "babel") || find_ci(type, tag_end, "jsx") ||
	       find_ci(type, tag_end, "typescript");
}

/* The template syntax of Blade, Twig, Jinja2 and Django inside a script block: a tag
 * ({% if %}, {# note #}) is blanked, an output ({{ value }}) becomes a 0 padded with
 * spaces, so the JavaScript around it still parses (`const total = {{ order.total }};`,
 * `"{{ url }}"`). Newlines are kept; an output that spans lines is left alone. */
static void blank_template_tags(char *s, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (s[i] != '{' || (s[i + 1] != '%' && s[i + 1] != '#' && s[i + 1] != '{'))
			continue;
		char open = s[i + 1];
		char close = open == '{' ? '}' : open;
		size_t j = i + 2;
		while (j + 1 < len && !(s[j] == close && s[j + 1] == '}') &&
		       (open != '{' || s[j] != '\n'))
			j++;
		if (j + 1 >= len || s[j] != close || s[j + 1] != '}')
			continue;
		for (size_t k = i; k <= j + 1; k++)
			if (s[k] != '\n')
				s[k] = ' ';
		if (open == '{')
			s[i] = '0';
		i = j + 1;
	}
}

bool lang_php_has_scripts(const char *src, size_t len)
{
	return find_ci(src, src + len, "<script") != NULL;
}

char *lang_page_scripts(const char *src, size_t len, enum lang *lang)
{
	char *out = malloc(len + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++)
		out[i] = src[i] == '\n' ? '\n' : ' ';
	out[len] = '\0';
	*lang = LANG_JAVASCRIPT;
	const char *end = src + len;
	for (const char *p = src; (p = find_ci(p, end, "<script"));) {
		const char *tag_end = memchr(p, '>', (size_t)(end - p));
		if (!tag_end)
			break;
		const char *body = tag_end + 1;
		const char *close = find_ci(body, end, "</script");
		if (!close)
			close = end;
		if (script_is_code(p, tag_end, lang)) {
			memcpy(out + (body - src), body, (size_t)(close - body));
			if (!find_ci(p, tag_end, "babel") && !find_ci(p, tag_end, "jsx"))
				blank_template_tags(out + (body - src), (size_t)(close - body));
		}
		p = close;
	}
	return out;
}
