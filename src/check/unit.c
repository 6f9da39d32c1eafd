/* memmem() */
#define _GNU_SOURCE
#include "check/unit.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check/checker.h"
#include "check/config.h"
#include "check/enqueue.h"
#include "check/scan_private.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/redact.h"
#include "core/regex.h"
#include "core/secret.h"
#include "lang/ast.h"
#include "lang/classify.h"
#include "lang/ts.h"
#include "suppress/inline.h"

typedef bool (*var_fn)(void *ctx, const char *name, size_t n, const char **val, size_t *len);

static const char *key_words(enum key_kind k)
{
	return k == KEY_LIVE ? "live key" : k == KEY_SANDBOX ? "sandbox key" : "key";
}

/* Expands {var} in a message template; unknown names are kept as written. */
static char *format_message(const char *tmpl, enum key_kind kind, const char *path, var_fn fn,
			    void *ctx)
{
	struct buf b = BUF_INIT;
	for (const char *p = tmpl; *p;) {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;
		if (!close) {
			buf_putc(&b, *p++);
			continue;
		}
		const char *name = p + 1;
		size_t n = (size_t)(close - name);
		const char *val = NULL;
		size_t len = 0;
		if (n == 3 && !strncmp(name, "key", 3))
			val = key_words(kind), len = strlen(val);
		else if (n == 4 && !strncmp(name, "path", 4))
			val = path, len = strlen(path);
		else if (fn && !fn(ctx, name, n, &val, &len))
			val = NULL;
		if (val) {
			/* Values come from the scanned file: keep the message on one line. */
			for (size_t i = 0; i < len && i < 80; i++)
				buf_putc(&b, val[i] == '\n' || val[i] == '\r' ? ' ' : val[i]);
		} else
			buf_put(&b, p, (size_t)(close - p) + 1);
		p = close + 1;
	}
	return buf_detach(&b);
}

int unit_add_hit(struct unit *u, const struct rule *r, size_t start, size_t end,
		 const char *secret, size_t secret_len, const char *message_template, int severity)
{
	if (u->nhits == u->caphits) {
		size_t cap = u->caphits ? u->caphits * 2 : 8;
		struct hit *p = realloc(u->hits, cap * sizeof *p);
		if (!p)
			return error_set("out of memory");
		u->hits = p;
		u->caphits = cap;
	}
	enum key_kind kind = secret ? secret_kind(secret, secret_len) : KEY_UNKNOWN;
	struct hit *h = &u->hits[u->nhits];
	*h = (struct hit){.rule = r, .seq = u->nhits, .start = start, .end = end};
	h->severity = severity >= 0 ? (enum severity)severity : rule_severity(r, kind);
	h->message = format_message(message_template ? message_template : r->message, kind,
				    u->path, NULL, NULL);
	if (secret && !(h->secret = strndup(secret, secret_len))) {
		free(h->message);
		return error_set("out of memory");
	}
	if (!h->message) {
		free(h->secret);
		return error_set("out of memory");
	}
	u->nhits++;
	return 0;
}

void unit_line_bounds(const struct unit *u, size_t pos, size_t *ls, size_t *le)
{
	size_t a = pos;
	while (a > 0 && u->data[a - 1] != '\n')
		a--;
	const char *nl = memchr(u->data + pos, '\n', u->len - pos);
	size_t b = nl ? (size_t)(nl - u->data) : u->len;
	if (b > a && u->data[b - 1] == '\r')
		b--;
	*ls = a;
	*le = b;
}

static bool line_excluded(const struct unit *u, const struct detector *d, size_t pos)
{
	if (!d->unless_line_re)
		return false;
	size_t ls, le;
	unit_line_bounds(u, pos, &ls, &le);
	return regex_search(d->unless_line_re, u->data + ls, le - ls);
}

/* Adds a hit for a secret found by a detector, unless it is a placeholder. */
static int detector_hit(struct unit *u, const struct rule *r, const struct detector *d,
			size_t start, size_t end, const char *secret, size_t slen, var_fn fn,
			void *ctx)
{
	if (secret && secret_is_placeholder(secret, slen, d->min_length))
		return 0;
	if (line_excluded(u, d, start))
		return 0;
	size_t before = u->nhits;
	if (unit_add_hit(u, r, start, end, secret, slen, NULL, -1) < 0)
		return -1;
	struct hit *h = &u->hits[before];
	free(h->message);
	enum key_kind kind = secret ? secret_kind(secret, slen) : KEY_UNKNOWN;
	h->message = format_message(d->message ? d->message : r->message, kind, u->path, fn, ctx);
	return h->message ? 0 : error_set("out of memory");
}

