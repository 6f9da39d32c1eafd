/* OC003 payment-ref-not-saved in PHP and Python: a createLink/create_link (SDK or HTTP)
 * whose result never reaches a database write in its function: Eloquent, Doctrine,
 * WooCommerce order meta, $wpdb, PDO/mysqli, the Django ORM, SQLAlchemy, Peewee, a
 * DB-API cursor, redis, or a helper that writes: of the same file, or of another file
 * of the project the call resolves to (scriptlink.h), whose body is then what counts,
 * whatever its name says (a storeRef that only caches does not save). A ref returned
 * is the same-file callers' to save (trusted when no caller is in the file); a ref kept
 * only in the session or a cookie, or an answer carrying only the paymentUrl, is not
 * saved. */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check/scan.h"
#include "check/scriptflow.h"
#include "check/scriptlink.h"

static const char *const write_calls[] = {
    /* Eloquent, Doctrine, WooCommerce, $wpdb, PDO, mysqli */
    "save", "update", "create", "insert", "fill", "forceFill", "updateOrCreate", "firstOrCreate",
    "updateOrInsert", "upsert", "persist", "update_meta_data", "add_meta_data", "update_post_meta",
    "add_post_meta", "update_option", "replace", "execute", "exec", "query", "bind_param",
    "bindValue", "bindParam",
    /* Django, SQLAlchemy, Peewee, DB-API, pymongo, redis */
    "update_or_create", "get_or_create", "bulk_create", "add", "add_all", "merge", "executemany",
    "insert_one", "update_one", "update_many", "values", "set", "hset", "setex",
    /* Eloquent's quiet writes, the query builder, Django's bulk update */
    "saveQuietly", "updateQuietly", "insertGetId", "insertOrIgnore", "statement", "bulk_update",
    NULL};
/* Inside a helper: the ref handed to a queued job, an event or a task, whose handler
 * (not read here) is trusted to save it, as a call with a storing name is. */
static const char *const handoff_calls[] = {"dispatch", "dispatchSync", "dispatch_now", "event",
					    "delay",	"apply_async",	"send_task",	"enqueue",
					    NULL};
/* A write staged on the model ($order->payment_ref = ...) is made by one of these. */
static const char *const commit_calls[] = {"save",    "update",		"commit", "flush",
					   "persist", "save_meta_data", NULL};
static const char *const store_prefixes[] = {"save",   "update", "store",  "persist", "upsert",
					     "insert", "record", "attach", NULL};

static bool in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

static bool has_prefix(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (!strncasecmp(s, list[i], strlen(list[i])))
			return true;
	return false;
}

struct refs {
	struct unit *u;
	struct sflow *f;
	const struct slink *link; /* to follow a helper into another file */
	struct ast_node create; /* the call whose result is followed */
	struct sflow_names names;
	bool saved, staged, committed, returned;
	const char *kept;
};

static bool contains(struct ast_node outer, struct ast_node inner)
{
	return ast_start(inner) >= ast_start(outer) && ast_end(inner) <= ast_end(outer);
}

static bool text_has_ci(const struct sflow *f, struct ast_node n, const char *needle)
{
	size_t len, nl = strlen(needle);
	const char *t = ast_text(f->syn, n, &len);
	for (size_t i = 0; i + nl <= len; i++)
		if (!strncasecmp(t + i, needle, nl))
			return true;
	return false;
}

/* Whether n carries the link's ref: the result, or a part of it that is not only the
 * paymentUrl ($link['paymentUrl'] hands over nothing to check the payment with). */
static bool carries(struct refs *rs, struct ast_node n)
{
	if (ast_is_null(n) || !(contains(n, rs->create) || sflow_mentions(rs->f, n, &rs->names)))
		return false;
	return !text_has_ci(rs->f, n, "url") || text_has_ci(rs->f, n, "ref");
}

static void add_names(struct refs *rs, struct ast_node left)
{
	size_t len;
	if (ast_is(left, "variable_name") || ast_is(left, "identifier")) {
		const char *t = ast_text(rs->f->syn, left, &len);
		if (len < SFLOW_NAME_LEN && rs->names.n < SFLOW_NAMES &&
		    !sflow_mentions(rs->f, left, &rs->names)) {
			memcpy(rs->names.name[rs->names.n], t, len);
			rs->names.name[rs->names.n++][len] = '\0';
		}
	} else if (ast_is(left, "pattern_list") || ast_is(left, "tuple_pattern") ||
		   ast_is(left, "list_literal") || ast_is(left, "as_pattern_target")) {
		for (uint32_t i = 0; i < ast_named_count(left); i++)
			add_names(rs, ast_named_child(left, i));
	}
}

