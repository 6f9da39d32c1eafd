#include "core/yaml_keys.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

static int key_cmp(const void *x, const void *y)
{
	const yaml_node_t *a = *(const yaml_node_t *const *)x, *b = *(const yaml_node_t *const *)y;
	size_t n = a->data.scalar.length < b->data.scalar.length ? a->data.scalar.length
								 : b->data.scalar.length;
	int c = memcmp(a->data.scalar.value, b->data.scalar.value, n);
	if (c || a->data.scalar.length != b->data.scalar.length)
		return c ? c : a->data.scalar.length < b->data.scalar.length ? -1 : 1;
	/* equal keys in document order: the repeated one comes second */
	return a->start_mark.index < b->start_mark.index
		   ? -1
		   : a->start_mark.index > b->start_mark.index;
}

const yaml_node_t *yaml_repeated_key(yaml_document_t *doc, int *oom)
{
	*oom = 0;
	const yaml_node_t *found = NULL;
	for (yaml_node_t *m = doc->nodes.start; m < doc->nodes.top && !found; m++) {
		if (m->type != YAML_MAPPING_NODE)
			continue;
		size_t n = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
		if (n < 2)
			continue;
		/* sorted, so that a mapping of many keys costs n log n */
		const yaml_node_t **keys = malloc(n * sizeof *keys);
		if (!keys) {
			*oom = 1;
			error_set("out of memory");
			return NULL;
		}
		size_t k = 0;
		for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
		     p < m->data.mapping.pairs.top; p++) {
			const yaml_node_t *key = yaml_document_get_node(doc, p->key);
			if (key && key->type == YAML_SCALAR_NODE)
				keys[k++] = key;
		}
		qsort(keys, k, sizeof *keys, key_cmp);
		for (size_t i = 1; i < k && !found; i++)
			if (keys[i]->data.scalar.length == keys[i - 1]->data.scalar.length &&
			    !memcmp(keys[i]->data.scalar.value, keys[i - 1]->data.scalar.value,
				    keys[i]->data.scalar.length))
				found = keys[i];
		free(keys);
	}
	return found;
}

int yaml_load(yaml_document_t *doc, const char *name, const char *text, size_t len)
{
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		return error_set("out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	int rc = 0;
	if (!yaml_parser_load(&parser, doc))
		rc = error_set("%s:%zu:%zu: invalid YAML: %s", name, parser.problem_mark.line + 1,
			       parser.problem_mark.column + 1,
			       parser.problem ? parser.problem : "syntax error");
	yaml_parser_delete(&parser);
	return rc;
}

int yaml_vfail(const char *name, const yaml_node_t *n, const char *fmt, va_list ap)
{
	char what[512];
	vsnprintf(what, sizeof what, fmt, ap);
	if (!n)
		return error_set("%s: %s", name, what);
	return error_set("%s:%zu:%zu: %s", name, n->start_mark.line + 1, n->start_mark.column + 1,
			 what);
}

const char *yaml_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int yaml_dir_files(DIR *d, char ***names, size_t *n)
{
	char **list = NULL;
	size_t count = 0;
	int rc = 0;
	struct dirent *e;
	while (!rc && (e = readdir(d))) {
		size_t l = strlen(e->d_name);
		bool yml = (l > 4 && !strcmp(e->d_name + l - 4, ".yml")) ||
			   (l > 5 && !strcmp(e->d_name + l - 5, ".yaml"));
		if (!yml || e->d_name[0] == '.')
			continue;
		char **p = realloc(list, (count + 1) * sizeof *p);
		if (!p || !(p[count] = strdup(e->d_name))) {
			list = p ? p : list;
			rc = error_set("out of memory");
			break;
		}
		list = p;
		count++;
	}
	closedir(d);
	if (rc) {
		yaml_dir_files_free(list, count);
		return -1;
	}
	if (count)
		qsort(list, count, sizeof *list, cmp_name);
	*names = list;
	*n = count;
	return 0;
}

void yaml_dir_files_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
