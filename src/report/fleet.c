/* Reading the JSON reports of many scans back for `merge`: each is checked against what
 * the report's schema requires (schema_version 1.x, the tool, the target, findings and
 * checklist with their fields), and a bad file is named with the place and the cause. The
 * fleet keeps per repository what the views show: the verdict's inputs, counts by
 * severity, each checklist item's status, the distinct keys and the findings per rule. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "report/fleet.h"

static char *dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int bad(const char *file, const char *where, const char *what)
{
	return error_set("%s: %s%s%s", file, where ? where : "", where ? ": " : "", what);
}

/* The string member key of o, or NULL (and the error set) when it is missing or not a
 * string. */
static const char *need_string(json_t *o, const char *key, const char *file, const char *where)
{
	json_t *v = json_object_get(o, key);
	if (json_is_string(v))
		return json_string_value(v);
	char what[160];
	snprintf(what, sizeof what, "'%s' is %s (a string is required)", key,
		 v ? "not a string" : "missing");
	bad(file, where, what);
	return NULL;
}

static int status_of(const char *s)
{
	static const char *const names[] = {"pass", "fail", "n/a", "unknown"};
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static size_t item_index(struct fleet *f, const char *section, const char *item, const char *rule)
{
	for (size_t i = 0; i < f->nitems; i++)
		if (!strcmp(f->items[i].section, section) && !strcmp(f->items[i].item, item))
			return i;
	struct fleet_item *p = realloc(f->items, (f->nitems + 1) * sizeof *p);
	if (!p)
		return SIZE_MAX;
	f->items = p;
	p[f->nitems] = (struct fleet_item){dup(section), dup(item), dup(rule)};
	if (!p[f->nitems].section || !p[f->nitems].item || !p[f->nitems].rule)
		return SIZE_MAX;
	for (size_t i = 0; i < f->nrepos; i++) {
		int *st = realloc(f->repos[i].status, (f->nitems + 1) * sizeof *st);
		if (!st)
			return SIZE_MAX;
		st[f->nitems] = FLEET_ABSENT;
		f->repos[i].status = st;
	}
	return f->nitems++;
}

static size_t rule_index(struct fleet *f, const char *rule, const char *name)
{
	for (size_t i = 0; i < f->nrules; i++)
		if (!strcmp(f->rules[i].rule, rule))
			return i;
	struct fleet_rule *p = realloc(f->rules, (f->nrules + 1) * sizeof *p);
	if (!p)
		return SIZE_MAX;
	f->rules = p;
	p[f->nrules] = (struct fleet_rule){dup(rule), dup(name ? name : ""), 0, 0, SEV_INFO};
	if (!p[f->nrules].rule || !p[f->nrules].name)
		return SIZE_MAX;
	for (size_t i = 0; i < f->nrepos; i++) {
		size_t *n = realloc(f->repos[i].rule_findings, (f->nrules + 1) * sizeof *n);
		if (!n)
			return SIZE_MAX;
		n[f->nrules] = 0;
		f->repos[i].rule_findings = n;
	}
	return f->nrules++;
}

static int read_findings(struct fleet *f, struct fleet_repo *r, json_t *list, const char *file)
{
	size_t i;
	json_t *it;
	char where[64];
	json_array_foreach(list, i, it) {
		snprintf(where, sizeof where, "findings[%zu]", i);
		if (!json_is_object(it))
			return bad(file, where, "not an object");
		const char *rule = need_string(it, "rule", file, where);
		const char *sev = rule ? need_string(it, "severity", file, where) : NULL;
		if (!sev || !need_string(it, "path", file, where) ||
		    !need_string(it, "message", file, where))
			return -1;
		enum severity s;
		if (severity_parse(&s, sev) < 0) {
			char what[96];
			snprintf(what, sizeof what, "'%.40s' is not a severity", sev);
			snprintf(where, sizeof where, "findings[%zu].severity", i);
			return bad(file, where, what);
		}
		if (!json_is_integer(json_object_get(it, "line")))
			return bad(file, where, "'line' is not a number");
		size_t k = rule_index(f, rule, json_string_value(json_object_get(it, "name")));
		if (k == SIZE_MAX)
			return error_set("out of memory");
		r->rule_findings[k]++;
		r->by_severity[s]++;
		r->findings++;
		r->failing += s >= f->fail_on;
		json_t *key = json_object_get(it, "key");
		const char *id = json_string_value(json_object_get(key, "id"));
		if (!id || strlen(id) != 16)
			continue;
		const char *kind = json_string_value(json_object_get(key, "kind"));
		bool live = kind && !strcmp(kind, "live");
		struct fleet_key *known = NULL;
		for (size_t j = 0; j < r->nkeys && !known; j++)
			known = !strcmp(r->keys[j].id, id) ? &r->keys[j] : NULL;
		if (known) {
			r->live_keys += live && !known->live;
			known->live |= live;
			continue;
		}
		struct fleet_key *p = realloc(r->keys, (r->nkeys + 1) * sizeof *p);
		if (!p)
			return error_set("out of memory");
		r->keys = p;
		memcpy(p[r->nkeys].id, id, 17);
		p[r->nkeys++].live = live;
		r->live_keys += live;
	}
	return 0;
}

static int read_checklist(struct fleet *f, struct fleet_repo *r, json_t *list, const char *file)
{
	size_t i;
	json_t *it;
	char where[64];
	json_array_foreach(list, i, it) {
		snprintf(where, sizeof where, "checklist[%zu]", i);
		if (!json_is_object(it))
			return bad(file, where, "not an object");
		const char *section = need_string(it, "section", file, where);
		const char *item = section ? need_string(it, "item", file, where) : NULL;
		const char *st = item ? need_string(it, "status", file, where) : NULL;
		if (!st)
			return -1;
		json_t *rules = json_object_get(it, "rules");
		const char *rule = json_string_value(json_array_get(rules, 0));
		if (!rule)
			return bad(file, where, "'rules' is not a list of rule ids");
		int status = status_of(st);
		if (status < 0)
			return bad(file, where, "'status' is not pass, fail, n/a or unknown");
		size_t k = item_index(f, section, item, rule);
		if (k == SIZE_MAX)
			return error_set("out of memory");
		r->status[k] = status;
	}
	return 0;
}

int fleet_add(struct fleet *f, const char *file)
{
	json_error_t err;
	json_t *root = json_load_file(file, 0, &err);
	if (!root) {
		if (err.line < 0)
			return error_set("%s: cannot read: %s", file, err.text);
		return error_set("%s:%d:%d: not JSON: %s", file, err.line, err.column, err.text);
	}
	int rc = -1;
	const char *version = json_string_value(json_object_get(root, "schema_version"));
	json_t *tool = json_object_get(root, "tool"), *target = json_object_get(root, "target");
	json_t *findings = json_object_get(root, "findings");
	json_t *checklist = json_object_get(root, "checklist");
	if (!json_is_object(root))
		bad(file, NULL, "not an ocpay-audit JSON report (the top level is not an object)");
	else if (!version)
		bad(file, NULL, "no schema_version: not an ocpay-audit JSON report, or one older "
				"than 1.0 (write it with `ocpay-audit scan --format json`)");
	else if (strncmp(version, "1.", 2) != 0)
		error_set("%s: schema_version %.20s is not supported (merge reads 1.x)", file,
			  version);
	else if (!json_is_object(tool) ||
		 !json_is_string(json_object_get(tool, "name")) ||
		 strcmp(json_string_value(json_object_get(tool, "name")), "ocpay-audit"))
		bad(file, "tool.name", "is not ocpay-audit");
	else if (!json_is_object(target) || !need_string(target, "path", file, "target"))
		rc = json_is_object(target) ? -1 : bad(file, NULL, "'target' is missing");
	else if (!json_is_array(findings) || !json_is_array(checklist))
		bad(file, NULL, "'findings' and 'checklist' must be lists");
	else
		rc = 0;
	struct fleet_repo *r = NULL;
	if (!rc) {
		struct fleet_repo *p = realloc(f->repos, (f->nrepos + 1) * sizeof *p);
		rc = p ? 0 : error_set("out of memory");
		if (p) {
			f->repos = p;
			r = &p[f->nrepos++];
			*r = (struct fleet_repo){0};
		}
	}
	if (r) {
		const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
		size_t n = strlen(base);
		if (n > 5 && !strcmp(base + n - 5, ".json"))
			n -= 5;
		r->name = strndup(base, n);
		r->file = dup(file);
		r->path = dup(json_string_value(json_object_get(target, "path")));
		r->head = dup(json_string_value(json_object_get(target, "head")));
		const char *mode = json_string_value(json_object_get(target, "mode"));
		r->mode = dup(mode ? mode : "scan");
		r->integration = json_is_true(json_object_get(root, "ocpay_integration"));
		r->incomplete = json_array_size(json_object_get(root, "incomplete"));
		r->status = malloc((f->nitems + 1) * sizeof *r->status);
		r->rule_findings = calloc(f->nrules + 1, sizeof *r->rule_findings);
		if (!r->name || !r->file || !r->path || !r->mode || !r->status || !r->rule_findings)
			rc = error_set("out of memory");
		for (size_t i = 0; !rc && i < f->nitems; i++)
			r->status[i] = FLEET_ABSENT;
		if (!rc)
			rc = read_findings(f, r, findings, file);
		if (!rc)
			rc = read_checklist(f, r, checklist, file);
	}
	json_decref(root);
	return rc;
}

static int repo_cmp(const void *x, const void *y)
{
	const struct fleet_repo *a = x, *b = y;
	if (a->failing != b->failing)
		return a->failing > b->failing ? -1 : 1;
	for (int s = SEV_CRITICAL; s >= 0; s--)
		if (a->by_severity[s] != b->by_severity[s])
			return a->by_severity[s] > b->by_severity[s] ? -1 : 1;
	return strcmp(a->name, b->name);
}

void fleet_finish(struct fleet *f)
{
	/* rules: counted before the repositories are sorted, sorted by a permutation-free
	 * pass since each repository indexes rule_findings by rule position */
	for (size_t k = 0; k < f->nrules; k++)
		for (size_t i = 0; i < f->nrepos; i++) {
			f->rules[k].findings += f->repos[i].rule_findings[k];
			f->rules[k].repos += f->repos[i].rule_findings[k] > 0;
		}
	if (f->nrepos)
		qsort(f->repos, f->nrepos, sizeof *f->repos, repo_cmp);
	for (size_t i = 0; i < f->nrepos; i++) {
		const struct fleet_repo *r = &f->repos[i];
		for (int s = 0; s < SEV_COUNT; s++)
			f->by_severity[s] += r->by_severity[s];
		f->findings += r->findings;
		f->failing_repos += r->failing > 0;
		for (size_t k = 0; k < r->nkeys; k++) {
			size_t first = i, times = 0;
			for (size_t j = 0; j < f->nrepos; j++)
				for (size_t m = 0; m < f->repos[j].nkeys; m++)
					if (!strcmp(f->repos[j].keys[m].id, r->keys[k].id)) {
						first = j < first ? j : first;
						times++;
					}
			if (first == i) {
				f->keys++;
				f->live_keys += r->keys[k].live;
				f->shared_keys += times > 1;
			}
		}
	}
}

void fleet_free(struct fleet *f)
{
	for (size_t i = 0; i < f->nrepos; i++) {
		struct fleet_repo *r = &f->repos[i];
		free(r->name);
		free(r->file);
		free(r->path);
		free(r->head);
		free(r->mode);
		free(r->status);
		free(r->keys);
		free(r->rule_findings);
	}
	free(f->repos);
	for (size_t i = 0; i < f->nitems; i++) {
		free(f->items[i].section);
		free(f->items[i].item);
		free(f->items[i].rule);
	}
	free(f->items);
	for (size_t i = 0; i < f->nrules; i++) {
		free(f->rules[i].rule);
		free(f->rules[i].name);
	}
	free(f->rules);
	*f = (struct fleet){0};
}

const char *fleet_verdict(const struct fleet *f, const struct fleet_repo *r)
{
	if (r->failing)
		return "Not ready";
	if (r->incomplete)
		return "Incomplete scan";
	if (!r->integration && !r->findings)
		return "No OCPay integration";
	return "Ready";
}
