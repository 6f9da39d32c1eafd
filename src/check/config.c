#include "check/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "check/rule.h"
#include "core/yaml_keys.h"
#include "core/error.h"
#include "source/files.h"

/* A configuration is a few lines: anything larger is not one. */
#define CONFIG_MAX_SIZE (1u << 20)

struct cfg_loader {
	yaml_document_t doc;
	const char *name;
};

__attribute__((format(printf, 3, 4))) static int fail(const struct cfg_loader *ld,
						      const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = yaml_vfail(ld->name, n, fmt, ap);
	va_end(ap);
	return rc;
}

static yaml_node_t *node(const struct cfg_loader *ld, int id)
{
	return yaml_document_get_node((yaml_document_t *)&ld->doc, id);
}


static void free_strings(char **v, size_t n);

static int strings(const struct cfg_loader *ld, const yaml_node_t *n, const char *key,
		   char ***out, size_t *count)
{
	if (yaml_scalar(n)) {
		if (!(*out = calloc(1, sizeof **out)) || !(**out = strdup(yaml_scalar(n))))
			return error_set("out of memory");
		*count = 1;
		return 0;
	}
	if (!n || n->type != YAML_SEQUENCE_NODE)
		return fail(ld, n, "'%s' must be a list of globs", key);
	size_t len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (!(*out = calloc(len ? len : 1, sizeof **out)))
		return error_set("out of memory");
	for (size_t i = 0; i < len; i++) {
		const yaml_node_t *item = node(ld, n->data.sequence.items.start[i]);
		if (!yaml_scalar(item))
			return fail(ld, item ? item : n, "'%s' must be a list of globs", key);
		if (!((*out)[i] = strdup(yaml_scalar(item))))
			return error_set("out of memory");
		*count = i + 1;
	}
	return 0;
}

#define PAIRS(map, p) \
	for (yaml_node_pair_t *p = (map)->data.mapping.pairs.start; p < (map)->data.mapping.pairs.top; p++)

static bool is_off(const char *v)
{
	return !strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no") ||
	       !strcmp(v, "disabled");
}

static bool is_on(const char *v)
{
	return !strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes") ||
	       !strcmp(v, "enabled");
}

static int load_rule(const struct cfg_loader *ld, struct config *c, const yaml_node_t *key,
		     const yaml_node_t *v, const struct ruleset *rules)
{
	const char *id = yaml_scalar(key);
	if (!id)
		return fail(ld, key, "a rule is named by its id (OC001 ...)");
	if (rules && !ruleset_find(rules, id))
		return fail(ld, key, "no rule '%s' (see ocpay-audit rules)", id);
	struct rule_setting *p = realloc(c->rules, (c->nrules + 1) * sizeof *p);
	if (!p)
		return error_set("out of memory");
	c->rules = p;
	struct rule_setting *r = &c->rules[c->nrules];
	*r = (struct rule_setting){.id = strdup(id), .severity = -1};
	if (!r->id)
		return error_set("out of memory");
	c->nrules++;
	if (yaml_scalar(v)) {
		if (is_off(yaml_scalar(v)))
			r->disabled = true;
		else if (!is_on(yaml_scalar(v)))
			return fail(ld, v, "a rule is 'off', 'on' or a mapping with enabled and severity");
		return 0;
	}
	if (!v || v->type != YAML_MAPPING_NODE)
		return fail(ld, v, "a rule is 'off', 'on' or a mapping with enabled and severity");
	PAIRS(v, p2)
	{
		const yaml_node_t *k = node(ld, p2->key), *val = node(ld, p2->value);
		const char *name = yaml_scalar(k) ? yaml_scalar(k) : "";
		const char *s = yaml_scalar(val);
		if (!strcmp(name, "enabled")) {
			if (!s || (!is_on(s) && !is_off(s)))
				return fail(ld, val, "enabled must be true or false");
			r->disabled = is_off(s);
		} else if (!strcmp(name, "severity")) {
			enum severity sev;
			if (!s || severity_parse(&sev, s) < 0)
				return fail(ld, val, "severity must be one of info, low, medium, "
						     "high, critical");
			r->severity = (int)sev;
		} else {
			return fail(ld, k, "unknown key '%s' for a rule (enabled, severity)", name);
		}
	}
	return 0;
}

