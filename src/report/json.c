/* The JSON contract of DESIGN.md, written with jansson. Strings from the audited files
 * (paths, snippets) are made valid UTF-8 before they get here or are escaped byte-wise. */
#include <jansson.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/utf8.h"
#include "report/report.h"

/* jansson refuses invalid UTF-8; a path from a hostile repository may be that. Its
 * invalid bytes are written as \xNN text, the rest as it is. */
json_t *report_json_string(const char *s)
{
	s = s ? s : "";
	json_t *j = json_string(s);
	if (j)
		return j;
	struct buf b = BUF_INIT;
	for (size_t n = strlen(s); n;) {
		unsigned cp;
		size_t len = utf8_char(s, n, &cp);
		if (len)
			buf_put(&b, s, len);
		else
			buf_printf(&b, "\\x%02x", (unsigned char)*s);
		len = len ? len : 1;
		s += len;
		n -= len;
	}
	j = buf_oom(&b) ? NULL : json_string(b.ptr);
	buf_free(&b);
	return j;
}


/* A key's id (the same key, the same id, in any report), kind and redacted text: what
 * `merge` counts keys to rotate by. */
static json_t *key_json(const struct finding *f)
{
	const char *kind;
	char id[17], text[96];
	if (!report_finding_key(f, &kind, id))
		return NULL;
	report_key_text(f, text, sizeof text);
	return json_pack("{s:s, s:s, s:o}", "id", id, "kind", kind, "redacted",
			 report_json_string(text));
}

static json_t *finding_json(const struct report *rep, const struct finding *f)
{
	json_t *commit = json_null();
	if (f->commit)
		commit = json_pack("{s:s, s:o, s:o}", "id", f->commit->id, "author",
				   report_json_string(f->commit->author), "date", report_json_string(f->commit->date));
	json_t *j = json_pack("{s:s, s:s, s:s, s:o, s:i, s:i, s:i, s:i, s:o, s:o, s:s, s:o}", "rule",
			 f->rule->id, "name", f->rule->name, "severity", severity_name(f->severity),
			 "path", report_json_string(f->path), "line", f->line, "column", f->column, "end_line",
			 f->end_line, "end_column", f->end_column, "message", report_json_string(f->message),
			 "snippet", report_json_string(f->snippet), "fingerprint", f->fingerprint, "commit", commit);
	/* paths are relative to the scanned folder; SARIF and GitLab link from the root */
	if (j) {
		struct buf b = BUF_INIT;
		buf_printf(&b, "%s%s", rep->prefix ? rep->prefix : "", f->path);
		json_object_set_new(j, "repo_path", report_json_string(b.ptr ? b.ptr : f->path));
		buf_free(&b);
		json_object_set_new(j, "in_tree", json_boolean(finding_scopes(f) & FOUND_TREE));
		json_object_set_new(j, "in_history", json_boolean(finding_scopes(f) & FOUND_HISTORY));
	}
	json_t *key = j ? key_json(f) : NULL;
	if (key)
		json_object_set_new(j, "key", key);
	return j;
}

json_t *report_json(const struct report *rep)
{
	const struct scan_result *s = rep->result;
	json_t *findings = json_array();
	for (size_t i = 0; i < s->findings.len; i++)
		json_array_append_new(findings, finding_json(rep, &s->findings.items[i]));
	json_t *checklist = json_array();
	for (size_t i = 0; i < rep->nchecklist; i++) {
		const struct checklist_entry *e = &rep->checklist[i];
		json_t *item =
		    json_pack("{s:s, s:s, s:[s], s:s, s:i}", "section", e->item->section, "item",
			      e->item->item, "rules", e->rule->id, "status",
			      item_status_name(e->status), "findings", (json_int_t)e->findings);
		if (item && e->reason)
			json_object_set_new(item, "reason", json_string(e->reason));
		json_array_append_new(checklist, item);
	}
	const struct scan_stats *st = &s->stats;
	json_t *skipped = json_pack(
	    "{s:I, s:I, s:I, s:I}", "binary", (json_int_t)st->skipped_binary, "too_large",
	    (json_int_t)st->skipped_large, "unreadable", (json_int_t)st->skipped_unreadable,
	    "symlink", (json_int_t)st->skipped_symlink);
	json_t *suppressed = json_array();
	for (size_t i = 0; i < s->suppressed.len; i++) {
		const struct finding *f = &s->suppressed.items[i];
		json_t *j = finding_json(rep, f);
		if (j)
			json_object_set_new(
			    j, "suppression",
			    json_pack("{s:s, s:o}", "kind",
				      f->suppressed == SUPPRESS_INLINE ? "inline" : "baseline",
				      "reason",
				      f->suppress_reason ? report_json_string(f->suppress_reason)
							 : json_null()));
		json_array_append_new(suppressed, j);
	}
	json_t *directives = json_array();
	for (size_t i = 0; i < s->ndirectives; i++) {
		const struct directive_note *d = &s->directives[i];
		json_array_append_new(directives,
				      json_pack("{s:o, s:i, s:o, s:s}", "path",
						report_json_string(d->path), "line", d->line,
						"rules", report_json_string(d->rules), "problem",
						d->problem ? d->problem : "suppresses nothing"));
	}
	json_t *incomplete = json_array();
	for (size_t i = 0; i < s->nincomplete; i++)
		json_array_append_new(incomplete, report_json_string(s->incomplete[i]));
	return json_pack(
		"{s:s, s:{s:s, s:s}, s:{s:o, s:o, s:s, s:o}, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:I, s:o, "
		"s:{s:I, s:I}}, s:b, s:o, s:o, s:o}",
		"schema_version", REPORT_SCHEMA_VERSION, "tool", "name", "ocpay-audit", "version", OCPAY_VERSION, "target", "path",
		report_json_string(rep->target), "head", rep->head[0] ? json_string(rep->head) : json_null(),
		"mode", rep->mode, "folder", rep->prefix ? json_string(rep->prefix) : json_null(), "findings", findings, "checklist", checklist, "stats",
		"files_scanned", (json_int_t)st->files_scanned, "bytes_scanned",
		(json_int_t)st->bytes_scanned, "blobs_scanned", (json_int_t)st->blobs_scanned,
		"duration_ms", (json_int_t)st->duration_ms, "files_parsed",
		(json_int_t)st->files_parsed, "skipped", skipped, "flow_files", "ocpay_code",
		(json_int_t)st->flow_named, "linked", (json_int_t)st->flow_linked, "ocpay_integration",
		s->ocpay_seen, "incomplete", incomplete, "suppressed", suppressed,
		"unused_suppressions", directives);
}

int report_write_json(const struct report *rep, FILE *out)
{
	json_t *root = report_json(rep);
	if (!root)
		return error_set("cannot build the JSON report (out of memory)");
	int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(root);
	return rc < 0 || ferror(out) ? error_set("cannot write the JSON report") : 0;
}
