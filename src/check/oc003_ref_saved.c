/* OC003 payment-ref-not-saved: a createLink whose paymentRef never reaches a database
 * write: in the same function, in a same-file function it is passed to, or in the
 * same-file callers it is returned to (one level). A session, a cookie, an in-memory Map
 * or the HTTP response is not persistence: if the customer never comes back, nothing on
 * the server can reconcile the payment. */
#define _GNU_SOURCE /* strcasestr */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check/jsflow.h"
#include "check/scan.h"

static const char *const write_calls[] = {
	"save", "create", "createMany", "insert", "insertOne", "insertMany", "update", "updateOne",
	"updateMany", "findByIdAndUpdate", "findOneAndUpdate", "replaceOne", "bulkWrite", "upsert",
	"bulkCreate", "values", "set", "hset", "hSet", "hmset", "setex", "setEx", "add", "setDoc",
	"updateDoc", "addDoc", "put", "rpush", "lpush", NULL};
/* Entity managers that write the entities they are handed (MikroORM, TypeORM). */
static const char *const persist_calls[] = {"persist", "persistAndFlush", "merge", NULL};
static const char *const sql_calls[] = {
    "query",	   "execute",		"run", "exec", "raw", "none", "one", "sql",
    "$executeRaw", "$executeRawUnsafe", NULL};
/* Project functions that store, by their name. */
static const char *const store_prefixes[] = {"save", "update", "store", "persist", "upsert",
					     "insert", "record", "attach", NULL};

struct saved {
	struct unit *u; /* for helpers imported from project modules; NULL inside one */
	const struct syntax *syn;
	char *const *names; /* what carries the ref; none: any write counts */
	size_t nnames;
	int depth;
	bool found;
	const char *kept; /* where a non-persistent copy went, for the message */
	char object[64];  /* `order` of `order.paymentRef = ...`, awaiting order.save() */
};

static bool in_list(const char *name, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcmp(name, list[i]))
			return true;
	return false;
}

static bool has_prefix(const char *name, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (!strncasecmp(name, list[i], strlen(list[i])))
			return true;
	return false;
}

static bool text_has(const struct syntax *syn, struct ast_node n, const char *needle)
{
	size_t len;
	const char *t = ast_text(syn, n, &len);
	size_t nl = strlen(needle);
	for (size_t i = 0; i + nl <= len; i++)
		if (!strncasecmp(t + i, needle, nl))
			return true;
	return false;
}

/* SQL arguments that insert or update: written inline, or a same-file constant. */
static bool writes_sql(const struct syntax *syn, struct ast_node args)
{
	if (text_has(syn, args, "insert") || text_has(syn, args, "update"))
		return true;
	char *sql = ast_string_value(syn, ast_named_child(args, 0));
	bool hit = sql && (strcasestr(sql, "insert") || strcasestr(sql, "update"));
	free(sql);
	return hit;
}

/* A write command of the AWS SDK v3 handed to client.send(): PutCommand, UpdateCommand,
 * PutItemCommand, UpdateItemCommand, BatchWriteCommand, TransactWriteCommand ... */
static bool sends_write_command(const struct syntax *syn, struct ast_node args)
{
	static const char *const verbs[] = {"Put", "Update", "BatchWrite", "TransactWrite", NULL};
	struct ast_node cmd = ast_named_child(args, 0);
	size_t len;
	const char *t = ast_text(syn, ast_field(cmd, "constructor"), &len);
	if (!ast_is(cmd, "new_expression") || len < 7 || memcmp(t + len - 7, "Command", 7))
		return false;
	for (size_t i = 0; verbs[i]; i++)
		if (!strncmp(t, verbs[i], strlen(verbs[i])))
			return true;
	return false;
}

/* The HTTP session (req.session, ctx.session ...), not a database model named session
 * (prisma.session). */
static bool is_http_session(const struct syntax *syn, struct ast_node n)
{
	static const char *const owners[] = {"req.session", "request.session", "ctx.session",
					     "context.session", "event.session", "session.", NULL};
	size_t len;
	const char *t = ast_text(syn, n, &len);
	if (len == 7 && !memcmp(t, "session", 7))
		return true;
	for (size_t i = 0; owners[i]; i++)
		if (len >= strlen(owners[i]) && !strncmp(t, owners[i], strlen(owners[i])))
			return true;
	return false;
}

