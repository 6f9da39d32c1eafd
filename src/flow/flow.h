/* The flow engine: the project index every flow rule queries, the same for every language.
 *
 * Built once per scan, after the files that take part in the OCPay integration are lowered
 * (flow/ir.h): module resolution (JavaScript imports, PHP namespaces and includes, Python
 * imports), the call graph across files, the events of every function classified by the
 * models (flow/model.h) — OCPay API calls through an SDK, an HTTP client or a merchant's
 * wrapper, persistent writes, fulfilments, logs, timers — and per-function summaries
 * computed bottom-up (what a function returns, which parameters it writes, whether it
 * verifies a payment or fulfils one).
 *
 * After flow_build() the index is read-only and shared by every thread; a flow_query is
 * one thread's scratch space for the questions the checkers ask (labels of a value, the
 * string it holds, the conditions guarding a statement). */
#ifndef OCPAY_FLOW_FLOW_H
#define OCPAY_FLOW_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow/ir.h"
#include "flow/model.h"

struct flow;
struct flow_query;
struct resolver;

/* A function of the project: a file of the index and a function of its ir_file. */
struct flow_fn {
	int32_t file; /* -1: none */
	int32_t func;
};

#define FLOW_FN_NONE ((struct flow_fn){-1, -1})

static inline bool flow_fn_ok(struct flow_fn f)
{
	return f.file >= 0 && f.func >= 0;
}

/* ---- building ---- */

struct flow_file_info {
	int runtime; /* enum runtime (lang/classify.h) */
	bool test;   /* a test file (path_is_test) */
};

struct flow *flow_new(const struct model_set *models, const struct resolver *js_modules,
		      const char *root);
void flow_free(struct flow *f);
/* Adds a lowered file (the index takes ownership of ir). Not thread-safe: add from one
 * thread, or in file order under a lock. Returns the file's index or -1. */
int32_t flow_add_file(struct flow *f, struct ir_file *ir, const struct flow_file_info *info);
/* Resolves modules, builds the call graph, classifies events and computes the summaries.
 * Returns 0 or -1 (out of memory). */
int flow_build(struct flow *f);

/* ---- files and functions ---- */

size_t flow_nfiles(const struct flow *f);
const struct ir_file *flow_ir(const struct flow *f, int32_t file);
const struct flow_file_info *flow_info(const struct flow *f, int32_t file);
/* The index of the file at path, or -1. */
int32_t flow_find_file(const struct flow *f, const char *path);
const struct ir_func *flow_func(const struct flow *f, struct flow_fn fn);
/* The function whose body holds n (nested functions are their own). */
struct flow_fn flow_fn_of(const struct flow *f, int32_t file, const struct ir_node *n);
/* Walks fn's body (and, with closures, the bodies of the functions defined in it, methods
 * aside) in pre-order; visit returns false to skip a node's children. */
void flow_walk(const struct flow *f, struct flow_fn fn, bool closures, ir_visit_fn visit,
	       void *ctx);
/* "OrderService.markPaid", "handler", "<module>" — for messages. */
void flow_fn_name(const struct flow *f, struct flow_fn fn, char *buf, size_t size);

/* The row of a model kind matching n's path (flow/path.h) in file's language, or NULL. */
const struct model_row *flow_model(const struct flow *f, int32_t file, enum model_kind kind,
				   const struct ir_node *n);

/* ---- events ---- */

enum flow_event_kind {
	EV_CREATE_LINK,	   /* createLink: SDK, HTTP request to the endpoint, or a wrapper */
	EV_CHECK_PAYMENT,  /* checkPayment, the same ways */
	EV_WRITE,	   /* a persistent write (model "write"), or an assignment to a field of
			    * a stored object followed by a save */
	EV_FULFIL,	   /* a fulfilment call, or a paid status written to an order */
	EV_FAIL_MARK,	   /* a failed/cancelled status written to an order */
	EV_LOG,		   /* a log statement */
	EV_RESPONSE,	   /* an answer to the client */
	EV_TIMER,	   /* a timer or a schedule that runs a function; its via is the
			    * function run, when the project has it */
	EV_SLEEP,	   /* a wait */
	EV_EXIT,	   /* a call that never returns */
	EV_HTTP,	   /* any other HTTP request; its via is the project's own route
			    * handler it reaches, if any */
	EV_CALL,	   /* a call to a function of the project */
	EV_KIND_COUNT
};

