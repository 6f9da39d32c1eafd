#include <stdlib.h>

#include "core/error.h"
#include "flow/ir.h"
#include "flow/model.h"
#include "flow/path.h"
#include "harness.h"

/* Builds a.b.c() style chains by hand: names, members, calls. */
static struct ir_node *name(struct ir_file *f, const char *s)
{
	struct ir_node *n = ir_node_new(f, IR_NAME, 0, 0, 1);
	n->text = ir_strdup(f, s);
	return n;
}

static struct ir_node *member(struct ir_file *f, struct ir_node *obj, const char *s)
{
	struct ir_node *n = ir_node_new(f, IR_MEMBER, 0, 0, 1);
	n->a = obj;
	n->text = ir_strdup(f, s);
	return n;
}

static struct ir_node *call(struct ir_file *f, struct ir_node *callee)
{
	struct ir_node *n = ir_node_new(f, IR_CALL, 0, 0, 1);
	n->a = callee;
	return n;
}

static bool matches(const char *pattern, const struct ir_node *n)
{
	struct path p;
	struct path_pattern *pat = path_pattern_new(pattern);
	bool ok = pat && path_of(&p, n) && path_match(pat, &p);
	path_pattern_free(pat);
	return ok;
}

static unsigned prefix(const char *pattern, const struct ir_node *n)
{
	struct path p;
	struct path_pattern *pat = path_pattern_new(pattern);
	unsigned k = pat && path_of(&p, n) ? path_match_prefix(pat, &p) : 0;
	path_pattern_free(pat);
	return k;
}

TEST(paths_are_spelt_as_member_chains_with_calls)
{
	struct ir_file *f = ir_file_new("a.js", LANG_JAVASCRIPT);
	/* Http.withHeaders().post() */
	struct ir_node *n = call(f, member(f, call(f, member(f, name(f, "Http"), "withHeaders")), "post"));
	struct path p;
	char buf[128];
	CHECK(path_of(&p, n));
	path_format(&p, buf, sizeof buf);
	CHECK_STR(buf, "Http.withHeaders().post()");
	CHECK(p.rooted);
	/* f()() has no name for the outer call */
	struct ir_node *twice = call(f, call(f, name(f, "f")));
	CHECK(path_of(&p, twice));
	path_format(&p, buf, sizeof buf);
	CHECK_STR(buf, "f().?()");
	ir_file_free(f);
}

TEST(patterns_match_segments_globs_alternatives_and_any_depth)
{
	struct ir_file *f = ir_file_new("a.js", LANG_JAVASCRIPT);
	struct ir_node *post = call(f, member(f, call(f, member(f, name(f, "Http"), "withHeaders")), "post"));
	CHECK(matches("Http.**.post()", post));
	CHECK(matches("**.post()", post));
	CHECK(matches("Http.withHeaders().(get|post)()", post));
	CHECK(!matches("Http.post()", post));
	CHECK(!matches("**.post", post)); /* not called in the pattern */
	struct ir_node *q = member(f, member(f, name(f, "req"), "query"), "status");
	CHECK(!matches("req.query", q));
	CHECK_INT(prefix("req.(query|body)", q), 2);
	CHECK_INT(prefix("*Request.query", q), 0);
	struct ir_node *lr = member(f, name(f, "laravelRequest"), "x");
	CHECK_INT(prefix("*Request", lr), 1);
	CHECK_INT(prefix("*Request.*", lr), 2);
	CHECK_INT(prefix("laravel*", lr), 1);
	CHECK_INT(prefix("*Response", lr), 0);
	CHECK(matches("log[A-Z_]*()", call(f, name(f, "logPaymentEvent"))));
	CHECK(matches("log[A-Z_]*()", call(f, name(f, "log_event"))));
	CHECK(!matches("log[A-Z_]*()", call(f, name(f, "login"))));
	ir_file_free(f);
}

TEST(bad_patterns_are_refused_with_a_reason)
{
	CHECK(!path_pattern_new("a..b"));
	CHECK(strstr(error_last(), "empty segment") != NULL);
	CHECK(!path_pattern_new("a.(b|"));
	CHECK(!path_pattern_new("**()"));
}

