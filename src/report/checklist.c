#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "report/report.h"

const char *const checklist_sections[] = {"Security", "Functionality", "Testing", "Monitoring",
					  NULL};

static const char *const status_names[] = {"pass", "fail", "n/a", "unknown"};

const char *item_status_name(enum item_status s)
{
	return status_names[s];
}

static int section_rank(const char *name)
{
	for (int i = 0; checklist_sections[i]; i++)
		if (!strcmp(checklist_sections[i], name))
			return i;
	return 99; /* sections from extra rules come last */
}

static int entry_cmp(const void *x, const void *y)
{
	const struct checklist_entry *a = x, *b = y;
	int c = section_rank(a->item->section) - section_rank(b->item->section);
	if (c)
		return c;
	if ((c = strcmp(a->item->section, b->item->section)))
		return c;
	if ((c = strcmp(a->rule->id, b->rule->id)))
		return c;
	return (int)a->item->scope - (int)b->item->scope;
}

/* Findings above info fail an item; then, in order: what the run did not cover, what a checker could
 * not decide, no integration, none of the code the rule judges, and what a
 * repository-level check found failing without a finding. A checker's detail (what it
 * saw) goes with a pass or a fail. */
static void decide(const struct report *rep, struct checklist_entry *e)
{
	const struct scan_result *s = rep->result;
	bool history = e->item->scope == SCOPE_HISTORY;
	/* an info finding is advice (OC007's 403 not told apart): it fails no item */
	for (size_t i = 0; i < s->findings.len; i++) {
		const struct finding *f = &s->findings.items[i];
		if (f->rule == e->rule && (finding_scopes(f) & e->item->scope) &&
		    f->severity > SEV_INFO)
			e->findings++;
	}
	const struct result_rule *notes = result_rule_of(s, e->rule);
	const char *why = notes->unknown;
	const char *limit = notes->limit[history];
	const char *failing = notes->fail;
	const char *detail = history ? NULL : notes->detail;
	if (!(rep->scopes & e->item->scope)) {
		e->status = ITEM_UNKNOWN;
		e->reason = history ? "history not scanned: run `ocpay-audit scan --history`"
				    : "working tree not scanned in this mode";
	} else if (e->findings) {
		e->status = ITEM_FAIL;
		e->reason = detail;
	} else if (history && s->history_unknown) {
		e->status = ITEM_UNKNOWN;
		e->reason = s->history_unknown;
	} else if (why) {
		e->status = ITEM_UNKNOWN;
		e->reason = why;
	} else if (limit) {
		/* a limit hid part of what the rule reads: it cannot pass, nor be n/a */
		size_t more = notes->nlimits[history] - 1;
		struct buf b = BUF_INIT;
		buf_printf(&b, "a scan limit was reached: %s", limit);
		if (more)
			buf_printf(&b, " (and %zu more, listed as incomplete)", more);
		e->status = ITEM_UNKNOWN;
		e->reason = e->owned = buf_detach(&b);
		if (!e->reason)
			e->reason = "a scan limit was reached";
	} else if (!s->ocpay_seen) {
		e->status = ITEM_NA;
		e->reason = "no OCPay integration found";
	} else if (!notes->applies) {
		e->status = ITEM_NA;
		e->reason = e->rule->not_applicable;
	} else if (failing && !history) {
		e->status = ITEM_FAIL;
		e->reason = failing;
	} else {
		e->status = ITEM_PASS;
		e->reason = detail ? detail : history ? NULL : e->rule->pass_reason;
	}
}

int report_build(struct report *rep)
{
	const struct scan_result *s = rep->result;
	const struct ruleset *rs = s->rules;
	size_t n = 0;
	for (size_t i = 0; i < rs->len; i++)
		n += rs->rules[i].nitems;
	rep->checklist = calloc(n ? n : 1, sizeof *rep->checklist);
	if (!rep->checklist)
		return error_set("out of memory");
	for (size_t i = 0; i < rs->len; i++)
		for (size_t j = 0; j < rs->rules[i].nitems; j++) {
			struct checklist_entry *e = &rep->checklist[rep->nchecklist++];
			e->rule = &rs->rules[i];
			e->item = &rs->rules[i].items[j];
			decide(rep, e);
		}
	qsort(rep->checklist, rep->nchecklist, sizeof *rep->checklist, entry_cmp);
	for (size_t i = 0; i < s->findings.len; i++) {
		enum severity sev = s->findings.items[i].severity;
		rep->by_severity[sev]++;
		rep->failing += sev >= rep->fail_on;
	}
	return 0;
}

void report_put_counts(const struct report *rep, FILE *out)
{
	size_t n = rep->result->findings.len;
	fprintf(out, "%zu finding%s", n, n == 1 ? "" : "s");
	if (!n)
		return;
	const char *sep = " (";
	for (int sev = SEV_CRITICAL; sev >= 0; sev--)
		if (rep->by_severity[sev]) {
			fprintf(out, "%s%zu %s", sep, rep->by_severity[sev],
				severity_name((enum severity)sev));
			sep = ", ";
		}
	fputc(')', out);
}

void report_verdict(const struct report *rep, char *buf, size_t size)
{
	const struct scan_result *s = rep->result;
	size_t unknown = 0;
	for (size_t i = 0; i < rep->nchecklist; i++)
		unknown += rep->checklist[i].status == ITEM_UNKNOWN;
	size_t n = s->findings.len;
	if (!s->ocpay_seen && !n && s->nincomplete)
		snprintf(buf, size, "No OCPay integration found in what could be read, but the scan "
				    "is incomplete: what it could not read is listed below.");
	else if (!s->ocpay_seen && !n)
		snprintf(buf, size, "No OCPay integration found: no file mentions OCPay, the "
				    "OneClick DZ API (oneclickdz, ONECLICK_API_*) or X-Access-Token, "
				    "so there is nothing to audit.");
	else if (rep->failing)
		snprintf(buf, size,
			 "Not ready for production: %zu finding%s of %s severity or above must be "
			 "fixed first.",
			 rep->failing, rep->failing == 1 ? "" : "s", severity_name(rep->fail_on));
	else if (n)
		snprintf(buf, size,
			 "No blocking issue: %zu finding%s below %s severity to review.", n,
			 n == 1 ? "" : "s", severity_name(rep->fail_on));
	else
		snprintf(buf, size, "No issue found.");
	if (unknown) {
		size_t len = strlen(buf);
		snprintf(buf + len, size - len,
			 " %zu checklist item%s could not be decided (see why below).", unknown,
			 unknown == 1 ? "" : "s");
	}
}

void report_free(struct report *rep)
{
	for (size_t i = 0; i < rep->nchecklist; i++)
		free(rep->checklist[i].owned);
	free(rep->checklist);
	rep->checklist = NULL;
	rep->nchecklist = 0;
}