/* The session, a cookie, or a Map/Set/object literal declared in the file. */
static bool in_memory(const struct syntax *syn, struct ast_node receiver)
{
	if (is_http_session(syn, receiver) || text_has(syn, receiver, "cookie") ||
	    text_has(syn, receiver, "localStorage") || text_has(syn, receiver, "headers"))
		return true;
	if (!ast_is(receiver, "identifier"))
		return false;
	size_t len, rlen;
	const char *name = ast_text(syn, receiver, &len);
	const char *all = ast_text(syn, ast_root(syn), &rlen);
	for (size_t i = 0; i + len < rlen; i++) {
		if (memcmp(all + i, name, len) || (i && (all[i - 1] == '_' || all[i - 1] == '.')))
			continue;
		const char *p = all + i + len, *end = all + rlen;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= end || *p != '=' || (p + 1 < end && p[1] == '='))
			continue;
		for (p++; p < end && (*p == ' ' || *p == '\t'); p++)
			;
		if ((end - p > 7 && (!strncmp(p, "new Map", 7) || !strncmp(p, "new Set", 7))) ||
		    (p < end && (*p == '{' || *p == '[')))
			return true;
	}
	return false;
}

static bool visit_write(void *ctx, struct ast_node n);

/* Does fn write anything at all (for a helper handed the ref)? */
static bool writes(const struct syntax *syn, struct ast_node fn)
{
	struct saved inner = {.syn = syn, .depth = 1};
	ast_walk(fn, visit_write, &inner);
	return inner.found;
}

static bool imported_writes(void *ctx, const struct syntax *syn, struct ast_node fn)
{
	(void)ctx;
	return !ast_is(fn, "class_declaration") && writes(syn, fn);
}

static void visit_call(struct saved *sv, struct ast_node n)
{
	const struct syntax *syn = sv->syn;
	char callee[64];
	jsflow_callee_name(syn, n, callee, sizeof callee);
	struct ast_node args = ast_field(n, "arguments");
	struct ast_node fn = ast_field(n, "function");
	struct ast_node receiver = ast_is(fn, "member_expression") ? ast_field(fn, "object")
								 : (struct ast_node){0};
	bool mentions = !sv->nnames || jsflow_node_mentions(syn, args, sv->names, sv->nnames);
	/* order.paymentRef = ...; then await order.save(), or a repository or entity manager
	 * handed the order: this.orders.save(order), em.persistAndFlush(order) */
	if (sv->object[0] && !ast_is_null(receiver) &&
	    (in_list(callee, write_calls) || in_list(callee, persist_calls))) {
		char *object = sv->object;
		if (ast_text_is(syn, receiver, object) ||
		    (!strchr(object, '.') && jsflow_node_mentions(syn, args, &object, 1))) {
			sv->found = true;
			return;
		}
	}
	if (!mentions)
		return;
	if (!strcmp(callee, "assign") && ast_text_is(syn, receiver, "Object")) {
		/* Object.assign(order, { paymentRef }); then order.save() */
		struct ast_node target = ast_named_child(args, 0);
		size_t len;
		const char *t = ast_text(syn, target, &len);
		if (!ast_is_null(target) && !in_memory(syn, target) && len < sizeof sv->object)
			snprintf(sv->object, sizeof sv->object, "%.*s", (int)len, t);
	} else if (!strcmp(callee, "send") && sends_write_command(syn, args)) {
		sv->found = true; /* AWS SDK v3: client.send(new UpdateCommand({ ... })) */
	} else if (in_list(callee, write_calls)) {
		if (ast_is_null(receiver) || !in_memory(syn, receiver))
			sv->found = true;
		else
			sv->kept = is_http_session(syn, receiver) ? "the session" : "memory";
	} else if (in_list(callee, sql_calls)) {
		/* pool.query("UPDATE ...", [ref]); db.prepare(UPDATE_REF).run(ref) */
		if (writes_sql(syn, args) ||
		    (ast_is(receiver, "call_expression") &&
		     writes_sql(syn, ast_field(receiver, "arguments"))))
			sv->found = true;
	} else if (!strcmp(callee, "cookie")) {
		sv->kept = "a cookie";
	} else if (!strcmp(callee, "json") || !strcmp(callee, "send") ||
		   !strcmp(callee, "redirect")) {
		if (!sv->kept)
			sv->kept = "the response to the browser";
	} else if (sv->depth == 0) {
		/* Handed to a function: a same-file one must write, so must one imported from
		 * a project module (linkPayment(order.id, ref) in lib/orders.js); a function
		 * that cannot be read is trusted when its name says it stores. */
		struct ast_node target = jsflow_find_definition(syn, callee);
		if (!ast_is_null(target) && !ast_is(target, "class_declaration"))
			sv->found = writes(syn, target);
		else
			sv->found =
			    has_prefix(callee, store_prefixes) ||
			    (sv->u && ast_is(fn, "identifier") &&
			     unit_imported_definition(sv->u, callee, imported_writes, NULL));
	}
}

