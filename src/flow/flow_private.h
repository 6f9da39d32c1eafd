/* The flow engine's insides, shared by its modules (index.c, modules.c, calls.c,
 * events.c, values.c, guards.c, summary.c) and by nothing else. */
#ifndef OCPAY_FLOW_PRIVATE_H
#define OCPAY_FLOW_PRIVATE_H

#include "flow/flow.h"

/* How a name gets its value in a function. */
enum def_how {
	DEF_ASSIGN,  /* x = v, const x = v: value is v */
	DEF_PATTERN, /* const {key} = v, [x] = v: value is v, key the member read ("" for a
		      * position, "a.b" for nested patterns) */
	DEF_ELEMENT, /* for (x of v), foreach ($v as $x): an element of v */
	DEF_PARAM,   /* the function's parameter number param */
	DEF_CATCH,   /* catch (x) */
	DEF_FUNC,    /* function x() {}: value is the IR_FUNC node */
	DEF_CLASS,   /* class X {}: value is the IR_CLASS node */
	DEF_IMPORT,  /* an import's binding: param is the import's index */
	DEF_MODULE   /* a whole module (import * as m, Python's import m): module is its file */
};

struct def {
	const char *name;
	const struct ir_node *value;
	const char *key;
	const struct ir_node *at; /* the node that defines (assignment, declaration ...) */
	int32_t module;		  /* DEF_MODULE: the file */
	int32_t func;		  /* the function whose scope holds it */
	int16_t param;
	uint8_t how; /* enum def_how */
};

/* The names a function defines, sorted by name (then position) for bsearch. */
struct scope {
	struct def *defs;
	uint32_t ndefs;
};

struct flow_file {
	struct ir_file *ir;
	struct flow_file_info info;
	struct scope *scopes;	    /* per function */
	int32_t *import_file;	    /* per import: the file it resolves to, or -1 */
	struct flow_fn *callee;	    /* per node id (calls only): the function run */
	struct flow_event **events; /* per function: its events in source order */
	uint32_t *nevents;
	const struct flow_event **event_of; /* per node id: its (first) event, or NULL */
	struct flow_summary *summaries;	    /* per function */
	struct flow_site **callers;	    /* per function */
	uint32_t *ncallers;
	bool *callback; /* per function: handed to a call as a value (a route handler,
			 * a scheduled job): the framework calls it */
	const struct flow_event ***runs; /* per function: what runs it (flow_runs) */
	uint32_t *nruns;
	struct flow_site **handed; /* per function: the calls it is handed to */
	uint32_t *nhanded;
	int32_t *first_child;  /* per function: its first closure, or -1 */
	int32_t *next_sibling; /* per function: the next closure of its parent, or -1 */
};

/* A class of the project by its qualified name (PHP: namespace\Name; others: file path
 * and name), for type and static-call resolution. */
struct class_ref {
	const char *qname;
	const char *name;
	int32_t file, cls;
};

struct route;

struct flow {
	const struct model_set *models;
	const struct resolver *js;
	char *root;
	struct flow_file *files;
	size_t nfiles, cap;
	uint32_t *fn_base; /* per file: the number of its first function among all functions */
	uint32_t nfns;
	int32_t *by_path;	   /* file indices sorted by path */
	struct class_ref *classes; /* sorted by name */
	size_t nclasses;
	struct route *routes; /* the project's own routes (routes.c) */
	size_t nroutes;
	struct save_field *save_fields; /* fields the models' save hooks set (save_hooks.c) */
	size_t nsave_fields;
	const struct ir_node **api_strings; /* the literals understood API calls' URLs are made
					     * of (unexplained.c) */
	size_t napi_strings, api_strings_cap;
	bool built;
};

/* A thread's scratch space: labels already computed, per file and node. */
#define LBL_DONE (1u << 14)
#define LBL_BUSY (1u << 13)

struct flow_query {
	const struct flow *f;
	uint32_t **labels; /* per file: per node id, labels | LBL_DONE, or LBL_BUSY */
	size_t nfiles;
	int depth; /* of the current recursion, for the bound */
};

