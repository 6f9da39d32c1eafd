/* The file's declarations by name, so that evaluating a name costs one look-up and not
 * a walk of the whole file: a long file with many calls would otherwise take
 * calls x nodes. Open addressing over the name's bytes in the source. Which nodes
 * declare what is the language's business (its decl_of); the first declaration of a
 * name wins. */
#include "lang/consts.h"

#include <stdlib.h>
#include <string.h>

struct decl {
	uint32_t start, len; /* the name in the source; len 0: empty slot */
	struct ast_node value;
};

struct decl_table {
	struct decl *slot;
	size_t mask, used;
};

struct decls {
	struct decl_table table[DECL_KINDS];
	bool complete; /* false when the deadline cut the walk that built it */
};

static void decls_free(void *p)
{
	struct decls *d = p;
	if (d)
		for (int k = 0; k < DECL_KINDS; k++)
			free(d->table[k].slot);
	free(d);
}

static size_t decl_hash(const char *p, size_t len)
{
	size_t h = 1469598103934665603u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211u;
	return h;
}

static struct decl *decl_slot(const char *src, const struct decl_table *t, const char *name,
			      size_t len)
{
	for (size_t i = decl_hash(name, len) & t->mask;; i = (i + 1) & t->mask) {
		struct decl *e = &t->slot[i];
		if (!e->len || (e->len == len && !memcmp(src + e->start, name, len)))
			return e;
	}
}

/* Records the name at src[a, a+len) unless one of that name came first. */
static bool decl_add(const char *src, struct decl_table *t, uint32_t a, uint32_t len,
		     struct ast_node value)
{
	if (!len)
		return true;
	if ((t->used + 1) * 2 > t->mask + 1) {
		/* grow: rehash into twice the slots */
		struct decl_table g = {.mask = t->mask ? t->mask * 2 + 1 : 63, .used = t->used};
		if (!(g.slot = calloc(g.mask + 1, sizeof *g.slot)))
			return false;
		for (size_t i = 0; t->slot && i <= t->mask; i++)
			if (t->slot[i].len)
				*decl_slot(src, &g, src + t->slot[i].start, t->slot[i].len) =
				    t->slot[i];
		free(t->slot);
		*t = g;
	}
	struct decl *e = decl_slot(src, t, src + a, len);
	if (!e->len) {
		*e = (struct decl){a, len, value};
		t->used++;
	}
	return true;
}

struct decls_walk {
	const struct syntax *s;
	decl_of_fn decl_of;
	struct decls *d;
	bool failed; /* out of memory: the index is incomplete */
};

static bool decls_visit(void *ctx, struct ast_node n)
{
	struct decls_walk *w = ctx;
	enum decl_kind kind;
	uint32_t a, len;
	struct ast_node value;
	if (w->failed)
		return false;
	if (w->decl_of(w->s, n, &kind, &a, &len, &value) &&
	    !decl_add(syntax_source(w->s), &w->d->table[kind], a, len, value))
		w->failed = true;
	return !w->failed;
}

/* One walk of the file indexes every declaration decl_of sees. */
static struct decls *decls_build(const struct syntax *s, decl_of_fn decl_of)
{
	struct decls *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	struct decls_walk w = {s, decl_of, d, false};
	ast_walk(ast_root(s), decls_visit, &w);
	d->complete = !w.failed && !ast_deadline_passed();
	return d;
}

bool decls_find(const struct syntax *s, decl_of_fn decl_of, enum decl_kind kind, const char *name,
		size_t len, struct ast_node *value, uint32_t *at)
{
	struct decls *d = syntax_cache(s);
	if (!d && (d = decls_build(s, decl_of)))
		syntax_cache_set(s, d, decls_free);
	if (!d || !d->complete || !len || !d->table[kind].slot)
		return false;
	struct decl *e = decl_slot(syntax_source(s), &d->table[kind], name, len);
	if (!e->len)
		return false;
	*value = e->value;
	if (at)
		*at = e->start;
	return true;
}
