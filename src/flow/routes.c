/* Routes: the project's own HTTP endpoints and the functions that answer them, so a
 * request the project sends to itself (a browser page polling /api/orders/42/status) is
 * tied to the handler it runs. Frameworks' routing is data (rules/models/routes.yml):
 *   route            a call registers a path and a handler: app.get("/x", fn),
 *                    Route::get('/x', [C::class, 'm']), path("x/", views.x);
 *   route_decorator  a decorator gives a function its path: @app.get("/x"), @Get(":id")
 *                    under @Controller("orders") (the row's `prefix`);
 *   route_file       a file's path is the route: app/api/x/route.ts (Next.js),
 *                    pages/api/x.ts, src/routes/x/+server.ts (SvelteKit), server/api/x.ts
 *                    (Nuxt), app/routes/api.x.ts (Remix); its exports are the handlers.
 * A URL matches a route segment by segment, a parameter (:id, [id], {id}, <id>, $id) or
 * an unknown part of the URL ("{?}") matching any segment; a route mounted under a prefix
 * the models do not see (an Express router, a Django include) matches the URL's end when
 * it has two fixed segments or more. */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "flow/flow_private.h"

#define SEG_MAX 24

struct route {
	char *path;   /* "/api/orders/:id/status" */
	char verb[8]; /* "GET", or "" for any */
	struct flow_fn handler;
};

struct builder {
	struct flow *f;
	struct flow_query *q;
	size_t cap;
	bool oom;
};

static void route_add(struct builder *b, const char *path, const char *verb, struct flow_fn h)
{
	struct flow *f = b->f;
	if (b->oom || !flow_fn_ok(h) || !path)
		return;
	if (f->nroutes == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct route *p = realloc(f->routes, cap * sizeof *p);
		if (!p) {
			b->oom = true;
			return;
		}
		f->routes = p;
		b->cap = cap;
	}
	struct route *r = &f->routes[f->nroutes];
	if (!(r->path = strdup(path))) {
		b->oom = true;
		return;
	}
	r->verb[0] = '\0';
	static const char *const verbs[] = {"get", "post", "put", "patch", "delete", NULL};
	for (size_t i = 0; verb && verbs[i]; i++)
		if (!strcasecmp(verb, verbs[i]))
			for (size_t k = 0; k < 7 && verbs[i][k]; k++)
				r->verb[k] = (char)toupper((unsigned char)verbs[i][k]),
				r->verb[k + 1] = '\0';
	r->handler = h;
	f->nroutes++;
}

void routes_free(struct flow *f)
{
	for (size_t i = 0; i < f->nroutes; i++)
		free(f->routes[i].path);
	free(f->routes);
	f->routes = NULL;
	f->nroutes = 0;
}

/* ---- routes registered by calls and decorators ---- */

static const char *last_segment(const struct ir_node *call)
{
	struct path p;
	return path_of(&p, call) && p.n ? p.seg[p.n - 1] : NULL;
}

static void call_routes(struct builder *b, int32_t file)
{
	const struct ir_file *ir = flow_ir(b->f, file);
	for (uint32_t k = 0; k < ir->nnodes; k++) {
		const struct ir_node *n = ir->nodes[k];
		const struct model_row *r;
		char path[512];
		bool partial;
		if (n->kind != IR_CALL || !(r = model_for(b->f, file, MODEL_ROUTE, n)) ||
		    !r->attr[MODEL_ATTR_ROUTE])
			continue;
		const struct ir_node *a = model_arg(n, r->attr[MODEL_ATTR_ROUTE]);
		if (!a || !flow_string(b->q, file, a, path, sizeof path, &partial))
			continue;
		struct flow_fn at = flow_fn_of(b->f, file, n);
		route_add(b, path, last_segment(n), flow_target_of(b->f, b->q, at, n, r));
	}
}

/* The prefix a class decorator gives its methods' routes: @Controller("orders"). */
static void class_prefix(struct builder *b, int32_t file, const struct ir_func *fn,
			 const struct model_row *r, char *out, size_t size)
{
	const struct ir_file *ir = flow_ir(b->f, file);
	out[0] = '\0';
	if (!r->attr[MODEL_ATTR_PREFIX] || fn->cls < 0)
		return;
	struct path_pattern *pat = path_pattern_new(r->attr[MODEL_ATTR_PREFIX]);
	const struct ir_class *c = &ir->classes[fn->cls];
	for (uint32_t i = 0; pat && i < c->ndecorators; i++) {
		struct path p;
		const struct ir_node *d = c->decorators[i];
		bool partial;
		if (path_of(&p, d) && path_match(pat, &p) && ir_call_arg(d, 0) &&
		    flow_string(b->q, file, ir_call_arg(d, 0), out, size, &partial))
			break;
		out[0] = '\0';
	}
	path_pattern_free(pat);
}

