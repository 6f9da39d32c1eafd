#include "lang/classify.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/ast.h"
#include "lang/lang.h"

static const char *const runtime_names[RUNTIME_COUNT] = {"unknown", "browser", "server"};

const char *runtime_name(enum runtime r)
{
	return r < RUNTIME_COUNT ? runtime_names[r] : "?";
}

int runtime_parse(const char *name)
{
	for (int i = 0; i < RUNTIME_COUNT; i++)
		if (!strcmp(name, runtime_names[i]))
			return i;
	return -1;
}

static bool decide(struct runtime_verdict *v, enum runtime where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool decide(struct runtime_verdict *v, enum runtime where, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->evidence, sizeof v->evidence, fmt, ap);
	va_end(ap);
	v->where = where;
	return true;
}

/* ---- module names ---- */

/* Modules that only load on a server (Node built-ins, frameworks, databases, server
 * runtimes of the hosting platforms). */
static const char *const server_modules[] = {
	"express", "koa", "@koa/router", "koa-router", "fastify", "hono", "@hapi/hapi",
	"restify", "polka", "h3", "@nestjs/common", "@nestjs/core", "next/server",
	"next/headers", "@netlify/functions", "@vercel/node", "firebase-functions",
	"firebase-admin", "@google-cloud/functions-framework", "aws-lambda", "@aws-sdk/",
	"pg", "pg-promise", "postgres", "mysql", "mysql2", "mysql2/promise", "sqlite3",
	"better-sqlite3", "mongoose", "mongodb", "@prisma/client", "sequelize", "typeorm",
	"knex", "drizzle-orm", "redis", "ioredis", "@upstash/redis", "nodemailer",
	"dotenv", "dotenv/config", "body-parser", "cookie-parser", "express-session",
	"cors", "helmet", "morgan", "bullmq", "bull", "node-cron", "fs", "fs/promises",
	"child_process", "http", "https", "net", "os", "cluster", "worker_threads",
	"server-only", "@supabase/functions-js",
};

/* Modules that only make sense in a browser. */
static const char *const browser_modules[] = {
	"react-dom", "react-dom/client", "vue", "svelte", "@angular/core", "preact",
	"solid-js", "next/router", "client-only", "@tanstack/react-query", "swr",
	"react-router-dom", "react-router", "@remix-run/react", "jquery",
};

static bool module_in(const char *mod, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(list[i]);
		if (list[i][len - 1] == '/' ? !strncmp(mod, list[i], len) : !strcmp(mod, list[i]))
			return true;
		/* deep imports: "@nestjs/common/decorators", "pg/lib/client" */
		if (!strncmp(mod, list[i], len) && mod[len] == '/')
			return true;
	}
	return false;
}

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

static enum runtime module_side(const char *mod)
{
	if (!strncmp(mod, "node:", 5))
		return RUNTIME_SERVER;
	if (module_in(mod, server_modules, COUNT(server_modules)))
		return RUNTIME_SERVER;
	if (module_in(mod, browser_modules, COUNT(browser_modules)))
		return RUNTIME_BROWSER;
	return RUNTIME_UNKNOWN;
}

/* ---- what the code itself shows ---- */

struct evidence {
	const struct syntax *syn;
	char directive[16];	/* "use client" / "use server" */
	char server_import[64]; /* first server-only module */
	char browser_import[64];
	char browser_api[64];	/* first browser-only API used */
	bool handler_export;	/* exports.handler / export const handler */
	bool data_export;	/* export function loader / action: a Remix route's server half */
};

/* Whether an exported declaration is the function or const `name`. */
static bool exports_name(const struct evidence *e, struct ast_node decl, const char *name)
{
	return ast_text_is(e->syn, ast_field(decl, "name"), name) ||
	       (ast_is(decl, "lexical_declaration") &&
		ast_text_is(e->syn, ast_field(ast_named_child(decl, 0), "name"), name));
}

static void note(char *dst, size_t cap, const char *text, size_t len)
{
	if (dst[0])
		return;
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, text, len);
	dst[len] = '\0';
}

static void note_module(struct evidence *e, struct ast_node str)
{
	char *mod = ast_string_value(e->syn, str);
	if (!mod)
		return;
	enum runtime side = module_side(mod);
	if (side == RUNTIME_SERVER)
		note(e->server_import, sizeof e->server_import, mod, strlen(mod));
	else if (side == RUNTIME_BROWSER)
		note(e->browser_import, sizeof e->browser_import, mod, strlen(mod));
	free(mod);
}

