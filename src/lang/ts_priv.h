/* Private to ts.c and query.c, the two files that include tree_sitter/api.h: the parsed
 * file, the grammars, and the conversion between tree-sitter's node and lang/ast.h's. */
#ifndef OCPAY_LANG_TS_PRIV_H
#define OCPAY_LANG_TS_PRIV_H

#include <string.h>
#include <tree_sitter/api.h>

#include "lang/ast.h"
#include "lang/ts.h"

struct syntax {
	TSTree *tree;
	enum lang lang;
	const char *src;
	size_t len;
	import_value_fn import_value; /* names imported from other modules, or NULL */
	void *import_ctx;
	void *cache; /* the constant evaluator's declaration index, built on first use */
	void (*cache_free)(void *cache);
};

/* The grammar of a language; NULL for LANG_TEXT. */
const TSLanguage *ts_language_of(enum lang l);

_Static_assert(sizeof(struct ast_node) == sizeof(TSNode), "ast_node mirrors TSNode");

static inline TSNode ts_from_ast(struct ast_node n)
{
	TSNode t;
	memcpy(&t, &n, sizeof t);
	return t;
}

static inline struct ast_node ts_to_ast(TSNode t)
{
	struct ast_node n;
	memcpy(&n, &t, sizeof n);
	return n;
}

#endif