static bool visit_write(void *ctx, struct ast_node n)
{
	struct saved *sv = ctx;
	if (sv->found)
		return false;
	if (ast_is(n, "call_expression")) {
		visit_call(sv, n);
	} else if (ast_is(n, "assignment_expression") && sv->nnames &&
		   jsflow_node_mentions(sv->syn, ast_field(n, "right"), sv->names, sv->nnames)) {
		struct ast_node l = ast_field(n, "left");
		if (is_http_session(sv->syn, l))
			sv->kept = "the session";
		else if (ast_is(l, "member_expression")) {
			struct ast_node obj = ast_field(l, "object");
			size_t len;
			const char *t = ast_text(sv->syn, obj, &len);
			if (in_memory(sv->syn, obj))
				sv->kept = "memory";
			else if (len < sizeof sv->object)
				snprintf(sv->object, sizeof sv->object, "%.*s", (int)len, t);
		}
	}
	return true;
}

struct returns {
	const struct syntax *syn;
	const struct api_call *c;
	bool found;
};

/* Fields of a createLink result that are not the ref: returning only these hands the
 * caller nothing it could save. */
static const char *const not_ref_fields[] = {"paymentUrl", "url",   "success",	 "message",
					     "meta",	   "error", "isSandbox", NULL};

struct carried {
	const struct syntax *syn;
	const struct api_call *c;
	bool found;
};

/* Whether an identifier holding the result is returned with the ref: the whole value, or
 * a field chain that does not end in a field other than the ref (link.paymentUrl, or a
 * paymentUrl destructured from the result). */
static bool visit_carried(void *ctx, struct ast_node n)
{
	struct carried *cr = ctx;
	if (cr->found)
		return false;
	if (!ast_is(n, "identifier") && !ast_is(n, "shorthand_property_identifier"))
		return true;
	char *const *names = cr->c->names;
	if (!jsflow_node_mentions(cr->syn, n, names, cr->c->nnames))
		return true;
	struct ast_node outer = n, p = ast_parent(n);
	while (ast_is(p, "member_expression") &&
	       ast_start(ast_field(p, "object")) == ast_start(outer))
		outer = p, p = ast_parent(p);
	/* the last field read, or the name itself: const { paymentUrl } = ... */
	struct ast_node last = ast_start(outer) != ast_start(n) || ast_end(outer) != ast_end(n)
				   ? ast_field(outer, "property")
				   : n;
	char field[64];
	size_t len;
	const char *t = ast_text(cr->syn, last, &len);
	snprintf(field, sizeof field, "%.*s", (int)(len < 63 ? len : 63), t);
	cr->found = !in_list(field, not_ref_fields);
	return true;
}

static bool visit_return(void *ctx, struct ast_node n)
{
	struct returns *r = ctx;
	if (r->found)
		return false;
	/* returns of nested functions are theirs */
	if (ast_start(n) != ast_start(r->c->func) &&
	    (ast_is(n, "function_declaration") || ast_is(n, "arrow_function") ||
	     ast_is(n, "function_expression") || ast_is(n, "method_definition")))
		return false;
	if (ast_is(n, "return_statement")) {
		struct carried cr = {r->syn, r->c, false};
		ast_walk(n, visit_carried, &cr);
		r->found = cr.found;
	}
	return true;
}

