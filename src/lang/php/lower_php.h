/* The PHP lowering's private parts, shared by its files: lower.c (the file, statements),
 * lower_expr.c and lower_array.c (expressions), lower_decl.c (functions, classes,
 * attributes), lower_import.c (use, include), lower_string.c (names, strings, numbers) and
 * lower_tree.c (reading the tree). Only these files name the node types of
 * tree-sitter-php's `php` grammar. */
#ifndef OCPAY_LANG_PHP_LOWER_PHP_H
#define OCPAY_LANG_PHP_LOWER_PHP_H

#include <stdbool.h>
#include <stdint.h>

#include "flow/ir.h"
#include "lang/ast.h"
#include "lang/lower.h"

struct php_lower {
	struct ir_file *f;
	const struct syntax *syn;
	const char *src;	   /* the whole source text: tree offsets index it */
	int32_t func;		   /* the function whose body is being lowered */
	struct ir_node *echo_call; /* `<?= $a, $b`: the echo call the next statement ends */
	uint32_t echo_end;	   /* where the part before that statement ended */
	bool oom;		   /* a scratch buffer failed: the file is not lowered */
};

/* ---- tree and node helpers (lower_tree.c) ---- */

/* The next named child of n from *i on, comments skipped; a null node at the end. */
struct ast_node php_kid(struct ast_node n, uint32_t *i);
/* The children of a node read at once, then iterated: lowering a child between two reads by
 * index would move tree-sitter's child cursors (lang/ts.c), and a long list of statements,
 * methods or array elements would cost the square of its length. */
struct php_iter {
	struct ast_node *v;
	uint32_t n, i;
	struct ast_node small[4];
};
/* The named children of n, comments skipped; php_iter_all: every child, tokens too. */
void php_iter_named(struct php_lower *L, struct ast_node n, struct php_iter *it);
void php_iter_all(struct php_lower *L, struct ast_node n, struct php_iter *it);
/* The next child, or a null node at the end (the iterator is then released). */
struct ast_node php_next(struct php_iter *it);
/* Releases an iterator left before its end. */
void php_iter_free(struct php_iter *it);
/* The first named child that is not a comment. */
struct ast_node php_first(struct ast_node n);
bool php_same(struct ast_node a, struct ast_node b);
/* A new node spanning n. */
struct ir_node *php_node(struct php_lower *L, enum ir_kind kind, struct ast_node n);
/* The IR_OTHER that stands for a subtree cut at the nesting limit. */
struct ir_node *php_trunc(struct php_lower *L, struct ast_node n);

/* ---- statements (lower.c) ---- */

bool php_is_statement(struct ast_node n);
/* Whether the file has HTML text of its own around its code (a template or a page). */
bool php_writes_html(const struct syntax *syn);
/* Whether the file echoes lines of plain text (a "\\n" or PHP_EOL, never markup): a
 * command-line script's output. */
bool php_echoes_lines(const struct syntax *syn);
/* A statement or an expression, whichever n is; NULL for what lowers to nothing. */
struct ir_node *php_any(struct php_lower *L, struct ast_node n, int depth);
/* A statement as a block: a compound statement's own block, else a block holding it. */
struct ir_node *php_block(struct php_lower *L, struct ast_node n, int depth);
/* Appends to block the statements among the named children of parent. */
void php_stmts_into(struct php_lower *L, struct ir_node *block, struct ast_node parent, int depth);

/* ---- imports (lower_import.c) ---- */

/* use A\B [as C]; use function f; use const X; use A\{B, C}: IR_IMPORT_USE rows. */
void php_use_declaration(struct php_lower *L, struct ast_node n);
/* An include/require: records the import row when its path is constant. */
void php_include_import(struct php_lower *L, struct ast_node path, uint32_t line);

/* ---- expressions (lower_expr.c) ---- */

struct ir_node *php_expr(struct php_lower *L, struct ast_node n, int depth);
/* An expression whose function value, if it is one, takes the name `bind` ($f = fn ...). */
struct ir_node *php_expr_named(struct php_lower *L, struct ast_node n, const char *bind, int depth);
/* Appends the arguments (an `arguments` node) to call. */
void php_args(struct php_lower *L, struct ir_node *call, struct ast_node args, int depth);
/* The name a value assigned to target binds ($f, $this->f, A::$f), or NULL. */
const char *php_bind_name(const struct ir_node *target);

/* ---- arrays (lower_array.c) ---- */

struct ir_node *php_array(struct php_lower *L, struct ast_node n, int depth);
/* A destructuring target: list($a, $b), [$a, $b], ['k' => $v]. */
struct ir_node *php_pattern(struct php_lower *L, struct ast_node n, int depth);

/* ---- functions, classes (lower_decl.c) ---- */

/* Adds the function n (definition, method, closure, arrow function) and lowers its
 * parameters and body; returns its index, or -1 when out of memory. */
int32_t php_function(struct php_lower *L, struct ast_node n, const char *name, uint16_t flags,
		     int32_t cls, int depth);
/* The IR_FUNC node standing for a closure or arrow function n. */
struct ir_node *php_closure(struct php_lower *L, struct ast_node n, const char *bind, int depth);
/* Adds the class-like n (class, interface, trait, enum, anonymous class) and returns its
 * IR_CLASS node. */
struct ir_node *php_class(struct php_lower *L, struct ast_node n, int depth);
/* Lowers an attribute_list into *list (decorators). */
void php_attributes(struct php_lower *L, struct ast_node attrs, struct ir_node ***list, uint32_t *n,
		    int depth);

/* ---- operators (lower_op.c) ---- */

struct ir_node *php_binary(struct php_lower *L, struct ast_node n, int depth);
struct ir_node *php_unary(struct php_lower *L, struct ast_node n, int depth);
/* =, compound and by-reference assignments; the right side is named after the target. */
struct ir_node *php_assignment(struct php_lower *L, struct ast_node n, int depth);
/* $i++ is $i += 1; $i-- an other compound assignment of 1. */
struct ir_node *php_update(struct php_lower *L, struct ast_node n, int depth);
struct ir_node *php_conditional(struct php_lower *L, struct ast_node n, int depth);
/* (int)$x, clone $x: an IR_OTHER naming the construct, a = the operand. */
struct ir_node *php_cast(struct php_lower *L, struct ast_node n, int depth);
/* Sets x's text (a string of the arena or a static one); x may be NULL. */
void php_set_text(struct ir_node *x, const char *text);

/* ---- names, strings, numbers (lower_string.c) ---- */

/* The text of n copied into the arena. */
const char *php_text(struct php_lower *L, struct ast_node n);
/* A name or qualified name as written, a leading `\` dropped. */
const char *php_name(struct php_lower *L, struct ast_node n);
/* A type as written, a nullable `?` dropped; NULL for a null node. */
const char *php_type(struct php_lower *L, struct ast_node n);
/* string, encapsed_string, heredoc, nowdoc, shell_command_expression. */
bool php_is_string(struct ast_node n);
struct ir_node *php_string(struct php_lower *L, struct ast_node n, int depth);
/* Whether n is a string literal without substitutions; its value in *out (arena). */
bool php_const_string(struct php_lower *L, struct ast_node n, const char **out, uint32_t *len);
struct ir_node *php_number(struct php_lower *L, struct ast_node n);
double php_number_value(struct php_lower *L, struct ast_node n);

#endif
