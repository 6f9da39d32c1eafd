/* SARIF 2.1.0 for code-scanning upload: rule metadata with help text and markdown,
 * security-severity and precision; results with repo-relative URIs and the findings'
 * fingerprints as partialFingerprints. */
#include <jansson.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "report/report.h"

/* GitHub reads security-severity as a CVSS-like score: >= 9 critical, >= 7 high, >= 4
 * medium, else low. */
static const char *const security_severity[SEV_COUNT] = {"1.0", "3.0", "5.5", "8.0", "9.5"};
static const char *const levels[SEV_COUNT] = {"note", "note", "warning", "error", "error"};


/* RFC 3986: keep unreserved characters and '/', escape every other byte. */
static char *uri_encode(const char *path)
{
	struct buf b = BUF_INIT;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/", *p))
			buf_putc(&b, (char)*p);
		else
			buf_printf(&b, "%%%02X", *p);
	}
	return buf_detach(&b);
}

static json_t *rule_json(const struct rule *r)
{
	struct buf md = BUF_INIT;
	buf_printf(&md, "**%s** (%s)\n\n%s\n\n**How to fix**\n\n```\n%s```\n", r->name, r->id,
		   r->description, r->fix);
	char page[512];
	if (*report_rule_url(r, page, sizeof page) && strcmp(page, r->docs ? r->docs : ""))
		buf_printf(&md, "\n[Rule %s: fixes in each language](%s)\n", r->id, page);
	if (r->docs)
		buf_printf(&md, "\n[OCPay documentation](%s)\n", r->docs);
	char *markdown = buf_detach(&md);
	json_t *tags = json_pack("[s, s]", "security", r->items[0].section);
	json_t *j = json_pack("{s:s, s:s, s:{s:o}, s:{s:o}, s:{s:o, s:o}, s:{s:s}, s:{s:s, s:s, s:o}}",
			      "id", r->id, "name", r->name, "shortDescription", "text",
			      report_json_string(r->summary), "fullDescription", "text",
			      report_json_string(r->description), "help", "text", report_json_string(r->fix), "markdown",
			      report_json_string(markdown), "defaultConfiguration", "level", levels[r->severity],
			      "properties", "security-severity", security_severity[r->severity],
			      "precision", r->precision ? r->precision : "high", "tags", tags);
	/* SARIF wants an absolute helpUri: the rule's page when its base URL is configured
	 * (OCPAY_DOCS_URL, OCPAY_AUDIT_DOCS_URL), else the OCPay docs; help.markdown links the
	 * page in the repository either way. */
	char url[512];
	report_rule_url(r, url, sizeof url);
	const char *help = strstr(url, "://") ? url : r->docs;
	if (j && help)
		json_object_set_new(j, "helpUri", report_json_string(help));
	free(markdown);
	return j;
}

static json_t *result_json(const struct report *rep, const struct finding *f, size_t rule_index)
{
	/* code scanning resolves URIs from the repository's root, not the scanned folder */
	struct buf full = BUF_INIT;
	buf_printf(&full, "%s%s", rep->prefix ? rep->prefix : "", f->path);
	char *uri = full.ptr ? uri_encode(full.ptr) : NULL;
	buf_free(&full);
	json_t *region = json_pack("{s:i, s:i}", "startLine", f->line, "startColumn", f->column);
	if (region && (f->end_line > f->line || f->end_column > f->column)) {
		json_object_set_new(region, "endLine", json_integer(f->end_line));
		json_object_set_new(region, "endColumn", json_integer(f->end_column));
	}
	if (region && f->snippet && *f->snippet)
		json_object_set_new(region, "snippet",
				    json_pack("{s:o}", "text", report_json_string(f->snippet)));
	json_t *props = json_pack("{s:s}", "severity", severity_name(f->severity));
	if (props && f->commit)
		json_object_set_new(props, "commit",
				    json_pack("{s:s, s:o, s:o}", "id", f->commit->id, "author",
					      report_json_string(f->commit->author), "date", report_json_string(f->commit->date)));
	json_t *j = json_pack(
		"{s:s, s:I, s:s, s:{s:o}, s:[{s:{s:{s:s, s:s}, s:o}}], s:{s:s}, s:o}", "ruleId",
		f->rule->id, "ruleIndex", (json_int_t)rule_index, "level", levels[f->severity],
		"message", "text", report_json_string(f->message), "locations", "physicalLocation",
		"artifactLocation", "uri", uri ? uri : "", "uriBaseId", "%SRCROOT%", "region", region,
		"partialFingerprints", "ocpayAudit/v1", f->fingerprint, "properties", props);
	free(uri);
	/* Code scanning closes a result that carries a suppression. */
	if (j && f->suppressed)
		json_object_set_new(
			j, "suppressions",
			json_pack("[{s:s, s:s, s:o}]", "kind",
				  f->suppressed == SUPPRESS_INLINE ? "inSource" : "external", "status",
				  "accepted", "justification",
				  report_json_string(f->suppress_reason ? f->suppress_reason : "in the baseline")));
	return j;
}

int report_write_sarif(const struct report *rep, FILE *out)
{
	const struct scan_result *s = rep->result;
	const struct ruleset *rs = s->rules;
	json_t *rules = json_array();
	for (size_t i = 0; i < rs->len; i++)
		json_array_append_new(rules, rule_json(&rs->rules[i]));
	json_t *results = json_array();
	for (size_t i = 0; i < s->findings.len; i++) {
		const struct finding *f = &s->findings.items[i];
		size_t index = (size_t)(f->rule - rs->rules);
		json_array_append_new(results, result_json(rep, f, index));
	}
	for (size_t i = 0; i < s->suppressed.len; i++) {
		const struct finding *f = &s->suppressed.items[i];
		json_array_append_new(results, result_json(rep, f, (size_t)(f->rule - rs->rules)));
	}
	json_t *notes = json_array();
	for (size_t i = 0; i < s->nincomplete; i++)
		json_array_append_new(notes, json_pack("{s:s, s:{s:o}}", "level", "warning",
						       "message", "text", report_json_string(s->incomplete[i])));
	json_t *root = json_pack(
		"{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:o}}, s:s, s:o, s:[{s:b, s:o}]}]}", "$schema",
		"https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0", "runs", "tool",
		"driver", "name", "ocpay-audit", "version", OCPAY_VERSION, "semanticVersion",
		OCPAY_VERSION, "rules", rules, "columnKind", "unicodeCodePoints", "results", results,
		"invocations", "executionSuccessful", 1, "toolExecutionNotifications", notes);
	if (!root)
		return error_set("cannot build the SARIF report (out of memory)");
	int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(root);
	return rc < 0 || ferror(out) ? error_set("cannot write the SARIF report") : 0;
}
