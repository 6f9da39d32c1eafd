/* The flow form: one small tree per source file, the same for JavaScript/TypeScript, PHP
 * and Python. Each language's lowering (src/lang/<language>/lower.c, the only code that
 * knows a grammar's node types) translates a parsed file into it; everything after the
 * lowering (the project index, the models, the checkers) reads only this form.
 *
 * The form keeps what the flow rules reason about and drops the rest:
 *   - functions (with their parameters, decorators and types), classes, imports, exports;
 *   - statements that shape the paths through a function: blocks, declarations,
 *     if/else, switch/match, loops, return, throw/raise/exit, try/catch;
 *   - expressions: names, member paths, calls, literals, objects/arrays/dicts,
 *     templates, operators, assignments (destructuring too), function values.
 * Anything else becomes IR_OTHER holding its sub-expressions, so a value flowing through
 * a construct the form does not model is still seen.
 *
 * Ownership: an ir_file owns every node, string and table through its arena; ir_file_free()
 * releases all of it at once. Nothing points into the parse tree or the source text, so
 * the tree is freed right after the lowering and a file's form can be read by any thread
 * once built (it is never written again). */
#ifndef OCPAY_FLOW_IR_H
#define OCPAY_FLOW_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lang/lang.h"

enum ir_kind {
	IR_NONE,
	/* ---- expressions ---- */
	IR_NAME,     /* text: an identifier (PHP's `$` dropped: $order -> order, $_GET -> _GET) */
	IR_THIS,     /* this, $this, PHP self:: and static::, and in a Python method the first
		      * parameter (self, cls), which is then left out of the parameters */
	IR_SUPER,    /* super, parent:: */
	IR_MEMBER,   /* a.text: a.b, a?.b, $a->b, A::b, A::$b, A::CONST, a["b"] (constant key:
		      * IR_F_INDEX), Python a.b; a is the object */
	IR_INDEX,    /* a[b] with b not a constant string */
	IR_CALL,     /* a(kids): a is the callee (a name, a member, any expression); kids are
		      * the arguments in order, a named/keyword argument as IR_PAIR, a spread as
		      * IR_SPREAD; IR_F_NEW for `new A(...)`, PHP `new A`, and (never) Python */
	IR_STRING,   /* text/len: the value with escapes decoded (heredoc, nowdoc, raw strings) */
	IR_NUMBER,   /* num: the value (hex, octal, binary, `_` separators, floats) */
	IR_BOOL,     /* num: 1 or 0 */
	IR_NULL,     /* null, undefined, None */
	IR_TEMPLATE, /* kids: the pieces in order, IR_STRING for literal text and expressions for
		      * substitutions: `a${b}`, "a{$b}", "a $b", f"a{b}"; a tagged template is
		      * an IR_CALL of the tag with one IR_TEMPLATE argument */
	IR_OBJECT,   /* kids: IR_PAIR and IR_SPREAD: {k: v, ...o}, ['k' => v], {"k": v}, also a
		      * PHP array mixing keys and positions (pairs without a key: text NULL, a NULL)
		      */
	IR_PAIR,     /* text: the key when it is constant (identifier, string, number as text);
		      * else a: the key expression; b: the value. {x} (shorthand) is the pair
		      * x: (name x). Also a named argument f(x=1), f(x: 1) */
	IR_ARRAY,    /* kids: the elements: [a, b], (a, b) tuples, sets, PHP lists */
	IR_SPREAD,   /* a: ...a, *a, **a (in calls, arrays, objects, patterns: the rest) */
	IR_BINARY,   /* op, a (left), b (right) */
	IR_UNARY,    /* op, a */
	IR_COND,     /* a ? b : c, b if a else c; PHP a ?: c is (a ? a : c) with b = NULL */
	IR_ASSIGN,   /* a = b: op IR_OP_ASSIGN or a compound operator; a is the target (an
		      * IR_NAME, IR_MEMBER, IR_INDEX or an IR_PATTERN). Python's and PHP's
		      * assignment statements are IR_EXPR of an IR_ASSIGN */
	IR_FUNC,     /* num: the index of a function in ir_file.funcs (declaration, expression,
		      * arrow, method, closure, lambda). As a statement: a declaration */
	IR_CLASS,    /* num: the index of a class in ir_file.classes */
	IR_AWAIT,    /* a: await a, yield a, yield from a */
	IR_PATTERN,  /* a destructuring target: kids are IR_PAIR (key -> target, text: the key
		      * read; b: the target, itself a name or a pattern; c: a default value) or,
		      * with IR_F_ARRAY, the targets by position; IR_SPREAD for the rest */
	IR_OTHER,    /* any other expression: kids are its sub-expressions */
	/* ---- statements ---- */
	IR_BLOCK,  /* kids: statements */
	IR_EXPR,   /* a: an expression evaluated for its effect */
	IR_DECL,   /* a: the target (IR_NAME or IR_PATTERN), b: the value or NULL; IR_F_CONST
		    * for const (JS const, PHP const/define, Python UPPER_CASE is not const) */
	IR_IF,	   /* a: condition, b: then (a statement), c: else (NULL, a statement or an
		    * IR_IF for else if / elseif / elif) */
	IR_SWITCH, /* a: the subject (NULL for PHP match(true) and Python match without one);
		    * kids: IR_CASE. PHP match and Python match are switches too; a PHP match
		    * is an expression: its arms' bodies are expressions */
	IR_CASE,   /* kids: the values compared with the subject (none: default / `_` / else);
		    * b: the body (an IR_BLOCK, or an expression for a match arm) */
	IR_LOOP,   /* op: IR_LOOP_*; a: condition or iterable (NULL: for(;;)); b: the body;
		    * c: the foreach/for-of/for-in binding target, or a for loop's update */
	IR_RETURN, /* a: the value or NULL */
	IR_THROW,  /* a: the value or NULL: throw, raise; IR_F_EXIT for PHP's exit and die
		    * (language constructs; calls such as sys.exit() stay calls) */
	IR_TRY,	   /* a: the body (IR_BLOCK); kids: IR_CATCH; c: finally (IR_BLOCK) or NULL */
	IR_CATCH,  /* a: the bound name (IR_NAME) or NULL; b: the body; text: the caught types
		    * as written, '|'-separated, or NULL for all */
	IR_BREAK,
	IR_CONTINUE,
	IR_KIND_COUNT
};

