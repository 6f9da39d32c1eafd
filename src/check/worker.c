/* One unit read by a scanning thread: decoded, prefiltered, every applicable detector run,
 * the flow rules' files kept for the flow stage, the hits turned into findings. The scan
 * (scan_run.c) and the large-file reader (pieces.c) hand units to it. */
#include "check/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check/config.h"
#include "check/flow_records.h"
#include "check/flow_stage.h"
#include "check/scan_private.h"
#include "check/unit.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/literal.h"
#include "core/regex.h"
#include "core/utf8.h"
#include "lang/ast.h"
#include "lang/classify.h"
#include "lang/ts.h"
#include "source/files.h"

static void prefilter(struct unit *u)
{
	literal_set_scan(u->scan->rules->prefilter_lang[u->lang], u->data, u->len, u->kw);
}

static bool detector_applies(struct unit *u, const struct rule *r, const struct detector *d)
{
	return scan_detector_applies(u, r, d, true);
}

bool scan_is_ocpay(const struct scan *s, const uint64_t kw[2])
{
	return (kw[0] & s->rules->ocpay_mask[0]) || (kw[1] & s->rules->ocpay_mask[1]);
}

/* A rule turned off in the configuration reports nothing; its text detectors that find
 * secrets still run, so that every output masks what they find (unit_finish drops their
 * hits). Nothing is parsed for it. */
static bool detector_off(const struct scan *s, const struct rule *r, const struct detector *d)
{
	return rule_disabled(s, r) && (d->type != DETECT_REGEX || !d->secret);
}

/* The <script> blocks of a PHP page or template are browser code: they are read as a
 * page of their own, with the JavaScript detectors, and their hits join the PHP file's
 * (the blanked copy keeps every offset), so suppressions and duplicates are judged once. */
static int scan_php_scripts(struct unit *php)
{
	struct scan *s = php->scan;
	struct unit u = {.scan = s,
			 .parsers = php->parsers,
			 .path = php->path,
			 .flags = php->flags,
			 .index = -1,
			 .scope = php->scope,
			 .data = php->data,
			 .len = php->len,
			 .lang = LANG_JAVASCRIPT,
			 .page = true,
			 .php_scripts = true,
			 .classified = true,
			 .runtime = RUNTIME_BROWSER};
	memcpy(u.kw, php->kw, sizeof u.kw);
	scan_log(s, "%s: runs in: browser (the <script> blocks of a PHP page)", u.path);
	int rc = 0;
	for (size_t i = 0; !rc && i < s->rules->len; i++) {
		const struct rule *r = &s->rules->rules[i];
		if (!(r->scopes & u.scope))
			continue;
		for (size_t j = 0; !rc && j < r->ndetectors; j++)
			if (!ast_deadline_passed() && !detector_off(s, r, &r->detectors[j]) &&
			    detector_applies(&u, r, &r->detectors[j]))
				rc = unit_run_detector(&u, r, &r->detectors[j]);
	}
	for (size_t i = 0; !rc && i < u.nhits; i++) {
		struct hit *h = &u.hits[i];
		if (unit_add_hit(php, h->rule, h->start, h->end, h->secret,
				 h->secret ? strlen(h->secret) : 0, NULL, (int)h->severity) < 0) {
			rc = -1;
			break;
		}
		struct hit *copy = &php->hits[php->nhits - 1];
		free(copy->message);
		copy->message = h->message;
		h->message = NULL;
	}
	unit_free(&u);
	return rc;
}

/* Drops the hits of a piece that start where another piece reports them. */
static void piece_keep_hits(struct unit *u, size_t from, size_t to)
{
	size_t kept = 0;
	for (size_t i = 0; i < u->nhits; i++) {
		struct hit *h = &u->hits[i];
		if (h->start >= from && h->start < to) {
			u->hits[kept++] = *h;
			continue;
		}
		free(h->secret);
		free(h->message);
	}
	u->nhits = kept;
}

static int scan_text(struct worker *w, const char *path, unsigned flags, const char *data,
		     size_t len, unsigned scope, struct finding_list *out);

/* The detectors read UTF-8: a UTF-16 file (a .env saved by PowerShell) is decoded first,
 * not skipped as binary for its NUL bytes. */
int scan_worker_unit(struct worker *w, const char *path, unsigned flags, const char *data,
		     size_t len, unsigned scope, struct finding_list *out)
{
	const char *text;
	size_t n;
	char *owned;
	if (utf8_from_file(&text, &n, &owned, data, len) < 0)
		return error_set("out of memory");
	int rc = scan_text(w, path, flags, text, n, scope, out);
	free(owned);
	return rc;
}

