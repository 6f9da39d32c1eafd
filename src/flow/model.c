#include "flow/model.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "core/yaml_keys.h"
#include "core/error.h"
#include "core/regex.h"
#include "source/files.h"

static const struct {
	const char *name, *key;
} kinds[MODEL_KIND_COUNT] = {
#define X(id, name, key) [MODEL_##id] = {name, key},
	MODEL_KINDS(X)
#undef X
};

static const char *const attr_names[MODEL_ATTR_COUNT] = {
#define X(id, name) [MODEL_ATTR_##id] = name,
	MODEL_ATTRS(X)
#undef X
};

struct model_set {
	struct model_row **rows[MODEL_KIND_COUNT];
	size_t nrows[MODEL_KIND_COUNT];
	char **sources; /* the "file:line" strings rows point to */
	size_t nsources;
};

const char *model_kind_name(enum model_kind k)
{
	return k < MODEL_KIND_COUNT ? kinds[k].name : "?";
}

struct model_set *model_set_new(void)
{
	struct model_set *m = calloc(1, sizeof *m);
	if (!m)
		error_set("out of memory");
	return m;
}

static void row_free(struct model_row *r)
{
	if (!r)
		return;
	free(r->text);
	path_pattern_free(r->pat);
	path_pattern_free(r->type_pat);
	path_pattern_free(r->decorator_pat);
	path_pattern_free(r->in_pat);
	path_pattern_free(r->unless_pat);
	path_pattern_free(r->receiver_pat);
	path_pattern_free(r->export_pat);
	path_pattern_free(r->index_pat);
	regex_free(r->name_re);
	regex_free(r->unless_re);
	for (int i = 0; i < MODEL_ATTR_COUNT; i++)
		free(r->attr[i]);
	free(r);
}

void model_set_free(struct model_set *m)
{
	if (!m)
		return;
	for (int k = 0; k < MODEL_KIND_COUNT; k++) {
		for (size_t i = 0; i < m->nrows[k]; i++)
			row_free(m->rows[k][i]);
		free(m->rows[k]);
	}
	for (size_t i = 0; i < m->nsources; i++)
		free(m->sources[i]);
	free(m->sources);
	free(m);
}

/* ---- loading ---- */

struct loader {
	const char *name;
	yaml_document_t doc;
	unsigned langs; /* the file's default */
	struct model_set *set;
};

__attribute__((format(printf, 3, 4))) static int fail_at(const struct loader *ld,
							 const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = yaml_vfail(ld->name, n, fmt, ap);
	va_end(ap);
	return rc;
}

static yaml_node_t *node(const struct loader *ld, int id)
{
	return yaml_document_get_node((yaml_document_t *)&ld->doc, id);
}


static int load_langs(const struct loader *ld, const yaml_node_t *v, unsigned *out)
{
	*out = 0;
	if (yaml_scalar(v))
		return lang_parse_mask(out, yaml_scalar(v)) < 0
			       ? fail_at(ld, v, "unknown language '%s'", yaml_scalar(v))
			       : 0;
	if (!v || v->type != YAML_SEQUENCE_NODE)
		return fail_at(ld, v, "'languages' must be a language or a list of them");
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++) {
		unsigned bit;
		const yaml_node_t *item = node(ld, *it);
		if (!yaml_scalar(item) || lang_parse_mask(&bit, yaml_scalar(item)) < 0)
			return fail_at(ld, item, "unknown language '%s'",
				       yaml_scalar(item) ? yaml_scalar(item) : "?");
		*out |= bit;
	}
	return 0;
}

static int compile(const struct loader *ld, const yaml_node_t *at, const char *text,
		   struct path_pattern **out)
{
	if (!(*out = path_pattern_new(text)))
		return fail_at(ld, at, "%s", error_last());
	return 0;
}

