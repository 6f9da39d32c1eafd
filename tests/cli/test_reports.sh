#!/usr/bin/env bash
# Every output format on the sample shop against golden files (OCPAY_UPDATE_GOLDEN=1
# rewrites them), SARIF through Microsoft's validator, the HTML audit rendered by
# Chromium, the report command, and the checklist of a repository with no OCPay code.
. "$(dirname "$0")/lib.sh"
GOLDEN=$SRC/tests/golden

r=$TMP/sample-shop
cp -r "$SRC/fixtures/sample-shop" "$r"; rm "$r/expected.json"
git -C "$r" init -q -b main; git -C "$r" add -A; git -C "$r" add -f .env.production
git -C "$r" commit -qm "sample shop"

# Durations vary from run to run; nothing else may.
normalise() {
  sed -E 's/[0-9]+ ms/N ms/g; s/"duration_ms": [0-9]+/"duration_ms": 0/; s/ocpay-audit [0-9]+\.[0-9]+\.[0-9]+/ocpay-audit VERSION/g; s/"(semanticVersion|version)": "[0-9]+\.[0-9]+\.[0-9]+"/"\1": "VERSION"/g'
}
for fmt in text json sarif github markdown; do
  got=$(cd "$r" && "$BIN" scan --format "$fmt" . 2>/dev/null | normalise)
  file=$GOLDEN/sample-shop.$fmt
  if [ "${OCPAY_UPDATE_GOLDEN:-0}" = 1 ]; then
    printf '%s\n' "$got" > "$file"
  fi
  if [ "$got" = "$(cat "$file" 2>/dev/null)" ]; then ok; else
    bad "--format $fmt differs from $file:
$(diff <(printf '%s\n' "$got") "$file" | head -20)"
  fi
  grep -q "sk_live_T4kq9X\|sk_live_H2vN8q" <<<"$got" && bad "--format $fmt prints a key" || ok
done

# SARIF: Microsoft's validator (schema and authoring rules), suppressed results included.
sarif=$TMP/out.sarif
printf '// ocpay-audit-ignore OC001 -- rotated key kept for the migration test\n' > "$r/src/legacy.js"
printf 'const OCPAY_OLD_KEY = "sk_live_Ph3Wq8Xn1Tb6Lz9Vk4Mr7Cd2";\n' >> "$r/src/legacy.js"
(cd "$r" && "$BIN" scan --history --format sarif -o "$sarif" .)
if [ "${OCPAY_SKIP_NET_TOOLS:-0}" = 1 ]; then
  echo "SKIP: SARIF validation (OCPAY_SKIP_NET_TOOLS=1)"
elif mt=$("$SRC/tests/tools/sarif-multitool.sh"); then
  v=$(DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$mt" validate "$sarif" 2>&1)
  grep -q "Analysis completed successfully" <<<"$v" && ok || bad "sarif-multitool did not finish: $v"
  grep -E ": error " <<<"$v" && bad "SARIF has errors: $v" || ok
else
  bad "cannot fetch the SARIF validator"
fi

# report: one self-contained page, rendered in Chromium.
run "$BIN" report "$r"
expect_code 2 "report needs -o"
expect_err "report needs -o FILE" "report says so"
run "$BIN" report -o "$TMP/audit.pdf" "$r"
expect_code 2 "report refuses an unknown extension"
run "$BIN" report -o "$TMP/audit.html" "$r"
expect_code 1 "report exits like scan"
expect_err "wrote $TMP/audit.html" "report says where it wrote"
html=$TMP/audit.html
grep -qiE '(src|href)=["'"'"']?(https?:)?//' "$html" && bad "the page loads something from the network" || ok
grep -q "sk_live_T4kq9X\|sk_live_H2vN8q\|sk_live_Ph3Wq8Xn1" "$html" && bad "the page prints a key" || ok
run "$BIN" report -o "$TMP/audit.md" "$r"
expect_code 1 "report .md"
grep -q "^# OCPay integration audit" "$TMP/audit.md" && ok || bad "the .md report is the audit in Markdown"

if command -v chromium >/dev/null; then
  chrome() { timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
      --user-data-dir="$TMP/chrome" "$@" 2>/dev/null; }
  dom=$(chrome --dump-dom "file://$html")
  text=$(python3 -c '
import html.parser, sys
class P(html.parser.HTMLParser):
    out = []; skip = 0
    def handle_starttag(self, t, a): self.skip += t in ("style", "script")
    def handle_endtag(self, t): self.skip -= t in ("style", "script")
    def handle_data(self, d):
        if not self.skip: self.out.append(d)
p = P(); p.feed(sys.stdin.read()); print(" ".join(" ".join(p.out).split()))' <<<"$dom")
  for want in "Not ready for production" "Production checklist" \
              "hardcoded OCPay live key" "src/routes/payments.js:29" "Why it matters" \
              "How to fix it" "Keys to rotate" "commit " "sk_live_T4***(32 chars)"; do
    grep -qF -- "$want" <<<"$text" && ok || bad "the rendered page lacks '$want'"
  done
  chrome --screenshot="$TMP/audit.png" --window-size=1100,1600 "file://$html" >/dev/null
  [ "$(head -c 8 "$TMP/audit.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] && ok ||
    bad "no PNG screenshot"
  [ "$(stat -c %s "$TMP/audit.png" 2>/dev/null || echo 0)" -gt 20000 ] && ok || bad "blank screenshot"
  chrome --print-to-pdf="$TMP/audit.pdf" --no-pdf-header-footer "file://$html" >/dev/null
  [ "$(head -c 5 "$TMP/audit.pdf")" = "%PDF-" ] && ok || bad "no PDF print"
else
  echo "SKIP: the HTML report in a browser (chromium is not installed: apt-get install chromium)"
fi

# A repository with no OCPay code says so instead of passing everything.
p=$TMP/blog; new_repo "$p"; printf 'console.log("hello")\n' > "$p/index.js"; commit_all "$p"
run "$BIN" scan "$p"
expect_code 0 "no OCPay code"
expect_out "No OCPay integration found here" "the text says there is no integration"
expect_out "n/a     API keys are kept out of code" "items are n/a, not pass"
run "$BIN" scan --format markdown "$p"
expect_out "No OCPay integration found" "markdown says so too"

# Repository-level checklist reasons: the tested payment scenarios (OC013) and a missing
# schema (OC011) show in every format, not only as findings.
p=$TMP/tested; new_repo "$p"; mkdir -p "$p/src" "$p/tests"
cat > "$p/src/pay.js" <<'JS'
const { OCPay } = require("@oneclickdz/ocpay-sdk");
const ocpay = new OCPay(process.env.ONECLICK_API_KEY);
exports.status = async (ref) => (await ocpay.checkPayment(ref)).status;
JS
cat > "$p/tests/pay.test.js" <<'JS'
jest.mock("@oneclickdz/ocpay-sdk");
test("confirmed", async () => {
  mockCheckPayment.mockResolvedValue({ status: "CONFIRMED" });
});
JS
commit_all "$p"
for fmt in text markdown html json; do
  run "$BIN" scan --format "$fmt" "$p"
  expect_out "tested: successful payment (tests/pay.test.js:3); untested: failed payment" \
    "$fmt: the OC013 item names the tested and untested scenarios"
  expect_out "no schema or migration with a payment reference column found" \
    "$fmt: the OC011 item says why it is unknown"
done
rm "$p/tests/pay.test.js"; commit_all "$p"
run "$BIN" scan --format json "$p"
expect_out '"reason": "no test files' "no tests: the OC013 item fails with the reason"

finish