static bool visit_names(void *ctx, struct ast_node n)
{
	struct refs *rs = ctx;
	struct ast_node l = ast_field(n, "left"), r = ast_field(n, "right");
	if (ast_is(n, "as_pattern"))
		l = ast_field(n, "alias"), r = ast_named_child(n, 0);
	else if (!ast_is(n, "assignment_expression") && !ast_is(n, "assignment"))
		return true;
	if (!ast_is_null(r) && (contains(r, rs->create) || sflow_mentions(rs->f, r, &rs->names)))
		add_names(rs, l);
	return true;
}

/* $_SESSION['ref'] = ..., session["ref"] = ..., request.session["ref"] = ... */
static bool is_session(const struct sflow *f, struct ast_node target)
{
	while (ast_is(target, "subscript_expression") || ast_is(target, "subscript")) {
		struct ast_node o = ast_field(target, "value");
		target = ast_is_null(o) ? ast_named_child(target, 0) : o;
	}
	size_t len;
	const char *t = ast_text(f->syn, target, &len);
	return (len == 9 && !memcmp(t, "$_SESSION", 9)) || (len == 7 && !memcmp(t, "session", 7)) ||
	       (len > 8 && !memcmp(t + len - 8, ".session", 8));
}

struct helper {
	const struct sflow *f;
	const char *name;
	bool writes;
};

static bool visit_helper_body(void *ctx, struct ast_node n)
{
	struct helper *h = ctx;
	char name[SFLOW_NAME_LEN];
	if (sflow_is_call(h->f, n)) {
		sflow_callee(h->f, n, name, sizeof name);
		h->writes |= in_list(name, write_calls) || in_list(name, commit_calls);
	}
	return !h->writes;
}

static bool visit_helper(void *ctx, struct ast_node n)
{
	struct helper *h = ctx;
	char name[SFLOW_NAME_LEN];
	if (h->writes)
		return false;
	if (ast_is(n, "function_definition") || ast_is(n, "method_declaration")) {
		sflow_function_name(h->f, n, name, sizeof name);
		if (!strcmp(name, h->name))
			ast_walk(ast_field(n, "body"), visit_helper_body, h);
	}
	return true;
}

/* A same-file function the ref is handed to, that writes to the database. */
static bool helper_writes(const struct sflow *f, const char *name)
{
	struct helper h = {f, name, false};
	ast_walk(ast_root(f->syn), visit_helper, &h);
	return h.writes;
}

/* ---- helpers of other files ---- */

static bool call_writes(const struct slink *l, const struct sflow *f, struct ast_node call,
			bool inner);

struct linked {
	const struct slink *link;
	const struct sflow *f;
	bool writes;
};

static bool visit_linked_body(void *ctx, struct ast_node n)
{
	struct linked *lk = ctx;
	if (lk->writes)
		return false;
	if (sflow_is_call(lk->f, n))
		lk->writes = call_writes(lk->link, lk->f, n, true);
	return !lk->writes;
}

/* A helper of another file writes when its body makes a write, calls a helper of its
 * file that does, or one more file's helper that does. */
static bool target_writes(void *ctx, struct slink_target *t)
{
	(void)ctx;
	struct linked lk = {&t->link, t->f, false};
	ast_walk(ast_field(t->def, "body"), visit_linked_body, &lk);
	return lk.writes;
}

/* Whether call writes to the database: a write call (or, in a helper's body, a commit),
 * a same-file helper that writes, a helper of another file that writes; a call that
 * cannot be followed counts when its name says it stores (saveRef, storeRef ...). */
static bool call_writes(const struct slink *l, const struct sflow *f, struct ast_node call,
			bool inner)
{
	char name[SFLOW_NAME_LEN];
	sflow_callee(f, call, name, sizeof name);
	if (in_list(name, write_calls) ||
	    (inner && (in_list(name, commit_calls) || in_list(name, handoff_calls))) ||
	    helper_writes(f, name))
		return true;
	bool resolved = false;
	bool writes = slink_call(l, f, call, target_writes, NULL, &resolved);
	return resolved ? writes : has_prefix(name, store_prefixes);
}

