/* OC008 aggressive-polling in PHP and Python, shared by its three files: oc008_script.c
 * judges each checkPayment/check_payment (loops, waits, jobs that re-queue themselves),
 * oc008_schedule.c reads the schedules that run a function or a class, oc008_value.c
 * evaluates the numbers they are written with. Nothing is allocated: a poll lives on the
 * stack of oc008_script_unit and borrows the unit's syntax. */
#ifndef OCPAY_OC008_SCRIPT_H
#define OCPAY_OC008_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/scan.h"
#include "check/scriptflow.h"

enum { EV_SCHEDULE = 1, EV_CHECK = 2 }; /* evidence kinds, matched by oc008_script_finish */

/* One file being judged. */
struct poll {
	struct unit *u;
	const struct rule *r;
	struct sflow f;
	double min_ms;
	uint32_t loops[32]; /* loops already reported */
	size_t nloops;
	int rc;
};

/* A same-file definition of a name: an assignment, a constant, a property or a
 * parameter default (walk with oc008_visit_definition). */
struct definition {
	const struct sflow *f;
	const char *name; /* `$delay`, `POLL_SECONDS`, `interval` */
	size_t len;
	struct ast_node value;
};

/* The fastest schedule found for the function fname. */
struct schedule {
	struct poll *p;
	const char *fname;
	const char *how;
	bool found;
	double ms;
	char hook[64]; /* the WordPress hook that runs fname */
};

bool oc008_text_has(const struct sflow *f, struct ast_node n, const char *needle);
/* Whether call is a call of that name (receiver and namespace left out). */
bool oc008_callee_is(const struct sflow *f, struct ast_node call, const char *name);
/* A keyword or named argument (seconds=5, frequency: 5), or null. */
struct ast_node oc008_kwarg(const struct sflow *f, struct ast_node call, const char *name);
bool oc008_visit_definition(void *ctx, struct ast_node n);
/* Evaluates a number: a literal, arithmetic, a same-file constant, property or local, a
 * parameter default, the default of an env/config read, WordPress's time constants. */
bool oc008_number(struct poll *p, struct ast_node n, double *v, int depth);

/* The Laravel frequency chained after a schedule entry (->everyFiveSeconds()), in ms. */
bool oc008_chain_frequency(const struct sflow *f, struct ast_node call, double *ms);
/* Whether an argument names the function: poll, self.poll, poll.s(), 'tasks.poll',
 * [$this, 'poll']. */
bool oc008_names_fn(const struct sflow *f, struct ast_node a, const char *fname);
/* The fastest same-file schedule that runs fn (s->fname its name, may be empty). */
void oc008_schedules_of(struct schedule *s, struct ast_node fn);
/* Records a schedule that runs a class or task of another file (evidence EV_SCHEDULE). */
int oc008_note_schedules(struct poll *p, struct ast_node n);

#endif