TEST(models_load_and_match_by_kind_and_language)
{
	struct model_set *m = model_set_new();
	const char *yml = "name: t\n"
			  "languages: [javascript]\n"
			  "request:\n  - req.(query|body)\n"
			  "http:\n  - {call: \"axios.post()\", url: \"0\", body: \"1\", languages: [javascript, python]}\n"
			  "paid_status: [paid, completed]\n";
	CHECK_INT(model_set_add_yaml(m, "t.yml", yml, strlen(yml)), 0);
	struct ir_file *f = ir_file_new("a.js", LANG_JAVASCRIPT);
	struct path p;
	path_of(&p, call(f, member(f, name(f, "axios"), "post")));
	const struct model_row *r = model_match(m, MODEL_HTTP, LANG_PYTHON, &p);
	CHECK(r && !strcmp(r->attr[MODEL_ATTR_BODY], "1"));
	CHECK(!model_match(m, MODEL_HTTP, LANG_PHP, &p));
	path_of(&p, member(f, member(f, name(f, "req"), "body"), "amount"));
	unsigned len = 0;
	CHECK(model_match_prefix(m, MODEL_REQUEST, LANG_JAVASCRIPT, &p, &len) && len == 2);
	CHECK(!model_match_prefix(m, MODEL_REQUEST, LANG_PHP, &p, &len));
	CHECK(model_has_value(m, MODEL_PAID_STATUS, LANG_JAVASCRIPT, "PAID"));
	ir_file_free(f);
	model_set_free(m);
}

TEST(model_errors_name_the_file_line_and_key)
{
	struct model_set *m = model_set_new();
	const char *bad = "name: t\nhttp:\n  - {call: \"fetch()\", uri: \"0\"}\n";
	CHECK_INT(model_set_add_yaml(m, "bad.yml", bad, strlen(bad)), -1);
	CHECK(strstr(error_last(), "bad.yml:3:") && strstr(error_last(), "unknown key 'uri'"));
	const char *kind = "name: t\nrequests: [a]\n";
	CHECK_INT(model_set_add_yaml(m, "k.yml", kind, strlen(kind)), -1);
	CHECK(strstr(error_last(), "unknown row kind 'requests'") != NULL);
	model_set_free(m);
}

TEST(secret_names_are_caseless_expressions_with_an_unless)
{
	struct model_set *m = model_set_new();
	const char *yml = "name: t\n"
			  "secret_name:\n"
			  "  - {name: \"ocpay.*key\", unless: \"public\", languages: [php]}\n";
	CHECK_INT(model_set_add_yaml(m, "t.yml", yml, strlen(yml)), 0);
	CHECK(model_name_matches(m, MODEL_SECRET_NAME, LANG_PHP, "services.OCPay.Key", 18));
	CHECK(!model_name_matches(m, MODEL_SECRET_NAME, LANG_PHP, "OCPAY_PUBLIC_KEY", 16));
	CHECK(!model_name_matches(m, MODEL_SECRET_NAME, LANG_PYTHON, "OCPAY_API_KEY", 13));
	const char *bad = "name: t\nsecret_name:\n  - {name: \"ocpay(\"}\n";
	CHECK_INT(model_set_add_yaml(m, "bad.yml", bad, strlen(bad)), -1);
	CHECK(strstr(error_last(), "bad.yml:3:") &&
	      strstr(error_last(), "bad regular expression") != NULL);
	model_set_free(m);
}

TEST(embedded_models_load)
{
	struct model_set *m = NULL;
	CHECK_INT(model_set_load(&m, NULL), 0);
	model_set_free(m);
}

RUN_TESTS(T(paths_are_spelt_as_member_chains_with_calls),
	  T(patterns_match_segments_globs_alternatives_and_any_depth),
	  T(bad_patterns_are_refused_with_a_reason),
	  T(models_load_and_match_by_kind_and_language),
	  T(model_errors_name_the_file_line_and_key),
	  T(secret_names_are_caseless_expressions_with_an_unless), T(embedded_models_load))
