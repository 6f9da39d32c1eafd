#include "check/rule.h"
#include "check/scan.h"
#include "core/error.h"
#include "harness.h"

static const char valid[] = "id: ACME001\n"
			    "name: acme-rule\n"
			    "severity: medium\n"
			    "checklist:\n"
			    "  - {section: Security, item: Something is safe}\n"
			    "summary: s\n"
			    "message: found {name}\n"
			    "description: d\n"
			    "fix: f\n"
			    "detectors:\n"
			    "  - regex: '(?<name>acme_[a-z]+)'\n"
			    "    keywords: [acme_]\n";

static int load(const char *text)
{
	struct ruleset set = {0};
	error_clear();
	int rc = ruleset_add_yaml(&set, "test.yml", text, strlen(text));
	ruleset_free(&set);
	return rc;
}

TEST(embedded_rules_load)
{
	struct ruleset set = {0};
	CHECK_INT(ruleset_load(&set, NULL), 0);
	CHECK(ruleset_find(&set, "OC001") != NULL);
	CHECK(ruleset_find(&set, "OC005") != NULL);
	const struct rule *r = ruleset_find(&set, "OC001");
	CHECK(r && r->by_kind);
	CHECK(r && rule_severity(r, KEY_SANDBOX) == SEV_HIGH);
	CHECK(r && rule_severity(r, KEY_LIVE) == SEV_CRITICAL);
	CHECK(r && rule_severity(r, KEY_UNKNOWN) == SEV_CRITICAL);
	CHECK(set.prefilter != NULL);
	static const char *const ids[] = {"OC009", "OC010", "OC011", "OC013"};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		CHECK(ruleset_find(&set, ids[i]) != NULL);
	ruleset_free(&set);
}

static const char narrowed[] = "id: X\nname: x\nseverity: low\nchecklist: [{section: S, item: I}]\n"
			       "summary: s\nmessage: m\ndescription: d\nfix: f\ndetectors:\n"
			       "  - regex: 'k'\n    unless_paths: ['*dev*', 'k8s/staging/*']\n"
			       "    skip_tests: %s\n";

TEST(unless_paths_and_skip_tests_load)
{
	char text[512];
	snprintf(text, sizeof text, narrowed, "true");
	struct ruleset set = {0};
	CHECK_INT(ruleset_add_yaml(&set, "test.yml", text, strlen(text)), 0);
	const struct detector *d = set.len ? &set.rules[0].detectors[0] : NULL;
	CHECK(d && d->nunless_paths == 2 && d->skip_tests);
	CHECK(d && path_matches("k8s/staging/secret.yaml", d->unless_paths, d->nunless_paths));
	CHECK(d && !path_matches("k8s/prod/secret.yaml", d->unless_paths, d->nunless_paths));
	ruleset_free(&set);
	snprintf(text, sizeof text, narrowed, "maybe");
	CHECK_INT(load(text), -1);
	CHECK_STR(error_last(), "test.yml:12:17: skip_tests must be true or false");
}

TEST(test_files_by_path)
{
	CHECK(path_is_test("tests/pay.test.js"));
	CHECK(path_is_test("src/__tests__/checkout.ts"));
	CHECK(path_is_test("app/api/checkout/route.test.ts"));
	CHECK(path_is_test("cypress/e2e/pay.cy.js"));
	CHECK(path_is_test("e2e/checkout.spec.ts"));
	CHECK(path_is_test("test/helpers.js"));
	CHECK(!path_is_test("src/routes/checkout.js"));
	CHECK(!path_is_test("src/latest/pay.js"));
	CHECK(!path_is_test("contest/pay.js"));
	/* pytest, Django, PHPUnit */
	CHECK(path_is_test("shop/test_payments.py"));
	CHECK(path_is_test("shop/payments_test.py"));
	CHECK(path_is_test("shop/tests.py"));
	CHECK(path_is_test("conftest.py"));
	CHECK(path_is_test("app/PaymentTest.php"));
	CHECK(!path_is_test("shop/testing.py"));
	CHECK(!path_is_test("shop/test_.py"));
	CHECK(!path_is_test("app/LatestTests.php"));
	CHECK(!path_is_test("app/Services/PaymentContest.php"));
}

TEST(valid_rule_loads)
{
	struct ruleset set = {0};
	CHECK_INT(ruleset_add_yaml(&set, "test.yml", valid, strlen(valid)), 0);
	CHECK_INT(set.len, 1);
	CHECK_STR(set.rules[0].id, "ACME001");
	CHECK_INT(set.rules[0].severity, SEV_MEDIUM);
	CHECK_INT(set.rules[0].detectors[0].nkeywords, 1);
	CHECK_INT(ruleset_add_yaml(&set, "again.yml", valid, strlen(valid)), -1);
	CHECK_STR(error_last(), "again.yml: duplicate rule id ACME001");
	ruleset_free(&set);
}

