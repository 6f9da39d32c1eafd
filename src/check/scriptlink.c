#define _GNU_SOURCE /* memmem */
#include "check/scriptlink.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/ts.h"

/* Files one unit may parse to follow its calls: a controller calling a dozen services. */
#define SLINK_PARSES 32
/* A helper file larger than this is not read (generated code, bundled libraries). */
#define SLINK_MAX_FILE (512 * 1024)
#define NAME_LEN 256

void slink_init(struct slink *l, struct unit *u, struct slink_budget *budget)
{
	*l = (struct slink){.scan = u->scan,
			    .parsers = u->parsers,
			    .path = u->path,
			    .syn = unit_syntax(u),
			    .php = u->lang == LANG_PHP,
			    .budget = budget};
}

static void text_of(const struct syntax *syn, struct ast_node n, char *buf, size_t size)
{
	size_t len = 0;
	const char *t = ast_is_null(n) ? "" : ast_text(syn, n, &len);
	snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), t);
}

static bool text_eq(const struct syntax *syn, struct ast_node n, const char *s)
{
	return !ast_is_null(n) && ast_text_is(syn, n, s);
}

/* ---- files of the scan ---- */

/* Third-party code is not the merchant's helper, even when committed. */
static bool is_vendored(const char *path)
{
	static const char *const dirs[] = {"vendor/", "node_modules/", "site-packages/",
					   ".venv/",  "venv/",	       NULL};
	for (size_t i = 0; dirs[i]; i++) {
		size_t n = strlen(dirs[i]);
		if (!strncmp(path, dirs[i], n))
			return true;
		for (const char *p = strchr(path, '/'); p; p = strchr(p + 1, '/'))
			if (!strncmp(p + 1, dirs[i], n))
				return true;
	}
	return false;
}

/* The index of path in the scan's (sorted) list; -1 when absent, a link or vendored. */
static long file_index(const struct scan *s, const char *path)
{
	if (!s->root || !s->resolver.files)
		return -1;
	size_t lo = 0, hi = s->files.len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->files.items[mid].path, path);
		if (!c)
			return (s->files.items[mid].flags & FILE_SYMLINK) || is_vendored(path)
				   ? -1
				   : (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* dir (a folder with its trailing '/', or "") joined with rel, "." and ".." resolved;
 * false when it leaves the root. */
static bool join_path(char *out, size_t size, const char *dir, const char *rel)
{
	char tmp[NAME_LEN * 2];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s%s", dir, rel) >= sizeof tmp)
		return false;
	size_t n = 0;
	out[0] = '\0';
	for (char *save = NULL, *seg = strtok_r(tmp, "/", &save); seg;
	     seg = strtok_r(NULL, "/", &save)) {
		if (!strcmp(seg, "."))
			continue;
		if (!strcmp(seg, "..")) {
			if (!n)
				return false;
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--; /* the '/' before the dropped segment */
			out[n] = '\0';
			continue;
		}
		int w = snprintf(out + n, size - n, "%s%s", n ? "/" : "", seg);
		if (w < 0 || (size_t)w >= size - n)
			return false;
		n += (size_t)w;
	}
	return n > 0;
}

/* The folder of path with its trailing '/', or "". */
static void dir_of(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path + 1) : 0;
	snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), path);
}

/* Reads a regular file of the scanned folder, not through a link. */
static char *read_file(const struct scan *s, const char *path, size_t *len)
{
	size_t max =
	    s->opt->max_parse_size < SLINK_MAX_FILE ? s->opt->max_parse_size : SLINK_MAX_FILE;
	return file_read_small(s->root, path, max, len);
}

/* ---- definitions in a parsed file ---- */

static bool is_class(struct ast_node n)
{
	return ast_is(n, "class_declaration") || ast_is(n, "trait_declaration") ||
	       ast_is(n, "class_definition");
}

static bool is_def(struct ast_node n)
{
	return ast_is(n, "function_definition") || ast_is(n, "method_declaration");
}

struct find_def {
	const struct syntax *syn;
	const char *cls, *name;
	struct ast_node found;
};

/* The method name of the class body (a PHP declaration_list or a Python block). */
static struct ast_node method_in(const struct syntax *syn, struct ast_node body, const char *name)
{
	for (uint32_t i = 0; i < ast_named_count(body); i++) {
		struct ast_node m = ast_named_child(body, i);
		if (ast_is(m, "decorated_definition"))
			m = ast_field(m, "definition");
		if (is_def(m) && text_eq(syn, ast_field(m, "name"), name))
			return m;
	}
	return (struct ast_node){0};
}

static bool visit_def(void *ctx, struct ast_node n)
{
	struct find_def *fd = ctx;
	if (!ast_is_null(fd->found))
		return false;
	if (is_class(n)) {
		if (fd->cls[0] && text_eq(fd->syn, ast_field(n, "name"), fd->cls))
			fd->found = method_in(fd->syn, ast_field(n, "body"), fd->name);
		return false; /* a plain function is not a method */
	}
	if (is_def(n)) {
		if (!fd->cls[0] && text_eq(fd->syn, ast_field(n, "name"), fd->name))
			fd->found = n;
		return false; /* not a nested function */
	}
	return true;
}

static struct ast_node find_def(const struct syntax *syn, const char *cls, const char *name)
{
	struct find_def fd = {.syn = syn, .cls = cls, .name = name};
	ast_walk(ast_root(syn), visit_def, &fd);
	return fd.found;
}

