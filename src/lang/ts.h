/* The wrapper of tree-sitter (ts.c and query.c, the only files that include
 * tree_sitter/api.h): parsing JavaScript, TypeScript, TSX, PHP and Python, running rule
 * queries with their predicates, and the string a node holds (consts.c, which asks
 * src/lang/<language>/consts.c).
 * A tsq is compiled once and shared read-only; a parser_set belongs to one thread;
 * a syntax borrows the source text it was parsed from, which must outlive it. */
#ifndef OCPAY_TS_H
#define OCPAY_TS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang/lang.h"

struct tsq;
struct parser_set;
struct syntax;

/* Compiles a query; secret and report name captures (either may be NULL).
 * Supports the #eq?, #not-eq?, #match? and #not-match? predicates (PCRE2 syntax), and
 * #value-match? / #not-value-match?, which match the string a capture evaluates to
 * (constants, concatenations, templates, imported constants) instead of its text. */
int tsq_new(struct tsq **out, enum lang lang, const char *source, const char *secret,
	    const char *report);
void tsq_free(struct tsq *q);

struct parser_set *parser_set_new(void);
void parser_set_free(struct parser_set *ps);

/* Returns 0, or -1 when the parse failed or ran out of time (timeout_us, 0: none). */
int syntax_parse(struct syntax **out, struct parser_set *ps, enum lang lang, const char *src,
		 size_t len, uint64_t timeout_us);
void syntax_free(struct syntax *s);
/* The language the syntax was parsed as. */
enum lang syntax_lang(const struct syntax *s);

/* How a syntax evaluates a name imported from another module: spec is the module as
 * written, name the exported name ("default" for a default import). Returns the value
 * as a new string, or NULL. depth counts the modules crossed (the hook stops cycles). */
typedef char *(*import_value_fn)(void *ctx, const char *spec, size_t spec_len,
				 const char *name, size_t name_len, int depth, bool loose);
void syntax_set_import_hook(struct syntax *s, import_value_fn fn, void *ctx);
/* The string value of the top-level declaration name (or of "export default"), for an
 * import hook. loose: templates keep the source of substitutions they cannot resolve. */
char *syntax_export_value(const struct syntax *s, const char *name, size_t len, int depth,
			  bool loose);

struct query_match {
	uint32_t start, end;   /* where to report: the literal holding the secret, or the
			          report capture, or the first capture */
	char *value;	       /* the string the secret capture evaluates to, or NULL */
	const void *priv;
};

typedef int (*query_cb)(void *ctx, const struct query_match *m);

/* Calls cb for each match whose predicates hold. Stops early on a non-zero return. */
int tsq_run(const struct tsq *q, const struct syntax *s, query_cb cb, void *ctx);
/* Span of the named capture in the current match; -1 when the match has none. */
int query_match_capture(const struct query_match *m, const char *name, uint32_t *start,
			uint32_t *end);

#endif
