#define _GNU_SOURCE /* strcasestr */
/* What the code names of the OCPay API that the engine did not tie to a call: an endpoint
 * literal (".../ocpay/createLink") that is no piece of an understood call's URL (a table
 * of endpoints beside a plain fetch), or an SDK import with no API call understood in its
 * file, in a file that imports it, or through a function it defines. The rules that
 * depend on those calls cannot pass on a project the engine did not follow: their
 * checklist items say unknown, naming the place. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "flow/flow_private.h"

int flow_note_api_url(struct flow *f, struct flow_query *q, int32_t file, const struct ir_node *url)
{
	const struct ir_node *pieces[16];
	size_t n = url ? flow_string_pieces(q, file, url, pieces, 16) : 0;
	for (size_t i = 0; i < n; i++) {
		if (f->napi_strings == f->api_strings_cap) {
			size_t cap = f->api_strings_cap ? 2 * f->api_strings_cap : 16;
			const struct ir_node **p = realloc(f->api_strings, cap * sizeof *p);
			if (!p)
				return -1;
			f->api_strings = p;
			f->api_strings_cap = cap;
		}
		f->api_strings[f->napi_strings++] = pieces[i];
	}
	return 0;
}

static bool api_string(const struct flow *f, const struct ir_node *n)
{
	for (size_t i = 0; i < f->napi_strings; i++)
		if (f->api_strings[i] == n)
			return true;
	return false;
}

/* Whether an API event of kind exists in file, in a file importing it (two levels), or
 * through a function of file (a wrapper). */
static bool explained(const struct flow *f, int32_t file, enum flow_event_kind kind, int depth)
{
	for (size_t i = 0; i < f->nfiles; i++) {
		const struct flow_file *ff = &f->files[i];
		bool here = (int32_t)i == file, importer = false;
		for (uint32_t k = 0; !here && k < ff->ir->nimports; k++)
			importer |= ff->import_file[k] == file;
		for (uint32_t fn = 0; fn < ff->ir->nfuncs; fn++)
			for (uint32_t e = 0; e < ff->nevents[fn]; e++) {
				const struct flow_event *ev = &ff->events[fn][e];
				if (ev->kind != kind)
					continue;
				if (here || (importer && depth == 0) || ev->via.file == file)
					return true;
			}
		if (importer && depth == 0 && explained(f, (int32_t)i, kind, depth + 1))
			return true;
	}
	return false;
}

struct mentions {
	const struct flow *f;
	int32_t file;
	bool create, check;
	uint32_t create_line, check_line;
	bool vouched[EV_KIND_COUNT]; /* the file's calls of a kind are made elsewhere */
};

/* Whether a function of file itself makes an API call of kind. */
static bool called_here(const struct flow *f, int32_t file, enum flow_event_kind kind)
{
	const struct flow_file *ff = &f->files[file];
	for (uint32_t fn = 0; fn < ff->ir->nfuncs; fn++)
		for (uint32_t e = 0; e < ff->nevents[fn]; e++)
			if (ff->events[fn][e].kind == kind)
				return true;
	return false;
}

/* Whether a literal naming an endpoint is no request of its own: a message or a docstring
 * (words), or the path of one of the project's routes (a proxy's own URL). */
static bool not_a_request(const struct flow *f, const struct ir_node *n)
{
	for (uint32_t i = 0; i < n->len; i++)
		if (n->text[i] == ' ' || n->text[i] == '\n' || n->text[i] == '\t')
			return true;
	return flow_fn_ok(routes_find(f, n->text));
}

