/* Models: what the flow rules know of frameworks and libraries, as data. Each file of
 * rules/models/ (compiled into the binary; --rules DIR adds the .yml and .yaml files of
 * DIR/models/) lists rows by kind, in the manner of CodeQL's models-as-data and
 * semgrep's taint sources, sinks and sanitizers:
 *
 *   name: express
 *   languages: [javascript, typescript, tsx]
 *   request:                       # values the customer controls
 *     - req.(query|body|params)
 *   http:                          # HTTP requests: where the URL, body and headers are
 *     - {call: "fetch()", url: "0", body: "1.body", headers: "1.headers"}
 *
 * A row is a pattern (flow/path.h) or a mapping holding the pattern under the key its
 * kind names (path, call, param, module, value, decorator) and the kind's attributes.
 * An argument position is written "0", "1.headers" (a key of the object passed second),
 * "json" (a keyword/named argument), "this" (the receiver). The set is read-only once
 * loaded and shared by every thread. */
#ifndef OCPAY_FLOW_MODEL_H
#define OCPAY_FLOW_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "flow/path.h"
#include "lang/lang.h"

struct embedded_model {
	const char *name;
	const char *text;
	size_t len;
};
extern const struct embedded_model embedded_models[];

#define MODEL_KINDS(X)                                                                          \
	X(REQUEST, "request", "path")		/* customer input, and what is read from it */  \
	X(NOT_REQUEST, "not_request", "path")	/* server state read from a request object */   \
	X(REQUEST_PARAM, "request_param", "param") /* parameters that are input */             \
	X(ENV, "env", "path")			/* environment and configuration reads */        \
	X(ENV_MODULE, "env_module", "module")	/* modules whose exports are configuration */    \
	X(HTTP, "http", "call")			/* HTTP requests and clients */                  \
	X(API, "api", "call")			/* the OCPay SDKs' calls */                      \
	X(ENDPOINT, "endpoint", "value")	/* the OCPay API's URL paths and host */         \
	X(WRITE, "write", "call")		/* persistent writes (database, ORM, meta) */    \
	X(READ, "read", "call")			/* reads from the store (an order loaded) */     \
	X(FULFIL, "fulfil", "call")		/* calls that mark paid or deliver */            \
	X(PAID_STATUS, "paid_status", "value")	/* status values that mean paid */               \
	X(FAILED_STATUS, "failed_status", "value") /* status values that mean failed */        \
	X(STATUS_FIELD, "status_field", "value") /* field names that hold an order's status */ \
	X(RESPONSE, "response", "call")		/* answers to the client */                      \
	X(VALIDATOR, "validator", "call")	/* validation: its result is checked input */    \
	X(LOG, "log", "call")			/* log statements */                             \
	X(TIMER, "timer", "call")		/* timers and schedules that run a function */   \
	X(SCHEDULE, "schedule", "decorator")	/* decorators that schedule a method or class */ \
	X(TIMER_TABLE, "timer_table", "path")	/* tables of schedules assigned (Celery beat) */ \
	X(FREQUENCY, "frequency", "call")	/* calls chained after a schedule: how often */ \
	X(HOOK, "hook", "call")			/* calls binding a name to a function */        \
	X(SAVE_HOOK, "save_hook", "call")	/* a model's hook run before a record is saved: \
						 * the fields it sets are made of those it reads */ \
	X(DURATION, "duration", "call")		/* calls whose value is a length of time */     \
	X(CONVERT, "convert", "call")		/* calls whose value is an argument's: Number() */ \
	X(CONSTANT, "constant", "path")		/* a framework's named constants and their values */ \
	X(NEXT, "next", "call")			/* calls that hand out the next item of a queue */ \
	X(SLEEP, "sleep", "call")		/* waits */                                      \
	X(ROUTE, "route", "call")		/* routes registered by a call: app.get(path, fn) */ \
	X(ROUTE_DECORATOR, "route_decorator", "decorator") /* routes written as decorators */   \
	X(ROUTE_FILE, "route_file", "file")	/* routes a file's path makes (Next.js, Nuxt) */ \
	X(AUTO_IMPORT, "auto_import", "file")	/* folders whose exports every file under the root \
						 * uses without an import line (Nuxt) */      \
	X(EXIT, "exit", "call")			/* calls that never return */                    \
	X(CHECK, "check", "path")		/* reads that check an HTTP answer's success */ \
	X(URL_FIELD, "url_field", "value")	/* createLink answer fields with the URL alone */ \
	X(MEMBER_TEST, "member_test", "call")	/* membership tests: in_array(), includes() */ \
	X(STATUS_TEST, "status_test", "call")	/* predicates of a status: isConfirmed() */ \
	X(EPHEMERAL, "ephemeral", "path")	/* stores that do not last: sessions, caches, maps */ \
	X(ENTRY, "entry", "param")		/* functions a framework calls: by first parameter */ \
	X(PASSTHROUGH, "passthrough", "call")	/* calls that keep what they are handed the      \
						   customer's: casts, trims, parsers */      \
	X(ASSERT, "assert", "call")		/* calls that throw unless (or if) an argument   \
						   holds: abort_unless(), assert(), invariant() */ \
	X(BOUND, "bound", "call")		/* what holds a number to a kind or a range: tests,  \
						 * schema rules, decorators, conversions, clamps */ \
	X(BOUND_TEXT, "bound_text", "value")	/* the same written as words: validation rule     \
						 * strings, type names, casts */ \
	X(SDK, "sdk", "module")			/* the OCPay SDKs' modules, as imported */      \
	X(EQUALS, "equals", "call")		/* calls that compare their first two arguments: \
						 * hash_equals(), compare_digest() */         \
	X(FORMAT, "format", "call")		/* strings formatted from a template: sprintf()  \
						 * (value: the template argument) */         \
	X(CALLBACK, "callback", "call")	/* calls that run a function with what they are called \
						 * on: promise.then(fn) */                   \
	X(CATCH, "catch", "call")		/* calls that handle what their receiver raises:  \
						 * promise.catch() */                        \
	X(UNCAUGHT_ASYNC, "uncaught_async", "call") /* routes that leave an async handler's    \
						 * rejection unanswered (Express 4) */ \
	X(PAGE, "page", "call")			/* calls that hand data to the page the browser  \
						 * gets: a template's context, a script's data */ \
	X(ENCODE, "encode", "call")		/* calls whose value shows what they are handed: \
						 * encoders, escapers, formatters */         \
	X(ADMIN_PAGE, "admin_page", "call")	/* calls that make a page the site owner's: a   \
						 * settings form, a capability check */      \
	X(SECRET_NAME, "secret_name", "name")	/* names (caseless regular expressions) that say \
						 * a setting holds the OCPay key */

