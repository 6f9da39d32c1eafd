/* PHP imports in the flow form: `use` declarations (classes, functions, constants, groups,
 * aliases) and include/require of a constant path, relative to the file (__DIR__,
 * dirname(__FILE__), plugin_dir_path(__FILE__)) or as written. */
#include <string.h>

#include "lang/php/lower_php.h"

static void use_row(struct php_lower *L, const char *prefix, struct ast_node clause)
{
	struct ast_node name = {0}, alias = ast_field(clause, "alias");
	uint32_t i = 0;
	for (struct ast_node c = php_kid(clause, &i); !ast_is_null(c); c = php_kid(clause, &i))
		if (!php_same(c, alias) && (ast_is(c, "name") || ast_is(c, "qualified_name") ||
					    ast_is(c, "namespace_name"))) {
			name = c;
			break;
		}
	if (ast_is(clause, "name") || ast_is(clause, "qualified_name") ||
	    ast_is(clause, "namespace_name"))
		name = clause;
	if (ast_is_null(name))
		return;
	const char *full = php_name(L, name);
	if (!full)
		return;
	if (prefix && *prefix) {
		size_t a = strlen(prefix), b = strlen(full);
		char *joined = ir_alloc(L->f, a + b + 2);
		if (!joined)
			return;
		memcpy(joined, prefix, a);
		joined[a] = '\\';
		memcpy(joined + a + 1, full, b + 1);
		full = joined;
	}
	const char *local = ast_is_null(alias) ? NULL : php_text(L, alias);
	if (!local) {
		const char *slash = strrchr(full, '\\');
		local = slash ? slash + 1 : full;
	}
	struct ir_import im = {
	    .kind = IR_IMPORT_USE, .local = local, .spec = full, .line = ast_line(clause)};
	ir_import_add(L->f, &im);
}

/* use A\B [as C], D; use function f; use const X; use A\{B, C as D}; */
void php_use_declaration(struct php_lower *L, struct ast_node n)
{
	const char *prefix = NULL;
	uint32_t i = 0;
	for (struct ast_node c = php_kid(n, &i); !ast_is_null(c); c = php_kid(n, &i)) {
		if (ast_is(c, "namespace_name")) {
			prefix = php_name(L, c);
		} else if (ast_is(c, "namespace_use_clause")) {
			use_row(L, NULL, c);
		} else if (ast_is(c, "namespace_use_group")) {
			uint32_t k = 0;
			for (struct ast_node u = php_kid(c, &k); !ast_is_null(u);
			     u = php_kid(c, &k))
				use_row(L, prefix, u);
		}
	}
}

/* The constant string value of n, or NULL. */
static const char *const_value(struct php_lower *L, struct ast_node n)
{
	const char *s = NULL;
	uint32_t len = 0;
	while (ast_is(n, "parenthesized_expression"))
		n = php_first(n);
	return php_const_string(L, n, &s, &len) && strlen(s) == len ? s : NULL;
}

/* __DIR__, dirname(__FILE__), plugin_dir_path(__FILE__): the file's own folder;
 * dirname(__DIR__): its parent. Returns the spec's prefix, or NULL. */
static const char *dir_anchor(struct php_lower *L, struct ast_node n)
{
	while (ast_is(n, "parenthesized_expression"))
		n = php_first(n);
	if (ast_is(n, "name"))
		return ast_text_is(L->syn, n, "__DIR__") ? "__DIR__/" : NULL;
	if (!ast_is(n, "function_call_expression"))
		return NULL;
	struct ast_node fn = ast_field(n, "function"), args = ast_field(n, "arguments");
	struct ast_node arg = php_first(php_first(args));
	if (ast_named_count(args) != 1 || !ast_is(arg, "name"))
		return NULL;
	bool file = ast_text_is(L->syn, arg, "__FILE__");
	if (file &&
	    (ast_text_is(L->syn, fn, "dirname") || ast_text_is(L->syn, fn, "plugin_dir_path") ||
	     ast_text_is(L->syn, fn, "trailingslashit")))
		return "__DIR__/";
	if (ast_text_is(L->syn, arg, "__DIR__") && ast_text_is(L->syn, fn, "dirname"))
		return "__DIR__/../";
	return NULL;
}

void php_include_import(struct php_lower *L, struct ast_node path, uint32_t line)
{
	while (ast_is(path, "parenthesized_expression"))
		path = php_first(path);
	const char *spec = const_value(L, path);
	if (!spec && ast_is(path, "binary_expression")) {
		/* anchor . '/a' . 'b.php': the concatenation is left-nested */
		const char *tail[16];
		size_t nt = 0;
		struct ast_node left = path;
		while (ast_is(left, "binary_expression") && nt < 16 &&
		       ast_text_is(L->syn, ast_field(left, "operator"), ".")) {
			if (!(tail[nt++] = const_value(L, ast_field(left, "right"))))
				return;
			left = ast_field(left, "left");
		}
		const char *anchor = dir_anchor(L, left);
		if (!anchor || nt == 0)
			return;
		size_t len = strlen(anchor);
		for (size_t k = 0; k < nt; k++)
			len += strlen(tail[k]);
		char *s = ir_alloc(L->f, len + 1);
		if (!s)
			return;
		strcpy(s, anchor);
		for (size_t k = nt; k-- > 0;)
			strcat(s, tail[k]);
		/* __DIR__ . '/x.php' and plugin_dir_path(__FILE__) . 'x.php' name one file */
		char *rest = s + strlen(anchor);
		size_t skip = strspn(rest, "/");
		memmove(rest, rest + skip, strlen(rest + skip) + 1);
		if (!*rest)
			return;
		spec = s;
	}
	if (!spec || !*spec)
		return;
	struct ir_import im = {.kind = IR_IMPORT_INCLUDE, .spec = spec, .line = line};
	ir_import_add(L->f, &im);
}
