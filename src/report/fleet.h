/* Many repositories side by side: the JSON reports of many scans (`scan --format json`),
 * read back, checked against the report's schema, and combined for `ocpay-audit merge`.
 * fleet_free() frees everything a fleet holds. */
#ifndef OCPAY_REPORT_FLEET_H
#define OCPAY_REPORT_FLEET_H

#include <stdbool.h>
#include <stdio.h>

#include "core/finding.h"
#include "report/report.h"

/* One checklist item: a column of the matrix. */
struct fleet_item {
	char *section;
	char *item;
	char *rule;
};

enum { FLEET_ABSENT = -1 }; /* a status: the report has no such item */

struct fleet_repo {
	char *name;	 /* the report's file name without .json */
	char *file;	 /* as given on the command line */
	char *path;	 /* target.path of the scan */
	char *head;	 /* the commit scanned, or NULL */
	char *mode;
	bool integration; /* ocpay_integration */
	size_t incomplete; /* problems reading the repository */
	size_t findings, failing;
	size_t by_severity[SEV_COUNT];
	int *status;	 /* per fleet item: enum item_status or FLEET_ABSENT */
	struct fleet_key {
		char id[17];
		bool live;
	} *keys;		 /* distinct keys, by the id the JSON report gives */
	size_t nkeys, live_keys;
	size_t *rule_findings; /* per fleet rule */
};

struct fleet_rule {
	char *rule;
	char *name;
	size_t findings, repos;
	enum severity worst;
};

struct fleet {
	struct fleet_repo *repos;
	size_t nrepos;
	struct fleet_item *items;
	size_t nitems;
	struct fleet_rule *rules;
	size_t nrules;
	enum severity fail_on;
	const char *pages; /* link prefix of each repository's page, or NULL */
	size_t by_severity[SEV_COUNT];
	size_t findings, failing_repos;
	size_t keys, live_keys, shared_keys; /* distinct over the fleet; in 2+ repositories */
};

/* Reads one report into the fleet. 0, or -1 with the error set naming file and cause
 * ("a.json: findings[3].severity: 'urgent' is not a severity"). */
int fleet_add(struct fleet *f, const char *file);
/* Sorts the repositories (least ready first) and rules (most frequent first) and sums
 * the totals, once every report is added. */
void fleet_finish(struct fleet *f);
void fleet_free(struct fleet *f);
/* "Not ready", "Ready", "No OCPay integration" or "Incomplete scan": the repository's
 * verdict at f->fail_on. */
const char *fleet_verdict(const struct fleet *f, const struct fleet_repo *r);
/* The rules' indices, most findings first; the caller frees it. NULL: out of memory. */
size_t *fleet_rule_order(const struct fleet *f);
/* "pass", "fail", "n/a", "unknown", or "-" for an item the report does not have. */
const char *fleet_status_name(int status);
int fleet_write_json(const struct fleet *f, FILE *out);
int fleet_write_markdown(const struct fleet *f, FILE *out);
int fleet_write_html(const struct fleet *f, FILE *out);

#endif