enum model_kind {
#define X(id, name, key) MODEL_##id,
	MODEL_KINDS(X)
#undef X
		MODEL_KIND_COUNT
};

#define MODEL_ATTRS(X)                                                                          \
	X(URL, "url")	      /* http: the URL's argument */                                     \
	X(BODY, "body")	      /* http: the body's argument */                                    \
	X(HEADERS, "headers") /* http: the headers' argument */                                  \
	X(METHOD, "method")   /* http: the method (post, get) or the argument holding it */      \
	X(BASE, "base")	      /* http: a client's base URL argument */                           \
	X(CLIENT, "client")   /* http: "true" when the call makes a client (axios.create) */     \
	X(ON, "on")	      /* http: "client": only on a client instance (api.post());       \
				 write: "write": only on a prepared write statement;         \
				 check: "response": only on the HTTP answer, not its body */ \
	X(HANDLE, "handle")   /* http: the argument holding the handle the call configures  \
				 (curl_setopt($ch, ...)): the handle carries the answer */   \
	X(THROWS, "throws")   /* http, api: "true" when an error answer raises */                \
	X(API, "api")	      /* api: createLink, checkPayment or client */                      \
	X(INPUT, "input")     /* api: the createLink request's argument */                       \
	X(REF, "ref")	      /* api: checkPayment's ref argument */                             \
	X(KEY, "key")	      /* api: the client's key argument */                               \
	X(TYPE, "type")	      /* request_param, entry: the parameter's type (pattern); http: the \
				 type of a value that holds such a client */                 \
	X(RECEIVER, "receiver") /* a call row that matches only on a receiver of this declared \
				   type (pattern), whatever the call: LoggerInterface $audit */ \
	X(FROM, "from")	      /* a call row whose first name must be imported from this    \
				 module: {call: "request()", from: "undici"} */              \
	X(DECORATOR, "decorator") /* request_param: a decorator on the parameter (pattern) */    \
	X(OBJECT, "object")   /* request_param: "true": the parameter is a request object */     \
		X(IN, "in")	      /* request_param: a decorator of the function, or the call it is \
				 handed to (pattern) */                                        \
	X(FN, "fn")	      /* timer, hook, route, callback: the function run */             \
	X(MS, "ms")	      /* timer, sleep, duration: the argument holding milliseconds */    \
	X(SECONDS, "seconds") /* timer, sleep, duration: the argument holding seconds */         \
	X(MINUTES, "minutes") /* the same in minutes */                                          \
	X(HOURS, "hours")     /* the same in hours */                                            \
	X(DAYS, "days")	      /* the same in days */                                             \
	X(MICROS, "micros")   /* the same in microseconds */                                     \
	X(NANOS, "nanos")     /* the same in nanoseconds */                                      \
	X(PERIOD, "period")   /* the argument holding a period written any way: seconds,       \
				 "5 seconds", a cron expression, timedelta(), crontab() */    \
	X(CRON, "cron")	      /* timer, schedule: the argument holding a cron expression */      \
	X(FIELDS, "fields")   /* named arguments that are a cron expression's fields, seconds \
				 or minutes first ("second,minute,hour,day,month,day_of_week") */ \
	X(FILL, "fill")	      /* with fields: what a left-out field below the largest given   \
				 is ("0": APScheduler), else "*" */                           \
	X(EVERY, "every")     /* timer, schedule, frequency: a fixed period ("1m", "5s") */      \
	X(ABSENT, "absent")   /* timer: the period when its argument is left out ("0") */       \
	X(CHAINED, "chained") /* timer: "true": a frequency call chained after it sets the     \
				 period ($schedule->job(...)->everyMinute()) */               \
	X(ONCE, "once")	      /* timer: "true" when it runs the function once (it polls only  \
				 when it re-arms itself) */                                   \
	X(SELF, "self")	      /* timer: "true": it re-queues the function it is called in */   \
	X(RUNS, "runs")	      /* timer, schedule, route: the method run when the argument is  \
				 a class or an instance ("handle", "__invoke") */             \
	X(FIELD, "field")     /* timer: a string argument names the class whose property       \
				 `field` starts with it (an Artisan command's signature) */   \
	X(HOOK, "hook")	      /* timer: the argument holding the name of a hook (hook rows) */   \
	X(NAME, "name")	      /* hook: the argument holding the name bound */                    \
	X(ROUTE, "route")     /* route, route_decorator: the argument holding the path */        \
	X(PREFIX, "prefix")   /* route: a path put before the routes of files matching this   \
				 glob ("routes/api.php=/api"); route_decorator: the class     \
				 decorator whose first argument is a prefix */               \
	X(ROOT, "root")	      /* route_file: the folder the URL starts after; auto_import: the \
				 folder whose files see the exports (none: the project's) */ \
	X(EXPORT, "export")   /* route_file: the exported functions that handle it (pattern)  \
				 or "default" */                                              \
	X(INDEX, "index")     /* route_file: file names that stand for their folder (pattern) */ \
	X(DOTS, "dots")	      /* route_file: "true": dots in the file name are slashes */       \
	X(SQL, "sql")	      /* write: the argument holding SQL that must insert or update */   \
	X(FOR, "for")	      /* endpoint: createLink, checkPayment or host */                   \
	X(UNLESS, "unless")   /* request_param: not when the type or default matches;        \
				 assert: the argument that must hold */                      \
	X(IF, "if")	      /* assert: the argument that must not hold (abort_if) */       \
	X(VALUE, "value")     /* member_test: the value tested; convert: the argument whose value \
				 it returns; constant: the constant's value; check: the \
				 argument holding the answer checked */                       \
	X(LIST, "list")	      /* member_test: the list tested against */                       \
	X(DEFAULT, "default") /* env: the argument holding the default value */                \
	X(STATUS, "status")   /* fulfil: the argument holding the status set; status_test:   \
				 the status the predicate tells (CONFIRMED, FAILED) */       \
	X(IS, "is")	      /* bound: integer (a test or rule holding it whole), truncate,   \
				 round (conversions that make it whole), clamp (min/max) */   \
	X(MIN, "min")	      /* bound: the argument holding the least value allowed ("0",  \
				 "ge"; for bound_text the rule's parameter) */               \
	X(MAX, "max")	      /* bound: the argument holding the greatest value allowed */     \
	X(SCHEMA, "schema")   /* validator: the argument holding the schema; on a call that    \
				 takes a handler, the handler's input is what it checks */   \
	X(RAISES, "raises")   /* http: the argument or option whose truth decides whether an   \
				 error answer raises ('http_errors' => false, raise_for_status) */ \
	X(WITH, "with")	      /* check, http, bound, log, ephemeral, save_hook: "N=a|b": only when argument \
				 N is one of these (a string or a constant's name) */        \
	X(PACKAGE, "package") /* uncaught_async: the package the file imports and the project \
				 depends on */                                               \
	X(VERSION, "version") /* uncaught_async: its major versions concerned ("3|4") */          \
	X(PATCHED, "patched") /* uncaught_async: a dependency that makes the routes catch */      \
	X(PREPARED, "prepared") /* write: "true": the SQL runs where the statement it makes  \
				   is executed (an `on: write` call), when it is kept */      \
	X(CLI, "cli")	      /* log: "true": a log only in a command-line script (echo) */      \
	X(HTML, "html")	      /* page: "true": only in a file that writes HTML of its own */     \
	X(NOTE, "note")	      /* free text for people; http: how to check its answer */