/* Whether fn returns the value (so its callers decide). */
static bool returns_it(const struct syntax *syn, const struct api_call *c)
{
	struct ast_node p = ast_parent(c->call);
	while (ast_is(p, "await_expression") || ast_is(p, "parenthesized_expression") ||
	       ast_is(p, "member_expression"))
		p = ast_parent(p);
	if (ast_is(p, "return_statement") || ast_is(p, "arrow_function"))
		return true;
	struct returns r = {syn, c, false};
	ast_walk(c->func, visit_return, &r);
	return r.found;
}

struct callers {
	const struct syntax *syn;
	const char *name;
	struct ast_node self; /* the function itself: its own calls are not its callers */
	int sites, saved;
};

static bool visit_caller(void *ctx, struct ast_node n)
{
	struct callers *cl = ctx;
	if (!ast_is(n, "call_expression"))
		return true;
	if (jsflow_within(n, cl->self))
		return false;
	char callee[128];
	jsflow_callee_name(cl->syn, n, callee, sizeof callee);
	if (strcmp(callee, cl->name))
		return true;
	cl->sites++;
	/* The caller's names for the returned value, then the same question there. */
	struct ast_node caller = jsflow_function_of(n);
	struct ast_node p = ast_parent(n);
	while (ast_is(p, "await_expression") || ast_is(p, "parenthesized_expression"))
		p = ast_parent(p);
	size_t len;
	const char *t;
	char *name = NULL;
	if (ast_is(p, "variable_declarator")) {
		struct ast_node lhs = ast_field(p, "name");
		t = ast_text(cl->syn, lhs, &len);
		name = strndup(t, len);
	}
	if (!name)
		return true; /* the result is dropped or used inline: not saved here */
	/* Destructuring `{ paymentRef }` keeps the braces out of the names. */
	char *names[8];
	size_t n_names = 0;
	for (char *tok = strtok(name, "{}[],: \t\n"); tok && n_names < 8; tok = strtok(NULL, "{}[],: \t\n"))
		names[n_names++] = tok;
	struct saved sv = {.syn = cl->syn, .names = names, .nnames = n_names};
	ast_walk(caller, visit_write, &sv);
	cl->saved += sv.found;
	free(name);
	return true;
}

static int check_call(struct unit *u, const struct rule *r, const struct syntax *syn,
		      const struct api_call *c)
{
	struct saved sv = {.u = u, .syn = syn, .names = c->names, .nnames = c->nnames};
	if (c->nnames)
		ast_walk(c->func, visit_write, &sv);
	if (sv.found)
		return 0;
	if (returns_it(syn, c)) {
		char fname[128];
		jsflow_function_name(syn, c->func, fname, sizeof fname);
		struct callers cl = {syn, fname, c->func, 0, 0};
		/* An anonymous function (a route handler) has no caller to return to. */
		if (fname[0]) {
			ast_walk(ast_root(syn), visit_caller, &cl);
			/* No caller in this file: it is used elsewhere, and saved or not there. */
			if (!cl.sites || cl.saved)
				return 0;
		}
	}
	char msg[256];
	snprintf(msg, sizeof msg,
		 "the paymentRef of this createLink is %s%s: save it with the order so a "
		 "payment can be checked even if the customer never returns",
		 sv.kept ? "kept only in " : "never saved", sv.kept ? sv.kept : "");
	return unit_add_hit(u, r, ast_start(c->call), ast_end(c->call), NULL, 0, msg, -1);
}

int oc003_ref_saved_unit(struct unit *u, const struct rule *r, const struct detector *d)
{
	(void)d;
	struct jsflow *flow = unit_flow(u);
	int rc = 0;
	for (size_t i = 0; flow && !rc && i < flow->ncalls; i++)
		if (flow->calls[i].kind == API_CREATE_LINK)
			rc = check_call(u, r, flow->syn, &flow->calls[i]);
	return rc;
}
