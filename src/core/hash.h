/* Content hashes for fingerprints and baselines (SHA-1 as git computes it). */
#ifndef OCPAY_HASH_H
#define OCPAY_HASH_H

#include <stddef.h>

#define HASH_HEX_SIZE 41

/* Writes 40 hex digits and a NUL into out. Returns 0, or -1 with the error set. */
int hash_hex(char out[HASH_HEX_SIZE], const void *data, size_t len);

#endif
