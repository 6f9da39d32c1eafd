#define _DEFAULT_SOURCE /* d_type and DT_* of readdir */
#include "source/ignore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "source/wildmatch.h"
#include "source/files.h"

/* git refuses pattern files over 100 MB; nothing real comes near this. */
#define RULES_MAX_SIZE ((size_t)16 * 1024 * 1024)

enum {
	PAT_NEGATE = 1 << 0,   /* "!pattern": lets the path through again */
	PAT_DIR_ONLY = 1 << 1, /* "pattern/": folders only */
	PAT_BASENAME = 1 << 2, /* no '/' inside: matches the last component at any depth */
	PAT_ENDSWITH = 1 << 3, /* "*literal": a suffix comparison does */
};

struct pattern {
	const char *text; /* points into the list's text; no '!' nor trailing '/' */
	size_t len;
	size_t literal; /* length of the leading part without wildcards */
	unsigned flags;
};

struct rules {
	char *text;	/* the file's bytes, patterns cut out of it */
	char *base;	/* the folder it applies under: "" or "a/b/" */
	size_t baselen; /* without the trailing '/' */
	struct pattern *items;
	size_t len;
};

struct ignore {
	struct rules *stack; /* the .gitignore of each folder, root first */
	size_t depth, cap;
	struct rules info, global;
	bool icase;
	struct list_notes notes;
	char **noted; /* files already told of: a question may read them again */
	size_t nnoted;
};

/* ---- patterns ----------------------------------------------------------------------- */

static bool same(const char *a, const char *b, size_t n, bool icase)
{
	if (!icase)
		return !memcmp(a, b, n);
	for (size_t i = 0; i < n; i++)
		if (wildmatch_lower((unsigned char)a[i]) != wildmatch_lower((unsigned char)b[i]))
			return false;
	return true;
}

/* gitignore(5): trailing spaces go unless escaped with '\'. */
static size_t trim_spaces(const char *s, size_t n)
{
	size_t keep = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			keep = ++i + 1;
		else if (s[i] != ' ')
			keep = i + 1;
	}
	return keep;
}

static void pattern_init(struct pattern *pt, char *s, size_t n)
{
	pt->flags = 0;
	if (*s == '!') {
		pt->flags |= PAT_NEGATE;
		s++;
		n--;
	}
	if (n && s[n - 1] == '/') {
		pt->flags |= PAT_DIR_ONLY;
		n--;
	}
	s[n] = '\0';
	if (!memchr(s, '/', n))
		pt->flags |= PAT_BASENAME;
	size_t lit = 0;
	while (lit < n && !wildmatch_special((unsigned char)s[lit]))
		lit++;
	if (n && s[0] == '*') {
		size_t k = 1;
		while (k < n && !wildmatch_special((unsigned char)s[k]))
			k++;
		if (k == n)
			pt->flags |= PAT_ENDSWITH;
	}
	pt->text = s;
	pt->len = n;
	pt->literal = lit;
}

/* Cuts text (owned by r from now on) into patterns. */
static int rules_parse(struct rules *r, char *text, size_t len)
{
	r->text = text;
	size_t n = 1;
	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	if (!(r->items = calloc(n, sizeof *r->items)))
		return error_set("out of memory");
	size_t i = len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3) ? 3 : 0;
	while (i < len) {
		char *line = text + i;
		char *nl = memchr(line, '\n', len - i);
		size_t n_line = nl ? (size_t)(nl - line) : len - i;
		i += n_line + 1;
		if (n_line && line[n_line - 1] == '\r')
			n_line--;
		if (!n_line || line[0] == '#')
			continue;
		n_line = trim_spaces(line, n_line);
		if (!n_line || (n_line == 1 && line[0] == '!'))
			continue;
		pattern_init(&r->items[r->len++], line, n_line);
	}
	return 0;
}

static void rules_free(struct rules *r)
{
	free(r->text);
	free(r->base);
	free(r->items);
	memset(r, 0, sizeof *r);
}

static bool match_basename(const struct pattern *pt, const char *name, size_t n, bool icase)
{
	if (pt->literal == pt->len)
		return n == pt->len && same(pt->text, name, n, icase);
	if (pt->flags & PAT_ENDSWITH)
		return pt->len - 1 <= n &&
		       same(pt->text + 1, name + n - (pt->len - 1), pt->len - 1, icase);
	return ignore_wildmatch(pt->text, pt->len, name, n, false, icase);
}

