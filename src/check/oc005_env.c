/* OC005 env-file-not-ignored: a .env file that git would commit, or did. Whether a file is
 * tracked or ignored comes from the file list (libgit2's index and ignore rules); outside
 * a git repository the rule cannot decide and says so. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check/scan.h"
#include "core/error.h"
#include "core/secret.h"
#include "source/git.h"

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

static bool is_env_file(const char *path)
{
	const char *b = base_name(path);
	return !strcmp(b, ".env") || !strncmp(b, ".env.", 5);
}

/* Templates meant to be committed: .env.example, .env.sample, .env.local.example ... */
static bool is_template(const char *path)
{
	static const char *const suffixes[] = {".example", ".sample", ".template", ".dist",
					       ".defaults", ".tpl"};
	const char *b = base_name(path);
	size_t n = strlen(b);
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		size_t sl = strlen(suffixes[i]);
		if (n > sl && !strcmp(b + n - sl, suffixes[i]))
			return true;
	}
	return false;
}

static bool secret_name(const char *s, size_t n)
{
	static const char *const words[] = {"key", "token", "secret", "password"};
	for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
		size_t wl = strlen(words[w]);
		for (size_t i = 0; i + wl <= n; i++)
			if (!strncasecmp(s + i, words[w], wl))
				return true;
	}
	return false;
}

/* The first entry of a template whose secret-named variable holds a real value; its
 * name goes into *name. */
static bool template_has_value(const struct unit *u, char *name, size_t size)
{
	const char *p = u->data, *end = u->data + u->len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		const char *q = p;
		while (q < eol && isspace((unsigned char)*q))
			q++;
		if (eol - q > 7 && !strncmp(q, "export ", 7))
			q += 7;
		const char *ns = q;
		while (q < eol && (isalnum((unsigned char)*q) || *q == '_' || *q == '.'))
			q++;
		const char *ne = q;
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		if (ne > ns && q < eol && (*q == '=' || *q == ':') && secret_name(ns, (size_t)(ne - ns))) {
			q++;
			while (q < eol && (*q == ' ' || *q == '\t'))
				q++;
			const char *ve = q;
			while (ve < eol && *ve != '#' && *ve != '\r')
				ve++;
			while (ve > q && isspace((unsigned char)ve[-1]))
				ve--;
			if (!secret_is_placeholder(q, (size_t)(ve - q), 8)) {
				snprintf(name, size, "%.*s", (int)(ne - ns), ns);
				return true;
			}
		}
		p = eol + 1;
	}
	return false;
}

int oc005_env_unit(struct unit *u, const struct rule *r, const struct detector *d)
{
	(void)d;
	if (!is_env_file(u->path) || !u->scan->repo)
		return 0;
	char msg[512];
	if (is_template(u->path)) {
		char name[128];
		if (!template_has_value(u, name, sizeof name))
			return 0;
		snprintf(msg, sizeof msg,
			 "{path} is a template but holds a real value for %s: templates are "
			 "committed, so it must hold placeholders only",
			 name);
		return unit_add_hit(u, r, 0, 0, NULL, 0, msg, SEV_HIGH);
	}
	if (u->flags & FILE_TRACKED)
		return unit_add_hit(u, r, 0, 0, NULL, 0,
				    "{path} is committed to git: every clone has its secrets. Run "
				    "`git rm --cached {path}`, ignore it, and rotate the keys it held",
				    SEV_HIGH);
	if (u->flags & FILE_UNTRACKED)
		return unit_add_hit(u, r, 0, 0, NULL, 0,
				    "{path} is not git-ignored: the next `git add .` commits it. Add "
				    "`.env*` to .gitignore",
				    SEV_MEDIUM);
	return 0;
}

/* The low-severity advice when git would not ignore env_path: 1 when given, 0 when the
 * path is ignored, -1 on error. */
static int advise_if_not_ignored(struct scan *s, const struct rule *r, const char *env_path)
{
	bool ignored = false;
	if (repo_is_ignored(s->repo, env_path, &ignored) < 0)
		return -1;
	if (ignored)
		return 0;
	char msg[4200];
	snprintf(msg, sizeof msg,
		 ".gitignore does not cover %s: add `.env*` (with `!.env.example`) before an OCPay "
		 "key is ever saved there",
		 env_path);
	return scan_add_finding(s, r, SEV_LOW, ".gitignore", 1, msg, "gitignore-env") < 0 ? -1 : 1;
}

int oc005_env_finish(struct scan *s, const struct rule *r)
{
	if (!s->repo)
		return scan_note_unknown(s, r,
					 "not a git repository: what git ignores or tracks is unknown");
	/* Each env file has spoken for itself; a template alone says nothing of the .env
	 * that will be copied from it. */
	for (size_t i = 0; i < s->files.len; i++)
		if (is_env_file(s->files.items[i].path) && !is_template(s->files.items[i].path))
			return 0;
	if (!s->ocpay_seen)
		return 0;
	/* The .env will be created beside its template (apps/api/.env.example in a
	 * monorepo), or at the root when there is none. */
	bool any_template = false;
	for (size_t i = 0; i < s->files.len; i++) {
		const char *p = s->files.items[i].path;
		if (!is_env_file(p))
			continue;
		any_template = true;
		char env_path[4096];
		snprintf(env_path, sizeof env_path, "%.*s.env", (int)(base_name(p) - p), p);
		int rc = advise_if_not_ignored(s, r, env_path);
		if (rc)
			return rc < 0 ? -1 : 0;
	}
	return any_template ? 0 : advise_if_not_ignored(s, r, ".env") < 0 ? -1 : 0;
}
