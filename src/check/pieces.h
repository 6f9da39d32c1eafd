/* Files larger than --max-file-size, read piece by piece by the text detectors. */
#ifndef OCPAY_PIECES_H
#define OCPAY_PIECES_H

#include <stddef.h>

#include "check/worker.h"

/* Reads the file index of the list, open on fd (closed here) and size bytes long (above
 * --max-file-size), in pieces handed to the worker. 0, or -1. */
int scan_large_file(struct worker *w, size_t index, int fd, size_t size);

#endif