static bool is_typeof_operand(struct ast_node n)
{
	struct ast_node p = ast_parent(n);
	if (!ast_is(p, "unary_expression"))
		return false;
	struct ast_node op = ast_field(p, "operator");
	return !ast_is_null(op) && ast_is(op, "typeof");
}

/* document.* members that only a browser DOM has (a variable named document is common
 * in database code: document.save() must not count). */
static bool dom_member(const struct syntax *syn, struct ast_node prop)
{
	static const char *const members[] = {
		"getElementById", "querySelector", "querySelectorAll", "createElement", "body",
		"cookie", "addEventListener", "location", "forms", "getElementsByClassName",
		"getElementsByTagName", "head", "title", "documentElement", "readyState",
	};
	for (size_t i = 0; i < COUNT(members); i++)
		if (ast_text_is(syn, prop, members[i]))
			return true;
	return false;
}

static void visit_identifier(struct evidence *e, struct ast_node n)
{
	size_t len;
	const char *t = ast_text(e->syn, n, &len);
	struct ast_node parent = ast_parent(n);
	bool object_of_member = ast_is(parent, "member_expression") &&
				ast_start(ast_field(parent, "object")) == ast_start(n);
	if (is_typeof_operand(n))
		return;
	if ((len == 12 && !memcmp(t, "localStorage", 12)) ||
	    (len == 14 && !memcmp(t, "sessionStorage", 14))) {
		note(e->browser_api, sizeof e->browser_api, t, len);
	} else if (object_of_member && ((len == 6 && !memcmp(t, "window", 6)) ||
					(len == 9 && !memcmp(t, "navigator", 9)))) {
		note(e->browser_api, sizeof e->browser_api, t, len);
	} else if (object_of_member && len == 8 && !memcmp(t, "document", 8) &&
		   dom_member(e->syn, ast_field(parent, "property"))) {
		note(e->browser_api, sizeof e->browser_api, "document", 8);
	}
}

static bool is_hook_name(const char *t, size_t len)
{
	return len > 3 && !memcmp(t, "use", 3) && t[3] >= 'A' && t[3] <= 'Z';
}

static bool visit(void *ctx, struct ast_node n)
{
	struct evidence *e = ctx;
	const char *type = ast_type(n);
	if (!strcmp(type, "import_statement") || !strcmp(type, "export_statement")) {
		struct ast_node src = ast_field(n, "source");
		if (!ast_is_null(src))
			note_module(e, src);
		if (!strcmp(type, "export_statement")) {
			/* export const handler = ... / export async function handler */
			struct ast_node decl = ast_field(n, "declaration");
			size_t len;
			const char *t = ast_is_null(decl) ? "" : ast_text(e->syn, decl, &len);
			if (!ast_is_null(decl) && len < 4096 && strstr(t, "handler") &&
			    (ast_text_is(e->syn, ast_field(decl, "name"), "handler") ||
			     (ast_is(decl, "lexical_declaration") &&
			      ast_text_is(e->syn, ast_field(ast_named_child(decl, 0), "name"),
					  "handler"))))
				e->handler_export = true;
			if (!ast_is_null(decl) && len < 65536 &&
			    (strstr(t, "loader") || strstr(t, "action")) &&
			    (exports_name(e, decl, "loader") || exports_name(e, decl, "action")))
				e->data_export = true;
		}
		return !strcmp(type, "export_statement");
	}
	if (!strcmp(type, "call_expression")) {
		struct ast_node fn = ast_field(n, "function");
		struct ast_node args = ast_field(n, "arguments");
		if ((ast_text_is(e->syn, fn, "require") || ast_is(fn, "import")) &&
		    ast_named_count(args) >= 1 && ast_is(ast_named_child(args, 0), "string"))
			note_module(e, ast_named_child(args, 0));
		size_t len;
		const char *t = ast_text(e->syn, fn, &len);
		if (ast_is(fn, "identifier") && is_hook_name(t, len))
			note(e->browser_api, sizeof e->browser_api, t, len);
		return true;
	}
	if (!strcmp(type, "identifier")) {
		visit_identifier(e, n);
		return false;
	}
	if (!strcmp(type, "member_expression")) {
		size_t len;
		const char *t = ast_text(e->syn, n, &len);
		if (len > 20 && !memcmp(t, "import.meta.env.VITE_", 21))
			note(e->browser_api, sizeof e->browser_api, t, len);
		if (len == 15 && !memcmp(t, "exports.handler", 15))
			e->handler_export = true;
		if (len == 22 && !memcmp(t, "module.exports.handler", 22))
			e->handler_export = true;
		return true;
	}
	return true;
}

