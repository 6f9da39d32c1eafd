/* OC013 payment-scenarios-untested: the docs list five cases to test before going live
 * (successful payment, failed payment, expired link, customer returns without paying, API
 * errors). Each test file (jest, vitest, mocha, node:test, playwright, cypress; pytest,
 * unittest and Django tests; PHPUnit and Pest) that exercises the payment code records
 * which of them it shows evidence of: a mocked or asserted CONFIRMED, FAILED, an expiry,
 * PENDING, or an HTTP error around createLink or checkPayment (check_payment). finish() decides for the repository and says, in the checklist item,
 * which scenarios have a test and which do not. No test at all fails the item. */
#define _GNU_SOURCE /* memmem, strcasestr */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/scan.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/regex.h"

enum { EV_TEST, EV_PAYMENT_TEST, EV_CODE, EV_SCENARIO };

static const struct {
	const char *name;
	const char *evidence; /* regex over a payment test file */
	const char *script;   /* the same over a PHP or Python test, when it differs */
} scenarios[] = {
	{"successful payment", "\\bCONFIRMED\\b", NULL},
	{"failed payment", "\\bFAILED\\b", NULL},
	{"expired link", "(?i)expir", NULL},
	/* PENDING as the API's answer (mocked, stubbed, replied), not an order's status */
	{"customer returns without paying",
	 "(?m)^[^\\n]*(?:mock|[Rr]esolve|\\.returns\\(|reply|fulfill|stub|intercept|Response|"
	 "\\[\\s*[\"']PENDING)[^\\n]*\\bPENDING\\b|"
	 "(?i)without\\s+pay|abandon|never\\s+paid|not\\s+paid|unpaid",
	 /* return_value, willReturn, Http::response, responses/respx/requests_mock, or the
	  * API's envelope ('data' => ['status' => 'PENDING']); test names use underscores */
	 "(?m)^[^\\n]*(?:[Mm]ock|[Ss]tub|return_value|side_effect|willReturn|andReturns?|Http::response|"
	 "Response|respx|responses\\.|requests_mock|\\bjson\\s*=|[\"']data[\"']\\s*(?:=>|:)|"
	 "\\[\\s*[\"']PENDING)[^\\n]*\\bPENDING\\b|"
	 "(?i)without[\\s_]*pay|abandon|never[\\s_]*paid|not[\\s_]*paid|unpaid"},
	{"API errors",
	 "mockRejectedValue|\\brejects\\.|Promise\\.reject|\\bstatus(?:Code)?\\s*[:=(]\\s*[45]\\d\\d\\b|"
	 "\\.reply\\(\\s*[45]\\d\\d|\\bok\\s*:\\s*false|\\bsuccess\\s*:\\s*false|route\\.abort|"
	 "HttpResponse\\.error|\\.expect\\(\\s*[45]\\d\\d\\s*\\)|to(?:Be|Equal)\\(\\s*[45]\\d\\d\\s*\\)|"
	 "(?i)merchant not validated",
	 /* an HTTP 4xx/5xx mocked or asserted, a raised client error, success: false */
	 "\\b(?:status|status_code|statusCode)\\s*(?:[:=(,]|==|=>)\\s*[45]\\d\\d\\b|"
	 "[\"']status[\"']\\s*(?:=>|:)\\s*[45]\\d\\d\\b|"
	 "(?:Http::response|Response)\\s*\\((?:[^\\n]*,)?\\s*[45]\\d\\d\\b|"
	 "assert(?:Status|Equals)\\(\\s*[45]\\d\\d\\b|\\bside_effect\\s*=\\s*[\\w.]*(?:Error|Exception)\\b|"
	 "->(?:andThrow|willThrowException)\\s*\\(|expectException|pytest\\.raises|assertRaises|"
	 "->toThrow\\(|\\bthrow\\s+new\\s+[\\w\\\\]*(?:Exception|Error)\\b|"
	 "[\"']success[\"']\\s*(?:=>|:)\\s*(?:false|False)\\b|\\bsuccess\\s*=\\s*False\\b|"
	 "(?i)merchant not validated"},
};
#define NSCENARIOS (sizeof scenarios / sizeof scenarios[0])

