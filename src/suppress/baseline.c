/* The baseline file: reading, matching, writing. */
#include "suppress/baseline.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/rule.h"
#include "core/error.h"
#include "core/hash.h"
#include "source/files.h"

/* A baseline of a hundred thousand findings is about 15 MB. */
#define BASELINE_MAX_SIZE (64u << 20)

static int entry_hash(char out[HASH_HEX_SIZE], const char *salt, const char *fingerprint)
{
	char buf[2 * HASH_HEX_SIZE + 2];
	int n = snprintf(buf, sizeof buf, "%s:%s", salt, fingerprint);
	return hash_hex(out, buf, (size_t)n);
}

static bool is_hex40(const char *s)
{
	if (!s || strlen(s) != HASH_HEX_SIZE - 1)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/* What went wrong in a JSON text, in words of our own: jansson's text quotes the token
 * it stopped at, and the file may not be what it claims to be. */
static const char *json_problem(const json_error_t *e)
{
	switch (json_error_code(e)) {
	case json_error_out_of_memory: return "out of memory";
	case json_error_stack_overflow: return "nested too deeply";
	case json_error_invalid_utf8: return "invalid UTF-8";
	case json_error_premature_end_of_input: return "the text ends too early";
	case json_error_end_of_input_expected: return "more text after the JSON value";
	case json_error_null_character: return "a NUL byte";
	case json_error_numeric_overflow: return "a number out of range";
	case json_error_duplicate_key: return "a key given twice";
	default: return "invalid JSON syntax";
	}
}

/* The entries of a parsed baseline file; takes root. */
static int load_json(struct baseline *b, const char *path, json_t *root, const json_error_t *jerr)
{
	if (!root) {
		if (jerr->line < 1)
			return error_set("%s: not a valid baseline: %s", path, json_problem(jerr));
		return error_set("%s:%d:%d: not a valid baseline: %s", path, jerr->line,
				 jerr->column, json_problem(jerr));
	}
	int rc = 0;
	json_t *salt = json_object_get(root, "salt");
	json_t *entries = json_object_get(root, "findings");
	if (!json_is_string(salt) || !is_hex40(json_string_value(salt)) ||
	    !json_is_array(entries)) {
		rc = error_set("%s: not a baseline written by `ocpay-audit baseline` (it needs a "
			       "\"salt\" and a \"findings\" list)",
			       path);
		goto out;
	}
	snprintf(b->salt, sizeof b->salt, "%s", json_string_value(salt));
	size_t n = json_array_size(entries);
	if (!(b->path = strdup(path)) || !(b->items = calloc(n ? n : 1, sizeof *b->items))) {
		rc = error_set("out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(entries, i);
		const char *rule = json_string_value(json_object_get(e, "rule"));
		const char *p = json_string_value(json_object_get(e, "path"));
		const char *hash = json_string_value(json_object_get(e, "hash"));
		if (!rule || !p || !is_hex40(hash)) {
			rc = error_set(
			    "%s: entry %zu needs \"rule\", \"path\" and a 40-digit \"hash\"", path,
			    i + 1);
			goto out;
		}
		struct baseline_entry *be = &b->items[b->len++];
		be->rule = strdup(rule);
		be->path = strdup(p);
		be->line = (int)json_integer_value(json_object_get(e, "line"));
		snprintf(be->hash, sizeof be->hash, "%s", hash);
		if (!be->rule || !be->path) {
			rc = error_set("out of memory");
			goto out;
		}
	}
out:
	json_decref(root);
	if (rc < 0)
		baseline_free(b);
	return rc;
}

int baseline_load(struct baseline *b, const char *dir, const char *path, bool required)
{
	memset(b, 0, sizeof *b);
	char *text = NULL;
	size_t len = 0;
	int rc = file_read_regular(&text, &len, dir, path, BASELINE_MAX_SIZE);
	char name[4096];
	file_join_name(name, sizeof name, dir, path);
	if (rc == 1)
		return required ? error_set("%s: %s", name, strerror(ENOENT)) : 0;
	if (rc < 0)
		return -1;
	rc = baseline_load_text(b, name, text, len);
	free(text);
	return rc;
}

int baseline_load_text(struct baseline *b, const char *name, const char *text, size_t len)
{
	memset(b, 0, sizeof *b);
	json_error_t jerr;
	json_t *root = json_loadb(text, len, 0, &jerr);
	return load_json(b, name, root, &jerr);
}

static bool holds(const struct baseline *b, const char *hash)
{
	for (size_t i = 0; i < b->len; i++)
		if (!strcmp(b->items[i].hash, hash))
			return true;
	return false;
}

static bool in_baseline(struct finding *f, void *ctx)
{
	const struct baseline *b = ctx;
	char h[HASH_HEX_SIZE];
	if (entry_hash(h, b->salt, f->fingerprint) < 0 || !holds(b, h))
		return false;
	f->suppressed = SUPPRESS_BASELINE;
	return true;
}

int baseline_apply(struct baseline *b, struct finding_list *findings,
		   struct finding_list *suppressed)
{
	return b->len ? finding_list_move_if(suppressed, findings, in_baseline, b) : 0;
}

static int new_salt(char out[HASH_HEX_SIZE])
{
	unsigned char raw[20];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t got = fd >= 0 ? read(fd, raw, sizeof raw) : -1;
	if (fd >= 0)
		close(fd);
	if (got != (ssize_t)sizeof raw)
		return error_set("cannot read /dev/urandom for the baseline's salt");
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

int baseline_write(struct baseline *b, const char *path, const struct finding_list *findings,
		   bool prune, size_t *written, size_t *dropped)
{
	if (!b->salt[0] && new_salt(b->salt) < 0)
		return -1;
	json_t *list = json_array();
	*written = *dropped = 0;
	for (size_t i = 0; list && i < findings->len; i++) {
		const struct finding *f = &findings->items[i];
		char h[HASH_HEX_SIZE];
		if (entry_hash(h, b->salt, f->fingerprint) < 0) {
			json_decref(list);
			return -1;
		}
		if (prune && !holds(b, h))
			continue;
		json_array_append_new(list, json_pack("{s:s, s:s, s:i, s:s}", "rule", f->rule->id,
						      "path", f->path, "line", f->line, "hash", h));
		(*written)++;
	}
	if (prune)
		*dropped = b->len > *written ? b->len - *written : 0;
	json_t *root =
	    json_pack("{s:s, s:s, s:o}", "comment",
		      "Findings accepted with `ocpay-audit baseline`: scans report them as "
		      "suppressed. Each is a salted hash of its fingerprint; no secret is "
		      "stored. Drop stale entries with `ocpay-audit baseline --prune`.",
		      "salt", b->salt, "findings", list);
	if (!root)
		return error_set("out of memory");
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!text)
		return error_set("out of memory");
	size_t len = strlen(text);
	char *full = realloc(text, len + 2);
	if (!full) {
		free(text);
		return error_set("out of memory");
	}
	memcpy(full + len, "\n", 2);
	int rc = file_write_atomic(path, full, len + 1, 0666);
	free(full);
	return rc;
}

void baseline_free(struct baseline *b)
{
	for (size_t i = 0; i < b->len; i++) {
		free(b->items[i].rule);
		free(b->items[i].path);
	}
	free(b->items);
	free(b->path);
	memset(b, 0, sizeof *b);
}
