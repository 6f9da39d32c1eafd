#!/usr/bin/env bash
# Output plumbing: several reports in one run, the format from -o's extension, -o - as
# standard output, the GitLab and JUnit formats, the JSON report's schema, the Markdown
# bound, colour and the progress line.
. "$(dirname "$0")/lib.sh"
VALIDATE=$SRC/tests/tools/validate_json.py

r=$TMP/shop
cp -r "$SRC/fixtures/sample-shop" "$r"; rm "$r/expected.json"
git -C "$r" init -q -b main; git -C "$r" add -A; git -C "$r" add -f .env.production
git -C "$r" commit -qm "sample shop"
cd "$r" || exit 2

# -o FILE takes the format from the extension; --format wins over it.
for pair in sarif:.version json:.schema_version md:. html:. xml:.; do
  ext=${pair%%:*}
  run "$BIN" scan -o "$TMP/out.$ext" .
  expect_code 1 "-o out.$ext: findings fail"
  [ -z "$out" ] && ok || bad "-o out.$ext: the file takes the terminal's place, stdout: $out"
done
[ "$(jq -r .version "$TMP/out.sarif")" = 2.1.0 ] && ok || bad "-o out.sarif is SARIF"
[ "$(jq -r .schema_version "$TMP/out.json")" = 1.0 ] && ok || bad "-o out.json is the JSON report"
head -1 "$TMP/out.md" | grep -q '^## ocpay-audit: ' && ok || bad "-o out.md is Markdown"
grep -q '<!DOCTYPE html>' "$TMP/out.html" && ok || bad "-o out.html is HTML"
python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$TMP/out.xml" && ok || bad "-o out.xml is XML"
run "$BIN" scan --format json -o "$TMP/forced.sarif" .
[ "$(jq -r .schema_version "$TMP/forced.sarif")" = 1.0 ] && ok || bad "--format json wins over .sarif"
run "$BIN" scan -o "$TMP/plain.txt" .
grep -q '^Production checklist' "$TMP/plain.txt" && ok || bad "-o with another extension: text"

# -o - is standard output: no file named '-'.
run "$BIN" scan --format json -o - .
expect_code 1 "-o -: findings fail"
expect_out '"schema_version": "1.0"' "-o - writes to stdout"
[ ! -e "$r/-" ] && ok || bad "-o - created a file named '-'"

# Several reports at once, the terminal keeping its own.
run "$BIN" scan -q --output sarif="$TMP/m.sarif" --output gitlab-sast="$TMP/gl.json" \
  --output codequality="$TMP/cq.json" --output junit="$TMP/j.xml" --output json="$TMP/m.json" .
expect_code 1 "several outputs: findings fail"
expect_out "src/config.js:3:53: critical: hardcoded OCPay live key" "several outputs: the terminal keeps its text"
for f in m.sarif gl.json cq.json j.xml m.json; do [ -s "$TMP/$f" ] && ok || bad "--output wrote no $f"; done
n=$(jq '.findings | length' "$TMP/m.json")
[ "$(jq '.runs[0].results | length' "$TMP/m.sarif")" = "$n" ] && ok || bad "sarif and json disagree on the findings"
run "$BIN" scan -o "$TMP/a.json" -o "$TMP/b.json" .
expect_code 2 "two plain -o FILE"
expect_err "one -o FILE takes the place of the terminal's report; add more with --output FORMAT=FILE" "two -o message"
run "$BIN" scan --output jsn="$TMP/x.json" .
expect_code 2 "a misspelt format in --output"
expect_err "--output jsn=$TMP/x.json: unknown format 'jsn'" "misspelt format message"
[ ! -e "$TMP/x.json" ] && [ ! -e "$r/jsn=$TMP/x.json" ] && ok || bad "a misspelt --output wrote a file"

# The JSON report matches the schema shipped with the tool, in every mode.
"$BIN" scan --format json . > "$TMP/tree.json"
"$BIN" scan --history --format json . > "$TMP/hist.json"
"$BIN" scan --format json src > "$TMP/folder.json"
v=$(python3 "$VALIDATE" "$SRC/schema/ocpay-audit-report.schema.json" "$TMP/tree.json" "$TMP/hist.json" "$TMP/folder.json" "$TMP/m.json" 2>&1) \
  && ok || bad "JSON report against schema/ocpay-audit-report.schema.json: $v"

# GitLab: the security report has what GitLab requires; Code Quality has its fields.
v=$(python3 "$VALIDATE" "$SRC/tests/tools/gitlab-sast-required.schema.json" "$TMP/gl.json" 2>&1) \
  && ok || bad "gitlab-sast report: $v"
