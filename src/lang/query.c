/* Rule queries: compiling them with their predicates, and running them over a syntax.
 * The #value-match? predicates and the secret capture ask the constant evaluator
 * (consts.c) for the string a node holds. */
#include "lang/ts.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/regex.h"
#include "lang/consts.h"
#include "lang/ts_priv.h"

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
	TSQuery *q = ts_query_new(ts_language_of(lang), source, (uint32_t)strlen(source), &off, &kind);
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
	struct ast_node origin = {0};
	bool ok = consts_eval(s, ts_to_ast(n), &b, &origin, 0, true) && !buf_oom(&b) &&
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
			struct ast_node origin = {0};
			buf_reset(&value);
			if (!consts_eval(s, ts_to_ast(secret), &value, &origin, 0, false))
				continue; /* not a literal: nothing hardcoded here */
			if (ast_is_null(origin))
				continue; /* written in another module: reported there */
			if (buf_oom(&value)) {
				rc = error_set("out of memory");
				break;
			}
			qm.value = value.ptr ? value.ptr : (char *)"";
			if (t->report < 0)
				node = ts_from_ast(origin);
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
