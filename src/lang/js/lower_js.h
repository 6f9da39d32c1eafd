/* Private to the JavaScript/TypeScript/TSX lowering (src/lang/js/): the state shared by
 * its files. One lowering serves the three grammars: where they differ (TS type nodes,
 * JSX, decorators placed before a method in TS and inside it in JS) both shapes are
 * handled. Only these files name the grammars' node types. */
#ifndef OCPAY_LANG_JS_LOWER_JS_H
#define OCPAY_LANG_JS_LOWER_JS_H

#include "lang/ast.h"
#include "lang/lower.h"

struct jsl {
	struct ir_file *f;
	const struct syntax *syn;
	int32_t func;	  /* the function whose body is being lowered (0: the module) */
	int in_namespace; /* inside a TS namespace body: its exports are not the module's */
	bool oom;	  /* a temporary allocation failed */
};

/* ---- lower.c: helpers shared by the files, statements ---- */

/* The children of a node in one pass (named ones without comments, or all), so a long
 * list is not walked again for each index. Free with jsl_kids_free. */
struct jsl_kids {
	struct ast_node *v;
	uint32_t n;
	struct ast_node small[8];
};
void jsl_kids(struct jsl *L, struct jsl_kids *k, struct ast_node n, bool named);
void jsl_kids_free(struct jsl_kids *k);
/* The first named child that is not a comment (a null node when none). */
struct ast_node jsl_first(struct ast_node n);
/* Whether n has a direct child (a token such as "async", "static", "*") of that type. */
bool jsl_has(struct jsl *L, struct ast_node n, const char *type);

struct ir_node *jsl_node(struct jsl *L, enum ir_kind kind, struct ast_node n);
/* The source text of n, copied into the file's arena. */
const char *jsl_text(struct jsl *L, struct ast_node n);
/* A type annotation's text without its leading `:` / `?:` ("Request", "Promise<void>"). */
const char *jsl_type_text(struct jsl *L, struct ast_node n);
/* The node standing for a subtree cut at the nesting limit. */
struct ir_node *jsl_cut(struct jsl *L, struct ast_node n);
/* Grows an arena array of `size`-byte items to hold n + 1 (doubling like ir_ptr_push). */
void *jsl_grow(struct jsl *L, void *array, uint32_t n, size_t size);

/* Lowers statement n into block (a declaration of several names gives several nodes;
 * an import gives none). */
void jsl_stmt(struct jsl *L, struct ast_node n, struct ir_node *block, int depth);
/* A statement_block (or any statement) as an IR_BLOCK. */
struct ir_node *jsl_block(struct jsl *L, struct ast_node n, int depth);

/* ---- lower_literal.c: strings, templates, numbers, keys ---- */

/* A string literal (JSX attribute strings take HTML entities, not escapes). */
struct ir_node *jsl_string(struct jsl *L, struct ast_node n, bool jsx);
/* A template literal: IR_TEMPLATE, or IR_STRING when it has no substitution. */
struct ir_node *jsl_template(struct jsl *L, struct ast_node n, int depth);
struct ir_node *jsl_number(struct jsl *L, struct ast_node n);
/* A string, or a template without substitutions. */
bool jsl_is_const_string(struct ast_node n);
/* The value of such a literal (no node is made), or NULL. */
const char *jsl_string_value(struct jsl *L, struct ast_node n, uint32_t *len);
/* A property key as text: identifier, string, number, #private, a constant computed
 * key; NULL for other computed keys. */
const char *jsl_key_text(struct jsl *L, struct ast_node key);

/* ---- lower_expr.c: expressions, patterns, JSX ---- */

struct ir_node *jsl_expr(struct jsl *L, struct ast_node n, int depth);
/* An expression bound to a name (a declarator's value, an assigned value, a pair's
 * value): a function or class there takes the name when it has none of its own. */
struct ir_node *jsl_value(struct jsl *L, struct ast_node n, const char *bind, int depth);
/* A destructuring target (or a plain one: a name, a member). */
struct ir_node *jsl_pattern(struct jsl *L, struct ast_node n, int depth);
/* Parentheses and TypeScript's `as`, `satisfies`, `!` and `<T>x` removed. */
struct ast_node jsl_unwrap(struct ast_node n);

/* ---- lower_func.c: functions, parameters, classes, decorators ---- */

/* Any function-like node (declaration, expression, arrow, generator, object method):
 * adds the ir_func and returns its IR_FUNC node. bind: the name when the function has
 * none; flags: extra IR_FN_* bits. */
struct ir_node *jsl_func(struct jsl *L, struct ast_node n, const char *bind, uint16_t flags,
			 int depth);
/* A class declaration or expression; decorators_of: a node whose `decorator` children
 * also apply (an export statement written `@Dec() export class`), or a null node. */
struct ir_node *jsl_class(struct jsl *L, struct ast_node n, const char *bind,
			  struct ast_node decorators_of, int depth);
struct ir_node *jsl_decorator(struct jsl *L, struct ast_node n, int depth);

/* ---- lower_module.c: imports, exports, require, module.exports ---- */

void jsl_import(struct jsl *L, struct ast_node n);
void jsl_export(struct jsl *L, struct ast_node n, struct ir_node *block, int depth);
/* A require("m") / import("m") call with a constant module: records its import row,
 * with the names it binds when it is a declarator's value. */
void jsl_require(struct jsl *L, struct ast_node call, bool dynamic);
/* An assignment to module.exports, exports.x or module.exports.x: records the export
 * rows (value: the lowered right-hand side). */
void jsl_cjs_export(struct jsl *L, struct ast_node left, struct ir_node *value);
/* The name a CommonJS export target binds a function to ("" for module.exports itself);
 * NULL when left is not an export target. */
const char *jsl_cjs_bind(struct jsl *L, struct ast_node left);
/* After the lowering: marks the functions and classes the export rows name. */
void jsl_exports_mark(struct jsl *L);

#endif
