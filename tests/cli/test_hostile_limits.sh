#!/usr/bin/env bash
# Every limit the scan reaches makes the result incomplete (exit 3 unless findings give
# 1) and leaves the checklist items of the rules it hid something from `unknown`, the
# reason naming the file and the limit: a file above --max-file-size (still read in
# pieces by the text rules), --max-parse-size, brackets nested too deep, the findings cap,
# PCRE2's match limit. A big file no rule would read is not a limit reached.
. "$(dirname "$0")/lib.sh"

LIVE=sk_live_Zq8Wm3Rt6Yp1Ls4Kd7Hx
UUID=3f2b8c1e-9a4d-4e7b-8c2f-1a2b3c4d5e6f
# status RULE: the status of the rule's first checklist item; reason RULE: its reason
status() {
  python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
print(next(i["status"] for i in d["checklist"] if i["rules"] == [sys.argv[1]]))' "$1" <<<"$out"
}
reason() {
  python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
print(next(i.get("reason", "") for i in d["checklist"] if i["rules"] == [sys.argv[1]]))' "$1" <<<"$out"
}
expect_status() { # expect_status RULE STATUS [REASON-TEXT] LABEL
  local got; got=$(status "$1")
  [ "$got" = "$2" ] && ok || bad "$4: $1 is $got, want $2"
  [ -z "$3" ] || { grep -qF -- "$3" <<<"$(reason "$1")" && ok || bad "$4: $1's reason lacks '$3': $(reason "$1")"; }
}
# repositories that ignore .env files, so OC005's advice stays out of the findings
repo() { new_repo "$1"; printf '.env*\n' > "$1/.gitignore"; }
bundle() { # bundle FILE SIZE TAIL: SIZE bytes of minified code, then TAIL
  python3 -c 'import sys; open(sys.argv[1], "w").write("var a=1;" * (int(sys.argv[2]) // 8) + sys.argv[3])' "$@"
}

# --- a 3 MB bundle holding a live key: above --max-file-size, still read by the text
#     rules (in pieces), the key found, the file named as not parsed
r=$TMP/bundle; repo "$r"; mkdir -p "$r/dist"
bundle "$r/dist/app.js" 3000000 "var k=\"$LIVE\";"
commit_all "$r"
run "$BIN" scan --format json "$r"
expect_code 1 "3 MB bundle with a live key: found"
expect_findings "OC001 dist/app.js:1" "3 MB bundle: the key's finding"
expect_out "dist/app.js: not parsed: $(stat -c %s "$r/dist/app.js") bytes, above --max-file-size (2097152); only the text rules read it" \
  "3 MB bundle: named as not parsed"
expect_no_out "$LIVE" "3 MB bundle: key redacted"
run "$BIN" scan "$r"
expect_no_out "No OCPay integration found" "3 MB bundle: not said to hold no integration"

# --- the same bundle with OCPay code and no key: nothing found, but not a pass either
bundle "$r/dist/app.js" 3000000 'fetch("https://api.oneclickdz.com/v3/ocpay/createLink",{method:"POST"});'
commit_all "$r"
run "$BIN" scan --format json "$r"
expect_code 3 "3 MB bundle of OCPay code: incomplete"
expect_status OC002 unknown "dist/app.js: not parsed: $(stat -c %s "$r/dist/app.js") bytes, above --max-file-size" \
  "3 MB bundle of OCPay code"
expect_status OC004 unknown "(2097152)" "3 MB bundle of OCPay code"
run "$BIN" scan "$r"
expect_out "incomplete: dist/app.js: not parsed" "text: the limit is listed"

# --- a big file no rule reads: read whole by the text rules, nothing missing
v=$TMP/vendor; repo "$v"
python3 -c 'print("{\"packages\": [" + ",".join("{\"name\": \"p%d\", \"version\": \"1.0.%d\"}" % (i, i) for i in range(80000)) + "]}")' \
  > "$v/package-lock.json"
commit_all "$v"
run "$BIN" scan --format json "$v"
expect_code 0 "3 MB lock file without OCPay: complete"
expect_out '"incomplete": []' "3 MB lock file: no limit reached"

# --- the pieces have a bound: 64 times --max-file-size
run "$BIN" scan --format json --max-file-size 16K "$r"
expect_code 3 "bound on the pieces read: incomplete"
expect_out "dist/app.js: only the first 1048576 of its $(stat -c %s "$r/dist/app.js") bytes were read (64 times --max-file-size)" \
  "bound on the pieces read: named"