/* The directive prologue: string statements before any other statement. */
static void read_directives(struct evidence *e, struct ast_node root)
{
	for (uint32_t i = 0; i < ast_named_count(root); i++) {
		struct ast_node st = ast_named_child(root, i);
		if (ast_is(st, "comment") || ast_is(st, "hash_bang_line"))
			continue;
		if (!ast_is(st, "expression_statement"))
			break;
		struct ast_node s = ast_named_child(st, 0);
		if (!ast_is(s, "string"))
			break;
		char *val = ast_string_value(e->syn, s);
		if (val && (!strcmp(val, "use client") || !strcmp(val, "use server")))
			note(e->directive, sizeof e->directive, val, strlen(val));
		free(val);
	}
}

static bool server_only_name(const struct syntax *syn, struct ast_node name)
{
	return ast_text_is(syn, name, "getServerSideProps") ||
	       ast_text_is(syn, name, "getStaticProps") || ast_text_is(syn, name, "getStaticPaths");
}

static bool body_says_use_server(const struct syntax *syn, struct ast_node fn)
{
	struct ast_node body = ast_field(fn, "body");
	if (!ast_is(body, "statement_block") || !ast_named_count(body))
		return false;
	struct ast_node first = ast_named_child(body, 0);
	struct ast_node str = ast_named_child(first, 0);
	if (!ast_is(first, "expression_statement") || !ast_is(str, "string"))
		return false;
	char *v = ast_string_value(syn, str);
	bool yes = v && !strcmp(v, "use server");
	free(v);
	return yes;
}

bool classify_in_server_function(const struct syntax *syn, uint32_t offset)
{
	for (struct ast_node n = ast_at(syn, offset, offset + 1); !ast_is_null(n); n = ast_parent(n)) {
		const char *t = ast_type(n);
		bool fn = !strcmp(t, "function_declaration") || !strcmp(t, "function_expression") ||
			  !strcmp(t, "arrow_function") || !strcmp(t, "method_definition") ||
			  !strcmp(t, "generator_function_declaration");
		if (!fn)
			continue;
		if (body_says_use_server(syn, n) || server_only_name(syn, ast_field(n, "name")))
			return true;
		struct ast_node p = ast_parent(n);
		if (ast_is(p, "variable_declarator") && server_only_name(syn, ast_field(p, "name")))
			return true;
	}
	return false;
}

/* ---- paths ---- */

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* The file name without its extension: "route" for "app/api/pay/route.ts". */
static bool stem_is(const char *path, const char *stem)
{
	const char *b = base_name(path);
	size_t n = strlen(stem);
	return !strncmp(b, stem, n) && b[n] == '.' && !strchr(b + n + 1, '.');
}

/* Whether path has the folder seg at any depth ("a/seg/b"), and where the part after
 * it starts. */
static const char *has_segment(const char *path, const char *seg)
{
	size_t n = strlen(seg);
	for (const char *p = path; (p = strstr(p, seg)); p++) {
		if ((p == path || p[-1] == '/') && p[n] == '/')
			return p + n + 1;
	}
	return NULL;
}

/* The path below the package folder (pkg_dir is "" or ends without '/'). */
static const char *inside_package(const struct classify_input *in)
{
	size_t n = in->package_dir ? strlen(in->package_dir) : 0;
	if (n && !strncmp(in->path, in->package_dir, n) && in->path[n] == '/')
		return in->path + n + 1;
	return in->path;
}

static bool package_has(json_t *pkg, const char *name)
{
	static const char *const fields[] = {"dependencies", "devDependencies",
					     "peerDependencies"};
	for (size_t i = 0; i < COUNT(fields); i++)
		if (json_object_get(json_object_get(pkg, fields[i]), name))
			return true;
	return false;
}

