#define _GNU_SOURCE /* strcasestr */
/* Events of writes: the store a call writes to (an ORM, SQL whose text writes, a statement
 * prepared for later), what does not last (sessions, caches, maps in memory), and the
 * status an order is given (a paid status fulfils, a failed one marks the failure). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "flow/events_private.h"

/* The kinds of status a value written may be (paid, failed), from the models: a string,
 * an enum case (OrderStatus.PAID), or each value a local or a ternary may hold
 * (next = status === "CONFIRMED" ? "PAID" : "FAILED"). */
static void status_options(struct events *ev, int32_t file, const struct ir_node *value, bool *paid,
			   bool *failed, int depth)
{
	char buf[64];
	bool partial;
	if (!value || depth > 6)
		return;
	if (value->kind == IR_COND) {
		status_options(ev, file, value->b ? value->b : value->a, paid, failed, depth + 1);
		status_options(ev, file, value->c, paid, failed, depth + 1);
		return;
	}
	if (value->kind == IR_NAME) {
		const struct ir_node *defs[4];
		int32_t files[4];
		size_t n = flow_defs(ev->q, file, value, defs, files, 4);
		for (size_t i = 0; i < n; i++)
			if (defs[i]->kind == IR_COND)
				status_options(ev, files[i], defs[i], paid, failed, depth + 1);
		if (n && defs[0]->kind == IR_COND)
			return;
	}
	if (!flow_string(ev->q, file, value, buf, sizeof buf, &partial) || partial) {
		if (value->kind != IR_MEMBER || !value->text)
			return;
		snprintf(buf, sizeof buf, "%s", value->text);
	}
	if (model_has_value(ev->f->models, MODEL_PAID_STATUS, ev->ir->lang, buf))
		*paid = true;
	else if (model_has_value(ev->f->models, MODEL_FAILED_STATUS, ev->ir->lang, buf))
		*failed = true;
}

/* A status value written: EV_FULFIL when it may be paid, EV_FAIL_MARK when it may only
 * be failed, or -1. */
int ev_status_written(struct events *ev, const struct ir_node *value)
{
	bool paid = false, failed = false;
	status_options(ev, ev->fn.file, value, &paid, &failed, 0);
	return paid ? EV_FULFIL : failed ? EV_FAIL_MARK : -1;
}

bool ev_is_status_field(struct events *ev, const char *name)
{
	return name && model_has_value(ev->f->models, MODEL_STATUS_FIELD, ev->ir->lang, name);
}

/* {status: "paid"} handed to a write, or SQL that sets it; the SQL's status is reported at
 * `at` when given (the execute() of a statement prepared earlier). */
void ev_written_status(struct events *ev, const struct ir_node *call, const struct ir_node *e,
		       const struct ir_node *at, int depth)
{
	if (!e || depth > 4)
		return;
	if (e->kind == IR_OBJECT || (e->kind == IR_CALL && e == call)) {
		for (uint32_t i = 0; i < e->nkids; i++) {
			const struct ir_node *p = e->kids[i];
			if (p->kind == IR_PAIR && ev_is_status_field(ev, p->text)) {
				/* at the field written: { status: "PAID" } */
				int k = ev_status_written(ev, p->b);
				if (k >= 0)
					ev_emit(ev, (enum flow_event_kind)k, p, p->b, NULL,
						FLOW_FN_NONE, -1, false);
			} else if (p->kind == IR_PAIR) {
				ev_written_status(ev, call, p->b, at,
						  depth + 1); /* {data: {status}} */
			}
		}
		return;
	}
	if (e->kind == IR_STRING || e->kind == IR_TEMPLATE) {
		char sql[1024];
		bool partial;
		if (!flow_string(ev->q, ev->fn.file, e, sql, sizeof sql, &partial) ||
		    !strcasestr(sql, "update") || !strcasestr(sql, " set "))
			return;
		/* SET status = 'paid' */
		for (const char *p = strcasestr(sql, " set "); p && *p; p++) {
			if (*p != '\'' && *p != '"')
				continue;
			const char *end = strchr(p + 1, *p);
			if (!end)
				break;
			char value[64];
			snprintf(value, sizeof value, "%.*s", (int)(end - p - 1), p + 1);
			if (model_has_value(ev->f->models, MODEL_PAID_STATUS, ev->ir->lang,
					    value)) {
				ev_emit(ev, EV_FULFIL, at ? at : e, e, NULL, FLOW_FN_NONE, -1,
					false);
				return;
			}
			if (model_has_value(ev->f->models, MODEL_FAILED_STATUS, ev->ir->lang,
					    value)) {
				ev_emit(ev, EV_FAIL_MARK, at ? at : e, e, NULL, FLOW_FN_NONE, -1,
					false);
				return;
			}
			p = end;
		}
	}
}