struct flow_event {
	enum flow_event_kind kind;
	const struct ir_node *node;  /* the call, assignment or decorator */
	struct flow_fn fn;	     /* the function it runs in */
	const struct ir_node *arg;   /* createLink: the request (productInfo holder);
				      * checkPayment: the ref; timer: the function run;
				      * fulfil/fail mark: the status value written; http: the URL */
	const struct model_row *row; /* the model row that classified it, or NULL */
	struct flow_fn via;	     /* the project function called (a wrapper for API calls) */
	double ms;		     /* timer, sleep: the period or wait in ms; -1 unknown */
	bool sdk;		     /* API call: through an SDK (else HTTP) */
	bool throws;		     /* API or HTTP call: an error answer (a 403, a 5xx) raises
				      * rather than being answered (the rows' throws and raises;
				      * a wrapper's call: the request it makes) */
};

/* The ephemeral model row a store matches (its note says where: "the session", "a
 * cookie", "memory"): a call's path or its receiver's value (a Map, a dict), or, with
 * assign, an assignment's target (req.session.ref = ...). NULL when it lasts. */
const struct model_row *flow_ephemeral(const struct flow *f, struct flow_query *q, int32_t file,
				       const struct ir_node *n, bool assign);
/* The events of a function in source order. */
const struct flow_event *flow_events(const struct flow *f, struct flow_fn fn, size_t *n);
/* Whether an event at a call of a project function is made inside that function, which
 * holds the same event itself (createPaymentLink() wrapping createLink), rather than at
 * the call: a wrapper handed the endpoint (apiRequest({ endpoint: "/ocpay/createLink" }))
 * makes only a request to whatever it is given. */
bool flow_event_wrapped(const struct flow *f, const struct flow_event *e);
/* The event a node is, or NULL. */
const struct flow_event *flow_event_at(const struct flow *f, int32_t file,
				       const struct ir_node *n);

/* What runs fn other than a call: the timers and schedules whose via is fn, and the HTTP
 * requests of the project that reach it as a route handler. */
const struct flow_event *const *flow_runs(const struct flow *f, struct flow_fn fn, size_t *n);

/* ---- routes ---- */

/* The route a handler serves, as written ("GET /api/orders/:id"), or false. */
bool flow_route_of(const struct flow *f, struct flow_fn handler, char *buf, size_t size);

/* The fixed starts of the routes a file defines ("/api/orders" of "/api/orders/:id"),
 * by the models alone: what a file requesting them must mention. Returns how many. */
/* The folders whose files' exports the file at path uses without importing them (the
 * auto_import models): "shop/server/utils/" for shop/server/api/pay.post.ts. Writes at
 * most max, returns how many. */
#define FLOW_AUTO_DIR 256
size_t flow_auto_import_dirs(const struct model_set *m, enum lang lang, const char *path,
			     char (*out)[FLOW_AUTO_DIR], size_t max);
#define FLOW_ROUTE_TEXT 96
size_t flow_route_texts(const struct model_set *m, const struct ir_file *ir,
			char (*out)[FLOW_ROUTE_TEXT], size_t max);

/* ---- periods ---- */

/* The shortest gap between two firings of a cron expression, in ms (five fields from
 * minutes, six or seven from seconds; a fixed second, minute and hour: daily). */
bool flow_cron_period(const char *expr, double *ms);
/* A period written as text: "5 seconds", "1m", "PT5S", a cron expression, or a bare
 * number of unit_ms. */
bool flow_period_text(const char *text, double unit_ms, double *ms);
/* The length of time expr evaluates to: a number of unit_ms (constants, env defaults),
 * text, a duration call of the models (timedelta(minutes=20), now()->addSeconds(5)). */
bool flow_duration(struct flow_query *q, int32_t file, const struct ir_node *expr,
		   double unit_ms, double *ms);

