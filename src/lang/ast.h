/* A read-only view of a parsed tree for the checkers written in C, without tree-sitter's
 * header: a node is a small value (copy it freely) valid while its syntax lives. The
 * accessors take a null node (a missing field or child) and give a null node, 0 or "". */
#ifndef OCPAY_AST_H
#define OCPAY_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct syntax;

struct ast_node {
	uint32_t context[4];
	const void *id;
	const void *tree;
};

struct ast_node ast_root(const struct syntax *s);
/* The smallest node spanning [start, end). */
struct ast_node ast_at(const struct syntax *s, uint32_t start, uint32_t end);
bool ast_is_null(struct ast_node n);
const char *ast_type(struct ast_node n);
bool ast_is(struct ast_node n, const char *type);
uint32_t ast_start(struct ast_node n);
uint32_t ast_end(struct ast_node n);
/* 1-based line of the node's first byte. */
uint32_t ast_line(struct ast_node n);
struct ast_node ast_parent(struct ast_node n);
uint32_t ast_named_count(struct ast_node n);
struct ast_node ast_named_child(struct ast_node n, uint32_t i);
uint32_t ast_count(struct ast_node n);
struct ast_node ast_child(struct ast_node n, uint32_t i);
struct ast_node ast_field(struct ast_node n, const char *field);
/* The source text of the node (not NUL-terminated) and its length. */
const char *ast_text(const struct syntax *s, struct ast_node n, size_t *len);
bool ast_text_is(const struct syntax *s, struct ast_node n, const char *text);
/* Evaluates a string literal, a template without substitutions, a concatenation of those
 * or a same-file constant; returns a new string or NULL. */
char *ast_string_value(const struct syntax *s, struct ast_node n);

/* Pre-order walk; return false from fn to skip a node's children. */
typedef bool (*ast_visit_fn)(void *ctx, struct ast_node n);
void ast_walk(struct ast_node root, ast_visit_fn fn, void *ctx);

/* The walks of this thread stop, as if the tree ended, once the clock passes deadline_ms
 * (CLOCK_MONOTONIC; 0: never): a file built so that the checks would run for hours
 * costs a bounded time. ast_deadline_passed() tells whether a walk was cut short since
 * the deadline was set. */
void ast_set_deadline(uint64_t deadline_ms);
bool ast_deadline_passed(void);

#endif