enum ir_op {
	IR_OP_NONE,
	/* binary */
	IR_OP_EQ, /* == === `is` (IR_F_STRICT for === and is) */
	IR_OP_NE, /* != !== <> `is not` */
	IR_OP_LT,
	IR_OP_LE,
	IR_OP_GT,
	IR_OP_GE,
	IR_OP_AND,     /* && and */
	IR_OP_OR,      /* || or */
	IR_OP_NULLISH, /* ?? */
	IR_OP_ADD,     /* + */
	IR_OP_CONCAT,  /* PHP . */
	IR_OP_SUB,
	IR_OP_MUL,
	IR_OP_DIV,
	IR_OP_MOD,
	IR_OP_POW,
	IR_OP_IN,	  /* in */
	IR_OP_NOT_IN,	  /* not in */
	IR_OP_INSTANCEOF, /* instanceof, PHP instanceof */
	IR_OP_BIT,	  /* & | ^ << >> >>> and the rest */
	/* unary */
	IR_OP_NOT,    /* ! not */
	IR_OP_NEG,    /* - */
	IR_OP_PLUS,   /* + */
	IR_OP_TYPEOF, /* typeof, void, delete, and casts are IR_OTHER */
	/* assignment */
	IR_OP_ASSIGN,	  /* = := (walrus) */
	IR_OP_ASSIGN_ADD, /* += .= (PHP) */
	IR_OP_ASSIGN_OR,  /* ||= ??= ?:= */
	IR_OP_ASSIGN_OTHER,
	/* loops */
	IR_LOOP_WHILE,
	IR_LOOP_DO,
	IR_LOOP_FOR,
	IR_LOOP_FOREACH, /* for...of, for...in, foreach, Python for */
	IR_OP_COUNT
};

/* Node flags. */
#define IR_F_NEW 0x0001	     /* IR_CALL: new A() */
#define IR_F_OPTIONAL 0x0002 /* IR_MEMBER/IR_CALL/IR_INDEX: ?. */
#define IR_F_INDEX 0x0004    /* IR_MEMBER: written a["b"] / $a['b'] / a['b'] */
#define IR_F_STATIC 0x0008   /* IR_MEMBER: A::b (PHP) */
#define IR_F_CONST 0x0010    /* IR_DECL: const */
#define IR_F_ARRAY 0x0020    /* IR_PATTERN: by position */
#define IR_F_STRICT 0x0040   /* IR_BINARY: === !== is, is not */
#define IR_F_EXIT 0x0080     /* IR_THROW: exit, die */
#define IR_F_TRUNC 0x0100    /* the lowering stopped here (nesting limit): children lost */
#define IR_F_ASYNC 0x0200    /* IR_LOOP: for await */
#define IR_F_RAW 0x0400	     /* IR_STRING: a regular expression literal's source */

struct ir_node {
	uint8_t kind; /* enum ir_kind */
	uint8_t op;   /* enum ir_op */
	uint16_t flags;
	uint32_t id;	     /* 0.. ir_file.nnodes - 1, in source order of creation */
	uint32_t start, end; /* byte span in the file's source */
	uint32_t line;	     /* 1-based line of start */
	int32_t func;	     /* index of the function whose body holds the node (set by ir_link) */
	const char *text;    /* see the kinds; NUL-terminated; NULL when none */
	uint32_t len;	     /* length of text (a string value may hold NUL bytes) */
	double num;
	struct ir_node *a, *b, *c;
	struct ir_node **kids;
	uint32_t nkids;
	struct ir_node *parent; /* set by ir_link; NULL for a function's body and top nodes */
};

