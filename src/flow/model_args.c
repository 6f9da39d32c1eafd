/* Calls and paths matched with the models: a row for a node, a call's argument by a
 * row's spelling ("0", "1.body", "frequency|0", "@every.0", "this", "last"), the answer to
 * the client, validators. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/error.h"
#include "flow/flow_private.h"

#define MAX_DEPTH 24

const struct model_row *model_for(const struct flow *f, int32_t file, enum model_kind kind,
				  const struct ir_node *n)
{
	struct path p;
	const struct ir_file *ir = flow_ir(f, file);
	if (!ir || !path_of(&p, n) || !p.n)
		return NULL;
	return model_match(f->models, kind, ir->lang, &p);
}

const struct model_row *flow_model(const struct flow *f, int32_t file, enum model_kind kind,
				   const struct ir_node *n)
{
	return model_for(f, file, kind, n);
}

/* One spelling of an argument (no alternatives). */
static const struct ir_node *model_arg_one(const struct ir_node *call, const char *spec, size_t len)
{
	char one[64];
	if (!len || len >= sizeof one)
		return NULL;
	memcpy(one, spec, len);
	one[len] = '\0';
	if (call->kind == IR_OBJECT) /* a schedule written as a table: its keys */
		return ir_pair_value(call, one);
	if (!strcmp(one, "this"))
		return call->a && call->a->kind == IR_MEMBER ? call->a->a : NULL;
	if (!strcmp(one, "last")) {
		const struct ir_node *last = NULL;
		for (uint32_t i = 0; ir_call_arg(call, i); i++)
			last = ir_call_arg(call, i);
		return last;
	}
	if (one[0] == '@') {
		/* "@every.0": an argument of the call named `every` in the receiver chain:
		 * schedule.every(5).seconds.do(job), Sleep::for(5)->seconds() */
		char *dot = strchr(one, '.');
		struct path p;
		if (!dot || !path_of(&p, call))
			return NULL;
		*dot = '\0';
		for (unsigned i = p.n; i-- > 0;)
			if (p.call[i] && p.node[i] != call && !strcmp(p.seg[i], one + 1))
				return model_arg_one(p.node[i], dot + 1, strlen(dot + 1));
		return NULL;
	}
	if (one[0] >= '0' && one[0] <= '9') {
		char *end;
		unsigned long i = strtoul(one, &end, 10);
		const struct ir_node *arg = ir_call_arg(call, (uint32_t)i);
		/* "2.options.min_range": keys of nested literals */
		while (*end == '.' && arg) {
			char key[64];
			const char *next = strchr(end + 1, '.');
			size_t klen = next ? (size_t)(next - end - 1) : strlen(end + 1);
			if (klen >= sizeof key)
				return NULL;
			memcpy(key, end + 1, klen);
			key[klen] = '\0';
			arg = ir_pair_value(arg, key);
			end += klen + 1;
		}
		return *end ? NULL : arg;
	}
	return ir_pair_value(call, one); /* a named argument */
}

const struct ir_node *model_arg(const struct ir_node *call, const char *spec)
{
	if (!call || (call->kind != IR_CALL && call->kind != IR_OBJECT) || !spec || !*spec)
		return NULL;
	/* "frequency|0": the named argument, else the first */
	for (const char *p = spec;;) {
		size_t len = strcspn(p, "|");
		const struct ir_node *arg = model_arg_one(call, p, len);
		if (arg || !p[len])
			return arg;
		p += len + 1;
	}
}

/* A call the models name an answer to the client (res.json(), reply.send()), unless its
 * receiver is a local holding something else: `const res = await fetch(...)`. */
const struct model_row *model_response(const struct flow *f, int32_t file, const struct path *p)
{
	const struct model_row *r =
	    model_match(f->models, MODEL_RESPONSE, flow_ir(f, file)->lang, p);
	if (!r || p->n < 2 || !p->node[0] || p->node[0]->kind != IR_NAME)
		return r;
	const struct def *d = def_reaching(f, file, p->node[0], p->node[0]);
	return d && (d->how == DEF_ASSIGN || d->how == DEF_PATTERN) ? NULL : r;
}

bool model_arg_is(const struct ir_node *call, const char *spec)
{
	char *end;
	unsigned long i = strtoul(spec, &end, 10);
	const struct ir_node *arg = ir_call_arg(call, (uint32_t)i);
	return *end == '=' && arg && arg->text &&
	       (arg->kind == IR_STRING || arg->kind == IR_NAME || arg->kind == IR_MEMBER) &&
	       model_list_has(end + 1, arg->text, strlen(arg->text));
}

const struct model_row *model_validator(const struct flow *f, int32_t file,
					const struct ir_node *call)
{
	const struct model_row *r = model_for(f, file, MODEL_VALIDATOR, call);
	return r && !r->attr[MODEL_ATTR_SCHEMA] ? r : NULL;
}