struct regex_vars {
	const struct regex *re;
	const struct regex_iter *it;
	const char *data;
};

static bool regex_var(void *ctx, const char *name, size_t n, const char **val, size_t *len)
{
	struct regex_vars *v = ctx;
	char key[64];
	if (n >= sizeof key)
		return false;
	memcpy(key, name, n);
	key[n] = '\0';
	size_t a, b;
	if (!regex_iter_group(v->it, regex_group_number(v->re, key), &a, &b))
		return false;
	*val = v->data + a;
	*len = b - a;
	return true;
}

/* After a match failed on PCRE2's match limit, the search goes on line by line from where
 * it stopped: a line too complex for the pattern is skipped (the first one and the count
 * kept in the unit), not the rest of the file. false at the end of the data. */
static bool next_line(struct unit *u, struct regex_iter *it, bool *by_line, size_t line[2])
{
	size_t start;
	if (!*by_line && !it->failed)
		return false;
	if (!*by_line) {
		start = it->next; /* the failing line is somewhere from here: read them one by one */
	} else {
		if (it->failed && !u->limit_lines++)
			u->limit_line = unit_line(u, line[0]) + (int)u->line_base;
		start = line[1] + 1;
	}
	if (start > u->len)
		return false;
	*by_line = true;
	const char *nl = memchr(u->data + start, '\n', u->len - start);
	line[0] = start;
	line[1] = nl ? (size_t)(nl - u->data) : u->len;
	regex_iter_range(it, start, line[1]);
	return true;
}

static int run_regex(struct unit *u, const struct rule *r, const struct detector *d)
{
	struct regex_iter it;
	regex_iter_init(&it, d->re, u->data, u->len);
	int rc = 0;
	bool by_line = false;
	size_t line[2] = {0, u->len};
	while (!rc) {
		if (!regex_iter_next(&it)) {
			if (next_line(u, &it, &by_line, line))
				continue;
			break;
		}
		size_t a, b, sa = 0, sb = 0;
		bool has_secret = d->secret_group >= 0 && regex_iter_group(&it, d->secret_group, &sa, &sb);
		if (!regex_iter_group(&it, d->report_group, &a, &b))
			regex_iter_group(&it, 0, &a, &b);
		struct regex_vars vars = {d->re, &it, u->data};
		rc = detector_hit(u, r, d, a, b, has_secret ? u->data + sa : NULL, sb - sa,
				  regex_var, &vars);
	}
	regex_iter_free(&it);
	return rc;
}

struct query_ctx {
	struct unit *u;
	const struct rule *r;
	const struct detector *d;
	const struct query_match *m;
};

static bool query_var(void *ctx, const char *name, size_t n, const char **val, size_t *len)
{
	struct query_ctx *q = ctx;
	char key[64];
	uint32_t a, b;
	if (n >= sizeof key)
		return false;
	memcpy(key, name, n);
	key[n] = '\0';
	if (query_match_capture(q->m, key, &a, &b) < 0)
		return false;
	*val = q->u->data + a;
	*len = b - a;
	return true;
}

static int on_query_match(void *ctx, const struct query_match *m)
{
	struct query_ctx *q = ctx;
	q->m = m;
	if (q->d->secret && !m->value)
		return 0;
	/* A browser-only detector in a browser file: not in the parts that only ever run
	 * on the server (getServerSideProps, server actions). */
	unsigned browser = 1u << RUNTIME_BROWSER;
	if ((q->d->runtimes & browser) && !(q->d->runtimes & ~browser) && q->u->syntax &&
	    classify_in_server_function(q->u->syntax, m->start))
		return 0;
	return detector_hit(q->u, q->r, q->d, m->start, m->end, m->value,
			    m->value ? strlen(m->value) : 0, query_var, q);
}

static int read_small_file(const struct scan *s, const char *path, size_t max, char **text,
			   size_t *len);

/* Modules crossed at most to evaluate an imported constant. */
#define IMPORT_DEPTH 4

/* Parses the project module spec imported by from: its syntax (text in *text, path in
 * *path), or NULL when it is not project JavaScript or cannot be read. */
