/* The tree-sitter side of a parsed file: the grammars, the parsers of a thread, the
 * syntax and its lifetime, the deadline of the walks over it, and the AST view of
 * lang/ast.h. Queries are in query.c, the constant evaluator in consts.c. */
#include "lang/ts.h"

#include "lang/ast.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tree_sitter/api.h>

#include "core/error.h"
#include "lang/consts.h"
#include "lang/ts_priv.h"

const TSLanguage *tree_sitter_javascript(void);
const TSLanguage *tree_sitter_typescript(void);
const TSLanguage *tree_sitter_tsx(void);
const TSLanguage *tree_sitter_php(void);
const TSLanguage *tree_sitter_python(void);

const TSLanguage *ts_language_of(enum lang l)
{
	switch (l) {
	case LANG_JAVASCRIPT:
		return tree_sitter_javascript();
	case LANG_TYPESCRIPT:
		return tree_sitter_typescript();
	case LANG_TSX:
		return tree_sitter_tsx();
	case LANG_PHP:
		/* The grammar of files that mix HTML and PHP: outside <?php ?> is text. */
		return tree_sitter_php();
	case LANG_PYTHON:
		return tree_sitter_python();
	default:
		return NULL;
	}
}

/* ---- parsing ---- */

struct parser_set {
	TSParser *parser[LANG_COUNT];
};

/* ---- the time a file's walks may take ---- */

#define CLOCK_EVERY 4096 /* node visits between two looks at the clock */

static _Thread_local uint64_t walk_deadline;
static _Thread_local unsigned walk_steps;
static _Thread_local bool walk_cut;

void ast_set_deadline(uint64_t deadline_ms)
{
	walk_deadline = deadline_ms;
	walk_steps = 0;
	walk_cut = false;
}

bool ast_deadline_passed(void)
{
	return walk_cut;
}

/* One node visit; false once the deadline has passed. */
static bool walk_step(void)
{
	if (walk_cut)
		return false;
	if (!walk_deadline || ++walk_steps % CLOCK_EVERY)
		return true;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	walk_cut = now > walk_deadline;
	return !walk_cut;
}

/* Children by index: tree-sitter finds child i by walking the siblings before it, so a
 * loop over the statements of a large bundle would cost the square of their number. Each
 * thread keeps a few cursors, each on the last child it was asked for under one parent
 * (nested loops each keep theirs): asking for the next child moves one step. */
#define CHILD_CURSORS 4

struct child_cursor {
	TSTreeCursor cursor;
	bool live;	/* the cursor exists */
	TSNode parent;	/* whose children it is on; parent.id NULL: none */
	bool named;	/* counting named children only */
	uint32_t index; /* the index of the child it is on */
	uint64_t used;
};

static _Thread_local struct child_cursor child_cursors[CHILD_CURSORS];
static _Thread_local uint64_t child_clock;

static bool same_node(TSNode a, TSNode b)
{
	return a.id == b.id && a.tree == b.tree && a.context[0] == b.context[0];
}

/* Moves the cursor to the first child of n that counts; false when there is none. */
static bool child_start(struct child_cursor *c, TSNode n, bool named)
{
	if (c->live)
		ts_tree_cursor_reset(&c->cursor, n);
	else
		c->cursor = ts_tree_cursor_new(n);
	c->live = true;
	c->parent = (TSNode){0};
	if (!ts_tree_cursor_goto_first_child(&c->cursor))
		return false;
	while (named && !ts_node_is_named(ts_tree_cursor_current_node(&c->cursor)))
		if (!ts_tree_cursor_goto_next_sibling(&c->cursor))
			return false;
	c->parent = n;
	c->named = named;
	c->index = 0;
	return true;
}

/* The cursor already on n's children before index i, or the least recently used one. */
static struct child_cursor *child_cursor_for(TSNode n, uint32_t i, bool named)
{
	struct child_cursor *oldest = &child_cursors[0];
	for (int k = 0; k < CHILD_CURSORS; k++) {
		struct child_cursor *c = &child_cursors[k];
		if (c->parent.id && same_node(c->parent, n) && c->named == named && i >= c->index)
			return c;
		if (c->used < oldest->used)
			oldest = c;
	}
	return child_start(oldest, n, named) ? oldest : NULL;
}

