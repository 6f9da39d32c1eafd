/* Names a framework imports by itself: a Nuxt server route calls a function of
 * server/utils/ with no import line. The folders come from the auto_import models; the
 * project index binds each name a file leaves undeclared to the export of that name, as
 * if the file had imported it, so calls and values follow it like any other import. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "flow/flow_private.h"

/* Whether the folder prefix (len bytes, ending in '/' or empty) ends with the segment root. */
static bool ends_with_segment(const char *path, size_t len, const char *root)
{
	size_t n = strlen(root);
	return len > n && path[len - 1] == '/' && !strncmp(path + len - 1 - n, root, n) &&
	       (len - 1 == n || path[len - 2 - n] == '/');
}

size_t flow_auto_import_dirs(const struct model_set *m, enum lang lang, const char *path,
			     char (*out)[FLOW_AUTO_DIR], size_t max)
{
	size_t nrows, n = 0;
	const struct model_row *const *rows = model_rows(m, MODEL_AUTO_IMPORT, &nrows);
	for (size_t k = 0; k < nrows; k++) {
		if (!(rows[k]->langs & LANG_BIT(lang)))
			continue;
		const char *root = rows[k]->attr[MODEL_ATTR_ROOT];
		/* every folder above the file (and the root of the tree): "", "shop/", ... */
		for (size_t len = 0; n < max;) {
			size_t base = len; /* the project folder the row's folder is in */
			if (root) {
				/* the file must be under base + root + "/": the prefix up to a
				 * folder named root, less that folder */
				const char *slash = strchr(path + len, '/');
				if (!slash)
					break;
				len = (size_t)(slash - path) + 1;
				if (!ends_with_segment(path, len, root))
					continue;
				base = len - strlen(root) - 1;
			}
			if ((size_t)snprintf(out[n], FLOW_AUTO_DIR, "%.*s%s/", (int)base, path,
					     rows[k]->text) < FLOW_AUTO_DIR &&
			    strncmp(path, out[n], strlen(out[n])) != 0)
				n++; /* a file inside the folder sees its siblings by import */
			if (!root) {
				const char *slash = strchr(path + len, '/');
				if (!slash)
					break;
				len = (size_t)(slash - path) + 1;
			}
		}
	}
	return n;
}

/* The first index of by_path whose path is not before prefix. */
static size_t first_from(const struct flow *f, const char *prefix)
{
	size_t lo = 0, hi = f->nfiles;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(f->files[f->by_path[mid]].ir->path, prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Adds to file an import of every export of the files under dir it does not declare. */
static int import_dir(struct flow *f, int32_t file, const char *dir, bool *added)
{
	size_t dlen = strlen(dir);
	for (size_t i = first_from(f, dir); i < f->nfiles; i++) {
		int32_t from = f->by_path[i];
		const struct ir_file *src = f->files[from].ir;
		if (strncmp(src->path, dir, dlen))
			break;
		struct ir_file *ir = f->files[file].ir;
		if (from == file || (src->lang != ir->lang && !(lang_is_js(src->lang) && lang_is_js(ir->lang))))
			continue;
		for (uint32_t k = 0; k < src->nexports; k++) {
			const struct ir_export *ex = &src->exports[k];
			uint32_t declared;
			if (!ex->name || !strcmp(ex->name, "default") || !strcmp(ex->name, "*") ||
			    scope_lookup(f, file, 0, ex->name, &declared))
				continue;
			struct ir_import im = {.kind = IR_IMPORT_AUTO,
					       .local = ir_strdup(ir, ex->name),
					       .spec = ir_strdup(ir, src->path),
					       .name = ir_strdup(ir, ex->name)};
			if (!im.local || !im.spec || !im.name || !ir_import_add(ir, &im))
				return error_set("out of memory");
			*added = true;
		}
	}
	return 0;
}

int auto_imports_bind(struct flow *f)
{
	for (size_t i = 0; i < f->nfiles; i++) {
		struct flow_file *ff = &f->files[i];
		char dirs[8][FLOW_AUTO_DIR];
		size_t n = flow_auto_import_dirs(f->models, ff->ir->lang, ff->ir->path, dirs, 8);
		bool added = false;
		for (size_t k = 0; k < n; k++)
			if (import_dir(f, (int32_t)i, dirs[k], &added) < 0)
				return -1;
		if (!added)
			continue;
		for (uint32_t k = 0; k < ff->ir->nfuncs; k++)
			free(ff->scopes[k].defs);
		free(ff->scopes);
		ff->scopes = NULL;
		if (scopes_build(f, (int32_t)i) < 0)
			return -1;
	}
	return 0;
}
