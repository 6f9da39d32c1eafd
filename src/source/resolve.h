/* Resolving JavaScript/TypeScript module specifiers to files of the scanned list, the
 * way bundlers and Node do for project code: relative paths ("./pay", "../lib/db.js"),
 * extensions tried in order (.ts .tsx .js .jsx .mjs .cjs .mts .cts), a .js written for
 * a .ts file, index files of folders, and tsconfig/jsconfig "paths" with "baseUrl".
 * Packages (bare specifiers without a matching alias) resolve to nothing. */
#ifndef OCPAY_RESOLVE_H
#define OCPAY_RESOLVE_H

#include <stddef.h>

#include "source/files.h"

struct alias {
	char *prefix;	/* "@/" for the pattern "@/" + '*' */
	char *target;	/* "src/" for "./src/" + '*', relative to the root */
	int wildcard;	/* the pattern ends in '*' */
};

struct resolver {
	const struct file_list *files; /* sorted by path */
	struct alias *aliases;
	size_t naliases;
	char *base_url; /* "src/" or "" or NULL */
};

/* Reads tsconfig.json or jsconfig.json from the root folder (root ends with '/', or is
 * NULL). A missing or unreadable config just means no aliases. */
int resolver_init(struct resolver *r, const struct file_list *files, const char *root);
/* Sets the aliases from a tsconfig text (comments and trailing commas allowed). */
int resolver_load_config(struct resolver *r, const char *text, size_t len);
void resolver_free(struct resolver *r);

/* The index in files of the module spec imported by the file from; -1 when none. */
long resolve_import(const struct resolver *r, const char *from, const char *spec, size_t len);

/* Calls fn for each module specifier a JavaScript file names in an import, export ...
 * from, require() or import() that could be project code (relative, or aliased).
 * A text scan, no parse: cheap enough for every file of a large tree. */
typedef void (*import_fn)(void *ctx, const char *spec, size_t len);
void resolver_list_imports(const struct resolver *r, const char *data, size_t len, import_fn fn,
			   void *ctx);

#endif