static int load_root(const struct cfg_loader *ld, struct config *c, const yaml_node_t *root,
		     const struct ruleset *rules)
{
	if (!root)
		return 0; /* an empty file */
	if (root->type != YAML_MAPPING_NODE)
		return fail(ld, root, "the configuration must be a mapping");
	PAIRS(root, p)
	{
		const yaml_node_t *k = node(ld, p->key), *v = node(ld, p->value);
		const char *key = yaml_scalar(k) ? yaml_scalar(k) : "";
		int rc = 0;
		if (!strcmp(key, "exclude")) {
			rc = strings(ld, v, key, &c->exclude, &c->nexclude);
		} else if (!strcmp(key, "runtime")) {
			if (!v || v->type != YAML_MAPPING_NODE)
				return fail(ld, v, "runtime must map browser and server to globs");
			PAIRS(v, q)
			{
				const yaml_node_t *rk = node(ld, q->key), *rv = node(ld, q->value);
				const char *side = yaml_scalar(rk) ? yaml_scalar(rk) : "";
				if (!strcmp(side, "browser"))
					rc = strings(ld, rv, "browser", &c->browser, &c->nbrowser);
				else if (!strcmp(side, "server"))
					rc = strings(ld, rv, "server", &c->server, &c->nserver);
				else
					rc = fail(ld, rk, "unknown runtime '%s' (browser, server)", side);
				if (rc)
					return rc;
			}
		} else if (!strcmp(key, "polling")) {
			if (!v || v->type != YAML_MAPPING_NODE)
				return fail(ld, v, "polling must be a mapping with min_interval_ms");
			PAIRS(v, q)
			{
				const yaml_node_t *pk = node(ld, q->key), *pv = node(ld, q->value);
				const char *name = yaml_scalar(pk) ? yaml_scalar(pk) : "";
				if (strcmp(name, "min_interval_ms"))
					return fail(ld, pk, "unknown key '%s' (min_interval_ms)", name);
				char *end = NULL;
				errno = 0;
				double ms = yaml_scalar(pv) ? strtod(yaml_scalar(pv), &end) : -1;
				/* written so that "nan" fails too */
				if (!yaml_scalar(pv) || errno || *end || !(ms >= 0 && ms <= 86400000))
					return fail(ld, pv, "min_interval_ms must be a number of "
							    "milliseconds");
				c->poll_min_ms = ms;
			}
		} else if (!strcmp(key, "allowed_keys")) {
			char **keys = NULL;
			size_t n = 0;
			rc = strings(ld, v, key, &keys, &n);
			if (!rc && n && !(c->allowed = calloc(n, sizeof *c->allowed)))
				rc = error_set("out of memory");
			for (size_t i = 0; !rc && i < n; i++)
				rc = hash_hex(c->allowed[c->nallowed++], keys[i], strlen(keys[i]));
			free_strings(keys, n);
		} else if (!strcmp(key, "rules")) {
			if (!v || v->type != YAML_MAPPING_NODE)
				return fail(ld, v, "rules must map rule ids to settings");
			PAIRS(v, q)
			{
				if ((rc = load_rule(ld, c, node(ld, q->key), node(ld, q->value), rules)))
					return rc;
			}
		} else {
			return fail(ld, k,
				    "unknown key '%s' (exclude, runtime, polling, rules, allowed_keys)",
				    key);
		}
		if (rc)
			return rc;
	}
	return 0;
}

void config_defaults(struct config *c)
{
	*c = (struct config){.poll_min_ms = CONFIG_POLL_MIN_MS};
}

int config_load_text(struct config *c, const char *name, const char *text, size_t len,
		     const struct ruleset *rules)
{
	struct cfg_loader ld = {.name = name};
	if (yaml_load(&ld.doc, name, text, len) < 0)
		return -1;
	int oom;
	const yaml_node_t *twice = yaml_repeated_key(&ld.doc, &oom);
	int rc = oom ? -1
		 : twice ? fail(&ld, twice, "'%s' is given twice", twice->data.scalar.value)
			 : load_root(&ld, c, yaml_document_get_root_node(&ld.doc), rules);
	yaml_document_delete(&ld.doc);
	if (!rc && !(c->path = strdup(name)))
		rc = error_set("out of memory");
	return rc;
}

int config_load(struct config *c, const char *dir, const char *path,
		const struct ruleset *rules)
{
	char *text = NULL;
	size_t len = 0;
	int rc = file_read_regular(&text, &len, dir, path, CONFIG_MAX_SIZE);
	if (rc == 1 && !dir)
		return error_set("%s: %s", path, strerror(ENOENT));
	if (rc)
		return rc < 0 ? -1 : 0;
	char name[4096];
	file_join_name(name, sizeof name, dir, path);
	rc = config_load_text(c, name, text, len, rules);
	free(text);
	return rc;
}

const struct rule_setting *config_rule(const struct config *c, const char *id)
{
	for (size_t i = 0; c && i < c->nrules; i++)
		if (!strcmp(c->rules[i].id, id))
			return &c->rules[i];
	return NULL;
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void config_free(struct config *c)
{
	free_strings(c->exclude, c->nexclude);
	free(c->allowed);
	free_strings(c->browser, c->nbrowser);
	free_strings(c->server, c->nserver);
	for (size_t i = 0; i < c->nrules; i++)
		free(c->rules[i].id);
	free(c->rules);
	free(c->path);
	config_defaults(c);
}
