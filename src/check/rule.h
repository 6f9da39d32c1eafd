/* Rules as data: the rules folder compiled into the binary (embedded_rules) plus any --rules
 * DIR, loaded by one loader into a ruleset. A ruleset is read-only once loaded and is
 * shared by every scanning thread. ruleset_free() frees rules, detectors and their
 * compiled regexes and queries. */
#ifndef OCPAY_RULE_H
#define OCPAY_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/finding.h"
#include "core/secret.h"
#include "lang/lang.h"
#include "source/sink.h" /* enum scope */

struct embedded_rule {
	const char *name;
	const char *text;
	size_t len;
};
extern const struct embedded_rule embedded_rules[];

struct regex;
struct literal_set;
struct tsq;
struct checker;

enum detector_type { DETECT_REGEX, DETECT_QUERY, DETECT_CHECKER };

struct detector {
	enum detector_type type;
	char *label;
	char *pattern;	 /* regex or query source */
	char *secret;	 /* group/capture holding the secret, or NULL */
	char *report;	 /* group/capture to report at; default: secret, else whole match */
	char **keywords; /* caseless literals, one of which the file must contain */
	size_t nkeywords;
	char *context;	      /* a regex the file must also match somewhere */
	char *unless_line;    /* a regex that, matching the hit's line, drops the hit */
	char *unless_context; /* a regex that, matching the file somewhere, turns it off */
	char **paths;	      /* globs the path must match (basename when no '/') */
	size_t npaths;
	char **unless_paths; /* globs the path must not match */
	size_t nunless_paths;
	bool skip_tests;   /* not in test files (path_is_test): production code only */
	unsigned langs;	   /* LANG_BIT mask */
	unsigned runtimes; /* bits 1 << enum runtime (lang/classify.h); 0: any */
	size_t min_length; /* for unprefixed secrets */
	char *message;	   /* template; NULL: the rule's */
	/* compiled */
	struct regex *re;
	struct regex *context_re;
	struct regex *unless_line_re;
	struct regex *unless_context_re;
	int secret_group, report_group;
	struct tsq *query[LANG_COUNT];
	const struct checker *checker;
	uint64_t kwmask[2]; /* bits of the ruleset's keyword table */
};

struct checklist_item {
	char *section;
	char *item;
	enum scope scope;
};

/* The fix as code for one language ("php") or one framework of it ("php/woocommerce"). */
struct rule_fix {
	char *key;
	char *code;
};

struct rule {
	char *id;
	char *name;
	char *source; /* file the rule came from, for messages */
	bool builtin; /* from rules/ in the binary: it has a page in docs/rules/ */
	enum severity severity;
	bool by_kind;			/* severity set per key kind */
	enum severity kind_severity[3]; /* indexed by enum key_kind */
	char *precision;
	unsigned scopes; /* SCOPE_* where it runs */
	char *summary;	 /* one line */
	char *message;
	char *description;
	char *fix;		/* the fix in words, and code when no fixes entry fits */
	char *why;		/* why it matters to the business, one or two sentences */
	struct rule_fix *fixes; /* code per language and framework (rule_fix.c) */
	size_t nfixes;
	char *docs;
	char *pass_reason; /* what a passing checklist item says, when its check has no detail */
	/* applies_to: words of the code the rule judges (createLink ...); with none of them
	 * in the scanned code its checklist items are n/a. */
	char **applies_to;
	size_t napplies;
	uint64_t applies_mask[2];
	char *not_applicable; /* "no createLink or create_link in the code" */
	struct checklist_item *items;
	size_t nitems;
	struct detector *detectors;
	size_t ndetectors;
};

/* The literal prefilter: every detector keyword in one caseless regex, and the words
 * that show a file takes part in an OCPay integration. Built by ruleset_prepare(): one
 * set of the words of the rules that read history (for blobs, whose path and language
 * are not known yet) and one per language, of the words its detectors can use. */
#define RULESET_MAX_KEYWORDS 128

struct ruleset {
	struct rule *rules;
	size_t len;
	struct literal_set *prefilter;
	struct literal_set *prefilter_lang[LANG_COUNT];
	char **keywords; /* lower case, indexed by bit */
	size_t nkeywords;
	uint64_t ocpay_mask[2];
	uint64_t status_mask[2]; /* "confirmed": code files the flow rules may need to read
				  * although they never name OCPay (a return handler) */
	/* rules/models/ and DIR/models/ of --rules DIR: loaded by ruleset_models() when a
	 * scan first needs them (only the flow stage does), at once with --rules DIR so
	 * that a mistake in DIR/models/ is told before any scan */
	struct model_set *models;
	char *models_dir;
};

/* Loads one rule from YAML text. name is used in error messages ("name:line:col: ...").
 * Returns 0 or -1 with the error set. */
int ruleset_add_yaml(struct ruleset *set, const char *name, const char *text, size_t len);
/* The detector's query for a language, compiled on first use (thread-safe); NULL when
 * the detector has none for it or it does not compile (error_last() says why). */
const struct tsq *detector_query(const struct detector *d, enum lang l);
/* The built-in rules and models, then every *.yml of extra_dir (may be NULL) and the
 * models of extra_dir/models/. */
int ruleset_load(struct ruleset *set, const char *extra_dir);
/* Builds the prefilter once every rule is added (ruleset_load calls it). */
int ruleset_prepare(struct ruleset *set);
void ruleset_free(struct ruleset *set);
/* The frameworks' models, loaded on the first call (not thread-safe: the flow stage calls
 * it before its threads start); NULL with the error set when they cannot be. */
const struct model_set *ruleset_models(const struct ruleset *set);
const struct rule *ruleset_find(const struct ruleset *set, const char *id);
enum severity rule_severity(const struct rule *r, enum key_kind kind);

struct yaml_document_s;
struct yaml_node_s;
/* Loads a rule's fixes: map (key: code). Keys are a language (javascript, typescript,
 * php, python) or language/framework in lower case. name is the rule file, for errors.
 * 0, or -1 with the error set. */
int rule_fixes_load(struct rule *r, struct yaml_document_s *doc, struct yaml_node_s *map,
		    const char *name);
void rule_fixes_free(struct rule *r);
/* The code of the fix that fits best: language/framework, then the language (TypeScript
 * falls back to JavaScript), then NULL (the rule's fix in words is what is left). *key is
 * set to the entry used. lang and framework may be NULL. */
const char *rule_fix_for(const struct rule *r, const char *lang, const char *framework,
			 const char **key);

#endif