static TSNode kid(TSNode n, uint32_t i, bool named)
{
	if (ts_node_is_null(n))
		return n;
	struct child_cursor *c = child_cursor_for(n, i, named);
	if (!c)
		return (TSNode){0};
	c->used = ++child_clock;
	while (c->index < i) {
		walk_step(); /* counted, never cut: callers expect the child that exists */
		if (!ts_tree_cursor_goto_next_sibling(&c->cursor)) {
			c->parent = (TSNode){0};
			return (TSNode){0};
		}
		if (!named || ts_node_is_named(ts_tree_cursor_current_node(&c->cursor)))
			c->index++;
	}
	return ts_tree_cursor_current_node(&c->cursor);
}

static TSNode named_child(TSNode n, uint32_t i)
{
	return kid(n, i, true);
}

static TSNode child_at(TSNode n, uint32_t i)
{
	return kid(n, i, false);
}

/* Once the deadline has passed, every node looks childless: the loops of the checks
 * end, and no null node reaches code that does not expect one. */
static uint32_t named_count(TSNode n)
{
	return walk_cut ? 0 : ts_node_named_child_count(n);
}

static uint32_t child_count(TSNode n)
{
	return walk_cut ? 0 : ts_node_child_count(n);
}

/* The cursors must not outlive the tree they walk. */
static void kids_forget(const TSTree *tree)
{
	for (int k = 0; k < CHILD_CURSORS; k++) {
		struct child_cursor *c = &child_cursors[k];
		if (c->live && c->cursor.tree == tree) {
			ts_tree_cursor_delete(&c->cursor);
			*c = (struct child_cursor){0};
		}
	}
}

struct parser_set *parser_set_new(void)
{
	return calloc(1, sizeof(struct parser_set));
}

void parser_set_free(struct parser_set *ps)
{
	if (!ps)
		return;
	for (int i = 0; i < LANG_COUNT; i++)
		if (ps->parser[i])
			ts_parser_delete(ps->parser[i]);
	free(ps);
}

/* Real code nests a few dozen brackets deep; a file nested thousands deep is built to
 * exhaust a parser or the walks over its tree. Brackets in strings count too: the bound
 * is far above what any source reaches that way. */
#define MAX_NESTING 1000