static int compile_re(const struct loader *ld, const yaml_node_t *at, const char *text,
		      struct regex **out)
{
	char err[128];
	size_t off = 0;
	if (!(*out = regex_new(text, REGEX_CASELESS, err, sizeof err, &off)))
		return fail_at(ld, at, "bad regular expression at offset %zu: %s", off, err);
	return 0;
}

static int add_row(const struct loader *ld, struct model_row *r, const yaml_node_t *at)
{
	struct model_set *m = ld->set;
	char where[512];
	snprintf(where, sizeof where, "%s:%zu", ld->name, at->start_mark.line + 1);
	char **src = realloc(m->sources, (m->nsources + 1) * sizeof *src);
	if (!src)
		return error_set("out of memory");
	m->sources = src;
	if (!(src[m->nsources] = strdup(where)))
		return error_set("out of memory");
	r->source = src[m->nsources++];
	struct model_row **rows = realloc(m->rows[r->kind], (m->nrows[r->kind] + 1) * sizeof *rows);
	if (!rows)
		return error_set("out of memory");
	m->rows[r->kind] = rows;
	rows[m->nrows[r->kind]++] = r;
	return 0;
}

static bool is_value_kind(enum model_kind k)
{
	return !strcmp(kinds[k].key, "value") || !strcmp(kinds[k].key, "module") ||
	       !strcmp(kinds[k].key, "name") || /* a regular expression, compiled apart */
	       !strcmp(kinds[k].key, "file"); /* a file glob (route_file), not a path */
}

static int load_row(const struct loader *ld, enum model_kind kind, const yaml_node_t *v)
{
	struct model_row *r = calloc(1, sizeof *r);
	if (!r)
		return error_set("out of memory");
	r->kind = kind;
	r->langs = ld->langs;
	int rc = 0;
	if (yaml_scalar(v)) {
		r->text = strdup(yaml_scalar(v));
		rc = r->text ? 0 : error_set("out of memory");
	} else if (v->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *p = v->data.mapping.pairs.start;
		     !rc && p < v->data.mapping.pairs.top; p++) {
			const char *key = yaml_scalar(node(ld, p->key));
			const yaml_node_t *val = node(ld, p->value);
			if (key && !strcmp(key, "languages")) {
				rc = load_langs(ld, val, &r->langs);
				continue;
			}
			if (!yaml_scalar(val)) {
				rc = fail_at(ld, val, "'%s' must be a string", key ? key : "?");
				break;
			}
			char **slot = NULL;
			if (key && !strcmp(key, kinds[kind].key)) {
				slot = &r->text;
			} else {
				for (int a = 0; a < MODEL_ATTR_COUNT && !slot; a++)
					if (key && !strcmp(key, attr_names[a]))
						slot = &r->attr[a];
			}
			if (!slot) {
				rc = fail_at(ld, node(ld, p->key), "unknown key '%s' in a %s row",
					     key ? key : "?", kinds[kind].name);
				break;
			}
			free(*slot);
			if (!(*slot = strdup(yaml_scalar(val))))
				rc = error_set("out of memory");
		}
		if (!rc && !r->text)
			rc = fail_at(ld, v, "a %s row needs '%s'", kinds[kind].name, kinds[kind].key);
	} else {
		rc = fail_at(ld, v, "a %s row must be a pattern or a mapping", kinds[kind].name);
	}
	if (!rc && !is_value_kind(kind))
		rc = compile(ld, v, r->text, &r->pat);
	if (!rc && r->attr[MODEL_ATTR_TYPE])
		rc = compile(ld, v, r->attr[MODEL_ATTR_TYPE], &r->type_pat);
	if (!rc && r->attr[MODEL_ATTR_DECORATOR])
		rc = compile(ld, v, r->attr[MODEL_ATTR_DECORATOR], &r->decorator_pat);
	if (!rc && r->attr[MODEL_ATTR_IN])
		rc = compile(ld, v, r->attr[MODEL_ATTR_IN], &r->in_pat);
	if (!rc && r->attr[MODEL_ATTR_RECEIVER])
		rc = compile(ld, v, r->attr[MODEL_ATTR_RECEIVER], &r->receiver_pat);
	if (!rc && kind == MODEL_SECRET_NAME)
		rc = compile_re(ld, v, r->text, &r->name_re);
	if (!rc && kind == MODEL_SECRET_NAME && r->attr[MODEL_ATTR_UNLESS])
		rc = compile_re(ld, v, r->attr[MODEL_ATTR_UNLESS], &r->unless_re);
	if (!rc && r->attr[MODEL_ATTR_UNLESS] && kind == MODEL_REQUEST_PARAM)
		rc = compile(ld, v, r->attr[MODEL_ATTR_UNLESS], &r->unless_pat);
	if (!rc && kind == MODEL_ROUTE_FILE && r->attr[MODEL_ATTR_EXPORT])
		rc = compile(ld, v, r->attr[MODEL_ATTR_EXPORT], &r->export_pat);
	if (!rc && kind == MODEL_ROUTE_FILE && r->attr[MODEL_ATTR_INDEX])
		rc = compile(ld, v, r->attr[MODEL_ATTR_INDEX], &r->index_pat);
	if (!rc)
		rc = add_row(ld, r, v);
	if (rc)
		row_free(r);
	return rc;
}

