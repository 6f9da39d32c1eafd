/* Which language a file is read as. LANG_TEXT is every file no grammar parses:
 * env files, YAML, JSON, PHP, Python, shell, HTML for now. */
#ifndef OCPAY_LANG_H
#define OCPAY_LANG_H

enum lang { LANG_TEXT, LANG_JAVASCRIPT, LANG_TYPESCRIPT, LANG_TSX, LANG_COUNT };

#define LANG_BIT(l) (1u << (l))
#define LANG_ALL ((1u << LANG_COUNT) - 1)

enum lang lang_from_path(const char *path);
const char *lang_name(enum lang l);
/* Accepts a language name, "text" or "any"; sets *mask. Returns 0, or -1 if unknown. */
int lang_parse_mask(unsigned *mask, const char *name);

#endif
