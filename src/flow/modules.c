/* Modules and classes across the project's files: which file an import names
 * (JavaScript's relative paths, index files and aliases; PHP's includes and namespaces;
 * Python's dotted and relative modules), what a module exports, and which class a name
 * means where it is written. Only files of the index are candidates: a module that was
 * not lowered is not followed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "flow/flow_private.h"
#include "source/resolve.h"

#define MAX_DEPTH 8

/* ---- paths ---- */

/* dir/rest with "." and ".." resolved; false when it leaves the root or is too long. */
static bool path_join(char *out, size_t size, const char *dir, size_t dirlen, const char *rest)
{
	char tmp[1024];
	if ((size_t)snprintf(tmp, sizeof tmp, "%.*s%s", (int)dirlen, dir, rest) >= sizeof tmp)
		return false;
	size_t n = 0;
	const char *p = tmp;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (n == 0)
				return false;
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--; /* the slash */
		} else {
			if (n + len + 2 > size)
				return false;
			if (n)
				out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len + (slash ? 1 : 0);
	}
	out[n] = '\0';
	return true;
}

static size_t dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? (size_t)(slash - path + 1) : 0;
}

static int32_t find_with(const struct flow *f, const char *base, const char *const *suffixes)
{
	char cand[1100];
	for (size_t i = 0; suffixes[i]; i++) {
		if ((size_t)snprintf(cand, sizeof cand, "%s%s", base, suffixes[i]) >= sizeof cand)
			continue;
		int32_t k = flow_find_file(f, cand);
		if (k >= 0)
			return k;
	}
	return -1;
}

static const char *const js_suffixes[] = {
	"",	       ".ts",	      ".tsx",	      ".js",	     ".jsx",
	".mjs",	       ".cjs",	      ".mts",	      ".cts",	     ".vue",
	".svelte",     "/index.ts",   "/index.tsx",   "/index.js",   "/index.jsx",
	"/index.mjs",  NULL};

/* Aliases the frameworks set up without a tsconfig: SvelteKit's $lib, Nuxt's ~ and @,
 * Remix's ~ for app/, and the common @/ for src/. */
static const struct {
	const char *prefix, *target;
} js_aliases[] = {{"$lib/", "src/lib/"}, {"~/", ""},	  {"~/", "src/"}, {"~/", "app/"}, {"~~/", ""},
		  {"@/", "src/"},	 {"@/", ""},	  {"#/", "src/"}, {"src/", "src/"}};

static int32_t resolve_js(const struct flow *f, const char *from, const char *spec)
{
	char base[1024];
	if (f->js) {
		long k = resolve_import(f->js, from, spec, strlen(spec));
		if (k >= 0) {
			int32_t i = flow_find_file(f, f->js->files->items[k].path);
			if (i >= 0)
				return i;
		}
	}
	if (spec[0] == '.') {
		if (!path_join(base, sizeof base, from, dir_len(from), spec))
			return -1;
		/* a .js written for the .ts file it is compiled from */
		size_t n = strlen(base);
		if (n > 3 && !strcmp(base + n - 3, ".js")) {
			int32_t k = flow_find_file(f, base);
			if (k >= 0)
				return k;
			base[n - 3] = '\0';
		}
		return find_with(f, base, js_suffixes);
	}
	for (size_t i = 0; i < sizeof js_aliases / sizeof js_aliases[0]; i++) {
		size_t n = strlen(js_aliases[i].prefix);
		if (strncmp(spec, js_aliases[i].prefix, n))
			continue;
		if ((size_t)snprintf(base, sizeof base, "%s%s", js_aliases[i].target, spec + n) >=
		    sizeof base)
			continue;
		int32_t k = find_with(f, base, js_suffixes);
		if (k >= 0)
			return k;
	}
	return -1;
}

static int32_t resolve_include(const struct flow *f, const char *from, const char *spec)
{
	char path[1024];
	const char *rest = spec;
	size_t dl = dir_len(from);
	if (!strncmp(spec, "__DIR__/", 8))
		rest = spec + 8;
	if (path_join(path, sizeof path, from, dl, rest)) {
		int32_t k = flow_find_file(f, path);
		if (k >= 0)
			return k;
	}
	/* include_path-relative: from the root */
	return path_join(path, sizeof path, "", 0, rest) ? flow_find_file(f, path) : -1;
}

static const char *const py_suffixes[] = {".py", "/__init__.py", NULL};

