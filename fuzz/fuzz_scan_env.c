/* Env and deploy files through the scan: the text detectors (OC001 keys, OC005 env
 * files, OC009 key and environment mismatch). Input: the file's path on the first line
 * (.env, .env.production, .env.test, docker-compose.override.yml ...), its content
 * after it. */
#include "fuzz.h"

#include "lang/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[256];
	const char *content;
	size_t len;
	if (fuzz_split_path(data, size, path, &content, &len) < 0)
		return 0;
	/* Code is the JS target's. */
	if (lang_from_path(path) != LANG_TEXT || lang_is_page(path))
		return 0;
	fuzz_scan_unit(path, content, len);
	return 0;
}
