/* GitLab's report formats. gitlab-sast: the Security report JSON (schema 15.x, report
 * type "sast") that `artifacts: reports: sast:` ingests into the merge-request widget and
 * the vulnerability report; GitLab refuses a report that does not match its schema, so
 * every required field is written even when empty. codequality: the Code Quality report
 * (`artifacts: reports: codequality:`), an array of issues with a fingerprint each. */
#include <jansson.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/error.h"
#include "report/report.h"

#define GITLAB_SCHEMA_VERSION "15.0.7"

static const char *const gitlab_severity[SEV_COUNT] = {"Info", "Low", "Medium", "High",
						       "Critical"};
static const char *const quality_severity[SEV_COUNT] = {"info", "minor", "major", "critical",
							"blocker"};

static int write_json(json_t *root, FILE *out, const char *what)
{
	if (!root)
		return error_set("cannot build the %s report (out of memory)", what);
	int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(root);
	return rc < 0 || ferror(out) ? error_set("cannot write the %s report", what) : 0;
}

/* GitLab's times: UTC, to the second, with no zone ("2025-01-01T10:00:00"). */
static void gitlab_time(char *buf, size_t size, time_t t)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
}

/* The path GitLab links to: from the repository's root. */
static char *repo_path(const struct report *rep, const struct finding *f)
{
	struct buf b = BUF_INIT;
	buf_printf(&b, "%s%s", rep->prefix ? rep->prefix : "", f->path);
	return buf_detach(&b);
}

static json_t *vulnerability(const struct report *rep, const struct finding *f)
{
	char *path = repo_path(rep, f);
	struct buf name = BUF_INIT;
	buf_printf(&name, "%s %s", f->rule->id, f->rule->name);
	char *id_name = buf_detach(&name);
	json_t *location = json_pack("{s:o, s:i, s:i}", "file", report_json_string(path ? path : ""),
				     "start_line", f->line > 0 ? f->line : 1, "end_line",
				     f->end_line >= f->line && f->end_line > 0 ? f->end_line
									       : (f->line > 0 ? f->line : 1));
	json_t *j = json_pack("{s:s, s:s, s:o, s:s, s:o, s:[{s:s, s:o, s:s}], s:o}", "id",
			      f->fingerprint, "name", f->rule->name, "description",
			      report_json_string(f->message), "severity", gitlab_severity[f->severity],
			      "solution", report_json_string(f->rule->fix ? f->rule->fix : ""),
			      "identifiers", "type", "ocpay_audit_rule", "name",
			      report_json_string(id_name ? id_name : f->rule->id), "value", f->rule->id,
			      "location", location);
	if (j && f->rule->docs)
		json_object_set_new(json_array_get(json_object_get(j, "identifiers"), 0), "url",
				    json_string(f->rule->docs));
	free(path);
	free(id_name);
	return j;
}

int report_write_gitlab_sast(const struct report *rep, FILE *out)
{
	const struct scan_result *s = rep->result;
	json_t *vulns = json_array();
	for (size_t i = 0; i < s->findings.len; i++)
		json_array_append_new(vulns, vulnerability(rep, &s->findings.items[i]));
	time_t end = time(NULL);
	time_t start = end - (time_t)(s->stats.duration_ms / 1000);
	char t0[32], t1[32];
	gitlab_time(t0, sizeof t0, start);
	gitlab_time(t1, sizeof t1, end);
	json_t *tool = json_pack("{s:s, s:s, s:s, s:{s:s}}", "id", "ocpay-audit", "name",
				 "ocpay-audit", "version", OCPAY_VERSION, "vendor", "name",
				 "ocpay-audit");
	json_t *root = json_pack(
		"{s:s, s:{s:o, s:O, s:s, s:s, s:s, s:s}, s:o}", "version", GITLAB_SCHEMA_VERSION,
		"scan", "analyzer", tool, "scanner", tool, "type", "sast", "start_time", t0,
		"end_time", t1, "status", "success", "vulnerabilities", vulns);
	return write_json(root, out, "GitLab SAST");
}

int report_write_codequality(const struct report *rep, FILE *out)
{
	const struct scan_result *s = rep->result;
	json_t *issues = json_array();
	for (size_t i = 0; i < s->findings.len && issues; i++) {
		const struct finding *f = &s->findings.items[i];
		char *path = repo_path(rep, f);
		struct buf d = BUF_INIT;
		buf_printf(&d, "%s: %s", f->rule->id, f->message);
		char *desc = buf_detach(&d);
		json_array_append_new(
			issues,
			json_pack("{s:s, s:o, s:s, s:s, s:s, s:{s:o, s:{s:i}}}", "type", "issue",
				  "description", report_json_string(desc ? desc : f->rule->id),
				  "check_name", f->rule->id, "fingerprint", f->fingerprint, "severity",
				  quality_severity[f->severity], "location", "path",
				  report_json_string(path ? path : ""), "lines", "begin",
				  f->line > 0 ? f->line : 1));
		free(path);
		free(desc);
	}
	return write_json(issues, out, "Code Quality");
}
