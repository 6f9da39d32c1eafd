#include "source/gitdir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "source/files.h"

/* Config files and refs are small; larger ones are left to libgit2. */
#define SMALL_FILE_MAX ((size_t)4 * 1024 * 1024)
#define ASK_LIBGIT2 2

/* Reads a regular file without blocking: 0 with *out (NUL-terminated), 1 when absent,
 * ASK_LIBGIT2 when it cannot be read here (a link, too large, not allowed), -1 with the
 * error set when it is a FIFO or device: libgit2 would block on it. */
static int read_small(const char *path, bool follow, char **out, size_t *len)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 1 : ASK_LIBGIT2;
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = error_set("%s: not a regular file", path);
	} else if ((size_t)st.st_size > SMALL_FILE_MAX) {
		rc = ASK_LIBGIT2;
	} else if (!(*out = malloc((size_t)st.st_size + 1))) {
		rc = error_set("out of memory");
	} else {
		size_t got = 0;
		if (file_read_full(fd, *out, (size_t)st.st_size, &got) < 0)
			rc = ASK_LIBGIT2;
		(*out)[got] = '\0';
		*len = got;
	}
	close(fd);
	if (rc) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- config ------------------------------------------------------------------------- */

/* The core.* keys the listing needs, as the last file defining them (in the order libgit2
 * reads them, most important last) says. */
struct config_keys {
	char *excludes; /* core.excludesfile, raw */
	int icase;	/* -1 not set */
	bool other;	/* something only libgit2 handles: includes, extensions, core.bare,
			 * core.worktree, a format version above 0, a line not understood */
};

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-';
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* A value, from p to the end of its line (continuation lines included): quotes kept
 * together, escapes decoded, comments and trailing blanks dropped. NULL when malformed. */
static char *parse_value(const char **pp)
{
	const char *p = *pp;
	struct buf v = BUF_INIT;
	buf_puts(&v, "");
	bool quoted = false;
	size_t keep = 0; /* length without trailing blanks outside quotes */
	while (blank(*p))
		p++;
	for (; *p && (*p != '\n' || quoted); p++) {
		if (*p == '\n') /* a newline inside quotes */
			goto bad;
		if (*p == '"') {
			quoted = !quoted;
			keep = v.len;
			continue;
		}
		if (!quoted && (*p == ';' || *p == '#'))
			break;
		if (*p == '\\') {
			p++;
			char c = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p == 'b' ? '\b' : *p;
			if (*p == '\n' || (*p == '\r' && p[1] == '\n')) {
				p += *p == '\r';
				continue; /* continued on the next line */
			}
			if (c != '\\' && c != '"' && c != '\n' && c != '\t' && c != '\b')
				goto bad;
			buf_putc(&v, c);
			keep = v.len;
			continue;
		}
		buf_putc(&v, *p);
		if (quoted || !blank(*p))
			keep = v.len;
	}
	if (quoted)
		goto bad;
	while (*p && *p != '\n')
		p++;
	*pp = p;
	if (buf_oom(&v))
		goto bad;
	v.ptr[keep] = '\0';
	return buf_detach(&v);
bad:
	buf_free(&v);
	return NULL;
}