static void decorator_routes(struct builder *b, int32_t file)
{
	const struct ir_file *ir = flow_ir(b->f, file);
	for (uint32_t k = 0; k < ir->nfuncs; k++) {
		const struct ir_func *fn = &ir->funcs[k];
		for (uint32_t i = 0; i < fn->ndecorators; i++) {
			const struct ir_node *d = fn->decorators[i];
			const struct model_row *r = model_for(b->f, file, MODEL_ROUTE_DECORATOR, d);
			char path[512] = "", prefix[256];
			bool partial;
			if (!r || d->kind != IR_CALL)
				continue;
			const struct ir_node *a = r->attr[MODEL_ATTR_ROUTE]
						      ? model_arg(d, r->attr[MODEL_ATTR_ROUTE])
						      : NULL;
			if (a && !flow_string(b->q, file, a, path, sizeof path, &partial))
				continue;
			class_prefix(b, file, fn, r, prefix, sizeof prefix);
			char whole[800];
			snprintf(whole, sizeof whole, "%s/%s", prefix, path);
			route_add(b, whole, last_segment(d), (struct flow_fn){file, (int32_t)k});
		}
	}
}

/* ---- routes made by a file's path ---- */

static bool glob_match(const char *const *pat, size_t np, const char *const *seg, size_t ns)
{
	if (!np)
		return !ns;
	if (!strcmp(pat[0], "**")) {
		for (size_t skip = 0; skip <= ns; skip++)
			if (glob_match(pat + 1, np - 1, seg + skip, ns - skip))
				return true;
		return false;
	}
	return ns && !fnmatch(pat[0], seg[0], 0) && glob_match(pat + 1, np - 1, seg + 1, ns - 1);
}

static size_t split(char *s, char sep, const char **out, size_t max)
{
	size_t n = 0;
	for (char *p = s; *p && n < max;) {
		char *end = strchr(p, sep);
		if (end)
			*end = '\0';
		if (*p)
			out[n++] = p;
		if (!end)
			break;
		p = end + 1;
	}
	return n;
}

static bool one_name(const struct path_pattern *pat, const char *name)
{
	struct path p = {.n = 1, .rooted = true};
	p.seg[0] = name;
	return pat && name && path_match(pat, &p);
}

/* The function an export's value is: itself, or the first function handed to it
 * (export default defineEventHandler(async (event) => ...)). */
static struct flow_fn export_function(struct flow *f, int32_t file, const struct ir_export *ex)
{
	const struct ir_node *v = ex->value;
	if (v && v->kind == IR_CALL)
		for (uint32_t i = 0; i < v->nkids; i++)
			if (v->kids[i]->kind == IR_FUNC)
				return (struct flow_fn){file, (int32_t)v->kids[i]->num};
	if (v)
		return value_function(f, file, v, 0);
	uint32_t n;
	const struct def *d = ex->local ? scope_lookup(f, file, 0, ex->local, &n) : NULL;
	return d && d->how == DEF_FUNC	   ? (struct flow_fn){file, (int32_t)d->value->num}
	       : d && d->how == DEF_ASSIGN ? value_function(f, file, d->value, 0)
					   : FLOW_FN_NONE;
}

static void file_handlers(struct builder *b, int32_t file, const struct model_row *r,
			  const char *url, const char *verb)
{
	const struct ir_file *ir = flow_ir(b->f, file);
	const char *want = r->attr[MODEL_ATTR_EXPORT] ? r->attr[MODEL_ATTR_EXPORT] : "default";
	bool by_default = !strcmp(want, "default");
	for (uint32_t k = 1; k < ir->nfuncs; k++) {
		const struct ir_func *fn = &ir->funcs[k];
		if (by_default ? (fn->flags & IR_FN_DEFAULT) != 0
			       : (fn->flags & IR_FN_EXPORTED) && one_name(r->export_pat, fn->name))
			route_add(b, url, by_default ? verb : fn->name,
				  (struct flow_fn){file, (int32_t)k});
	}
	for (uint32_t i = 0; i < ir->nexports; i++) {
		const struct ir_export *ex = &ir->exports[i];
		if (ex->from || !ex->name ||
		    (by_default ? strcmp(ex->name, "default") : !one_name(r->export_pat, ex->name)))
			continue;
		route_add(b, url, by_default ? verb : ex->name, export_function(b->f, file, ex));
	}
}