static int32_t resolve_python(const struct flow *f, const char *from, const char *spec)
{
	char rel[1024], base[1100];
	size_t dots = 0;
	while (spec[dots] == '.')
		dots++;
	size_t n = 0;
	for (const char *p = spec + dots; *p && n + 1 < sizeof rel; p++)
		rel[n++] = *p == '.' ? '/' : *p;
	rel[n] = '\0';
	if (dots) {
		/* . is the importing file's package, each further dot one level up */
		size_t dl = dir_len(from);
		char dir[1024];
		if ((size_t)snprintf(dir, sizeof dir, "%.*s", (int)dl, from) >= sizeof dir)
			return -1;
		for (size_t i = 1; i < dots; i++) {
			size_t len = strlen(dir);
			if (len)
				dir[len - 1] = '\0'; /* the trailing slash */
			char *slash = strrchr(dir, '/');
			if (slash)
				slash[1] = '\0';
			else
				dir[0] = '\0';
		}
		if (!n) { /* from . import x: the package itself */
			if ((size_t)snprintf(base, sizeof base, "%s__init__.py", dir) >= sizeof base)
				return -1;
			return flow_find_file(f, base);
		}
		if ((size_t)snprintf(base, sizeof base, "%s%s", dir, rel) >= sizeof base)
			return -1;
		return find_with(f, base, py_suffixes);
	}
	/* absolute: from the root, then from each folder above the file (src layouts) */
	int32_t k = find_with(f, rel, py_suffixes);
	for (size_t dl = dir_len(from); k < 0 && dl > 0;) {
		if ((size_t)snprintf(base, sizeof base, "%.*s%s", (int)dl, from, rel) < sizeof base)
			k = find_with(f, base, py_suffixes);
		size_t up = dl - 1;
		while (up > 0 && from[up - 1] != '/')
			up--;
		dl = up;
	}
	return k;
}

int32_t module_file(const struct flow *f, int32_t file, uint8_t kind, const char *spec)
{
	const struct ir_file *ir = flow_ir(f, file);
	if (!ir || !spec)
		return -1;
	switch (kind) {
	case IR_IMPORT_ES:
	case IR_IMPORT_REQUIRE:
	case IR_IMPORT_DYNAMIC:
		return resolve_js(f, ir->path, spec);
	case IR_IMPORT_INCLUDE:
		return resolve_include(f, ir->path, spec);
	case IR_IMPORT_PY:
		return resolve_python(f, ir->path, spec);
	case IR_IMPORT_AUTO:
		return flow_find_file(f, spec);
	default:
		return -1; /* PHP use: a class, found by class_resolve */
	}
}

int modules_resolve(struct flow *f)
{
	for (size_t i = 0; i < f->nfiles; i++) {
		struct flow_file *ff = &f->files[i];
		uint32_t n = ff->ir->nimports;
		ff->import_file = malloc((n ? n : 1) * sizeof *ff->import_file);
		if (!ff->import_file)
			return error_set("out of memory");
		for (uint32_t k = 0; k < n; k++) {
			const struct ir_import *im = &ff->ir->imports[k];
			ff->import_file[k] = module_file(f, (int32_t)i, im->kind, im->spec);
		}
	}
	return 0;
}

/* ---- exports ---- */

static bool top_def(const struct flow *f, int32_t file, const char *name, struct def *out)
{
	struct flow_file *ff = flow_file_at(f, file);
	if (!ff || !ff->scopes)
		return false;
	uint32_t n;
	const struct def *d = scope_lookup(f, file, 0, name, &n);
	if (!d)
		return false;
	/* the last definition at module level is the one other modules see */
	*out = d[n - 1];
	return true;
}

static bool module_def(int32_t target, struct def *out)
{
	if (target < 0)
		return false;
	*out = (struct def){.name = "*", .how = DEF_MODULE, .module = target, .param = -1};
	return true;
}

bool import_binding(const struct flow *f, int32_t file, int import, struct def *out,
		    int32_t *out_file, int depth)
{
	struct flow_file *ff = flow_file_at(f, file);
	if (!ff || import < 0 || (uint32_t)import >= ff->ir->nimports || depth > MAX_DEPTH)
		return false;
	const struct ir_import *im = &ff->ir->imports[import];
	int32_t target = ff->import_file ? ff->import_file[import] : -1;
	if (im->kind == IR_IMPORT_PY && im->name && strcmp(im->name, "*") != 0) {
		/* from pkg import name: an attribute of pkg, or its submodule pkg/name */
		if (target >= 0 && module_export(f, target, im->name, out, out_file, depth + 1))
			return true;
		char spec[1024];
		if ((size_t)snprintf(spec, sizeof spec, "%s%s%s", im->spec,
				     im->spec[strlen(im->spec) - 1] == '.' ? "" : ".",
				     im->name) >= sizeof spec)
			return false;
		*out_file = file;
		return module_def(resolve_python(f, ff->ir->path, spec), out);
	}
	if (target < 0)
		return false;
	if (!im->name || !strcmp(im->name, "*")) {
		*out_file = file;
		return module_def(target, out);
	}
	return module_export(f, target, im->name, out, out_file, depth + 1);
}

