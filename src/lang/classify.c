#include "lang/classify.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/js/runtime_evidence.h"
#include "lang/lang.h"

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

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

/* The code's own evidence is read in lang/js/runtime_evidence.c. */
bool classify_in_server_function(const struct syntax *s, uint32_t offset)
{
	return js_runtime_in_server_function(s, offset);
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
			    const struct js_runtime_evidence *e, json_t *pkg)
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

	struct js_runtime_evidence e = {0};
	if (in->syntax)
		js_runtime_evidence_read(&e, in->syntax);
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
