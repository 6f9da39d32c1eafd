/* Lists the files of a folder that is not a git repository: every regular file, never
 * following symbolic links (listed as such, so loops cannot happen), skipping .git/ and
 * node_modules/. Unreadable folders are reported through `skipped`, not as errors. */
#ifndef OCPAY_WALK_H
#define OCPAY_WALK_H

#include "source/files.h"

/* Called for each folder that could not be opened; its error text is in `why`. */
typedef void (*walk_skip_fn)(void *ctx, const char *path, const char *why);

int walk_folder(const char *root, struct file_list *out, walk_skip_fn skipped, void *ctx);

#endif
