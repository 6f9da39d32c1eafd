/* Where code runs: each kind of evidence, and the order in which they are weighed. */
#include <stdlib.h>

#include "harness.h"
#include "lang/classify.h"
#include "lang/lang.h"
#include "lang/ts.h"

static struct parser_set *parsers;

static void free_parsers(void)
{
	parser_set_free(parsers);
}

/* Classifies src as the file path, with an optional package.json text. */
static enum runtime where(const char *path, const char *src, const char *pkg, bool bundler,
			  char *evidence, size_t cap)
{
	if (!parsers) {
		parsers = parser_set_new();
		atexit(free_parsers);
	}
	enum lang lang = lang_from_path(path);
	char *page = NULL;
	if (lang_is_page(path)) {
		page = lang_page_scripts(src, strlen(src), &lang);
		src = page;
	}
	struct syntax *syn = NULL;
	if (syntax_parse(&syn, parsers, lang, src, strlen(src), 0) < 0)
		syn = NULL;
	struct classify_input in = {.path = path, .syntax = syn, .package_json = pkg,
				    .package_json_len = pkg ? strlen(pkg) : 0, .package_dir = "",
				    .bundler_config = bundler};
	struct runtime_verdict v;
	classify_runtime(&v, &in);
	if (evidence)
		snprintf(evidence, cap, "%s", v.evidence);
	syntax_free(syn);
	free(page);
	return v.where;
}

#define RUNS(path, src) where(path, src, NULL, false, NULL, 0)

TEST(directives_decide_first)
{
	CHECK_INT(RUNS("app/checkout/page.tsx", "'use client';\nimport express from 'express';\n"),
		  RUNTIME_BROWSER);
	CHECK_INT(RUNS("components/Pay.tsx", "\"use server\";\nexport async function pay() {}\n"),
		  RUNTIME_SERVER);
	CHECK_INT(RUNS("lib/pay.ts", "import 'server-only';\nexport const x = window.location;\n"),
		  RUNTIME_SERVER);
	/* a directive after a statement is just a string */
	CHECK_INT(RUNS("lib/a.js", "foo();\n'use client';\n"), RUNTIME_UNKNOWN);
}

TEST(framework_conventions)
{
	const char *next = "{\"dependencies\": {\"next\": \"14.2.3\", \"react\": \"18\"}}";
	CHECK_INT(RUNS("pages/api/pay.js", "export default function h(req, res) {}"), RUNTIME_SERVER);
	CHECK_INT(RUNS("src/pages/api/pay.ts", "export default function h() {}"), RUNTIME_SERVER);
	CHECK_INT(RUNS("app/api/pay/route.ts", "export async function POST() {}"), RUNTIME_SERVER);
	CHECK_INT(where("app/checkout/page.tsx", "export default function Page() {}", next, false,
			NULL, 0), RUNTIME_SERVER);
	CHECK_INT(where("middleware.ts", "export function middleware() {}", next, false, NULL, 0),
		  RUNTIME_SERVER);
	CHECK_INT(RUNS("netlify/functions/pay.js", "const x = 1;"), RUNTIME_SERVER);
	CHECK_INT(RUNS("supabase/functions/pay/index.ts", "const x = 1;"), RUNTIME_SERVER);
	CHECK_INT(RUNS("api/create-payment.ts", "const x = 1;"), RUNTIME_SERVER);
	CHECK_INT(RUNS("src/routes/+page.server.ts", "export const load = 1;"), RUNTIME_SERVER);
	CHECK_INT(RUNS("src/routes/checkout.client.ts", "export const x = 1;"), RUNTIME_BROWSER);
	CHECK_INT(RUNS("src/Checkout.vue", "<template><a/></template>\n<script setup lang=\"ts\">\n"
					   "const x: number = 1;\n</script>\n"),
		  RUNTIME_BROWSER);
	CHECK_INT(RUNS("index.html", "<html><script>fetch('/api')</script></html>"), RUNTIME_BROWSER);
	/* src/api/ of a single-page app is the browser's API client, not a Vercel function */
	CHECK_INT(RUNS("src/api/client.js", "export const x = 1;"), RUNTIME_UNKNOWN);
}

