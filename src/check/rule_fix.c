/* A rule's fix as code in the language and framework of the file a finding is in: the
 * `fixes:` map of a rule file, and the choice of the entry that fits a file best. The
 * code is written by hand in the rule file, never generated. */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "check/rule.h"
#include "core/error.h"

static const char *const fix_languages[] = {"javascript", "typescript", "php", "python", NULL};

static char *dup_node(const yaml_node_t *n)
{
	char *s = malloc(n->data.scalar.length + 1);
	if (s) {
		memcpy(s, n->data.scalar.value, n->data.scalar.length);
		s[n->data.scalar.length] = '\0';
	}
	return s;
}

static int fail_node(const char *name, const yaml_node_t *n, const char *what, const char *key)
{
	return error_set("%s:%zu:%zu: %s%s%s", name, n->start_mark.line + 1,
			 n->start_mark.column + 1, what, key ? key : "", key ? "'" : "");
}

/* "php" or "php/woocommerce": a known language, then an optional lower-case word. */
static bool valid_key(const char *k)
{
	size_t lang = strcspn(k, "/");
	bool known = false;
	for (size_t i = 0; fix_languages[i] && !known; i++)
		known = strlen(fix_languages[i]) == lang && !strncmp(fix_languages[i], k, lang);
	if (!known)
		return false;
	if (!k[lang])
		return true;
	const char *fw = k + lang + 1;
	if (!*fw)
		return false;
	for (; *fw; fw++)
		if (!((*fw >= 'a' && *fw <= 'z') || (*fw >= '0' && *fw <= '9') || *fw == '-'))
			return false;
	return true;
}

int rule_fixes_load(struct rule *r, struct yaml_document_s *doc, struct yaml_node_s *map,
		    const char *name)
{
	if (map->type != YAML_MAPPING_NODE)
		return fail_node(name, map, "'fixes' must map a language (php, php/laravel) to code",
				 NULL);
	rule_fixes_free(r);
	size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
	r->fixes = calloc(n ? n : 1, sizeof *r->fixes);
	if (!r->fixes)
		return error_set("out of memory");
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		if (!k || !v || k->type != YAML_SCALAR_NODE || v->type != YAML_SCALAR_NODE)
			return fail_node(name, v ? v : map, "each fix must be a language: code pair",
					 NULL);
		char *key = dup_node(k);
		if (!key)
			return error_set("out of memory");
		if (!valid_key(key)) {
			fail_node(name, k,
				  "a fix is keyed by javascript, typescript, php or python, optionally "
				  "with /framework (php/woocommerce), not '",
				  key);
			free(key);
			return -1;
		}
		struct rule_fix *f = &r->fixes[r->nfixes++];
		f->key = key;
		if (!(f->code = dup_node(v)))
			return error_set("out of memory");
	}
	return 0;
}

void rule_fixes_free(struct rule *r)
{
	for (size_t i = 0; i < r->nfixes; i++) {
		free(r->fixes[i].key);
		free(r->fixes[i].code);
	}
	free(r->fixes);
	r->fixes = NULL;
	r->nfixes = 0;
}

static const struct rule_fix *find(const struct rule *r, const char *lang, const char *fw)
{
	if (!lang)
		return NULL;
	size_t ll = strlen(lang);
	for (size_t i = 0; i < r->nfixes; i++) {
		const char *k = r->fixes[i].key;
		if (strncmp(k, lang, ll) != 0)
			continue;
		if (fw ? k[ll] == '/' && !strcmp(k + ll + 1, fw) : !k[ll])
			return &r->fixes[i];
	}
	return NULL;
}

const char *rule_fix_for(const struct rule *r, const char *lang, const char *framework,
			 const char **key)
{
	/* TypeScript code reads like JavaScript code: its fixes are the JavaScript ones
	 * unless the rule has its own. */
	const char *langs[] = {lang, lang && !strcmp(lang, "typescript") ? "javascript" : NULL};
	const struct rule_fix *f = NULL;
	/* the framework first: Next.js code fits a nextjs entry better than a typescript one */
	for (size_t i = 0; i < 2 && !f && framework; i++)
		f = find(r, langs[i], framework);
	for (size_t i = 0; i < 2 && !f; i++)
		f = find(r, langs[i], NULL);
	if (key)
		*key = f ? f->key : NULL;
	return f ? f->code : NULL;
}
