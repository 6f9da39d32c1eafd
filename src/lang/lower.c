#define _GNU_SOURCE /* memmem */
#include "lang/lower.h"

#include <string.h>

#include "core/error.h"
#include "lang/ast.h"
#include "lang/ts.h"

/* A script run from the command line writes its output to a terminal or a cron log: a
 * shebang line, or PHP code that checks it runs under the CLI (a lowering may know more:
 * PHP that echoes plain lines). */
static bool is_script(const struct syntax *syn)
{
	size_t len = 0;
	const char *t = ast_text(syn, ast_root(syn), &len);
	if (!t)
		return false;
	if (len >= 2 && t[0] == '#' && t[1] == '!')
		return true;
	return memmem(t, len, "PHP_SAPI", 8) || memmem(t, len, "php_sapi_name()", 15);
}

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
	if (!rc)
		f->script = f->script || is_script(syn);
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
