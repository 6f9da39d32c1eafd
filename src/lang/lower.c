#include "lang/lower.h"

#include "core/error.h"
#include "lang/ts.h"

int lang_lower(struct ir_file **out, const struct syntax *syn, const char *path)
{
	enum lang lang = syntax_lang(syn);
	struct ir_file *f = ir_file_new(path, lang);
	if (!f)
		return error_set("out of memory");
	int rc;
	switch (lang) {
	case LANG_JAVASCRIPT:
	case LANG_TYPESCRIPT:
	case LANG_TSX:
		rc = js_lower(f, syn);
		break;
	case LANG_PHP:
		rc = php_lower(f, syn);
		break;
	case LANG_PYTHON:
		rc = python_lower(f, syn);
		break;
	default:
		rc = error_set("%s: no lowering for %s", path, lang_name(lang));
	}
	if (!rc && ir_link(f) < 0)
		rc = error_set("out of memory");
	if (!rc && ir_file_oom(f))
		rc = error_set("out of memory");
	if (rc) {
		ir_file_free(f);
		return -1;
	}
	*out = f;
	return 0;
}
