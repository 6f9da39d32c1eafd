/* The constant evaluator's entry points (lang/consts.h): the language of the syntax picks
 * the table that knows its node types. */
#include "lang/consts.h"

#include <stdlib.h>
#include <string.h>

static const struct consts_lang *consts_of(enum lang l)
{
	if (lang_is_js(l))
		return &js_consts;
	if (l == LANG_PHP)
		return &php_consts;
	if (l == LANG_PYTHON)
		return &python_consts;
	return NULL;
}

bool consts_eval(const struct syntax *s, struct ast_node n, struct buf *out,
		 struct ast_node *origin, int depth, bool loose)
{
	const struct consts_lang *cl = consts_of(syntax_lang(s));
	return cl && cl->eval(s, n, out, origin, depth, loose);
}

char *syntax_export_value(const struct syntax *s, const char *name, size_t len, int depth,
			  bool loose)
{
	const struct consts_lang *cl = consts_of(syntax_lang(s));
	struct ast_node value = {0};
	bool found;
	if (!cl)
		return NULL;
	if (len == 7 && !memcmp(name, "default", 7))
		found = cl->default_export && cl->default_export(s, &value);
	else
		found = decls_find(s, cl->decl_of, DECL_VAR, name, len, &value, NULL);
	struct buf b = BUF_INIT;
	struct ast_node origin = {0};
	if (!found || !cl->eval(s, value, &b, &origin, depth, loose)) {
		buf_free(&b);
		return NULL;
	}
	char *out = buf_detach(&b);
	return out ? out : strdup("");
}

char *ast_string_value(const struct syntax *s, struct ast_node n)
{
	struct buf b = BUF_INIT;
	struct ast_node origin = {0};
	if (!consts_eval(s, n, &b, &origin, 0, false)) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}
