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
#include "core/buf.h"
#include "core/error.h"
#include "core/redact.h"
#include "core/regex.h"
#include "core/secret.h"
#include "lang/ast.h"
#include "lang/classify.h"
#include "lang/ts.h"
#include "suppress/inline.h"

/* Long lines (minified bundles) are shown as a window around the finding. */
#define SNIPPET_BEFORE 60
#define SNIPPET_AFTER 100

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

static void line_bounds(const struct unit *u, size_t pos, size_t *ls, size_t *le)
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
	line_bounds(u, pos, &ls, &le);
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

/* ---- hits to findings ---- */

static int count_chars(const char *s, size_t n)
{
	int c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* Appends text, replacing bytes that are not valid UTF-8 or are control characters, so
 * every output format can carry the snippet as it is. Byte lengths are kept. */
static void put_clean(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		bool ok = len && i + len <= n;
		for (size_t k = 1; ok && k < len; k++)
			ok = ((unsigned char)s[i + k] & 0xC0) == 0x80;
		if (!ok) {
			buf_putc(b, '?');
			i++;
		} else if (len == 1 && (c < 0x20 || c == 0x7f)) {
			buf_putc(b, c == '\t' ? ' ' : '?');
			i++;
		} else {
			buf_put(b, s + i, len);
			i += len;
		}
	}
}

/* Characters that end a token: a window of a long line is cut only there, so no key
 * is ever shown in part (a part would not be recognised as a key by the redactor). */
static bool token_edge(char c)
{
	return c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '`' || c == ',' || c == ';';
}

/* The hit's source line (a window of it when long), passed through the redactor with
 * the unit's secrets: keys assembled from pieces ("sk_live_" + "...") are not in the
 * text verbatim, so their whole expression is hidden. The scan's redactor masks the
 * secrets other files revealed when the report is finalised (report_redact). */
static char *make_snippet(const struct unit *u, const struct hit *h, const struct redactor *red,
			  int mark[2])
{
	mark[0] = mark[1] = 0;
	if (h->start == h->end)
		return strdup(""); /* a finding about the whole file shows none of it */
	size_t ls, le;
	line_bounds(u, h->start, &ls, &le);
	size_t ws = ls, we = le;
	if (le - ls > SNIPPET_BEFORE + SNIPPET_AFTER) {
		ws = h->start > ls + SNIPPET_BEFORE ? h->start - SNIPPET_BEFORE : ls;
		we = h->start + SNIPPET_AFTER < le ? h->start + SNIPPET_AFTER : le;
	}
	size_t hend = h->end < we ? h->end : we;
	while (ws > ls && ws < h->start && !token_edge(u->data[ws - 1]))
		ws++;
	while (we < le && we > hend && !token_edge(u->data[we]))
		we--;
	struct redact_range *forced = NULL;
	size_t nforced = 0;
	for (size_t i = 0; i < u->nhits; i++) {
		const struct hit *o = &u->hits[i];
		if (!o->secret || !*o->secret || o->start >= le || o->end <= ls ||
		    memmem(u->data + o->start, o->end - o->start, o->secret, strlen(o->secret)))
			continue;
		struct redact_range *p = realloc(forced, (nforced + 1) * sizeof *p);
		if (!p) {
			free(forced);
			return NULL;
		}
		forced = p;
		forced[nforced++] = (struct redact_range){(o->start > ls ? o->start : ls) - ls,
							  (o->end < le ? o->end : le) - ls, o->secret};
	}
	size_t marks[4] = {h->start - ls, hend - ls, ws - ls, we - ls};
	char *line = redact_text(red, u->data + ls, le - ls, forced, nforced, marks, 4, NULL);
	free(forced);
	if (!line)
		return NULL;
	struct buf b = BUF_INIT;
	if (ws > ls)
		buf_puts(&b, "...");
	size_t at = b.len;
	put_clean(&b, line + marks[2], marks[3] - marks[2]);
	if (we < le)
		buf_puts(&b, "...");
	free(line);
	if (marks[0] >= marks[2] && marks[1] <= marks[3] && marks[1] > marks[0]) {
		mark[0] = (int)(at + marks[0] - marks[2]);
		mark[1] = (int)(at + marks[1] - marks[2]);
	}
	return buf_detach(&b);
}

static char *normalise_match(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	bool space = false;
	for (size_t i = 0; i < n && b.len < 200; i++) {
		char c = s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			space = b.len > 0;
			continue;
		}
		if (space)
			buf_putc(&b, ' ');
		space = false;
		buf_putc(&b, c);
	}
	return buf_detach(&b);
}