static bool parse_bool(const char *v, int *out)
{
	if (!v || !strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on"))
		return *out = 1, true;
	if (!*v || !strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off"))
		return *out = 0, true;
	char *end;
	long n = strtol(v, &end, 10);
	if (*end)
		return false;
	*out = n != 0;
	return true;
}

static void set_key(struct config_keys *k, const char *section, bool sub, const char *key,
		    char *value, bool implicit)
{
	if (!strcasecmp(section, "include") || !strcasecmp(section, "includeif") ||
	    !strcasecmp(section, "extensions")) {
		k->other = true;
	} else if (!sub && !strcasecmp(section, "core")) {
		int b;
		if (!strcasecmp(key, "excludesfile")) {
			free(k->excludes);
			k->excludes = implicit ? NULL : value;
			k->other |= implicit;
			return;
		}
		if (!strcasecmp(key, "ignorecase")) {
			if (parse_bool(implicit ? NULL : value, &b))
				k->icase = b;
			else
				k->other = true;
		} else if (!strcasecmp(key, "bare") || !strcasecmp(key, "worktree")) {
			k->other = !strcasecmp(key, "worktree") ||
				   !parse_bool(implicit ? NULL : value, &b) || b || k->other;
		} else if (!strcasecmp(key, "repositoryformatversion")) {
			k->other |= implicit || strcmp(value, "0") != 0;
		}
	}
	free(value);
}

/* Reads one config file into k. 0, or ASK_LIBGIT2 when something in it is not read here,
 * -1 with the error set. */
static int config_read(struct config_keys *k, const char *path, bool follow)
{
	char *text;
	size_t len;
	int rc = read_small(path, follow, &text, &len);
	if (rc)
		return rc == 1 ? 0 : rc;
	if (memchr(text, '\0', len)) {
		free(text);
		return ASK_LIBGIT2;
	}
	char section[64] = "";
	bool sub = false;
	const char *p = text;
	if (!strncmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	while (*p && !k->other) {
		while (blank(*p) || *p == '\n')
			p++;
		if (!*p)
			break;
		if (*p == ';' || *p == '#') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (*p == '[') {
			/* [name], [name "sub"] or the old [name.sub] */
			size_t n = 0;
			p++;
			while (key_char(*p) || *p == '.') {
				if (n + 1 >= sizeof section)
					return free(text), ASK_LIBGIT2;
				section[n++] = *p++;
			}
			section[n] = '\0';
			sub = strchr(section, '.') != NULL;
			if (*p == ' ' || *p == '\t') {
				while (*p == ' ' || *p == '\t')
					p++;
				if (*p != '"')
					return free(text), ASK_LIBGIT2;
				for (p++; *p && *p != '"' && *p != '\n'; p++)
					if (*p == '\\' && p[1])
						p++;
				if (*p != '"')
					return free(text), ASK_LIBGIT2;
				p++;
				sub = true;
			}
			if (*p != ']' || !n)
				return free(text), ASK_LIBGIT2;
			p++;
			/* what follows a header on its line is a key, as git reads it */
			continue;
		}
		if (!section[0] || !key_char(*p))
			return free(text), ASK_LIBGIT2;
		char key[64];
		size_t n = 0;
		while (key_char(*p)) {
			if (n + 1 >= sizeof key)
				return free(text), ASK_LIBGIT2;
			key[n++] = *p++;
		}
		key[n] = '\0';
		while (blank(*p))
			p++;
		char *value = NULL;
		bool implicit = *p != '=';
		if (implicit) {
			if (*p && *p != '\n' && *p != ';' && *p != '#')
				return free(text), ASK_LIBGIT2;
			while (*p && *p != '\n')
				p++;
		} else {
			p++;
			if (!(value = parse_value(&p)))
				return free(text), ASK_LIBGIT2;
		}
		set_key(k, section, sub, key, value, implicit);
	}
	free(text);
	return k->other ? ASK_LIBGIT2 : 0;
}

/* libgit2's order, least important first: system, XDG, global, the repository's. */
static int config_load(struct config_keys *k, const char *commondir)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	struct buf path = BUF_INIT;
	int rc = config_read(k, "/etc/gitconfig", true);
	if (!rc && getuid() != geteuid())
		rc = ASK_LIBGIT2; /* setuid: libgit2 looks HOME up in the password file */
	if (!rc && ((xdg && *xdg) || home)) {
		if (xdg && *xdg)
			buf_printf(&path, "%s/git/config", xdg);
		else
			buf_printf(&path, "%s/.config/git/config", home);
		rc = buf_oom(&path) ? error_set("out of memory") : config_read(k, path.ptr, true);
	}
	if (!rc && home) {
		buf_reset(&path);
		buf_printf(&path, "%s/.gitconfig", home);
		rc = buf_oom(&path) ? error_set("out of memory") : config_read(k, path.ptr, true);
	}
	if (!rc) {
		buf_reset(&path);
		buf_printf(&path, "%sconfig", commondir);
		rc = buf_oom(&path) ? error_set("out of memory") : config_read(k, path.ptr, false);
	}
	buf_free(&path);
	return rc;
}

/* ---- layout ------------------------------------------------------------------------- */

static bool is_file(const char *dir, const char *name, bool want_dir)
{
	struct buf p = BUF_INIT;
	buf_printf(&p, "%s%s", dir, name);
	struct stat st;
	bool yes = !buf_oom(&p) && stat(p.ptr, &st) == 0 &&
		   (want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
	buf_free(&p);
	return yes;
}

/* A file's single line (a commondir or gitdir file), trailing blanks dropped. */
static char *read_line(const char *dir, const char *name)
{
	struct buf p = BUF_INIT;
	buf_printf(&p, "%s%s", dir, name);
	char *text = NULL;
	size_t len;
	if (!buf_oom(&p) && read_small(p.ptr, false, &text, &len) == 0) {
		while (len &&
		       (text[len - 1] == '\n' || text[len - 1] == '\r' || blank(text[len - 1])))
			text[--len] = '\0';
	}
	error_clear();
	buf_free(&p);
	return text;
}

/* dir with a trailing '/', resolved; path relative to base when not absolute. */
static char *resolve_dir(const char *base, const char *path)
{
	struct buf p = BUF_INIT;
	if (path[0] != '/')
		buf_puts(&p, base);
	buf_puts(&p, path);
	char real[PATH_MAX];
	char *out = NULL;
	if (!buf_oom(&p) && realpath(p.ptr, real)) {
		size_t n = strlen(real);
		if ((out = malloc(n + 2)))
			snprintf(out, n + 2, "%s%s", real, n && real[n - 1] == '/' ? "" : "/");
	}
	buf_free(&p);
	return out;
}

/* libgit2's test of a repository folder: HEAD, then objects/ and refs/ in its common
 * folder. Sets *commondir (owned) when valid. */
static bool valid_repository(const char *gitdir, char **commondir)
{
	char *link = read_line(gitdir, "commondir");
	*commondir = link ? resolve_dir(gitdir, link) : strdup(gitdir);
	free(link);
	if (*commondir && is_file(gitdir, "HEAD", false) && is_file(*commondir, "objects", true) &&
	    is_file(*commondir, "refs", true))
		return true;
	free(*commondir);
	*commondir = NULL;
	return false;
}

/* libgit2 opens a repository only if its folders belong to the user, root or the user
 * sudo came from; otherwise safe.directory decides, which libgit2 reads. */
static bool owned(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return errno == ENOENT;
	const char *sudo = getenv("SUDO_UID");
	return st.st_uid == geteuid() || st.st_uid == 0 ||
	       (sudo && strtoul(sudo, NULL, 10) == st.st_uid);
}

void gitdir_free(struct gitdir *g)
{
	free(g->workdir);
	free(g->gitdir);
	free(g->commondir);
	free(g->excludes);
	memset(g, 0, sizeof *g);
}

/* Found the .git (folder or file) of workdir: the rest of what libgit2 checks. */
static int found(struct gitdir *g, const char *dotgit, bool is_link)
{
	int rc = 0;
	char *gitdir = NULL, *common = NULL;
	if (is_link) {
		char *text = read_line("", dotgit);
		if (!text || strncmp(text, "gitdir:", 7)) {
			free(text);
			return ASK_LIBGIT2;
		}
		const char *target = text + 7;
		while (blank(*target))
			target++;
		gitdir = resolve_dir(g->workdir, target);
		free(text);
	} else {
		gitdir = resolve_dir("", dotgit);
	}
	if (!gitdir || !valid_repository(gitdir, &common)) {
		free(gitdir);
		return ASK_LIBGIT2;
	}
	g->gitdir = gitdir;
	g->commondir = common;
	/* a linked worktree: libgit2 takes the working tree from its gitdir file */
	if (strcmp(gitdir, common) != 0) {
		char *back = read_line(gitdir, "gitdir");
		size_t wl = strlen(g->workdir);
		if (!back || strncmp(back, g->workdir, wl) || strcmp(back + wl, ".git"))
			rc = ASK_LIBGIT2;
		free(back);
	}
	if (!rc && (!owned(g->workdir) || (is_link && !owned(dotgit)) || !owned(gitdir)))
		rc = ASK_LIBGIT2;
	struct config_keys k = {NULL, -1, false};
	if (!rc)
		rc = config_load(&k, common);
	if (!rc) {
		g->icase = k.icase == 1;
		const char *home = getenv("HOME");
		if (k.excludes && k.excludes[0] == '~') {
			struct buf p = BUF_INIT;
			if (k.excludes[1] != '/' || !home)
				rc = ASK_LIBGIT2; /* ~user/: libgit2's business */
			else
				buf_printf(&p, "%s%s", home, k.excludes + 1);
			if (!rc && !(g->excludes = buf_detach(&p)))
				rc = error_set("out of memory");
			buf_free(&p);
		} else if (k.excludes) {
			g->excludes = k.excludes;
			k.excludes = NULL;
		}
	}
	free(k.excludes);
	return rc;
}

int gitdir_find(struct gitdir *g, const char *path)
{
	memset(g, 0, sizeof *g);
	struct buf p = BUF_INIT;
	buf_puts(&p, path);
	while (p.len > 1 && p.ptr[p.len - 1] == '/')
		p.ptr[--p.len] = '\0';
	if (buf_oom(&p) || p.ptr[0] != '/')
		return buf_free(&p), ASK_LIBGIT2;
	/* libgit2's walk: DIR/.git, DIR, then the same for each parent, never on to another
	 * file system, and never / itself */
	dev_t device = 0;
	bool first = true;
	int rc = 1;
	for (;;) {
		size_t dirlen = p.len;
		buf_puts(&p, dirlen == 1 ? ".git" : "/.git");
		if (buf_oom(&p)) {
			rc = error_set("out of memory");
			break;
		}
		struct stat st;
		bool done = false;
		for (int self = 0; self < 2 && !done; self++) {
			if (self)
				p.ptr[p.len = dirlen] = '\0';
			if (stat(p.ptr, &st) < 0)
				continue;
			if (first)
				device = st.st_dev, first = false;
			if (st.st_dev != device)
				done = true; /* libgit2 stops at a file system boundary: no
						repository */
			else if (self ? S_ISDIR(st.st_mode) && is_file(p.ptr, "/HEAD", false)
				      : S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))
				done = true,
				rc = self ? ASK_LIBGIT2 : 0; /* DIR itself: bare, or .git/ */
		}
		if (done && rc == 0) {
			/* DIR/.git is a folder or a file */
			char dotgit[PATH_MAX];
			snprintf(dotgit, sizeof dotgit, "%s", p.ptr);
			p.ptr[p.len = dirlen] = '\0';
			size_t n = p.len;
			if (!(g->workdir = malloc(n + 2))) {
				rc = error_set("out of memory");
				break;
			}
			snprintf(g->workdir, n + 2, "%s%s", p.ptr, n == 1 ? "" : "/");
			rc = found(g, dotgit, S_ISREG(st.st_mode));
			break;
		}
		if (done)
			break;
		/* up one folder; / itself is not searched */
		p.ptr[p.len = dirlen] = '\0';
		char *slash = strrchr(p.ptr, '/');
		if (!slash || slash == p.ptr)
			break;
		*slash = '\0';
		p.len = (size_t)(slash - p.ptr);
	}
	buf_free(&p);
	if (rc)
		gitdir_free(g);
	return rc;
}

/* ---- HEAD --------------------------------------------------------------------------- */

static bool is_hex_id(const char *s)
{
	for (int i = 0; i < 40; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[40] == '\0' || s[40] == '\n' || s[40] == '\r' || s[40] == ' ';
}

/* A branch in packed-refs: 0 found, 1 not there, 2 not read here. */
static int packed_ref(const struct gitdir *g, const char *name, char out[HASH_HEX_SIZE])
{
	struct buf path = BUF_INIT;
	buf_printf(&path, "%spacked-refs", g->commondir);
	char *text = NULL;
	size_t len, n = strlen(name);
	int rc = buf_oom(&path) ? ASK_LIBGIT2 : read_small(path.ptr, false, &text, &len);
	buf_free(&path);
	error_clear();
	if (rc)
		return rc == 1 ? 1 : ASK_LIBGIT2;
	rc = 1;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			next++;
		if (*line == '#' || *line == '^')
			continue;
		if (!is_hex_id(line) || line[40] != ' ') {
			rc = ASK_LIBGIT2;
			break;
		}
		const char *ref = line + 41;
		if (!strncmp(ref, name, n) && (ref[n] == '\n' || ref[n] == '\r' || !ref[n])) {
			memcpy(out, line, 40);
			out[40] = '\0';
			rc = 0;
			break;
		}
	}
	free(text);
	return rc;
}

int gitdir_head(const struct gitdir *g, char out[HASH_HEX_SIZE])
{
	out[0] = '\0';
	char *text = read_line(g->gitdir, "HEAD");
	if (!text)
		return ASK_LIBGIT2;
	int rc = ASK_LIBGIT2;
	/* HEAD, then the refs it names in turn (a symbolic ref may name another) */
	for (int depth = 0; depth < 5 && text; depth++) {
		if (is_hex_id(text)) {
			memcpy(out, text, 40);
			out[40] = '\0';
			rc = 0;
			break;
		}
		if (strncmp(text, "ref: refs/", 10) || strstr(text, "..")) {
			rc = ASK_LIBGIT2;
			break;
		}
		const char *name = text + 5;
		/* per worktree: refs/worktree/, refs/bisect/; the rest is shared */
		bool own =
		    !strncmp(name, "refs/worktree/", 14) || !strncmp(name, "refs/bisect/", 12);
		char *next = read_line(own ? g->gitdir : g->commondir, name);
		if (!next) {
			rc = packed_ref(g, name, out);
			break;
		}
		free(text);
		text = next;
	}
	free(text);
	return rc;
}