/* A pattern holding a '/': matched against the path below the rules' folder. */
static bool match_pathname(const struct pattern *pt, const struct rules *r, const char *path,
			   size_t len, bool icase)
{
	const char *pat = pt->text;
	size_t plen = pt->len, lit = pt->literal;
	if (*pat == '/') {
		pat++;
		plen--;
		lit--;
	}
	size_t bl = r->baselen;
	if (len < bl + 1 || (bl && path[bl] != '/') || !same(path, r->base, bl, icase))
		return false;
	const char *name = bl ? path + bl + 1 : path;
	size_t n = len - (size_t)(name - path);
	if (lit) {
		if (lit > n || !same(pat, name, lit, icase))
			return false;
		if (plen == lit && n == lit)
			return true;
		/* keep one character so that a component start is still seen */
		lit--;
		pat += lit;
		plen -= lit;
		name += lit;
		n -= lit;
	}
	return ignore_wildmatch(pat, plen, name, n, true, icase);
}

/* 1 ignored, 0 let through, -1 no pattern of r matches. */
static int rules_match(const struct rules *r, const char *path, size_t len, const char *name,
		       bool is_dir, bool icase)
{
	for (size_t i = r->len; i-- > 0;) {
		const struct pattern *pt = &r->items[i];
		if ((pt->flags & PAT_DIR_ONLY) && !is_dir)
			continue;
		bool hit = pt->flags & PAT_BASENAME
			       ? match_basename(pt, name, len - (size_t)(name - path), icase)
			       : match_pathname(pt, r, path, len, icase);
		if (hit)
			return !(pt->flags & PAT_NEGATE);
	}
	return -1;
}

bool ignore_match(const struct ignore *ig, const char *path, size_t len, bool is_dir)
{
	const char *name = path + len;
	while (name > path && name[-1] != '/')
		name--;
	for (size_t i = ig->depth; i-- > 0;) {
		int v = rules_match(&ig->stack[i], path, len, name, is_dir, ig->icase);
		if (v >= 0)
			return v;
	}
	int v = rules_match(&ig->info, path, len, name, is_dir, ig->icase);
	if (v < 0)
		v = rules_match(&ig->global, path, len, name, is_dir, ig->icase);
	return v > 0;
}

/* ---- reading rules files ------------------------------------------------------------ */

static void note(struct ignore *ig, bool incomplete, const char *path, const char *why)
{
	void (*fn)(void *, const char *, const char *) =
	    incomplete ? ig->notes.incomplete : ig->notes.log;
	if (!fn)
		return;
	for (size_t i = 0; i < ig->nnoted; i++)
		if (!strcmp(ig->noted[i], path))
			return;
	char **p = realloc(ig->noted, (ig->nnoted + 1) * sizeof *p);
	if (p && (p[ig->nnoted] = strdup(path))) {
		ig->noted = p;
		ig->nnoted++;
	} else if (p) {
		ig->noted = p;
	}
	fn(ig->notes.ctx, path, why);
}

/* Reads name in dirfd when it is a regular file, never blocking on a FIFO or device and,
 * unless follow, never through a symbolic link. type is what readdir said (DT_UNKNOWN:
 * look). Sets *text to NULL when there is nothing to read. */
static int read_rules(struct ignore *ig, int dirfd, const char *name, const char *shown, int type,
		      bool follow, char **text, size_t *len)
{
	*text = NULL;
	*len = 0;
	struct stat st;
	if (type == DT_UNKNOWN || follow) {
		if (fstatat(dirfd, name, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT && errno != ENOTDIR)
				note(ig, true, shown, strerror(errno));
			return 0;
		}
		type = S_ISLNK(st.st_mode) ? DT_LNK : S_ISREG(st.st_mode) ? DT_REG : DT_FIFO;
	}
	if (type == DT_LNK) {
		/* git does not read a linked .gitignore either; info/exclude it would read */
		if (dirfd == AT_FDCWD)
			note(ig, true, shown, "a symbolic link: not read");
		else
			note(ig, false, shown,
			     "a symbolic link: not read (git does not read it either)");
		return 0;
	}
	if (type != DT_REG) {
		note(ig, true, shown, "not a regular file: its ignore rules were not read");
		return 0;
	}
	int fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
	if (fd < 0) {
		if (errno != ENOENT)
			note(ig, true, shown,
			     errno == ELOOP ? "a symbolic link: not read" : strerror(errno));
		return 0;
	}
	int rc = 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		note(ig, true, shown, "not a regular file: its ignore rules were not read");
	} else if ((size_t)st.st_size > RULES_MAX_SIZE) {
		note(ig, true, shown, "larger than 16 MB: its ignore rules were not read");
	} else if (!(*text = malloc((size_t)st.st_size + 1))) {
		rc = error_set("out of memory");
	} else {
		size_t got = 0;
		int err = file_read_full(fd, *text, (size_t)st.st_size, &got) < 0 ? errno : 0;
		if (err) {
			note(ig, true, shown, strerror(err));
			free(*text);
			*text = NULL;
		} else {
			(*text)[got] = '\0';
			*len = got;
		}
	}
	close(fd);
	return rc;
}