static int scan_text(struct worker *w, const char *path, unsigned flags, const char *data,
		     size_t len, unsigned scope, struct finding_list *out)
{
	struct scan *s = w->scan;
	if (memchr(data, '\0', len < BINARY_PROBE ? len : BINARY_PROBE)) {
		w->stats.skipped_binary++;
		if (scope == SCOPE_TREE)
			scan_log(s, "%s: skipped: binary", path);
		return 1;
	}
	if (s->config && s->config->nexclude &&
	    path_matches(path, s->config->exclude, s->config->nexclude)) {
		if (scope == SCOPE_TREE && !w->inherit)
			scan_log(s, "%s: skipped: excluded by %s", path, s->config->path);
		return 0;
	}
	if (!w->second_pass) {
		/* a piece of a large file: the file once, the bytes it adds */
		w->stats.files_scanned += scope == SCOPE_TREE && !w->piece.carry;
		w->stats.bytes_scanned += len - w->piece.carry;
	}
	struct unit u = {.scan = s,
			 .parsers = w->parsers,
			 .path = path,
			 .flags = flags,
			 .index = w->index,
			 .scope = scope,
			 .data = data,
			 .len = len,
			 .lang = lang_from_path(path),
			 .page = lang_is_page(path),
			 .text_only = w->piece.on,
			 .line_base = w->piece.line_base,
			 .col_base = w->piece.col_base,
			 .prior_findings = w->piece.prior};
	prefilter(&u);
	w->piece.kw[0] = u.kw[0];
	w->piece.kw[1] = u.kw[1];
	if (w->inherit) {
		u.inherit[0] = w->inherit[0] & ~u.kw[0];
		u.inherit[1] = w->inherit[1] & ~u.kw[1];
	} else if (w->index >= 0 && s->facts) {
		/* first pass: what the second needs to know of the file (of all its pieces) */
		s->facts[w->index].kw[0] |= u.kw[0];
		s->facts[w->index].kw[1] |= u.kw[1];
		s->facts[w->index].read = true;
	}
	w->kw_seen[0] |= u.kw[0];
	w->kw_seen[1] |= u.kw[1];
	if ((u.lang == LANG_PHP || u.lang == LANG_PYTHON) && scope == SCOPE_TREE &&
	    scan_is_ocpay(s, u.kw))
		w->ocpay_script = true;
	int rc = 0;
	for (size_t i = 0; !rc && i < s->rules->len; i++) {
		const struct rule *r = &s->rules->rules[i];
		if (!(r->scopes & scope))
			continue;
		unsigned long errors = regex_errors();
		size_t skipped = 0;
		int first_skipped = 0;
		for (size_t j = 0; !rc && j < r->ndetectors; j++) {
			const struct detector *d = &r->detectors[j];
			/* past the file's deadline only the text detectors still run; a piece
			 * of a large file is never parsed */
			if ((ast_deadline_passed() || u.text_only) && d->type != DETECT_REGEX)
				continue;
			if (detector_off(s, r, d))
				continue;
			u.limit_lines = 0;
			if (!detector_applies(&u, r, d))
				continue;
			if (detector_is_flow(d))
				u.flow_wanted = scope == SCOPE_TREE; /* runs in the flow stage */
			else
				rc = unit_run_detector(&u, r, d);
			/* the detectors of a rule often skip the same lines: the most, the first */
			if (u.limit_lines > skipped)
				skipped = u.limit_lines;
			if (u.limit_lines && (!first_skipped || u.limit_line < first_skipped))
				first_skipped = u.limit_line;
		}
		u.limit_lines = skipped;
		u.limit_line = first_skipped;
		if (!rc && regex_errors() != errors)
			rc = unit_note_match_limit(&u, r);
	}
	if (!rc && u.flow_wanted && !u.text_only)
		rc = flow_stage_record(&u);
	if (!rc && !u.text_only && u.lang == LANG_PHP && scope == SCOPE_TREE &&
	    lang_php_has_scripts(data, len))
		rc = scan_php_scripts(&u);
	if (!rc && w->piece.on)
		piece_keep_hits(&u, w->piece.keep_from, w->piece.keep_to);
	if (!rc)
		rc = unit_finish(&u, out);
	if (!rc && ast_deadline_passed())
		rc = unit_note_limit(
		    &u, true, NULL,
		    "%s: checks stopped after %llu ms: the file is too large or too "
		    "complex to check in time (--parse-timeout)",
		    path, (unsigned long long)s->opt->parse_timeout_ms);
	ast_set_deadline(0);
	if (u.parse_tried) {
		w->stats.files_parsed++;
		if (scope == SCOPE_TREE)
			scan_log(s, "%s: parsed as %s", path, lang_name(u.lang));
	}
	unit_free(&u);
	return rc;
}