static int load_model(struct loader *ld, const yaml_node_t *root)
{
	if (!root || root->type != YAML_MAPPING_NODE)
		return fail_at(ld, root, "a model file is a mapping of row kinds to lists");
	ld->langs = LANG_ALL;
	bool named = false;
	/* languages first: it is the default of every row, wherever it is written */
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		const char *key = yaml_scalar(node(ld, p->key));
		if (key && !strcmp(key, "languages") && load_langs(ld, node(ld, p->value), &ld->langs))
			return -1;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		const char *key = yaml_scalar(node(ld, p->key));
		const yaml_node_t *v = node(ld, p->value);
		if (!key)
			return fail_at(ld, node(ld, p->key), "keys must be strings");
		if (!strcmp(key, "languages"))
			continue;
		if (!strcmp(key, "name") || !strcmp(key, "description")) {
			if (!yaml_scalar(v))
				return fail_at(ld, v, "'%s' must be a string", key);
			named |= !strcmp(key, "name");
			continue;
		}
		int kind = -1;
		for (int k = 0; k < MODEL_KIND_COUNT; k++)
			if (!strcmp(key, kinds[k].name))
				kind = k;
		if (kind < 0)
			return fail_at(ld, node(ld, p->key), "unknown row kind '%s'", key);
		if (!v || v->type != YAML_SEQUENCE_NODE)
			return fail_at(ld, v, "'%s' must be a list of rows", key);
		for (yaml_node_item_t *it = v->data.sequence.items.start;
		     it < v->data.sequence.items.top; it++)
			if (load_row(ld, (enum model_kind)kind, node(ld, *it)) < 0)
				return -1;
	}
	return named ? 0 : fail_at(ld, root, "a model file needs a 'name'");
}

int model_set_add_yaml(struct model_set *m, const char *name, const char *text, size_t len)
{
	struct loader ld = {.name = name, .set = m};
	if (yaml_load(&ld.doc, name, text, len) < 0)
		return -1;
	int oom;
	const yaml_node_t *twice = yaml_repeated_key(&ld.doc, &oom);
	int rc = oom ? -1
		 : twice ? fail_at(&ld, twice, "'%s' is given twice", twice->data.scalar.value)
			 : load_model(&ld, yaml_document_get_root_node(&ld.doc));
	yaml_document_delete(&ld.doc);
	return rc;
}

#define MODEL_FILE_MAX (1u << 20)

