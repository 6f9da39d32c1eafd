/* `ocpay-audit dump`: a file's flow form as text, for people and for the lowering tests. */
#include "flow/ir.h"

#include <stdio.h>
#include <string.h>

#include "core/utf8.h"

/* Quoted, with bytes that are not well-formed UTF-8 or are controls escaped: the dump is
 * always valid UTF-8, whatever the file held. */
static void dump_text(FILE *out, const char *s, uint32_t len)
{
	fputc('"', out);
	for (uint32_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		unsigned cp;
		size_t n = c >= 0x80 ? utf8_char(s + i, len - i, &cp) : 1;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c < 0x20 || c == 0x7f || n == 0 || (c >= 0x80 && utf8_is_control(cp)))
			fprintf(out, "\\x%02x", c);
		else
			fwrite(s + i, 1, n, out);
		i += n ? (uint32_t)n : 1;
	}
	fputc('"', out);
}

struct dump {
	FILE *out;
	const struct ir_file *f;
	bool lines;
};

static void dump_node(struct dump *d, const struct ir_node *n, int depth);

static void dump_list(struct dump *d, struct ir_node *const *list, uint32_t n, int depth)
{
	for (uint32_t i = 0; i < n; i++)
		dump_node(d, list[i], depth);
}

static void indent(FILE *out, int depth)
{
	fputc('\n', out);
	for (int i = 0; i < depth; i++)
		fputs("  ", out);
}

static void dump_node(struct dump *d, const struct ir_node *n, int depth)
{
	FILE *out = d->out;
	indent(out, depth);
	if (!n) {
		fputs("()", out);
		return;
	}
	fprintf(out, "(%s", ir_kind_name(n->kind));
	if (n->op)
		fprintf(out, " %s", ir_op_name(n->op));
	static const struct {
		uint16_t bit;
		const char *name;
	} flags[] = {{IR_F_NEW, "new"},	      {IR_F_OPTIONAL, "?."}, {IR_F_INDEX, "[]"},
		     {IR_F_STATIC, "::"},     {IR_F_CONST, "const"}, {IR_F_ARRAY, "by-position"},
		     {IR_F_STRICT, "strict"}, {IR_F_EXIT, "exit"},   {IR_F_TRUNC, "truncated"},
		     {IR_F_ASYNC, "async"},   {IR_F_RAW, "regex"}};
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		if (n->flags & flags[i].bit)
			fprintf(out, " :%s", flags[i].name);
	if (d->lines)
		fprintf(out, " @%u", n->line);
	if (n->text) {
		fputc(' ', out);
		dump_text(out, n->text, n->len);
	}
	if (n->kind == IR_NUMBER || n->kind == IR_BOOL)
		fprintf(out, " %g", n->num);
	if (n->kind == IR_FUNC || n->kind == IR_CLASS) {
		fprintf(out, " #%d)", (int)n->num);
		return;
	}
	struct ir_node *fixed[3] = {n->a, n->b, n->c};
	int last = n->c ? 3 : n->b ? 2 : n->a ? 1 : 0;
	for (int i = 0; i < last; i++)
		dump_node(d, fixed[i], depth + 1);
	dump_list(d, n->kids, n->nkids, depth + 1);
	fputc(')', out);
}

static void dump_decorators(struct dump *d, struct ir_node *const *list, uint32_t n, int depth)
{
	if (!n)
		return;
	indent(d->out, depth);
	fputs("(decorators", d->out);
	dump_list(d, list, n, depth + 1);
	fputc(')', d->out);
}