static int rules_load(struct ignore *ig, struct rules *r, int dirfd, const char *name,
		      const char *shown, int type, bool follow)
{
	char *text;
	size_t len;
	if (read_rules(ig, dirfd, name, shown, type, follow, &text, &len) < 0)
		return -1;
	if (!text)
		return 0;
	if (rules_parse(r, text, len) < 0) {
		free(text);
		r->text = NULL;
		return -1;
	}
	return 0;
}

int ignore_new(struct ignore **out, bool icase, const struct list_notes *notes)
{
	struct ignore *ig = calloc(1, sizeof *ig);
	if (!ig)
		return error_set("out of memory");
	ig->icase = icase;
	if (notes)
		ig->notes = *notes;
	*out = ig;
	return 0;
}

bool ignore_icase(const struct ignore *ig)
{
	return ig->icase;
}

void ignore_free(struct ignore *ig)
{
	if (!ig)
		return;
	while (ig->depth)
		ignore_pop(ig);
	free(ig->stack);
	rules_free(&ig->info);
	rules_free(&ig->global);
	for (size_t i = 0; i < ig->nnoted; i++)
		free(ig->noted[i]);
	free(ig->noted);
	free(ig);
}

int ignore_add_file(struct ignore *ig, enum ignore_source which, const char *path,
		    const char *shown)
{
	struct rules *r = which == IGNORE_GLOBAL ? &ig->global : &ig->info;
	rules_free(r);
	if (!(r->base = strdup("")))
		return error_set("out of memory");
	/* The user's own excludes file may well be a link into a dotfiles folder. */
	bool follow = which == IGNORE_GLOBAL;
	return rules_load(ig, r, AT_FDCWD, path, shown, DT_UNKNOWN, follow);
}

int ignore_push(struct ignore *ig, int dirfd, const char *base, int type)
{
	if (ig->depth == ig->cap) {
		size_t cap = ig->cap ? ig->cap * 2 : 16;
		struct rules *p = realloc(ig->stack, cap * sizeof *p);
		if (!p)
			return error_set("out of memory");
		ig->stack = p;
		ig->cap = cap;
	}
	struct rules *r = &ig->stack[ig->depth];
	memset(r, 0, sizeof *r);
	if (type < 0)
		return ig->depth++, 0;
	struct buf shown = BUF_INIT;
	buf_puts(&shown, base);
	buf_puts(&shown, ".gitignore");
	if (buf_oom(&shown))
		return error_set("out of memory");
	int rc = rules_load(ig, r, dirfd, ".gitignore", shown.ptr, type, false);
	buf_free(&shown);
	if (rc == 0 && r->text) {
		size_t bl = strlen(base);
		if (!(r->base = strdup(base))) {
			rules_free(r);
			return error_set("out of memory");
		}
		r->baselen = bl ? bl - 1 : 0;
	}
	if (rc < 0) {
		rules_free(r);
		return -1;
	}
	ig->depth++;
	return 0;
}

void ignore_pop(struct ignore *ig)
{
	if (ig->depth)
		rules_free(&ig->stack[--ig->depth]);
}

int ignore_path(struct ignore *ig, const char *root, const char *path, bool *ignored)
{
	*ignored = false;
	size_t start = ig->depth;
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = ignore_push(ig, fd, "", fd < 0 ? -1 : DT_UNKNOWN);
	struct buf base = BUF_INIT;
	for (const char *p = path, *slash; !rc && (slash = strchr(p, '/')); p = slash + 1) {
		size_t n = (size_t)(slash - path);
		if (ignore_match(ig, path, n, true)) {
			*ignored = true;
			break;
		}
		int sub = -1;
		if (fd >= 0) {
			buf_reset(&base);
			buf_put(&base, p, (size_t)(slash - p));
			if (buf_oom(&base)) {
				rc = error_set("out of memory");
				break;
			}
			sub = openat(fd, base.ptr, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			close(fd);
		}
		fd = sub;
		buf_reset(&base);
		buf_put(&base, path, n + 1);
		if (buf_oom(&base))
			rc = error_set("out of memory");
		else
			rc = ignore_push(ig, fd, base.ptr, fd < 0 ? -1 : DT_UNKNOWN);
	}
	if (!rc && !*ignored)
		*ignored = ignore_match(ig, path, strlen(path), false);
	if (fd >= 0)
		close(fd);
	buf_free(&base);
	while (ig->depth > start)
		ignore_pop(ig);
	return rc;
}
