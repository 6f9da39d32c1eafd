#define _GNU_SOURCE /* memmem */
#include "check/enqueue.h"

#include <stdlib.h>
#include <string.h>

#include "check/scan.h"
#include "lang/lang.h"

/* PHP files above this are not read for enqueue calls. */
#define ENQUEUE_MAX_FILE (1u << 20)
/* The arguments of one call are looked for this far after its name. */
#define ENQUEUE_CALL_SPAN 600

static int add(struct scan *s, const char *src, size_t len, const char *php)
{
	while (len && (*src == '/' || *src == '.')) /* "/js/x.js", "./x.js", "../x.js" */
		src++, len--;
	if (!len)
		return 0;
	struct enqueued_script *grown =
	    realloc(s->enqueued, (s->nenqueued + 1) * sizeof *s->enqueued);
	if (!grown)
		return -1;
	s->enqueued = grown;
	const char *slash = strrchr(php, '/');
	struct enqueued_script *e = &s->enqueued[s->nenqueued];
	e->src = strndup(src, len);
	e->php_dir = strndup(php, slash ? (size_t)(slash - php) : 0);
	e->php = strdup(php);
	s->nenqueued++;
	return e->src && e->php_dir && e->php ? 0 : -1;
}

/* The quoted literals ending in .js (a ?ver= query allowed) in the arguments of each
 * wp_enqueue_script/wp_register_script call of the file. */
static int read_calls(struct scan *s, const char *php, const char *text, size_t len)
{
	static const char *const calls[] = {"wp_enqueue_script", "wp_register_script"};
	const char *end = text + len;
	for (size_t c = 0; c < 2; c++) {
		size_t n = strlen(calls[c]);
		for (const char *p = text; (p = memmem(p, (size_t)(end - p), calls[c], n)); p += n) {
			const char *stop = p + ENQUEUE_CALL_SPAN < end ? p + ENQUEUE_CALL_SPAN : end;
			const char *semi = memchr(p, ';', (size_t)(stop - p));
			stop = semi ? semi : stop;
			for (const char *q = p + n; q < stop; q++) {
				if (*q != '\'' && *q != '"')
					continue;
				const char *close = memchr(q + 1, *q, (size_t)(stop - q - 1));
				if (!close)
					break;
				size_t l = (size_t)(close - q - 1);
				const char *lit = q + 1;
				const char *query = memchr(lit, '?', l);
				size_t pl = query ? (size_t)(query - lit) : l;
				if (pl > 3 && !memcmp(lit + pl - 3, ".js", 3) && !memchr(lit, ':', pl) &&
				    add(s, lit, pl, php) < 0)
					return -1;
				q = close;
			}
		}
	}
	return 0;
}

static void build(struct scan *s)
{
	s->enqueued_built = true;
	if (!s->root)
		return;
	for (size_t i = 0; i < s->files.len; i++) {
		const char *path = s->files.items[i].path;
		if (lang_from_path(path) != LANG_PHP)
			continue;
		size_t len = 0;
		char *text = file_read_small(s->root, path, ENQUEUE_MAX_FILE, &len);
		if (!text)
			continue;
		int rc = memmem(text, len, "_script", 7) ? read_calls(s, path, text, len) : 0;
		free(text);
		if (rc < 0)
			return; /* out of memory: what was read still counts */
	}
}

/* Whether path is dir/src for dir the PHP file's folder or one above it: plugins_url()
 * and plugin_dir_url() are relative to a file of the plugin, get_template_directory_uri()
 * to the theme's root. */
static bool resolves_to(const struct enqueued_script *e, const char *path)
{
	size_t pl = strlen(path), sl = strlen(e->src);
	if (pl < sl || strcmp(path + pl - sl, e->src) || (pl > sl && path[pl - sl - 1] != '/'))
		return false;
	size_t dir = pl > sl ? pl - sl - 1 : 0; /* path[0, dir) is the folder it hangs from */
	size_t dl = strlen(e->php_dir);
	return dir == 0 || (dir <= dl && !strncmp(e->php_dir, path, dir) &&
			    (dir == dl || e->php_dir[dir] == '/'));
}

const char *enqueue_owner(struct scan *s, const char *path)
{
	pthread_mutex_lock(&s->enqueued_lock);
	if (!s->enqueued_built)
		build(s);
	pthread_mutex_unlock(&s->enqueued_lock);
	for (size_t i = 0; i < s->nenqueued; i++)
		if (resolves_to(&s->enqueued[i], path))
			return s->enqueued[i].php;
	return NULL;
}

void enqueue_free(struct scan *s)
{
	for (size_t i = 0; i < s->nenqueued; i++) {
		free(s->enqueued[i].src);
		free(s->enqueued[i].php_dir);
		free(s->enqueued[i].php);
	}
	free(s->enqueued);
	s->enqueued = NULL;
	s->nenqueued = 0;
}