static const char *package_first(json_t *pkg, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (package_has(pkg, names[i]))
			return names[i];
	return NULL;
}

static bool is_next_app(json_t *pkg)
{
	return pkg && package_has(pkg, "next");
}

/* A route module of Remix or React Router's framework mode: app/routes/. */
static bool remix_route(const struct classify_input *in, json_t *pkg)
{
	static const char *const remix[] = {"@remix-run/node", "@remix-run/cloudflare",
					    "@remix-run/deno", "@react-router/node",
					    "@react-router/dev"};
	return has_segment(inside_package(in), "routes") && pkg &&
	       package_first(pkg, remix, COUNT(remix));
}

static bool framework_path(struct runtime_verdict *v, const struct classify_input *in,
			   json_t *pkg)
{
	const char *rel = inside_package(in);
	const char *b = base_name(rel);
	const char *after;
	if ((after = has_segment(rel, "pages")) && !strncmp(after, "api/", 4))
		return decide(v, RUNTIME_SERVER, "Next.js API route (pages/api/)");
	if (has_segment(rel, "app") && stem_is(rel, "route"))
		return decide(v, RUNTIME_SERVER, "Next.js route handler (app/**/route)");
	if ((!strncmp(rel, "middleware.", 11) || !strncmp(rel, "src/middleware.", 15)) &&
	    is_next_app(pkg))
		return decide(v, RUNTIME_SERVER, "Next.js middleware");
	if (has_segment(rel, "app") && is_next_app(pkg) &&
	    (stem_is(rel, "page") || stem_is(rel, "layout") || stem_is(rel, "template") ||
	     stem_is(rel, "default") || stem_is(rel, "actions")))
		return decide(v, RUNTIME_SERVER,
			      "Next.js app router file without \"use client\" (a server component)");
	static const char *const nitro[] = {"nuxt", "nitropack", "nuxt3"};
	if (!strncmp(rel, "server/", 7) && pkg && package_first(pkg, nitro, COUNT(nitro)))
		return decide(v, RUNTIME_SERVER, "Nuxt/Nitro server folder (server/)");
	if (has_segment(rel, "netlify") && (has_segment(rel, "functions") ||
					    has_segment(rel, "edge-functions")))
		return decide(v, RUNTIME_SERVER, "Netlify function (netlify/functions/)");
	if (has_segment(rel, "supabase") && has_segment(rel, "functions"))
		return decide(v, RUNTIME_SERVER, "Supabase edge function (supabase/functions/)");
	if (!strncmp(rel, "api/", 4))
		return decide(v, RUNTIME_SERVER, "Vercel function (api/ at the project root)");
	if (!strncmp(rel, "server/", 7) && pkg && package_has(pkg, "nuxt"))
		return decide(v, RUNTIME_SERVER, "Nuxt server route (server/)");
	if (strstr(b, ".server.") || !strncmp(b, "+server.", 8) || !strncmp(b, "+page.server.", 13) ||
	    !strncmp(b, "+layout.server.", 15))
		return decide(v, RUNTIME_SERVER, "server module by its name (%s)", b);
	if (strstr(b, ".client."))
		return decide(v, RUNTIME_BROWSER, "client module by its name (%s)", b);
	return false;
}

/* Folder names, deepest first: the nearest folder says most. */
static bool folder_evidence(struct runtime_verdict *v, const struct classify_input *in)
{
	static const char *const browser[] = {
		"public", "static", "client", "frontend", "web", "www", "components", "hooks",
		"dist", "build", "assets", "browser", "spa", "ui", "widgets",
	};
	static const char *const server[] = {
		"server", "backend", "functions", "lambda", "lambdas", "controllers", "workers",
		"jobs", "cron", "webhooks", "serverless",
	};
	const char *rel = inside_package(in);
	const char *end = strrchr(rel, '/');
	while (end) {
		const char *start = end;
		while (start > rel && start[-1] != '/')
			start--;
		size_t n = (size_t)(end - start);
		for (size_t i = 0; i < COUNT(browser); i++)
			if (strlen(browser[i]) == n && !memcmp(start, browser[i], n))
				return decide(v, RUNTIME_BROWSER, "folder %.*s/", (int)n, start);
		for (size_t i = 0; i < COUNT(server); i++)
			if (strlen(server[i]) == n && !memcmp(start, server[i], n))
				return decide(v, RUNTIME_SERVER, "folder %.*s/", (int)n, start);
		if (start == rel)
			break;
		end = start - 1;
	}
	/* api/ as the first folder of a package: a serverless or backend folder. */
	if (!strncmp(rel, "api/", 4))
		return decide(v, RUNTIME_SERVER, "folder api/");
	return false;
}