/* index.c */
struct flow_file *flow_file_at(const struct flow *f, int32_t file);
/* The definitions of name visible in function func of file (its own, then the enclosing
 * functions'); n gets how many, pointing into the scope's table. */
const struct def *scope_lookup(const struct flow *f, int32_t file, int32_t func, const char *name,
			       uint32_t *n);
/* The value a parameter def stands for: the function's ir_param. */
const struct ir_param *def_param(const struct flow *f, int32_t file, const struct def *d);
int scopes_build(struct flow *f, int32_t file);
/* save_hooks.c: a field a save hook sets (inst.field = rhs; inst NULL: this) */
struct save_field {
	const char *field;
	int32_t file;
	const struct ir_node *rhs;
	const char *inst;
};
int save_hooks_build(struct flow *f);
/* The labels of record.field when a save hook computes field: those of the fields of
 * the record's data (new X(data), X.create(data)) it reads. False when none applies. */
bool save_hook_labels(struct flow_query *q, int32_t file, const struct ir_node *member,
		      uint32_t *labels);
/* auto_import.c: binds the names files use from auto-imported folders (after the scopes) */
int auto_imports_bind(struct flow *f);

/* modules.c: the file an import resolves to, and the exports of a module */
int modules_resolve(struct flow *f);
/* What a module exports under name: a def of its top-level scope (function, class,
 * value, a module), following re-exports; *out_file is the file it is in. */
bool module_export(const struct flow *f, int32_t file, const char *name, struct def *out,
		   int32_t *out_file, int depth);
/* What an import binding names: the module itself or one of its exports. */
bool import_binding(const struct flow *f, int32_t file, int import, struct def *out,
		    int32_t *out_file, int depth);
/* The file a module specifier names from file, or -1 (used for re-exports too). */
int32_t module_file(const struct flow *f, int32_t file, uint8_t kind, const char *spec);
/* A class by the name used in a file (imports, namespace, then unique name). */
bool class_resolve(const struct flow *f, int32_t file, const char *name, int32_t *out_file,
		   int32_t *out_cls);
/* A class's method by name, searching its parents. */
struct flow_fn class_method(const struct flow *f, int32_t file, int32_t cls, const char *name);
int classes_index(struct flow *f);

/* calls.c */
int calls_resolve(struct flow *f);
/* The class of the value expr holds in file (new X(), a typed parameter or property,
 * this). */
bool value_class(const struct flow *f, int32_t file, const struct ir_node *expr, int32_t *out_file,
		 int32_t *out_cls, int depth);
/* The function expr names (a function value: a name, a member, an inline function). */
struct flow_fn value_function(const struct flow *f, int32_t file, const struct ir_node *expr,
			      int depth);

/* events.c and summary.c: both run per function, callees first */
int events_classify(struct flow *f, struct flow_query *q, struct flow_fn fn);
void summary_compute(struct flow *f, struct flow_query *q, struct flow_fn fn);
int summaries_build(struct flow *f);

/* period.c: what a timer's, a schedule's or a wait's row says of its period, in ms; -1
 * when it cannot be read */
double model_duration(struct flow_query *q, int32_t file, const struct ir_node *node,
		      const struct model_row *r);
/* The argument holding a wait's length and the ms per unit it is written in, or NULL. */
const struct ir_node *model_duration_arg(const struct ir_node *node, const struct model_row *r,
					 double *unit_ms);

/* targets.c: the project function a timer, schedule, hook or route row runs */
struct flow_fn flow_target_of(struct flow *f, struct flow_query *q, struct flow_fn at,
			      const struct ir_node *node, const struct model_row *r);

/* routes.c */
int routes_build(struct flow *f);
void routes_free(struct flow *f);
/* The handler of the project's route a URL reaches ("/api/orders/{?}/status"), or none. */
struct flow_fn routes_find(const struct flow *f, const char *url);
/* Fills flow_runs once the events are known. */
int runs_build(struct flow *f);

/* values.c */
/* The def that gives name its value where `at` reads it: the last one before `at` in
 * source order, else any. */
