/* The pages that request the shop's own routes: when a file of the OCPay integration
 * defines a route (app.get('/api/orders/:id/status'), app/api/.../route.ts, a Laravel or
 * Django route), the JavaScript files and pages mentioning its fixed start
 * (flow_route_texts: "/api/orders") are read by the flow rules, and so are those
 * importing them (the page whose timer calls that wrapper). A page polling the endpoint
 * every few seconds is then seen. */
#define _GNU_SOURCE /* memmem */
#include <stdlib.h>
#include <string.h>

#include "check/flow_requesters.h"
#include "core/error.h"
#include "source/files.h"
#include "source/resolve.h"

struct requester {
	const struct scan *s;
	const char *from;
	const bool *hit;
	bool found;
};

static void import_of_requester(void *ctx, const char *spec, size_t len)
{
	struct requester *rq = ctx;
	long k = resolve_import(&rq->s->resolver, rq->from, spec, len);
	rq->found |= k >= 0 && rq->hit[k];
}

int flow_requesters(const struct scan *s, const char (*texts)[FLOW_ROUTE_TEXT], size_t n,
		    bool *wanted)
{
	bool *hit = calloc(s->files.len ? s->files.len : 1, sizeof *hit), any = false;
	int rc = hit ? 0 : error_set("out of memory");
	for (int pass = 0; !rc && n && pass < 2 && (pass == 0 || any); pass++)
		for (size_t i = 0; i < s->files.len; i++) {
			const char *p = s->files.items[i].path;
			bool kept = s->flow_kept && s->flow_kept[i];
			if (!lang_is_js(lang_from_path(p)) || (pass == 1 && kept) ||
			    (s->files.items[i].flags & FILE_SYMLINK))
				continue;
			struct requester rq = {s, p, hit, false};
			const struct file_facts *f = s->facts ? &s->facts[i] : NULL;
			if (pass == 1 && f && f->listed) {
				/* the scan's second pass listed what it imports */
				for (uint32_t k = 0; k < f->nimports && !rq.found; k++)
					rq.found = hit[f->imports[k]];
				wanted[i] |= rq.found && !kept;
				continue;
			}
			size_t len = 0;
			char *data = file_read_small(s->root, p, s->opt->max_parse_size, &len);
			for (size_t k = 0; data && pass == 0 && k < n && !rq.found; k++)
				rq.found = memmem(data, len, texts[k], strlen(texts[k])) != NULL;
			if (data && pass == 1 && s->resolver.files)
				resolver_list_imports(&s->resolver, data, len, import_of_requester,
						      &rq);
			free(data);
			any |= hit[i] = rq.found && pass == 0;
			wanted[i] |= rq.found && !kept;
		}
	free(hit);
	return rc;
}