/* ---- calls ---- */

struct flow_site {
	int32_t file;
	const struct ir_node *call;
};

/* The project function a call runs, or FLOW_FN_NONE. */
struct flow_fn flow_callee(const struct flow *f, int32_t file, const struct ir_node *call);
/* The calls of fn from anywhere in the project. */
const struct flow_site *flow_callers(const struct flow *f, struct flow_fn fn, size_t *n);
/* The calls fn is handed to as an argument, inline or by name (router.post("/pay",
 * handler), setInterval(job)), from anywhere in the project: the code that runs it. */
const struct flow_site *flow_handed_to(const struct flow *f, struct flow_fn fn, size_t *n);
/* Whether fn is a function a framework calls: handed to a call as a value (a route
 * handler, a scheduled job), or by the models' entry rows (a Django view takes the
 * request first, a controller action takes a Request). */
bool flow_is_entry(const struct flow *f, struct flow_fn fn);

/* ---- values ---- */

enum flow_label {
	FL_REQUEST = 1u << 0,	/* the customer controls it */
	FL_ENV = 1u << 1,	/* environment or configuration */
	FL_STORED = 1u << 2,	/* loaded from the store (an order, a ref saved earlier) */
	FL_CREATED = 1u << 3,	/* createLink's answer, or its payment ref */
	FL_CREATED_URL = 1u << 4, /* createLink's payment URL alone: no ref in it */
	FL_CHECKED = 1u << 5,	/* checkPayment's answer or its status */
	FL_VALIDATED = 1u << 6, /* passed a validator */
	FL_LITERAL = 1u << 7,	/* a constant */
	FL_SESSION = 1u << 8,	/* the server's session */
	FL_UNKNOWN = 1u << 9,	/* something the engine could not follow */
	FL_ANSWER = 1u << 10,	/* what an HTTP request answered (any request) */
	FL_PARAM0 = 1u << 16	/* fl_param(i): depends on the function's parameter i (0..15) */
};
#define FL_PARAMS 0xffff0000u

/* The label of a function's parameter i (0..15); unsigned, so i = 15 does not overflow. */
static inline uint32_t fl_param(unsigned i)
{
	return (uint32_t)FL_PARAM0 << i;
}

struct flow_query *flow_query_new(const struct flow *f);
void flow_query_free(struct flow_query *q);

/* The labels of what expr may hold, following locals, destructuring, closures, module
 * constants, imports, calls (summaries of project functions, models of the rest) and
 * members. Parameters give FL_PARAM bits (and the labels their models give). */
uint32_t flow_labels(struct flow_query *q, int32_t file, const struct ir_node *expr);
/* The same with the parameter bits replaced by what the callers pass (all of them, a few
 * levels up); a parameter with no caller in the project is FL_UNKNOWN. */
uint32_t flow_labels_deep(struct flow_query *q, int32_t file, const struct ir_node *expr);

/* A field a model's save hook computes (order.total of an order made by new Order(data)
 * or Order.create(data)): the hook's assignments of it, each an expression over the
 * instance's fields. */
struct flow_hook_field {
	const struct ir_node *rhs; /* what the hook assigns */
	int32_t file;		   /* the hook's file */
	const char *inst;	   /* the instance as the hook names it; NULL: this */
};
/* The hook assignments of member's field (at most max) and the data the record was made
 * of (*data, in the member's file); 0 when no hook computes it. */
size_t flow_save_hook(struct flow_query *q, int32_t file, const struct ir_node *member,
		      struct flow_hook_field *out, size_t max, const struct ir_node **data);
/* Whether n reads the hook instance inst (NULL: this) directly: inst.field. */
bool flow_hook_instance(const struct ir_node *n, const char *inst);

/* The values a name may hold where it is read: its assignments and declarations in the
 * function (before or after: loops), a destructuring (the pair's source is given), the
 * enclosing functions', the module's, an import's export. Up to max; returns how many. */
size_t flow_defs(struct flow_query *q, int32_t file, const struct ir_node *name,
		 const struct ir_node **out, int32_t *out_file, size_t max);