TEST(server_modules)
{
	char ev[160];
	CHECK_INT(where("src/pay.js", "const express = require('express');", NULL, false, ev, sizeof ev),
		  RUNTIME_SERVER);
	CHECK_STR(ev, "imports express");
	CHECK_INT(RUNS("src/pay.ts", "import { readFile } from 'node:fs/promises';"), RUNTIME_SERVER);
	CHECK_INT(RUNS("src/pay.ts", "import { PrismaClient } from '@prisma/client';"), RUNTIME_SERVER);
	CHECK_INT(RUNS("src/pay.ts", "import { Controller } from '@nestjs/common';"), RUNTIME_SERVER);
	CHECK_INT(RUNS("src/pay.ts", "import pg from 'pg/lib/client';"), RUNTIME_SERVER);
	CHECK_INT(RUNS("src/pay.js", "exports.handler = async (event) => ({ statusCode: 200 });"),
		  RUNTIME_SERVER);
	CHECK_INT(RUNS("src/pay.ts", "export const handler = async () => ({});"), RUNTIME_SERVER);
	/* server wins over browser APIs in the same file (server-side rendering) */
	CHECK_INT(RUNS("src/ssr.js", "import express from 'express';\nwindow.x = 1;"), RUNTIME_SERVER);
	/* a name that merely starts like a module is not it */
	CHECK_INT(RUNS("src/pay.js", "import x from 'express-like-ui';"), RUNTIME_UNKNOWN);
}

TEST(browser_apis)
{
	char ev[160];
	CHECK_INT(where("src/pay.js", "localStorage.setItem('a', 1);", NULL, false, ev, sizeof ev),
		  RUNTIME_BROWSER);
	CHECK_STR(ev, "uses localStorage");
	CHECK_INT(RUNS("src/pay.js", "window.location.href = url;"), RUNTIME_BROWSER);
	CHECK_INT(RUNS("src/pay.js", "document.getElementById('pay').onclick = go;"), RUNTIME_BROWSER);
	CHECK_INT(RUNS("src/Pay.jsx", "export function Pay() { const [a, b] = useState(0); }"),
		  RUNTIME_BROWSER);
	CHECK_INT(RUNS("src/pay.ts", "const base = import.meta.env.VITE_API_URL;"), RUNTIME_BROWSER);
	CHECK_INT(RUNS("src/main.tsx", "import { createRoot } from 'react-dom/client';"),
		  RUNTIME_BROWSER);
	/* isomorphic guards and database documents are not browser evidence */
	CHECK_INT(RUNS("src/a.js", "if (typeof window === 'undefined') run();"), RUNTIME_UNKNOWN);
	CHECK_INT(RUNS("src/a.js", "const document = await Order.findOne(); document.save();"),
		  RUNTIME_UNKNOWN);
	/* app.use() is a method, not a React hook */
	CHECK_INT(RUNS("src/a.js", "app.use(cors());"), RUNTIME_UNKNOWN);
}

TEST(folders)
{
	char ev[160];
	CHECK_INT(where("public/js/checkout.js", "pay();", NULL, false, ev, sizeof ev), RUNTIME_BROWSER);
	CHECK_STR(ev, "folder public/");
	CHECK_INT(RUNS("dist/assets/index-4f2a.js", "var a=1;"), RUNTIME_BROWSER);
	CHECK_INT(RUNS("client/src/lib/pay.ts", "pay();"), RUNTIME_BROWSER);
	CHECK_INT(RUNS("src/components/PayButton.jsx", "pay();"), RUNTIME_BROWSER);
	CHECK_INT(RUNS("server/lib/pay.ts", "pay();"), RUNTIME_SERVER);
	CHECK_INT(RUNS("backend/pay.js", "pay();"), RUNTIME_SERVER);
	/* the nearest folder decides */
	CHECK_INT(RUNS("server/public/x.js", "pay();"), RUNTIME_BROWSER);
	/* imports speak louder than folders: a server build output is server code */
	CHECK_INT(RUNS("dist/main.js", "const core = require('@nestjs/core');"), RUNTIME_SERVER);
}

