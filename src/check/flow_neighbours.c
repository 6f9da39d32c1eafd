/* The files around the OCPay code, for the flow rules: the files the kept ones import
 * (JavaScript through the resolver, Python modules and packages, PHP classes by their
 * namespace's tail and includes), and the PHP and Python files that name a kept file's
 * classes or module (its callers). */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/flow_neighbours.h"
#include "check/flow_records.h"
#include "check/flow_requesters.h"
#include "core/error.h"
#include "source/files.h"
#include "source/resolve.h"

#define NEIGHBOUR_ROUNDS 3
#define NEIGHBOUR_MAX 2000 /* files lowered for their neighbours' sake, at most */

/* Registers the file of the list at index for its neighbours' sake. */
static int keep_file(struct scan *s, long index, size_t *count)
{
	if (flow_stage_kept(s, index))
		return 0;
	const struct file_entry *e = &s->files.items[index];
	if (lang_from_path(e->path) == LANG_TEXT || (e->flags & FILE_SYMLINK))
		return 0;
	if (++*count > NEIGHBOUR_MAX) {
		if (*count == NEIGHBOUR_MAX + 1)
			scan_note_incomplete(s, "more than %d files around the OCPay code: the flow "
						"rules follow calls into the first %d only",
					     NEIGHBOUR_MAX, NEIGHBOUR_MAX);
		return 0;
	}
	scan_log(s, "%s: read for the flow rules: it is linked to OCPay code", e->path);
	if (flow_stage_keep(s, index) < 0)
		return -1;
	s->flow_records[s->nflow_records - 1].linked = true; /* one thread expands */
	return 0;
}

/* dir (dirlen bytes, ending in '/' or empty) joined to rest, with its "./" and "../"
 * folded: public/ + ../bootstrap.php is bootstrap.php. False when it leaves the tree. */
static bool join_path(char *out, size_t size, const char *dir, size_t dirlen, const char *rest)
{
	if ((size_t)snprintf(out, size, "%.*s", (int)dirlen, dir) >= size)
		return false;
	size_t len = strlen(out);
	for (;;) {
		if (!strncmp(rest, "./", 2)) {
			rest += 2;
		} else if (!strncmp(rest, "../", 3)) {
			if (!len)
				return false;
			len--; /* the '/' ending the last folder */
			while (len && out[len - 1] != '/')
				len--;
			out[len] = '\0';
			rest += 3;
		} else {
			break;
		}
	}
	return (size_t)snprintf(out + len, size - len, "%s", rest) < size - len;
}

/* Python: a dotted module, relative (leading dots) or from the root or a folder above. */
static void python_candidates(const struct scan *s, const char *from, const char *spec,
			      const char *name, long *out, size_t *n, size_t max)
{
	char rel[512], path[1024], dir[512];
	size_t dots = 0, k = 0;
	while (spec[dots] == '.')
		dots++;
	for (const char *p = spec + dots; *p && k + 1 < sizeof rel; p++)
		rel[k++] = *p == '.' ? '/' : *p;
	rel[k] = '\0';
	const char *slash = strrchr(from, '/');
	size_t dl = slash ? (size_t)(slash - from + 1) : 0;
	snprintf(dir, sizeof dir, "%.*s", (int)dl, from);
	for (size_t i = 1; i < dots; i++) {
		size_t len = strlen(dir);
		if (len)
			dir[len - 1] = '\0';
		char *up = strrchr(dir, '/');
		if (up)
			up[1] = '\0';
		else
			dir[0] = '\0';
	}
	static const char *const tails[] = {".py", "/__init__.py"};
	const char *bases[8];
	size_t nb = 0;
	char ancestors[4][512];
	if (dots) {
		bases[nb++] = dir;
	} else {
		bases[nb++] = "";
		/* folders above the importing file: src layouts */
		size_t len = dl;
		for (int a = 0; a < 4 && len > 0; a++) {
			snprintf(ancestors[a], sizeof ancestors[a], "%.*s", (int)len, from);
			bases[nb++] = ancestors[a];
			size_t up = len - 1;
			while (up > 0 && from[up - 1] != '/')
				up--;
			len = up;
		}
	}
	for (size_t b = 0; b < nb; b++) {
		/* the module itself: rel.py or rel/__init__.py (from . import x: the package) */
		for (int t = *rel ? 0 : 1; t < 2; t++) {
			if ((size_t)snprintf(path, sizeof path, "%s%s%s", bases[b], rel,
					     *rel ? tails[t] : "__init__.py") >= sizeof path)
				continue;
			long i = flow_file_index(s, path);
			if (i >= 0 && *n < max)
				out[(*n)++] = i;
		}
		/* from pkg import name: the submodule pkg/name.py */
		if (name && strcmp(name, "*") &&
		    (size_t)snprintf(path, sizeof path, "%s%s%s%s.py", bases[b], rel, *rel ? "/" : "",
				     name) < sizeof path) {
			long i = flow_file_index(s, path);
			if (i >= 0 && *n < max)
				out[(*n)++] = i;
		}
	}
}

