/* The scan: reads each file unit once, runs the literal prefilter, parses the files that
 * need it, runs every applicable detector, and turns hits into findings. Units are
 * spread over worker threads; findings come out sorted whatever the thread timing.
 * A scan owns its findings, its file list, its notes and the checkers' evidence until
 * scan_free(). */
#ifndef OCPAY_SCAN_H
#define OCPAY_SCAN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/result.h"
#include "check/rule.h"
#include "core/finding.h"
#include "core/redact.h"
#include "lang/ast.h"
#include "lang/lang.h"
#include "source/files.h"
#include "source/resolve.h"

struct repo;
struct syntax;
struct parser_set;
struct worker;
struct flow_record;

struct scan_options {
	unsigned jobs;		/* worker threads; 0: one per core */
	size_t max_file_size;	/* bytes; larger files are skipped and counted */
	size_t max_parse_size;	/* bytes; larger files get the text detectors only */
	size_t max_file_findings; /* findings reported per file; the rest are counted */
	uint64_t parse_timeout_ms;
	bool reveal;		/* --no-redact */
	bool verbose;		/* keep a log of what was skipped and why */
	bool progress;		/* draw a progress line on stderr */
	bool progress_forced;	/* --progress: also the final line of a short run */
};

/* What a rule's checklist items say beyond their findings, each NULL when nothing:
 * why they could not be decided, why they fail though no finding says so (no tests at
 * all), and what the repository-level check saw (the payment scenarios with evidence). */
enum note_kind { NOTE_UNKNOWN, NOTE_FAIL, NOTE_DETAIL, NOTE_COUNT };

struct rule_note {
	const struct rule *rule;
	char *text[NOTE_COUNT];
	/* the limits reached in what the rule reads, per scope (tree, history): the first
	 * one by its text (whatever the thread order) and how many */
	char *limit[2];
	size_t nlimits[2];
};

/* What a checker learnt of one file for a repository-level decision (OC011's columns and
 * indexes, OC013's tests): recorded from any thread, sorted by path and line before the
 * checkers' finish() reads them. kind is the checker's own code. */
struct scan_evidence {
	const struct rule *rule;
	int kind;
	char *path;
	int line;
	char *text;
};

/* What the first pass learnt of one file of the list, for the second: its keywords. */
struct file_facts {
	uint64_t kw[2];
	bool read; /* read and scanned (not skipped) */
	int32_t *imports; /* JavaScript, when listed: the files of the list it imports */
	uint32_t nimports;
	bool listed; /* imports listed (the second pass read it) */
};

struct config;

struct checker_pattern {
	const char *pattern;
	struct regex *re;
};

struct scan {
	const struct ruleset *rules;
	const struct scan_options *opt;
	const struct config *config; /* .ocpay-audit.yml, or NULL */
	struct repo *repo;	/* NULL outside a git repository */
	char *root;		/* folder the file paths are relative to, with a trailing '/' */
	struct file_list files;
	struct resolver resolver;  /* module specifiers to files of the list */
	struct file_facts *facts;  /* per file of the list, during scan_run */
	struct finding_list findings;
	struct finding_list suppressed; /* moved out of findings by scan_finish */
	struct directive_note *directives; /* after scan_finish: unused or invalid only */
	size_t ndirectives;
	struct scan_stats stats;
	bool ocpay_seen;	/* some file mentions OCPay: the integration exists */
	bool ocpay_script_seen; /* some PHP or Python file of the tree mentions OCPay */
	bool partial_tree;	/* --staged: only changed files are read, so checks that need
				 * the whole tree (an index in another migration) stay silent */
	uint64_t kw_seen[2];	/* every keyword found in some file */
	char **incomplete;	/* what could not be read, one line each */
	size_t nincomplete;
	const char *history_unknown; /* why the history items cannot pass: part of the
				      * history could not be read (the history scan sets it) */
	char **log;		/* --verbose: one line per decision, sorted by scan_finish */
	size_t nlog;
	struct redactor redactor; /* every secret found, for scan_redact */
	size_t large_unnamed;	  /* blobs skipped for size by a caller that named none */
	size_t large_noted;	  /* ... of which scan_finish has noted */
	struct rule_note *notes;
	struct scan_evidence *evidence;
	size_t nevidence;
	struct checker_pattern *patterns; /* checker_regex's, compiled once per scan */
	size_t npatterns;
	/* prefilter */
	struct regex *keywords_re;
	char **keywords;
	size_t nkeywords;
	uint64_t (*detector_masks)[2]; /* per rule, per detector: keyword bits */
	uint64_t ocpay_mask[2];
	/* the flow stage (flow_stage.c): the files lowered for the project index */
	pthread_mutex_t flow_lock;
	struct flow_record *flow_records;
	size_t nflow_records, capflow_records;
	bool *flow_kept; /* per file of the list: lowered already */
	/* the scripts WordPress PHP files enqueue, built on first use (enqueue.c) */
	pthread_mutex_t enqueued_lock;
	bool enqueued_built;
	struct enqueued_script *enqueued;
	size_t nenqueued;
};