/* The string expr evaluates to: literals, templates and concatenations, constants of the
 * function, module, class or another module, config objects, env reads' defaults.
 * Unknown parts are written as "{?}" and *partial set. Returns false when nothing of it
 * is known. The result is written into buf (NUL-terminated, cut at size). */
bool flow_string(struct flow_query *q, int32_t file, const struct ir_node *expr, char *buf,
		 size_t size, bool *partial);
/* The number expr evaluates to (literals, arithmetic, constants); false when unknown. */
bool flow_number(struct flow_query *q, int32_t file, const struct ir_node *expr, double *out);
/* The object literal expr holds (through locals, returns of helpers, spreads kept), or NULL. */
const struct ir_node *flow_object(struct flow_query *q, int32_t file, const struct ir_node *expr,
				  int32_t *out_file);
/* The value of key in what obj holds: a literal's pair, a spread's source, a later
 * `obj.key = v`; NULL when unknown. */
const struct ir_node *flow_member_value(struct flow_query *q, int32_t file,
					const struct ir_node *obj, const char *key,
					int32_t *out_file);

/* What a callback call hands to the function whose first parameter param is: r in
 * fetch(url).then(r => r.json()) is fetch(url) (the models' callback rows); NULL else. */
const struct ir_node *flow_callback_value(struct flow_query *q, int32_t file,
					  const struct ir_node *param);

/* ---- bounds: what a number is held to ---- */

struct flow_bounds {
	bool integer;	 /* tested or declared whole: Number.isInteger(x), is_int(), a schema's
			  * int(), @IsInt(), 'integer', an int annotation */
	bool whole;	 /* made whole on the way: parseInt(), intval(), (int), round() */
	bool rounded;	 /* rounded on purpose on the way */
	bool has_min, has_max;
	double min, max; /* inclusive, the tightest known */
	bool validator;	 /* it passed a validator (schema.parse(), $request->validate()) */
	bool schema;	 /* the rules of a schema, a DTO, a model or a form were read for it */
	const struct ir_node *trunc; /* a conversion that drops the fraction, or NULL */
	int32_t trunc_file;
	const struct ir_node *clamp; /* min()/max() with a constant bound on the way, or NULL */
	int32_t clamp_file;
};

/* What the number expr holds where it is read: followed back through its definitions,
 * conversions, project functions and callers, with the conditions it had to pass there
 * (guards, asserting helpers it was handed first) and the rules of the validators and
 * classes it was read from, by the models' bound and bound_text rows. */
void flow_bounds(struct flow_query *q, int32_t file, const struct ir_node *expr,
		 struct flow_bounds *out);

/* The argument whose value a call hands on in another form: a conversion (Number(x),
 * parseInt(x), intval($x), int(x)) or a parser (JSON.parse(body)), by the models' bound
 * and passthrough rows; NULL for any other call. */
const struct ir_node *flow_passes(const struct flow *f, int32_t file, const struct ir_node *call);

/* ---- paths through a function ---- */

struct flow_guard {
	const struct ir_node *cond; /* a condition that holds (truth) whenever the node runs */
	bool truth;
	bool exits;		    /* learnt from an early exit: if (!cond) return/throw */
};

/* The conditions that hold whenever n runs, innermost first: if/else branches, switch
 * cases (as subject == value), ternaries, && and ||, and earlier statements that leave the
 * function unless a condition holds (if (c) return; guard clauses; assert). A block
 * stands for its end (what holds after all its statements ran). Up to max. */
size_t flow_guards(struct flow_query *q, int32_t file, const struct ir_node *n,
		   struct flow_guard *out, size_t max);
/* Whether n runs inside a loop of its function (the loop node, or NULL). */
const struct ir_node *flow_loop_of(const struct ir_node *n);
/* Whether expr takes a new value on each turn of loop: the loop's element or counter, or
 * a local assigned in the loop from the next item of a queue or a result set (model
 * "next" rows) or from such a value. A loop over pending orders checks each once. */
bool flow_varies_in(struct flow_query *q, int32_t file, const struct ir_node *expr,
		    const struct ir_node *loop);