/* Function flags. */
#define IR_FN_EXPORTED                                                                             \
	0x0001		     /* exported by name (export function, export const f = ...,           \
			      * module.exports.f = ..., a public PHP/Python top-level name) */
#define IR_FN_DEFAULT 0x0002 /* the module's default export */
#define IR_FN_ASYNC 0x0004
#define IR_FN_METHOD 0x0008 /* a class method */
#define IR_FN_STATIC 0x0010
#define IR_FN_CTOR 0x0020 /* constructor, __construct, __init__ */
#define IR_FN_GENERATOR 0x0040
#define IR_FN_ARROW 0x0080  /* an arrow function or lambda: `this` is the enclosing one's */
#define IR_FN_MODULE 0x0100 /* funcs[0]: the file's top-level code */

struct ir_param {
	const char *name;	     /* NULL when the parameter is a pattern */
	struct ir_node *pattern;     /* destructuring ({ request, params }) or NULL */
	struct ir_node *def;	     /* default value or NULL */
	const char *type;	     /* the annotation as written, without `?`/nullable marks:
				      * "Request", "\\App\\Http\\Requests\\PayRequest",
				      * "OrderService", "Optional[str]"; NULL when none */
	struct ir_node **decorators; /* @Body(), #[MapQueryParameter], Depends(...) as a
				      * default is NOT a decorator (it is def) */
	uint32_t ndecorators;
	bool rest;     /* ...args, *args, **kwargs, ...$args */
	bool promoted; /* a constructor parameter that declares a property
			* (TypeScript `private readonly x: X`, PHP 8 promotion) */
	uint32_t line;
};

struct ir_func {
	const char *name; /* as declared, or as bound (const f = () => ..., {f: function},
			   * exports.f = function, a method's name); "" when anonymous */
	int32_t cls;	  /* index in ir_file.classes for a method, else -1 */
	int32_t parent;	  /* the enclosing function, -1 for funcs[0] */
	uint16_t flags;	  /* IR_FN_* */
	struct ir_param *params;
	uint32_t nparams;
	struct ir_node *body;	     /* IR_BLOCK; an arrow's expression body is a block
				      * holding one IR_RETURN */
	struct ir_node *node;	     /* the IR_FUNC node standing for it in its parent */
	struct ir_node **decorators; /* @Get(), @app.route("/x"), #[Route("/x")], @Cron(...) */
	uint32_t ndecorators;
	const char *returns; /* the return type annotation as written, or NULL */
	uint32_t start, end, line;
};

struct ir_field {
	const char *name;
	const char *type;      /* as written, or NULL */
	struct ir_node *value; /* initial value or NULL */
	struct ir_node **decorators;
	uint32_t ndecorators;
	bool is_static; /* static property, class constant, Python class attribute */
	uint32_t line;
};

struct ir_class {
	const char *name;	 /* "" for an anonymous class expression */
	const char *extends;	 /* as written, or NULL (Python: the first base) */
	const char **implements; /* interfaces, traits used, further Python bases */
	uint32_t nimplements;
	struct ir_field *fields;
	uint32_t nfields;
	int32_t *methods; /* indices in ir_file.funcs */
	uint32_t nmethods;
	struct ir_node **decorators;
	uint32_t ndecorators;
	struct ir_node *node; /* the IR_CLASS node */
	bool exported;
	uint32_t start, end, line;
};

enum ir_import_kind {
	IR_IMPORT_ES,	   /* import x from "m"; import {a as b} from "m"; import * as ns */
	IR_IMPORT_REQUIRE, /* const x = require("m"); const {a} = require("m") */
	IR_IMPORT_DYNAMIC, /* await import("m") with a constant specifier */
	IR_IMPORT_USE,	   /* PHP use A\B\C [as D]; use function; use const */
	IR_IMPORT_INCLUDE, /* PHP require/include of a constant path */
	IR_IMPORT_PY,	   /* Python import m [as n]; from m import a [as b] */
	IR_IMPORT_TYPE,	   /* TypeScript import type / { type T }: a type's name, no value */
	IR_IMPORT_AUTO	   /* a name a framework imports by itself (Nuxt's server/utils):
			    * added by the project index, spec is the exporting file's path */
};