/* Where an imported name is evaluated from (lang/ts.h import hook). */
struct import_frame {
	struct unit *unit;
	const char *from; /* the importing file's path */
};

/* One file being scanned, valid during its detectors. */
struct unit {
	struct scan *scan;
	struct parser_set *parsers;
	const char *path;
	long index;	/* in scan.files, or -1 (a blob, a staged entry) */
	unsigned flags;	/* FILE_* */
	const char *data;
	size_t len;
	enum lang lang;
	uint64_t kw[2];	/* keyword bits found in the data */
	uint64_t inherit[2]; /* second pass: keyword bits of the OCPay modules it imports */
	bool page;		/* .html/.vue/.svelte: the code is in <script> blocks */
	bool php_scripts;	/* the <script> blocks of a PHP file, read after its PHP:
				 * browser JavaScript, its text already read */
	bool text_only;		/* a piece of a file too large to hold: never parsed */
	size_t line_base;	/* lines of the file before data (a piece of it) */
	size_t col_base;	/* characters of data's first line before data */
	size_t prior_findings;	/* findings earlier pieces of the file reported */
	int limit_line;		/* the first line a text detector had to skip (match limit) */
	size_t limit_lines;	/* ... and how many it skipped */
	unsigned scope;		/* SCOPE_TREE or SCOPE_HISTORY */
	char *script;		/* a page's data with only its scripts kept (lang.h) */
	struct syntax *syntax;
	struct import_frame frame;
	bool parse_tried;
	bool classified;
	int runtime;		/* enum runtime (lang/classify.h), once classified */
	bool flow_wanted;	/* a flow rule applies: lower it for the flow stage */
	struct hit *hits;
	size_t nhits, caphits;
	struct finding_list out;
};

struct hit {
	const struct rule *rule;
	enum severity severity;
	size_t seq;		/* the order hits were made: the first detector's wins a tie */
	size_t start, end;	/* span to report */
	char *secret;		/* the secret value, or NULL */
	char *message;
};

int scan_init(struct scan *s, const struct ruleset *rules, const struct scan_options *opt);
/* Scans every entry of s->files (paths relative to s->root). */
int scan_run(struct scan *s);
void scan_free(struct scan *s);

/* A scanning thread's state: its parsers and counters. Free it from the thread that
 * used it, after its last unit; its counters are then added to the scan's. */
struct worker *scan_worker_new(struct scan *s);
void scan_worker_free(struct worker *w);
/* Scans one unit held in memory with the rules of scope (SCOPE_TREE or SCOPE_HISTORY),
 * appending findings to out. Returns 1 when the unit is binary and skipped. */
int scan_worker_unit(struct worker *w, const char *path, unsigned flags, const char *data,
		     size_t len, unsigned scope, struct finding_list *out);
/* A blob over --max-file-size was not read: the scan is incomplete. Unnamed, it is noted
 * as a count at scan_finish and every rule's items become unknown; the _at form names
 * the path and affects the rules of scope only. */
void scan_worker_skipped_large(struct worker *w);
int scan_worker_skipped_large_at(struct worker *w, const char *path, size_t size,
				 unsigned scope);
void scan_worker_skipped_binary(struct worker *w);
/* History blobs are screened before their path is known. Returns 1 for binary content,
 * 2 when it holds a keyword of a history detector, 0 when no history detector that needs
 * keywords can report anything in it, whatever its path. */
int scan_screen_blob(const struct scan *s, const char *data, size_t len);
/* Whether a history detector that needs no keyword (a path rule such as .env files)
 * applies at path: the blob must then be scanned there whatever its content. */
bool scan_path_needs_blob(const struct scan *s, const char *path);
/* Runs the repository-level part of the checkers (after every unit of s->files). */
int scan_run_finishers(struct scan *s);
/* Sorts the findings and computes their fingerprints (scan_run does it). */
int scan_finish(struct scan *s);

