/* The project's .ocpay-audit.yml, checked against the built-in rules. */
#include "fuzz.h"

#include "check/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	config_defaults(&c);
	if (config_load_text(&c, ".ocpay-audit.yml", (const char *)data, size, fuzz_ruleset()) == 0)
		for (size_t i = 0; i < c.nrules; i++)
			if (!config_rule(&c, c.rules[i].id))
				abort();
	config_free(&c);
	return 0;
}