/* payments = PaymentService(): the class of a module-level instance, when made there. */
static bool py_instance_class(const struct syntax *syn, const char *name, char *cls, size_t size)
{
	struct ast_node root = ast_root(syn);
	for (uint32_t i = 0; i < ast_named_count(root); i++) {
		struct ast_node st = ast_named_child(root, i);
		struct ast_node a = ast_named_child(st, 0);
		if (!ast_is(st, "expression_statement") || !ast_is(a, "assignment") ||
		    !text_eq(syn, ast_field(a, "left"), name))
			continue;
		struct ast_node r = ast_field(a, "right");
		struct ast_node fn = ast_field(r, "function");
		if (ast_is(r, "call") && ast_is(fn, "identifier")) {
			text_of(syn, fn, cls, size);
			return true;
		}
	}
	return false;
}

/* A body that does nothing of its own: none (an abstract or interface method), or only
 * a docstring, pass, ... or raise NotImplementedError (a Protocol, a base class). Such
 * a definition says nothing of what runs, so the call is not followed. */
static bool is_stub(const struct syntax *syn, struct ast_node body)
{
	if (ast_is_null(body))
		return true;
	for (uint32_t i = 0; i < ast_named_count(body); i++) {
		struct ast_node st = ast_named_child(body, i);
		struct ast_node e = ast_named_child(st, 0);
		if (ast_is(st, "comment") || ast_is(st, "pass_statement") ||
		    (ast_is(st, "expression_statement") &&
		     (ast_is(e, "string") || ast_is(e, "ellipsis"))))
			continue;
		if (ast_is(st, "raise_statement")) {
			char buf[64];
			text_of(syn, st, buf, sizeof buf);
			if (strstr(buf, "NotImplementedError"))
				continue;
		}
		return false;
	}
	return true;
}

struct py_binding;
static bool py_bind(const struct syntax *syn, const char *local, struct py_binding *b);
static long py_module_file(const struct slink *l, const char *dotted, int dots);
static bool py_reexport(const struct slink *l, const char *path, const struct syntax *syn,
			const char *cls, const char *name, slink_visit fn, void *ctx,
			bool *resolved);

/* Parses file i and hands fn the definition cls::name (name alone: a function). */
static bool visit_file(const struct slink *l, long i, const char *cls, const char *name,
		       slink_visit fn, void *ctx, bool *resolved)
{
	const struct scan *s = l->scan;
	const char *path = s->files.items[i].path;
	enum lang lang = lang_from_path(path);
	if (lang != (l->php ? LANG_PHP : LANG_PYTHON) || !strcmp(path, l->path) ||
	    l->depth >= SLINK_DEPTH || l->budget->parses >= SLINK_PARSES)
		return false;
	l->budget->parses++;
	size_t len;
	char *text = read_file(s, path, &len);
	struct syntax *syn = NULL;
	if (!text ||
	    syntax_parse(&syn, l->parsers, lang, text, len, s->opt->parse_timeout_ms * 1000) < 0) {
		free(text);
		return false;
	}
	struct ast_node def = find_def(syn, cls, name);
	bool out = false;
	if (ast_is_null(def) && !l->php)
		out = py_reexport(l, path, syn, cls, name, fn, ctx, resolved);
	if (!ast_is_null(def) && !is_stub(syn, ast_field(def, "body"))) {
		struct sflow *f = malloc(sizeof *f);
		if (f) {
			sflow_init(f, syn, lang);
			struct slink_target t = {.link = {.scan = l->scan,
							  .parsers = l->parsers,
							  .path = path,
							  .syn = syn,
							  .php = l->php,
							  .depth = l->depth + 1,
							  .budget = l->budget},
						 .f = f,
						 .def = def};
			*resolved = true;
			out = fn(ctx, &t);
			free(f);
		}
	}
	syntax_free(syn);
	free(text);
	return out;
}

/* ---- PHP ---- */

static void php_namespace(const struct syntax *syn, char *buf, size_t size)
{
	struct ast_node root = ast_root(syn);
	buf[0] = '\0';
	for (uint32_t i = 0; i < ast_named_count(root); i++) {
		struct ast_node st = ast_named_child(root, i);
		if (ast_is(st, "namespace_definition")) {
			text_of(syn, ast_field(st, "name"), buf, size);
			return;
		}
	}
}

struct php_use {
	const struct syntax *syn;
	const char *local;
	char *out;
	size_t size;
	bool found;
};

static bool visit_use(void *ctx, struct ast_node n)
{
	struct php_use *pu = ctx;
	if (pu->found || is_class(n) || is_def(n))
		return false;
	if (!ast_is(n, "namespace_use_clause"))
		return true;
	struct ast_node name = {0};
	for (uint32_t i = 0; i < ast_named_count(n); i++) {
		struct ast_node c = ast_named_child(n, i);
		if (ast_is(c, "qualified_name") || ast_is(c, "name")) {
			name = c;
			break;
		}
	}
	if (ast_is_null(name))
		return false;
	char full[NAME_LEN], local[NAME_LEN];
	text_of(pu->syn, name, full, sizeof full);
	struct ast_node group = ast_parent(n);
	if (ast_is(group, "namespace_use_group")) { /* use App\Services\{A, B as C} */
		char prefix[NAME_LEN], tail[NAME_LEN];
		struct ast_node decl = ast_parent(group);
		struct ast_node ns = {0};
		for (uint32_t i = 0; i < ast_named_count(decl) && ast_is_null(ns); i++)
			if (ast_is(ast_named_child(decl, i), "namespace_name"))
				ns = ast_named_child(decl, i);
		text_of(pu->syn, ns, prefix, sizeof prefix);
		snprintf(tail, sizeof tail, "%s", full);
		snprintf(full, sizeof full, "%.120s\\%.120s", prefix, tail);
	}
	struct ast_node alias = ast_field(n, "alias");
	if (!ast_is_null(alias) && ast_start(alias) != ast_start(name)) {
		text_of(pu->syn, alias, local, sizeof local);
	} else {
		const char *slash = strrchr(full, '\\');
		snprintf(local, sizeof local, "%s", slash ? slash + 1 : full);
	}
	if (!strcmp(local, pu->local)) {
		snprintf(pu->out, pu->size, "%s", full[0] == '\\' ? full + 1 : full);
		pu->found = true;
	}
	return false;
}

