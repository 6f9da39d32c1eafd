/* OC002 frontend-api-call in PHP and Python: server code that hands the OCPay key to
 * the page. WordPress's wp_localize_script and wp_add_inline_script print their data
 * into a <script> of the page, a PHP template's echo prints into its HTML, and a Django,
 * Flask or FastAPI view's template context is rendered into what the browser receives:
 * a key among them is in the customer's hands. Handing the page an ajax URL, a nonce or
 * the payment URL is the intended flow and is not reported. */
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check/scan.h"
#include "check/scriptflow.h"

struct run {
	struct unit *u;
	const struct rule *r;
	struct sflow f;
	bool html; /* a PHP file that writes HTML: its echo reaches the browser */
	int rc;
};

static bool contains_ci(const char *s, size_t len, const char *needle, size_t *at)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (!strncasecmp(s + i, needle, n)) {
			*at = i;
			return true;
		}
	return false;
}

/* A name that says it holds the OCPay key: OCPAY_API_KEY, ocpay_access_token,
 * services.oneclick.key; or, in a file about OCPay, api_key / access_token itself. A
 * public key or a nonce is not secret. */
static bool key_name(const char *s, size_t len)
{
	size_t at = 0, rest = 0;
	while (len && (*s == '$' || *s == '_'))
		s++, len--;
	if (!len || contains_ci(s, len, "public", &at) || contains_ci(s, len, "nonce", &at) ||
	    contains_ci(s, len, "_url", &at) || contains_ci(s, len, "_id", &at))
		return false;
	static const char *const brands[] = {"oneclick", "ocpay", "flexy"};
	static const char *const secrets[] = {"key", "token", "secret"};
	for (size_t b = 0; b < 3; b++) {
		if (!contains_ci(s, len, brands[b], &at))
			continue;
		size_t from = at + strlen(brands[b]);
		for (size_t k = 0; k < 3; k++)
			if (contains_ci(s + from, len - from, secrets[k], &rest))
				return true;
	}
	char low[32];
	if (len >= sizeof low)
		return false;
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] != '_' && s[i] != '-')
			low[n++] = (char)tolower((unsigned char)s[i]);
	low[n] = '\0';
	return !strcmp(low, "apikey") || !strcmp(low, "accesstoken") ||
	       !strcmp(low, "xaccesstoken") || !strcmp(low, "secretkey");
}

static bool node_key_name(const struct sflow *f, struct ast_node n)
{
	char buf[96];
	if (ast_is_null(n))
		return false;
	if (sflow_string(f, n, buf, sizeof buf))
		return key_name(buf, strlen(buf));
	size_t len;
	const char *t = ast_text(f->syn, n, &len);
	return (ast_is(n, "name") || ast_is(n, "identifier") || ast_is(n, "variable_name")) &&
	       key_name(t, len);
}

