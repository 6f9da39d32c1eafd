/* A growable byte string. Allocation failure is sticky: later writes are ignored and
 * buf_oom() tells, so a long sequence of writes is checked once at the end.
 * The buffer owns ptr; buf_detach() hands it to the caller. ptr is always NUL-terminated
 * once anything was written. */
#ifndef OCPAY_BUF_H
#define OCPAY_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *ptr;
	size_t len;
	size_t cap;
	bool oom;
};

#define BUF_INIT {0, 0, 0, false}

void buf_put(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool buf_oom(const struct buf *b);
/* Returns the string (never NULL unless out of memory) and resets b. */
char *buf_detach(struct buf *b);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

#endif
