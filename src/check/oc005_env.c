/* OC005 env-file-not-ignored: a .env file that git would commit, or did. Whether a file is
 * tracked or ignored comes from the file list (libgit2's index and ignore rules); outside
 * a git repository the rule cannot decide and says so. What a committed file is told
 * depends on what it holds: "rotate" only for a secret. The .gitignore advice is for a
 * project that reads the key from the environment, and points at a file that exists. */
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check/checker.h"
#include "check/scan.h"
#include "core/error.h"
#include "core/regex.h"
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

/* What the checker records for the repository-level step. */
enum { EV_TRACKED_PLAIN, EV_ENV_READ };

/* Templates meant to be committed: .env.example, .env.sample, .env.local.example, and
 * the sources of template engines (.env.hbs, .env.j2, .env.erb ...), whose values are
 * filled in when they are rendered. */
static bool is_template(const char *path)
{
	static const char *const suffixes[] = {
		".example", ".sample", ".template", ".dist", ".defaults", ".tpl", ".tmpl",
		".hbs", ".handlebars", ".mustache", ".j2", ".jinja", ".jinja2", ".njk",
		".erb", ".ejs", ".liquid", ".twig",
	};
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

/* A URL with a password in it (postgres://app:s3cret@db/app): a secret whatever the
 * variable is called. */
static bool has_credentials(const char *v, size_t n)
{
	const char *p = memmem(v, n, "://", 3);
	if (!p)
		return false;
	const char *at = memchr(p, '@', (size_t)(v + n - p));
	const char *colon = memchr(p + 3, ':', (size_t)(v + n - p - 3));
	if (!at || !colon || colon > at || at - colon < 2)
		return false;
	return !secret_is_placeholder(colon + 1, (size_t)(at - colon - 1), 1);
}

/* The first entry whose secret-named variable holds a real value, or whose value is a
 * URL with a password; its name goes into *name. */
static bool env_has_secret(const struct unit *u, char *name, size_t size)
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
		if (ne > ns && q < eol && (*q == '=' || *q == ':')) {
			q++;
			while (q < eol && (*q == ' ' || *q == '\t'))
				q++;
			const char *ve = q;
			while (ve < eol && *ve != '#' && *ve != '\r')
				ve++;
			while (ve > q && isspace((unsigned char)ve[-1]))
				ve--;
			if ((secret_name(ns, (size_t)(ne - ns)) &&
			     !secret_is_placeholder(q, (size_t)(ve - q), 8)) ||
			    has_credentials(q, (size_t)(ve - q))) {
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
	char msg[512], name[128];
	bool secret = env_has_secret(u, name, sizeof name);
	if (is_template(u->path)) {
		if (!secret)
			return 0;
		snprintf(msg, sizeof msg,
			 "{path} is a template but holds a real value for %s: templates are "
			 "committed, so it must hold placeholders only",
			 name);
		return unit_add_hit(u, r, 0, 0, NULL, 0, msg, SEV_HIGH);
	}
	if ((u->flags & FILE_TRACKED) && secret) {
		snprintf(msg, sizeof msg,
			 "{path} is committed to git with a secret in it (%s): every clone has it. "
			 "Run `git rm --cached {path}`, ignore it, and rotate that secret",
			 name);
		return unit_add_hit(u, r, 0, 0, NULL, 0, msg, SEV_HIGH);
	}
	/* Committed settings with no secret (Symfony's .env of defaults): nothing leaked. The
	 * repository-level step tells whether the secrets have an ignored place to go. */
	if (u->flags & FILE_TRACKED)
		return u->scope == SCOPE_TREE
			   ? scan_add_evidence(u->scan, r, EV_TRACKED_PLAIN, u->path, 1, NULL)
			   : 0;
	if (u->flags & FILE_UNTRACKED)
		return unit_add_hit(u, r, 0, 0, NULL, 0,
				    "{path} is not git-ignored: the next `git add .` commits it. Add "
				    "`.env*` to .gitignore",
				    SEV_MEDIUM);
	return 0;
}

/* Reads of an OCPay-named variable from the environment: process.env.ONECLICK_API_KEY,
 * const { OCPAY_KEY } = process.env, getenv('OCPAY_API_KEY'), os.environ["..."],
 * $_ENV['...'], env('OCPAY_KEY') in Laravel, Deno.env.get("..."). Only such a project
 * keeps the key in a .env file, and is told to ignore it. */
static const char env_read_pattern[] =
	"(?i)(?:(?:process\\.env|import\\.meta\\.env|getenv|environ(?:\\.get)?|\\$_ENV|\\$_SERVER|"
	"(?<![A-Za-z0-9_>.$])env|env\\.get|Env::get|dotenv_values\\([^)]*\\))"
	"[\\s(\\[.'\"]{1,4}[A-Za-z0-9_]*(?:oneclick|ocpay|flexy)"
	"|\\{[^}]*(?:oneclick|ocpay|flexy)[A-Za-z0-9_]*[^}]*\\}\\s*=\\s*process\\.env\\b)";

int oc005_env_reads_unit(struct unit *u, const struct rule *r, const struct detector *d)
{
	(void)d;
	if (u->scope != SCOPE_TREE || is_env_file(u->path))
		return 0;
	struct regex *re = checker_regex(u->scan, r, env_read_pattern);
	if (!re)
		return -1;
	struct regex_iter it;
	regex_iter_init(&it, re, u->data, u->len);
	size_t a = 0, b = 0;
	bool found = regex_iter_next(&it) && regex_iter_group(&it, 0, &a, &b);
	regex_iter_free(&it);
	return found ? scan_add_evidence(u->scan, r, EV_ENV_READ, u->path, unit_line(u, a), NULL) : 0;
}

static bool listed(const struct scan *s, const char *path)
{
	for (size_t i = 0; i < s->files.len; i++)
		if (!strcmp(s->files.items[i].path, path))
			return true;
	return false;
}

static const struct scan_evidence *first_evidence(const struct scan *s, const struct rule *r,
						  int kind)
{
	for (size_t i = 0; i < s->nevidence; i++)
		if (s->evidence[i].rule == r && s->evidence[i].kind == kind)
			return &s->evidence[i];
	return NULL;
}

/* The low-severity advice when git would not ignore env_path: 1 when given, 0 when the
 * path is ignored, -1 on error. It points at a file that exists: the .gitignore to edit,
 * else the template the .env is copied from, else where the key is read. */
static int advise_if_not_ignored(struct scan *s, const struct rule *r, const char *env_path,
				 const char *template, const struct scan_evidence *read)
{
	bool ignored = false;
	if (repo_is_ignored(s->repo, env_path, &ignored) < 0)
		return -1;
	if (ignored)
		return 0;
	char msg[4400];
	const char *at = ".gitignore";
	int line = 1;
	if (listed(s, ".gitignore")) {
		snprintf(msg, sizeof msg,
			 ".gitignore does not cover %s, and %s reads the OCPay key from the "
			 "environment: add `.env*` (with `!.env.example`) before the key is saved "
			 "there",
			 env_path, read->path);
	} else {
		at = template ? template : read->path;
		line = template ? 1 : read->line;
		snprintf(msg, sizeof msg,
			 "the OCPay key is read from the environment, and no .gitignore covers %s: "
			 "create .gitignore with `.env*` (and `!.env.example`) before the key is "
			 "saved there",
			 env_path);
	}
	return scan_add_finding(s, r, SEV_LOW, at, line, msg, "gitignore-env") < 0 ? -1 : 1;
}

/* A committed .env with no secret: fine when the project keeps its secrets in an ignored
 * .env.local beside it (Symfony's convention), else advice to do so. */
static int judge_plain(struct scan *s, const struct rule *r, const char *path)
{
	char local[4096];
	snprintf(local, sizeof local, "%s.local", path);
	bool ignored = false;
	if (repo_is_ignored(s->repo, local, &ignored) < 0)
		return -1;
	if (ignored)
		return 0;
	char msg[4400];
	snprintf(msg, sizeof msg,
		 "%s is committed to git; it holds no secret now, but a key saved there would be "
		 "committed too: keep secrets in %s, git-ignored, or in the host's settings",
		 path, local);
	return scan_add_finding(s, r, SEV_LOW, path, 1, msg, "tracked-plain-env");
}

int oc005_env_finish(struct scan *s, const struct rule *r)
{
	if (!s->repo)
		return scan_note_unknown(s, r,
					 "not a git repository: what git ignores or tracks is unknown");
	for (size_t i = 0; i < s->nevidence; i++)
		if (s->evidence[i].rule == r && s->evidence[i].kind == EV_TRACKED_PLAIN &&
		    judge_plain(s, r, s->evidence[i].path) < 0)
			return -1;
	/* Each env file has spoken for itself; a template alone says nothing of the .env
	 * that will be copied from it. */
	for (size_t i = 0; i < s->files.len; i++)
		if (is_env_file(s->files.items[i].path) && !is_template(s->files.items[i].path))
			return 0;
	const struct scan_evidence *read = first_evidence(s, r, EV_ENV_READ);
	if (!s->ocpay_seen || !read)
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
		int rc = advise_if_not_ignored(s, r, env_path, p, read);
		if (rc)
			return rc < 0 ? -1 : 0;
	}
	return any_template ? 0 : advise_if_not_ignored(s, r, ".env", NULL, read) < 0 ? -1 : 0;
}
