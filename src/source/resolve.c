/* memmem() */
#define _GNU_SOURCE
#include "source/resolve.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"

#define SPEC_MAX 512

static const char *const extensions[] = {".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs",
					 ".mts", ".cts"};
#define NEXT (sizeof extensions / sizeof extensions[0])

/* ---- tsconfig ---- */

/* JSON with comments and trailing commas, as tsconfig files are written, made JSON. */
static char *strip_jsonc(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"') {
			size_t j = i + 1;
			while (j < n && s[j] != '"')
				j += s[j] == '\\' ? 2 : 1;
			buf_put(&b, s + i, (j < n ? j + 1 : n) - i);
			i = j;
		} else if (s[i] == '/' && i + 1 < n && s[i + 1] == '/') {
			while (i < n && s[i] != '\n')
				i++;
			buf_putc(&b, '\n');
		} else if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
			const char *end = memmem(s + i + 2, n - i - 2, "*/", 2);
			i = end ? (size_t)(end - s) + 1 : n;
			buf_putc(&b, ' ');
		} else if (s[i] == ',') {
			size_t j = i + 1;
			while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r'))
				j++;
			if (j < n && (s[j] == '}' || s[j] == ']'))
				continue;
			buf_putc(&b, ',');
		} else {
			buf_putc(&b, s[i]);
		}
	}
	return buf_detach(&b);
}

/* "./src/" -> "src/", "." -> "", "src" -> "src/" */
static char *folder_of(const char *base, const char *rel)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, base ? base : "");
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	if (strcmp(rel, ".") != 0)
		buf_puts(&b, rel);
	if (b.len && b.ptr[b.len - 1] != '/')
		buf_putc(&b, '/');
	char *out = buf_detach(&b);
	return out ? out : strdup("");
}

int resolver_load_config(struct resolver *r, const char *text, size_t len)
{
	char *clean = strip_jsonc(text, len);
	if (!clean)
		return error_set("out of memory");
	json_t *cfg = json_loads(clean, 0, NULL);
	free(clean);
	json_t *opts = json_object_get(cfg, "compilerOptions");
	const char *base = json_string_value(json_object_get(opts, "baseUrl"));
	json_t *paths = json_object_get(opts, "paths");
	if (base || json_is_object(paths)) {
		free(r->base_url);
		r->base_url = folder_of(NULL, base ? base : ".");
	}
	const char *key;
	json_t *targets;
	json_object_foreach(paths, key, targets)
	{
		const char *t = json_string_value(json_array_get(targets, 0));
		if (!t)
			continue;
		struct alias *a = realloc(r->aliases, (r->naliases + 1) * sizeof *a);
		if (!a)
			break;
		r->aliases = a;
		a = &r->aliases[r->naliases];
		size_t kl = strlen(key), tl = strlen(t);
		a->wildcard = kl && key[kl - 1] == '*';
		a->prefix = strndup(key, kl - (size_t)a->wildcard);
		char *target = strndup(t, tl - (size_t)(tl && t[tl - 1] == '*'));
		if (target && a->wildcard) {
			a->target = folder_of(r->base_url, target);
		} else if (target) {
			char *dir = folder_of(r->base_url, "");
			size_t n = strlen(dir) + strlen(target) + 1;
			if ((a->target = malloc(n)))
				snprintf(a->target, n, "%s%s", dir,
					 target[0] == '.' && target[1] == '/' ? target + 2 : target);
			free(dir);
		} else {
			a->target = NULL;
		}
		free(target);
		if (!a->prefix || !a->target) {
			free(a->prefix);
			free(a->target);
			continue;
		}
		r->naliases++;
	}
	json_decref(cfg);
	return 0;
}

int resolver_init(struct resolver *r, const struct file_list *files, const char *root)
{
	*r = (struct resolver){.files = files};
	if (!root)
		return 0;
	static const char *const configs[] = {"tsconfig.json", "jsconfig.json"};
	for (size_t i = 0; i < 2; i++) {
		size_t len = 0;
		char *text = file_read_small(root, configs[i], 1 << 20, &len);
		if (!text)
			continue;
		int rc = resolver_load_config(r, text, len);
		free(text);
		return rc;
	}
	return 0;
}

