#include "lang/ts.h"

#include "lang/ast.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tree_sitter/api.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/regex.h"

const TSLanguage *tree_sitter_javascript(void);
const TSLanguage *tree_sitter_typescript(void);
const TSLanguage *tree_sitter_tsx(void);
const TSLanguage *tree_sitter_php(void);
const TSLanguage *tree_sitter_python(void);

static const TSLanguage *language_of(enum lang l)
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

/* ---- queries and predicates ---- */

enum pred_op { PRED_EQ, PRED_MATCH, PRED_VALUE_MATCH };

struct predicate {
	enum pred_op op;
	bool negate;
	uint32_t capture;
	uint32_t other;	  /* second capture for @a @b equality, or UINT32_MAX */
	char *literal;
	struct regex *re;
};

struct tsq {
	TSQuery *query;
	struct predicate **preds; /* per pattern, terminated by a zeroed entry count */
	size_t *npreds;
	uint32_t npatterns;
	int secret, report;	  /* capture ids or -1 */
};

static int capture_id(const TSQuery *q, const char *name)
{
	if (!name)
		return -1;
	uint32_t n = ts_query_capture_count(q);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len;
		const char *c = ts_query_capture_name_for_id(q, i, &len);
		if (strlen(name) == len && !memcmp(c, name, len))
			return (int)i;
	}
	return -1;
}

static int parse_predicates(struct tsq *t)
{
	t->npatterns = ts_query_pattern_count(t->query);
	t->preds = calloc(t->npatterns ? t->npatterns : 1, sizeof *t->preds);
	t->npreds = calloc(t->npatterns ? t->npatterns : 1, sizeof *t->npreds);
	if (!t->preds || !t->npreds)
		return error_set("out of memory");
	for (uint32_t p = 0; p < t->npatterns; p++) {
		uint32_t nsteps;
		const TSQueryPredicateStep *s = ts_query_predicates_for_pattern(t->query, p, &nsteps);
		for (uint32_t i = 0; i < nsteps;) {
			uint32_t end = i;
			while (end < nsteps && s[end].type != TSQueryPredicateStepTypeDone)
				end++;
			uint32_t len;
			const char *fn = ts_query_string_value_for_id(t->query, s[i].value_id, &len);
			struct predicate pr = {.other = UINT32_MAX};
			if (!strcmp(fn, "eq?") || !strcmp(fn, "not-eq?"))
				pr.op = PRED_EQ;
			else if (!strcmp(fn, "match?") || !strcmp(fn, "not-match?"))
				pr.op = PRED_MATCH;
			else if (!strcmp(fn, "value-match?") || !strcmp(fn, "not-value-match?"))
				pr.op = PRED_VALUE_MATCH;
			else
				return error_set("unsupported query predicate #%s", fn);
			pr.negate = !strncmp(fn, "not-", 4);
			if (end - i != 3 || s[i + 1].type != TSQueryPredicateStepTypeCapture)
				return error_set("#%s takes a capture and a value", fn);
			pr.capture = s[i + 1].value_id;
			if (s[i + 2].type == TSQueryPredicateStepTypeCapture && pr.op == PRED_EQ) {
				pr.other = s[i + 2].value_id;
			} else {
				const char *v = ts_query_string_value_for_id(t->query, s[i + 2].value_id, &len);
				if (!(pr.literal = strdup(v)))
					return error_set("out of memory");
				if (pr.op != PRED_EQ) {
					char err[256];
					size_t off;
					if (!(pr.re = regex_new(v, 0, err, sizeof err, &off))) {
						free(pr.literal);
						return error_set("bad regex in #%s: %s", fn, err);
					}
				}
			}
			struct predicate *np = realloc(t->preds[p], (t->npreds[p] + 1) * sizeof *np);
			if (!np) {
				free(pr.literal);
				regex_free(pr.re);
				return error_set("out of memory");
			}
			t->preds[p] = np;
			np[t->npreds[p]++] = pr;
			i = end + 1;
		}
	}
	return 0;
}