bool module_export(const struct flow *f, int32_t file, const char *name, struct def *out,
		   int32_t *out_file, int depth)
{
	const struct ir_file *ir = flow_ir(f, file);
	if (!ir || depth > MAX_DEPTH)
		return false;
	for (uint32_t i = 0; i < ir->nexports; i++) {
		const struct ir_export *ex = &ir->exports[i];
		bool star = ex->name && !strcmp(ex->name, "*");
		if (!star && (!ex->name || strcmp(ex->name, name)))
			continue;
		if (ex->from) {
			int32_t target = module_file(f, file, IR_IMPORT_ES, ex->from);
			const char *inner = star ? name : ex->local ? ex->local : name;
			if (target >= 0 && module_export(f, target, inner, out, out_file, depth + 1))
				return true;
			continue;
		}
		if (star)
			continue;
		if (ex->local && top_def(f, file, ex->local, out)) {
			*out_file = file;
			if (out->how == DEF_IMPORT)
				return import_binding(f, file, out->param, out, out_file, depth + 1);
			return true;
		}
		if (ex->value) {
			*out = (struct def){.name = name, .value = ex->value, .how = DEF_ASSIGN,
					    .at = ex->value, .param = -1};
			*out_file = file;
			return true;
		}
	}
	/* CommonJS: module.exports = { apiRequest, go } exports its keys */
	for (uint32_t i = 0; i < ir->nexports; i++) {
		const struct ir_export *ex = &ir->exports[i];
		const struct ir_node *v = ex->name && !strcmp(ex->name, "default") && !ex->from
						  ? ex->value
						  : NULL;
		v = v && v->kind == IR_OBJECT ? ir_pair_value(v, name) : NULL;
		if (!v)
			continue;
		if (v->kind == IR_NAME && v->text && top_def(f, file, v->text, out)) {
			*out_file = file;
			if (out->how == DEF_IMPORT)
				return import_binding(f, file, out->param, out, out_file, depth + 1);
			return true;
		}
		*out = (struct def){.name = name, .value = v, .how = DEF_ASSIGN, .at = v, .param = -1};
		*out_file = file;
		return true;
	}
	/* PHP and Python have no export lists: every top-level name is visible */
	if (ir->lang == LANG_PHP || ir->lang == LANG_PYTHON || !ir->nexports) {
		if (!top_def(f, file, name, out))
			return false;
		*out_file = file;
		if (out->how == DEF_IMPORT)
			return import_binding(f, file, out->param, out, out_file, depth + 1);
		return true;
	}
	return false;
}

/* ---- classes ---- */

static int class_cmp(const void *x, const void *y)
{
	const struct class_ref *a = x, *b = y;
	int c = strcmp(a->name, b->name);
	if (c)
		return c;
	return a->file != b->file ? (a->file < b->file ? -1 : 1) : (a->cls > b->cls) - (a->cls < b->cls);
}

int classes_index(struct flow *f)
{
	size_t n = 0;
	for (size_t i = 0; i < f->nfiles; i++)
		n += f->files[i].ir->nclasses;
	f->classes = calloc(n ? n : 1, sizeof *f->classes);
	if (!f->classes)
		return error_set("out of memory");
	for (size_t i = 0; i < f->nfiles; i++) {
		struct ir_file *ir = f->files[i].ir;
		for (uint32_t k = 0; k < ir->nclasses; k++) {
			const char *name = ir->classes[k].name;
			if (!name || !*name)
				continue;
			const char *qname = name;
			if (ir->namespace_name && *ir->namespace_name) {
				size_t a = strlen(ir->namespace_name), b = strlen(name);
				char *q = ir_alloc(ir, a + b + 2);
				if (!q)
					return error_set("out of memory");
				memcpy(q, ir->namespace_name, a);
				q[a] = '\\';
				memcpy(q + a + 1, name, b + 1);
				qname = q;
			}
			f->classes[f->nclasses++] =
				(struct class_ref){qname, name, (int32_t)i, (int32_t)k};
		}
	}
	qsort(f->classes, f->nclasses, sizeof *f->classes, class_cmp);
	return 0;
}

