#!/usr/bin/env bash
# The audit page (`report -o audit.html`) as a reader sees it: the verdict first, the
# checklist tally and the findings by severity and section drawn as SVG, one entry per
# leaked key with where it was committed, the checklist linked to the findings, findings
# grouped by rule with the fix in the file's own language and framework; no script and
# nothing loaded from the network. Rendered by Chromium at 1280 and 390 px and printed.
. "$(dirname "$0")/lib.sh"

# The sample shop (Express) with a WooCommerce plugin, a Django app and a FastAPI app
# beside it, and a key that was committed and then deleted.
r=$TMP/shop
cp -r "$SRC/fixtures/sample-shop" "$r"; rm "$r/expected.json"
for f in oc004-fire-php-woocommerce-return-no-check oc004-fire-python-django-no-check \
         oc004-fire-python-fastapi-ref-param oc004-fire-php-laravel-ref-from-request; do
  mkdir -p "$r/$f"; cp -r "$SRC/fixtures/$f/." "$r/$f/"; rm "$r/$f/expected.json"
done
printf 'django>=4.2\n' > "$r/oc004-fire-python-django-no-check/requirements.txt"
git -C "$r" init -q -b main; git -C "$r" add -A; git -C "$r" add -f .env.production
git -C "$r" commit -qm "shop"
printf 'const OCPAY_OLD_KEY = "sk_live_Ph3Wq8Xn1Tb6Lz9Vk4Mr7Cd2";\n' > "$r/src/legacy.js"
GIT_AUTHOR_DATE=2025-02-01T00:00:00Z GIT_COMMITTER_DATE=2025-02-01T00:00:00Z commit_all "$r" legacy
git -C "$r" rm -q src/legacy.js
GIT_AUTHOR_DATE=2025-03-01T00:00:00Z GIT_COMMITTER_DATE=2025-03-01T00:00:00Z commit_all "$r" "drop legacy"

html=$TMP/audit.html
run "$BIN" report -o "$html" "$r"
expect_code 1 "report exits like scan"
json=$TMP/audit.json
"$BIN" scan --history --format json -o "$json" "$r" 2>/dev/null

# The page itself: no script, no reference to the network but the rules' pages.
grep -qi '<script' "$html" && bad "the page has a script" || ok
grep -oiE '(src|href|action|xlink:href)=["'"'"']?[a-z]+:' "$html" | grep -v 'href="docs' &&
  bad "the page refers to something outside itself" || ok
grep -q 'Content-Security-Policy" content="default-src '"'"'none'"'" "$html" && ok ||
  bad "the page does not forbid loading"
grep -q "sk_live_T4kq9X\|sk_live_H2vN8q\|sk_live_Ph3Wq8Xn1" "$html" && bad "the page prints a key" || ok
# A base URL for the rules' pages is configurable.
OCPAY_AUDIT_DOCS_URL=https://docs.example.org/ocpay-audit/rules/ "$BIN" report -o "$TMP/b.html" "$r" 2>/dev/null
grep -q 'href="https://docs.example.org/ocpay-audit/rules/OC004.md"' "$TMP/b.html" && ok ||
  bad "OCPAY_AUDIT_DOCS_URL does not set the rules' links"
grep -q 'href="docs/rules/OC004.md"' "$html" && ok || bad "the rule's page is not linked"

# What the page says, from its text (the DOM as Chromium built it when it is there).
page_text() {
  python3 -c '
import html.parser, sys
INLINE = ("a", "code", "strong", "b", "span", "mark", "em")
class P(html.parser.HTMLParser):
    out = []; skip = 0
    def handle_starttag(self, t, a):
        self.skip += t in ("style", "script", "title")
        if t not in INLINE: self.out.append(" ")
    def handle_endtag(self, t):
        self.skip -= t in ("style", "script", "title")
        if t not in INLINE: self.out.append(" ")
    def handle_data(self, d):
        if not self.skip: self.out.append(d)
p = P(); p.feed(sys.stdin.read()); print(" ".join("".join(p.out).split()))'
}
chrome() { timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
    --hide-scrollbars --user-data-dir="$TMP/chrome" "$@" 2>/dev/null; }
have_chrome=0
command -v chromium >/dev/null && have_chrome=1
if [ $have_chrome = 1 ]; then
  dom=$(chrome --dump-dom "file://$html")
