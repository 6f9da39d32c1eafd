/* Findings from git objects rather than the working tree:
 * - history_scan: every blob reachable from any ref (branches, tags, remotes, stash), each
 *   read once, with the leak rules; each finding names the commit that introduced it.
 * - rev_scan: the tree of one revision, read from the object database (no checkout).
 * - staged_scan: what the index adds compared with HEAD.
 * All append to s->findings (history and staged) or to out (rev_scan); none writes to
 * the repository. */
#ifndef OCPAY_HISTORY_H
#define OCPAY_HISTORY_H

#include <stdbool.h>

#include "check/scan.h"

struct repo;

/* since: a revision whose ancestors are not scanned, or NULL. progress: draw a progress
 * line on stderr. */
int history_scan(struct scan *s, struct repo *r, const char *since, bool progress);
/* Scans the tree of rev with the working-tree rules into out (sorted, fingerprinted). */
int rev_scan(struct scan *s, struct repo *r, const char *rev, struct finding_list *out);
/* Scans the staged version of every path the index changes against HEAD, and keeps only
 * the findings the change introduces. */
int staged_scan(struct scan *s, struct repo *r);
/* --since rev: gives each working-tree finding without a commit the commit after rev that
 * brought its line (blame), when there is one. */
int since_attribute(struct scan *s, struct repo *r, const char *rev);

#endif
