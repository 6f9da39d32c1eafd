/* Rule files and the configuration are YAML mappings read key by key: a key given twice
 * would silently replace (and leak) what the first one set, so both loaders refuse it. */
#ifndef OCPAY_YAML_KEYS_H
#define OCPAY_YAML_KEYS_H

#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <yaml.h>

/* The second occurrence of the first key repeated in a mapping of doc, or NULL. Sets the
 * error "out of memory" and returns NULL with *oom set when it cannot tell. */
const yaml_node_t *yaml_repeated_key(yaml_document_t *doc, int *oom);

/* Loads text into doc; on invalid YAML sets "NAME:LINE:COL: invalid YAML: problem" (the
 * problem's kind only, never the file's content) and returns -1. */
int yaml_load(yaml_document_t *doc, const char *name, const char *text, size_t len);
/* Sets the error "NAME:LINE:COL: what" at node n (or "NAME: what" without one); -1. */
int yaml_vfail(const char *name, const yaml_node_t *n, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* The names of the YAML files (*.yml, *.yaml, not hidden) of the open folder d, sorted
 * so that loading never depends on readdir's order; d is closed. The caller frees each
 * name and the array. 0, or -1 out of memory. */
int yaml_dir_files(DIR *d, char ***names, size_t *n);
void yaml_dir_files_free(char **names, size_t n);
/* A scalar node's text, or NULL for anything else. */
const char *yaml_scalar(const yaml_node_t *n);

#endif
