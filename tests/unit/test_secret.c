#include <stdlib.h>

#include "core/secret.h"
#include "harness.h"

static bool placeholder(const char *s)
{
	return secret_is_placeholder(s, strlen(s), 12);
}

TEST(docs_placeholders_are_not_keys)
{
	const char *const docs[] = {"your_key_here", "YOUR_API_KEY", "your-api-key",
				    "your-api-access-token", "sk_live_xyz789...", "sk_sandbox_abc123...",
				    "your-api-key-here", "xxx", "xxxxxxxxxxxxxxxx", "changeme",
				    "<your-key>", "", "''", "sk_live_xxxxxxxxxxxxxxxx",
				    "sk_test_1234567890", "REPLACE_WITH_YOUR_KEY", "sk_live_…",
				    "sk_live_abcdefghijkl", "********************"};
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
		if (!placeholder(docs[i])) {
			fprintf(stderr, "not seen as a placeholder: %s\n", docs[i]);
			CHECK(false);
		}
}

TEST(references_are_not_keys)
{
	CHECK(placeholder("${ONECLICK_API_KEY}"));
	CHECK(placeholder("$ONECLICK_API_KEY"));
	CHECK(placeholder("{{ secrets.OCPAY_KEY }}"));
	CHECK(placeholder("process.env.ONECLICK_API_KEY"));
	CHECK(placeholder("%(OCPAY_KEY)s"));
	CHECK(placeholder("OCPAY_API_KEY"));
	CHECK(placeholder("ONECLICK_KEY_V2"));
	CHECK(placeholder("https://api.oneclickdz.com"));
	/* the names of WordPress options and Laravel settings */
	CHECK(placeholder("ocpay_api_key"));
	CHECK(placeholder("woocommerce_ocpay_settings"));
	CHECK(placeholder("services.ocpay.api_key"));
	CHECK(!placeholder("3f6b2c1e8a4d4f7b9c2e"));
}

TEST(text_is_not_a_key)
{
	/* translations of "API key" and labels: a space or a non-ASCII letter */
	CHECK(placeholder("\xd9\x85\xd9\x81\xd8\xaa\xd8\xa7\xd8\xad API"));
	CHECK(placeholder("Cl\xc3\xa9 secr\xc3\xa8te du compte"));
	CHECK(placeholder("Your secret key here"));
	CHECK(placeholder("sk_live_9fK2mQ7x\tR4tL8vN3"));
	/* header names beside the key in a header list */
	CHECK(placeholder("Content-Type"));
	CHECK(placeholder("X-Request-Id"));
	CHECK(!placeholder("Kq7-Zr9xWm-4TbN8p"));
}

TEST(real_keys_are_keys)
{
	CHECK(!placeholder("sk_live_9fK2mQ7xR4tL8vN3"));
	CHECK(!placeholder("sk_sandbox_A8d7Fh3Kq92Lm"));
	CHECK(!placeholder("sk_test_Qm4Zr8Lp2Wx6"));
	CHECK(!placeholder("3f6b2c1e-8a4d-4f7b-9c2e-5d1a7e9b0c43"));
	CHECK(!placeholder("3F6B2C1E-8A4D-4F7B-9C2E-5D1A7E9B0C43"));
	CHECK(!placeholder("K7QW2ZR9XM4TB8NP"));
}

TEST(unprefixed_values_need_min_length)
{
	CHECK(secret_is_placeholder("a8Kd93jQ", 8, 12));
	CHECK(!secret_is_placeholder("a8Kd93jQ", 8, 0));
	CHECK(!secret_is_placeholder("a8Kd93jQz7Lp", 12, 12));
}

TEST(kind_comes_from_the_prefix)
{
	CHECK_INT(secret_kind("sk_live_9fK2mQ7xR4tL8vN3", 24), KEY_LIVE);
	CHECK_INT(secret_kind("sk_sandbox_A8d7Fh3Kq92Lm", 24), KEY_SANDBOX);
	CHECK_INT(secret_kind("sk_test_Qm4Zr8Lp2Wx6", 20), KEY_SANDBOX);
	CHECK_INT(secret_kind("3f6b2c1e-8a4d", 13), KEY_UNKNOWN);
	CHECK_STR(secret_kind_name(KEY_LIVE), "live");
}

