/* Where a JavaScript/TypeScript file runs: in the customer's browser, on the merchant's
 * server, or unknown. Decided from evidence, strongest first, and the evidence is kept
 * so --verbose can show it:
 *   1. directives: "use client" / "use server", import "client-only" / "server-only";
 *   2. framework conventions: Next.js pages/api/ and app/ route handlers, middleware,
 *      app-router pages and layouts (server components by default), Netlify, Vercel and
 *      Supabase functions, *.server.* modules, pages and components of .vue/.svelte/.html;
 *   3. server-only modules imported (express, fs, pg, mongoose, @nestjs/...) or a
 *      serverless handler exported;
 *   4. browser-only APIs (window, document.*, localStorage, React hooks,
 *      import.meta.env.VITE_*) and browser frameworks imported (react-dom, vue ...);
 *   5. folder names (public/, static/, client/, frontend/, components/, dist/, build/
 *      for the browser; server/, backend/, api/, functions/ for the server);
 *   6. the nearest package.json: a server framework and no UI framework, or the reverse,
 *      and a bundler config beside it.
 * Nothing decisive: unknown. */
#ifndef OCPAY_CLASSIFY_H
#define OCPAY_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct syntax;

enum runtime { RUNTIME_UNKNOWN, RUNTIME_BROWSER, RUNTIME_SERVER, RUNTIME_COUNT };

struct classify_input {
	const char *path;	/* relative to the scanned root, '/'-separated */
	const struct syntax *syntax; /* the parsed file, or NULL */
	const char *package_json;    /* text of the nearest package.json, or NULL */
	size_t package_json_len;
	const char *package_dir;     /* its folder relative to the root ("" at the root) */
	bool bundler_config;	     /* a vite/webpack/rollup/parcel config beside it */
};

struct runtime_verdict {
	enum runtime where;
	char evidence[160]; /* why, for --verbose: "imports express", "folder public/" ... */
};

void classify_runtime(struct runtime_verdict *v, const struct classify_input *in);
/* Whether the code at offset sits in a function that only ever runs on the server even
 * in a browser file: Next.js getServerSideProps/getStaticProps/getStaticPaths, or a
 * function whose body starts with "use server" (a server action). */
bool classify_in_server_function(const struct syntax *s, uint32_t offset);
const char *runtime_name(enum runtime r);
/* Parses "browser", "server" or "unknown"; -1 otherwise. */
int runtime_parse(const char *name);

#endif
