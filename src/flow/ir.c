#include "flow/ir.h"

#include <stdlib.h>
#include <string.h>

/* One arena per file: chunks of at least CHUNK bytes, freed together. */
#define CHUNK (64 * 1024)

struct chunk {
	struct chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct ir_arena {
	struct chunk *head;
	bool oom;
};

void *ir_alloc(struct ir_file *f, size_t size)
{
	struct ir_arena *a = f->arena;
	if (a->oom)
		return NULL;
	size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	struct chunk *c = a->head;
	if (!c || c->size - c->used < size) {
		size_t want = size > CHUNK ? size : CHUNK;
		c = malloc(sizeof *c + want);
		if (!c) {
			a->oom = true;
			return NULL;
		}
		c->size = want;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

bool ir_file_oom(const struct ir_file *f)
{
	return f->arena->oom;
}

const char *ir_strndup(struct ir_file *f, const char *s, size_t len)
{
	char *p = ir_alloc(f, len + 1);
	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

const char *ir_strdup(struct ir_file *f, const char *s)
{
	return s ? ir_strndup(f, s, strlen(s)) : NULL;
}

struct ir_file *ir_file_new(const char *path, enum lang lang)
{
	struct ir_file *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->arena = calloc(1, sizeof *f->arena);
	f->path = strdup(path);
	if (!f->arena || !f->path) {
		ir_file_free(f);
		return NULL;
	}
	f->lang = lang;
	f->namespace_name = "";
	struct ir_func top = {.name = "", .cls = -1, .parent = -1, .flags = IR_FN_MODULE};
	top.body = ir_node_new(f, IR_BLOCK, 0, 0, 1);
	if (!top.body || ir_func_add(f, &top) < 0) {
		ir_file_free(f);
		return NULL;
	}
	return f;
}

void ir_file_free(struct ir_file *f)
{
	if (!f)
		return;
	if (f->arena) {
		struct chunk *c = f->arena->head;
		while (c) {
			struct chunk *next = c->next;
			free(c);
			c = next;
		}
		free(f->arena);
	}
	free(f->path);
	free(f);
}

struct ir_node *ir_node_new(struct ir_file *f, enum ir_kind kind, uint32_t start, uint32_t end,
			    uint32_t line)
{
	struct ir_node *n = ir_alloc(f, sizeof *n);
	if (!n)
		return NULL;
	n->kind = (uint8_t)kind;
	n->start = start;
	n->end = end;
	n->line = line;
	n->func = -1;
	n->id = f->nnodes++;
	return n;
}

int ir_ptr_push(struct ir_file *f, void ***array, uint32_t *n, void *item)
{
	/* Capacities are powers of two from 4: grow when n reaches one. */
	uint32_t cap = 4;
	while (cap < *n)
		cap *= 2;
	if (*n == 0 || *n == cap) {
		uint32_t want = *n == 0 ? 4 : cap * 2;
		void **p = ir_alloc(f, want * sizeof *p);
		if (!p)
			return -1;
		if (*n)
			memcpy(p, *array, *n * sizeof *p);
		*array = p;
	}
	(*array)[(*n)++] = item;
	return 0;
}

void ir_node_add(struct ir_file *f, struct ir_node *n, struct ir_node *kid)
{
	if (n && kid)
		ir_ptr_push(f, (void ***)&n->kids, &n->nkids, kid);
}

/* Tables of structs grow by doubling too; the old copy stays in the arena. */
static void *table_push(struct ir_file *f, void **table, uint32_t *n, const void *item, size_t size)
{
	uint32_t cap = 4;
	while (cap < *n)
		cap *= 2;
	if (*n == 0 || *n == cap) {
		uint32_t want = *n == 0 ? 4 : cap * 2;
		char *p = ir_alloc(f, want * size);
		if (!p)
			return NULL;
		if (*n)
			memcpy(p, *table, *n * size);
		*table = p;
	}
	char *slot = (char *)*table + (*n)++ * size;
	memcpy(slot, item, size);
	return slot;
}

int32_t ir_func_add(struct ir_file *f, const struct ir_func *fn)
{
	if (!table_push(f, (void **)&f->funcs, &f->nfuncs, fn, sizeof *fn))
		return -1;
	return (int32_t)f->nfuncs - 1;
}

int32_t ir_class_add(struct ir_file *f, const struct ir_class *c)
{
	if (!table_push(f, (void **)&f->classes, &f->nclasses, c, sizeof *c))
		return -1;
	return (int32_t)f->nclasses - 1;
}

struct ir_import *ir_import_add(struct ir_file *f, const struct ir_import *im)
{
	return table_push(f, (void **)&f->imports, &f->nimports, im, sizeof *im);
}

struct ir_export *ir_export_add(struct ir_file *f, const struct ir_export *ex)
{
	return table_push(f, (void **)&f->exports, &f->nexports, ex, sizeof *ex);
}

/* ---- linking: parents, functions, the node table ---- */

struct link_item {
	struct ir_node *n, *parent;
	int32_t func;
};

/* Iterative, so a deeply nested file cannot exhaust the stack. */
static int link_tree(struct ir_file *f, struct ir_node *root, int32_t func)
{
	size_t cap = 256, len = 0;
	struct link_item *stack = malloc(cap * sizeof *stack);
	if (!stack)
		return -1;
	stack[len++] = (struct link_item){root, NULL, func};
	while (len) {
		struct link_item it = stack[--len];
		struct ir_node *n = it.n;
		n->parent = it.parent;
		n->func = it.func;
		if (n->id < f->nnodes)
			f->nodes[n->id] = n;
		/* a function's body belongs to it, linked from its own entry */
		if (n->kind == IR_FUNC || n->kind == IR_CLASS)
			continue;
		size_t need = len + 3 + n->nkids;
		if (need > cap) {
			while (cap < need)
				cap *= 2;
			struct link_item *p = realloc(stack, cap * sizeof *stack);
			if (!p) {
				free(stack);
				return -1;
			}
			stack = p;
		}
		struct ir_node *fixed[3] = {n->a, n->b, n->c};
		for (int i = 0; i < 3; i++)
			if (fixed[i])
				stack[len++] = (struct link_item){fixed[i], n, it.func};
		for (uint32_t i = 0; i < n->nkids; i++)
			if (n->kids[i])
				stack[len++] = (struct link_item){n->kids[i], n, it.func};
	}
	free(stack);
	return 0;
}

static int link_list(struct ir_file *f, struct ir_node **list, uint32_t n, int32_t func)
{
	for (uint32_t i = 0; i < n; i++)
		if (list[i] && link_tree(f, list[i], func) < 0)
			return -1;
	return 0;
}

int ir_link(struct ir_file *f)
{
	if (ir_file_oom(f))
		return -1;
	f->nodes = ir_alloc(f, (f->nnodes ? f->nnodes : 1) * sizeof *f->nodes);
	if (!f->nodes)
		return -1;
	for (uint32_t i = 0; i < f->nfuncs; i++) {
		struct ir_func *fn = &f->funcs[i];
		int32_t where = fn->parent >= 0 ? fn->parent : 0;
		if (fn->body && link_tree(f, fn->body, (int32_t)i) < 0)
			return -1;
		if (link_list(f, fn->decorators, fn->ndecorators, where) < 0)
			return -1;
		for (uint32_t k = 0; k < fn->nparams; k++) {
			struct ir_param *p = &fn->params[k];
			if ((p->pattern && link_tree(f, p->pattern, (int32_t)i) < 0) ||
			    (p->def && link_tree(f, p->def, (int32_t)i) < 0) ||
			    link_list(f, p->decorators, p->ndecorators, (int32_t)i) < 0)
				return -1;
		}
	}
	for (uint32_t i = 0; i < f->nclasses; i++) {
		struct ir_class *c = &f->classes[i];
		int32_t where = c->node && c->node->func >= 0 ? c->node->func : 0;
		if (link_list(f, c->decorators, c->ndecorators, where) < 0)
			return -1;
		for (uint32_t k = 0; k < c->nfields; k++) {
			struct ir_field *fd = &c->fields[k];
			if ((fd->value && link_tree(f, fd->value, where) < 0) ||
			    link_list(f, fd->decorators, fd->ndecorators, where) < 0)
				return -1;
		}
	}
	for (uint32_t i = 0; i < f->nexports; i++)
		if (f->exports[i].value && !f->exports[i].value->parent &&
		    f->exports[i].value->func < 0 && link_tree(f, f->exports[i].value, 0) < 0)
			return -1;
	return 0;
}

/* ---- reading ---- */

static const char *const kind_names[IR_KIND_COUNT] = {
    [IR_NONE] = "none",	    [IR_NAME] = "name",
    [IR_THIS] = "this",	    [IR_SUPER] = "super",
    [IR_MEMBER] = "member", [IR_INDEX] = "index",
    [IR_CALL] = "call",	    [IR_STRING] = "string",
    [IR_NUMBER] = "number", [IR_BOOL] = "bool",
    [IR_NULL] = "null",	    [IR_TEMPLATE] = "template",
    [IR_OBJECT] = "object", [IR_PAIR] = "pair",
    [IR_ARRAY] = "array",   [IR_SPREAD] = "spread",
    [IR_BINARY] = "binary", [IR_UNARY] = "unary",
    [IR_COND] = "cond",	    [IR_ASSIGN] = "assign",
    [IR_FUNC] = "func",	    [IR_CLASS] = "class",
    [IR_AWAIT] = "await",   [IR_PATTERN] = "pattern",
    [IR_OTHER] = "other",   [IR_BLOCK] = "block",
    [IR_EXPR] = "expr",	    [IR_DECL] = "decl",
    [IR_IF] = "if",	    [IR_SWITCH] = "switch",
    [IR_CASE] = "case",	    [IR_LOOP] = "loop",
    [IR_RETURN] = "return", [IR_THROW] = "throw",
    [IR_TRY] = "try",	    [IR_CATCH] = "catch",
    [IR_BREAK] = "break",   [IR_CONTINUE] = "continue",
};

static const char *const op_names[IR_OP_COUNT] = {
    [IR_OP_NONE] = "",
    [IR_OP_EQ] = "==",
    [IR_OP_NE] = "!=",
    [IR_OP_LT] = "<",
    [IR_OP_LE] = "<=",
    [IR_OP_GT] = ">",
    [IR_OP_GE] = ">=",
    [IR_OP_AND] = "&&",
    [IR_OP_OR] = "||",
    [IR_OP_NULLISH] = "??",
    [IR_OP_ADD] = "+",
    [IR_OP_CONCAT] = ".",
    [IR_OP_SUB] = "-",
    [IR_OP_MUL] = "*",
    [IR_OP_DIV] = "/",
    [IR_OP_MOD] = "%",
    [IR_OP_POW] = "**",
    [IR_OP_IN] = "in",
    [IR_OP_NOT_IN] = "not-in",
    [IR_OP_INSTANCEOF] = "instanceof",
    [IR_OP_BIT] = "bit",
    [IR_OP_NOT] = "!",
    [IR_OP_NEG] = "neg",
    [IR_OP_PLUS] = "pos",
    [IR_OP_TYPEOF] = "typeof",
    [IR_OP_ASSIGN] = "=",
    [IR_OP_ASSIGN_ADD] = "+=",
    [IR_OP_ASSIGN_OR] = "||=",
    [IR_OP_ASSIGN_OTHER] = "op=",
    [IR_LOOP_WHILE] = "while",
    [IR_LOOP_DO] = "do",
    [IR_LOOP_FOR] = "for",
    [IR_LOOP_FOREACH] = "foreach",
};

const char *ir_kind_name(enum ir_kind k)
{
	return k < IR_KIND_COUNT && kind_names[k] ? kind_names[k] : "?";
}

const char *ir_op_name(enum ir_op op)
{
	return op < IR_OP_COUNT && op_names[op] ? op_names[op] : "?";
}

bool ir_is_name(const struct ir_node *n, const char *name)
{
	return n && n->kind == IR_NAME && n->text && strcmp(n->text, name) == 0;
}

static bool is_statement(const struct ir_node *n)
{
	return n->kind >= IR_BLOCK;
}

const char *ir_root_name(const struct ir_node *n)
{
	while (n && (n->kind == IR_MEMBER || n->kind == IR_INDEX || n->kind == IR_AWAIT))
		n = n->a;
	return n && n->kind == IR_NAME ? n->text : n && n->kind == IR_THIS ? "this" : NULL;
}

const struct ir_node *ir_statement_of(const struct ir_node *n)
{
	while (n && n->parent && !(n->parent->kind == IR_BLOCK) && !is_statement(n))
		n = n->parent;
	return n;
}

bool ir_within(const struct ir_node *n, const struct ir_node *ancestor)
{
	for (; n; n = n->parent)
		if (n == ancestor)
			return true;
	return false;
}

const struct ir_node *ir_call_arg(const struct ir_node *call, uint32_t i)
{
	if (!call || call->kind != IR_CALL)
		return NULL;
	uint32_t k = 0;
	for (uint32_t j = 0; j < call->nkids; j++) {
		const struct ir_node *a = call->kids[j];
		if (a->kind == IR_PAIR)
			continue;
		if (k++ == i)
			return a;
	}
	return NULL;
}

const struct ir_node *ir_pair_value(const struct ir_node *object, const char *key)
{
	if (!object || (object->kind != IR_OBJECT && object->kind != IR_CALL))
		return NULL;
	for (uint32_t j = 0; j < object->nkids; j++) {
		const struct ir_node *p = object->kids[j];
		if (p->kind == IR_PAIR && p->text && strcmp(p->text, key) == 0)
			return p->b;
		/* a constant as the key: [CURLOPT_URL => $url] */
		if (p->kind == IR_PAIR && !p->text && p->a && p->a->kind == IR_NAME && p->a->text &&
		    strcmp(p->a->text, key) == 0)
			return p->b;
	}
	return NULL;
}

struct walk_item {
	const struct ir_node *n;
};

void ir_walk(const struct ir_node *root, ir_visit_fn fn, void *ctx)
{
	if (!root)
		return;
	size_t cap = 128, len = 0;
	const struct ir_node **stack = malloc(cap * sizeof *stack);
	if (!stack)
		return;
	stack[len++] = root;
	while (len) {
		const struct ir_node *n = stack[--len];
		if (!fn(ctx, n) || n->kind == IR_FUNC || n->kind == IR_CLASS)
			continue;
		size_t need = len + 3 + n->nkids;
		if (need > cap) {
			while (cap < need)
				cap *= 2;
			const struct ir_node **p = realloc(stack, cap * sizeof *stack);
			if (!p)
				break;
			stack = p;
		}
		/* pushed in reverse so the walk visits in source order */
		for (uint32_t i = n->nkids; i-- > 0;)
			if (n->kids[i])
				stack[len++] = n->kids[i];
		const struct ir_node *fixed[3] = {n->a, n->b, n->c};
		for (int i = 3; i-- > 0;)
			if (fixed[i])
				stack[len++] = fixed[i];
	}
	free(stack);
}