const struct def *def_reaching(const struct flow *f, int32_t file, const struct ir_node *name,
			       const struct ir_node *at);

/* The value of obj's member key (an object literal's, a class's property), or NULL. */
/* The string literals expr's text is made of (at most max), in the order read. */
size_t flow_string_pieces(struct flow_query *q, int32_t file, const struct ir_node *expr,
			  const struct ir_node **out, size_t max);
/* The literals of an understood createLink or checkPayment URL are explained mentions of
 * its endpoint; returns -1 when out of memory. */
int flow_note_api_url(struct flow *f, struct flow_query *q, int32_t file,
		      const struct ir_node *url);

const struct ir_node *flow_member_at(struct flow_query *q, int32_t file, const struct ir_node *obj,
				     const char *key, int32_t *out_file, int depth);
/* The constant a class gives a name: A::URL, self::URL, this.baseUrl's initial value
 * (scalars.c). */
const struct ir_node *flow_class_constant(struct flow_query *q, int32_t file,
					  const struct ir_node *e, int32_t *out_file);
/* The single value a project function returns (its last return), or NULL. */
const struct ir_node *flow_returned(const struct flow *f, struct flow_fn fn);
/* A call the models name an answer to the client, unless its receiver is a local. */
const struct model_row *model_response(const struct flow *f, int32_t file, const struct path *p);
/* Whether v holds what an HTTP request or an OCPay call answered (r in
 * `const r = await fetch(url)`), so that r.json() is not taken for an answer to the client. */
bool value_is_answer(struct flow_query *q, int32_t file, const struct ir_node *v);

/* Paths of expressions, matched with the models for the file's language. */
const struct model_row *model_for(const struct flow *f, int32_t file, enum model_kind kind,
				  const struct ir_node *n);

/* The argument a model row's attribute names ("0", "1.headers", "json", "this"). */
const struct ir_node *model_arg(const struct ir_node *call, const char *spec);
/* The validator row a call is, or NULL; rows naming the schema of a handler the call is
 * given (schema:) are not validators of the call's own value. */
const struct model_row *model_validator(const struct flow *f, int32_t file,
					const struct ir_node *call);

/* schema.c: the rules of schemas and classes, for bounds.c */
void bounds_set_min(struct flow_bounds *o, double v);
void bounds_set_max(struct flow_bounds *o, double v);
/* The first bound row a call matches (a row's `when` must hold), or NULL. */
const struct model_row *bound_row(const struct flow *f, int32_t file, const struct ir_node *call);
/* The bound_text row of a word (a rule's name, a type, a cast), or NULL. */
const struct model_row *bound_text_row(const struct flow *f, int32_t file, const char *word);
/* What a bound row says of the value a call gives or checks: integer, its min and max
 * arguments. */
void bound_apply(struct flow_query *q, int32_t file, const struct ir_node *call,
		 const struct model_row *r, struct flow_bounds *out);
/* Whether a bound row says it is `what` (integer, truncate, round, clamp). */
bool bound_is(const struct model_row *r, const char *what);
/* Adds to out what class cls gives field: its decorators, type and value, or a method
 * returning rules keyed by field names (a FormRequest's rules()). False when none. */
bool schema_class(struct flow_query *q, int32_t file, int32_t cls, const char *field,
		  struct flow_bounds *out);
/* Adds to out what one rule says: 'integer|min:500', [...], z.number().int(), Query(ge=500). */
void schema_rule(struct flow_query *q, int32_t file, const struct ir_node *rule,
		 struct flow_bounds *out);
/* Adds to out what a schema gives field: rules keyed by field names (nested too:
 * {body: {properties: {amount: ...}}}), or a schema built by calls (z.object({...})). */
void schema_rules(struct flow_query *q, int32_t file, const struct ir_node *schema,
		  const char *field, struct flow_bounds *out);
/* Adds to out what the schema of a validator call gives field: rules keyed by field in its
 * receiver or an argument, a schema built by calls (z.object({...})), or a class. */
void schema_validator(struct flow_query *q, int32_t file, const struct ir_node *call,
		      const char *field, struct flow_bounds *out);

#endif