TEST(package_json)
{
	char ev[160];
	CHECK_INT(where("src/pay.js", "pay();", "{\"dependencies\": {\"express\": \"4\"}}", false, ev,
			sizeof ev), RUNTIME_SERVER);
	CHECK_STR(ev, "./package.json depends on express");
	CHECK_INT(where("src/pay.js", "pay();", "{\"dependencies\": {\"react-dom\": \"18\"}}", false,
			NULL, 0), RUNTIME_BROWSER);
	CHECK_INT(where("src/pay.js", "pay();", "{\"devDependencies\": {\"vite\": \"5\"}}", false,
			NULL, 0), RUNTIME_BROWSER);
	/* both, or a framework that runs on both sides: unknown */
	CHECK_INT(where("src/pay.js", "pay();",
			"{\"dependencies\": {\"express\": \"4\", \"react-dom\": \"18\"}}", false, NULL, 0),
		  RUNTIME_UNKNOWN);
	CHECK_INT(where("lib/pay.js", "pay();", "{\"dependencies\": {\"next\": \"14\"}}", false, NULL,
			0), RUNTIME_UNKNOWN);
	CHECK_INT(where("src/pay.js", "pay();", "{\"name\": \"x\"}", true, NULL, 0), RUNTIME_BROWSER);
	/* not JSON, or not an object: no evidence */
	CHECK_INT(where("src/pay.js", "pay();", "{oops", false, NULL, 0), RUNTIME_UNKNOWN);
	CHECK_INT(where("src/pay.js", "pay();", "[1]", false, NULL, 0), RUNTIME_UNKNOWN);
}

TEST(page_scripts_keep_offsets)
{
	const char *html = "<p>a</p>\n<script type=\"text/template\">x y</script>\n"
			   "<script>\nvar k = 1;\n</script>\n";
	enum lang lang;
	char *s = lang_page_scripts(html, strlen(html), &lang);
	CHECK(s != NULL);
	CHECK_INT(strlen(s), strlen(html));
	CHECK_INT(lang, LANG_JAVASCRIPT);
	CHECK(strstr(s, "var k = 1;") == s + (strstr(html, "var k") - html));
	CHECK(strstr(s, "x y") == NULL);
	CHECK(strstr(s, "<p>") == NULL);
	free(s);
	s = lang_page_scripts("<script lang=\"ts\">let a: number</script>", 38, &lang);
	CHECK_INT(lang, LANG_TYPESCRIPT);
	free(s);
}

/* PHP and Python files are parsed with their own grammars, which load with this
 * tree-sitter (ABI 14); a PHP page's <script> blocks are found for the browser reading. */
TEST(php_and_python)
{
	CHECK_INT(lang_from_path("wp-content/plugins/ocpay/ocpay.php"), LANG_PHP);
	CHECK_INT(lang_from_path("wp-config.php"), LANG_PHP);
	CHECK_INT(lang_from_path("resources/views/checkout.blade.php"), LANG_PHP);
	CHECK_INT(lang_from_path("templates/pay.phtml"), LANG_PHP);
	CHECK_INT(lang_from_path("shop/settings.py"), LANG_PYTHON);
	CHECK_INT(lang_from_path("stubs/ocpay.pyi"), LANG_TEXT);
	CHECK(!lang_is_js(LANG_PHP) && !lang_is_js(LANG_PYTHON) && lang_is_js(LANG_TSX));
	unsigned mask;
	CHECK_INT(lang_parse_mask(&mask, "python"), 0);
	CHECK_INT(mask, LANG_BIT(LANG_PYTHON));
	if (!parsers) {
		parsers = parser_set_new();
		atexit(free_parsers);
	}
	const char *php = "<?php $k = getenv('K'); ?>\n<p>Hi</p><script>fetch('/pay')</script>";
	const char *py = "import os\nkey = os.environ['K']\n";
	struct syntax *syn = NULL;
	CHECK_INT(syntax_parse(&syn, parsers, LANG_PHP, php, strlen(php), 0), 0);
	syntax_free(syn);
	syn = NULL;
	CHECK_INT(syntax_parse(&syn, parsers, LANG_PYTHON, py, strlen(py), 0), 0);
	syntax_free(syn);
	CHECK(lang_php_has_scripts(php, strlen(php)));
	CHECK(!lang_php_has_scripts(py, strlen(py)));
}

TEST(names)
{
	CHECK_STR(runtime_name(RUNTIME_BROWSER), "browser");
	CHECK_INT(runtime_parse("server"), RUNTIME_SERVER);
	CHECK_INT(runtime_parse("unknown"), RUNTIME_UNKNOWN);
	CHECK_INT(runtime_parse("edge"), -1);
}

RUN_TESTS(T(directives_decide_first), T(framework_conventions), T(server_modules),
	  T(browser_apis), T(folders), T(package_json), T(page_scripts_keep_offsets), T(php_and_python), T(names))