static struct syntax *parse_module(struct unit *u, const char *from, const char *spec,
				   size_t spec_len, char **text, const char **path)
{
	const struct scan *s = u->scan;
	*text = NULL;
	if (!s->root || !s->resolver.files)
		return NULL;
	long i = resolve_import(&s->resolver, from, spec, spec_len);
	if (i < 0)
		return NULL;
	*path = s->files.items[i].path;
	enum lang lang = lang_from_path(*path);
	size_t len = 0;
	if (!lang_is_js(lang) || lang_is_page(*path) ||
	    read_small_file(s, *path, s->opt->max_parse_size, text, &len) < 0)
		return NULL;
	struct syntax *syn = NULL;
	if (syntax_parse(&syn, u->parsers, lang, *text, len, s->opt->parse_timeout_ms * 1000) < 0) {
		free(*text);
		*text = NULL;
		return NULL;
	}
	return syn;
}

/* The value of a constant another project module exports, read from the scanned
 * folder and parsed with this thread's parsers. */
static char *import_value(void *ctx, const char *spec, size_t spec_len, const char *name,
			  size_t name_len, int depth, bool loose)
{
	const struct import_frame *f = ctx;
	if (depth > IMPORT_DEPTH)
		return NULL;
	char *text;
	const char *path;
	struct syntax *syn = parse_module(f->unit, f->from, spec, spec_len, &text, &path);
	if (!syn)
		return NULL;
	struct import_frame next = {f->unit, path};
	syntax_set_import_hook(syn, import_value, &next);
	char *out = syntax_export_value(syn, name, name_len, depth, loose);
	syntax_free(syn);
	free(text);
	return out;
}

