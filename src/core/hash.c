#include "core/hash.h"

#include <git2.h>

#include "core/error.h"

int hash_hex(char out[HASH_HEX_SIZE], const void *data, size_t len)
{
	git_oid oid;
	/* Hashed as a git blob would be: the same digest `git hash-object` gives. */
	if (git_odb_hash(&oid, data, len, GIT_OBJECT_BLOB) < 0)
		return error_set("cannot hash: %s", git_error_last() ? git_error_last()->message : "?");
	git_oid_tostr(out, HASH_HEX_SIZE, &oid);
	return 0;
}
