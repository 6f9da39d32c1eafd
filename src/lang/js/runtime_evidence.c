#include "lang/js/runtime_evidence.h"

#include <stdlib.h>
#include <string.h>

#include "lang/ast.h"

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

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

enum side { SIDE_NONE, SIDE_BROWSER, SIDE_SERVER };

static enum side module_side(const char *mod)
{
	if (!strncmp(mod, "node:", 5))
		return SIDE_SERVER;
	if (module_in(mod, server_modules, COUNT(server_modules)))
		return SIDE_SERVER;
	if (module_in(mod, browser_modules, COUNT(browser_modules)))
		return SIDE_BROWSER;
	return SIDE_NONE;
}

/* ---- what the code itself shows ---- */

/* The walk's state: the file, and what it found so far. */
struct evidence {
	const struct syntax *syn;
	struct js_runtime_evidence *out;
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
	enum side side = module_side(mod);
	if (side == SIDE_SERVER)
		note(e->out->server_import, sizeof e->out->server_import, mod, strlen(mod));
	else if (side == SIDE_BROWSER)
		note(e->out->browser_import, sizeof e->out->browser_import, mod, strlen(mod));
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
		note(e->out->browser_api, sizeof e->out->browser_api, t, len);
	} else if (object_of_member && ((len == 6 && !memcmp(t, "window", 6)) ||
					(len == 9 && !memcmp(t, "navigator", 9)))) {
		note(e->out->browser_api, sizeof e->out->browser_api, t, len);
	} else if (object_of_member && len == 8 && !memcmp(t, "document", 8) &&
		   dom_member(e->syn, ast_field(parent, "property"))) {
		note(e->out->browser_api, sizeof e->out->browser_api, "document", 8);
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
				e->out->handler_export = true;
			if (!ast_is_null(decl) && len < 65536 &&
			    (strstr(t, "loader") || strstr(t, "action")) &&
			    (exports_name(e, decl, "loader") || exports_name(e, decl, "action")))
				e->out->data_export = true;
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
			note(e->out->browser_api, sizeof e->out->browser_api, t, len);
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
			note(e->out->browser_api, sizeof e->out->browser_api, t, len);
		if (len == 15 && !memcmp(t, "exports.handler", 15))
			e->out->handler_export = true;
		if (len == 22 && !memcmp(t, "module.exports.handler", 22))
			e->out->handler_export = true;
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
			note(e->out->directive, sizeof e->out->directive, val, strlen(val));
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

bool js_runtime_in_server_function(const struct syntax *syn, uint32_t offset)
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

void js_runtime_evidence_read(struct js_runtime_evidence *out, const struct syntax *s)
{
	*out = (struct js_runtime_evidence){0};
	struct evidence e = {.syn = s, .out = out};
	read_directives(&e, ast_root(s));
	ast_walk(ast_root(s), visit, &e);
}
