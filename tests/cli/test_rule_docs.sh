#!/usr/bin/env bash
# `explain` says what a rule finds, why it matters and how to fix it, concisely; --long
# adds the detectors' detail, --lang one fix in code; the rules' pages (docs/rules/) and
# the SARIF helpUri point at docs/rules/OCnnn.md, or under OCPAY_AUDIT_DOCS_URL.
. "$(dirname "$0")/lib.sh"

run "$BIN" explain OC004
expect_code 0 "explain OC004"
heads=$(grep -E '^[A-Z]' <<<"$out" | tr '\n' '|')
[ "$heads" = "OC004 fulfill-without-verification (critical)|Checklist: Security: Orders are fulfilled only after checkPayment returns CONFIRMED|What it finds|Why it matters|How to fix it|Rule page: docs/rules/OC004.md (--long: what the detectors look for)|" ] &&
  ok || bad "explain is not what, why, how: $heads"
expect_out "  An order is marked paid without a checkPayment confirming it" "what it finds, in one line"
expect_out "  The customer controls the return URL: anyone can open" "why it matters"
expect_out "  In code for: javascript, javascript/express, javascript/nextjs, php, php/laravel," \
  "the languages the fix is given in"
expect_out "(ocpay-audit explain --lang javascript OC004)" "how to see one"
expect_no_out "PHP and Python are read the same way" "no detector detail without --long"
[ "$(wc -l <<<"$out")" -le 30 ] && ok || bad "explain is $(wc -l <<<"$out") lines"
awk 'length > 90 { exit 1 }' <<<"$out" && ok || bad "explain has lines over 90 columns"

run "$BIN" explain --long OC004
expect_out "What the detectors look for" "--long: the detail"
expect_out "PHP and Python are read the same way" "--long: the description"
expect_out "Fix (php/woocommerce)" "--long: every fix"
expect_out "  fulfil_verified: checker" "--long: the detectors"

run "$BIN" explain --lang php/woocommerce OC004
expect_code 0 "--lang"
expect_out "\$order->payment_complete(" "the WooCommerce fix"
run "$BIN" explain --lang typescript/nextjs OC004
expect_out "# OC004: the javascript/nextjs fix" "TypeScript takes the JavaScript fix and says so"
run "$BIN" explain --lang python/django OC005
expect_code 2 "no fix in code for that language"
expect_err "ocpay-audit: OC005 has no fix in code for 'python/django' (its fix is the same in every language)" "says so"

# The pages in docs/rules/ are the rules' text and fixture examples.
for id in OC001 OC004 OC013; do
  page=$SRC/docs/rules/$id.md
  [ -f "$page" ] && ok || bad "no $page"
  for h in "## What it finds" "## Why it matters" "## How to fix it" "### It fires" \
           "### It stays silent" "## What the detectors look for"; do
    grep -qxF "$h" "$page" && ok || bad "$id.md lacks '$h'"
  done
  grep -q "fixtures/$(tr A-Z a-z <<<"$id")-fire-" "$page" && ok || bad "$id.md has no fire example"
done
grep -q "^### PHP, WooCommerce$" "$SRC/docs/rules/OC004.md" && ok || bad "OC004.md lacks the WooCommerce fix"
grep -qE "sk_live_[A-Za-z0-9]{8}" "$SRC"/docs/rules/*.md && bad "a rule page shows a fixture key" || ok

# SARIF links each rule to its page.
p=$TMP/p; new_repo "$p"; printf 'const OCPAY_API_KEY = "sk_live_Ab3Cd4Ef5Gh6Ij7Kl8Mn9";\n' > "$p/a.js"
commit_all "$p"
"$BIN" scan --format sarif -o "$TMP/a.sarif" "$p" 2>/dev/null
# SARIF's helpUri must be absolute: with no base URL it is OCPay's docs, and the help
# text links the page in the repository.
uri=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["runs"][0]["tool"]["driver"]["rules"][3]; print(r["helpUri"], r["help"]["markdown"].count("(docs/rules/OC004.md)"))' "$TMP/a.sarif")
[ "$uri" = "https://docs.oneclickdz.com 1" ] && ok || bad "SARIF helpUri and help link: '$uri'"
OCPAY_AUDIT_DOCS_URL=https://example.org/ocpay-audit/docs/rules "$BIN" scan --format sarif -o "$TMP/b.sarif" "$p" 2>/dev/null
grep -q '"helpUri": "https://example.org/ocpay-audit/docs/rules/OC004.md"' "$TMP/b.sarif" && ok ||
  bad "OCPAY_AUDIT_DOCS_URL does not set helpUri"
finish