static bool nests_too_deep(const char *src, size_t len)
{
	long depth = 0;
	for (size_t i = 0; i < len; i++) {
		char c = src[i];
		if (c == '(' || c == '[' || c == '{') {
			if (++depth > MAX_NESTING)
				return true;
		} else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return false;
}

int syntax_parse(struct syntax **out, struct parser_set *ps, enum lang lang, const char *src,
		 size_t len, uint64_t timeout_us)
{
	if (nests_too_deep(src, len))
		return error_set("brackets nested more than %d deep", MAX_NESTING);
	if (lang == LANG_TEXT || lang >= LANG_COUNT)
		return error_set("no grammar for %s", lang_name(lang));
	if (!ps->parser[lang]) {
		if (!(ps->parser[lang] = ts_parser_new()))
			return error_set("out of memory");
		if (!ts_parser_set_language(ps->parser[lang], ts_language_of(lang)))
			return error_set("the %s grammar does not load with this tree-sitter "
					 "(ABI mismatch)",
					 lang_name(lang));
	}
	TSParser *p = ps->parser[lang];
	ts_parser_set_timeout_micros(p, timeout_us);
	if (len > UINT32_MAX)
		return error_set("file too large to parse");
	TSTree *tree = ts_parser_parse_string(p, NULL, src, (uint32_t)len);
	if (!tree) {
		ts_parser_reset(p);
		return error_set("parse timed out after %llu ms",
				 (unsigned long long)(timeout_us / 1000));
	}
	struct syntax *s = malloc(sizeof *s);
	if (!s) {
		ts_tree_delete(tree);
		return error_set("out of memory");
	}
	*s = (struct syntax){.tree = tree, .lang = lang, .src = src, .len = len};
	*out = s;
	return 0;
}

void syntax_set_import_hook(struct syntax *s, import_value_fn fn, void *ctx)
{
	s->import_value = fn;
	s->import_ctx = ctx;
}

enum lang syntax_lang(const struct syntax *s)
{
	return s->lang;
}

void syntax_free(struct syntax *s)
{
	if (!s)
		return;
	kids_forget(s->tree);
	if (s->cache_free)
		s->cache_free(s->cache);
	ts_tree_delete(s->tree);
	free(s);
}

/* ---- what the constant evaluator keeps with the syntax (lang/consts.h) ---- */

const char *syntax_source(const struct syntax *s)
{
	return s->src;
}

void *syntax_cache(const struct syntax *s)
{
	return s->cache;
}

void syntax_cache_set(const struct syntax *s, void *cache, void (*free_fn)(void *cache))
{
	struct syntax *w = (struct syntax *)s; /* the index is a cache of the tree */
	w->cache = cache;
	w->cache_free = free_fn;
}

bool syntax_has_import_hook(const struct syntax *s)
{
	return s->import_value != NULL;
}

char *syntax_import_value(const struct syntax *s, const char *spec, size_t spec_len,
			  const char *name, size_t name_len, int depth, bool loose)
{
	if (!s->import_value)
		return NULL;
	return s->import_value(s->import_ctx, spec, spec_len, name, name_len, depth, loose);
}

/* ---- the AST view for C checkers (lang/ast.h) ---- */

struct ast_node ast_root(const struct syntax *s)
{
	return ts_to_ast(ts_tree_root_node(s->tree));
}

struct ast_node ast_at(const struct syntax *s, uint32_t start, uint32_t end)
{
	return ts_to_ast(ts_node_descendant_for_byte_range(ts_tree_root_node(s->tree), start, end));
}

bool ast_is_null(struct ast_node n)
{
	return ts_node_is_null(ts_from_ast(n));
}

const char *ast_type(struct ast_node n)
{
	return ast_is_null(n) ? "" : ts_node_type(ts_from_ast(n));
}

bool ast_is(struct ast_node n, const char *type)
{
	return !strcmp(ast_type(n), type);
}

uint32_t ast_start(struct ast_node n)
{
	return ts_node_start_byte(ts_from_ast(n));
}

uint32_t ast_end(struct ast_node n)
{
	return ast_is_null(n) ? ast_start(n) : ts_node_end_byte(ts_from_ast(n));
}

uint32_t ast_line(struct ast_node n)
{
	return ts_node_start_point(ts_from_ast(n)).row + 1;
}

struct ast_node ast_parent(struct ast_node n)
{
	return ast_is_null(n) ? n : ts_to_ast(ts_node_parent(ts_from_ast(n)));
}

uint32_t ast_named_count(struct ast_node n)
{
	return ast_is_null(n) ? 0 : named_count(ts_from_ast(n));
}

struct ast_node ast_named_child(struct ast_node n, uint32_t i)
{
	return ts_to_ast(named_child(ts_from_ast(n), i));
}

uint32_t ast_count(struct ast_node n)
{
	return ast_is_null(n) ? 0 : child_count(ts_from_ast(n));
}

struct ast_node ast_child(struct ast_node n, uint32_t i)
{
	return ts_to_ast(child_at(ts_from_ast(n), i));
}

struct ast_node ast_field(struct ast_node n, const char *field)
{
	if (ast_is_null(n))
		return n;
	return ts_to_ast(ts_node_child_by_field_name(ts_from_ast(n), field, (uint32_t)strlen(field)));
}

const char *ast_text(const struct syntax *s, struct ast_node n, size_t *len)
{
	uint32_t a = ast_start(n), b = ast_end(n);
	*len = b - a;
	return s->src + a;
}

bool ast_text_is(const struct syntax *s, struct ast_node n, const char *text)
{
	if (ast_is_null(n))
		return false;
	size_t len, want = strlen(text);
	const char *t = ast_text(s, n, &len);
	return len == want && !memcmp(t, text, want);
}

void ast_walk(struct ast_node root, ast_visit_fn fn, void *ctx)
{
	/* A part the parser could not recover (the value of `switch(t{`) is a null node. */
	if (ast_is_null(root))
		return;
	TSTreeCursor c = ts_tree_cursor_new(ts_from_ast(root));
	while (walk_step()) {
		bool descend = fn(ctx, ts_to_ast(ts_tree_cursor_current_node(&c)));
		if (descend && ts_tree_cursor_goto_first_child(&c))
			continue;
		for (;;) {
			if (ts_tree_cursor_goto_next_sibling(&c))
				break;
			if (!ts_tree_cursor_goto_parent(&c)) {
				ts_tree_cursor_delete(&c);
				return;
			}
		}
	}
	ts_tree_cursor_delete(&c);
}
