#define _GNU_SOURCE /* memmem */
/* The PHP lowering's reading of the tree: children (comments skipped, read at once so a
 * long list costs its length), node spans. */
#include <stdlib.h>

#include <string.h>

#include "lang/php/lower_php.h"

/* ---- tree and node helpers ---- */

struct ast_node php_kid(struct ast_node n, uint32_t *i)
{
	uint32_t count = ast_named_count(n);
	while (*i < count) {
		struct ast_node c = ast_named_child(n, (*i)++);
		if (!ast_is(c, "comment"))
			return c;
	}
	return (struct ast_node){0};
}

struct ast_node php_first(struct ast_node n)
{
	uint32_t i = 0;
	return php_kid(n, &i);
}

static void iter_fill(struct php_lower *L, struct ast_node n, struct php_iter *it, bool all)
{
	uint32_t count = all ? ast_count(n) : ast_named_count(n);
	*it = (struct php_iter){.v = it->small};
	if (count > sizeof it->small / sizeof it->small[0] &&
	    !(it->v = malloc(count * sizeof *it->v))) {
		L->oom = true;
		it->v = it->small;
		return;
	}
	for (uint32_t i = 0; i < count; i++) {
		struct ast_node c = all ? ast_child(n, i) : ast_named_child(n, i);
		if (all || !ast_is(c, "comment"))
			it->v[it->n++] = c;
	}
}

void php_iter_named(struct php_lower *L, struct ast_node n, struct php_iter *it)
{
	iter_fill(L, n, it, false);
}

void php_iter_all(struct php_lower *L, struct ast_node n, struct php_iter *it)
{
	iter_fill(L, n, it, true);
}

void php_iter_free(struct php_iter *it)
{
	if (it->v != it->small)
		free(it->v);
	it->v = it->small;
	it->n = it->i = 0;
}

struct ast_node php_next(struct php_iter *it)
{
	if (it->i < it->n)
		return it->v[it->i++];
	php_iter_free(it);
	return (struct ast_node){0};
}

bool php_same(struct ast_node a, struct ast_node b)
{
	return !ast_is_null(a) && a.id == b.id && ast_start(a) == ast_start(b) &&
	       ast_end(a) == ast_end(b);
}

struct ir_node *php_node(struct php_lower *L, enum ir_kind kind, struct ast_node n)
{
	return ir_node_new(L->f, kind, ast_start(n), ast_end(n), ast_line(n));
}

struct ir_node *php_trunc(struct php_lower *L, struct ast_node n)
{
	struct ir_node *o = php_node(L, IR_OTHER, n);
	if (o)
		o->flags |= IR_F_TRUNC;
	L->f->truncated = true;
	return o;
}

static bool visit_text(void *ctx, struct ast_node n)
{
	bool *html = ctx;
	if (ast_is(n, "text"))
		*html = true;
	return !*html;
}

bool php_writes_html(const struct syntax *syn)
{
	bool html = false;
	ast_walk(ast_root(syn), visit_text, &html);
	return html;
}

struct echoes {
	const struct syntax *syn;
	bool lines, markup;
};

static bool visit_echo(void *ctx, struct ast_node n)
{
	struct echoes *e = ctx;
	if (!ast_is(n, "echo_statement"))
		return true;
	size_t len = 0;
	const char *t = ast_text(e->syn, n, &len);
	e->markup |= t && memchr(t, '<', len) != NULL;
	e->lines |= t && (memmem(t, len, "\\n", 2) || memmem(t, len, "PHP_EOL", 7));
	return !e->markup;
}

bool php_echoes_lines(const struct syntax *syn)
{
	struct echoes e = {syn, false, false};
	ast_walk(ast_root(syn), visit_echo, &e);
	return e.lines && !e.markup;
}