/* PHP: a class's file by its namespace's tail (PSR-4 folders end with the namespace's
 * last segments: App\Services\Pay is .../Services/Pay.php), or an include's path. */
static void php_candidates(const struct scan *s, const char *from, const struct ir_import *im,
			   long *out, size_t *n, size_t max)
{
	char want[512];
	if (im->kind == IR_IMPORT_INCLUDE) {
		const char *rest = !strncmp(im->spec, "__DIR__/", 8) ? im->spec + 8 : im->spec;
		const char *slash = strrchr(from, '/');
		size_t dl = slash ? (size_t)(slash - from + 1) : 0;
		char path[1024];
		if (join_path(path, sizeof path, from, dl, rest)) {
			long i = flow_file_index(s, path);
			if (i >= 0 && *n < max)
				out[(*n)++] = i;
		}
		return;
	}
	/* the last two segments: Services/Pay.php, else the last: Pay.php */
	const char *last = strrchr(im->spec, '\\');
	const char *prev = NULL;
	for (const char *p = im->spec; last && p < last; p++)
		if (*p == '\\')
			prev = p;
	const char *tail = prev ? prev + 1 : im->spec;
	size_t k = 0;
	for (const char *p = tail; *p && k + 5 < sizeof want; p++)
		want[k++] = *p == '\\' ? '/' : *p;
	memcpy(want + k, ".php", 5);
	size_t wl = strlen(want);
	for (size_t i = 0; i < s->files.len && *n < max; i++) {
		const char *p = s->files.items[i].path;
		size_t pl = strlen(p);
		if (pl >= wl && !strcmp(p + pl - wl, want) && (pl == wl || p[pl - wl - 1] == '/'))
			out[(*n)++] = (long)i;
	}
}

static bool same_family(enum lang a, enum lang b)
{
	return a == b || (lang_is_js(a) && lang_is_js(b));
}

/* The files of the folders a framework imports into the file at path by itself (Nuxt's
 * server/utils/): they are its imports too. */
static int keep_auto_imported(struct scan *s, const char *path, enum lang lang, size_t *count)
{
	char dirs[8][FLOW_AUTO_DIR];
	size_t n = flow_auto_import_dirs(s->rules->models, lang, path, dirs, 8);
	for (size_t k = 0; k < n; k++) {
		size_t len = strlen(dirs[k]), lo = 0, hi = s->files.len;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (strcmp(s->files.items[mid].path, dirs[k]) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t i = lo; i < s->files.len && !strncmp(s->files.items[i].path, dirs[k], len);
		     i++)
			if (same_family(lang_from_path(s->files.items[i].path), lang) &&
			    keep_file(s, (long)i, count) < 0)
				return -1;
	}
	return 0;
}

static int expand_imports(struct scan *s, size_t from, size_t to,
			  size_t *count)
{
	for (size_t r = from; r < to; r++) {
		/* the record array may move as files are added: copy what is read */
		const struct ir_file *ir = s->flow_records[r].ir;
		if (!ir)
			continue; /* could not be lowered */
		char *path = strdup(s->flow_records[r].path);
		if (!path)
			return error_set("out of memory");
		if (keep_auto_imported(s, path, ir->lang, count) < 0) {
			free(path);
			return -1;
		}
		ir = s->flow_records[r].ir;
		for (uint32_t k = 0; k < ir->nimports; k++) {
			const struct ir_import *im = &s->flow_records[r].ir->imports[k];
			long found[16];
			size_t n = 0;
			if (!im->spec || im->kind == IR_IMPORT_TYPE)
				continue;
			if (im->kind == IR_IMPORT_PY)
				python_candidates(s, path, im->spec, im->name, found, &n, 16);
			else if (im->kind == IR_IMPORT_USE || im->kind == IR_IMPORT_INCLUDE)
				php_candidates(s, path, im, found, &n, 16);
			else if (s->resolver.files) {
				long i = resolve_import(&s->resolver, path, im->spec, strlen(im->spec));
				if (i >= 0)
					found[n++] = i;
			}
			for (size_t i = 0; i < n; i++)
				if (keep_file(s, found[i], count) < 0) {
					free(path);
					return -1;
				}
			ir = s->flow_records[r].ir;
		}
		free(path);
	}
	return 0;
}