/* The fully qualified name of a class name as written in the file. */
static void php_fqn(const struct syntax *syn, const char *written, char *out, size_t size)
{
	if (written[0] == '\\') {
		snprintf(out, size, "%s", written + 1);
		return;
	}
	char first[NAME_LEN], used[NAME_LEN];
	const char *slash = strchr(written, '\\');
	size_t n = slash ? (size_t)(slash - written) : strlen(written);
	snprintf(first, sizeof first, "%.*s", (int)(n < sizeof first ? n : sizeof first - 1),
		 written);
	struct php_use pu = {syn, first, used, sizeof used, false};
	ast_walk(ast_root(syn), visit_use, &pu);
	if (pu.found) {
		snprintf(out, size, "%s%s", used, slash ? slash : "");
		return;
	}
	char ns[NAME_LEN];
	php_namespace(syn, ns, sizeof ns);
	snprintf(out, size, "%s%s%s", ns, ns[0] ? "\\" : "", written);
}

#define PSR4_MAX 8

struct psr4 {
	char base[NAME_LEN]; /* the folder of the composer.json, with its '/', or "" */
	char prefix[PSR4_MAX][96];
	char dir[PSR4_MAX][128];
	size_t n;
};

/* A JSON string at *p (after its opening quote), unescaped into buf; *p moves past it. */
static void json_string(const char **p, const char *end, char *buf, size_t size)
{
	size_t n = 0;
	while (*p < end && **p != '"') {
		char c = **p;
		if (c == '\\' && *p + 1 < end)
			c = *++*p;
		if (n + 1 < size)
			buf[n++] = c;
		++*p;
	}
	if (*p < end)
		++*p;
	buf[n] = '\0';
}

/* The autoload "psr-4" map (autoload-dev too) of the composer.json nearest above the
 * file (a Laravel app in backend/); App\ is app/ beside it without one. */
static void php_psr4(const struct scan *s, const char *from, struct psr4 *m)
{
	size_t len = 0;
	char *text = NULL, cand[NAME_LEN + 16];
	dir_of(from, m->base, sizeof m->base);
	for (;;) {
		snprintf(cand, sizeof cand, "%scomposer.json", m->base);
		if ((text = read_file(s, cand, &len)) || !m->base[0])
			break;
		size_t n = strlen(m->base);
		m->base[n - 1] = '\0';
		char *slash = strrchr(m->base, '/');
		if (slash)
			slash[1] = '\0';
		else
			m->base[0] = '\0';
	}
	if (!text)
		m->base[0] = '\0';
	m->n = 0;
	for (const char *p = text; p && (p = strstr(p, "\"psr-4\""));) {
		const char *end = text + len;
		p = strchr(p, '{');
		if (!p)
			break;
		p++;
		while (p < end && *p != '}' && m->n < PSR4_MAX) {
			while (p < end && *p != '"' && *p != '}')
				p++;
			if (p >= end || *p == '}')
				break;
			p++;
			json_string(&p, end, m->prefix[m->n], sizeof m->prefix[0]);
			while (p < end && (*p == ':' || isspace((unsigned char)*p)))
				p++;
			bool list = p < end && *p == '[';
			while (p < end && *p != '"')
				p++;
			if (p >= end)
				break;
			p++;
			json_string(&p, end, m->dir[m->n], sizeof m->dir[0]);
			m->n++;
			if (list) /* the first folder of a list */
				while (p < end && *p != ']')
					p++;
			while (p < end && *p != ',' && *p != '}')
				p++;
			if (p < end && *p == ',')
				p++;
		}
	}
	free(text);
	if (!m->n) {
		snprintf(m->prefix[0], sizeof m->prefix[0], "App\\");
		snprintf(m->dir[0], sizeof m->dir[0], "app/");
		m->n = 1;
	}
}

/* WC_OCPay_Helper -> class-wc-ocpay-helper.php (the WordPress file naming). */
static void wp_class_file(const char *cls, char *out, size_t size)
{
	size_t n = (size_t)snprintf(out, size, "class-");
	for (const char *c = cls; *c && n + 5 < size; c++)
		out[n++] = *c == '_' ? '-' : (char)tolower((unsigned char)*c);
	snprintf(out + n, size - n, ".php");
}

/* Calls cls::name in the file that declares the class: its PSR-4 path, else, for a
 * class of the project's namespaces or of none, a file named after it (Short.php,
 * class-short.php) anywhere in the tree. */