struct ir_import {
	uint8_t kind;	   /* enum ir_import_kind */
	const char *local; /* the name bound in this file, or NULL (side-effect import) */
	const char *spec;  /* the module as written: "./lib/ocpay", "App\\Services\\Pay",
			    * "..services.payments", "__DIR__/inc/api.php" for an include */
	const char *name;  /* the name imported: an export's name, "default", "*" (namespace
			    * import / the module itself), or NULL */
	uint32_t line;
};

struct ir_export {
	const char *name;      /* the exported name ("default" for a default export) */
	const char *local;     /* the local binding exported, or NULL */
	struct ir_node *value; /* the exported expression (export default expr,
				* module.exports = {...}, exports.x = expr) or NULL */
	const char *from;      /* a re-export's module (export {a} from "m", export * from
				* "m": name "*"), or NULL */
	uint32_t line;
};

struct ir_arena;

struct ir_file {
	char *path; /* relative to the scanned root */
	enum lang lang;
	const char *namespace_name; /* PHP's namespace ("App\\Http\\Controllers"), or "" */
	struct ir_func *funcs;	    /* funcs[0] is the module's top-level code */
	uint32_t nfuncs;
	struct ir_class *classes;
	uint32_t nclasses;
	struct ir_import *imports;
	uint32_t nimports;
	struct ir_export *exports;
	uint32_t nexports;
	uint32_t nnodes;
	struct ir_node **nodes; /* by id, set by ir_link */
	bool truncated;		/* some subtree was cut at the nesting limit */
	bool script;		/* a command-line script: a shebang line, a PHP_SAPI check */
	bool html;		/* the file writes text of its own around its code (a PHP
				 * template): what it echoes goes into a page */
	struct ir_arena *arena;
};

/* ---- building (for the lowerings) ---- */

/* A new empty file whose funcs[0] is the module function with an empty body block. */
struct ir_file *ir_file_new(const char *path, enum lang lang);
void ir_file_free(struct ir_file *f);
/* Memory from the file's arena, zeroed; NULL when out of memory (the file records it:
 * ir_file_oom() tells, so a lowering checks once at the end). */
void *ir_alloc(struct ir_file *f, size_t size);
bool ir_file_oom(const struct ir_file *f);
/* A copy of s[0..len) in the arena, NUL-terminated. */
const char *ir_strndup(struct ir_file *f, const char *s, size_t len);
const char *ir_strdup(struct ir_file *f, const char *s);
struct ir_node *ir_node_new(struct ir_file *f, enum ir_kind kind, uint32_t start, uint32_t end,
			    uint32_t line);
/* Appends a child to n->kids (ignores NULL). */
void ir_node_add(struct ir_file *f, struct ir_node *n, struct ir_node *kid);
/* Adds a function, class, import, export; returns its index (or pointer) or -1/NULL. */
int32_t ir_func_add(struct ir_file *f, const struct ir_func *fn);
int32_t ir_class_add(struct ir_file *f, const struct ir_class *c);
struct ir_import *ir_import_add(struct ir_file *f, const struct ir_import *im);
struct ir_export *ir_export_add(struct ir_file *f, const struct ir_export *ex);
/* Grows a pointer array held in the arena (decorators, a class's methods ...). */
int ir_ptr_push(struct ir_file *f, void ***array, uint32_t *n, void *item);
/* After the lowering: numbers the nodes, sets parent and func, builds nodes[].
 * Returns 0 or -1 (out of memory). */
int ir_link(struct ir_file *f);

/* ---- reading ---- */

const char *ir_kind_name(enum ir_kind k);
const char *ir_op_name(enum ir_op op);
/* Whether n is the kind and, for text kinds, has the text. */
bool ir_is_name(const struct ir_node *n, const char *name);
/* The name a member chain starts at (order in (await order).payment.ref; "this"), or NULL. */
const char *ir_root_name(const struct ir_node *n);
/* The statement around n (the child of an IR_BLOCK, or the nearest statement kind). */
const struct ir_node *ir_statement_of(const struct ir_node *n);
/* Whether n lies inside ancestor (or is it). */
bool ir_within(const struct ir_node *n, const struct ir_node *ancestor);
/* The n-th positional argument of a call (named arguments skipped), or NULL. */
const struct ir_node *ir_call_arg(const struct ir_node *call, uint32_t i);
/* The named argument / object key `key` of a call or object, or NULL. */
const struct ir_node *ir_pair_value(const struct ir_node *object, const char *key);

/* Pre-order walk of n's subtree; fn returns false to skip a node's children. Nested
 * functions are IR_FUNC leaves: their bodies are walked only when asked for. */
typedef bool (*ir_visit_fn)(void *ctx, const struct ir_node *n);
void ir_walk(const struct ir_node *n, ir_visit_fn fn, void *ctx);

/* Writes the form as S-expressions, one function a block: the lowering tests compare it
 * with expected files. Spans are left out unless with_lines. */
void ir_dump(FILE *out, const struct ir_file *f, bool with_lines);

#endif