static void stats_add(struct scan_stats *a, const struct scan_stats *b)
{
	a->files_scanned += b->files_scanned;
	a->bytes_scanned += b->bytes_scanned;
	a->files_parsed += b->files_parsed;
	a->skipped_binary += b->skipped_binary;
	a->skipped_large += b->skipped_large;
	a->skipped_unreadable += b->skipped_unreadable;
	a->skipped_symlink += b->skipped_symlink;
	a->parse_failed += b->parse_failed;
	a->blobs_scanned += b->blobs_scanned;
	a->commits_scanned += b->commits_scanned;
}

struct worker *scan_worker_new(struct scan *s)
{
	struct worker *w = calloc(1, sizeof *w);
	if (!w || !(w->parsers = parser_set_new())) {
		free(w);
		error_set("out of memory");
		return NULL;
	}
	w->scan = s;
	w->index = -1;
	return w;
}

void scan_worker_free(struct worker *w)
{
	if (!w)
		return;
	struct scan *s = w->scan;
	pthread_mutex_lock(&scan_note_lock);
	stats_add(&s->stats, &w->stats);
	s->kw_seen[0] |= w->kw_seen[0];
	s->kw_seen[1] |= w->kw_seen[1];
	s->ocpay_seen = scan_is_ocpay(s, s->kw_seen);
	s->ocpay_script_seen |= w->ocpay_script;
	s->large_unnamed += w->large_unnamed;
	pthread_mutex_unlock(&scan_note_lock);
	parser_set_free(w->parsers);
	free(w);
}

/* Reads a regular file without following a symbolic link and without blocking on a
 * FIFO. Returns 0 with *data set, 1 when the file is skipped (stats updated), 2 when it
 * is larger than --max-file-size (*large gets the open descriptor and *len its size; with
 * large NULL, it is skipped), -1 on an internal error. */
int scan_read_unit(struct worker *w, const struct file_entry *e, char **data, size_t *len,
		   int *large)
{
	struct scan *s = w->scan;
	if (e->flags & FILE_SYMLINK) {
		w->stats.skipped_symlink++;
		scan_log(s, "%s: skipped: symbolic link (never followed)", e->path);
		return 1;
	}
	struct buf path = BUF_INIT;
	buf_puts(&path, s->root);
	buf_puts(&path, e->path);
	if (buf_oom(&path))
		return error_set("out of memory");
	/* no link followed, in the file's folders either: ELOOP */
	int fd = file_open_nofollow(path.ptr, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int err = errno;
	buf_free(&path);
	if (fd < 0) {
		if (err == ENOENT || err == ENOTDIR)
			return 1; /* tracked but deleted from the working tree */
		if (err == ELOOP) {
			w->stats.skipped_symlink++;
			scan_log(s, "%s: skipped: symbolic link (never followed)", e->path);
			return 1;
		}
		w->stats.skipped_unreadable++;
		scan_note_limit(s, SCOPE_TREE, NULL, "%s: cannot read: %s", e->path, strerror(err));
		return 1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 1;
	}
	if ((size_t)st.st_size > s->opt->max_file_size) {
		if (!large) {
			close(fd);
			return 1;
		}
		*large = fd;
		*len = (size_t)st.st_size;
		return 2;
	}
	char *p = malloc((size_t)st.st_size + 1);
	if (!p) {
		close(fd);
		return error_set("out of memory");
	}
	size_t got = 0;
	if (file_read_full(fd, p, (size_t)st.st_size, &got) < 0)
		err = errno;
	close(fd);
	if (got < (size_t)st.st_size && err) {
		free(p);
		w->stats.skipped_unreadable++;
		scan_note_limit(s, SCOPE_TREE, NULL, "%s: cannot read: %s", e->path, strerror(err));
		return 1;
	}
	p[got] = '\0';
	*data = p;
	*len = got;
	return 0;
}

void scan_worker_skipped_large(struct worker *w)
{
	w->stats.skipped_large++;
	w->large_unnamed++;
}

int scan_worker_skipped_large_at(struct worker *w, const char *path, size_t size, unsigned scope)
{
	w->stats.skipped_large++;
	return scan_note_limit(w->scan, scope, NULL,
			       "%s: not read: %zu bytes, above --max-file-size (%zu)", path, size,
			       w->scan->opt->max_file_size);
}

void scan_worker_skipped_binary(struct worker *w)
{
	w->stats.skipped_binary++;
}