static bool callee_in(const struct sflow *f, struct ast_node call, const char *const *names)
{
	char name[SFLOW_NAME_LEN];
	sflow_callee(f, call, name, sizeof name);
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* Reads of settings by name: get_option('ocpay_api_key'), env('OCPAY_API_KEY'),
 * config('services.ocpay.key'), $this->getParameter('ocpay.api_key'), os.getenv(...). */
static const char *const readers[] = {"get_option", "get_site_option", "getenv", "env",
				      "config",	    "get_theme_mod",	"constant", "get",
				      "str",	    "getParameter", NULL};

static bool is_key(const struct sflow *f, struct ast_node n, struct ast_node fn, int depth,
		   struct ast_node *at);
static bool holds_key(const struct sflow *f, struct ast_node n, struct ast_node fn, int depth,
		      struct ast_node *found);

struct local {
	const struct sflow *f;
	struct ast_node use, fn, *at;
	const char *name;
	size_t len;
	int depth;
	bool found;
};

static bool visit_local(void *ctx, struct ast_node n)
{
	struct local *l = ctx;
	if (l->found || ast_start(n) >= ast_start(l->use))
		return false;
	if (!ast_is(n, "assignment_expression") && !ast_is(n, "assignment"))
		return true;
	struct ast_node left = ast_field(n, "left");
	size_t b = 0;
	const char *t = ast_is_null(left) ? "" : ast_text(l->f->syn, left, &b);
	if (b == l->len && !memcmp(t, l->name, b) &&
	    holds_key(l->f, ast_field(n, "right"), l->fn, l->depth + 1, l->at))
		l->found = true;
	return false;
}

/* A local of fn given a value holding a key before n; *at is the key read. */
static bool local_is_key(const struct sflow *f, struct ast_node n, struct ast_node fn, int depth,
			 struct ast_node *at)
{
	struct local l = {.f = f, .use = n, .fn = fn, .at = at, .depth = depth};
	l.name = ast_text(f->syn, n, &l.len);
	ast_walk(fn, visit_local, &l);
	if (!l.found)
		*at = n;
	return l.found;
}

static bool is_key(const struct sflow *f, struct ast_node n, struct ast_node fn, int depth,
		   struct ast_node *at)
{
	*at = n;
	if (ast_is_null(n) || depth > 3)
		return false;
	if (sflow_is_call(f, n)) {
		struct ast_node a0 = sflow_arg(f, n, 0);
		return callee_in(f, n, readers) && !ast_is_null(a0) && node_key_name(f, a0);
	}
	if ((ast_is(n, "subscript_expression") || ast_is(n, "subscript") ||
	     ast_is(n, "class_constant_access_expression")) && ast_named_count(n) < 2)
		return false;
	if (ast_is(n, "subscript_expression") || ast_is(n, "subscript")) {
		/* $_ENV['OCPAY_API_KEY'], $settings['api_key'], os.environ["OCPAY_API_KEY"] */
		struct ast_node idx = f->php ? ast_named_child(n, ast_named_count(n) - 1)
					     : ast_field(n, "subscript");
		return node_key_name(f, idx);
	}
	if (ast_is(n, "member_access_expression"))
		return node_key_name(f, ast_field(n, "name")); /* $this->api_key */
	if (ast_is(n, "attribute"))
		return node_key_name(f, ast_field(n, "attribute")); /* settings.OCPAY_API_KEY */
	if (ast_is(n, "class_constant_access_expression"))
		return node_key_name(f, ast_named_child(n, ast_named_count(n) - 1));
	if (ast_is(n, "name") || ast_is(n, "identifier") || ast_is(n, "variable_name"))
		return node_key_name(f, n) ||
		       (!ast_is(n, "name") && local_is_key(f, n, fn, depth, at));
	return false;
}

struct find {
	const struct sflow *f;
	struct ast_node fn, found;
	int depth;
};

/* Calls that hand their argument on to the page: encoders, escapers, formatters. A key
 * inside any other call (bool(), isset(), empty(), strlen(), a hash) is not shown. */
static const char *const carriers[] = {
    "wp_json_encode", "json_encode", "esc_js",	  "esc_attr", "esc_html", "sprintf",
    "strval",	      "trim",	     "htmlspecialchars", "addslashes", "array_merge",
    "str",	      "dumps",	     "escapejs",	"mark_safe", "Markup",	   "format",
    "dict",	      NULL};

/* Whether the value of n, not only a fact about it, reaches the page: a comparison,
 * a negation or the test of a condition only says whether a key is set. */
static bool carries_value(const struct sflow *f, struct ast_node n)
{
	if (sflow_is_call(f, n))
		return callee_in(f, n, carriers);
	if (ast_is(n, "comparison_operator") || ast_is(n, "not_operator") ||
	    ast_is(n, "unary_op_expression"))
		return false;
	if (ast_is(n, "binary_expression")) {
		struct ast_node op = ast_field(n, "operator");
		size_t len;
		const char *t = ast_is_null(op) ? "" : ast_text(f->syn, op, &len);
		return !ast_is_null(op) && (!strncmp(t, ".", len) || !strncmp(t, "??", len) ||
					   !strncmp(t, "+", len) || !strncmp(t, "%", len));
	}
	return true;
}

static bool visit_key(void *ctx, struct ast_node n)
{
	struct find *k = ctx;
	if (!ast_is_null(k->found))
		return false;
	struct ast_node at;
	if (is_key(k->f, n, k->fn, k->depth, &at)) {
		k->found = at;
		return false;
	}
	/* the names of entries are not values: ['api_key' => ...], api_key=..., {"key": ...} */
	if (ast_is(n, "keyword_argument") || ast_is(n, "pair")) {
		ast_walk(ast_field(n, "value"), visit_key, k);
		return false;
	}
	if (ast_is(n, "array_element_initializer") && ast_named_count(n) == 2) {
		ast_walk(ast_named_child(n, 1), visit_key, k);
		return false;
	}
	if (ast_is(n, "conditional_expression")) {
		/* $key ? 'yes' : 'no', "set" if KEY else "unset": the branches are shown */
		struct ast_node test = ast_field(n, "condition");
		if (ast_is_null(test) && ast_named_count(n) == 3)
			test = ast_named_child(n, 1); /* Python: body if test else other */
		for (uint32_t i = 0; i < ast_named_count(n); i++) {
			struct ast_node c = ast_named_child(n, i);
			if (ast_start(c) != ast_start(test) && carries_value(k->f, c))
				ast_walk(c, visit_key, k);
		}
		return false;
	}
	return carries_value(k->f, n);
}

/* Whether the value n reaches the page holding a key; *found is the key read. */
static bool holds_key(const struct sflow *f, struct ast_node n, struct ast_node fn, int depth,
		      struct ast_node *found)
{
	struct find k = {.f = f, .fn = fn, .depth = depth};
	if (depth > 3 || ast_is_null(n))
		return false;
	ast_walk(n, visit_key, &k);
	*found = k.found;
	return !ast_is_null(k.found);
}

static void report(struct run *run, struct ast_node data, const char *how)
{
	struct ast_node found;
	if (!holds_key(&run->f, data, sflow_function_of(&run->f, data), 0, &found))
		return;
	size_t len;
	const char *t = ast_text(run->f.syn, found, &len);
	char msg[300];
	snprintf(msg, sizeof msg,
		 "the OCPay key (%.*s) is handed to the page by %s: anyone who opens the page "
		 "can read it",
		 (int)(len < 60 ? len : 60), t, how);
	run->rc = unit_add_hit(run->u, run->r, ast_start(found), ast_end(found), NULL, 0, msg, -1);
}

/* Views that render a template with a context: Django, Flask, FastAPI/Starlette. */
static const char *const renders[] = {"render",	     "render_template", "render_to_string",
				      "render_to_response", "TemplateResponse", NULL};
/* and in PHP: Laravel's view(), Symfony's render() and renderView(), Twig's render().
 * Not make(): app()->make(OCPay::class, [...]) builds the client on the server. */
static const char *const php_renders[] = {"view", "render", "renderView", NULL};

/* <?= $value ?>: the statement right after a short echo tag. */
static bool short_echo(const struct run *run, struct ast_node n)
{
	if (!run->f.php || !ast_is(n, "expression_statement"))
		return false;
	size_t p = ast_start(n);
	while (p > 0 && p <= run->u->len && isspace((unsigned char)run->u->data[p - 1]))
		p--;
	return p >= 3 && p <= run->u->len && !memcmp(run->u->data + p - 3, "<?=", 3);
}

static bool visit(void *ctx, struct ast_node n)
{
	struct run *run = ctx;
	struct sflow *f = &run->f;
	if (run->rc)
		return false;
	if (ast_is(n, "echo_statement") || ast_is(n, "print_intrinsic") || short_echo(run, n)) {
		/* a PHP template printing the key into its HTML or a <script> */
		if (run->html)
			report(run, n, "echo in a PHP template");
		return false;
	}
	if (!sflow_is_call(f, n))
		return true;
	char name[SFLOW_NAME_LEN];
	sflow_callee(f, n, name, sizeof name);
	if (f->php && !strcmp(name, "wp_localize_script")) {
		report(run, sflow_arg(f, n, 2), "wp_localize_script");
		return false;
	}
	if (f->php && !strcmp(name, "wp_add_inline_script")) {
		report(run, sflow_arg(f, n, 1), "wp_add_inline_script");
		return false;
	}
	if (f->php && callee_in(f, n, php_renders)) {
		report(run, ast_field(n, "arguments"), "the template's data");
		return false;
	}
	if (!f->php && callee_in(f, n, renders)) {
		report(run, ast_field(n, "arguments"), "the template context");
		return false;
	}
	return true;
}

/* Whether a PHP file writes HTML (a template or a page): only then does echo reach a
 * browser. */
static bool visit_text(void *ctx, struct ast_node n)
{
	bool *html = ctx;
	if (ast_is(n, "text"))
		*html = true;
	return !*html;
}

/* A settings page of the WordPress admin shows the key to the administrator who keeps
 * it (the value of its input): that page is not the shop's. */
static bool admin_page(const struct unit *u)
{
	static const char *const marks[] = {"settings_fields(", "do_settings_sections(",
					    "add_options_page(", "add_menu_page(",
					    "add_submenu_page(", "current_user_can(", NULL};
	for (const char *p = u->path; (p = strstr(p, "admin")); p++)
		if (p == u->path || p[-1] == '/' || p[-1] == '-' || p[-1] == '_')
			return true;
	for (size_t i = 0; marks[i]; i++)
		if (memmem(u->data, u->len, marks[i], strlen(marks[i])))
			return true;
	return false;
}

int oc002_script_unit(struct unit *u, const struct rule *r, const struct detector *d)
{
	(void)d;
	const struct sflow *f = unit_sflow(u);
	if (!f)
		return 0;
	const struct syntax *syn = f->syn;
	struct run run = {.u = u, .r = r, .f = *f};
	if (run.f.php && !admin_page(u))
		ast_walk(ast_root(syn), visit_text, &run.html);
	ast_walk(ast_root(syn), visit, &run);
	return run.rc;
}
