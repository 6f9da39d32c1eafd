/* Files larger than --max-file-size are never held whole: the text detectors read them
 * piece by piece, so a key in a 3 MB bundle is still found in constant memory. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/pieces.h"
#include "check/scan_private.h"
#include "core/error.h"
#include "lang/lang.h"
#include "source/files.h"

/* Pieces overlap by PIECE_OVERLAP, and a hit belongs to the piece it starts in, away from
 * the edges, so a key across two pieces is found once. Up to PIECES_MAX times
 * --max-file-size is read; past that the file is named as read in part. The code rules
 * need the whole syntax: the file is named as not parsed when one of them would have
 * read it. */
#define PIECE_SIZE (1u << 20)
#define PIECE_OVERLAP (64u << 10)
#define PIECES_MAX 64

int scan_large_file(struct worker *w, size_t index, int fd, size_t size)
{
	struct scan *s = w->scan;
	const struct file_entry *e = &s->files.items[index];
	size_t max = s->opt->max_file_size;
	size_t budget = max > SIZE_MAX / PIECES_MAX ? SIZE_MAX : max * PIECES_MAX;
	char *p = malloc(PIECE_SIZE + 1);
	if (!p) {
		close(fd);
		return error_set("out of memory");
	}
	struct finding_list *out = &w->results[index];
	size_t first = out->len, carry = 0, total = 0, lines = 0, cols = 0;
	uint64_t kw[2] = {0, 0};
	int rc = 0;
	bool binary = false, capped = false, last = false;
	w->index = (long)index;
	while (!rc && !last) {
		size_t want = PIECE_SIZE - carry, got;
		if (want > budget - total)
			want = budget - total;
		if (file_read_full(fd, p + carry, want, &got) < 0) {
			w->stats.skipped_unreadable++;
			rc = scan_note_limit(s, SCOPE_TREE, NULL, "%s: cannot read: %s", e->path,
					     strerror(errno));
			break;
		}
		total += got;
		size_t len = carry + got;
		last = got < want || total >= budget || len < PIECE_SIZE;
		if (!carry && memchr(p, '\0', len < BINARY_PROBE ? len : BINARY_PROBE)) {
			binary = true;
			break;
		}
		p[len] = '\0';
		size_t keep_to = last ? len : len - PIECE_OVERLAP / 2;
		w->piece.on = true;
		w->piece.carry = carry;
		w->piece.keep_from = carry ? PIECE_OVERLAP / 2 : 0;
		w->piece.keep_to = keep_to;
		w->piece.line_base = lines;
		w->piece.col_base = cols;
		w->piece.prior = out->len - first;
		rc = scan_worker_unit(w, e->path, e->flags, p, len, SCOPE_TREE, out);
		kw[0] |= w->piece.kw[0];
		kw[1] |= w->piece.kw[1];
		capped = s->opt->max_file_findings && out->len - first >= s->opt->max_file_findings;
		if (rc < 0 || capped)
			break;
		/* the next piece starts PIECE_OVERLAP before this one's end */
		size_t next = len - PIECE_OVERLAP;
		for (size_t i = 0; !last && i < next; i++) {
			if (p[i] == '\n')
				lines++, cols = 0;
			else
				cols += ((unsigned char)p[i] & 0xC0) != 0x80;
		}
		if (!last) {
			memmove(p, p + next, PIECE_OVERLAP);
			carry = PIECE_OVERLAP;
		}
	}
	memset(&w->piece, 0, sizeof w->piece);
	w->index = -1;
	close(fd);
	free(p);
	if (rc < 0)
		return -1;
	if (binary) {
		w->stats.skipped_binary++;
		scan_log(s, "%s: skipped: binary", e->path);
		return 0;
	}
	scan_log(s, "%s: %zu bytes, above --max-file-size: read in pieces by the text rules", e->path,
		 size);
	struct unit u = {.scan = s, .path = e->path, .index = (long)index, .scope = SCOPE_TREE,
			 .lang = lang_from_path(e->path), .page = lang_is_page(e->path),
			 .kw = {kw[0], kw[1]}};
	/* what was not read may hold anything: no rule can pass */
	if (total < size && !capped)
		rc = scan_note_limit(s, SCOPE_TREE, NULL,
				     "%s: only the first %zu of its %zu bytes were read (%d times "
				     "--max-file-size)",
				     e->path, total, size, PIECES_MAX);
	if (!rc && u.lang != LANG_TEXT)
		rc = unit_note_limit(&u, true, NULL,
				     "%s: not parsed: %zu bytes, above --max-file-size (%zu); only "
				     "the text rules read it",
				     e->path, size, max);
	return rc;
}