else
  echo "SKIP: rendering in Chromium (not installed: apt-get install chromium)"
  dom=$(cat "$html")
fi
text=$(page_text <<<"$dom")

# Expected figures, from the JSON of the same scan.
read -r nfind pass fail unknown na crit high <<<"$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
st = [c["status"] for c in d["checklist"]]
sev = [f["severity"] for f in d["findings"]]
print(len(d["findings"]), st.count("pass"), st.count("fail"), st.count("unknown"),
      st.count("n/a"), sev.count("critical"), sev.count("high"))' "$json")"

# First the verdict, before anything else of the body.
case $text in
  "OCPay integration audit Repository "*" Not ready for production: "*) ok ;;
  *) bad "the verdict is not the first thing on the page: ${text:0:200}" ;;
esac
for want in "Production checklist: $((pass + fail + unknown + na)) items" \
            "$pass pass $fail fail $unknown unknown $na n/a" \
            "Findings by severity: $nfind" "critical $crit high $high" \
            "Findings by checklist section" "Keys to rotate (3)" \
            "Rotate 3 leaked keys (3 live)"; do
  grep -qF -- "$want" <<<"$text" && ok || bad "the summary lacks '$want'"
done
[ "$crit" -ge 8 ] && ok || bad "the scan has $crit critical findings, the test expects 8 or more"
# The tally is drawn: one SVG per chart, a bar per status with a count.
[ "$(grep -c '<svg viewBox' "$html")" = 3 ] && ok || bad "the summary has not 3 SVG charts"
grep -q "<title>$fail fail</title>" "$html" && ok || bad "the tally has no bar of $fail fails"

# Keys to rotate: one entry per key, with where it is and whether it is still there.
for want in "sk_live_T4***(32 chars) live Still in the working tree. In 1 file." \
            "sk_live_H2***(32 chars) live Still in the working tree." \
            "sk_live_Ph***(32 chars) live Removed from the working tree, still in the git history." \
            "src/legacy.js:1 committed in" "; removed from the working tree" \
            ".env.production:2 committed in"; do
  grep -qF -- "$want" <<<"$text" && ok || bad "keys to rotate lack '$want'"
done
[ "$(grep -c '<article class="key"' "$html")" = 3 ] && ok || bad "not one entry per key"
legacy=$(git -C "$r" log --format=%H -1 -- src/legacy.js | cut -c1-12)
first=$(git -C "$r" log --format=%H --diff-filter=A -- src/legacy.js | cut -c1-12)
grep -qF "sk_live_Ph***(32 chars) live Removed from the working tree, still in the git history. In 1 file. First committed in $first (2025-02-01" <<<"$text" &&
  ok || bad "the deleted key does not name its first commit $first ($legacy)"

# The checklist links each failing item to its findings, and the links land.
grep -q '<tr id="item-OC004-tree"><td class="st st-fail">fail</td>' "$html" && ok ||
  bad "the OC004 item does not fail"