static int hit_cmp(const void *x, const void *y)
{
	const struct hit *a = x, *b = y;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	int c = strcmp(a->rule->id, b->rule->id);
	return c ? c : a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Marks the unit's findings (out->items[first..]) that a directive in its text
 * suppresses; working-tree directives are recorded for the unused report. */
static int apply_directives(struct unit *u, struct finding_list *out, size_t first)
{
	/* The mark contains "ocpay", one of the words every OCPay file is known by. */
	const uint64_t *mask = u->scan->rules->ocpay_mask;
	if ((!(u->kw[0] & mask[0]) && !(u->kw[1] & mask[1])) ||
	    !memmem(u->data, u->len, DIRECTIVE_MARK, sizeof DIRECTIVE_MARK - 1))
		return 0;
	struct directive_list dl = {0};
	int rc = directives_parse(u->data, u->len, &dl);
	for (size_t i = 0; i < dl.len; i++)
		for (size_t k = 0; !dl.items[i].problem && k < dl.items[i].nrules; k++)
			if (!ruleset_find(u->scan->rules, dl.items[i].rules[k]))
				dl.items[i].problem = "names a rule that does not exist (see "
						      "`ocpay-audit rules`)";
	for (size_t i = first; !rc && i < out->len; i++) {
		struct finding *f = &out->items[i];
		struct directive *d = directives_match(&dl, f->rule->id, f->line);
		if (!d)
			continue;
		d->used = true;
		f->suppressed = SUPPRESS_INLINE;
		if (!(f->suppress_reason = strdup(d->reason)))
			rc = error_set("out of memory");
	}
	for (size_t i = 0; !rc && u->index >= 0 && u->scope == SCOPE_TREE && i < dl.len; i++)
		rc = scan_note_directive(u->scan, u->path, &dl.items[i]);
	directives_free(&dl);
	return rc;
}

/* The findings cap is reached at hit i: the rules of the hits left are named, their
 * items unknown unless a finding fails them. */
static int note_capped(struct unit *u, size_t i, size_t max)
{
	const struct ruleset *rs = u->scan->rules;
	bool *affected = calloc(rs->len ? rs->len : 1, sizeof *affected);
	if (!affected)
		return error_set("out of memory");
	for (; i < u->nhits; i++)
		affected[u->hits[i].rule - rs->rules] = !rule_disabled(u->scan, u->hits[i].rule);
	int rc = scan_note_limit(u->scan, u->scope, affected,
				 "%s: more than %zu findings: only the first %zu are reported "
				 "(--max-findings-per-file)",
				 u->path, max, max);
	free(affected);
	return rc;
}

/* Every secret the unit's detectors found, rules turned off included: the unit's own
 * redactor (for its snippets) and the scan's (for every string printed). */
static int note_secrets(struct unit *u, struct redactor *red)
{
	for (size_t i = 0; i < u->nhits; i++) {
		const char *secret = u->hits[i].secret;
		if (secret && (redactor_add(red, secret, strlen(secret)) < 0 ||
			       scan_note_secret(u->scan, secret) < 0))
			return -1;
	}
	redactor_seal(red);
	return 0;
}

int unit_finish(struct unit *u, struct finding_list *out)
{
	size_t first = out->len, max = u->scan->opt->max_file_findings;
	if (u->nhits > 1)
		qsort(u->hits, u->nhits, sizeof *u->hits, hit_cmp);
	size_t line = 1 + u->line_base, pos = 0;
	struct redactor red = {.reveal = u->scan->opt->reveal};
	size_t *lines = calloc(u->nhits ? u->nhits : 1, sizeof *lines);
	if (!lines || note_secrets(u, &red) < 0) {
		free(lines);
		redactor_free(&red);
		return error_set("out of memory");
	}
	int rc = 0;
	for (size_t i = 0; i < u->nhits; i++) {
		const struct hit *h = &u->hits[i];
		for (; pos < h->start; pos++)
			line += u->data[pos] == '\n';
		lines[i] = line;
		/* a rule turned off ran for its secrets only */
		if (rule_disabled(u->scan, h->rule))
			continue;
		/* One finding per rule per position, and per secret per line: a key found by
		 * its shape and by where it flows is one leak. */
		bool dup = false;
		for (size_t k = 0; k < i && !dup; k++) {
			const struct hit *o = &u->hits[k];
			dup = o->rule == h->rule &&
			      (o->start == h->start ||
			       (lines[k] == line && o->secret && h->secret && !strcmp(o->secret, h->secret)));
		}
		if (dup)
			continue;
		if (max && out->len - first + u->prior_findings >= max) {
			rc = note_capped(u, i, max);
			break;
		}
		size_t ls, le;
		line_bounds(u, h->start, &ls, &le);
		size_t eline = line;
		for (size_t p = h->start; p < h->end && p < u->len; p++)
			eline += u->data[p] == '\n';
		size_t els, ele;
		line_bounds(u, h->end > h->start ? h->end - 1 : h->start, &els, &ele);
		struct finding *f = finding_list_add(out);
		if (!f) {
			rc = -1;
			break;
		}
		f->rule = h->rule;
		f->severity = h->severity;
		f->line = (int)line;
		/* a piece of a large file may start inside a line */
		f->column = count_chars(u->data + ls, h->start - ls) + 1 + (ls ? 0 : (int)u->col_base);
		f->end_line = (int)eline;
		f->end_column = count_chars(u->data + els, h->end - els) + 1 + (els ? 0 : (int)u->col_base);
		f->path = strdup(u->path);
		f->message = strdup(h->message);
		int mark[2] = {0, 0};
		f->snippet = make_snippet(u, h, &red, mark);
		f->mark_start = mark[0];
		f->mark_end = mark[1];
		if (h->secret) {
			if (hash_hex(f->secret_hash, h->secret, strlen(h->secret)) < 0) {
				rc = -1;
				break;
			}
			f->match = strdup("");
		} else
			f->match = normalise_match(u->data + h->start, h->end - h->start);
		if (!f->path || !f->message || !f->snippet || !f->match) {
			rc = error_set("out of memory");
			break;
		}
	}
	free(lines);
	redactor_free(&red);
	return rc ? rc : apply_directives(u, out, first);
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
