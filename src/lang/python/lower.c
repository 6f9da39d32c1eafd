/* Lowering of Python (tree-sitter-python) into the flow form (flow/ir.h): the entry, the
 * helpers the other files of the lowering share, and imports.
 *
 * Python-specific choices, beyond the conventions every lowering follows:
 *   - module-level code is funcs[0]; a public (not `_`-prefixed) top-level function or
 *     class is flagged exported, since every module-level name can be imported; the
 *     export table stays empty;
 *   - a method's first parameter (self, cls, whatever its name) is left out of its
 *     parameters and read as IR_THIS in its body and in nested functions that do not
 *     rebind it, unless the method is a @staticmethod; @staticmethod and @classmethod
 *     methods are IR_FN_STATIC, __init__ is the constructor;
 *   - `import a.b.c` binds `a`: one row, local "a", spec "a.b.c", name "*" (an alias
 *     binds the alias instead); `from m import a as b`: local "b", spec "m", name "a";
 *     `from m import *`: local NULL, name "*"; `from __future__` is left out;
 *   - class bodies: `x = v` is a static field, `x: T [= v]` an instance field with its
 *     type (ClassVar[...] is static); a nested class (Django's Meta) is a class of its own
 *     and a static field whose value is its IR_CLASS node; other statements of the body
 *     (if DEBUG: ...) run where the class is defined, after its IR_CLASS node;
 *   - `super()` (with or without arguments) is IR_SUPER, so super().f() reads as in
 *     JavaScript;
 *   - `//` is IR_OP_DIV, `@` IR_OP_MUL, `~x` IR_UNARY IR_OP_BIT; a bare capture name in a
 *     `case` matches anything, like `_`: a case without values. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "lang/lower.h"
#include "lang/python/lower_python.h"

static bool is_extra(struct ast_node n)
{
	return ast_is(n, "comment") || ast_is(n, "line_continuation");
}

struct py_kids py_kids(struct py *p, struct ast_node n, bool named)
{
	struct py_kids k = {p->top, 0};
	uint32_t count = named ? ast_named_count(n) : ast_count(n);
	for (uint32_t i = 0; i < count; i++) {
		struct ast_node c = named ? ast_named_child(n, i) : ast_child(n, i);
		if (ast_is_null(c) || is_extra(c))
			continue;
		if (p->top == p->cap) {
			uint32_t cap = p->cap ? p->cap * 2 : 256;
			struct ast_node *s = realloc(p->stack, cap * sizeof *s);
			if (!s) {
				p->oom = true;
				break;
			}
			p->stack = s;
			p->cap = cap;
		}
		p->stack[p->top++] = c;
		k.n++;
	}
	return k;
}

struct ast_node py_kid(const struct py *p, struct py_kids k, uint32_t i)
{
	return p->stack[k.base + i];
}

void py_kids_done(struct py *p, struct py_kids k)
{
	p->top = k.base;
}

struct ast_node py_first(struct py *p, struct ast_node n)
{
	(void)p;
	uint32_t count = ast_named_count(n);
	for (uint32_t i = 0; i < count; i++) {
		struct ast_node c = ast_named_child(n, i);
		if (!is_extra(c))
			return c;
	}
	return ast_named_child(n, count); /* a null node */
}

struct ir_node *py_node(struct py *p, enum ir_kind kind, struct ast_node n)
{
	return ir_node_new(p->f, kind, ast_start(n), ast_end(n), ast_line(n));
}

struct ir_node *py_trunc(struct py *p, struct ast_node n)
{
	struct ir_node *o = py_node(p, IR_OTHER, n);
	if (o)
		o->flags |= IR_F_TRUNC;
	p->f->truncated = true;
	return o;
}

const char *py_text(struct py *p, struct ast_node n)
{
	size_t len;
	const char *s = ast_text(p->syn, n, &len);
	return ir_strndup(p->f, s, len);
}

void py_set_text(struct ir_node *n, const char *text)
{
	if (n && text) {
		n->text = text;
		n->len = (uint32_t)strlen(text);
	}
}

struct ir_node *py_named(struct py *p, enum ir_kind kind, struct ast_node n, struct ast_node text)
{
	struct ir_node *o = py_node(p, kind, n);
	py_set_text(o, py_text(p, text));
	return o;
}

int py_push(struct py *p, void **array, uint32_t *n, const void *item, size_t size)
{
	uint32_t cap = 4;
	while (cap < *n)
		cap *= 2;
	if (*n == 0 || *n == cap) {
		uint32_t want = *n == 0 ? 4 : cap * 2;
		char *a = ir_alloc(p->f, want * size);
		if (!a)
			return -1;
		if (*n)
			memcpy(a, *array, *n * size);
		*array = a;
	}
	memcpy((char *)*array + (size_t)(*n)++ * size, item, size);
	return 0;
}

static void import_add(struct py *p, struct ast_node at, const char *local, const char *spec,
		       const char *name)
{
	struct ir_import im = {
	    .kind = IR_IMPORT_PY, .local = local, .spec = spec, .name = name, .line = ast_line(at)};
	ir_import_add(p->f, &im);
}

/* The first segment of a dotted name: what `import a.b.c` binds. */
static const char *first_segment(struct py *p, struct ast_node dotted)
{
	struct ast_node id = py_first(p, dotted);
	return py_text(p, ast_is_null(id) ? dotted : id);
}

/* import a.b.c [as z], ...; from m import a [as b], ... | *. The statement leaves
 * nothing in the body: it computes nothing the flow rules follow. */
void py_import(struct py *p, struct ast_node n)
{
	bool from = ast_is(n, "import_from_statement");
	struct ast_node module = ast_field(n, "module_name");
	const char *spec = from ? py_text(p, module) : NULL;
	struct py_kids k = py_kids(p, n, true);
	for (uint32_t i = 0; i < k.n; i++) {
		struct ast_node c = py_kid(p, k, i);
		if (from && ast_start(c) == ast_start(module))
			continue;
		if (ast_is(c, "wildcard_import")) {
			import_add(p, c, NULL, spec, "*");
		} else if (ast_is(c, "aliased_import")) {
			const char *name = py_text(p, ast_field(c, "name"));
			const char *alias = py_text(p, ast_field(c, "alias"));
			if (from)
				import_add(p, c, alias, spec, name);
			else
				import_add(p, c, alias, name, "*");
		} else if (ast_is(c, "dotted_name")) {
			const char *name = py_text(p, c);
			if (from)
				import_add(p, c, name, spec, name);
			else
				import_add(p, c, first_segment(p, c), name, "*");
		}
	}
	py_kids_done(p, k);
}

int python_lower(struct ir_file *f, const struct syntax *syn)
{
	struct py p = {.f = f, .syn = syn, .func = 0};
	struct ast_node root = ast_root(syn);
	struct ir_func *top = &f->funcs[0];
	top->start = ast_start(root);
	top->end = ast_end(root);
	top->body->start = top->start;
	top->body->end = top->end;
	py_block(&p, root, f->funcs[0].body, 0, true);
	free(p.stack);
	if (p.oom)
		return error_set("%s: out of memory", f->path);
	return 0;
}