static bool visit_string(void *ctx, const struct ir_node *n)
{
	struct mentions *m = ctx;
	if (n->kind != IR_STRING || !n->text)
		return true;
	size_t nrows;
	const struct model_row *const *rows = model_rows(m->f->models, MODEL_ENDPOINT, &nrows);
	for (size_t i = 0; i < nrows; i++) {
		const char *what = rows[i]->attr[MODEL_ATTR_FOR];
		if (!what || rows[i]->attr[MODEL_ATTR_ON] || !strcasestr(n->text, rows[i]->text))
			continue;
		/* each literal is judged: one call understood does not vouch for another
		 * (a lookup table of endpoints beside a plain fetch) */
		if (api_string(m->f, n) || not_a_request(m->f, n))
			return true;
		if (!strcmp(what, "createLink") && !m->create && !m->vouched[EV_CREATE_LINK]) {
			m->create = true;
			m->create_line = n->line;
		} else if (!strcmp(what, "checkPayment") && !m->check &&
			   !m->vouched[EV_CHECK_PAYMENT]) {
			m->check = true;
			m->check_line = n->line;
		}
	}
	return true;
}

bool flow_has_api_call(const struct flow *f)
{
	for (size_t i = 0; i < f->nfiles; i++) {
		const struct flow_file *ff = &f->files[i];
		for (uint32_t fn = 0; fn < ff->ir->nfuncs; fn++)
			for (uint32_t e = 0; e < ff->nevents[fn]; e++)
				if (ff->events[fn][e].kind == EV_CREATE_LINK ||
				    ff->events[fn][e].kind == EV_CHECK_PAYMENT)
					return true;
	}
	return false;
}

size_t flow_unexplained(const struct flow *f, struct flow_unexplained *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < f->nfiles && n < max; i++) {
		const struct ir_file *ir = f->files[i].ir;
		struct mentions m = {f, (int32_t)i, false, false, 0, 0, {false}};
		/* an SDK's source whose methods the project calls (ocpay.createLink()): its
		 * endpoints are those calls', unless the file makes such a call itself */
		m.vouched[EV_CREATE_LINK] = !called_here(f, (int32_t)i, EV_CREATE_LINK) &&
					    explained(f, (int32_t)i, EV_CREATE_LINK, 0);
		m.vouched[EV_CHECK_PAYMENT] = !called_here(f, (int32_t)i, EV_CHECK_PAYMENT) &&
					      explained(f, (int32_t)i, EV_CHECK_PAYMENT, 0);
		/* a test's mocks name the endpoints without calling them */
		bool test = f->files[i].info.test;
		for (uint32_t k = 0; k < ir->nfuncs && !test; k++)
			ir_walk(ir->funcs[k].body, visit_string, &m);
		for (uint32_t c = 0; c < ir->nclasses && !test; c++)
			for (uint32_t k = 0; k < ir->classes[c].nfields; k++)
				ir_walk(ir->classes[c].fields[k].value, visit_string, &m);
		/* an SDK imported: both calls may be made through it */
		size_t nrows;
		const struct model_row *const *rows = model_rows(f->models, MODEL_SDK, &nrows);
		for (uint32_t k = 0; k < ir->nimports; k++)
			for (size_t r = 0; r < nrows; r++) {
				const struct ir_import *im = &ir->imports[k];
				size_t len = strlen(rows[r]->text);
				if (!(rows[r]->langs & LANG_BIT(ir->lang)) || !im->spec ||
				    im->kind == IR_IMPORT_TYPE ||
				    strncasecmp(im->spec, rows[r]->text, len) ||
				    (im->spec[len] && !strchr("./\\-", im->spec[len])))
					continue;
				if (!m.create && !m.check) {
					/* either call, whichever the project makes */
					if (!explained(f, (int32_t)i, EV_CREATE_LINK, 0) &&
					    !explained(f, (int32_t)i, EV_CHECK_PAYMENT, 0) &&
					    n < max)
						out[n++] = (struct flow_unexplained){
						    (int32_t)i, im->line, EV_KIND_COUNT, true};
				}
			}
		if (m.create && n < max)
			out[n++] = (struct flow_unexplained){(int32_t)i, m.create_line,
							     EV_CREATE_LINK, false};
		if (m.check && n < max)
			out[n++] = (struct flow_unexplained){(int32_t)i, m.check_line,
							     EV_CHECK_PAYMENT, false};
	}
	return n;
}
