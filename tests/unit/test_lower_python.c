/* The Python lowering on inputs the golden dumps of tests/lower/python cannot hold: nesting
 * past LOWER_MAX_DEPTH (statements, operator chains, elif chains, attribute chains) is cut
 * with IR_F_TRUNC and the tree stays shallow; every node made is linked into the tree. */
#include <stdlib.h>

#include "flow/ir.h"
#include "harness.h"
#include "lang/lower.h"
#include "lang/ts.h"

/* A growing source text. */
struct text {
	char *s;
	size_t len, cap;
};

static void add(struct text *t, const char *s)
{
	size_t n = strlen(s);
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->s = realloc(t->s, t->cap);
	}
	memcpy(t->s + t->len, s, n + 1);
	t->len += n;
}

static void add_n(struct text *t, const char *s, int n)
{
	for (int i = 0; i < n; i++)
		add(t, s);
}

static struct ir_file *lower(struct text *t)
{
	struct parser_set *ps = parser_set_new();
	struct syntax *syn = NULL;
	struct ir_file *f = NULL;
	if (syntax_parse(&syn, ps, LANG_PYTHON, t->s, t->len, 0) == 0)
		lang_lower(&f, syn, "test.py");
	syntax_free(syn);
	parser_set_free(ps);
	free(t->s);
	*t = (struct text){0};
	return f;
}

/* The deepest chain of parents below a function's body. */
static uint32_t max_depth(const struct ir_file *f)
{
	uint32_t deepest = 0;
	for (uint32_t i = 0; i < f->nnodes; i++) {
		uint32_t d = 0;
		for (const struct ir_node *n = f->nodes[i]; n && n->parent; n = n->parent)
			d++;
		if (d > deepest)
			deepest = d;
	}
	return deepest;
}

/* Every node made is reachable: nodes[id] is set and knows its function. */
static bool all_linked(const struct ir_file *f)
{
	for (uint32_t i = 0; i < f->nnodes; i++) {
		const struct ir_node *n = f->nodes[i];
		if (!n || n->id != i || n->func < 0 || (uint32_t)n->func >= f->nfuncs) {
			fprintf(stderr, "node %u is not linked\n", i);
			return false;
		}
	}
	return true;
}

#define SHALLOW (2 * LOWER_MAX_DEPTH + 8)

TEST(operator_chain_is_cut)
{
	struct text t = {0};
	add(&t, "x = a");
	add_n(&t, " + a", 5000);
	add(&t, "\ny = b\n");
	struct ir_file *f = lower(&t);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(f->truncated);
	CHECK(max_depth(f) <= SHALLOW);
	CHECK(all_linked(f));
	/* the statement after the cut one is still there */
	CHECK_INT(f->funcs[0].body->nkids, 2);
	ir_file_free(f);
}

/* The grammar's scanner stops reading indentation past about 250 levels: blocks that deep,
 * with an expression nested further inside, reach the limit together. */
TEST(nested_blocks_are_cut)
{
	struct text t = {0};
	add(&t, "def f():\n");
	for (int i = 1; i <= 250; i++) {
		add_n(&t, " ", i);
		add(&t, "if x:\n");
	}
	add_n(&t, " ", 251);
	add(&t, "pay(a");
	add_n(&t, " + a", 600);
	add(&t, ")\ng()\n");
	struct ir_file *f = lower(&t);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(f->truncated);
	CHECK(max_depth(f) <= SHALLOW);
	CHECK(all_linked(f));
	CHECK_INT(f->nfuncs, 2);
	CHECK_INT(f->funcs[0].body->nkids, 2);
	ir_file_free(f);
}

TEST(nested_lambdas_are_cut)
{
	struct text t = {0};
	add(&t, "f = ");
	add_n(&t, "lambda: ", 3000);
	add(&t, "1\n");
	struct ir_file *f = lower(&t);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(f->truncated);
	CHECK(f->nfuncs < 600);
	CHECK(max_depth(f) <= SHALLOW);
	CHECK(all_linked(f));
	ir_file_free(f);
}

TEST(long_chains_are_cut)
{
	struct text t = {0};
	add(&t, "if a:\n    pass\n");
	add_n(&t, "elif a:\n    pass\n", 3000);
	add(&t, "c = a");
	add_n(&t, " < a", 3000);
	add(&t, "\nd = a");
	add_n(&t, ".b", 5000);
	add(&t, "\n");
	add_n(&t, "e = ", 3000);
	add(&t, "1\n");
	add(&t, "f = not");
	add_n(&t, " not", 3000);
	add(&t, " a\n");
	struct ir_file *f = lower(&t);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(f->truncated);
	CHECK(max_depth(f) <= SHALLOW);
	CHECK(all_linked(f));
	CHECK_INT(f->funcs[0].body->nkids, 5);
	ir_file_free(f);
}

TEST(every_construct_is_linked)
{
	struct text t = {0};
	add(&t, "import a.b as c\n"
		"@app.route('/x', methods=['POST'])\n"
		"def view(request, *args, ref: str = Query(...), **kw) -> Resp:\n"
		"    '''doc'''\n"
		"    with open(p) as fh, lock:\n"
		"        data = [x for x in fh if x]\n"
		"    match ref:\n"
		"        case 'A' | 'B' if ok: pass\n"
		"        case Point(x=0): pass\n"
		"        case _: pass\n"
		"    try:\n"
		"        r = requests.post(URL, json={'k': v, **o}, headers={'X': f'{k!r:>3}'})\n"
		"    except (A, B) as e:\n"
		"        raise X from e\n"
		"    else:\n"
		"        assert r.ok, 'bad'\n"
		"    finally:\n"
		"        close()\n"
		"    return lambda y: y if y else (z := 3)\n"
		"class Order(Base, metaclass=M):\n"
		"    ref: str = Field(max_length=32)\n"
		"    handler = lambda self: self\n"
		"    class Meta:\n"
		"        ordering = ['-id']\n"
		"    def pay(self):\n"
		"        return self.ref\n"
		"    if DEBUG:\n"
		"        x = 1\n"
		"def broken(:\n"
		"    pay(\n");
	struct ir_file *f = lower(&t);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(!f->truncated);
	CHECK(all_linked(f));
	ir_file_free(f);
}

RUN_TESTS({"operator_chain_is_cut", operator_chain_is_cut},
	  {"nested_blocks_are_cut", nested_blocks_are_cut},
	  {"nested_lambdas_are_cut", nested_lambdas_are_cut},
	  {"long_chains_are_cut", long_chains_are_cut},
	  {"every_construct_is_linked", every_construct_is_linked})