expect_status OC002 unknown "only the first 1048576" "bound on the pieces read"
run "$BIN" scan --max-file-size 16K "$r"
expect_out "No OCPay integration found in what could be read" "bound on the pieces read: no claim of no integration"
expect_no_out "No OCPay integration found here" "bound on the pieces read: not said to hold none"

# --- --max-parse-size, and brackets nested too deep: the code rules could not read them
p=$TMP/parse; repo "$p"; mkdir -p "$p/api"
{ printf 'export async function pay(req, res) {\n'
  printf '  const r = await fetch("https://api.oneclickdz.com/v3/ocpay/createLink", { method: "POST" });\n'
  for i in $(seq 1 100); do printf '  const pad%d = %d;\n' "$i" "$i"; done
  printf '  res.json(await r.json());\n}\n'; } > "$p/api/pay.js"
commit_all "$p"
run "$BIN" scan --format json --max-parse-size 1K "$p"
expect_code 3 "--max-parse-size reached: exit 3"
expect_out '"api/pay.js: not parsed: larger than 1024 bytes (--max-parse-size); only the text rules read it"' \
  "--max-parse-size reached: incomplete"
expect_status OC004 unknown "api/pay.js: not parsed: larger than 1024 bytes (--max-parse-size)" \
  "--max-parse-size reached"
run "$BIN" scan --format json "$p"
expect_status OC004 pass "" "same file within the limit: decided"
expect_out '"incomplete": []' "same file within the limit: complete"
d=$TMP/deep; repo "$d"
python3 -c 'print("fetch(\"https://api.oneclickdz.com/v3/ocpay/createLink\", " + "[" * 1500 + "]" * 1500 + ");")' \
  > "$d/deep.js"
commit_all "$d"
run "$BIN" scan --format json "$d"
expect_code 3 "brackets nested 1500 deep: incomplete"
expect_status OC004 unknown "deep.js: not parsed: brackets nested more than 1000 deep" "nested too deep"

# --- the findings cap: the rules of the findings left out are not passed
c=$TMP/cap; repo "$c"; mkdir -p "$c/public"
printf '<script>var a = ["%s", "%s", "%s"]; fetch("https://api.oneclickdz.com/v3/ocpay/createLink");</script>\n' \
  sk_live_Aa1Bb2Cc3Dd4Ee5Ff6Gg sk_live_Hh7Ii8Jj9Kk0Ll1Mm2Nn sk_live_Oo3Pp4Qq5Rr6Ss7Tt8Uu > "$c/public/pay.html"
commit_all "$c"
run "$BIN" scan --format json --max-findings-per-file 2 "$c"
expect_code 1 "findings cap: the findings kept fail the scan"
expect_findings "OC001 public/pay.html:1
OC001 public/pay.html:1" "findings cap: two kept"
expect_status OC002 unknown "public/pay.html: more than 2 findings" "findings cap: OC002 left out"
run "$BIN" scan --format json "$c"
expect_status OC002 fail "" "no cap: OC002 reported"

# --- PCRE2's match limit on a 200 KB line: the detector goes on with the next line and
#     names the file, the line and the rule
m=$TMP/match; repo "$m"
python3 - "$m/config.yml" "$UUID" <<'PY'
import sys
open(sys.argv[1], "w").write("ocpay:\nx: " + "ocpay" * 40000 + "\nONECLICK_API_KEY: %s\n" % sys.argv[2])
PY
commit_all "$m"
run "$BIN" scan --format json "$m"
expect_code 1 "match limit: the key after the line is found"
expect_findings "OC001 config.yml:3" "match limit: the key's finding"
expect_out "config.yml:2: OC001 skipped 1 line too complex for its pattern (PCRE2 match limit); the rest of the file was read" \
  "match limit: file, line and rule named"
expect_no_out "$UUID" "match limit: key redacted"
# no key after it: the rule cannot pass
printf 'ocpay:\nx: %s\n' "$(python3 -c 'print("ocpay" * 40000)')" > "$m/config.yml"
commit_all "$m"
run "$BIN" scan --format json "$m"
expect_code 3 "match limit, nothing found: incomplete"
expect_status OC001 unknown "config.yml:2: OC001 skipped 1 line" "match limit, nothing found"

finish