TEST(syntax_error_names_line_and_column)
{
	CHECK_INT(load("id: X\nname: [unclosed\n"), -1);
	CHECK(strncmp(error_last(), "test.yml:3:1: invalid YAML", 26) == 0);
}

TEST(unknown_key_is_an_error)
{
	char text[1024];
	snprintf(text, sizeof text, "%sseverty: high\n", valid);
	CHECK_INT(load(text), -1);
	CHECK_STR(error_last(), "test.yml:13:10: unknown rule key 'severty'");
}

TEST(bad_severity_is_an_error)
{
	CHECK_INT(load("id: X\nseverity: urgent\n"), -1);
	CHECK_STR(error_last(),
		  "test.yml:2:11: severity must be one of info, low, medium, high, critical");
}

TEST(bad_regex_is_an_error)
{
	char text[1024];
	snprintf(text, sizeof text, "%s", valid);
	char *p = strstr(text, "(?<name>acme_[a-z]+)");
	memcpy(p, "(?<name>acme_[a-z+))", 20);
	CHECK_INT(load(text), -1);
	CHECK(strncmp(error_last(), "test.yml:11:5: invalid regex: ", 30) == 0);
}

TEST(bad_query_is_an_error)
{
	const char *text = "id: X\nname: x\nseverity: low\nchecklist: [{section: S, item: I}]\n"
			   "summary: s\nmessage: m\ndescription: d\nfix: f\ndetectors:\n"
			   "  - query: '(no_such_node) @x'\n    languages: [javascript]\n";
	CHECK_INT(load(text), -1);
	CHECK(strstr(error_last(), "test.yml:10:5: invalid javascript query: node type error") ==
	      error_last());
}

TEST(missing_required_key_is_an_error)
{
	CHECK_INT(load("id: X\nname: x\nseverity: low\n"), -1);
	CHECK_STR(error_last(), "test.yml:1:1: missing required key 'summary'");
}

TEST(unknown_checker_is_an_error)
{
	const char *text = "id: X\nname: x\nseverity: low\nchecklist: [{section: S, item: I}]\n"
			   "summary: s\nmessage: m\ndescription: d\nfix: f\ndetectors:\n  - checker: nope\n";
	CHECK_INT(load(text), -1);
	CHECK_STR(error_last(), "test.yml:10:14: unknown checker 'nope'");
}

/* A key given twice would replace (and leak) the first value: an error naming the second. */
TEST(repeated_key_is_an_error)
{
	CHECK_INT(load("id: X\nname: x\nseverity: low\nchecklist: [{section: S, item: I}]\n"
		       "summary: s\nmessage: m\ndescription: d\nfix: f\ndetectors:\n"
		       "  - regex: 'k'\n    keywords: [a]\n    keywords: [b]\n"),
		  -1);
	CHECK_STR(error_last(), "test.yml:12:5: 'keywords' is given twice");
	CHECK_INT(load("id: X\nid: Y\n"), -1);
	CHECK_STR(error_last(), "test.yml:2:1: 'id' is given twice");
}

/* A keyword the prefilter cannot index: the file, line and column, not the word. */
TEST(keyword_out_of_range_names_its_place)
{
	char text[1024];
	char word[201];
	memset(word, 'k', 200);
	word[200] = '\0';
	snprintf(text, sizeof text,
		 "id: X\nname: x\nseverity: low\nchecklist: [{section: S, item: I}]\n"
		 "summary: s\nmessage: m\ndescription: d\nfix: f\ndetectors:\n"
		 "  - regex: 'k'\n    keywords: [a, %s]\n",
		 word);
	CHECK_INT(load(text), -1);
	CHECK_STR(error_last(),
		  "test.yml:11:19: a word of 'keywords' must have 1 to 127 characters (this one has 200)");
	CHECK_INT(load("id: X\nname: x\nseverity: low\nchecklist: [{section: S, item: I}]\n"
		       "summary: s\nmessage: m\ndescription: d\nfix: f\napplies_to: ''\n"
		       "detectors:\n  - regex: 'k'\n"),
		  -1);
	CHECK_STR(error_last(),
		  "test.yml:9:13: a word of 'applies_to' must have 1 to 127 characters (this one has 0)");
}

/* min_length is a small count: "-1" was read as the largest number. */
TEST(min_length_must_be_a_small_count)
{
	CHECK_INT(load("id: X\nname: x\nseverity: low\nchecklist: [{section: S, item: I}]\n"
		       "summary: s\nmessage: m\ndescription: d\nfix: f\ndetectors:\n"
		       "  - regex: 'k'\n    min_length: -1\n"),
		  -1);
	CHECK_STR(error_last(), "test.yml:11:17: min_length must be a number from 0 to 4096");
}

