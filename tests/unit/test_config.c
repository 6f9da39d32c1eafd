#include "check/config.h"
#include "check/rule.h"
#include "core/error.h"
#include "harness.h"

static struct ruleset rules;

static int load(struct config *c, const char *text)
{
	config_defaults(c);
	error_clear();
	return config_load_text(c, "cfg.yml", text, strlen(text), &rules);
}

TEST(readme_example_loads)
{
	struct config c;
	CHECK_INT(
	    load(&c,
		 "exclude: [\"vendor/**\", \"legacy/old-checkout.js\"]\n"
		 "runtime:\n  browser: [\"shared/widgets/**\"]\n  server: [\"packages/core/**\"]\n"
		 "polling:\n  min_interval_ms: 15000\n"
		 "rules:\n  OC012: off\n  OC007: { severity: low }\n"
		 "allowed_keys:\n  - sk_sandbox_DemoShopPublicKey01\n"),
	    0);
	CHECK_INT(c.nexclude, 2);
	CHECK_INT(c.nbrowser, 1);
	CHECK_INT(c.nserver, 1);
	CHECK_INT(c.nallowed, 1);
	CHECK(c.poll_min_ms == 15000.0);
	CHECK(config_rule(&c, "OC012") && config_rule(&c, "OC012")->disabled);
	CHECK(config_rule(&c, "OC007") && config_rule(&c, "OC007")->severity == SEV_LOW);
	config_free(&c);
}

/* A key given twice replaced the first list without freeing it, and a second
 * allowed_keys list was written past its end. */
TEST(repeated_key_is_an_error)
{
	struct config c;
	CHECK_INT(load(&c, "exclude: [a]\nexclude: [b]\n"), -1);
	CHECK_STR(error_last(), "cfg.yml:2:1: 'exclude' is given twice");
	config_free(&c);
	CHECK_INT(load(&c, "allowed_keys: [sk_sandbox_A1b2C3d4E5]\n"
			   "allowed_keys: [sk_sandbox_F6g7H8i9J0, sk_sandbox_K1l2M3n4O5]\n"),
		  -1);
	CHECK_STR(error_last(), "cfg.yml:2:1: 'allowed_keys' is given twice");
	config_free(&c);
	CHECK_INT(load(&c, "runtime:\n  browser: a\n  browser: b\n"), -1);
	CHECK_STR(error_last(), "cfg.yml:3:3: 'browser' is given twice");
	config_free(&c);
	CHECK_INT(load(&c, "rules:\n  OC001: off\n  OC001: on\n"), -1);
	CHECK_STR(error_last(), "cfg.yml:3:3: 'OC001' is given twice");
	config_free(&c);
}

/* A key that is not a string (a list here) was taken for a rule id. */
TEST(rule_key_must_be_an_id)
{
	struct config c;
	CHECK_INT(load(&c, "rules:\n  [\"vendor/**\"]: low\n"), -1);
	CHECK_STR(error_last(), "cfg.yml:2:3: a rule is named by its id (OC001 ...)");
	config_free(&c);
}

static void all(void)
{
	if (ruleset_load(&rules, NULL) < 0) {
		fprintf(stderr, "cannot load the rules: %s\n", error_last());
		harness_failed_checks++;
	}
}

static void done(void)
{
	ruleset_free(&rules);
}

RUN_TESTS(T(all), T(readme_example_loads), T(repeated_key_is_an_error),
	  T(rule_key_must_be_an_id), T(done))
