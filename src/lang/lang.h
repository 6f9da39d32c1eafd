/* Which language a file is read as. LANG_TEXT is every file no grammar parses:
 * env files, YAML, JSON, shell. Pages (.html, .vue, .svelte, and Twig and Jinja2
 * templates) are read as JavaScript through their <script> blocks, and as text too. PHP
 * files are read as PHP, and the <script> blocks of the HTML they hold as browser
 * JavaScript. */
#ifndef OCPAY_LANG_H
#define OCPAY_LANG_H

enum lang {
	LANG_TEXT,
	LANG_JAVASCRIPT,
	LANG_TYPESCRIPT,
	LANG_TSX,
	LANG_PHP,
	LANG_PYTHON,
	LANG_COUNT
};

#define LANG_BIT(l) (1u << (l))
#define LANG_ALL ((1u << LANG_COUNT) - 1)

#include <stdbool.h>
#include <stddef.h>

enum lang lang_from_path(const char *path);
/* JavaScript, TypeScript or TSX: the languages of modules that import each other. */
bool lang_is_js(enum lang l);
/* Whether a PHP file holds <script> blocks (HTML with PHP in it, a Blade template). */
bool lang_php_has_scripts(const char *src, size_t len);
/* Whether path is a page whose <script> blocks hold the code (.html .htm .vue .svelte
 * .twig .jinja .jinja2 .j2). */
bool lang_is_page(const char *path);
/* For a page: a copy of src of the same length where everything outside the JavaScript
 * <script> blocks is blanked (newlines kept, so offsets and lines stay true), and so are
 * the template tags inside them ({{ }} becomes a 0, {% %} and {# #} spaces). Sets
 * *lang to LANG_TYPESCRIPT when a block says lang="ts". NULL when out of memory. */
char *lang_page_scripts(const char *src, size_t len, enum lang *lang);
const char *lang_name(enum lang l);
/* Accepts a language name, "text" or "any"; sets *mask. Returns 0, or -1 if unknown. */
int lang_parse_mask(unsigned *mask, const char *name);

#endif