int tsq_new(struct tsq **out, enum lang lang, const char *source, const char *secret,
	    const char *report)
{
	uint32_t off;
	TSQueryError kind;
	TSQuery *q = ts_query_new(language_of(lang), source, (uint32_t)strlen(source), &off, &kind);
	if (!q) {
		static const char *const kinds[] = {"none", "syntax", "node type", "field",
						    "capture", "structure", "language"};
		/* Point at the line and column inside the query text. */
		uint32_t line = 1, col = 1;
		for (uint32_t i = 0; i < off && source[i]; i++, col++)
			if (source[i] == '\n')
				line++, col = 0;
		return error_set("invalid %s query: %s error at query line %u, column %u",
				 lang_name(lang), kind < 7 ? kinds[kind] : "unknown", line, col);
	}
	struct tsq *t = calloc(1, sizeof *t);
	if (!t) {
		ts_query_delete(q);
		return error_set("out of memory");
	}
	t->query = q;
	t->secret = capture_id(q, secret);
	t->report = capture_id(q, report);
	if ((secret && t->secret < 0) || (report && t->report < 0)) {
		const char *missing = secret && t->secret < 0 ? secret : report;
		tsq_free(t);
		return error_set("%s query has no capture @%s", lang_name(lang), missing);
	}
	if (parse_predicates(t) < 0) {
		tsq_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

void tsq_free(struct tsq *t)
{
	if (!t)
		return;
	for (uint32_t p = 0; t->preds && p < t->npatterns; p++) {
		for (size_t i = 0; i < t->npreds[p]; i++) {
			free(t->preds[p][i].literal);
			regex_free(t->preds[p][i].re);
		}
		free(t->preds[p]);
	}
	free(t->preds);
	free(t->npreds);
	ts_query_delete(t->query);
	free(t);
}

/* ---- parsing ---- */

struct parser_set {
	TSParser *parser[LANG_COUNT];
};

struct syntax {
	TSTree *tree;
	enum lang lang;
	const char *src;
	size_t len;
	import_value_fn import_value; /* names imported from other modules, or NULL */
	void *import_ctx;
	struct decls *decls; /* built on the first look-up of a declaration */
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
		if (!ts_parser_set_language(ps->parser[lang], language_of(lang)))
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

static void decls_free(struct decls *d);

enum lang syntax_lang(const struct syntax *s)
{
	return s->lang;
}

void syntax_free(struct syntax *s)
{
	if (!s)
		return;
	kids_forget(s->tree);
	decls_free(s->decls);
	ts_tree_delete(s->tree);
	free(s);
}

/* ---- evaluating string values ---- */

#define EVAL_DEPTH 8

static bool node_is(TSNode n, const char *type)
{
	return !strcmp(ts_node_type(n), type);
}

static bool node_text_eq(const struct syntax *s, TSNode n, const char *text, size_t len)
{
	uint32_t a = ts_node_start_byte(n), b = ts_node_end_byte(n);
	return b - a == len && !memcmp(s->src + a, text, len);
}

static bool eval(const struct syntax *s, TSNode n, struct buf *out, TSNode *origin, int depth,
		 bool loose);

/* The file's declarations by name, so that evaluating a name costs one look-up and not
 * a walk of the whole file: a long file with many calls would otherwise take
 * calls x nodes. Open addressing over the name's bytes in the source. */
struct decl {
	uint32_t start, len; /* the name in the source; len 0: empty slot */
	TSNode value;
};

enum { DECL_VAR, DECL_CONST, DECL_DEFINE, DECL_KINDS };

struct decl_table {
	struct decl *slot;
	size_t mask, used;
};

struct decls {
	struct decl_table table[DECL_KINDS];
	bool complete; /* false when the deadline cut the walk that built it */
};

static void decls_free(struct decls *d)
{
	if (d)
		for (int k = 0; k < DECL_KINDS; k++)
			free(d->table[k].slot);
	free(d);
}

static size_t decl_hash(const char *p, size_t len)
{
	size_t h = 1469598103934665603u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211u;
	return h;
}

static struct decl *decl_slot(const struct syntax *s, const struct decl_table *t,
			      const char *name, size_t len)
{
	for (size_t i = decl_hash(name, len) & t->mask;; i = (i + 1) & t->mask) {
		struct decl *e = &t->slot[i];
		if (!e->len || (e->len == len && !memcmp(s->src + e->start, name, len)))
			return e;
	}
}

/* Records the name at src[a, a+len) unless one of that name came first. */
static bool decl_add(const struct syntax *s, struct decl_table *t, uint32_t a, uint32_t len,
		     TSNode value)
{
	if (!len)
		return true;
	if ((t->used + 1) * 2 > t->mask + 1) {
		/* grow: rehash into twice the slots */
		struct decl_table g = {.mask = t->mask ? t->mask * 2 + 1 : 63, .used = t->used};
		if (!(g.slot = calloc(g.mask + 1, sizeof *g.slot)))
			return false;
		for (size_t i = 0; t->slot && i <= t->mask; i++)
			if (t->slot[i].len)
				*decl_slot(s, &g, s->src + t->slot[i].start, t->slot[i].len) =
				    t->slot[i];
		free(t->slot);
		*t = g;
	}
	struct decl *e = decl_slot(s, t, s->src + a, len);
	if (!e->len) {
		*e = (struct decl){a, len, value};
		t->used++;
	}
	return true;
}

/* PHP's define('NAME', value): the name's place inside its string, and the value. */
static bool php_define(const struct syntax *s, TSNode n, uint32_t *a, uint32_t *len, TSNode *v)
{
	TSNode fn = ts_node_child_by_field_name(n, "function", 8);
	TSNode args = ts_node_child_by_field_name(n, "arguments", 9);
	if (ts_node_is_null(fn) || !node_text_eq(s, fn, "define", 6) || ts_node_is_null(args) ||
	    ts_node_named_child_count(args) < 2)
		return false;
	TSNode a0 = ts_node_named_child(args, 0), a1 = ts_node_named_child(args, 1);
	TSNode lit = ts_node_named_child_count(a0) ? ts_node_named_child(a0, 0) : (TSNode){0};
	if (ts_node_is_null(lit) || !node_is(lit, "string") || !ts_node_named_child_count(a1))
		return false;
	uint32_t from = ts_node_start_byte(lit), to = ts_node_end_byte(lit);
	if (to < from + 2)
		return false;
	*a = from + 1;
	*len = to - from - 2;
	*v = ts_node_named_child(a1, 0);
	return true;
}

/* One walk of the file indexes what a name can be declared by: the `const|let|var NAME
 * = value` declarators of JavaScript, the `$name = value` or `name = value`
 * assignments of PHP and Python, and PHP's `const NAME = value` and define(). The
 * first one of a name wins. */
static struct decls *decls_build(const struct syntax *s)
{
	bool js = lang_is_js(s->lang), php = s->lang == LANG_PHP;
	const char *decl = js ? "variable_declarator" : php ? "assignment_expression" : "assignment";
	const char *id_type = php ? "variable_name" : "identifier";
	const char *id_field = js ? "name" : "left", *value_field = js ? "value" : "right";
	struct decls *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	TSTreeCursor c = ts_tree_cursor_new(ts_tree_root_node(s->tree));
	d->complete = true;
	for (;;) {
		if (!walk_step()) {
			d->complete = false;
			break;
		}
		TSNode n = ts_tree_cursor_current_node(&c);
		TSNode id, v;
		uint32_t a, len;
		bool ok = true;
		if (node_is(n, decl) &&
		    !ts_node_is_null(id = ts_node_child_by_field_name(n, id_field, 4)) &&
		    !ts_node_is_null(v = ts_node_child_by_field_name(n, value_field, 5)) &&
		    node_is(id, id_type)) {
			a = ts_node_start_byte(id);
			ok = decl_add(s, &d->table[DECL_VAR], a, ts_node_end_byte(id) - a, v);
		} else if (php && node_is(n, "const_element") && ts_node_named_child_count(n) == 2) {
			id = ts_node_named_child(n, 0);
			a = ts_node_start_byte(id);
			ok = decl_add(s, &d->table[DECL_CONST], a, ts_node_end_byte(id) - a,
				      ts_node_named_child(n, 1));
		} else if (php && node_is(n, "function_call_expression") &&
			   php_define(s, n, &a, &len, &v)) {
			ok = decl_add(s, &d->table[DECL_DEFINE], a, len, v);
		}
		if (!ok) {
			d->complete = false;
			break;
		}
		if (ts_tree_cursor_goto_first_child(&c))
			continue;
		while (!ts_tree_cursor_goto_next_sibling(&c))
			if (!ts_tree_cursor_goto_parent(&c))
				goto done;
	}
done:
	ts_tree_cursor_delete(&c);
	return d;
}

/* The first declaration of name of the kind, from the file's index. */
static bool find_decl(const struct syntax *s, int kind, const char *name, size_t len,
		      TSNode *value, uint32_t *at)
{
	struct syntax *w = (struct syntax *)s; /* the index is a cache of the tree */
	if (!w->decls)
		w->decls = decls_build(s);
	if (!w->decls || !w->decls->complete || !len || !w->decls->table[kind].slot)
		return false;
	struct decl *e = decl_slot(s, &w->decls->table[kind], name, len);
	if (!e->len)
		return false;
	*value = e->value;
	if (at)
		*at = e->start;
	return true;
}

/* The initialiser of the first declaration of name in the file. */
static bool find_declaration(const struct syntax *s, const char *name, size_t len, TSNode *value)
{
	return find_decl(s, DECL_VAR, name, len, value, NULL);
}

/* The module and exported name a top-level import binds to local name, if any:
 * import X from "m" / import { A as X } from "m" / const { X } = require("m"). */
static bool find_import(const struct syntax *s, const char *name, size_t len, TSNode *spec,
			const char **exported, size_t *exported_len)
{
	TSNode root = ts_tree_root_node(s->tree);
	uint32_t count = named_count(root);
	for (uint32_t i = 0; i < count && !walk_cut; i++) {
		TSNode st = named_child(root, i);
		if (node_is(st, "import_statement")) {
			TSNode src = ts_node_child_by_field_name(st, "source", 6);
			for (uint32_t j = 0; j < named_count(st); j++) {
				TSNode clause = named_child(st, j);
				if (!node_is(clause, "import_clause"))
					continue;
				for (uint32_t k = 0; k < named_count(clause); k++) {
					TSNode b = named_child(clause, k);
					if (node_is(b, "identifier") && node_text_eq(s, b, name, len)) {
						*spec = src;
						*exported = "default";
						*exported_len = 7;
						return true;
					}
					if (!node_is(b, "named_imports"))
						continue;
					for (uint32_t m = 0; m < named_count(b); m++) {
						TSNode is = named_child(b, m);
						TSNode nm = ts_node_child_by_field_name(is, "name", 4);
						TSNode al = ts_node_child_by_field_name(is, "alias", 5);
						TSNode local = ts_node_is_null(al) ? nm : al;
						if (ts_node_is_null(local) || !node_text_eq(s, local, name, len))
							continue;
						*spec = src;
						*exported = s->src + ts_node_start_byte(nm);
						*exported_len = ts_node_end_byte(nm) - ts_node_start_byte(nm);
						return true;
					}
				}
			}
		} else if (node_is(st, "lexical_declaration") || node_is(st, "variable_declaration")) {
			/* const { X } = require("m") */
			TSNode d = named_child(st, 0);
			TSNode pat = ts_node_child_by_field_name(d, "name", 4);
			TSNode val = ts_node_child_by_field_name(d, "value", 5);
			if (ts_node_is_null(val) || !node_is(val, "call_expression") ||
			    !node_is(pat, "object_pattern"))
				continue;
			TSNode fn = ts_node_child_by_field_name(val, "function", 8);
			TSNode args = ts_node_child_by_field_name(val, "arguments", 9);
			if (!node_text_eq(s, fn, "require", 7) || !named_count(args))
				continue;
			for (uint32_t m = 0; m < named_count(pat); m++) {
				TSNode p = named_child(pat, m);
				if (node_is(p, "shorthand_property_identifier_pattern") &&
				    node_text_eq(s, p, name, len)) {
					*spec = named_child(args, 0);
					*exported = name;
					*exported_len = len;
					return true;
				}
			}
		}
	}
	return false;
}

static bool eval_import(const struct syntax *s, const char *name, size_t len, struct buf *out,
			int depth, bool loose)
{
	TSNode spec;
	const char *exported;
	size_t exported_len;
	if (!s->import_value || !find_import(s, name, len, &spec, &exported, &exported_len) ||
	    !node_is(spec, "string") || ts_node_end_byte(spec) - ts_node_start_byte(spec) < 2)
		return false;
	uint32_t a = ts_node_start_byte(spec) + 1, b = ts_node_end_byte(spec) - 1;
	char *v = s->import_value(s->import_ctx, s->src + a, b - a, exported, exported_len,
				  depth + 1, loose);
	if (!v)
		return false;
	buf_puts(out, v);
	free(v);
	return true;
}

char *syntax_export_value(const struct syntax *s, const char *name, size_t len, int depth,
			  bool loose)
{
	TSNode root = ts_tree_root_node(s->tree), value = {0};
	bool found = false;
	if (len == 7 && !memcmp(name, "default", 7)) {
		for (uint32_t i = 0; i < named_count(root) && !found && !walk_cut; i++) {
			TSNode st = named_child(root, i);
			TSNode v = ts_node_child_by_field_name(st, "value", 5);
			if (node_is(st, "export_statement") && !ts_node_is_null(v)) {
				value = v;
				found = true;
			}
		}
	} else {
		found = find_declaration(s, name, len, &value);
	}
	struct buf b = BUF_INIT;
	TSNode origin = {0};
	if (!found || !eval(s, value, &b, &origin, depth, loose)) {
		buf_free(&b);
		return NULL;
	}
	char *out = buf_detach(&b);
	return out ? out : strdup("");
}

/* A PHP or Python string literal: its content, or false when it interpolates
 * variables ("Bearer $key", f"{key}") and holds no single value. */
static bool eval_script_string(const struct syntax *s, TSNode n, struct buf *out,
			       TSNode *origin)
{
	uint32_t a = ts_node_start_byte(n), b = ts_node_end_byte(n);
	uint32_t from = a + 1, to = b > a ? b - 1 : a;
	for (uint32_t i = 0; i < named_count(n); i++) {
		TSNode k = named_child(n, i);
		const char *t = ts_node_type(k);
		if (!strcmp(t, "string_start"))
			from = ts_node_end_byte(k); /* r"", b'', triple quotes */
		else if (!strcmp(t, "string_end"))
			to = ts_node_start_byte(k);
		else if (strcmp(t, "string_content") && strcmp(t, "escape_sequence") &&
			 strcmp(t, "string_value"))
			return false; /* interpolation, variable_name, ... */
	}
	if (to < from)
		return false;
	if (ts_node_is_null(*origin))
		*origin = n;
	buf_put(out, s->src + from, to - from);
	return true;
}


/* A PHP heredoc or nowdoc: its body, without the newlines and indentation around it,
 * or false when a heredoc interpolates variables. */
static bool eval_heredoc(const struct syntax *s, TSNode n, struct buf *out, TSNode *origin)
{
	TSNode body = ts_node_child_by_field_name(n, "value", 5);
	if (ts_node_is_null(body))
		return false;
	uint32_t from = 0, to = 0;
	for (uint32_t i = 0; i < named_count(body); i++) {
		TSNode k = named_child(body, i);
		const char *t = ts_node_type(k);
		if (strcmp(t, "string_content") && strcmp(t, "nowdoc_string") &&
		    strcmp(t, "escape_sequence"))
			return false;
		if (!i)
			from = ts_node_start_byte(k);
		to = ts_node_end_byte(k);
	}
	while (from < to && isspace((unsigned char)s->src[from]))
		from++;
	while (to > from && isspace((unsigned char)s->src[to - 1]))
		to--;
	if (ts_node_is_null(*origin))
		*origin = n;
	buf_put(out, s->src + from, to - from);
	return true;
}

/* The value node of the PHP constant name: define('NAME', value), const NAME = value
 * (top level or in a class: self::NAME, static::NAME, Cls::NAME all read it). */
static bool find_php_constant(const struct syntax *s, const char *name, size_t len,
			      bool in_class, TSNode *value)
{
	TSNode c, d;
	uint32_t ca, da;
	bool is_const = find_decl(s, DECL_CONST, name, len, &c, &ca);
	bool is_define = !in_class && find_decl(s, DECL_DEFINE, name, len, &d, &da);
	if (!is_const && !is_define)
		return false;
	*value = is_const && (!is_define || ca < da) ? c : d; /* the first in the file */
	return true;
}

/* A PHP constant read: OCPAY_KEY, \App\OCPAY_KEY, self::KEY, Gateway::KEY. */
static bool eval_php_constant(const struct syntax *s, TSNode n, struct buf *out, TSNode *origin,
			      int depth, bool loose)
{
	bool in_class = node_is(n, "class_constant_access_expression");
	if (!named_count(n) && !node_is(n, "name"))
		return false;
	TSNode id = node_is(n, "name") ? n : named_child(n, named_count(n) - 1);
	if (!node_is(id, "name"))
		return false;
	uint32_t a = ts_node_start_byte(id), b = ts_node_end_byte(id);
	TSNode value;
	return find_php_constant(s, s->src + a, b - a, in_class, &value) &&
	       eval(s, value, out, origin, depth + 1, loose);
}

/* A Python f-string: its text with each interpolated name's value, or false when an
 * interpolation holds no single value (f"Bearer {key}" with key read at run time). */
static bool eval_fstring(const struct syntax *s, TSNode n, struct buf *out, TSNode *origin,
			 int depth, bool loose)
{
	uint32_t from = ts_node_start_byte(n) + 1, to = ts_node_end_byte(n) - 1;
	for (uint32_t i = 0; i < named_count(n); i++) {
		TSNode k = named_child(n, i);
		const char *t = ts_node_type(k);
		if (!strcmp(t, "string_start")) {
			from = ts_node_end_byte(k);
		} else if (!strcmp(t, "string_end")) {
			to = ts_node_start_byte(k);
		} else if (!strcmp(t, "interpolation")) {
			TSNode e = ts_node_child_by_field_name(k, "expression", 10);
			if (ts_node_is_null(e) || !eval(s, e, out, origin, depth + 1, loose))
				return false;
		} else if (!strcmp(t, "string_content") || !strcmp(t, "escape_sequence")) {
			if (ts_node_is_null(*origin))
				*origin = n;
			buf_put(out, s->src + ts_node_start_byte(k),
				ts_node_end_byte(k) - ts_node_start_byte(k));
		} else {
			return false;
		}
	}
	return from <= to;
}

/* A Python class attribute read through the class or an instance (Config.KEY,
 * self.KEY, cls.KEY): the value the file's class body gives the name. */
static bool eval_py_attribute(const struct syntax *s, TSNode n, struct buf *out,
			      TSNode *origin, int depth, bool loose)
{
	TSNode obj = ts_node_child_by_field_name(n, "object", 6);
	TSNode attr = ts_node_child_by_field_name(n, "attribute", 9);
	if (ts_node_is_null(obj) || ts_node_is_null(attr) || !node_is(obj, "identifier"))
		return false;
	uint32_t oa = ts_node_start_byte(obj), ob = ts_node_end_byte(obj);
	bool self = node_text_eq(s, obj, "self", 4) || node_text_eq(s, obj, "cls", 3);
	if (!self && !(s->src[oa] >= 'A' && s->src[oa] <= 'Z' && ob > oa))
		return false; /* a module or an instance: its attributes are not in this file */
	uint32_t a = ts_node_start_byte(attr), b = ts_node_end_byte(attr);
	TSNode value;
	if (!find_declaration(s, s->src + a, b - a, &value))
		return false;
	/* only a class body's assignment is the attribute */
	TSNode p = ts_node_parent(ts_node_parent(value));
	if (!node_is(p, "expression_statement") || !node_is(ts_node_parent(p), "block") ||
	    !node_is(ts_node_parent(ts_node_parent(p)), "class_definition"))
		return false;
	return eval(s, value, out, origin, depth + 1, loose);
}

/* A concatenation of two values with the one-character operator op. */
static bool eval_concat(const struct syntax *s, TSNode n, const char *op, struct buf *out,
			TSNode *origin, int depth, bool loose)
{
	TSNode o = ts_node_child_by_field_name(n, "operator", 8);
	if (ts_node_is_null(o) || !node_text_eq(s, o, op, 1))
		return false;
	if (ts_node_is_null(*origin))
		*origin = n;
	return eval(s, ts_node_child_by_field_name(n, "left", 4), out, origin, depth + 1, loose) &&
	       eval(s, ts_node_child_by_field_name(n, "right", 5), out, origin, depth + 1, loose);
}

static bool eval(const struct syntax *s, TSNode n, struct buf *out, TSNode *origin, int depth,
		 bool loose)
{
	if (depth > EVAL_DEPTH || ts_node_is_null(n) || walk_cut)
		return false;
	uint32_t a = ts_node_start_byte(n), b = ts_node_end_byte(n);
	const char *type = ts_node_type(n);
	if ((s->lang == LANG_PHP && (!strcmp(type, "string") || !strcmp(type, "encapsed_string"))) ||
	    (s->lang == LANG_PYTHON && !strcmp(type, "string"))) {
		if (s->lang == LANG_PYTHON && eval_script_string(s, n, out, origin))
			return true;
		if (s->lang == LANG_PYTHON)
			return eval_fstring(s, n, out, origin, depth, loose);
		return eval_script_string(s, n, out, origin);
	}
	if (s->lang == LANG_PHP && (!strcmp(type, "heredoc") || !strcmp(type, "nowdoc")))
		return eval_heredoc(s, n, out, origin);
	if (s->lang == LANG_PHP && (!strcmp(type, "name") || !strcmp(type, "qualified_name") ||
				    !strcmp(type, "class_constant_access_expression")))
		return eval_php_constant(s, n, out, origin, depth, loose);
	if (s->lang == LANG_PYTHON && !strcmp(type, "attribute"))
		return eval_py_attribute(s, n, out, origin, depth, loose);
	if (s->lang == LANG_PHP && !strcmp(type, "binary_expression"))
		return eval_concat(s, n, ".", out, origin, depth, loose); /* PHP joins with a dot */
	if (s->lang == LANG_PHP && !strcmp(type, "variable_name")) {
		TSNode value;
		return find_declaration(s, s->src + a, b - a, &value) &&
		       !node_text_eq(s, value, s->src + a, b - a) &&
		       eval(s, value, out, origin, depth + 1, loose);
	}
	if (!strcmp(type, "string") || !strcmp(type, "template_string")) {
		uint32_t kids = named_count(n);
		bool subst = false;
		for (uint32_t i = 0; i < kids; i++)
			subst |= node_is(named_child(n, i), "template_substitution");
		if (ts_node_is_null(*origin))
			*origin = n;
		if (!subst) {
			if (b - a >= 2)
				buf_put(out, s->src + a + 1, b - a - 2);
			return true;
		}
		if (!loose)
			return false;
		/* `${BASE}/ocpay/createLink`: the text between substitutions, and each
		 * substitution's value where it has one (its source text where not). */
		uint32_t at = a + 1;
		for (uint32_t i = 0; i < kids; i++) {
			TSNode k = named_child(n, i);
			if (!node_is(k, "template_substitution"))
				continue;
			uint32_t ka = ts_node_start_byte(k), kb = ts_node_end_byte(k);
			buf_put(out, s->src + at, ka - at);
			TSNode o = *origin;
			if (!named_count(k) ||
			    !eval(s, named_child(k, 0), out, &o, depth + 1, true))
				buf_put(out, s->src + ka, kb - ka);
			at = kb;
		}
		if (b > at + 1)
			buf_put(out, s->src + at, b - 1 - at);
		return true;
	}
	if (!strcmp(type, "binary_expression"))
		return eval_concat(s, n, "+", out, origin, depth, loose);
	if (!strcmp(type, "parenthesized_expression") || !strcmp(type, "as_expression") ||
	    !strcmp(type, "satisfies_expression") || !strcmp(type, "non_null_expression"))
		return named_count(n) &&
		       eval(s, named_child(n, 0), out, origin, depth + 1, loose);
	if (!strcmp(type, "identifier") && s->lang == LANG_PYTHON) {
		TSNode value;
		return find_declaration(s, s->src + a, b - a, &value) &&
		       eval(s, value, out, origin, depth + 1, loose);
	}
	if (!strcmp(type, "identifier")) {
		TSNode value;
		if (!find_declaration(s, s->src + a, b - a, &value))
			return eval_import(s, s->src + a, b - a, out, depth, loose);
		/* Report where the literal is written: that is the line to change. */
		return eval(s, value, out, origin, depth + 1, loose);
	}
	return false;
}

/* ---- running queries ---- */

struct match_priv {
	const struct tsq *q;
	const TSQueryMatch *m;
};

static bool capture_text(const struct syntax *s, const TSQueryMatch *m, uint32_t id,
			 const char **text, uint32_t *len)
{
	for (uint16_t i = 0; i < m->capture_count; i++) {
		if (m->captures[i].index == id) {
			uint32_t a = ts_node_start_byte(m->captures[i].node);
			*text = s->src + a;
			*len = ts_node_end_byte(m->captures[i].node) - a;
			return true;
		}
	}
	return false;
}

static bool capture_node(const TSQueryMatch *m, int id, TSNode *out);

/* #value-match?: the string the capture evaluates to (through constants, templates and
 * imports) matches; a capture without a value does not. */
static bool value_matches(const struct syntax *s, const TSQueryMatch *m, uint32_t id,
			  const struct regex *re)
{
	TSNode n;
	if (!capture_node(m, (int)id, &n))
		return false;
	struct buf b = BUF_INIT;
	TSNode origin = {0};
	bool ok = eval(s, n, &b, &origin, 0, true) && !buf_oom(&b) &&
		  regex_search(re, b.ptr ? b.ptr : "", b.len);
	buf_free(&b);
	return ok;
}

static bool predicates_hold(const struct tsq *t, const struct syntax *s, const TSQueryMatch *m)
{
	for (size_t i = 0; i < t->npreds[m->pattern_index]; i++) {
		const struct predicate *p = &t->preds[m->pattern_index][i];
		const char *text, *other;
		uint32_t len, olen;
		if (!capture_text(s, m, p->capture, &text, &len))
			continue; /* an optional capture that did not match */
		bool ok;
		if (p->op == PRED_MATCH)
			ok = regex_search(p->re, text, len);
		else if (p->op == PRED_VALUE_MATCH)
			ok = value_matches(s, m, p->capture, p->re);
		else if (p->other != UINT32_MAX)
			ok = capture_text(s, m, p->other, &other, &olen) && olen == len &&
			     !memcmp(text, other, len);
		else
			ok = strlen(p->literal) == len && !memcmp(text, p->literal, len);
		if (ok == p->negate)
			return false;
	}
	return true;
}

static bool capture_node(const TSQueryMatch *m, int id, TSNode *out)
{
	for (uint16_t i = 0; id >= 0 && i < m->capture_count; i++) {
		if (m->captures[i].index == (uint32_t)id) {
			*out = m->captures[i].node;
			return true;
		}
	}
	return false;
}

int tsq_run(const struct tsq *t, const struct syntax *s, query_cb cb, void *ctx)
{
	TSQueryCursor *cur = ts_query_cursor_new();
	if (!cur)
		return error_set("out of memory");
	ts_query_cursor_exec(cur, t->query, ts_tree_root_node(s->tree));
	TSQueryMatch m;
	int rc = 0;
	struct buf value = BUF_INIT;
	while (!rc && ts_query_cursor_next_match(cur, &m)) {
		if (!m.capture_count || !predicates_hold(t, s, &m))
			continue;
		struct match_priv priv = {t, &m};
		struct query_match qm = {.priv = &priv};
		TSNode node = m.captures[0].node, secret;
		if (capture_node(&m, t->report, &node) || !capture_node(&m, t->secret, &secret)) {
			/* reported where the report capture (or the first capture) is */
		}
		if (t->secret >= 0) {
			if (!capture_node(&m, t->secret, &secret))
				continue;
			TSNode origin = {0};
			origin.id = NULL;
			buf_reset(&value);
			if (!eval(s, secret, &value, &origin, 0, false))
				continue; /* not a literal: nothing hardcoded here */
			if (ts_node_is_null(origin))
				continue; /* written in another module: reported there */
			if (buf_oom(&value)) {
				rc = error_set("out of memory");
				break;
			}
			qm.value = value.ptr ? value.ptr : (char *)"";
			if (t->report < 0)
				node = origin;
		}
		qm.start = ts_node_start_byte(node);
		qm.end = ts_node_end_byte(node);
		rc = cb(ctx, &qm);
	}
	buf_free(&value);
	ts_query_cursor_delete(cur);
	return rc;
}

int query_match_capture(const struct query_match *qm, const char *name, uint32_t *start,
			uint32_t *end)
{
	const struct match_priv *p = qm->priv;
	int id = capture_id(p->q->query, name);
	TSNode n;
	if (!capture_node(p->m, id, &n))
		return -1;
	*start = ts_node_start_byte(n);
	*end = ts_node_end_byte(n);
	return 0;
}

/* ---- the AST view for C checkers (lang/ast.h) ---- */

_Static_assert(sizeof(struct ast_node) == sizeof(TSNode), "ast_node mirrors TSNode");

static TSNode to_ts(struct ast_node n)
{
	TSNode t;
	memcpy(&t, &n, sizeof t);
	return t;
}

static struct ast_node from_ts(TSNode t)
{
	struct ast_node n;
	memcpy(&n, &t, sizeof n);
	return n;
}

struct ast_node ast_root(const struct syntax *s)
{
	return from_ts(ts_tree_root_node(s->tree));
}

struct ast_node ast_at(const struct syntax *s, uint32_t start, uint32_t end)
{
	return from_ts(ts_node_descendant_for_byte_range(ts_tree_root_node(s->tree), start, end));
}

bool ast_is_null(struct ast_node n)
{
	return ts_node_is_null(to_ts(n));
}

const char *ast_type(struct ast_node n)
{
	return ast_is_null(n) ? "" : ts_node_type(to_ts(n));
}

bool ast_is(struct ast_node n, const char *type)
{
	return !strcmp(ast_type(n), type);
}

uint32_t ast_start(struct ast_node n)
{
	return ts_node_start_byte(to_ts(n));
}

uint32_t ast_end(struct ast_node n)
{
	return ast_is_null(n) ? ast_start(n) : ts_node_end_byte(to_ts(n));
}

uint32_t ast_line(struct ast_node n)
{
	return ts_node_start_point(to_ts(n)).row + 1;
}

struct ast_node ast_parent(struct ast_node n)
{
	return ast_is_null(n) ? n : from_ts(ts_node_parent(to_ts(n)));
}

uint32_t ast_named_count(struct ast_node n)
{
	return ast_is_null(n) ? 0 : named_count(to_ts(n));
}

struct ast_node ast_named_child(struct ast_node n, uint32_t i)
{
	return from_ts(named_child(to_ts(n), i));
}

uint32_t ast_count(struct ast_node n)
{
	return ast_is_null(n) ? 0 : child_count(to_ts(n));
}

struct ast_node ast_child(struct ast_node n, uint32_t i)
{
	return from_ts(child_at(to_ts(n), i));
}

struct ast_node ast_field(struct ast_node n, const char *field)
{
	if (ast_is_null(n))
		return n;
	return from_ts(ts_node_child_by_field_name(to_ts(n), field, (uint32_t)strlen(field)));
}

const char *ast_text(const struct syntax *s, struct ast_node n, size_t *len)
{
	uint32_t a = ast_start(n), b = ast_end(n);
	*len = b - a;
	return s->src + a;
}

bool ast_text_is(const struct syntax *s, struct ast_node n, const char *text)
{
	return !ast_is_null(n) && node_text_eq(s, to_ts(n), text, strlen(text));
}

char *ast_string_value(const struct syntax *s, struct ast_node n)
{
	struct buf b = BUF_INIT;
	TSNode origin = {0};
	if (!eval(s, to_ts(n), &b, &origin, 0, false)) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

void ast_walk(struct ast_node root, ast_visit_fn fn, void *ctx)
{
	/* A part the parser could not recover (the value of `switch(t{`) is a null node. */
	if (ast_is_null(root))
		return;
	TSTreeCursor c = ts_tree_cursor_new(to_ts(root));
	while (walk_step()) {
		bool descend = fn(ctx, from_ts(ts_tree_cursor_current_node(&c)));
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
