/* Rule files: YAML text through the loader of the built-in rules and --rules DIR, then
 * the keyword prefilter built from the rule and each of its queries compiled. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset set = {0};
	if (ruleset_add_yaml(&set, "fuzz.yml", (const char *)data, size) == 0 &&
	    ruleset_prepare(&set) == 0) {
		for (size_t i = 0; i < set.len; i++)
			for (size_t j = 0; j < set.rules[i].ndetectors; j++)
				for (int l = LANG_JAVASCRIPT; l < LANG_COUNT; l++)
					detector_query(&set.rules[i].detectors[j], (enum lang)l);
	}
	ruleset_free(&set);
	return 0;
}
