/* Module specifiers: the text scan that finds imports and their resolution against a small
 * project (relative paths, extensions, index files, tsconfig "paths" and "baseUrl").
 * Input: the importing file's path on the first line, its content after it, as for
 * fuzz_scan_js (the fixtures' JavaScript seeds both). */
#include "fuzz.h"

#include "source/resolve.h"

struct imports {
	const struct resolver *r;
	const char *from, *data;
	size_t len;
};

static void check(void *ctx, const char *spec, size_t len)
{
	const struct imports *im = ctx;
	/* a specifier is a piece of the text, never empty */
	if (!len || spec < im->data || len > im->len || spec > im->data + im->len - len)
		abort();
	long i = resolve_import(im->r, im->from, spec, len);
	if (i < -1 || i >= (long)im->r->files->len)
		abort();
}

static const struct resolver *project(void)
{
	static struct file_list files;
	static struct resolver r;
	static const char *const paths[] = {"lib/index.ts", "pay.js",	   "src/a.js",
					    "src/b/index.tsx", "src/c.ts", "src/d.mjs"};
	static const char config[] = "{\"compilerOptions\": {\"baseUrl\": \".\", \"paths\": "
				     "{\"@/*\": [\"src/*\"], \"~lib\": [\"lib/index\"]}}}";
	if (r.files)
		return &r;
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		if (file_list_add(&files, paths[i], strlen(paths[i]), FILE_TRACKED) < 0)
			abort();
	file_list_sort(&files);
	if (resolver_init(&r, &files, NULL) < 0 ||
	    resolver_load_config(&r, config, sizeof config - 1) < 0)
		abort();
	return &r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[256];
	const char *content;
	size_t len;
	if (fuzz_split_path(data, size, path, &content, &len) < 0)
		return 0;
	/* The scan reads files NUL-terminated. */
	char *copy = malloc(len + 1);
	if (!copy)
		abort();
	memcpy(copy, content, len);
	copy[len] = '\0';
	struct imports im = {project(), path, copy, len};
	resolver_list_imports(im.r, copy, len, check, &im);
	free(copy);
	return 0;
}
