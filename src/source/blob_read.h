/* Reads blobs by id for the scans of one tree (a revision, the staged change): through
 * the pack reader when a pack holds them, so a crafted pack costs bounded work here as
 * in the history scan, else through libgit2 (loose objects, which are never deltas). */
#ifndef OCPAY_BLOB_READ_H
#define OCPAY_BLOB_READ_H

#include <git2.h>
#include <stddef.h>

struct blob_reader;
/* Returns 0, or -1 with the error set; free *out in both cases. */
int blob_reader_new(struct blob_reader **out, git_repository *g);
void blob_reader_free(struct blob_reader *br);
/* Returns 0 with *data and *len (valid until the next call), 1 when the blob is larger
 * than limit, 2 when it is left unread and 3 when it is missing or unreadable: *why then
 * says why (valid until the next call), and the scan goes on without it. -1: out of
 * memory (the error is set). */
int blob_reader_read(struct blob_reader *br, const git_oid *id, size_t limit, const char **data,
		     size_t *len, const char **why);

#endif
