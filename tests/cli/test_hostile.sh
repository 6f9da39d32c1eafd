#!/usr/bin/env bash
# Hostile repositories: file names that try to drive a terminal or break a format, huge,
# deep and complex files, links out of the repository and loops, filters and hooks that
# must never run, submodules. The scan never crashes, never hangs, stays within its
# memory bound, and names every limit it reaches.
. "$(dirname "$0")/lib.sh"

LIVE=sk_live_Zq8Wm3Rt6Yp1Ls4Kd7Hx
key_line() { printf 'const ONECLICK_API_KEY = "%s";\n' "$LIVE"; }
# Sanitizer builds use several times the memory and time: only the release bounds apply.
sanitized=false
ldd "$BIN" 2>/dev/null | grep -q 'libasan\|libubsan' && sanitized=true

# run_rss CMD...: like run, and $rss_mb is the peak resident size of CMD.
run_rss() {
  local r
  r=$(python3 - "$TMP/.out" "$TMP/.err" "$@" <<'PY'
import resource, subprocess, sys
out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(out, "wb") as o, open(err, "wb") as e:
    try:
        code = subprocess.run(cmd, stdout=o, stderr=e, timeout=120).returncode
    except subprocess.TimeoutExpired:
        code = 124
print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
PY
)
  code=${r% *}; rss_mb=${r#* }; out=$(cat "$TMP/.out"); err=$(cat "$TMP/.err")
}
expect_rss_under() {
  $sanitized && { ok; return; }
  [ "$rss_mb" -lt "$1" ] && ok || bad "$2: peak RSS $rss_mb MB, want under $1 MB"
}

# --- file names with a newline, an escape sequence, a bidi override, invalid UTF-8,
#     quotes and markup
n=$TMP/names; new_repo "$n"
for name in "$(printf 'a\nb.js')" "$(printf 'c\033[31mred.js')" "$(printf 'd\377\376.js')" \
            "$(printf 'e\342\200\256sj.txt.js')" 'q"uo<te>&.js'; do
  key_line > "$n/$name"
done
commit_all "$n" names
run "$BIN" scan --no-color "$n"
expect_code 1 "hostile names: findings"
expect_out 'a\x0ab.js:1:26' "newline escaped in text"
expect_out 'c\x1b[31mred.js:1:26' "escape sequence escaped in text"
expect_out 'd\xff\xfe.js:1:26' "invalid UTF-8 escaped in text"
expect_out 'e\u{202e}sj.txt.js:1:26' "bidi override escaped in text"
for f in text github markdown html; do
  run "$BIN" scan --format "$f" "$n"
  grep -q $'\033' <<<"$out" && bad "$f: raw escape byte in the output" || ok
  grep -q $'\342\200\256' <<<"$out" && bad "$f: raw bidi override in the output" || ok
  python3 -c 'import sys; sys.stdin.buffer.read().decode("utf-8")' <<<"$out" \
    && ok || bad "$f: output is not valid UTF-8"
done
run "$BIN" scan --format html "$n"
expect_no_out 'q"uo<te>' "html: markup in a name escaped"
expect_out 'q&quot;uo&lt;te&gt;&amp;.js' "html: name shown escaped"
run "$BIN" scan --format github "$n"
expect_out 'file=a%0Ab.js,' "github: newline escaped in a property"
for f in json sarif; do
  run "$BIN" scan --format "$f" "$n"
  python3 -c 'import json, sys; json.loads(sys.stdin.buffer.read().decode("utf-8"))' <<<"$out" \
    && ok || bad "$f: not valid UTF-8 JSON"
done
run "$BIN" scan --format json "$n"
expect_out '"path": "a\nb.js"' "json: the real name, JSON-escaped"
expect_out '"path": "d\\xff\\xfe.js"' "json: invalid bytes as \\xNN"
run "$BIN" scan --format sarif "$n"
expect_out '"uri": "d%FF%FE.js"' "sarif: invalid bytes percent-encoded"
for f in text json sarif github markdown html; do
  run "$BIN" scan --format "$f" "$n"; expect_no_out "$LIVE" "$f: key redacted"
done

# --- 200 folders deep, in a repository and a plain folder
deep=$(python3 -c "print('/'.join(['d'] * 200))")
g=$TMP/deep-git; new_repo "$g"; mkdir -p "$g/$deep"; key_line > "$g/$deep/key.js"
commit_all "$g" deep
run "$BIN" scan --format json "$g"
expect_code 1 "200 levels deep in git: the key is found"
expect_out "$deep/key.js" "deep path reported"
mkdir -p "$g/$deep/new"; key_line > "$g/$deep/new/untracked.js"
run "$BIN" scan --format json "$g"
expect_code 1 "deep untracked folder: scanned"
expect_out "$deep/new/untracked.js" "deep untracked folder: its file is listed"
# past the listing's limit of 256 folders: the tracked files are still scanned, the rest named
deeper=$(python3 -c "print('/'.join(['e'] * 300))")
mkdir -p "$g/$deeper"; key_line > "$g/$deeper/untracked.js"
run "$BIN" scan "$g"
expect_code 1 "deeper untracked folder: tracked files still scanned"
expect_out "untracked files not listed" "deeper untracked folder: named as incomplete"
p=$TMP/deep-plain; mkdir -p "$p/$deep"; key_line > "$p/$deep/key.js"
run "$BIN" scan --format json "$p"
expect_code 1 "200 levels deep in a plain folder"

# --- links out of the repository and loops are never followed
l=$TMP/links; new_repo "$l"; printf 'x\n' > "$l/a.txt"
outside=$TMP/outside; mkdir -p "$outside"; key_line > "$outside/secret.js"
ln -s "$outside" "$l/out"; ln -s "$outside/secret.js" "$l/secret.js"; ln -s / "$l/root"
ln -s loop_b "$l/loop_a"; ln -s loop_a "$l/loop_b"; ln -s . "$l/self"; mkdir "$l/sub"
ln -s .. "$l/sub/up"
commit_all "$l" links
for target in "$l" "$l/sub"; do
  run timeout 60 "$BIN" scan --format json "$target"
  expect_code 0 "links in $target: nothing read through them"
  expect_no_out "secret.js\"," "links: the outside file is not reported"
done
rm -rf "$l/.git"
run timeout 60 "$BIN" scan --format json "$l"
expect_code 0 "links in a plain folder: not followed, no loop"
run "$BIN" scan -v "$l"
expect_err "skipped: symbolic link (never followed)" "links: named in --verbose"

# --- a filter, hooks and an fsmonitor in the audited repository never run
e=$TMP/evil; new_repo "$e"; mark=$TMP/ran
git -C "$e" config filter.evil.clean "touch $mark.clean; cat"
git -C "$e" config filter.evil.smudge "touch $mark.smudge; cat"
git -C "$e" config filter.evil.process "touch $mark.process"
git -C "$e" config core.fsmonitor "touch $mark.fsmonitor"
printf '* filter=evil\n' > "$e/.gitattributes"; key_line > "$e/a.js"
safe=(-c filter.evil.clean=cat -c filter.evil.smudge=cat -c filter.evil.process= -c core.fsmonitor=)
git -C "$e" "${safe[@]}" add -A && git -C "$e" "${safe[@]}" commit -qm one
for h in pre-commit post-checkout reference-transaction post-index-change; do
  printf '#!/bin/sh\ntouch %s.hook.%s\n' "$mark" "$h" > "$e/.git/hooks/$h"; chmod +x "$e/.git/hooks/$h"
done
printf 'const a = 1;\n' >> "$e/a.js"; git -C "$e" "${safe[@]}" add a.js; rm -f "$mark".*
for mode in "" --staged --history "--since HEAD"; do
  # shellcheck disable=SC2086
  "$BIN" scan $mode "$e" >/dev/null 2>&1
done
"$BIN" report -o "$TMP/evil.html" "$e" >/dev/null 2>&1
ls "$mark".* >/dev/null 2>&1 && bad "a filter, hook or fsmonitor ran: $(ls "$mark".*)" || ok

# --- a submodule is another repository: not read, no error
s=$TMP/subsrc; new_repo "$s"; key_line > "$s/k.js"; commit_all "$s" s
m=$TMP/withsub; new_repo "$m"; printf 'x\n' > "$m/a.txt"
git -C "$m" -c protocol.file.allow=always submodule add -q "$s" vendor/sub
commit_all "$m" submodule
for mode in "" --history; do
  # shellcheck disable=SC2086
  run "$BIN" scan $mode --format json "$m"
  expect_code 0 "submodule ($mode): not scanned, no error"
done

# --- 100 000 files
h=$TMP/many; new_repo "$h"; git -C "$h" config gc.auto 0
python3 - "$h" <<'PY'
import os, sys
root = sys.argv[1]
for i in range(100000):
    d = f"{root}/src/m{i // 1000}"
    if i % 1000 == 0:
        os.makedirs(d)
    with open(f"{d}/f{i}.js", "w") as f:
        f.write(f"export const v{i} = {i};\n")
with open(f"{root}/src/m42/key.js", "w") as f:
    f.write('const ONECLICK_API_KEY = "sk_live_Zq8Wm3Rt6Yp1Ls4Kd7Hx";\n')
PY
commit_all "$h" many
run_rss "$BIN" scan --format json "$h"
expect_code 1 "100 000 files: the key is found"
expect_out '"files_scanned": 100001' "100 000 files: every file read"
expect_rss_under 300 "100 000 files"

# --- a 50 MB single-line bundle, read with a raised size limit: text rules only
b=$TMP/bundle; mkdir -p "$b"
python3 - "$b/app.min.js" "$LIVE" <<'PY'
import sys
chunk = 'var a=fetch("https://api.oneclickdz.com/v3/ocpay/createLink",{headers:{"X-Access-Token":t}});'
s = chunk * (50_000_000 // len(chunk))
mid = len(s) // 2
open(sys.argv[1], "w").write(s[:mid] + f'var k="{sys.argv[2]}";' + s[mid:])
PY
run_rss "$BIN" scan --format json --max-file-size 64M "$b"
expect_code 1 "50 MB line: the key is found"
expect_out "larger than 2097152 bytes (--max-parse-size)" "50 MB line: not parsed, and said"
expect_no_out "$LIVE" "50 MB line: key redacted"
expect_rss_under 300 "50 MB line"
# above the default size limit: read in pieces by the text rules, in little memory
run_rss "$BIN" scan --format json "$b"
expect_code 1 "50 MB line in pieces: the key is found"
expect_out "app.min.js: not parsed: $(stat -c %s "$b/app.min.js") bytes, above --max-file-size (2097152); only the text rules read it" \
  "50 MB line in pieces: not parsed, and said"
expect_out '"too_large": 0' "50 MB line in pieces: read, not skipped"
expect_no_out "$LIVE" "50 MB line in pieces: key redacted"
expect_rss_under 60 "50 MB line in pieces"

# --- a million nested brackets in a file worth parsing
k=$TMP/brackets; mkdir -p "$k"
python3 -c "print('// ocpay createLink'); print('const x = ' + '(' * 1000000 + '1' + ')' * 1000000 + ';')" \
  > "$k/deep.js"
run_rss "$BIN" scan --format json "$k"
expect_code 3 "nested brackets: incomplete, no crash"
expect_out "brackets nested more than 1000 deep" "nested brackets: named"
expect_rss_under 300 "nested brackets"

# --- a 2 MB bundle of 24 000 API calls: the checks stop at their deadline
c=$TMP/calls; mkdir -p "$c"
python3 - "$c/bundle.js" <<'PY'
import sys
chunk = 'var a=fetch("https://api.oneclickdz.com/v3/ocpay/createLink",{headers:{"X-Access-Token":t}});'
open(sys.argv[1], "w").write(chunk * (2_000_000 // len(chunk)))
PY
run_rss "$BIN" scan --format json --parse-timeout 1500 "$c"
expect_code 3 "2 MB of calls: incomplete, finished"
# a slow (sanitizer) build may run out of time in the parse already
grep -q 'bundle.js: checks stopped after 1500 ms\|bundle.js: not parsed: parse timed out' <<<"$out" \
  && ok || bad "2 MB of calls: the deadline is not named: $out"
expect_rss_under 300 "2 MB of calls"

# --- PHP and Python files of thousands of calls with named arguments: a name's value is
# looked up in an index of the file's assignments, not by walking the file once per name
m=$TMP/manycalls; mkdir -p "$m"
python3 - "$m" <<'PY'
import sys
py = ["from ocpay import OCPay", "ocpay = OCPay(os.environ['OCPAY_API_KEY'])"]
php = ["<?php", "$ocpay = new OCPay(getenv('OCPAY_API_KEY'));"]
for i in range(6000):
    py += [f"url_{i} = BASE + '/items/{i}'", f"def item_{i}(session, payment_ref):",
           f"    return session.get(url_{i}, payment_ref)"]
    php += [f"$url_{i} = $base . '/items/{i}';",
            f"function item_{i}($c, $paymentRef) {{ global $url_{i}; return $c->get($url_{i}, $paymentRef); }}"]
py += ["def verify(ref):", "    return ocpay.check_payment(ref)"]
open(sys.argv[1] + "/many_calls.py", "w").write("\n".join(py) + "\n")
open(sys.argv[1] + "/many_calls.php", "w").write("\n".join(php) + "\n")
PY
# (a quadratic walk takes minutes here; the sanitizer build is several times slower)
$sanitized && budget=20000 || budget=5000
run "$BIN" scan --format json --parse-timeout $budget "$m"
expect_code 0 "thousands of calls in PHP and Python: checked in time"
expect_no_out "checks stopped" "thousands of calls: no check cut short"

# --- findings per file are capped, and the cap is said
f=$TMP/findings; mkdir -p "$f"
python3 -c "
for i in range(150):
    print('const OCPAY_KEY_%d = \"sk_live_%016dAbCd\";' % (i, i))" > "$f/keys.js"
run "$BIN" scan --format json "$f"
expect_code 1 "150 keys in one file"
[ "$(grep -c '"rule": "OC001"' <<<"$out")" = 100 ] && ok || bad "findings cap: want 100 findings"
expect_out "more than 100 findings: only the first 100 are reported" "findings cap named"
run "$BIN" scan --format json --max-findings-per-file 0 "$f"
[ "$(grep -c '"rule": "OC001"' <<<"$out")" = 150 ] && ok || bad "no cap: want 150 findings"
run "$BIN" scan --max-findings-per-file x "$f"
expect_code 2 "bad --max-findings-per-file"
expect_err "--max-findings-per-file takes a count, not 'x'" "bad count message"

finish
