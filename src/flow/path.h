/* Access paths: the language-neutral spelling of an expression's shape that models are
 * written against, and the patterns that match them.
 *
 * A path joins the segments of a member chain with '.', a call's segment ends in "()":
 *   req.query.status          $request->input('ref')   -> request.input()
 *   axios.create().post()     Http::withHeaders(...)->post(...) -> Http.withHeaders().post()
 *   this.ocpay.createLink()   self.client.check_payment(ref) -> this.client.check_payment()
 *   new URL(request.url).searchParams.get("status") -> URL().searchParams.get()
 * `await` and grouping are transparent; an index with a constant key is a member, any
 * other index is "[]"; what has no spelling (a literal, an operator) is "?".
 *
 * A pattern is segments separated by '.': a literal ("save"), a glob with '*' inside a
 * segment ("*Request", "get*"), alternatives in parentheses ("(get|post|put)"), "*" for any
 * one segment, "**" for any number of segments (none too), and "()" after a segment for a
 * call. Matching is exact (the whole path) or by prefix (the path starts with what the
 * pattern matches: a member of a request is a request value). */
#ifndef OCPAY_FLOW_PATH_H
#define OCPAY_FLOW_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "flow/ir.h"

#define PATH_MAX_SEGMENTS 24

struct path {
	const char *seg[PATH_MAX_SEGMENTS]; /* borrowed from the ir_file, or "?" / "[]" */
	bool call[PATH_MAX_SEGMENTS];	    /* the segment is called */
	const struct ir_node *node[PATH_MAX_SEGMENTS]; /* the node each prefix ends at */
	unsigned n;
	bool rooted; /* the first segment is a name, `this` or `super` (not "?") */
};

/* The path of n (n itself is the last segment). Returns false when the chain is longer
 * than PATH_MAX_SEGMENTS. */
bool path_of(struct path *out, const struct ir_node *n);
/* Writes the path as text ("req.query.get()") into buf; for messages and tests. */
void path_format(const struct path *p, char *buf, size_t size);

struct path_pattern;

/* Compiles a pattern; NULL with the error set (naming what is wrong) when it is invalid. */
struct path_pattern *path_pattern_new(const char *text);
void path_pattern_free(struct path_pattern *p);
/* Whether the whole of path p matches. */
bool path_match(const struct path_pattern *pat, const struct path *p);
/* The number of leading segments of p that the pattern matches as a whole (the longest),
 * or 0 when no prefix matches. */
unsigned path_match_prefix(const struct path_pattern *pat, const struct path *p);
/* The pattern's last segment when it is a plain literal (an index key for models), else NULL. */
const char *path_pattern_last(const struct path_pattern *pat);
/* Whether the pattern's last segment is a call. */
bool path_pattern_is_call(const struct path_pattern *pat);

#endif