static int load_dir(struct model_set *m, const char *dir)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof path, "%s/models", dir) >= sizeof path)
		return error_set("%s: path too long", dir);
	DIR *d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : error_set("%s: cannot open: %s", path, strerror(errno));
	char **names;
	size_t n;
	if (yaml_dir_files(d, &names, &n) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		char file[4096 + 256];
		size_t len = 0;
		char *text = NULL;
		if ((size_t)snprintf(file, sizeof file, "%s/%s", path, names[i]) < sizeof file)
			text = file_read_small("", file, MODEL_FILE_MAX, &len);
		rc = text ? model_set_add_yaml(m, file, text, len)
			  : error_set("%s: cannot read (not a regular file, or over 1 MB)", file);
		free(text);
	}
	yaml_dir_files_free(names, n);
	return rc;
}

int model_set_load(struct model_set **out, const char *extra_dir)
{
	struct model_set *m = model_set_new();
	if (!m)
		return -1;
	int rc = 0;
	for (const struct embedded_model *e = embedded_models; !rc && e->name; e++)
		rc = model_set_add_yaml(m, e->name, e->text, e->len);
	if (!rc && extra_dir)
		rc = load_dir(m, extra_dir);
	if (rc) {
		model_set_free(m);
		return -1;
	}
	*out = m;
	return 0;
}

/* ---- matching ---- */

static bool row_applies(const struct model_row *r, enum lang lang, const struct path *p,
			bool prefix)
{
	if (!(r->langs & LANG_BIT(lang)) || r->receiver_pat || r->attr[MODEL_ATTR_FROM])
		return false; /* matched where the receiver's type or the import is known */
	/* cheap test first: a literal last segment must be the path's last (exact) */
	const char *last = path_pattern_last(r->pat);
	if (!prefix && last && p->n && strcmp(last, p->seg[p->n - 1]) != 0)
		return false;
	return true;
}

const struct model_row *model_match(const struct model_set *m, enum model_kind kind,
				    enum lang lang, const struct path *p)
{
	for (size_t i = 0; i < m->nrows[kind]; i++) {
		const struct model_row *r = m->rows[kind][i];
		if (r->pat && row_applies(r, lang, p, false) && path_match(r->pat, p))
			return r;
	}
	return NULL;
}

const struct model_row *model_match_prefix(const struct model_set *m, enum model_kind kind,
					   enum lang lang, const struct path *p, unsigned *len)
{
	const struct model_row *best = NULL;
	unsigned best_len = 0;
	for (size_t i = 0; i < m->nrows[kind]; i++) {
		const struct model_row *r = m->rows[kind][i];
		if (!r->pat || !row_applies(r, lang, p, true))
			continue;
		unsigned n = path_match_prefix(r->pat, p);
		if (n > best_len) {
			best = r;
			best_len = n;
		}
	}
	if (len)
		*len = best_len;
	return best;
}

const struct model_row *const *model_rows(const struct model_set *m, enum model_kind kind,
					  size_t *n)
{
	*n = m->nrows[kind];
	return (const struct model_row *const *)m->rows[kind];
}

bool model_list_has(const char *list, const char *word, size_t len)
{
	for (const char *alt = list; alt && *alt;) {
		const char *bar = strchr(alt, '|');
		size_t n = bar ? (size_t)(bar - alt) : strlen(alt);
		if (n == len && !strncmp(alt, word, n))
			return true;
		alt += n + (bar != NULL);
	}
	return false;
}

bool model_has_value(const struct model_set *m, enum model_kind kind, enum lang lang,
		     const char *text)
{
	for (size_t i = 0; i < m->nrows[kind]; i++) {
		const struct model_row *r = m->rows[kind][i];
		if ((r->langs & LANG_BIT(lang)) && !strcasecmp(r->text, text))
			return true;
	}
	return false;
}

bool model_name_matches(const struct model_set *m, enum model_kind kind, enum lang lang,
			const char *text, size_t len)
{
	for (size_t i = 0; i < m->nrows[kind]; i++) {
		const struct model_row *r = m->rows[kind][i];
		if ((r->langs & LANG_BIT(lang)) && r->name_re &&
		    regex_find(r->name_re, text, len) == 1 &&
		    !(r->unless_re && regex_find(r->unless_re, text, len) == 1))
			return true;
	}
	return false;
}