/* The error named the capture after the query holding it was freed. */
TEST(query_without_the_secret_capture_is_an_error)
{
	CHECK_INT(load("id: X\nname: x\nseverity: low\nchecklist: [{section: S, item: I}]\n"
		       "summary: s\nmessage: m\ndescription: d\nfix: f\ndetectors:\n"
		       "  - query: '(string) @value'\n    languages: [javascript]\n"
		       "    secret: key\n"),
		  -1);
	CHECK_STR(error_last(), "test.yml:10:5: javascript query has no capture @key");
}

/* Built-in queries are compiled on first use: each must compile for each language. */
TEST(embedded_queries_compile)
{
	struct ruleset set = {0};
	CHECK_INT(ruleset_load(&set, NULL), 0);
	int queries = 0;
	for (size_t i = 0; i < set.len; i++) {
		const struct rule *r = &set.rules[i];
		for (size_t j = 0; j < r->ndetectors; j++) {
			const struct detector *d = &r->detectors[j];
			for (int l = LANG_JAVASCRIPT; d->type == DETECT_QUERY && l < LANG_COUNT; l++) {
				if (!(d->langs & LANG_BIT(l)))
					continue;
				queries++;
				if (!detector_query(d, (enum lang)l))
					fprintf(stderr, "%s %s (%s): %s\n", r->id, d->label ? d->label : "",
						lang_name((enum lang)l), error_last());
				CHECK(detector_query(d, (enum lang)l) != NULL);
			}
		}
	}
	CHECK(queries >= 20);
	ruleset_free(&set);
}

/* A fix in the file's framework, else its language (TypeScript takes JavaScript's), else
 * none: the rule's fix in words is shown. */
TEST(fix_fits_the_file)
{
	char text[2048];
	snprintf(text, sizeof text,
		 "%swhy: w\nfixes:\n  javascript: js\n  javascript/nextjs: next\n"
		 "  php: php\n  php/woocommerce: woo\n",
		 valid);
	struct ruleset set = {0};
	CHECK_INT(ruleset_add_yaml(&set, "test.yml", text, strlen(text)), 0);
	const struct rule *r = set.len ? &set.rules[0] : NULL;
	const char *key = NULL;
	CHECK(r && r->nfixes == 4);
	CHECK_STR(r ? r->why : "", "w");
	CHECK_STR(r ? rule_fix_for(r, "php", "woocommerce", &key) : "", "woo");
	CHECK_STR(key, "php/woocommerce");
	CHECK_STR(r ? rule_fix_for(r, "php", "laravel", &key) : "", "php");
	CHECK_STR(key, "php");
	CHECK_STR(r ? rule_fix_for(r, "typescript", "nextjs", &key) : "", "next");
	CHECK_STR(r ? rule_fix_for(r, "typescript", NULL, &key) : "", "js");
	CHECK(r && rule_fix_for(r, "python", "django", &key) == NULL && key == NULL);
	CHECK(r && rule_fix_for(r, NULL, NULL, &key) == NULL);
	ruleset_free(&set);

	snprintf(text, sizeof text, "%sfixes:\n  ruby: x\n", valid);
	CHECK_INT(load(text), -1);
	CHECK_STR(error_last(), "test.yml:14:3: a fix is keyed by javascript, typescript, php or "
				"python, optionally with /framework (php/woocommerce), not 'ruby'");
	snprintf(text, sizeof text, "%sfixes: [a]\n", valid);
	CHECK_INT(load(text), -1);
	CHECK_STR(error_last(),
		  "test.yml:13:8: 'fixes' must map a language (php, php/laravel) to code");
}

/* Every built-in rule says why it matters; a fixes entry is code, never empty. */
TEST(embedded_rules_have_why_and_fixes)
{
	struct ruleset set = {0};
	CHECK_INT(ruleset_load(&set, NULL), 0);
	for (size_t i = 0; i < set.len; i++) {
		const struct rule *r = &set.rules[i];
		CHECK(r->why && strlen(r->why) > 40);
		CHECK(r->builtin);
		for (size_t j = 0; j < r->nfixes; j++)
			CHECK(strlen(r->fixes[j].code) > 10);
	}
	const struct rule *r = ruleset_find(&set, "OC004");
	CHECK(r && rule_fix_for(r, "php", "woocommerce", NULL) &&
	      strstr(rule_fix_for(r, "php", "woocommerce", NULL), "payment_complete"));
	ruleset_free(&set);
}

RUN_TESTS(T(fix_fits_the_file), T(embedded_rules_have_why_and_fixes), T(embedded_rules_load), T(embedded_queries_compile), T(valid_rule_loads), T(syntax_error_names_line_and_column),
	  T(unknown_key_is_an_error), T(bad_severity_is_an_error), T(bad_regex_is_an_error),
	  T(bad_query_is_an_error), T(missing_required_key_is_an_error),
	  T(unknown_checker_is_an_error), T(unless_paths_and_skip_tests_load),
	  T(test_files_by_path), T(repeated_key_is_an_error),
	  T(query_without_the_secret_capture_is_an_error),
	  T(keyword_out_of_range_names_its_place), T(min_length_must_be_a_small_count))