const struct syntax *unit_syntax(struct unit *u)
{
	/* a piece of a large file: the file is named once its pieces are read */
	if (!u->parse_tried && u->lang != LANG_TEXT && !u->text_only) {
		u->parse_tried = true;
		if (u->len > u->scan->opt->max_parse_size) {
			unit_note_limit(u, true, NULL,
					"%s: not parsed: larger than %zu bytes (--max-parse-size); "
					"only the text rules read it",
					u->path, u->scan->opt->max_parse_size);
			return NULL;
		}
		const char *src = u->data;
		if (u->page) {
			enum lang lang;
			if (!(u->script = lang_page_scripts(u->data, u->len, &lang))) {
				unit_note_limit(u, true, NULL, "%s: not parsed: out of memory", u->path);
				return NULL;
			}
			src = u->script;
			u->lang = lang;
		}
		if (syntax_parse(&u->syntax, u->parsers, u->lang, src, u->len,
				 u->scan->opt->parse_timeout_ms * 1000) < 0) {
			u->syntax = NULL;
			/* too deep, too slow, not the language: the code rules could not read it */
			unit_note_limit(u, true, NULL, "%s: not parsed: %s", u->path, error_last());
		} else {
			u->frame = (struct import_frame){u, u->path};
			syntax_set_import_hook(u->syntax, import_value, &u->frame);
			/* The checks of the file get as long as its parse could take. */
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ast_set_deadline((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 +
					 u->scan->opt->parse_timeout_ms);
		}
	}
	return u->syntax;
}

/* Reads a regular file of the scanned folder, of at most max bytes, not through a link.
 * 0, or -1. */
static int read_small_file(const struct scan *s, const char *path, size_t max, char **text,
			   size_t *len)
{
	return (*text = file_read_small(s->root, path, max, len)) ? 0 : -1;
}

/* The nearest package.json above path, read from the scanned folder (not followed
 * through links, at most 1 MiB), and whether a bundler config sits beside it. */
static char *nearest_package(const struct scan *s, const char *path, size_t *len, char **dir,
			     bool *bundler)
{
	static const char *const bundlers[] = {
		"vite.config.js", "vite.config.ts", "vite.config.mjs", "vite.config.mts",
		"webpack.config.js", "rollup.config.js", "rollup.config.mjs", ".parcelrc",
	};
	*dir = NULL;
	*bundler = false;
	if (!s->root)
		return NULL;
	size_t rootlen = strlen(s->root);
	char full[PATH_MAX];
	for (size_t end = strlen(path);;) {
		while (end > 0 && path[end - 1] != '/')
			end--;
		/* path[0, end) is a folder with its trailing '/', or "" for the root */
		if ((size_t)snprintf(full, sizeof full, "%s%.*spackage.json", s->root, (int)end,
				     path) < sizeof full) {
			char *text = NULL;
			if (read_small_file(s, full + rootlen, 1 << 20, &text, len) == 0) {
				*dir = strndup(path, end ? end - 1 : 0);
				for (size_t i = 0; i < sizeof bundlers / sizeof bundlers[0]; i++) {
					snprintf(full + rootlen + end, sizeof full - rootlen - end, "%s",
						 bundlers[i]);
					if (access(full, F_OK) == 0)
						*bundler = true;
				}
				return text;
			}
		}
		if (end == 0)
			return NULL;
		end--;
	}
}

char *scan_package_json(const struct scan *s, const char *path, size_t *len)
{
	char *dir = NULL;
	bool bundler;
	char *text = nearest_package(s, path, len, &dir, &bundler);
	free(dir);
	return text;
}

int unit_runtime(struct unit *u)
{
	if (u->classified)
		return u->runtime;
	u->classified = true;
	const struct config *cfg = u->scan->config;
	if (cfg && (path_matches(u->path, cfg->browser, cfg->nbrowser) ||
		    path_matches(u->path, cfg->server, cfg->nserver))) {
		bool browser = path_matches(u->path, cfg->browser, cfg->nbrowser);
		u->runtime = browser ? RUNTIME_BROWSER : RUNTIME_SERVER;
		scan_log(u->scan, "%s: runs in: %s (%s says so)", u->path, runtime_name(u->runtime),
			 cfg->path);
		return u->runtime;
	}
	if (u->lang == LANG_PHP || u->lang == LANG_PYTHON) {
		/* The browser never runs them; a PHP page's scripts are read on their own. */
		u->runtime = RUNTIME_SERVER;
		scan_log(u->scan, "%s: runs in: server (%s)", u->path, lang_name(u->lang));
		return u->runtime;
	}
	struct classify_input in = {.path = u->path, .syntax = unit_syntax(u)};
	char *dir = NULL;
	char *pkg = nearest_package(u->scan, u->path, &in.package_json_len, &dir,
				    &in.bundler_config);
	in.package_json = pkg;
	in.package_dir = dir;
	struct runtime_verdict v;
	classify_runtime(&v, &in);
	free(pkg);
	free(dir);
	/* A script a WordPress plugin or theme enqueues runs in the browser, whatever its
	 * folder is called: only code that said where it runs (a directive, an import, a
	 * browser API) decides before it. */
	const char *owner;
	if (v.where != RUNTIME_BROWSER && !u->page &&
	    (v.where == RUNTIME_UNKNOWN || !strncmp(v.evidence, "folder ", 7)) &&
	    (owner = enqueue_owner(u->scan, u->path))) {
		v.where = RUNTIME_BROWSER;
		snprintf(v.evidence, sizeof v.evidence, "enqueued by %s (wp_enqueue_script)", owner);
	}
	u->runtime = (int)v.where;
	scan_log(u->scan, "%s: runs in: %s (%s)", u->path, runtime_name(v.where), v.evidence);
	return u->runtime;
}

static int run_query(struct unit *u, const struct rule *r, const struct detector *d)
{
	const struct tsq *query = unit_syntax(u) ? detector_query(d, u->lang) : NULL;
	if (!query)
		return 0;
	struct query_ctx q = {u, r, d, NULL};
	return tsq_run(query, u->syntax, on_query_match, &q);
}

int unit_run_detector(struct unit *u, const struct rule *r, const struct detector *d)
{
	switch (d->type) {
	case DETECT_REGEX:
		return run_regex(u, r, d);
	case DETECT_QUERY:
		return run_query(u, r, d);
	case DETECT_CHECKER:
		return d->checker->run(u, r, d);
	}
	return 0;
}

bool scan_detector_applies(struct unit *u, const struct rule *r, const struct detector *d,
			   bool keywords)
{
	/* The PHP file's own reading ran its text detectors over these bytes, the markup
	 * included: its scripts get only the detectors of their language. */
	if (u->php_scripts && ((d->type == DETECT_REGEX && (d->langs & LANG_BIT(LANG_PHP))) ||
			       !(d->langs & LANG_BIT(u->lang))))
		return false;
	/* A page is text too: its markup and attributes are read by the text detectors.
	 * Cheapest first: most files hold none of the keywords. */
	if (!unit_detector_reads(u, r, d, keywords))
		return false;
	/* a context search that fails on the match limit lets the detector run: it is
	 * noted, and a key is not missed for it */
	if (d->context_re && regex_find(d->context_re, u->data, u->len) == 0)
		return false;
	if (d->unless_context_re && regex_find(d->unless_context_re, u->data, u->len) == 1)
		return false;
	if (d->runtimes && !(d->runtimes & (1u << unit_runtime(u))))
		return false;
	return true;
}

void unit_free(struct unit *u)
{
	for (size_t i = 0; i < u->nhits; i++) {
		free(u->hits[i].secret);
		free(u->hits[i].message);
	}
	free(u->hits);
	u->hits = NULL;
	u->nhits = u->caphits = 0;
	syntax_free(u->syntax);
	u->syntax = NULL;
	free(u->script);
	u->script = NULL;
}