grep -q '<a href="#rule-OC004">' "$html" && ok || bad "the OC004 item does not link to its findings"
grep -q '<details class="rule" id="rule-OC004" open>' "$html" && ok || bad "no foldable OC004 group"
grep -q '<a href="#keys">3 findings</a>' "$html" && ok || bad "the history item does not link to the keys"
# Groups are in severity order: every critical group before the first high one.
order=$(grep -o '<details class="rule" id="rule-OC[0-9]*"[^>]*>
<summary><span class="sev [a-z]*' "$html" | tr -d '\n' | grep -o 'sev [a-z]*' | cut -d' ' -f2 | uniq | tr '\n' ' ')
[ "$order" = "critical high medium low " ] && ok || bad "groups not by severity: $order"

# One fix per language and framework, from the rule file, for the file it is about.
for want in "How to fix it (JavaScript, Express) app.get(\"/payment/return\"" \
            "How to fix it (PHP, WooCommerce) \$order = wc_get_order( absint( \$_GET['order_id'] ) );" \
            "How to fix it (Python, Django) def payment_return(request, order_id):" \
            "How to fix it (Python, FastAPI) @app.get(\"/payment/return\")" \
            "How to fix it (PHP, Laravel) public function return(Request \$request, Order \$order)"; do
  grep -qF -- "$want" <<<"$text" && ok || bad "the findings lack '$want'"
done
grep -qF "Why it matters. The customer controls the return URL" <<<"$text" && ok ||
  bad "the OC004 group does not say why it matters"
grep -qF "PHP and Python are read the same way" <<<"$text" && bad "the page shows detector internals" || ok

if [ $have_chrome = 1 ]; then
  for w in 1280 390; do
    png=$TMP/audit-$w.png
    chrome --screenshot="$png" --window-size=$w,2400 "file://$html" >/dev/null
    [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] && ok ||
      bad "no screenshot at $w px"
    [ "$(stat -c %s "$png" 2>/dev/null || echo 0)" -gt 20000 ] && ok || bad "blank screenshot at $w px"
    [ -n "${OCPAY_KEEP_SCREENSHOTS:-}" ] && cp "$png" "$html" "$OCPAY_KEEP_SCREENSHOTS/"
  done
  chrome --print-to-pdf="$TMP/audit.pdf" --no-pdf-header-footer "file://$html" >/dev/null
  [ "$(head -c 5 "$TMP/audit.pdf")" = "%PDF-" ] && ok || bad "no PDF print"
fi

# The Markdown audit: the same order, bounded in size, with a note of what was cut.
md=$TMP/audit.md
run "$BIN" report -o "$md" "$r"
expect_code 1 "report .md exits like scan"
heads=$(grep -E '^(#|\*\*Not ready|\*\*Checklist:)' "$md" | cut -c1-20 | tr '\n' '|')
case $heads in
  "# OCPay integration |**Not ready for prod|**Checklist:** $pass pas|## Keys to rotate (3|## Production checkl|## Findings ($nfind)|### OC004: An order |### OC001: An OCPay "*) ok ;;
  *) bad "the Markdown audit is not in the page's order: $heads" ;;
esac
for want in '`sk_live_Ph***(32 chars)` **live**: removed from the working tree' \
            'How to fix it (PHP, WooCommerce):' 'How to fix it (Python, Django):' \
            "wc_get_order( absint( \$_GET['order_id'] ) );" \
            '[Rule OC004](docs/rules/OC004.md)'; do
  grep -qF -- "$want" "$md" && ok || bad "the Markdown audit lacks '$want'"
done
grep -q "not shown" "$md" && bad "a small audit was cut" || ok
grep -q "sk_live_T4kq9X\|sk_live_Ph3Wq8Xn1" "$md" && bad "the Markdown audit prints a key" || ok
# 900 files holding the same key: one key to rotate, and findings cut at 60 kB.
big=$TMP/big; new_repo "$big"; mkdir -p "$big/src"
for i in $(seq 1 900); do
  printf 'const OCPAY_API_KEY = "sk_live_Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2";\n' > "$big/src/m$i.js"
done
commit_all "$big"
run "$BIN" report --no-history -o "$TMP/big.md" "$big"
expect_code 1 "a large audit"
size=$(stat -c %s "$TMP/big.md")
[ "$size" -le 61440 ] && ok || bad "the Markdown audit has $size bytes, more than 60 kB"
[ "$size" -ge 50000 ] && ok || bad "the Markdown audit was cut too early ($size bytes)"
grep -qE '^\*\*[0-9]+ findings not shown\*\* to keep this file under 60 kB' "$TMP/big.md" && ok ||
  bad "the cut is not said"
grep -q "^  - and 890 more places" "$TMP/big.md" && ok || bad "the key's places are not bounded"
grep -q "^## Keys to rotate (1)" "$TMP/big.md" && ok || bad "900 copies of one key are not one key"

# A repository with no OCPay code: the verdict says so and nothing is to do but keep
# scanning.
p=$TMP/blog; new_repo "$p"; printf 'console.log("hello")\n' > "$p/index.js"; commit_all "$p"
run "$BIN" report -o "$TMP/blog.html" "$p"
expect_code 0 "no OCPay code"
grep -q '<div class="verdict na">No OCPay integration found' "$TMP/blog.html" && ok ||
  bad "no integration: the verdict does not say so"
grep -q 'Keys to rotate (0)' "$TMP/blog.html" && ok || bad "no keys: the section says 0"
finish