static void dump_func(struct dump *d, uint32_t i)
{
	const struct ir_func *fn = &d->f->funcs[i];
	FILE *out = d->out;
	fprintf(out, "(function #%u ", i);
	dump_text(out, fn->name ? fn->name : "", fn->name ? (uint32_t)strlen(fn->name) : 0);
	if (fn->cls >= 0)
		fprintf(out, " :class #%d", fn->cls);
	if (fn->parent >= 0)
		fprintf(out, " :in #%d", fn->parent);
	static const struct {
		uint16_t bit;
		const char *name;
	} flags[] = {
	    {IR_FN_EXPORTED, "exported"},   {IR_FN_DEFAULT, "default"}, {IR_FN_ASYNC, "async"},
	    {IR_FN_METHOD, "method"},	    {IR_FN_STATIC, "static"},	{IR_FN_CTOR, "constructor"},
	    {IR_FN_GENERATOR, "generator"}, {IR_FN_ARROW, "arrow"},	{IR_FN_MODULE, "module"}};
	for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
		if (fn->flags & flags[k].bit)
			fprintf(out, " :%s", flags[k].name);
	if (fn->returns) {
		fputs(" :returns ", out);
		dump_text(out, fn->returns, (uint32_t)strlen(fn->returns));
	}
	if (d->lines)
		fprintf(out, " @%u", fn->line);
	dump_decorators(d, fn->decorators, fn->ndecorators, 1);
	for (uint32_t k = 0; k < fn->nparams; k++) {
		const struct ir_param *p = &fn->params[k];
		indent(out, 1);
		fputs("(param", out);
		if (p->name) {
			fputc(' ', out);
			dump_text(out, p->name, (uint32_t)strlen(p->name));
		}
		if (p->type) {
			fputs(" :type ", out);
			dump_text(out, p->type, (uint32_t)strlen(p->type));
		}
		if (p->rest)
			fputs(" :rest", out);
		if (p->promoted)
			fputs(" :promoted", out);
		dump_decorators(d, p->decorators, p->ndecorators, 2);
		if (p->pattern)
			dump_node(d, p->pattern, 2);
		if (p->def) {
			indent(out, 2);
			fputs("(default", out);
			dump_node(d, p->def, 3);
			fputc(')', out);
		}
		fputc(')', out);
	}
	dump_node(d, fn->body, 1);
	fputs(")\n", out);
}

static void dump_name(FILE *out, const char *label, const char *s)
{
	if (!s)
		return;
	fprintf(out, " :%s ", label);
	dump_text(out, s, (uint32_t)strlen(s));
}

void ir_dump(FILE *out, const struct ir_file *f, bool with_lines)
{
	struct dump d = {out, f, with_lines};
	fprintf(out, "(file ");
	dump_text(out, f->path, (uint32_t)strlen(f->path));
	fprintf(out, " %s", lang_name(f->lang));
	if (f->namespace_name && *f->namespace_name)
		dump_name(out, "namespace", f->namespace_name);
	if (f->truncated)
		fputs(" :truncated", out);
	fputs(")\n", out);
	for (uint32_t i = 0; i < f->nimports; i++) {
		const struct ir_import *im = &f->imports[i];
		static const char *const kinds[] = {"es",      "require", "dynamic", "use",
						    "include", "py",	  "type",    "auto"};
		fprintf(out, "(import %s", im->kind < sizeof kinds / sizeof *kinds ? kinds[im->kind] : "?");
		dump_name(out, "local", im->local);
		dump_name(out, "from", im->spec);
		dump_name(out, "name", im->name);
		fputs(")\n", out);
	}
	for (uint32_t i = 0; i < f->nexports; i++) {
		const struct ir_export *ex = &f->exports[i];
		fputs("(export", out);
		dump_name(out, "name", ex->name);
		dump_name(out, "local", ex->local);
		dump_name(out, "from", ex->from);
		if (ex->value)
			dump_node(&d, ex->value, 1);
		fputs(")\n", out);
	}
	for (uint32_t i = 0; i < f->nclasses; i++) {
		const struct ir_class *c = &f->classes[i];
		fprintf(out, "(class #%u ", i);
		dump_text(out, c->name ? c->name : "", c->name ? (uint32_t)strlen(c->name) : 0);
		dump_name(out, "extends", c->extends);
		for (uint32_t k = 0; k < c->nimplements; k++)
			dump_name(out, "implements", c->implements[k]);
		if (c->exported)
			fputs(" :exported", out);
		dump_decorators(&d, c->decorators, c->ndecorators, 1);
		for (uint32_t k = 0; k < c->nfields; k++) {
			const struct ir_field *fd = &c->fields[k];
			indent(out, 1);
			fputs("(field ", out);
			dump_text(out, fd->name ? fd->name : "",
				  fd->name ? (uint32_t)strlen(fd->name) : 0);
			dump_name(out, "type", fd->type);
			if (fd->is_static)
				fputs(" :static", out);
			dump_decorators(&d, fd->decorators, fd->ndecorators, 2);
			if (fd->value)
				dump_node(&d, fd->value, 2);
			fputc(')', out);
		}
		for (uint32_t k = 0; k < c->nmethods; k++)
			fprintf(out, "\n  (method #%d)", c->methods[k]);
		fputs(")\n", out);
	}
	for (uint32_t i = 0; i < f->nfuncs; i++)
		dump_func(&d, i);
}