enum model_attr {
#define X(id, name) MODEL_ATTR_##id,
	MODEL_ATTRS(X)
#undef X
		MODEL_ATTR_COUNT
};

struct regex;

struct model_row {
	enum model_kind kind;
	unsigned langs;	       /* LANG_BIT mask */
	const char *source;    /* "rules/models/express.yml:12" for messages */
	char *text;	       /* the pattern or value as written */
	struct path_pattern *pat; /* for path, call, param-less kinds; NULL for values */
	char *attr[MODEL_ATTR_COUNT];
	struct path_pattern *type_pat, *decorator_pat, *in_pat, *unless_pat; /* request_param */
	struct path_pattern *receiver_pat; /* rows matched by their receiver's type only */
	struct path_pattern *export_pat, *index_pat; /* route_file */
	struct regex *name_re, *unless_re;	     /* secret_name: the name and its `unless` */
};

struct model_set;

/* Loads the embedded models and, with extra_dir, the files of extra_dir/models/ (absent:
 * fine). Returns 0, or -1 with the error naming the file, line and cause. */
int model_set_load(struct model_set **out, const char *extra_dir);
/* Adds one model file's text (for tests and fuzzing). */
int model_set_add_yaml(struct model_set *m, const char *name, const char *text, size_t len);
struct model_set *model_set_new(void);
void model_set_free(struct model_set *m);