/* The URL a file's path makes under a route_file row, or false. */
static bool file_url(const struct model_row *r, const char *file_path, char *url, size_t size,
		     char *verb)
{
	char path[512], glob[256];
	const char *seg[SEG_MAX], *pat[SEG_MAX];
	snprintf(path, sizeof path, "%s", file_path);
	snprintf(glob, sizeof glob, "%s", r->text);
	size_t ns = split(path, '/', seg, SEG_MAX), np = split(glob, '/', pat, SEG_MAX);
	if (!glob_match(pat, np, seg, ns))
		return false;
	const char *root = r->attr[MODEL_ATTR_ROOT];
	size_t from = 0;
	while (root && from < ns && strcmp(seg[from], root))
		from++;
	if (root && from == ns)
		return false;
	size_t at = 0;
	url[0] = '\0';
	for (size_t i = from + (root ? 1 : 0); i < ns; i++) {
		char part[128];
		snprintf(part, sizeof part, "%s", seg[i]);
		if (i == ns - 1) {
			char *dot = strchr(part, '.');
			bool dots =
			    r->attr[MODEL_ATTR_DOTS] && !strcmp(r->attr[MODEL_ATTR_DOTS], "true");
			char *ext = strrchr(part, '.');
			if (dots && ext) {
				*ext = '\0'; /* api.orders.$id.ts: the dots are slashes */
				for (char *c = part; *c; c++)
					if (*c == '.')
						*c = '/';
			} else if (dot) {
				*dot = '\0'; /* status.get.ts: Nuxt's method suffix goes too */
				char *ext2 = strchr(dot + 1, '.');
				if (verb && ext2 && ext2 - dot - 1 < 7)
					snprintf(verb, 8, "%.*s", (int)(ext2 - dot - 1), dot + 1);
			}
			if (one_name(r->index_pat, part))
				break;
		}
		if (part[0] == '(' && part[strlen(part) - 1] == ')')
			continue; /* a route group: (shop) */
		at += (size_t)snprintf(url + at, size - at, "/%s", part);
		if (at >= size)
			return false;
	}
	if (!at)
		snprintf(url, size, "/");
	return true;
}

static void file_route(struct builder *b, int32_t file, const struct model_row *r)
{
	char url[512], verb[8] = "";
	if (file_url(r, flow_ir(b->f, file)->path, url, sizeof url, verb))
		file_handlers(b, file, r, url, verb);
}

int routes_build(struct flow *f)
{
	struct builder b = {.f = f};
	if (!(b.q = flow_query_new(f)))
		return -1;
	size_t nfile_rows;
	const struct model_row *const *rows = model_rows(f->models, MODEL_ROUTE_FILE, &nfile_rows);
	for (size_t i = 0; i < f->nfiles && !b.oom; i++) {
		const struct ir_file *ir = flow_ir(f, (int32_t)i);
		call_routes(&b, (int32_t)i);
		decorator_routes(&b, (int32_t)i);
		for (size_t k = 0; k < nfile_rows; k++)
			if (rows[k]->langs & LANG_BIT(ir->lang))
				file_route(&b, (int32_t)i, rows[k]);
	}
	flow_query_free(b.q);
	return b.oom ? error_set("out of memory") : 0;
}

/* ---- matching ---- */

static bool is_param(const char *s)
{
	return strchr(":[{<$*", s[0]) != NULL;
}

/* The segments of a URL's path: after the scheme and host, without a leading unknown
 * base ("{?}/api/x": a base URL the engine could not read), the query and the fragment. */
static size_t url_segments(char *url, const char **seg, size_t max)
{
	char *p = url;
	char *scheme = strstr(p, "://");
	if (scheme) {
		p = strchr(scheme + 3, '/');
		if (!p)
			return 0;
	}
	for (char *q = p; *q; q++) /* the query and the fragment; "{?}" is an unknown part */
		if ((*q == '?' && (q == p || q[-1] != '{')) || *q == '#') {
			*q = '\0';
			break;
		}
	size_t n = split(p, '/', seg, max);
	if (n && !strcmp(seg[0], "{?}"))
		return n - 1 ? (memmove(seg, seg + 1, (n - 1) * sizeof *seg), n - 1) : 0;
	return n;
}

/* How well a route matches the URL's segments from `from`: -1 no, else the number of
 * fixed segments that matched. */