/* A statement prepared and kept for later ($stmt = $pdo->prepare("UPDATE ...")): its SQL
 * runs, and its status is set, where the statement is executed. */
bool ev_prepared_for_later(const struct model_row *r, const struct ir_node *call)
{
	const struct ir_node *up = call->parent;
	while (up && up->kind == IR_AWAIT)
		up = up->parent;
	return ev_attr_true(r, MODEL_ATTR_PREPARED) && up &&
	       (up->kind == IR_DECL || up->kind == IR_ASSIGN);
}

/* At an execute() on a statement prepared earlier in the file: the status its SQL sets. */
void ev_executed_status(struct events *ev, const struct ir_node *call)
{
	const struct ir_node *recv = call->a && call->a->kind == IR_MEMBER ? call->a->a : NULL;
	const struct ir_node *defs[4];
	int32_t files[4];
	size_t k =
	    recv && recv->kind == IR_NAME ? flow_defs(ev->q, ev->fn.file, recv, defs, files, 4) : 0;
	for (size_t d = 0; d < k; d++) {
		const struct ir_node *v = defs[d];
		while (v && v->kind == IR_AWAIT)
			v = v->a;
		struct path dp;
		const struct model_row *w;
		if (files[d] != ev->fn.file || !v || v->kind != IR_CALL || !path_of(&dp, v) ||
		    !(w = model_match(ev->f->models, MODEL_WRITE, ev->ir->lang, &dp)) ||
		    !ev_prepared_for_later(w, v))
			continue;
		for (uint32_t i = 0; i < v->nkids; i++)
			ev_written_status(ev, v, v->kids[i], call, 0);
		return;
	}
}

/* Whether the SQL a write row's call is handed inserts or updates. */
static bool writes_sql(struct events *ev, int32_t file, const struct ir_node *call,
		       const struct model_row *r)
{
	char sql[1024];
	bool partial;
	const struct ir_node *q = model_arg(call, r->attr[MODEL_ATTR_SQL]);
	return q && flow_string(ev->q, file, q, sql, sizeof sql, &partial) &&
	       (strcasestr(sql, "insert") || strcasestr(sql, "update") ||
		strcasestr(sql, "replace"));
}

static const struct model_row *ephemeral_at(const struct flow *f, struct flow_query *q,
					    int32_t file, const struct ir_node *n, bool assign,
					    int depth);

/* The ephemeral row a store matches: a write call's path (or its receiver's value: a
 * Map, a dict, an object literal in memory), or, with assign, an assignment's target. */
const struct model_row *flow_ephemeral(const struct flow *f, struct flow_query *q, int32_t file,
				       const struct ir_node *n, bool assign)
{
	return ephemeral_at(f, q, file, n, assign, 0);
}