/* The first row of kind whose pattern matches the whole of p, for a file of lang. */
const struct model_row *model_match(const struct model_set *m, enum model_kind kind,
				    enum lang lang, const struct path *p);
/* The row of kind matching the longest prefix of p; *len gets the prefix's length. */
const struct model_row *model_match_prefix(const struct model_set *m, enum model_kind kind,
					   enum lang lang, const struct path *p, unsigned *len);
/* The rows of a kind, for kinds matched otherwise (values, parameters, modules). */
const struct model_row *const *model_rows(const struct model_set *m, enum model_kind kind,
					  size_t *n);
/* Whether a value row of kind has text (caseless), for lang. */
bool model_has_value(const struct model_set *m, enum model_kind kind, enum lang lang,
		     const char *text);
/* Whether a name row of kind (secret_name) matches text and its `unless` does not. */
bool model_name_matches(const struct model_set *m, enum model_kind kind, enum lang lang,
			const char *text, size_t len);
const char *model_kind_name(enum model_kind k);
/* The argument of a call a row's attribute names ("0", "1.headers", "json", "this"), or NULL. */
const struct ir_node *model_arg(const struct ir_node *call, const char *spec);
/* Whether a call's argument is what "N=a|b" says: argument N is the string, name or
 * constant a or b. */
bool model_arg_is(const struct ir_node *call, const char *spec);
/* Whether word[0..len) is one of the '|'-separated words of list ("3|4"). */
bool model_list_has(const char *list, const char *word, size_t len);

#endif