/* A test file (path_is_test) holds a test. */
static const char *const test_call_re =
	"\\b(?:describe|it|test|suite)(?:\\.\\w+)?\\s*\\(|from\\s+[\"']node:test[\"']|"
	"require\\([\"']node:test[\"']\\)";
/* A PHP or Python test: pytest and unittest test functions and methods, PHPUnit test
 * methods (test*, @test, #[Test]), Pest's it() and test(), and conftest.py fixtures. */
static const char *const script_test_re =
	"(?m)^[ \\t]*(?:async[ \\t]+)?def[ \\t]+test\\w*[ \\t]*\\(|\\bfunction[ \\t]+test\\w*[ \\t]*\\(|"
	"@test\\b|#\\[Test\\]|(?<![\\w$>:.])(?:it|test|describe)[ \\t]*\\([ \\t]*[\"']|"
	"@pytest\\.fixture\\b";
/* What ties a test to the payment code. */
static const char *const payment_re =
	"(?i)createLink|checkPayment|create_link|check_payment|ocpay|oneclick|paymentRef|"
	"payment_ref|paymentUrl";

/* Whether the pattern matches the unit, and the 1-based line of the first match. */
static int first_line(struct unit *u, const struct rule *r, const char *pattern, int *line)
{
	struct regex *re = checker_regex(u->scan, r, pattern);
	if (!re)
		return -1;
	struct regex_iter it;
	regex_iter_init(&it, re, u->data, u->len);
	size_t a, b;
	int found = regex_iter_next(&it) && regex_iter_group(&it, 0, &a, &b);
	if (found)
		*line = unit_line(u, a);
	regex_iter_free(&it);
	return found;
}

/* Whether needle (lower-case letters) occurs in [p, p + n) without regard to case: its
 * first letter is found with memchr in both cases, the rest compared there. */
static bool contains_ci(const char *p, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	const char *end = p + n;
	while ((size_t)(end - p) >= m) {
		const char *last = end - m + 1;
		const char *hit = memchr(p, needle[0], (size_t)(last - p));
		const char *up = memchr(p, needle[0] - 32, (size_t)((hit ? hit : last) - p));
		if (up)
			hit = up;
		if (!hit)
			return false;
		size_t j = 1;
		while (j < m && (hit[j] | 0x20) == needle[j])
			j++;
		if (j == m)
			return true;
		p = hit + 1;
	}
	return false;
}

/* payment_re matches only where one of its words is; the prefilter has looked for all but
 * paymentUrl, and most test files hold none, so the regex is spared on them. */
static bool may_name_payment(const struct unit *u)
{
	static const char *const words[] = {"createlink", "checkpayment", "create_link",
					    "check_payment", "ocpay", "oneclick",
					    "paymentref", "payment_ref"};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (unit_may_contain(u, words[i]))
			return true;
	return contains_ci(u->data, u->len, "paymenturl");
}