static const struct model_row *ephemeral_at(const struct flow *f, struct flow_query *q,
					    int32_t file, const struct ir_node *n, bool assign,
					    int depth)
{
	static const struct model_row memory = {
	    .kind = MODEL_EPHEMERAL, .text = "", .attr = {[MODEL_ATTR_NOTE] = "memory"}};
	const struct ir_file *ir = flow_ir(f, file);
	struct path p;
	unsigned len;
	if (!path_of(&p, assign ? n : n) || !p.n)
		return NULL;
	size_t nrows;
	const struct model_row *const *rows = model_rows(f->models, MODEL_EPHEMERAL, &nrows);
	for (size_t i = 0; i < nrows; i++) {
		const struct model_row *r = rows[i];
		bool only_assign =
		    r->attr[MODEL_ATTR_ON] && !strcmp(r->attr[MODEL_ATTR_ON], "assign");
		if (!(r->langs & LANG_BIT(ir->lang)) || (only_assign && !assign))
			continue;
		/* redis.set(key, ref, "EX", 1800): only with the option that makes it expire */
		if (r->attr[MODEL_ATTR_WITH] &&
		    (assign || n->kind != IR_CALL || !model_arg_is(n, r->attr[MODEL_ATTR_WITH])))
			continue;
		if (path_match_prefix(r->pat, &p))
			return r;
	}
	(void)len;
	if (assign || n->kind != IR_CALL || depth >= 4)
		return NULL; /* $routes = $routes->map(...): the receiver's value is this call */
	const struct ir_node *recv = n->a && n->a->kind == IR_MEMBER ? n->a->a : NULL;
	const struct ir_node *defs[4];
	int32_t files[4];
	size_t k = recv && recv->kind == IR_NAME ? flow_defs(q, file, recv, defs, files, 4) : 0;
	for (size_t i = 0; i < k; i++) {
		const struct ir_node *v = defs[i];
		while (v && v->kind == IR_AWAIT)
			v = v->a; /* const session = await getSession(cookie) */
		if (!v)
			continue;
		if (v->kind == IR_OBJECT || v->kind == IR_ARRAY)
			return &memory;
		const struct model_row *r = v->kind == IR_CALL && v != n
						? ephemeral_at(f, q, files[i], v, false, depth + 1)
						: NULL;
		if (r)
			return r;
	}
	return NULL;
}

/* The write row a call matches: one with `sql` when its SQL writes, one `on: write` when
 * its receiver holds a prepared write ($pdo->prepare("UPDATE ...")->execute()). What does
 * not last is no write. */
const struct model_row *ev_write_row(struct events *ev, const struct ir_node *call,
				     const struct path *p)
{
	size_t n;
	int32_t file = ev->fn.file;
	if (flow_ephemeral(ev->f, ev->q, file, call, false))
		return NULL; /* what does not last is no write */
	const struct model_row *const *rows = model_rows(ev->f->models, MODEL_WRITE, &n);
	for (size_t i = 0; i < n; i++) {
		const struct model_row *r = rows[i];
		if (!(r->langs & LANG_BIT(ev->ir->lang)) || !path_match(r->pat, p))
			continue;
		if (r->attr[MODEL_ATTR_SQL] && !writes_sql(ev, file, call, r))
			continue;
		if (r->attr[MODEL_ATTR_ON] && !strcmp(r->attr[MODEL_ATTR_ON], "write")) {
			const struct ir_node *recv =
			    call->a && call->a->kind == IR_MEMBER ? call->a->a : NULL;
			while (recv && recv->kind == IR_AWAIT)
				recv = recv->a;
			const struct ir_node *defs[4];
			int32_t files[4];
			size_t k = 0;
			if (recv && recv->kind == IR_NAME)
				k = flow_defs(ev->q, file, recv, defs, files, 4);
			else if (recv && recv->kind == IR_CALL) {
				defs[0] = recv; /* db.prepare(sql).bind(x).run() */
				files[0] = file;
				k = 1;
			}
			bool prepared = false;
			for (size_t d = 0; d < k && !prepared; d++) {
				struct path dp;
				const struct model_row *w;
				if (defs[d]->kind != IR_CALL || !path_of(&dp, defs[d]))
					continue;
				w = model_match(ev->f->models, MODEL_WRITE,
						flow_ir(ev->f, files[d])->lang, &dp);
				prepared = w && ((w->attr[MODEL_ATTR_SQL] &&
						  writes_sql(ev, files[d], defs[d], w)) ||
						 (w->attr[MODEL_ATTR_ON] && w != r &&
						  ev_write_row(ev, defs[d], &dp)));
			}
			if (!prepared)
				continue;
		}
		return r;
	}
	return NULL;
}