static bool php_visit_class(const struct slink *l, const char *written, const char *name,
			    slink_visit fn, void *ctx, bool *resolved)
{
	char fqn[NAME_LEN], path[NAME_LEN * 2];
	php_fqn(l->syn, written, fqn, sizeof fqn);
	const char *slash = strrchr(fqn, '\\');
	const char *cls = slash ? slash + 1 : fqn;
	if (!cls[0] || !strcmp(cls, "self") || !strcmp(cls, "static") || !strcmp(cls, "parent"))
		return false;
	struct psr4 m;
	php_psr4(l->scan, l->path, &m);
	/* a class of another namespace (Illuminate\Http\Request) is a package's, not a
	 * project file that happens to have its name */
	bool project = !strchr(fqn, '\\');
	for (size_t i = 0; i < m.n; i++) {
		size_t pl = strlen(m.prefix[i]);
		if (!pl || strncmp(fqn, m.prefix[i], pl))
			continue;
		project = true;
		char rel[NAME_LEN + 8], dir[NAME_LEN + 160];
		snprintf(rel, sizeof rel, "%s.php", fqn + pl);
		for (char *c = rel; *c; c++)
			if (*c == '\\')
				*c = '/';
		const char *d = m.dir[i];
		if (!strncmp(d, "./", 2))
			d += 2;
		size_t dl = strlen(d);
		snprintf(dir, sizeof dir, "%s%s%s", m.base, d, dl && d[dl - 1] != '/' ? "/" : "");
		long idx = join_path(path, sizeof path, dir, rel) ? file_index(l->scan, path) : -1;
		if (idx >= 0)
			return visit_file(l, idx, cls, name, fn, ctx, resolved);
	}
	if (!project)
		return false;
	char base[NAME_LEN + 8], wp[NAME_LEN + 16];
	snprintf(base, sizeof base, "%s.php", cls);
	wp_class_file(cls, wp, sizeof wp);
	const struct file_list *files = &l->scan->files;
	int tried = 0;
	for (size_t i = 0; l->scan->resolver.files && i < files->len && tried < 3; i++) {
		const char *p = files->items[i].path;
		const char *b = strrchr(p, '/');
		b = b ? b + 1 : p;
		if ((strcmp(b, base) && strcmp(b, wp)) || file_index(l->scan, p) < 0)
			continue;
		tried++;
		bool out = visit_file(l, (long)i, cls, name, fn, ctx, resolved);
		if (*resolved)
			return out;
	}
	return false;
}

static struct ast_node enclosing(struct ast_node n, bool (*pred)(struct ast_node))
{
	for (n = ast_parent(n); !ast_is_null(n) && !pred(n); n = ast_parent(n))
		;
	return n;
}

static bool is_php_function(struct ast_node n)
{
	return ast_is(n, "method_declaration") || ast_is(n, "function_definition") ||
	       ast_is(n, "anonymous_function") || ast_is(n, "arrow_function");
}

/* The class a type node names (Foo, ?Foo, \App\Foo). */
static bool type_name(const struct syntax *syn, struct ast_node t, char *buf, size_t size)
{
	if (ast_is(t, "optional_type"))
		t = ast_named_child(t, 0);
	if (ast_is(t, "named_type"))
		t = ast_named_child(t, 0);
	if (!ast_is(t, "name") && !ast_is(t, "qualified_name"))
		return false;
	text_of(syn, t, buf, size);
	return true;
}

/* The type of the parameter named var ($payments) of a parameter list. */
static bool param_type(const struct syntax *syn, struct ast_node params, const char *var, char *buf,
		       size_t size)
{
	for (uint32_t i = 0; i < ast_named_count(params); i++) {
		struct ast_node p = ast_named_child(params, i);
		if (text_eq(syn, ast_field(p, "name"), var))
			return type_name(syn, ast_field(p, "type"), buf, size);
	}
	return false;
}

struct assigned {
	const struct syntax *syn;
	const char *left; /* "$this->payments" or "$svc" */
	char *type;
	size_t size;
	struct ast_node params; /* to type `$this->x = $param` */
	bool found;
};

/* The class a value is made of: new X(...), app(X::class), resolve(X::class),
 * app()->make(X::class), or a typed parameter. */
static bool value_class(struct assigned *a, struct ast_node r)
{
	if (ast_is(r, "object_creation_expression")) {
		struct ast_node c = ast_named_child(r, 0);
		if (ast_is(c, "name") || ast_is(c, "qualified_name")) {
			text_of(a->syn, c, a->type, a->size);
			return true;
		}
		return false;
	}
	if (ast_is(r, "function_call_expression") || ast_is(r, "member_call_expression")) {
		struct ast_node args = ast_field(r, "arguments");
		struct ast_node arg = ast_named_child(ast_named_child(args, 0), 0);
		if (ast_is(arg, "class_constant_access_expression") && ast_named_count(arg) == 2 &&
		    text_eq(a->syn, ast_named_child(arg, 1), "class")) {
			text_of(a->syn, ast_named_child(arg, 0), a->type, a->size);
			return true;
		}
		return false;
	}
	if (ast_is(r, "variable_name") && !ast_is_null(a->params)) {
		char var[NAME_LEN];
		text_of(a->syn, r, var, sizeof var);
		return param_type(a->syn, a->params, var, a->type, a->size);
	}
	return false;
}

static bool visit_assigned(void *ctx, struct ast_node n)
{
	struct assigned *a = ctx;
	if (a->found)
		return false;
	if (ast_is(n, "assignment_expression") && text_eq(a->syn, ast_field(n, "left"), a->left))
		a->found = value_class(a, ast_field(n, "right"));
	return !a->found;
}

/* The declared type of $this->prop: a typed property, a promoted constructor parameter,
 * or a typed constructor parameter assigned to it. */
