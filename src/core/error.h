/* The last error message of the calling thread, set once where the error happens.
 * Library code returns -1 after error_set(); only main() prints error_last(). */
#ifndef OCPAY_ERROR_H
#define OCPAY_ERROR_H

int error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *error_last(void);
void error_clear(void);

#endif