/* PHP and Python files that name a kept file's class or module: the callers. */
static int expand_callers(struct scan *s, size_t *count)
{
	char *names[256];
	size_t nnames = 0;
	for (size_t r = 0; r < s->nflow_records && nnames < 256; r++) {
		const struct flow_record *rec = &s->flow_records[r];
		if ((rec->lang != LANG_PHP && rec->lang != LANG_PYTHON) || !rec->ir)
			continue;
		for (uint32_t c = 0; c < rec->ir->nclasses && nnames < 256; c++)
			if (rec->ir->classes[c].name && strlen(rec->ir->classes[c].name) > 3)
				names[nnames++] = strdup(rec->ir->classes[c].name);
		if (rec->lang == LANG_PYTHON && nnames < 256) {
			/* the module's name: payments for shop/payments.py */
			const char *base = strrchr(rec->path, '/');
			base = base ? base + 1 : rec->path;
			size_t len = strlen(base) - 3;
			if (strcmp(base, "__init__.py") && len > 3)
				names[nnames++] = strndup(base, len);
		}
	}
	int rc = 0;
	for (size_t i = 0; i < nnames; i++)
		if (!names[i])
			rc = error_set("out of memory");
	for (size_t i = 0; !rc && nnames && i < s->files.len; i++) {
		const char *p = s->files.items[i].path;
		enum lang lang = lang_from_path(p);
		if ((lang != LANG_PHP && lang != LANG_PYTHON) || flow_stage_kept(s, (long)i) ||
		    (s->files.items[i].flags & FILE_SYMLINK))
			continue;
		size_t len = 0;
		char *data = file_read_small(s->root, p, s->opt->max_parse_size, &len);
		bool hit = false;
		for (size_t k = 0; data && k < nnames && !hit; k++)
			hit = memmem(data, len, names[k], strlen(names[k])) != NULL;
		free(data);
		if (hit)
			rc = keep_file(s, (long)i, count);
	}
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	return rc;
}

/* In a project that calls OCPay, the code files that name the CONFIRMED status without
 * naming OCPay: a return handler that trusts ?status=CONFIRMED often sits in its own file
 * (a routes file, an endpoint using auto-imported helpers) and must still be read. */
static int expand_status_readers(struct scan *s, size_t *count)
{
	static const char word[] = "CONFIRMED";
	int rc = 0;
	if (!s->nflow_records)
		return 0;
	for (size_t i = 0; !rc && i < s->files.len; i++) {
		const char *p = s->files.items[i].path;
		enum lang lang = lang_from_path(p);
		if (lang == LANG_TEXT || flow_stage_kept(s, (long)i) ||
		    (s->files.items[i].flags & FILE_SYMLINK))
			continue;
		/* the first pass's prefilter saw the word, in any case, or not */
		const struct file_facts *f = s->facts ? &s->facts[i] : NULL;
		const uint64_t *want = s->rules->status_mask;
		if (f && f->read && !(f->kw[0] & want[0]) && !(f->kw[1] & want[1]))
			continue;
		size_t len = 0;
		char *data = file_read_small(s->root, p, s->opt->max_parse_size, &len);
		bool hit = data && memmem(data, len, word, sizeof word - 1) != NULL;
		free(data);
		if (hit)
			rc = keep_file(s, (long)i, count);
	}
	return rc;
}

/* The files flow_requesters() finds: pages requesting the shop's own routes. */
static int expand_requesters(struct scan *s, size_t *count)
{
	char(*texts)[FLOW_ROUTE_TEXT] = calloc(64, sizeof *texts);
	bool *wanted = calloc(s->files.len ? s->files.len : 1, sizeof *wanted);
	size_t n = 0;
	for (size_t r = 0; texts && r < s->nflow_records && n < 64; r++)
		if (s->flow_records[r].ir)
			n += flow_route_texts(s->rules->models, s->flow_records[r].ir, texts + n,
					      64 - n);
	int rc = !texts || !wanted ? error_set("out of memory")
		 : n		    ? flow_requesters(s, (const char(*)[FLOW_ROUTE_TEXT])texts, n, wanted)
				    : 0;
	for (size_t i = 0; !rc && i < s->files.len; i++)
		if (wanted[i])
			rc = keep_file(s, (long)i, count);
	free(texts);
	free(wanted);
	return rc;
}

int flow_neighbours_expand(struct scan *s)
{
	if (!s->flow_kept || !s->files.len)
		return 0; /* a tree from the object database: only its own files */
	size_t count = 0, from = 0;
	int rc = expand_callers(s, &count);
	if (!rc)
		rc = expand_status_readers(s, &count);
	if (!rc)
		rc = flow_stage_lower(s);
	if (!rc)
		rc = expand_requesters(s, &count);
	if (!rc)
		rc = flow_stage_lower(s);
	for (int round = 0; !rc && round < NEIGHBOUR_ROUNDS && from < s->nflow_records; round++) {
		size_t to = s->nflow_records;
		rc = expand_imports(s, from, to, &count);
		if (!rc)
			rc = flow_stage_lower(s);
		from = to;
	}
	return rc;
}
