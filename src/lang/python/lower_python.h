/* The Python lowering's private interface, shared by its files: lower.c (the entry, the
 * walk's helpers, imports), lower_def.c (functions, parameters, classes), lower_stmt.c
 * (statements) and lower_expr.c (expressions, strings, numbers). Only these files name
 * tree-sitter-python's node types. */
#ifndef OCPAY_LANG_PYTHON_LOWER_PYTHON_H
#define OCPAY_LANG_PYTHON_LOWER_PYTHON_H

#include <stdbool.h>
#include <stdint.h>

#include "flow/ir.h"
#include "lang/ast.h"

struct py {
	struct ir_file *f;
	const struct syntax *syn;
	int32_t func;	  /* the function whose body is being lowered */
	const char *self; /* the name read as IR_THIS here (a method's first parameter), or NULL */
	bool yielded;	  /* the current function holds a yield: a generator */
	bool in_class;	  /* lowering a class body (its defs are methods, not exported) */
	/* Children being visited, pushed and popped in call order: tree-sitter finds child i
	 * by walking its older siblings, and the recursion between two calls would evict its
	 * cursor cache, so each node's children are read once, in order, into this stack. */
	struct ast_node *stack;
	uint32_t top, cap;
	bool oom;
};

/* A node's children on the stack: [base, base + n). */
struct py_kids {
	uint32_t base, n;
};

/* ---- lower.c: helpers ---- */

/* Pushes n's children (named only, or all), comments and line continuations left out;
 * pop them with py_kids_done in the reverse order of the pushes. */
struct py_kids py_kids(struct py *p, struct ast_node n, bool named);
struct ast_node py_kid(const struct py *p, struct py_kids k, uint32_t i);
void py_kids_done(struct py *p, struct py_kids k);
/* The first named child of n that is not a comment, or a null node. */
struct ast_node py_first(struct py *p, struct ast_node n);

struct ir_node *py_node(struct py *p, enum ir_kind kind, struct ast_node n);
/* An IR_OTHER standing for a subtree cut at the nesting limit. */
struct ir_node *py_trunc(struct py *p, struct ast_node n);
const char *py_text(struct py *p, struct ast_node n);
/* A node of kind over n whose text is n's source text (a name, a member's key ...). */
struct ir_node *py_named(struct py *p, enum ir_kind kind, struct ast_node n, struct ast_node text);
void py_set_text(struct ir_node *n, const char *text);
/* Appends item (size bytes) to an arena array whose capacity follows its length. */
int py_push(struct py *p, void **array, uint32_t *n, const void *item, size_t size);
void py_import(struct py *p, struct ast_node n);

/* ---- lower_def.c ---- */

/* A function (def) in a body: returns its IR_FUNC node; for a method (cls >= 0) returns
 * NULL and sets *index for the class's method list. decorated is the decorated_definition
 * around def, or a null node. */
struct ir_node *py_function(struct py *p, struct ast_node def, struct ast_node decorated,
			    int32_t cls, int depth, int32_t *index);
/* lambda: an arrow function named name ("" when not bound). */
struct ir_node *py_lambda(struct py *p, struct ast_node n, const char *name, int depth);
/* A class: returns its IR_CLASS node, first appended to out when place (a nested class
 * is an attribute of its class instead). Statements of its body that are neither fields
 * nor methods (they run when the class is defined) are appended to out after it. */
struct ir_node *py_class(struct py *p, struct ast_node def, struct ast_node decorated,
			 struct ir_node *out, bool place, int depth);

/* ---- lower_stmt.c ---- */

/* Lowers the statements of a block (or the module) into out; skip_doc drops a leading
 * docstring. */
void py_block(struct py *p, struct ast_node block, struct ir_node *out, int depth, bool skip_doc);
void py_stmt(struct py *p, struct ast_node n, struct ir_node *out, int depth);
bool py_is_docstring(struct py *p, struct ast_node n);

/* ---- lower_expr.c ---- */

struct ir_node *py_expr(struct py *p, struct ast_node n, int depth);
/* An assignment target (a name, member, index, or a pattern for tuple targets). */
struct ir_node *py_target(struct py *p, struct ast_node n, int depth);
/* An assignment (x = v, a = b = v, x: T = v, x += 1); NULL for an annotation alone. */
struct ir_node *py_assign(struct py *p, struct ast_node n, int depth);

/* ---- lower_string.c ---- */

/* A string or concatenated_string: IR_STRING, or IR_TEMPLATE with substitutions. */
struct ir_node *py_string(struct py *p, struct ast_node n, int depth);
/* The decoded value of a string literal without substitutions (in the arena, *len set),
 * or NULL when n is not one. */
const char *py_string_value(struct py *p, struct ast_node n, uint32_t *len);
double py_number(const char *s, size_t len);

#endif