static bool php_property_type(const struct syntax *syn, struct ast_node cls, const char *prop,
			      char *buf, size_t size)
{
	char var[NAME_LEN + 8], left[NAME_LEN + 8];
	snprintf(var, sizeof var, "$%s", prop);
	snprintf(left, sizeof left, "$this->%s", prop);
	struct ast_node body = ast_field(cls, "body");
	for (uint32_t i = 0; i < ast_named_count(body); i++) {
		struct ast_node m = ast_named_child(body, i);
		if (ast_is(m, "property_declaration")) {
			for (uint32_t j = 0; j < ast_named_count(m); j++) {
				struct ast_node e = ast_named_child(m, j);
				if (ast_is(e, "property_element") &&
				    text_eq(syn, ast_field(e, "name"), var) &&
				    type_name(syn, ast_field(m, "type"), buf, size))
					return true;
			}
		} else if (ast_is(m, "method_declaration") &&
			   text_eq(syn, ast_field(m, "name"), "__construct")) {
			struct ast_node params = ast_field(m, "parameters");
			for (uint32_t j = 0; j < ast_named_count(params); j++) {
				struct ast_node p = ast_named_child(params, j);
				if (ast_is(p, "property_promotion_parameter") &&
				    text_eq(syn, ast_field(p, "name"), var))
					return type_name(syn, ast_field(p, "type"), buf, size);
			}
			struct assigned a = {syn, left, buf, size, params, false};
			ast_walk(ast_field(m, "body"), visit_assigned, &a);
			if (a.found)
				return true;
		}
	}
	return false;
}

static bool is_class_node(struct ast_node n)
{
	return ast_is(n, "class_declaration") || ast_is(n, "trait_declaration");
}

/* The class of the object a method is called on. */
static bool php_object_type(const struct slink *l, struct ast_node call, struct ast_node obj,
			    char *buf, size_t size)
{
	const struct syntax *syn = l->syn;
	while (ast_is(obj, "parenthesized_expression"))
		obj = ast_named_child(obj, 0);
	struct assigned a = {.syn = syn, .left = "", .type = buf, .size = size};
	if (ast_is(obj, "object_creation_expression"))
		return value_class(&a, obj);
	if (ast_is(obj, "member_access_expression") &&
	    text_eq(syn, ast_field(obj, "object"), "$this")) {
		char prop[NAME_LEN];
		text_of(syn, ast_field(obj, "name"), prop, sizeof prop);
		struct ast_node cls = enclosing(call, is_class_node);
		return !ast_is_null(cls) && php_property_type(syn, cls, prop, buf, size);
	}
	if (ast_is(obj, "variable_name") && !text_eq(syn, obj, "$this")) {
		char var[NAME_LEN];
		text_of(syn, obj, var, sizeof var);
		struct ast_node fn = enclosing(call, is_php_function);
		if (ast_is_null(fn))
			fn = ast_root(syn);
		else if (param_type(syn, ast_field(fn, "parameters"), var, buf, size))
			return true;
		a.left = var;
		ast_walk(fn, visit_assigned, &a);
		return a.found;
	}
	return false;
}

struct includes {
	const struct slink *l;
	const char *name;
	slink_visit fn;
	void *ctx;
	bool *resolved, out;
};

struct last_string {
	const struct syntax *syn;
	char buf[NAME_LEN];
};

static bool visit_last_string(void *ctx, struct ast_node n)
{
	struct last_string *ls = ctx;
	if (ast_is(n, "string") || ast_is(n, "encapsed_string")) {
		char *v = ast_string_value(ls->syn, n);
		if (v)
			snprintf(ls->buf, sizeof ls->buf, "%s", v);
		free(v);
		return false;
	}
	return true;
}

/* The file an include names: __DIR__ . '/inc/pay.php', plugin_dir_path(__FILE__) .
 * 'includes/x.php', 'lib/x.php': beside the including file, at the root, or the one
 * file of the tree whose path ends so. */
static long include_target(const struct slink *l, struct ast_node inc)
{
	struct last_string ls = {l->syn, ""};
	ast_walk(inc, visit_last_string, &ls);
	size_t n = strlen(ls.buf);
	if (n < 5 || strcmp(ls.buf + n - 4, ".php"))
		return -1;
	const char *rel = ls.buf;
	while (*rel == '/')
		rel++;
	char dir[NAME_LEN], path[NAME_LEN * 2];
	dir_of(l->path, dir, sizeof dir);
	long i = join_path(path, sizeof path, dir, rel) ? file_index(l->scan, path) : -1;
	if (i < 0)
		i = join_path(path, sizeof path, "", rel) ? file_index(l->scan, path) : -1;
	for (size_t k = 0; i < 0 && l->scan->resolver.files && k < l->scan->files.len; k++) {
		const char *p = l->scan->files.items[k].path;
		size_t pl = strlen(p), rl = strlen(rel);
		if (pl > rl && p[pl - rl - 1] == '/' && !strcmp(p + pl - rl, rel))
			i = file_index(l->scan, p);
	}
	return i;
}

static bool visit_include(void *ctx, struct ast_node n)
{
	struct includes *in = ctx;
	if (*in->resolved)
		return false;
	if (ast_is(n, "include_expression") || ast_is(n, "include_once_expression") ||
	    ast_is(n, "require_expression") || ast_is(n, "require_once_expression")) {
		long i = include_target(in->l, n);
		if (i >= 0)
			in->out = visit_file(in->l, i, "", in->name, in->fn, in->ctx, in->resolved);
		return false;
	}
	return true;
}

static bool php_call(const struct slink *l, const struct sflow *f, struct ast_node call,
		     slink_visit fn, void *ctx, bool *resolved)
{
	char name[SFLOW_NAME_LEN], cls[NAME_LEN];
	sflow_callee(f, call, name, sizeof name);
	if (!name[0])
		return false;
	if (ast_is(call, "function_call_expression")) {
		struct includes in = {l, name, fn, ctx, resolved, false};
		ast_walk(ast_root(l->syn), visit_include, &in);
		return in.out;
	}
	if (ast_is(call, "scoped_call_expression")) {
		struct ast_node scope = ast_field(call, "scope");
		if (!ast_is(scope, "name") && !ast_is(scope, "qualified_name"))
			return false;
		text_of(l->syn, scope, cls, sizeof cls);
		return php_visit_class(l, cls, name, fn, ctx, resolved);
	}
	if (php_object_type(l, call, ast_field(call, "object"), cls, sizeof cls))
		return php_visit_class(l, cls, name, fn, ctx, resolved);
	return false;
}

