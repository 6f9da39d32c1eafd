/* Module specifiers to files: relative paths, extensions, index files, .js written for
 * .ts, tsconfig paths and baseUrl; and finding the specifiers in source text. */
#include <stdlib.h>

#include "harness.h"
#include "source/resolve.h"

static const char *const paths[] = {
	"api/pay.ts",	   "lib/db.ts",	       "lib/ocpay/index.js", "lib/ocpay/client.mjs",
	"shared/config.js", "src/components/Pay.tsx", "src/lib/api.ts", "src/utils.js",
	"src/utils.ts",	   "web/src/main.jsx",
};

static struct file_list files;

static void make_files(void)
{
	if (files.len)
		return;
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		file_list_add(&files, paths[i], strlen(paths[i]), 0);
	file_list_sort(&files);
}

static const char *resolve(const struct resolver *r, const char *from, const char *spec)
{
	long i = resolve_import(r, from, spec, strlen(spec));
	return i < 0 ? "(none)" : files.items[i].path;
}

TEST(relative_paths_and_extensions)
{
	make_files();
	struct resolver r;
	resolver_init(&r, &files, NULL);
	CHECK_STR(resolve(&r, "api/pay.ts", "../lib/db"), "lib/db.ts");
	CHECK_STR(resolve(&r, "api/pay.ts", "../lib/db.js"), "lib/db.ts");
	CHECK_STR(resolve(&r, "api/pay.ts", "../lib/ocpay"), "lib/ocpay/index.js");
	CHECK_STR(resolve(&r, "lib/ocpay/index.js", "./client.mjs"), "lib/ocpay/client.mjs");
	CHECK_STR(resolve(&r, "web/src/main.jsx", "../../shared/config"), "shared/config.js");
	CHECK_STR(resolve(&r, "src/lib/api.ts", "./../utils"), "src/utils.ts"); /* .ts first */
	CHECK_STR(resolve(&r, "src/lib/api.ts", "../utils.js"), "src/utils.js"); /* it exists */
	CHECK_STR(resolve(&r, "src/lib/api.ts", "../../../etc/passwd"), "(none)");
	CHECK_STR(resolve(&r, "src/lib/api.ts", "./missing"), "(none)");
	CHECK_STR(resolve(&r, "src/lib/api.ts", "express"), "(none)");
	CHECK_STR(resolve(&r, "src/lib/api.ts", ""), "(none)");
	resolver_free(&r);
}

TEST(tsconfig_paths_and_base_url)
{
	make_files();
	struct resolver r;
	resolver_init(&r, &files, NULL);
	const char *cfg = "{\n"
			  "  // comments and trailing commas, as tsconfig allows\n"
			  "  \"compilerOptions\": {\n"
			  "    \"baseUrl\": \".\", /* the root */\n"
			  "    \"paths\": { \"@/*\": [\"./src/*\"], \"#db\": [\"lib/db.ts\"], },\n"
			  "  },\n"
			  "}\n";
	CHECK_INT(resolver_load_config(&r, cfg, strlen(cfg)), 0);
	CHECK_INT(r.naliases, 2);
	CHECK_STR(resolve(&r, "api/pay.ts", "@/lib/api"), "src/lib/api.ts");
	CHECK_STR(resolve(&r, "api/pay.ts", "@/components/Pay"), "src/components/Pay.tsx");
	CHECK_STR(resolve(&r, "api/pay.ts", "#db"), "lib/db.ts");
	CHECK_STR(resolve(&r, "src/utils.ts", "shared/config"), "shared/config.js"); /* baseUrl */
	CHECK_STR(resolve(&r, "api/pay.ts", "react"), "(none)");
	resolver_free(&r);
	/* a broken config is no config */
	resolver_init(&r, &files, NULL);
	CHECK_INT(resolver_load_config(&r, "{ not json", 10), 0);
	CHECK_INT(r.naliases, 0);
	CHECK_STR(resolve(&r, "api/pay.ts", "#db"), "(none)");
	resolver_free(&r);
}

TEST(framework_aliases_without_config)
{
	/* SvelteKit's $lib, Remix's ~ (app/), Nuxt's and Vue's @ (src/), with no tsconfig */
	make_files();
	struct resolver r;
	resolver_init(&r, &files, NULL);
	CHECK_STR(resolve(&r, "src/routes/pay/+server.ts", "$lib/api"), "src/lib/api.ts");
	CHECK_STR(resolve(&r, "api/pay.ts", "@/lib/api"), "src/lib/api.ts");
	CHECK_STR(resolve(&r, "api/pay.ts", "~/lib/api"), "src/lib/api.ts");
	CHECK_STR(resolve(&r, "api/pay.ts", "$lib/missing"), "(none)");
	CHECK_STR(resolve(&r, "api/pay.ts", "$lib"), "(none)");
	resolver_free(&r);
}

struct seen {
	char specs[8][64];
	int n;
};

static void collect(void *ctx, const char *spec, size_t len)
{
	struct seen *s = ctx;
	if (s->n < 8)
		snprintf(s->specs[s->n++], 64, "%.*s", (int)len, spec);
}

TEST(finds_specifiers_in_source)
{
	make_files();
	struct resolver r;
	resolver_init(&r, &files, NULL);
	const char *cfg = "{\"compilerOptions\": {\"paths\": {\"@/*\": [\"src/*\"]}}}";
	resolver_load_config(&r, cfg, strlen(cfg));
	const char *src = "import { a } from \"./a\";\n"
			  "export * from '../b';\n"
			  "const c = require( './c.js' );\n"
			  "const d = await import(\"../../d\");\n"
			  "import e from '@/e';\n"
			  "const path = './not-an-import';\n"
			  "log(\"see ./readme\");\n"
			  "import f from 'react';\n";
	struct seen s = {0};
	resolver_list_imports(&r, src, strlen(src), collect, &s);
	CHECK_INT(s.n, 5);
	CHECK_STR(s.specs[0], "./a");
	CHECK_STR(s.specs[1], "../b");
	CHECK_STR(s.specs[2], "./c.js");
	CHECK_STR(s.specs[3], "../../d");
	CHECK_STR(s.specs[4], "@/e");
	resolver_free(&r);
}

/* The word before a specifier stands alone: at the start of the text, or after a
 * character that cannot continue a name. */
TEST(import_words_at_the_edges)
{
	make_files();
	struct resolver r;
	resolver_init(&r, &files, NULL);
	const char *src = "from './a';\n"
			  "xfrom './b';\n"
			  "$require('./c');\n"
			  "obj.require('./d');\n"
			  "(require('./e'));\n";
	struct seen s = {0};
	resolver_list_imports(&r, src, strlen(src), collect, &s);
	CHECK_INT(s.n, 2);
	CHECK_STR(s.specs[0], "./a");
	CHECK_STR(s.specs[1], "./e");
	resolver_free(&r);
}

RUN_TESTS(T(relative_paths_and_extensions), T(tsconfig_paths_and_base_url),
	  T(framework_aliases_without_config),
	  T(finds_specifiers_in_source),
	  T(import_words_at_the_edges))
