/* Cross-file flow for PHP and Python: which function of another file of the scanned tree
 * a call runs. PHP: `use` imports and the namespace with the composer.json PSR-4 map
 * (App\ is app/ by default) or a class file named after the class, for static calls
 * (PaymentService::attachRef), calls on a property whose type the constructor gives
 * ($this->payments->verify, promoted or assigned), on a typed parameter or a local made
 * with new/app(X::class); plain functions of files the file includes or requires.
 * Python: `from x.y import f`, `from . import mod`, `import x.y as z`, relative imports,
 * a class imported and called on (Service.verify, Service().verify, a parameter typed
 * with it, a FastAPI Depends), an instance made at module level in the module imported.
 * Files are read from the scanned folder only (files of the scan's list, no links),
 * parsed with the thread's parsers and freed after the visit: nothing is shared between
 * threads. At most two files are crossed, and a unit parses a bounded number of files. */
#ifndef OCPAY_SCRIPTLINK_H
#define OCPAY_SCRIPTLINK_H

#include <stdbool.h>

#include "check/scan.h"
#include "check/scriptflow.h"

#define SLINK_DEPTH 2

struct slink_budget {
	int parses; /* files parsed so far for the unit */
};

/* The file a call is resolved from. */
struct slink {
	struct scan *scan;
	struct parser_set *parsers;
	const char *path; /* relative to the scan's root */
	const struct syntax *syn;
	bool php;
	int depth; /* files crossed to reach this one */
	struct slink_budget *budget;
};

void slink_init(struct slink *l, struct unit *u, struct slink_budget *budget);

/* A definition found in another file: its link (to go one file further), a flow over
 * that file (its same-file checkers learnt) and the function or method node. */
struct slink_target {
	struct slink link;
	struct sflow *f;
	struct ast_node def;
};

typedef bool (*slink_visit)(void *ctx, struct slink_target *t);

/* Resolves call (of l's file, read through f) to its definition in another project
 * file and returns what fn says of it; *resolved tells whether a definition was found
 * (false: the call is not project code, or cannot be followed). */
bool slink_call(const struct slink *l, const struct sflow *f, struct ast_node call, slink_visit fn,
		void *ctx, bool *resolved);

/* Calls fn for each call in another PHP or Python file of the scan that resolves to def,
 * a function or method of l's file (t->def is then the call, t->f its file's flow).
 * Returns how many were found, or -1 when the search was cut short (too many files to
 * read or parse): the caller then knows nothing of the callers. */
typedef void (*slink_call_visit)(void *ctx, struct slink_target *t);
int slink_callers(const struct slink *l, struct ast_node def, slink_call_visit fn, void *ctx);

#endif