static bool word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool space_byte(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool test_word(const char *w, size_t n)
{
	return (n == 8 && !memcmp(w, "describe", 8)) || (n == 2 && !memcmp(w, "it", 2)) ||
	       (n == 4 && !memcmp(w, "test", 4)) || (n == 5 && !memcmp(w, "suite", 5));
}

/* test_call_re's first branch, \b(?:describe|it|test|suite)(?:\.\w+)?\s*\(, looked for
 * from each '(' backwards: the regex engine tries every word of the file, and many test
 * files (ESLint's RuleTester ones) hold no such call, so the whole file is read. */
static bool has_test_call(const char *s, size_t n)
{
	for (const char *p = s; (p = memchr(p, '(', n - (size_t)(p - s))); p++) {
		const char *q = p;
		while (q > s && space_byte((unsigned char)q[-1]))
			q--;
		const char *end = q;
		while (q > s && word_byte((unsigned char)q[-1]))
			q--;
		if (q == end)
			continue;
		if (test_word(q, (size_t)(end - q)))
			return true;
		/* describe.only(: the word, then one .member */
		if (q > s && q[-1] == '.') {
			const char *w = q - 1;
			while (w > s && word_byte((unsigned char)w[-1]))
				w--;
			if (test_word(w, (size_t)(q - 1 - w)))
				return true;
		}
	}
	return false;
}

/* Whether a JavaScript test file holds a test (test_call_re). */
static int holds_test(struct unit *u, const struct rule *r)
{
	int line;
	/* the node:test branches are left to the regex */
	if (memmem(u->data, u->len, "node:test", 9))
		return first_line(u, r, test_call_re, &line);
	return has_test_call(u->data, u->len);
}

/* support: a conftest.py, whose fixtures (a respx router, a mocked client) serve the
 * tests of its folder: its evidence counts, but it is no test of its own. */
static int read_test(struct unit *u, const struct rule *r, bool support)
{
	int line, rc = may_name_payment(u) ? first_line(u, r, payment_re, &line) : 0;
	if (rc <= 0)
		return rc;
	if (!support && scan_add_evidence(u->scan, r, EV_PAYMENT_TEST, u->path, line, NULL) < 0)
		return -1;
	bool script = u->lang == LANG_PHP || u->lang == LANG_PYTHON;
	for (size_t i = 0; i < NSCENARIOS; i++) {
		const char *evidence = script && scenarios[i].script ? scenarios[i].script
								     : scenarios[i].evidence;
		int found = first_line(u, r, evidence, &line);
		if (found < 0 ||
		    (found && scan_add_evidence(u->scan, r, EV_SCENARIO, u->path, line,
						scenarios[i].name) < 0))
			return -1;
	}
	return 0;
}

/* Python and PHP test files by name, beside path_is_test's folders: pytest's test_*.py,
 * *_test.py and conftest.py, Django's tests.py, PHPUnit's and Pest's *Test.php. */
static bool script_path_is_test(const char *path, enum lang lang)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (lang == LANG_PYTHON)
		return !strncmp(base, "test_", 5) || (n > 8 && !strcmp(base + n - 8, "_test.py")) ||
		       !strcmp(base, "conftest.py") || !strcmp(base, "tests.py");
	return n > 8 && !strcmp(base + n - 8, "Test.php");
}

/* The payment code itself, where a finding goes when no test touches it. */
static int read_code(struct unit *u, const struct rule *r)
{
	static const char *const calls[] = {"createLink", "checkPayment", "create_link",
					    "check_payment"};
	static const char *const words[] = {"createlink", "checkpayment", "create_link",
					    "check_payment"};
	size_t ncalls = u->lang == LANG_PYTHON || u->lang == LANG_PHP ? 4 : 2;
	for (size_t i = 0; i < ncalls; i++) {
		/* the prefilter knows most files hold none: no need to search them again */
		if (!unit_may_contain(u, words[i]))
			continue;
		const char *p = memmem(u->data, u->len, calls[i], strlen(calls[i]));
		if (!p)
			continue;
		return scan_add_evidence(u->scan, r, EV_CODE, u->path,
					 unit_line(u, (size_t)(p - u->data)), NULL);
	}
	return 0;
}

int oc013_scenarios_unit(struct unit *u, const struct rule *r, const struct detector *d)
{
	(void)d;
	/* The <script> blocks of a PHP page: the PHP reading already saw the file. */
	if (u->php_scripts)
		return 0;
	bool script = u->lang == LANG_PHP || u->lang == LANG_PYTHON;
	int line, is_test = 0;
	if (path_is_test(u->path) || (script && script_path_is_test(u->path, u->lang)))
		is_test = script ? first_line(u, r, script_test_re, &line) : holds_test(u, r);
	if (is_test < 0)
		return -1;
	if (!is_test)
		return read_code(u, r);
	const char *base = strrchr(u->path, '/');
	bool support = u->lang == LANG_PYTHON && !strcmp(base ? base + 1 : u->path, "conftest.py");
	if (!support && scan_add_evidence(u->scan, r, EV_TEST, u->path, 1, NULL) < 0)
		return -1;
	return read_test(u, r, support);
}