/* ---- Python ---- */

/* The file of module dotted (dots: the leading dots of a relative import): mod.py or
 * mod/__init__.py, relative to the importing file, else to the root or a folder above
 * the importing file (a src/ layout, a Django project folder). */
static long py_module_file(const struct slink *l, const char *dotted, int dots)
{
	char rel[NAME_LEN], dir[NAME_LEN], path[NAME_LEN * 2], cand[NAME_LEN * 2];
	snprintf(rel, sizeof rel, "%s", dotted);
	for (char *c = rel; *c; c++)
		if (*c == '.')
			*c = '/';
	dir_of(l->path, dir, sizeof dir);
	for (int up = 1; up < dots; up++) {
		size_t n = strlen(dir);
		if (!n)
			return -1;
		dir[n - 1] = '\0';
		char *slash = strrchr(dir, '/');
		if (slash)
			slash[1] = '\0';
		else
			dir[0] = '\0';
	}
	for (;;) {
		static const char *const tails[] = {".py", "/__init__.py"};
		for (size_t t = 0; t < 2; t++) {
			if (!rel[0] && t == 0)
				continue;
			snprintf(cand, sizeof cand, "%s%s", rel, rel[0] ? tails[t] : "__init__.py");
			long i = join_path(path, sizeof path, dir, cand) ? file_index(l->scan, path)
									 : -1;
			if (i >= 0)
				return i;
		}
		if (dots || !dir[0])
			return -1;
		/* absolute: one folder up */
		size_t n = strlen(dir);
		dir[n - 1] = '\0';
		char *slash = strrchr(dir, '/');
		if (slash)
			slash[1] = '\0';
		else
			dir[0] = '\0';
	}
}

/* What a local name is bound to by an import: kind 1 `from mod import name [as local]`,
 * kind 2 `import mod as local` or `import mod` (local is the dotted text). */
struct py_binding {
	const struct syntax *syn;
	const char *local;
	int kind, dots;
	char mod[NAME_LEN], name[NAME_LEN];
};

static void module_of(struct py_binding *b, struct ast_node m)
{
	b->dots = 0;
	b->mod[0] = '\0';
	if (ast_is(m, "relative_import")) {
		for (uint32_t i = 0; i < ast_named_count(m); i++) {
			struct ast_node c = ast_named_child(m, i);
			if (ast_is(c, "import_prefix")) {
				size_t len;
				ast_text(b->syn, c, &len);
				b->dots = (int)len;
			} else if (ast_is(c, "dotted_name")) {
				text_of(b->syn, c, b->mod, sizeof b->mod);
			}
		}
	} else {
		text_of(b->syn, m, b->mod, sizeof b->mod);
	}
}

static bool visit_binding(void *ctx, struct ast_node n)
{
	struct py_binding *b = ctx;
	if (b->kind)
		return false;
	bool from = ast_is(n, "import_from_statement");
	if (!from && !ast_is(n, "import_statement"))
		return true;
	struct ast_node m = ast_field(n, "module_name");
	for (uint32_t i = 0; i < ast_named_count(n) && !b->kind; i++) {
		struct ast_node c = ast_named_child(n, i);
		if (from && ast_start(c) == ast_start(m))
			continue;
		struct ast_node name = c, local = c;
		if (ast_is(c, "aliased_import")) {
			name = ast_field(c, "name");
			local = ast_field(c, "alias");
		} else if (!ast_is(c, "dotted_name")) {
			continue;
		}
		if (!text_eq(b->syn, local, b->local))
			continue;
		if (from) {
			module_of(b, m);
			text_of(b->syn, name, b->name, sizeof b->name);
			b->kind = 1;
		} else {
			b->dots = 0;
			text_of(b->syn, name, b->mod, sizeof b->mod);
			b->kind = 2;
		}
	}
	return false;
}

static bool py_bind(const struct syntax *syn, const char *local, struct py_binding *b)
{
	*b = (struct py_binding){.syn = syn, .local = local};
	ast_walk(ast_root(syn), visit_binding, b);
	return b->kind != 0;
}

/* A package that re-exports what it imports (shop/services/__init__.py holding
 * `from .payments import verify_payment`): the definition is one module further. */
static bool py_reexport(const struct slink *l, const char *path, const struct syntax *syn,
			const char *cls, const char *name, slink_visit fn, void *ctx,
			bool *resolved)
{
	struct py_binding b;
	if (!py_bind(syn, cls[0] ? cls : name, &b) || b.kind != 1)
		return false;
	struct slink next = {.scan = l->scan,
			     .parsers = l->parsers,
			     .path = path,
			     .syn = syn,
			     .php = false,
			     .depth = l->depth + 1,
			     .budget = l->budget};
	long i = py_module_file(&next, b.mod, b.dots);
	if (i < 0)
		return false;
	return cls[0] ? visit_file(&next, i, b.name, name, fn, ctx, resolved)
		      : visit_file(&next, i, "", b.name, fn, ctx, resolved);
}

static bool is_py_function(struct ast_node n)
{
	return ast_is(n, "function_definition");
}