/* Whether n runs inside a try block (not its catch/finally) of its function. */
const struct ir_node *flow_try_of(const struct ir_node *n);
/* Whether an error raised at n is caught in its function: a try with a catch around it,
 * or a call on the chain n starts that handles it (the models' catch rows:
 * promise.catch()). */
bool flow_caught(struct flow_query *q, int32_t file, const struct ir_node *n);
/* Whether statement s always leaves the function (return, throw, exit, an exit call). */
bool flow_leaves(struct flow_query *q, int32_t file, const struct ir_node *s);

/* ---- payment statuses ---- */

enum flow_status {
	ST_NONE,	  /* says nothing of a checked status */
	ST_CONFIRMED,	  /* holds only when checkPayment said CONFIRMED */
	ST_NOT_CONFIRMED, /* holds only when it did not */
	ST_FAILED,	  /* holds only when it said FAILED (or expired, cancelled) */
	ST_PENDING
};

struct flow_status_test {
	enum flow_status status;
	bool from_request;	/* the status compared is the customer's (a query, a body) */
	const struct ir_node *value; /* the status value compared, or the call tested */
};

/* What a condition, when it evaluates to truth, says of a payment's status:
 * status === "CONFIRMED", PaymentStatus.CONFIRMED, in_array(status, [...]), a switch
 * case, isConfirmed(), or a project function that verifies (its summary). */
struct flow_status_test flow_condition_status(struct flow_query *q, int32_t file,
					      const struct ir_node *cond, bool truth);
/* Whether the string names a status: "CONFIRMED", "FAILED" ... (caseless), or a constant
 * such as PaymentStatus.CONFIRMED. */
enum flow_status flow_status_named(struct flow_query *q, int32_t file, const struct ir_node *n);

/* ---- what the engine could not follow ---- */

struct flow_unexplained {
	int32_t file;
	uint32_t line;
	enum flow_event_kind kind; /* EV_CREATE_LINK, EV_CHECK_PAYMENT, or EV_KIND_COUNT for an
				    * SDK imported and no call of it understood */
	bool sdk;
};

/* The places that name the OCPay API (an endpoint string, an SDK import) with no API call
 * of that kind understood in their file, in a file importing it, or through one of its
 * functions. Up to max; returns how many. */
size_t flow_unexplained(const struct flow *f, struct flow_unexplained *out, size_t max);
/* Whether the project makes any OCPay API call the engine understood. */
bool flow_has_api_call(const struct flow *f);

/* ---- summaries ---- */

enum flow_verify { VERIFY_NONE, VERIFY_RETURNS, VERIFY_ASSERTS };

struct flow_summary {
	uint32_t ret;	    /* labels of what it returns (FL_PARAM bits: a parameter's value) */
	uint8_t api;	    /* 1 << EV_CREATE_LINK | 1 << EV_CHECK_PAYMENT: calls the API */
	int8_t api_ref;	    /* the parameter passed as checkPayment's ref, -1 */
	int8_t url_param;   /* the parameter an HTTP request's URL is made of (a wrapper), -1 */
	const char *url_key; /* or the key of that parameter's object holding the URL */
	const char *url_base; /* what that URL holds before the parameter's part
			       * ("https://api.oneclickdz.com/v3/ocpay"), or NULL */
	uint32_t writes;    /* FL_PARAM bits of parameters that reach a persistent write */
	bool fulfils;	    /* fulfils on a path its own checks do not guard */
	bool fails;	    /* marks an order failed */
	bool logs;	    /* logs (itself or a callee) */
	enum flow_verify verifies; /* returns true only on CONFIRMED, or throws unless */
	int8_t verify_param;	   /* the parameter holding the ref it verifies, -1 */
	bool waits;		   /* does nothing but wait: a sleep(ms) helper */
	int8_t wait_param;	   /* the parameter holding how long, -1 */
	double wait_unit;	   /* ms per unit of that parameter */
	double wait_ms;		   /* or the fixed wait, -1 unknown */
};

const struct flow_summary *flow_summary(const struct flow *f, struct flow_fn fn);

#endif
