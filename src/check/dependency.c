#include "check/dependency.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int dependency_major(const struct scan *s, const char *path, const char *name)
{
	static const char *const sections[] = {"dependencies", "devDependencies",
					       "peerDependencies"};
	size_t len = 0;
	char *text = scan_package_json(s, path, &len);
	json_t *pkg = text ? json_loadb(text, len, 0, NULL) : NULL;
	free(text);
	int major = -1;
	for (size_t i = 0; pkg && major < 0 && i < sizeof sections / sizeof sections[0]; i++) {
		const char *v = json_string_value(json_object_get(json_object_get(pkg, sections[i]),
								  name));
		while (v && *v && strchr(" ^~>=v", *v))
			v++;
		if (v)
			major = *v >= '0' && *v <= '9' ? atoi(v) : -2;
	}
	json_decref(pkg);
	return major;
}
