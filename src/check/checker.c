#include "check/checker.h"

#include <stddef.h>
#include <string.h>

#define CHECKER(name, run, finish)                                                        \
	int run(struct unit *u, const struct rule *r, const struct detector *d);          \
	int finish(struct scan *s, const struct rule *r);
#define UNIT_CHECKER(name, run)                                                           \
	int run(struct unit *u, const struct rule *r, const struct detector *d);
#define FLOW_CHECKER(name, run)                                                           \
	int run(struct flow_check *c, const struct rule *r, const struct detector *d);
#define FLOW_CHECKER_FINISH(name, run, finish)                                            \
	int run(struct flow_check *c, const struct rule *r, const struct detector *d);      \
	int finish(struct scan *s, const struct rule *r);
#include "check/checks.def"
#undef CHECKER
#undef UNIT_CHECKER
#undef FLOW_CHECKER
#undef FLOW_CHECKER_FINISH

static const struct checker checkers[] = {
#define CHECKER(name, run, finish) {#name, run, finish, NULL},
#define UNIT_CHECKER(name, run) {#name, run, NULL, NULL},
#define FLOW_CHECKER(name, run) {#name, NULL, NULL, run},
#define FLOW_CHECKER_FINISH(name, run, finish) {#name, NULL, finish, run},
#include "check/checks.def"
#undef CHECKER
#undef UNIT_CHECKER
#undef FLOW_CHECKER
#undef FLOW_CHECKER_FINISH
};

const struct checker *checker_find(const char *name)
{
	for (size_t i = 0; i < sizeof checkers / sizeof checkers[0]; i++)
		if (strcmp(checkers[i].name, name) == 0)
			return &checkers[i];
	return NULL;
}
