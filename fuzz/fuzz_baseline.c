/* The baseline file (JSON), read and then matched against a few findings. */
#include "fuzz.h"

#include "suppress/baseline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct baseline b;
	if (baseline_load_text(&b, BASELINE_FILE, (const char *)data, size) < 0)
		return 0;
	const struct ruleset *rules = fuzz_ruleset();
	struct finding_list findings = {0}, suppressed = {0};
	for (size_t i = 0; i < 3; i++) {
		struct finding *f = finding_list_add(&findings);
		if (!f)
			abort();
		f->rule = &rules->rules[i % rules->len];
		f->severity = rules->rules[i % rules->len].severity;
		f->path = strdup(b.len ? b.items[0].path : "a.js");
		f->message = strdup("message");
		f->match = strdup("match");
		f->line = f->end_line = f->column = f->end_column = 1;
	}
	if (finding_list_fingerprint(&findings) < 0 ||
	    baseline_apply(&b, &findings, &suppressed) < 0)
		abort();
	if (findings.len + suppressed.len != 3)
		abort();
	finding_list_free(&findings);
	finding_list_free(&suppressed);
	baseline_free(&b);
	return 0;
}
