/* What the report knows of the file a finding is in, to show its fix in that file's
 * language and framework: the language from the file name (or, for env and config files,
 * from the project's manifest), the framework from what the file imports and what the
 * nearest manifest declares (package.json, composer.json, requirements.txt,
 * pyproject.toml). Files are read, never run; a symbolic link is not followed. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "lang/lang.h"
#include "report/report.h"

#define CONTEXT_READ_MAX (256 * 1024)

/* The first CONTEXT_READ_MAX bytes of root/path, NUL-terminated, or NULL. */
static char *read_head(const char *root, const char *path, size_t path_len)
{
	if (!root)
		return NULL;
	struct buf name = BUF_INIT;
	buf_printf(&name, "%s%.*s", root, (int)path_len, path);
	int fd = name.ptr ? open(name.ptr, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
	buf_free(&name);
	if (fd < 0)
		return NULL;
	char *text = malloc(CONTEXT_READ_MAX + 1);
	size_t len = 0;
	ssize_t n = 0;
	while (text && len < CONTEXT_READ_MAX &&
	       (n = read(fd, text + len, CONTEXT_READ_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (text)
		text[len] = '\0';
	return text;
}

/* word (lower case) anywhere in text, in any case */
static bool has(const char *text, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = text; p && *p; p++)
		if (!strncasecmp(p, word, n))
			return true;
	return false;
}

struct framework_hint {
	const char *lang;
	const char *word;      /* in the file itself or in the manifest */
	const char *framework;
};

/* Most specific first: a WooCommerce gateway is also WordPress code, a Next.js app may
 * also depend on express. */
static const struct framework_hint in_file[] = {
	{"php", "WC_Payment_Gateway", "woocommerce"}, {"php", "woocommerce", "woocommerce"},
	{"php", "wc_get_order", "woocommerce"},	      {"php", "Illuminate\\", "laravel"},
	{"php", "Symfony\\", "symfony"},	      {"php", "add_action(", "wordpress"},
	{"python", "from django", "django"},	      {"python", "import django", "django"},
	{"python", "from fastapi", "fastapi"},	      {"python", "from flask", "flask"},
	{"javascript", "from \"next/", "nextjs"},     {"javascript", "from 'next/", "nextjs"},
	{"javascript", "@nestjs/", "nestjs"},	      {"javascript", "require(\"express\")", "express"},
	{"javascript", "require('express')", "express"}, {"javascript", "from \"express\"", "express"},
	{"javascript", "from 'express'", "express"},
};

static const struct framework_hint in_manifest[] = {
	{"javascript", "\"next\"", "nextjs"},	     {"javascript", "\"@nestjs/core\"", "nestjs"},
	{"javascript", "\"express\"", "express"},	     {"javascript", "\"fastify\"", "fastify"},
	{"javascript", "\"koa\"", "koa"},		     {"php", "woocommerce", "woocommerce"},
	{"php", "\"laravel/framework\"", "laravel"}, {"php", "\"symfony/", "symfony"},
	{"php", "wordpress", "wordpress"},	     {"python", "django", "django"},
	{"python", "fastapi", "fastapi"},	     {"python", "flask", "flask"},
};

static const struct {
	const char *file, *lang;
} manifests[] = {
	{"package.json", "javascript"}, {"composer.json", "php"},      {"requirements.txt", "python"},
	{"pyproject.toml", "python"},	{"Pipfile", "python"},	       {"setup.py", "python"},
};

static const char *lang_word(enum lang l)
{
	switch (l) {
	case LANG_JAVASCRIPT:
		return "javascript";
	case LANG_TYPESCRIPT:
	case LANG_TSX:
		return "typescript";
	case LANG_PHP:
		return "php";
	case LANG_PYTHON:
		return "python";
	default:
		return NULL;
	}
}

static bool same_family(const char *a, const char *b)
{
	if (!strcmp(a, "typescript"))
		a = "javascript";
	if (!strcmp(b, "typescript"))
		b = "javascript";
	return !strcmp(a, b);
}

/* The framework the nearest manifest of lang declares, walking up from path's folder;
 * sets *lang when it is not known yet (an env or config file takes the project's). */
static const char *from_manifests(const char *root, const char *path, const char **lang)
{
	size_t dir = strlen(path);
	for (;;) {
		while (dir && path[dir - 1] != '/')
			dir--;
		for (size_t m = 0; m < sizeof manifests / sizeof manifests[0]; m++) {
			if (*lang && !same_family(*lang, manifests[m].lang))
				continue;
			struct buf name = BUF_INIT;
			buf_printf(&name, "%.*s%s", (int)dir, path, manifests[m].file);
			char *text = name.ptr ? read_head(root, name.ptr, name.len) : NULL;
			buf_free(&name);
			if (!text)
				continue;
			if (!*lang)
				*lang = manifests[m].lang;
			const char *fw = NULL;
			for (size_t h = 0; h < sizeof in_manifest / sizeof in_manifest[0] && !fw; h++)
				if (same_family(in_manifest[h].lang, *lang) &&
				    has(text, in_manifest[h].word))
					fw = in_manifest[h].framework;
			free(text);
			if (fw)
				return fw;
		}
		if (!dir)
			return NULL;
		dir--; /* past the '/': the parent folder */
	}
}

static void detect(const struct report *rep, const char *path, struct file_context *c)
{
	const char *root = rep->result->root;
	c->lang = lang_word(lang_from_path(path));
	c->framework = NULL;
	if (c->lang) {
		char *text = read_head(root, path, strlen(path));
		for (size_t h = 0; text && h < sizeof in_file / sizeof in_file[0] && !c->framework;
		     h++)
			if (same_family(in_file[h].lang, c->lang) && strstr(text, in_file[h].word))
				c->framework = in_file[h].framework;
		free(text);
		/* Next.js routes are known by their place as well as their imports */
		if (!c->framework && same_family(c->lang, "javascript") &&
		    (strstr(path, "pages/api/") || (strstr(path, "app/") && strstr(path, "/route."))))
			c->framework = "nextjs";
	}
	if (!c->framework)
		c->framework = from_manifests(root, path, &c->lang);
}

int report_contexts(struct file_context **out, const struct report *rep)
{
	const struct finding_list *l = &rep->result->findings;
	*out = calloc(l->len ? l->len : 1, sizeof **out);
	if (!*out)
		return error_set("out of memory");
	for (size_t i = 0; i < l->len; i++) {
		/* findings are sorted by path: a file is read once */
		if (i && !strcmp(l->items[i - 1].path, l->items[i].path))
			(*out)[i] = (*out)[i - 1];
		else
			detect(rep, l->items[i].path, &(*out)[i]);
	}
	return 0;
}

const char *report_fix_label(const char *key, char *buf, size_t size)
{
	static const char *const names[][2] = {
	    {"javascript", "JavaScript"}, {"typescript", "TypeScript"}, {"php", "PHP"},
	    {"python", "Python"},	  {"express", "Express"},	{"nextjs", "Next.js"},
	    {"nestjs", "NestJS"},	  {"fastify", "Fastify"},	{"koa", "Koa"},
	    {"laravel", "Laravel"},	  {"woocommerce", "WooCommerce"}, {"wordpress", "WordPress"},
	    {"symfony", "Symfony"},	  {"django", "Django"},		{"fastapi", "FastAPI"},
	    {"flask", "Flask"},
	};
	if (!key) {
		snprintf(buf, size, "any language");
		return buf;
	}
	size_t ll = strcspn(key, "/");
	const char *fw = key[ll] ? key + ll + 1 : NULL;
	const char *l = NULL, *f = fw;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strlen(names[i][0]) == ll && !strncmp(key, names[i][0], ll))
			l = names[i][1];
		if (fw && !strcmp(fw, names[i][0]))
			f = names[i][1];
	}
	if (f)
		snprintf(buf, size, "%s, %s", l ? l : key, f);
	else
		snprintf(buf, size, "%s", l ? l : key);
	return buf;
}