void resolver_free(struct resolver *r)
{
	for (size_t i = 0; i < r->naliases; i++) {
		free(r->aliases[i].prefix);
		free(r->aliases[i].target);
	}
	free(r->aliases);
	free(r->base_url);
	*r = (struct resolver){0};
}

/* ---- resolving ---- */

static int cmp_entry(const void *key, const void *item)
{
	return strcmp(key, ((const struct file_entry *)item)->path);
}

static long find(const struct resolver *r, const char *path)
{
	const struct file_entry *e = bsearch(path, r->files->items, r->files->len,
					     sizeof *r->files->items, cmp_entry);
	return e ? (long)(e - r->files->items) : -1;
}

/* Joins dir and rel, resolving "." and ".." segments; false when it leaves the root. */
static bool join(char *out, size_t cap, const char *dir, size_t dirlen, const char *rel,
		 size_t rellen)
{
	char tmp[2 * SPEC_MAX];
	if (dirlen + rellen + 2 > sizeof tmp || cap < sizeof tmp)
		return false;
	memcpy(tmp, dir, dirlen);
	tmp[dirlen] = '/';
	memcpy(tmp + dirlen + 1, rel, rellen);
	tmp[dirlen + 1 + rellen] = '\0';
	size_t o = 0;
	for (char *seg = tmp, *next; seg; seg = next) {
		next = strchr(seg, '/');
		if (next)
			*next++ = '\0';
		if (!seg[0] || !strcmp(seg, "."))
			continue;
		if (!strcmp(seg, "..")) {
			if (o == 0)
				return false;
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			continue;
		}
		if (o)
			out[o++] = '/';
		size_t n = strlen(seg);
		memcpy(out + o, seg, n);
		o += n;
	}
	out[o] = '\0';
	return o > 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/* The file a module path names, trying what bundlers try. */
static long lookup(const struct resolver *r, const char *base)
{
	char cand[2 * SPEC_MAX + 16];
	size_t n = strlen(base);
	if (n + 16 > sizeof cand)
		return -1;
	long i;
	const char *dot = strrchr(base, '.');
	if (dot && strchr(dot, '/') == NULL && (i = find(r, base)) >= 0)
		return i;
	/* "./db.js" written in TypeScript sources names db.ts */
	static const char *const swaps[][3] = {
		{".js", ".ts", ".tsx"}, {".jsx", ".tsx", NULL}, {".mjs", ".mts", NULL},
		{".cjs", ".cts", NULL},
	};
	for (size_t s = 0; s < 4; s++) {
		if (!ends_with(base, swaps[s][0]))
			continue;
		size_t stem = n - strlen(swaps[s][0]);
		for (size_t k = 1; k < 3 && swaps[s][k]; k++) {
			snprintf(cand, sizeof cand, "%.*s%s", (int)stem, base, swaps[s][k]);
			if ((i = find(r, cand)) >= 0)
				return i;
		}
	}
	for (size_t e = 0; e < NEXT; e++) {
		snprintf(cand, sizeof cand, "%s%s", base, extensions[e]);
		if ((i = find(r, cand)) >= 0)
			return i;
	}
	for (size_t e = 0; e < NEXT; e++) {
		snprintf(cand, sizeof cand, "%s/index%s", base, extensions[e]);
		if ((i = find(r, cand)) >= 0)
			return i;
	}
	return -1;
}

long resolve_import(const struct resolver *r, const char *from, const char *spec, size_t len)
{
	char path[2 * SPEC_MAX];
	if (!len || len >= SPEC_MAX || memchr(spec, '\0', len))
		return -1;
	if (spec[0] == '.') {
		const char *slash = strrchr(from, '/');
		size_t dirlen = slash ? (size_t)(slash - from) : 0;
		if (!join(path, sizeof path, from, dirlen, spec, len))
			return -1;
		return lookup(r, path);
	}
	for (size_t a = 0; a < r->naliases; a++) {
		const struct alias *al = &r->aliases[a];
		size_t pl = strlen(al->prefix);
		bool hit = al->wildcard ? len >= pl && !memcmp(spec, al->prefix, pl)
					: len == pl && !memcmp(spec, al->prefix, pl);
		if (!hit)
			continue;
		size_t tl = strlen(al->target);
		if (!join(path, sizeof path, al->target, tl, spec + pl, len - pl) &&
		    !join(path, sizeof path, "", 0, al->target, tl))
			continue;
		long i = lookup(r, path);
		if (i >= 0)
			return i;
	}
	if (r->base_url && join(path, sizeof path, r->base_url, strlen(r->base_url), spec, len)) {
		long i = lookup(r, path);
		if (i >= 0)
			return i;
	}
	/* the frameworks' own aliases, when no tsconfig says otherwise: SvelteKit's $lib,
	 * Remix's ~ (app/), Nuxt's ~ and @ (the root or src/), Vue CLI's @ (src/) */
	static const struct {
		const char *prefix, *target;
	} builtin[] = {{"$lib/", "src/lib/"}, {"~/", "app/"}, {"~/", "src/"}, {"~/", ""},
		       {"~~/", ""},	       {"@/", "src/"},	 {"@/", ""},	 {"#/", "src/"}};
	for (size_t a = 0; a < sizeof builtin / sizeof builtin[0]; a++) {
		size_t pl = strlen(builtin[a].prefix), tl = strlen(builtin[a].target);
		if (len <= pl || memcmp(spec, builtin[a].prefix, pl) ||
		    !join(path, sizeof path, builtin[a].target, tl, spec + pl, len - pl))
			continue;
		long i = lookup(r, path);
		if (i >= 0)
			return i;
	}
	return -1;
}

/* ---- finding the specifiers ---- */

static bool word_before(const char *data, const char *quote, const char *word)
{
	const char *p = quote;
	while (p > data && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '(' || p[-1] == '\n'))
		p--;
	size_t n = strlen(word);
	if ((size_t)(p - data) < n || memcmp(p - n, word, n))
		return false;
	/* w[-1], not p[-n - 1]: with n unsigned, -n - 1 is an offset that wraps around */
	const char *w = p - n;
	return w == data || !(w[-1] == '_' || w[-1] == '$' || w[-1] == '.' ||
			      (w[-1] >= 'a' && w[-1] <= 'z') || (w[-1] >= 'A' && w[-1] <= 'Z'));
}