/* The classes named `name` (short name): [*first, *first + count). */
static size_t classes_named(const struct flow *f, const char *name, size_t *first)
{
	size_t lo = 0, hi = f->nclasses;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(f->classes[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < f->nclasses && !strcmp(f->classes[end].name, name))
		end++;
	*first = lo;
	return end - lo;
}

static bool class_by_qname(const struct flow *f, const char *qname, int32_t *out_file,
			   int32_t *out_cls)
{
	const char *slash = strrchr(qname, '\\');
	size_t first, n = classes_named(f, slash ? slash + 1 : qname, &first);
	for (size_t i = first; i < first + n; i++) {
		if (!strcmp(f->classes[i].qname, qname)) {
			*out_file = f->classes[i].file;
			*out_cls = f->classes[i].cls;
			return true;
		}
	}
	return false;
}

/* A type as written ("?App\\Services\\Pay", "Optional[OrderService]", "Repo<Order>",
 * "OrderService | None") to the class name in it. */
static void type_name(const char *type, char *buf, size_t size)
{
	const char *p = type;
	while (*p == '?' || *p == '\\' || *p == ' ')
		p++;
	static const char *const wrappers[] = {"Optional[", "Annotated[", "typing.Optional[", NULL};
	for (size_t i = 0; wrappers[i]; i++)
		if (!strncmp(p, wrappers[i], strlen(wrappers[i])))
			p += strlen(wrappers[i]);
	size_t n = 0;
	while (p[n] && !strchr("<[|, )=", p[n]) && n + 1 < size) {
		buf[n] = p[n];
		n++;
	}
	buf[n] = '\0';
}

bool class_resolve(const struct flow *f, int32_t file, const char *written, int32_t *out_file,
		   int32_t *out_cls)
{
	const struct ir_file *ir = flow_ir(f, file);
	if (!ir || !written)
		return false;
	char name[256];
	type_name(written, name, sizeof name);
	if (!*name)
		return false;
	/* a local or imported binding of the name */
	const char *dot = strrchr(name, '.');
	const char *head = dot ? dot + 1 : name; /* models.Order -> Order (module attribute) */
	struct def d;
	int32_t df = file;
	if (!strchr(name, '\\') && top_def(f, file, name, &d)) {
		if (d.how == DEF_IMPORT && ir->imports[d.param].kind == IR_IMPORT_USE) {
			if (class_by_qname(f, ir->imports[d.param].spec, out_file, out_cls))
				return true;
		} else if (d.how == DEF_IMPORT) {
			if (import_binding(f, file, d.param, &d, &df, 0) && d.how == DEF_CLASS) {
				*out_file = df;
				*out_cls = (int32_t)d.value->num;
				return true;
			}
		} else if (d.how == DEF_CLASS) {
			*out_file = file;
			*out_cls = (int32_t)d.value->num;
			return true;
		}
	}
	if (ir->lang == LANG_PHP) {
		char q[512];
		if (strchr(name, '\\') && class_by_qname(f, name, out_file, out_cls))
			return true;
		/* use App\Models; ... Models\Order */
		const char *bs = strchr(name, '\\');
		if (bs) {
			for (uint32_t i = 0; i < ir->nimports; i++) {
				const struct ir_import *im = &ir->imports[i];
				if (im->local && strlen(im->local) == (size_t)(bs - name) &&
				    !strncmp(im->local, name, (size_t)(bs - name))) {
					if ((size_t)snprintf(q, sizeof q, "%s%s", im->spec, bs) <
						    sizeof q &&
					    class_by_qname(f, q, out_file, out_cls))
						return true;
				}
			}
		}
		if (ir->namespace_name && *ir->namespace_name) {
			if ((size_t)snprintf(q, sizeof q, "%s\\%s", ir->namespace_name, name) <
				    sizeof q &&
			    class_by_qname(f, q, out_file, out_cls))
				return true;
		}
	}
	/* the one class of the project by that name, in a file of the same language family */
	const char *bs = strrchr(head, '\\');
	size_t first, n = classes_named(f, bs ? bs + 1 : head, &first);
	int32_t found_file = -1, found_cls = -1;
	size_t matches = 0;
	for (size_t i = first; i < first + n; i++) {
		const struct ir_file *other = flow_ir(f, f->classes[i].file);
		bool same = (lang_is_js(other->lang) && lang_is_js(ir->lang)) ||
			    other->lang == ir->lang;
		if (!same)
			continue;
		matches++;
		found_file = f->classes[i].file;
		found_cls = f->classes[i].cls;
	}
	if (matches == 1) {
		*out_file = found_file;
		*out_cls = found_cls;
		return true;
	}
	return false;
}

struct flow_fn class_method(const struct flow *f, int32_t file, int32_t cls, const char *name)
{
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		const struct ir_file *ir = flow_ir(f, file);
		if (!ir || cls < 0 || (uint32_t)cls >= ir->nclasses || !name)
			return FLOW_FN_NONE;
		const struct ir_class *c = &ir->classes[cls];
		for (uint32_t i = 0; i < c->nmethods; i++) {
			const struct ir_func *m = &ir->funcs[c->methods[i]];
			if (m->name && !strcmp(m->name, name))
				return (struct flow_fn){file, c->methods[i]};
		}
		int32_t pf, pc;
		if (!c->extends || !class_resolve(f, file, c->extends, &pf, &pc) ||
		    (pf == file && pc == cls))
			return FLOW_FN_NONE;
		file = pf;
		cls = pc;
	}
	return FLOW_FN_NONE;
}