/* The class a parameter of the list is annotated with (svc: PaymentService). */
static bool py_param_class(const struct syntax *syn, struct ast_node params, const char *var,
			   char *buf, size_t size)
{
	for (uint32_t i = 0; i < ast_named_count(params); i++) {
		struct ast_node p = ast_named_child(params, i);
		struct ast_node t = ast_field(p, "type");
		struct ast_node name = ast_field(p, "name");
		if (ast_is_null(name))
			name = ast_named_child(p, 0);
		if (ast_is_null(t) || !text_eq(syn, name, var))
			continue;
		struct ast_node id = ast_named_child(t, 0);
		if (!ast_is(id, "identifier"))
			return false;
		text_of(syn, id, buf, size);
		return true;
	}
	return false;
}

struct py_assigned {
	const struct syntax *syn;
	const char *target; /* "svc", "self.gateway" */
	struct ast_node params;
	char *buf;
	size_t size;
	bool found;
};

/* target = PaymentService(...), target: PaymentService = ..., target = param (typed). */
static bool visit_py_assigned(void *ctx, struct ast_node n)
{
	struct py_assigned *a = ctx;
	if (a->found)
		return false;
	if (!ast_is(n, "assignment") || !text_eq(a->syn, ast_field(n, "left"), a->target))
		return true;
	struct ast_node t = ast_named_child(ast_field(n, "type"), 0);
	struct ast_node r = ast_field(n, "right");
	struct ast_node fn = ast_field(r, "function");
	char var[NAME_LEN];
	if (ast_is(t, "identifier")) {
		text_of(a->syn, t, a->buf, a->size);
		a->found = true;
	} else if (ast_is(r, "call") && ast_is(fn, "identifier")) {
		text_of(a->syn, fn, a->buf, a->size);
		a->found = true;
	} else if (ast_is(r, "identifier")) {
		text_of(a->syn, r, var, sizeof var);
		a->found = py_param_class(a->syn, a->params, var, a->buf, a->size);
	}
	return !a->found;
}

static bool is_py_class(struct ast_node n)
{
	return ast_is(n, "class_definition");
}

/* The class of the object a method is called on: PaymentService().verify, a parameter
 * annotated with it (svc: PaymentService = Depends(...)), a local made from it
 * (svc = PaymentService()), or self.gateway set so in __init__ or annotated on the
 * class. */
static bool py_object_class(const struct slink *l, struct ast_node call, struct ast_node obj,
			    char *buf, size_t size)
{
	const struct syntax *syn = l->syn;
	char var[NAME_LEN];
	if (ast_is(obj, "call") && ast_is(ast_field(obj, "function"), "identifier")) {
		text_of(syn, ast_field(obj, "function"), buf, size);
		return true;
	}
	text_of(syn, obj, var, sizeof var);
	if (ast_is(obj, "attribute") && text_eq(syn, ast_field(obj, "object"), "self") &&
	    ast_is(ast_field(obj, "attribute"), "identifier")) {
		struct ast_node cls = enclosing(call, is_py_class);
		struct ast_node body = ast_field(cls, "body");
		if (ast_is_null(body))
			return false;
		char attr[NAME_LEN];
		text_of(syn, ast_field(obj, "attribute"), attr, sizeof attr);
		struct py_assigned a = {.syn = syn, .target = attr, .buf = buf, .size = size};
		for (uint32_t i = 0; i < ast_named_count(body) && !a.found; i++) {
			struct ast_node st = ast_named_child(body, i);
			if (ast_is(st, "expression_statement")) /* gateway: Gateway */
				visit_py_assigned(&a, ast_named_child(st, 0));
		}
		struct ast_node init = method_in(syn, body, "__init__");
		if (a.found || ast_is_null(init))
			return a.found;
		a.target = var;
		a.params = ast_field(init, "parameters");
		ast_walk(ast_field(init, "body"), visit_py_assigned, &a);
		return a.found;
	}
	if (!ast_is(obj, "identifier"))
		return false;
	struct ast_node fn = enclosing(call, is_py_function);
	if (ast_is_null(fn))
		return false;
	struct ast_node params = ast_field(fn, "parameters");
	if (py_param_class(syn, params, var, buf, size))
		return true;
	struct py_assigned a = {
	    .syn = syn, .target = var, .params = params, .buf = buf, .size = size};
	ast_walk(ast_field(fn, "body"), visit_py_assigned, &a);
	return a.found;
}

