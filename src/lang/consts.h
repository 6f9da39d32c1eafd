/* Private to src/lang and its language folders: the constant evaluator, which tells the
 * string a node holds (a literal, a concatenation, a same-file constant or declaration,
 * a name imported from another module). consts.c is the entry and dispatches by language
 * to a table in src/lang/<language>/consts.c, the only place that knows the node types;
 * decls.c indexes a file's declarations for those tables; ts.c keeps the index and the
 * import hook with the syntax. The language files call decls.c and ts.c, never consts.c,
 * so the dependencies run one way. */
#ifndef OCPAY_LANG_CONSTS_H
#define OCPAY_LANG_CONSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "lang/ast.h"
#include "lang/lang.h"
#include "lang/ts.h"

/* How many values deep one evaluation follows names, concatenations and imports. */
#define CONSTS_DEPTH 8

/* Appends the string value of n to out and returns true, or false when n holds no
 * single value. *origin, when still null, becomes the node the literal is written in
 * (left null for a value that comes from another module). loose: a template keeps the
 * source text of substitutions it cannot resolve. */
typedef bool (*consts_eval_fn)(const struct syntax *s, struct ast_node n, struct buf *out,
			       struct ast_node *origin, int depth, bool loose);
bool consts_eval(const struct syntax *s, struct ast_node n, struct buf *out,
		 struct ast_node *origin, int depth, bool loose);

/* What a name can be declared by, in a file's index. */
enum decl_kind {
	DECL_VAR,    /* const|let|var NAME = v, $name = v, name = v */
	DECL_CONST,  /* PHP const NAME = v */
	DECL_DEFINE, /* PHP define('NAME', v) */
	DECL_KINDS
};

/* Whether node n declares a name: its kind, where the name is in the source
 * ([*start, *start + *len)) and the value node. */
typedef bool (*decl_of_fn)(const struct syntax *s, struct ast_node n, enum decl_kind *kind,
			   uint32_t *start, uint32_t *len, struct ast_node *value);

/* What the evaluator needs of a language. */
struct consts_lang {
	consts_eval_fn eval;
	decl_of_fn decl_of;
	/* The value of the module's default export, or NULL where modules have none. */
	bool (*default_export)(const struct syntax *s, struct ast_node *value);
};

extern const struct consts_lang js_consts;     /* lang/js/consts.c */
extern const struct consts_lang php_consts;    /* lang/php/consts.c */
extern const struct consts_lang python_consts; /* lang/python/consts.c */

/* ---- decls.c ---- */

/* The first declaration of name of that kind in the file (the index is built with
 * decl_of on the first look-up, one walk of the tree): its value and where its name
 * is. False when there is none, or the walk that built the index was cut short. */
bool decls_find(const struct syntax *s, decl_of_fn decl_of, enum decl_kind kind, const char *name,
		size_t len, struct ast_node *value, uint32_t *at);

/* ---- ts.c: what the syntax keeps for the evaluator ---- */

const char *syntax_source(const struct syntax *s);
/* The index attached to s (NULL until set); set once, freed with s by free_fn. */
void *syntax_cache(const struct syntax *s);
void syntax_cache_set(const struct syntax *s, void *cache, void (*free_fn)(void *cache));
bool syntax_has_import_hook(const struct syntax *s);
/* The value the import hook gives name exported by module spec, or NULL. */
char *syntax_import_value(const struct syntax *s, const char *spec, size_t spec_len,
			  const char *name, size_t name_len, int depth, bool loose);

/* Whether an evaluation at that depth may look at n. */
static inline bool consts_may_eval(struct ast_node n, int depth)
{
	return depth <= CONSTS_DEPTH && !ast_is_null(n) && !ast_deadline_passed();
}

/* Whether the source text of n is exactly text[0, len). */
static inline bool consts_text_eq(const struct syntax *s, struct ast_node n, const char *text,
				  size_t len)
{
	size_t l;
	const char *t = ast_text(s, n, &l);
	return l == len && !memcmp(t, text, len);
}

#endif