static bool package_evidence(struct runtime_verdict *v, const struct classify_input *in,
			     json_t *pkg)
{
	static const char *const server[] = {
		"express", "koa", "fastify", "@nestjs/core", "hono", "@hapi/hapi", "restify",
		"@netlify/functions", "@vercel/node", "firebase-functions", "serverless",
	};
	static const char *const browser[] = {
		"react-dom", "vue", "svelte", "@angular/core", "preact", "solid-js", "vite",
		"laravel-mix", /* Laravel's webpack wrapper bundles resources/js for the browser */
	};
	static const char *const both[] = {"next", "nuxt", "@remix-run/node", "@sveltejs/kit",
					   "astro", "gatsby"};
	if (!pkg)
		return false;
	if (package_first(pkg, both, COUNT(both)))
		return false;
	const char *srv = package_first(pkg, server, COUNT(server));
	const char *web = package_first(pkg, browser, COUNT(browser));
	const char *where = in->package_dir && in->package_dir[0] ? in->package_dir : ".";
	if (srv && !web)
		return decide(v, RUNTIME_SERVER, "%s/package.json depends on %s", where, srv);
	if (web && !srv)
		return decide(v, RUNTIME_BROWSER, "%s/package.json depends on %s", where, web);
	if (!srv && !web && in->bundler_config)
		return decide(v, RUNTIME_BROWSER, "a bundler config beside %s/package.json", where);
	return false;
}

static bool page_file(const char *path)
{
	const char *dot = strrchr(base_name(path), '.');
	return dot && (!strcmp(dot, ".html") || !strcmp(dot, ".htm") || !strcmp(dot, ".vue") ||
		       !strcmp(dot, ".svelte") || lang_is_page(path));
}

/* The evidence kinds, strongest first; the first that speaks decides. */
static void decide_in_order(struct runtime_verdict *v, const struct classify_input *in,
			    const struct evidence *e, json_t *pkg)
{
	if (!strcmp(e->directive, "use client") || !strcmp(e->browser_import, "client-only"))
		decide(v, RUNTIME_BROWSER, "\"use client\"");
	else if (!strcmp(e->directive, "use server") || !strcmp(e->server_import, "server-only"))
		decide(v, RUNTIME_SERVER, "\"use server\"");
	else if (page_file(in->path))
		decide(v, RUNTIME_BROWSER, "a page script (%s)", base_name(in->path));
	else if (framework_path(v, in, pkg))
		return;
	else if (e->server_import[0])
		decide(v, RUNTIME_SERVER, "imports %s", e->server_import);
	else if (e->handler_export)
		decide(v, RUNTIME_SERVER, "exports a serverless handler");
	else if (e->data_export && remix_route(in, pkg))
		/* the bundler strips loader and action from the browser's copy */
		decide(v, RUNTIME_SERVER, "Remix route module exporting a loader or action");
	else if (e->browser_api[0])
		decide(v, RUNTIME_BROWSER, "uses %s", e->browser_api);
	else if (e->browser_import[0])
		decide(v, RUNTIME_BROWSER, "imports %s", e->browser_import);
	else if (!folder_evidence(v, in))
		package_evidence(v, in, pkg);
}

void classify_runtime(struct runtime_verdict *v, const struct classify_input *in)
{
	*v = (struct runtime_verdict){.where = RUNTIME_UNKNOWN};
	snprintf(v->evidence, sizeof v->evidence, "no evidence either way");

	struct evidence e = {.syn = in->syntax};
	if (in->syntax) {
		read_directives(&e, ast_root(in->syntax));
		ast_walk(ast_root(in->syntax), visit, &e);
	}
	json_t *pkg = NULL;
	if (in->package_json) {
		pkg = json_loadb(in->package_json, in->package_json_len, 0, NULL);
		if (pkg && !json_is_object(pkg)) {
			json_decref(pkg);
			pkg = NULL;
		}
	}

	decide_in_order(v, in, &e, pkg);
	json_decref(pkg);
}
