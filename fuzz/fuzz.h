/* What the fuzz targets share: the built-in rules loaded once per process (read-only
 * afterwards, as in a scan), and the "path\ncontent" input of the scan targets. */
#ifndef OCPAY_FUZZ_H
#define OCPAY_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/rule.h"
#include "check/scan.h"
#include "core/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ruleset fuzz_rules;

static inline const struct ruleset *fuzz_ruleset(void)
{
	if (!fuzz_rules.len && ruleset_load(&fuzz_rules, NULL) < 0) {
		fprintf(stderr, "fuzz: cannot load the built-in rules: %s\n", error_last());
		abort();
	}
	return &fuzz_rules;
}

/* The options of a default `ocpay-audit scan`, on one thread. */
static const struct scan_options fuzz_scan_options = {
    .jobs = 1,
    .max_file_size = 2 * 1024 * 1024,
    .max_parse_size = 2 * 1024 * 1024,
    .max_file_findings = 100,
    .parse_timeout_ms = 2000,
};

/* Splits "path\ncontent": the first line (at most 255 bytes, no NUL) names the file.
 * Returns 0, or -1 when the input has no such line. */
static inline int fuzz_split_path(const uint8_t *data, size_t size, char path[256],
				  const char **content, size_t *len)
{
	const uint8_t *nl = memchr(data, '\n', size < 256 ? size : 256);
	if (!nl || nl == data || memchr(data, '\0', (size_t)(nl - data)))
		return -1;
	memcpy(path, data, (size_t)(nl - data));
	path[nl - data] = '\0';
	*content = (const char *)nl + 1;
	*len = size - (size_t)(nl - data) - 1;
	return 0;
}

/* Scans one file held in memory as `scan` reads a working-tree file, then runs the
 * repository-level checks and sorts and fingerprints the findings. */
static inline void fuzz_scan_unit(const char *path, const char *content, size_t len)
{
	struct scan s;
	if (scan_init(&s, fuzz_ruleset(), &fuzz_scan_options) < 0)
		abort();
	struct worker *w = scan_worker_new(&s);
	if (!w)
		abort();
	/* The scan reads files NUL-terminated. */
	char *copy = malloc(len + 1);
	if (!copy)
		abort();
	memcpy(copy, content, len);
	copy[len] = '\0';
	int rc = scan_worker_unit(w, path, FILE_TRACKED, copy, len, SCOPE_TREE, &s.findings);
	scan_worker_free(w);
	if (rc >= 0)
		rc = scan_run_finishers(&s);
	if (rc >= 0)
		rc = scan_finish(&s);
	/* Findings must be well formed whatever the input. */
	for (size_t i = 0; rc >= 0 && i < s.findings.len; i++) {
		const struct finding *f = &s.findings.items[i];
		if (!f->rule || !f->path || !f->message || f->line < 1 || f->end_line < f->line ||
		    f->column < 1 || strlen(f->fingerprint) != HASH_HEX_SIZE - 1 ||
		    (f->snippet && (f->mark_start < 0 || f->mark_end < f->mark_start ||
				    (size_t)f->mark_end > strlen(f->snippet)))) {
			fprintf(stderr, "fuzz: malformed finding %s at %s:%d:%d\n",
				f->rule ? f->rule->id : "?", f->path ? f->path : "?", f->line,
				f->column);
			abort();
		}
	}
	free(copy);
	scan_free(&s);
}

#endif