/* Records that the scan could not see something; makes the result incomplete. */
int scan_note_incomplete(struct scan *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Records a limit reached (a file too large, a parse cut short, the regex match limit,
 * the findings cap): the scan is incomplete, and the checklist items of the rules it hid
 * something from are unknown, the reason naming the file and the limit. affected holds
 * one flag per rule of the ruleset, or is NULL for every rule; scopes are SCOPE_*. */
int scan_note_limit(struct scan *s, unsigned scopes, const bool *affected, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A limit reached in a unit: affects the rule only, or (only NULL) every rule with a
 * detector that would read the unit (parse_only: one that needs its syntax). */
int unit_note_limit(struct unit *u, bool parse_only, const struct rule *only, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The first limit that leaves the rule's item of scope undecided (NULL when none), and
 * how many were reached. */
const char *scan_limit_reason(const struct scan *s, const struct rule *r, unsigned scope);
size_t scan_limit_count(const struct scan *s, const struct rule *r, unsigned scope);
/* Remembers a secret a detector found (thread-safe): every output masks it. */
int scan_note_secret(struct scan *s, const char *secret);
/* --verbose only: records why a file was skipped or how it was read. */
void scan_log(struct scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Marks a rule's checklist items as undecidable, with the reason. */
int scan_note_unknown(struct scan *s, const struct rule *r, const char *why);
/* Sets what a rule's checklist items say of kind (the last call wins). */
int scan_note_rule(struct scan *s, const struct rule *r, enum note_kind kind, const char *text);
/* The note of kind for a rule, or NULL. */
const char *scan_rule_note(const struct scan *s, const struct rule *r, enum note_kind kind);
/* Records what a checker learnt of a file (thread-safe); text may be NULL. */
int scan_add_evidence(struct scan *s, const struct rule *r, int kind, const char *path,
		      int line, const char *text);
struct directive;
/* Records an inline suppression directive of a working-tree file (thread-safe). */
int scan_note_directive(struct scan *s, const char *path, const struct directive *d);
const char *scan_unknown_reason(const struct scan *s, const struct rule *r);

/* For checkers. message may contain {key} (the key kind) and {path}. secret may be NULL.
 * The hit is reported at [start, end) of the unit's data. */
int unit_add_hit(struct unit *u, const struct rule *r, size_t start, size_t end,
		 const char *secret, size_t secret_len, const char *message_template,
		 int severity);
/* A checker's own pattern, compiled on first use and kept by the scan for every file and
 * thread (do not free it); NULL with the error set, naming the rule. */
struct regex *checker_regex(struct scan *s, const struct rule *r, const char *pattern);
/* The 1-based line of a byte offset of the unit's data. */
int unit_line(const struct unit *u, size_t pos);
/* A repository-level finding (not tied to a scanned unit). */
int scan_add_finding(struct scan *s, const struct rule *r, enum severity sev, const char *path,
		     int line, const char *message, const char *match);
/* The unit's parse, made on first use and shared by every detector; NULL when the
 * unit is not JavaScript/TypeScript or could not be parsed (noted as incomplete). */
const struct syntax *unit_syntax(struct unit *u);
/* Where the unit's code runs (enum runtime in lang/classify.h), decided once from
 * evidence; --verbose logs the evidence. */
int unit_runtime(struct unit *u);
/* The text of the package.json nearest above a file of the scanned folder (the caller
 * frees it), or NULL. */
char *scan_package_json(const struct scan *s, const char *path, size_t *len);
/* Whether a detector applies to the unit: language, keywords (unless !keywords), paths,
 * tests, context, runtime. */
bool scan_detector_applies(struct unit *u, const struct rule *r, const struct detector *d,
			   bool keywords);
/* Whether the unit contains one of the detector's keywords (true when it has none). */
bool unit_has_keywords(const struct unit *u, const struct rule *r, const struct detector *d);
/* False when the prefilter saw that the unit does not hold word (a rules keyword, lower
 * case, matched without regard to case); true when it may, or the word is not indexed. */
bool unit_may_contain(const struct unit *u, const char *word);
/* Whether the code the rule judges (its applies_to words) was seen; true when it has none. */
bool scan_rule_applies(const struct scan *s, const struct rule *r);
/* Whether the configuration turns the rule off. */
bool rule_disabled(const struct scan *s, const struct rule *r);
/* Whether path is a test file by its name or folder: *.test.*, *.spec.*, *.cy.*,
 * *.e2e.*, or under __tests__/, test/, tests/, spec/, e2e/, cypress/. */
bool path_is_test(const char *path);
/* Whether path matches one of the globs (basename match for globs without '/'). */
bool path_matches(const char *path, char *const *globs, size_t n);

#endif
