#include "core/finding.h"

#include <stdlib.h>
#include <string.h>

#include "check/rule.h"
#include "core/buf.h"
#include "core/error.h"

static const char *const severity_names[SEV_COUNT] = {"info", "low", "medium", "high",
						      "critical"};

const char *severity_name(enum severity s)
{
	return s < SEV_COUNT ? severity_names[s] : "?";
}

int severity_parse(enum severity *out, const char *name)
{
	for (int i = 0; i < SEV_COUNT; i++) {
		if (strcmp(name, severity_names[i]) == 0) {
			*out = (enum severity)i;
			return 0;
		}
	}
	return -1;
}

struct finding *finding_list_add(struct finding_list *list)
{
	if (list->len == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 16;
		struct finding *p = realloc(list->items, cap * sizeof *p);
		if (!p) {
			error_set("out of memory");
			return NULL;
		}
		list->items = p;
		list->cap = cap;
	}
	struct finding *f = &list->items[list->len++];
	memset(f, 0, sizeof *f);
	return f;
}

int finding_list_take(struct finding_list *dst, struct finding_list *src)
{
	for (size_t i = 0; i < src->len; i++) {
		struct finding *f = finding_list_add(dst);
		if (!f)
			return -1;
		*f = src->items[i];
	}
	free(src->items);
	memset(src, 0, sizeof *src);
	return 0;
}

void finding_clear(struct finding *f)
{
	free(f->path);
	free(f->message);
	free(f->snippet);
	free(f->match);
	free(f->suppress_reason);
	if (f->commit) {
		free(f->commit->author);
		free(f->commit->date);
		free(f->commit);
	}
	memset(f, 0, sizeof *f);
}

int finding_list_move_if(struct finding_list *dst, struct finding_list *src,
			 bool (*pick)(struct finding *f, void *ctx), void *ctx)
{
	size_t kept = 0, moved = 0;
	for (size_t i = 0; i < src->len; i++) {
		struct finding *f = &src->items[i];
		if (pick(f, ctx)) {
			struct finding *g = finding_list_add(dst);
			if (!g)
				return -1;
			*g = *f;
			moved++;
			continue;
		}
		if (kept != i)
			src->items[kept] = *f;
		kept++;
	}
	src->len = kept;
	if (moved)
		finding_list_sort(dst);
	return 0;
}

int finding_copy(struct finding *dst, const struct finding *src)
{
	*dst = *src;
	dst->path = src->path ? strdup(src->path) : NULL;
	dst->message = src->message ? strdup(src->message) : NULL;
	dst->snippet = src->snippet ? strdup(src->snippet) : NULL;
	dst->match = src->match ? strdup(src->match) : NULL;
	dst->suppress_reason = src->suppress_reason ? strdup(src->suppress_reason) : NULL;
	dst->commit = NULL;
	if (src->commit) {
		dst->commit = malloc(sizeof *dst->commit);
		if (dst->commit) {
			*dst->commit = *src->commit;
			dst->commit->author = strdup(src->commit->author ? src->commit->author : "");
			dst->commit->date = strdup(src->commit->date ? src->commit->date : "");
		}
	}
	if ((src->path && !dst->path) || (src->message && !dst->message) ||
	    (src->snippet && !dst->snippet) || (src->match && !dst->match) ||
	    (src->suppress_reason && !dst->suppress_reason) ||
	    (src->commit && (!dst->commit || !dst->commit->author || !dst->commit->date)))
		return error_set("out of memory");
	return 0;
}

void finding_list_free(struct finding_list *list)
{
	for (size_t i = 0; i < list->len; i++)
		finding_clear(&list->items[i]);
	free(list->items);
	memset(list, 0, sizeof *list);
}

static int finding_cmp(const void *pa, const void *pb)
{
	const struct finding *a = pa, *b = pb;
	int c = strcmp(a->path, b->path);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	c = strcmp(a->rule->id, b->rule->id);
	if (c)
		return c;
	c = strcmp(a->secret_hash, b->secret_hash);
	if (c)
		return c;
	if (a->commit && b->commit)
		return strcmp(a->commit->id, b->commit->id);
	return (a->commit != NULL) - (b->commit != NULL);
}

void finding_list_sort(struct finding_list *list)
{
	if (list->len > 1)
		qsort(list->items, list->len, sizeof *list->items, finding_cmp);
}

unsigned finding_scopes(const struct finding *f)
{
	return f->found ? f->found : f->commit ? FOUND_HISTORY : FOUND_TREE;
}

static const char *finding_key(const struct finding *f)
{
	return f->secret_hash[0] ? f->secret_hash : (f->match ? f->match : "");
}

int finding_list_fingerprint(struct finding_list *list)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < list->len; i++) {
		struct finding *f = &list->items[i];
		/* Occurrence index among earlier findings with the same rule, path and key;
		 * the list is sorted, so it follows the order in the file. */
		unsigned occurrence = 0;
		for (size_t j = i; j-- > 0;) {
			const struct finding *g = &list->items[j];
			if (strcmp(g->path, f->path) != 0)
				break;
			if (g->rule == f->rule && strcmp(finding_key(g), finding_key(f)) == 0 &&
			    (finding_scopes(g) & FOUND_TREE) == (finding_scopes(f) & FOUND_TREE))
				occurrence++;
		}
		buf_reset(&b);
		buf_printf(&b, "%s\n%s\n%s\n%u", f->rule->id, f->path, finding_key(f), occurrence);
		if (buf_oom(&b) || hash_hex(f->fingerprint, b.ptr, b.len) < 0) {
			buf_free(&b);
			return error_set("out of memory");
		}
	}
	buf_free(&b);
	return 0;
}

int finding_list_take_new(struct finding_list *out, struct finding_list *now,
			  const struct finding_list *before)
{
	bool *used = calloc(before->len ? before->len : 1, sizeof *used);
	if (!used)
		return error_set("out of memory");
	int rc = 0;
	for (size_t i = 0; i < now->len && !rc; i++) {
		struct finding *f = &now->items[i];
		bool seen = false;
		for (size_t j = 0; j < before->len && !seen; j++) {
			if (!used[j] && before->items[j].rule == f->rule &&
			    !strcmp(finding_key(&before->items[j]), finding_key(f)))
				seen = used[j] = true;
		}
		if (seen)
			continue;
		struct finding *k = finding_list_add(out);
		if (!k) {
			rc = -1;
			break;
		}
		*k = *f;
		memset(f, 0, sizeof *f);
	}
	free(used);
	return rc;
}

const char *finding_rule_id(const struct finding *f)
{
	return f->rule->id;
}