/* A specifier starts at start (just after its opening quote). */
static void take(const char *data, size_t len, const char *start, import_fn fn, void *ctx)
{
	char q = start[-1];
	if (q != '\'' && q != '"' && q != '`')
		return;
	const char *end = start;
	const char *limit = data + len;
	while (end < limit && *end != q && *end != '\n' && end - start < SPEC_MAX)
		end++;
	if (end >= limit || *end != q)
		return;
	if (word_before(data, start - 1, "from") || word_before(data, start - 1, "require") ||
	    word_before(data, start - 1, "import"))
		fn(ctx, start, (size_t)(end - start));
}

void resolver_list_imports(const struct resolver *r, const char *data, size_t len, import_fn fn,
			   void *ctx)
{
	for (const char *p = data; (p = memmem(p, len - (size_t)(p - data), "./", 2)); p += 2) {
		if (p > data && p[-1] != '.')
			take(data, len, p, fn, ctx);
		else if (p - data >= 2 && p[-1] == '.' && p[-2] != '.' && p[-2] != '/')
			take(data, len, p - 1, fn, ctx);
	}
	for (size_t a = 0; r && a < r->naliases; a++) {
		const char *prefix = r->aliases[a].prefix;
		size_t pl = strlen(prefix);
		if (!pl || prefix[0] == '.')
			continue;
		for (const char *p = data; (p = memmem(p, len - (size_t)(p - data), prefix, pl));
		     p += pl)
			if (p > data)
				take(data, len, p, fn, ctx);
	}
}
