/* Logic written in C for what a regex or a query cannot say. Each checker is one file,
 * registered once in checks.def; a flow checker reads the project index of flow/flow.h. A checker reads a unit and adds hits; it never prints
 * or exits. finish() runs once after every unit, for repository-level findings; NULL for
 * a checker that has none (UNIT_CHECKER). */
#ifndef OCPAY_CHECKER_H
#define OCPAY_CHECKER_H

struct unit;
struct scan;
struct rule;
struct detector;
struct flow_check;

struct checker {
	const char *name;
	int (*run)(struct unit *u, const struct rule *r, const struct detector *d);
	int (*finish)(struct scan *s, const struct rule *r);
	/* A flow checker (FLOW_CHECKER in checks.def) runs after every file is read, over
	 * the project index (check/flow_stage.h), once per file it applies to. */
	int (*flow)(struct flow_check *c, const struct rule *r, const struct detector *d);
};

const struct checker *checker_find(const char *name);

#endif
