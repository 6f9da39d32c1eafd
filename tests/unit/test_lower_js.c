/* The JavaScript/TypeScript lowering's guarantees that the dump tests cannot show: a
 * hostile nesting is cut at LOWER_MAX_DEPTH (no stack overflow), and every node built is
 * reachable (ir_link numbers them all: no orphan left by the lowering). */
#include <stdlib.h>

#include "core/buf.h"
#include "core/error.h"
#include "flow/ir.h"
#include "harness.h"
#include "lang/lower.h"
#include "lang/ts.h"

static struct parser_set *parsers;

static void free_parsers(void)
{
	parser_set_free(parsers);
}

static struct ir_file *lower(const char *path, const char *src)
{
	if (!parsers) {
		parsers = parser_set_new();
		atexit(free_parsers);
	}
	struct syntax *syn = NULL;
	struct ir_file *f = NULL;
	if (syntax_parse(&syn, parsers, lang_from_path(path), src, strlen(src), 0) < 0)
		return NULL;
	if (lang_lower(&f, syn, path) < 0)
		f = NULL;
	syntax_free(syn);
	return f;
}

/* Every node is in nodes[] and belongs to a function; every function value stands
 * somewhere as an IR_FUNC node naming it, methods excepted. */
static bool well_formed(const struct ir_file *f)
{
	for (uint32_t i = 0; i < f->nnodes; i++)
		if (!f->nodes[i] || f->nodes[i]->id != i || f->nodes[i]->func < 0)
			return false;
	for (uint32_t i = 1; i < f->nfuncs; i++) {
		const struct ir_func *fn = &f->funcs[i];
		if (!fn->body || fn->parent < 0 || (uint32_t)fn->parent >= f->nfuncs)
			return false;
		bool method = fn->flags & IR_FN_METHOD;
		if (method != (fn->node == NULL))
			return false;
		if (fn->node && (fn->node->kind != IR_FUNC || fn->node->num != i))
			return false;
	}
	for (uint32_t i = 0; i < f->nclasses; i++)
		if (!f->classes[i].node || f->classes[i].node->num != i)
			return false;
	return true;
}

static bool has_cut(const struct ir_file *f)
{
	for (uint32_t i = 0; i < f->nnodes; i++)
		if (f->nodes[i]->flags & IR_F_TRUNC)
			return true;
	return false;
}

/* prefix repeated n times, then middle, then suffix repeated n times */
static char *nest(const char *prefix, const char *middle, const char *suffix, int n)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < n; i++)
		buf_puts(&b, prefix);
	buf_puts(&b, middle);
	for (int i = 0; i < n; i++)
		buf_puts(&b, suffix);
	buf_puts(&b, "\n");
	return buf_detach(&b);
}

static void check_cut(const char *path, const char *prefix, const char *middle, const char *suffix,
		      int n)
{
	char *src = nest(prefix, middle, suffix, n);
	struct ir_file *f = lower(path, src);
	CHECK(f != NULL);
	if (!f)
		fprintf(stderr, "  shape: %s ... %s: %s\n", prefix, suffix, error_last());
	if (f) {
		CHECK(f->truncated);
		CHECK(has_cut(f));
		CHECK(well_formed(f));
	}
	if (f && (!f->truncated || !well_formed(f)))
		fprintf(stderr, "  shape: %s ... %s\n", prefix, suffix);
	ir_file_free(f);
	free(src);
}

TEST(deep_nesting_is_cut)
{
	int n = LOWER_MAX_DEPTH + 200;
	check_cut("a.js", "x = [", "1", "]", n);
	check_cut("a.js", "f(", "1", ")", n);
	check_cut("a.js", "x = {a: ", "1", "}", n);
	check_cut("a.js", "if (a) ", "b();", "", n);
	check_cut("a.js", "{", "b();", "}", n);
	check_cut("a.js", "x = () => ", "1", "", n);
	check_cut("a.js", "function f() {", "", "}", n);
	check_cut("a.js", "x = `${", "1", "}`", n);
	check_cut("a.js", "x = -", "1", "", n);
	check_cut("a.jsx", "x = <a>", "", "</a>", n);
	check_cut("a.js", "class A { m() {", "", "} }", 400); /* parser: 1000 brackets */
}

TEST(long_chains_are_cut)
{
	/* left-recursive chains nest without brackets */
	int n = 5000;
	char *src = nest("", "a", ".b", n);
	struct ir_file *f = lower("a.js", src);
	CHECK(f && f->truncated && well_formed(f));
	ir_file_free(f);
	free(src);
	src = nest("", "x = 1", " + 1", n);
	f = lower("a.ts", src);
	CHECK(f && f->truncated && well_formed(f));
	ir_file_free(f);
	free(src);
}

TEST(shallow_file_is_not_cut)
{
	struct ir_file *f = lower("a.ts", "const {a: b} = o;\n");
	CHECK(f && !f->truncated && well_formed(f));
	ir_file_free(f);
}

/* Lowering helpers build nodes only where they stand: string keys, require() rows,
 * template pieces, enums, JSX, exports and syntax errors leave no orphan. */
TEST(no_orphan_nodes)
{
	static const char *const cases[][2] = {
	    {"a.js", "const {a, 'b': c, [`k`]: d} = require('m'); o['x']; o[`y`] = 1;\n"
		     "import('m'); const m = await import(`n`); export default {a};\n"
		     "module.exports = {f() {}, g: () => 1}; exports.h = class {};\n"},
	    {"a.ts", "enum E { A, B = 'b', C } namespace N { export const x = 1 }\n"
		     "@D() export class K<T> extends B<T> implements I { @P() p = `a${b}c`;\n"
		     "constructor(private x: X, @Q() y = 1) { super() } static {} }\n"
		     "export = K; declare module 'z' {} let v = <T>w!;\n"},
	    {"a.tsx", "export default () => <A b=\"c\" d={e} {...f}>{g}<h.i/><></></A>;\n"},
	    {"a.js", "function ( { a: ; if (x { } class { m( } `${`\n"},
	    {"a.js", "for (let i = 0, j; ; i++) switch (x) { case 1: default: }\n"
		     "try {} catch ({m}) {} finally {} label: while (0) do ; while (0)\n"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ir_file *f = lower(cases[i][0], cases[i][1]);
		CHECK(f != NULL);
		if (f && !well_formed(f))
			fprintf(stderr, "  case %zu is not well formed\n", i);
		CHECK(f && well_formed(f));
		ir_file_free(f);
	}
}

RUN_TESTS(T(deep_nesting_is_cut), T(long_chains_are_cut), T(shallow_file_is_not_cut),
	  T(no_orphan_nodes))