static bool py_call(const struct slink *l, struct ast_node call, slink_visit fn, void *ctx,
		    bool *resolved)
{
	const struct syntax *syn = l->syn;
	struct ast_node callee = ast_field(call, "function");
	struct py_binding b;
	char local[NAME_LEN], name[NAME_LEN], path[NAME_LEN * 2];
	if (ast_is(callee, "identifier")) {
		/* from .services import verify_payment; verify_payment(order) */
		text_of(syn, callee, local, sizeof local);
		if (!py_bind(syn, local, &b) || b.kind != 1)
			return false;
		long i = py_module_file(l, b.mod, b.dots);
		return i >= 0 && visit_file(l, i, "", b.name, fn, ctx, resolved);
	}
	if (!ast_is(callee, "attribute"))
		return false;
	struct ast_node obj = ast_field(callee, "object");
	text_of(syn, ast_field(callee, "attribute"), name, sizeof name);
	text_of(syn, obj, local, sizeof local);
	if ((ast_is(obj, "identifier") || ast_is(obj, "attribute")) && py_bind(syn, local, &b)) {
		if (b.kind == 2) { /* import shop.payments as sp; sp.check(o) */
			long i = py_module_file(l, b.mod, 0);
			return i >= 0 && visit_file(l, i, "", name, fn, ctx, resolved);
		}
		/* from shop import payments (a module), or from .services import
		 * PaymentService (a class), or payments (an instance made there) */
		snprintf(path, sizeof path, "%s%s%s", b.mod, b.mod[0] ? "." : "", b.name);
		long i = py_module_file(l, path, b.dots);
		if (i >= 0)
			return visit_file(l, i, "", name, fn, ctx, resolved);
		i = py_module_file(l, b.mod, b.dots);
		if (i < 0)
			return false;
		bool out = visit_file(l, i, b.name, name, fn, ctx, resolved);
		if (*resolved || l->budget->parses >= SLINK_PARSES)
			return out;
		/* the instance's class, when the module makes it from its own class */
		size_t len;
		char *text = read_file(l->scan, l->scan->files.items[i].path, &len);
		struct syntax *msyn = NULL;
		char cls[NAME_LEN] = "";
		l->budget->parses++;
		if (text && syntax_parse(&msyn, l->parsers, LANG_PYTHON, text, len,
					 l->scan->opt->parse_timeout_ms * 1000) == 0) {
			if (!py_instance_class(msyn, b.name, cls, sizeof cls))
				cls[0] = '\0';
			syntax_free(msyn);
		}
		free(text);
		return cls[0] && visit_file(l, i, cls, name, fn, ctx, resolved);
	}
	/* svc: PaymentService = Depends(...); svc.verify(o) / PaymentService().verify(o) */
	char cls[NAME_LEN];
	if (!py_object_class(l, call, obj, cls, sizeof cls) || !py_bind(syn, cls, &b) ||
	    b.kind != 1)
		return false;
	long i = py_module_file(l, b.mod, b.dots);
	return i >= 0 && visit_file(l, i, b.name, name, fn, ctx, resolved);
}

bool slink_call(const struct slink *l, const struct sflow *f, struct ast_node call, slink_visit fn,
		void *ctx, bool *resolved)
{
	*resolved = false;
	if (!l->syn || !l->scan || !l->scan->root || l->depth >= SLINK_DEPTH ||
	    l->budget->parses >= SLINK_PARSES || !sflow_is_call(f, call))
		return false;
	return l->php ? php_call(l, f, call, fn, ctx, resolved)
		      : py_call(l, call, fn, ctx, resolved);
}

/* ---- calls from other files ---- */

/* Files read, and parsed, looking for the callers of one definition. */
#define SLINK_CALLER_FILES 4000
#define SLINK_CALLER_PARSES 16

struct back {
	const char *path;
	uint32_t start;
};

/* Whether the call resolved to the definition looked for. */
static bool is_back(void *ctx, struct slink_target *t)
{
	const struct back *b = ctx;
	return !strcmp(t->link.path, b->path) && ast_start(t->def) == b->start;
}

struct callers_walk {
	const struct slink *caller; /* the file read */
	struct sflow *f;
	const char *name;
	struct back back;
	slink_call_visit fn;
	void *ctx;
	int n;
};

static bool visit_caller_call(void *ctx, struct ast_node n)
{
	struct callers_walk *cw = ctx;
	char name[SFLOW_NAME_LEN];
	if (!sflow_is_call(cw->f, n))
		return true;
	sflow_callee(cw->f, n, name, sizeof name);
	bool resolved = false;
	if (strcmp(name, cw->name) ||
	    !slink_call(cw->caller, cw->f, n, is_back, &cw->back, &resolved))
		return true;
	struct slink_target t = {.link = *cw->caller, .f = cw->f, .def = n};
	cw->n++;
	cw->fn(cw->ctx, &t);
	return true;
}

int slink_callers(const struct slink *l, struct ast_node def, slink_call_visit fn, void *ctx)
{
	const struct scan *s = l->scan;
	char name[SFLOW_NAME_LEN];
	enum lang lang = l->php ? LANG_PHP : LANG_PYTHON;
	if (!l->syn || !s || !s->root || !s->resolver.files || l->depth + 1 >= SLINK_DEPTH)
		return -1;
	text_of(l->syn, ast_field(def, "name"), name, sizeof name);
	if (!name[0])
		return -1;
	struct slink_budget budget = {0};
	int found = 0, read = 0, parsed = 0;
	for (size_t i = 0; i < s->files.len; i++) {
		const char *path = s->files.items[i].path;
		if (lang_from_path(path) != lang || !strcmp(path, l->path) ||
		    file_index(s, path) < 0)
			continue;
		if (++read > SLINK_CALLER_FILES)
			return -1;
		size_t len;
		char *text = read_file(s, path, &len);
		if (!text)
			continue;
		struct syntax *syn = NULL;
		if (!memmem(text, len, name, strlen(name))) {
			free(text);
			continue;
		}
		if (++parsed > SLINK_CALLER_PARSES) {
			free(text);
			return -1;
		}
		struct sflow *f = malloc(sizeof *f);
		if (f && syntax_parse(&syn, l->parsers, lang, text, len,
				      s->opt->parse_timeout_ms * 1000) == 0) {
			sflow_init(f, syn, lang);
			struct slink caller = {.scan = l->scan,
					       .parsers = l->parsers,
					       .path = path,
					       .syn = syn,
					       .php = l->php,
					       .depth = l->depth + 1,
					       .budget = &budget};
			struct callers_walk cw = {&caller, f,	name, {l->path, ast_start(def)},
						  fn,	   ctx, 0};
			budget.parses = 0;
			ast_walk(ast_root(syn), visit_caller_call, &cw);
			found += cw.n;
		}
		if (syn)
			syntax_free(syn);
		free(f);
		free(text);
	}
	return found;
}