static bool visit_use(void *ctx, struct ast_node n)
{
	struct refs *rs = ctx;
	char name[SFLOW_NAME_LEN];
	if (sflow_is_call(rs->f, n)) {
		sflow_callee(rs->f, n, name, sizeof name);
		rs->committed |= in_list(name, commit_calls);
		struct ast_node args = ast_field(n, "arguments");
		if (!carries(rs, args))
			return true;
		if (call_writes(rs->link, rs->f, n, false))
			rs->saved = true;
		else if (!strcmp(name, "setcookie") || !strcmp(name, "set_cookie") ||
			 !strcmp(name, "cookie"))
			rs->kept = "a cookie";
		else if (!strcmp(name, "session") || text_has_ci(rs->f, n, "session()->") ||
			 text_has_ci(rs->f, n, "session->"))
			rs->kept = "the session"; /* session([...]), $request->session()->put() */
		else if (!strncmp(name, "set", 3) && name[3] >= 'A' && name[3] <= 'Z' &&
			 strcmp(name, "setCookie"))
			rs->staged = true; /* a Doctrine entity: $order->setPaymentRef(...); flush() */
	} else if (ast_is(n, "assignment_expression") || ast_is(n, "assignment")) {
		struct ast_node l = ast_field(n, "left"), r = ast_field(n, "right");
		if (!carries(rs, r))
			return true;
		if (is_session(rs->f, l))
			rs->kept = "the session";
		else if (ast_is(l, "member_access_expression") || ast_is(l, "attribute") ||
			 ast_is(l, "subscript_expression") || ast_is(l, "subscript"))
			rs->staged = true; /* $order->payment_ref = ...; then save() */
	} else if (ast_is(n, "return_statement") && carries(rs, n)) {
		rs->returned = true;
	}
	return true;
}

struct callers {
	const struct sflow *f;
	const char *name;
	struct ast_node calls[8];
	size_t n;
};

static bool visit_caller(void *ctx, struct ast_node n)
{
	struct callers *c = ctx;
	char name[SFLOW_NAME_LEN];
	if (c->n < 8 && sflow_is_call(c->f, n)) {
		sflow_callee(c->f, n, name, sizeof name);
		if (!strcmp(name, c->name))
			c->calls[c->n++] = n;
	}
	return true;
}

/* Follows the result of call through its function; 1 saved, 0 not (kept says where). */
static bool follow(struct unit *u, struct sflow *f, const struct slink *link,
		   struct ast_node call, int depth, const char **kept)
{
	struct ast_node fn = sflow_function_of(f, call);
	struct refs rs = {.u = u, .f = f, .link = link, .create = call};
	/* curl_setopt($ch, CURLOPT_URL, '.../createLink'): the answer comes from $ch */
	char callee[SFLOW_NAME_LEN];
	sflow_callee(f, call, callee, sizeof callee);
	if (!strncmp(callee, "curl_setopt", 11))
		add_names(&rs, sflow_arg(f, call, 0));
	ast_walk(fn, visit_names, &rs);
	ast_walk(fn, visit_names, &rs); /* names defined from names defined later in the walk */
	ast_walk(fn, visit_use, &rs);
	if (rs.saved || (rs.staged && rs.committed))
		return true;
	if (rs.kept) {
		*kept = rs.kept;
		return false;
	}
	if (!rs.returned || depth > 1)
		return false;
	/* returned: the same-file callers save it, or, with none here, callers elsewhere */
	char name[SFLOW_NAME_LEN];
	sflow_function_name(f, fn, name, sizeof name);
	if (!name[0])
		return true;
	struct callers c = {.f = f, .name = name};
	ast_walk(ast_root(f->syn), visit_caller, &c);
	for (size_t i = 0; i < c.n; i++)
		if (follow(u, f, link, c.calls[i], depth + 1, kept))
			return true;
	return c.n == 0;
}

struct run {
	struct unit *u;
	const struct rule *r;
	struct sflow f;
	struct slink link;
	int rc;
};

static bool visit_create(void *ctx, struct ast_node n)
{
	struct run *run = ctx;
	if (run->rc || !sflow_is_create(&run->f, n))
		return run->rc == 0;
	const char *kept = NULL;
	if (follow(run->u, &run->f, &run->link, n, 0, &kept))
		return false;
	char msg[256];
	snprintf(msg, sizeof msg,
		 "the paymentRef of this %s is %s%s: save it with the order so a payment can be "
		 "checked even if the customer never returns",
		 run->f.php ? "createLink" : "create_link", kept ? "kept only in " : "never saved",
		 kept ? kept : "");
	run->rc = unit_add_hit(run->u, run->r, ast_start(n), ast_end(n), NULL, 0, msg, -1);
	return false;
}

int oc003_script_unit(struct unit *u, const struct rule *r, const struct detector *d)
{
	(void)d;
	const struct sflow *f = unit_sflow(u);
	if (!f)
		return 0;
	const struct syntax *syn = f->syn;
	struct run run = {.u = u, .r = r, .f = *f};
	struct slink_budget budget = {0};
	slink_init(&run.link, u, &budget);
	ast_walk(ast_root(syn), visit_create, &run);
	return run.rc;
}