static int route_score(const struct route *r, const char *const *seg, size_t ns, size_t *len)
{
	char buf[512];
	const char *rs[SEG_MAX];
	snprintf(buf, sizeof buf, "%s", r->path);
	size_t n = split(buf, '/', rs, SEG_MAX);
	*len = n;
	if (n > ns)
		return -1;
	int fixed = 0;
	size_t off = ns - n; /* the URL's end */
	for (size_t i = 0; i < n; i++) {
		const char *u = seg[off + i];
		if (!strncmp(rs[i], "[...", 4) || !strcmp(rs[i], "*"))
			return fixed; /* a catch-all: the rest */
		if (is_param(rs[i]) || strstr(u, "{?}"))
			continue;
		if (strcmp(rs[i], u))
			return -1;
		fixed++;
	}
	return fixed;
}

struct flow_fn routes_find(const struct flow *f, const char *url)
{
	char buf[512];
	const char *seg[SEG_MAX];
	if (!url || !f->nroutes)
		return FLOW_FN_NONE;
	snprintf(buf, sizeof buf, "%s", url);
	size_t ns = url_segments(buf, seg, SEG_MAX);
	const struct route *best = NULL;
	int best_score = -1;
	for (size_t i = 0; i < f->nroutes; i++) {
		size_t len;
		int s = route_score(&f->routes[i], seg, ns, &len);
		/* a route seen whole, or mounted under a prefix and fixed enough to tell */
		if (s < 0 || (len < ns && s < 2))
			continue;
		s = s * 2 + (len == ns) +
		    (!f->routes[i].verb[0] || !strcmp(f->routes[i].verb, "GET"));
		if (s > best_score) {
			best = &f->routes[i];
			best_score = s;
		}
	}
	return best ? best->handler : FLOW_FN_NONE;
}

bool flow_route_of(const struct flow *f, struct flow_fn handler, char *buf, size_t size)
{
	for (size_t i = 0; i < f->nroutes; i++)
		if (f->routes[i].handler.file == handler.file &&
		    f->routes[i].handler.func == handler.func) {
			char path[512];
			snprintf(path, sizeof path, "%s", f->routes[i].path);
			for (char *p = path; *p == '/' && p[1] == '/';)
				memmove(p, p + 1, strlen(p));
			snprintf(buf, size, "%s%s%s%s", f->routes[i].verb,
				 f->routes[i].verb[0] ? " " : "", path[0] == '/' ? "" : "/", path);
			return true;
		}
	return false;
}

/* ---- what a file's routes look like, before the index ---- */

/* The fixed start of a route ("/api/orders" of "/api/orders/:id/status"), kept when it
 * tells the route apart: two segments, or one of six characters or more. */
static size_t add_text(char (*out)[FLOW_ROUTE_TEXT], size_t n, size_t max, const char *route)
{
	char t[FLOW_ROUTE_TEXT];
	size_t len = 0, segs = 0, longest = 0, cur = 0;
	for (const char *p = route; *p && len + 1 < sizeof t; p++) {
		if (strchr(":[{<$*?", *p))
			break;
		t[len++] = *p;
		if (*p == '/') {
			cur = 0;
		} else if (++cur == 1) {
			segs++;
		}
		if (cur > longest)
			longest = cur;
	}
	while (len && t[len - 1] == '/')
		len--;
	t[len] = '\0';
	if (n >= max || (segs < 2 && longest < 6))
		return n;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(out[i], t))
			return n;
	memcpy(out[n], t, len + 1);
	return n + 1;
}

size_t flow_route_texts(const struct model_set *m, const struct ir_file *ir,
			char (*out)[FLOW_ROUTE_TEXT], size_t max)
{
	size_t n = 0, nrows;
	const struct model_row *const *rows = model_rows(m, MODEL_ROUTE_FILE, &nrows);
	for (size_t k = 0; k < nrows; k++) {
		char url[512];
		if ((rows[k]->langs & LANG_BIT(ir->lang)) &&
		    file_url(rows[k], ir->path, url, sizeof url, NULL))
			n = add_text(out, n, max, url);
	}
	for (uint32_t k = 0; k < ir->nnodes; k++) {
		const struct ir_node *node = ir->nodes[k];
		struct path p;
		const struct model_row *r = NULL;
		if (node->kind != IR_CALL || !path_of(&p, node) || !p.n)
			continue;
		if (!(r = model_match(m, MODEL_ROUTE, ir->lang, &p)))
			r = model_match(m, MODEL_ROUTE_DECORATOR, ir->lang, &p);
		const struct ir_node *a = r && r->attr[MODEL_ATTR_ROUTE]
					      ? model_arg(node, r->attr[MODEL_ATTR_ROUTE])
					      : NULL;
		if (a && a->kind == IR_TEMPLATE && a->nkids)
			a = a->kids[0];
		if (a && a->kind == IR_STRING && a->text)
			n = add_text(out, n, max, a->text);
	}
	return n;
}