/* The first evidence of a kind (and scenario name), or NULL. */
static const struct scan_evidence *first(const struct scan *s, const struct rule *r, int kind,
					 const char *name)
{
	for (size_t i = 0; i < s->nevidence; i++) {
		const struct scan_evidence *e = &s->evidence[i];
		if (e->rule == r && e->kind == kind && (!name || !strcmp(e->text, name)))
			return e;
	}
	return NULL;
}

/* "tested: successful payment (tests/pay.test.js:12); untested: expired link, API errors" */
static char *coverage(const struct scan *s, const struct rule *r, size_t *missing)
{
	struct buf tested = BUF_INIT, untested = BUF_INIT;
	*missing = 0;
	for (size_t i = 0; i < NSCENARIOS; i++) {
		const struct scan_evidence *e = first(s, r, EV_SCENARIO, scenarios[i].name);
		if (e) {
			buf_puts(&tested, tested.len ? ", " : "tested: ");
			buf_printf(&tested, "%s (%s:%d)", scenarios[i].name, e->path, e->line);
		} else {
			buf_puts(&untested, untested.len ? ", " : "untested: ");
			buf_puts(&untested, scenarios[i].name);
			(*missing)++;
		}
	}
	if (tested.len && untested.len)
		buf_puts(&tested, "; ");
	buf_put(&tested, untested.ptr ? untested.ptr : "", untested.len);
	buf_free(&untested);
	return buf_detach(&tested);
}

static int report_gap(struct scan *s, const struct rule *r, size_t missing, size_t ntests,
		      const char *untested)
{
	const struct scan_evidence *at = first(s, r, EV_PAYMENT_TEST, NULL);
	char msg[1024];
	if (at && missing == NSCENARIOS)
		snprintf(msg, sizeof msg,
			 "the payment tests exercise none of the scenarios the docs list (%s)",
			 untested);
	else if (at)
		snprintf(msg, sizeof msg, "the payment tests leave scenarios of the docs %s",
			 untested);
	else
		snprintf(msg, sizeof msg,
			 "%zu test file%s, none exercises a payment (createLink or checkPayment): "
			 "successful payment, failed payment, expired link, customer returns "
			 "without paying and API errors are untested",
			 ntests, ntests == 1 ? "" : "s");
	if (!at && !(at = first(s, r, EV_CODE, NULL)))
		at = first(s, r, EV_TEST, NULL);
	enum severity sev = missing == NSCENARIOS ? r->severity : SEV_LOW;
	return scan_add_finding(s, r, sev, at->path, at->line, msg, untested);
}

int oc013_scenarios_finish(struct scan *s, const struct rule *r)
{
	if (!s->ocpay_seen || !scan_rule_applies(s, r))
		return 0;
	size_t ntests = 0;
	for (size_t i = 0; i < s->nevidence; i++)
		ntests += s->evidence[i].rule == r && s->evidence[i].kind == EV_TEST;
	if (!ntests)
		return scan_note_rule(s, r, NOTE_FAIL,
				      "no test files (jest, vitest, mocha, node:test, playwright, "
				      "cypress, pytest, unittest, PHPUnit, Pest): none of the payment "
				      "scenarios the docs list is tested");
	size_t missing;
	char *text = coverage(s, r, &missing);
	if (!text)
		return error_set("out of memory");
	int rc = scan_note_rule(s, r, NOTE_DETAIL, text);
	if (!rc && missing) {
		const char *untested = strstr(text, "untested: ");
		rc = report_gap(s, r, missing, ntests, untested ? untested : text);
	}
	free(text);
	return rc;
}