[ "$(jq '.vulnerabilities | length' "$TMP/gl.json")" = "$n" ] && ok || bad "gitlab-sast: one vulnerability per finding"
[ "$(jq -r '[.vulnerabilities[] | select(.location.file == "src/config.js")][0].severity' "$TMP/gl.json")" = Critical ] \
  && ok || bad "gitlab-sast: the live key is Critical"
jq -e 'all(.[]; .type == "issue" and (.description|type) == "string" and (.check_name|test("^OC[0-9]{3}$"))
  and (.fingerprint|length) == 40 and (.severity|IN("info","minor","major","critical","blocker"))
  and (.location.path|type) == "string" and (.location.lines.begin >= 1))' "$TMP/cq.json" >/dev/null \
  && ok || bad "codequality: every issue has GitLab's fields"
[ "$(jq length "$TMP/cq.json")" = "$n" ] && ok || bad "codequality: one issue per finding"
grep -q 'sk_live_T4kq9X\|sk_live_H2vN8q' "$TMP/gl.json" "$TMP/cq.json" "$TMP/j.xml" && bad "a GitLab or JUnit report prints a key" || ok

# JUnit: checklist items and findings are test cases; high and above fail.
junit=$(python3 - "$TMP/j.xml" <<'PY'
import sys, xml.etree.ElementTree as E
root = E.parse(sys.argv[1]).getroot()
for s in root.findall("testsuite"):
    cases = s.findall("testcase")
    fails = sum(1 for c in cases if c.find("failure") is not None)
    print(s.get("name"), len(cases), fails, s.get("tests"), s.get("failures"))
PY
)
critical_high=$(jq '[.findings[] | select(.severity == "critical" or .severity == "high")] | length' "$TMP/m.json")
grep -q "^ocpay-audit findings $n $critical_high $n $critical_high\$" <<<"$junit" && ok || bad "junit findings suite: $junit"
grep -q "^ocpay-audit checklist 15 " <<<"$junit" && ok || bad "junit checklist suite: $junit"

# Markdown stays under GitHub's comment limit: the checklist and the most severe first.
big=$TMP/big; new_repo "$big"
for i in $(seq 1 400); do
  printf 'const ONECLICK_API_KEY = "sk_sandbox_%08dAbCdEfGh";\nconst OTHER = "sk_live_%08dQwErTyUiOp";\n' "$i" "$i" > "$big/c$i.js"
done
commit_all "$big" "many keys"
run "$BIN" scan --format markdown "$big"
expect_code 1 "big markdown: findings fail"
chars=$(printf '%s' "$out" | python3 -c 'import sys; print(len(sys.stdin.read()))')
[ "$chars" -le 65000 ] && ok || bad "markdown is $chars characters, over 65,000"
expect_out "### Production checklist" "bounded markdown keeps the checklist"
expect_out "more in the full report" "bounded markdown says how many more"
first=$(grep -m1 '^| [a-z]* | OC' <<<"$out" | cut -d'|' -f2)
[ "$first" = " critical " ] && ok || bad "bounded markdown starts with the most severe, not '$first'"
order=$(grep -o '^| [a-z]* | OC' <<<"$out" | cut -d' ' -f2 | uniq | tr '\n' ' ')
[ "$order" = "critical high " ] && ok || bad "bounded markdown: the severities shown in order: $order"

# Colour: --color always on a pipe, never with --color never; NO_COLOR (set here) is auto's.
run "$BIN" scan -q --color always .
grep -q $'\033\\[' <<<"$out" && ok || bad "--color always gives colour on a pipe"
run "$BIN" scan -q --color never .
grep -q $'\033' <<<"$out" && bad "--color never gave colour" || ok
run "$BIN" scan -q .
grep -q $'\033' <<<"$out" && bad "colour on a pipe with NO_COLOR set" || ok
run "$BIN" scan --color sometimes .
expect_code 2 "--color takes auto, always or never"

# Progress: on request a line on stderr (what is done, the rate); never on stdout.
run "$BIN" scan -q --progress --format json .
grep -q '[0-9]*/[0-9]* files, [0-9]*/s' <<<"$err" && ok || bad "--progress: no progress line: $err"
jq -e . <<<"$out" >/dev/null && ok || bad "--progress: stdout is still the JSON"
run "$BIN" scan -q --history --progress .
grep -q 'history: [0-9]* commits, [0-9]*/[0-9]* blobs' <<<"$err" && ok || bad "--history --progress: $err"
run "$BIN" scan -q --progress --no-progress .
[ -z "$err" ] && ok || bad "--no-progress still drew: $err"
run "$BIN" scan -q .
[ -z "$err" ] && ok || bad "progress drawn on a stderr that is not a terminal: $err"
finish
