/* Code files through the scan: parse (pages through their <script> blocks), classification,
 * queries and every checker, then the repository-level checks. Input: the file's path on
 * the first line (a.js, a.ts, a.tsx, page.html, a.vue, pages/api/pay.ts, a.php, a.py ...;
 * the fixtures seed all of them), its content after it. */
#include "fuzz.h"

#include "lang/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[256];
	const char *content;
	size_t len;
	if (fuzz_split_path(data, size, path, &content, &len) < 0)
		return 0;
	/* Text files are the env target's. */
	if (lang_from_path(path) == LANG_TEXT && !lang_is_page(path))
		return 0;
	fuzz_scan_unit(path, content, len);
	return 0;
}