TEST(redaction_shows_prefix_and_length_only)
{
	char *r = secret_redact("sk_live_9fK2mQ7xR4tL8vN3", 24, false);
	CHECK_STR(r, "sk_live_9f***(24 chars)");
	free(r);
	r = secret_redact("sk_live_Zq81Lw0pNc6Rt4", 22, false);
	CHECK_STR(r, "sk_live_***(22 chars)");
	free(r);
	r = secret_redact("3f6b2c1e-8a4d-4f7b-9c2e-5d1a7e9b0c43", 36, false);
	CHECK_STR(r, "3f6***(36 chars)");
	free(r);
	/* what is shown never ends inside a UTF-8 sequence */
	r = secret_redact("\xd8\xa7\xd9\x84\xd9\x85\xd9\x81\xd8\xaa\xd8\xa7\xd8\xad\xd8\xa7", 16,
			  false);
	CHECK_STR(r, "\xd8\xa7***(16 chars)");
	free(r);
	r = secret_redact("short", 5, false);
	CHECK_STR(r, "***(5 chars)");
	free(r);
	r = secret_redact("sk_live_9fK2mQ7xR4tL8vN3", 24, true);
	CHECK_STR(r, "sk_live_9fK2mQ7xR4tL8vN3");
	free(r);
}

TEST(redacted_form_is_itself_a_placeholder)
{
	/* Our own output pasted into a file must not be reported again. */
	CHECK(placeholder("sk_live_9f***(24 chars)"));
}

TEST(fillers_after_any_vendor_prefix_are_placeholders)
{
	char whsec[80] = "whsec_";
	memset(whsec + 6, '0', 64);
	whsec[70] = '\0';
	CHECK(placeholder(whsec));
	CHECK(placeholder("pk_test_xxxxxxxxxxxxxxxx"));
	CHECK(placeholder("xoxb-1111111111111111"));
	CHECK(!placeholder("whsec_Zk39fjQ2mW7xR4tL8vN3pQ5s"));
}

TEST(template_expressions_are_placeholders)
{
	CHECK(placeholder("{{ port }}"));
	CHECK(placeholder("{{port}}"));
	CHECK(placeholder("<%= ENV['OCPAY_KEY'] %>"));
	CHECK(placeholder("sk_live_${OCPAY_SUFFIX}"));
	CHECK(placeholder("prefix{{ key }}suffix"));
}

TEST(names_paths_arns_are_not_keys)
{
	CHECK(placeholder("prod/shop/ocpay"));
	CHECK(placeholder("projects/shop-123/secrets/ocpay-key/versions/latest"));
	CHECK(placeholder("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/ocpay-AbCdEf"));
	CHECK(placeholder("ocpay-prod-key-v2"));
	CHECK(placeholder("shop.ocpay.key2"));
	/* base64 and UUIDs have mixed runs: keys */
	CHECK(!placeholder("Zm9vYmFyYmF6/cXV4K3Rlc3Q="));
	CHECK(!placeholder("3f2b8c1e-9a4d-4e7b-8c2f-1a2b3c4d5e6f"));
	CHECK(!placeholder("a1b2c3d4e5f6/g7h8i9j0k1"));
}

RUN_TESTS(T(docs_placeholders_are_not_keys), T(references_are_not_keys), T(real_keys_are_keys),
	  T(text_is_not_a_key),
	  T(unprefixed_values_need_min_length), T(kind_comes_from_the_prefix),
	  T(redaction_shows_prefix_and_length_only), T(redacted_form_is_itself_a_placeholder),
	  T(fillers_after_any_vendor_prefix_are_placeholders),
	  T(template_expressions_are_placeholders), T(names_paths_arns_are_not_keys))
