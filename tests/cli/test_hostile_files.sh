#!/usr/bin/env bash
# The files the tool reads and writes for itself, planted by a hostile repository: FIFOs
# and links in place of the configuration, the baseline, rule files, package.json or a
# hook, links beside them where a temporary file would go, and numbers that wrap. Nothing
# hangs (each run is under `timeout`: a hang fails as exit 124), nothing is read or
# written outside the repository, and no message repeats what a file holds.
. "$(dirname "$0")/lib.sh"

LIVE=sk_live_Zq8Wm3Rt6Yp1Ls4Kd7Hx
key_line() { printf 'const ONECLICK_API_KEY = "%s";\n' "$LIVE"; }
T="timeout 20"
# A FIFO with a writer that never writes: reading it blocks for ever, as a terminal would.
mkfifo "$TMP/stdin.fifo"; exec 3<>"$TMP/stdin.fifo"

# --- the configuration and the baseline as FIFOs: refused at once, not waited on
r=$TMP/fifo; new_repo "$r"; key_line > "$r/a.js"; commit_all "$r"
mkfifo "$r/.ocpay-audit.yml"
run $T "$BIN" scan "$r"
expect_code 2 "FIFO config: an error, not a hang"
expect_err "$r/.ocpay-audit.yml: a FIFO, not a regular file: not read" "FIFO config named"
rm "$r/.ocpay-audit.yml"; mkfifo "$r/.ocpay-audit-baseline.json"
run $T "$BIN" scan "$r"
expect_code 2 "FIFO baseline: an error, not a hang"
expect_err "$r/.ocpay-audit-baseline.json: a FIFO, not a regular file: not read" "FIFO baseline named"
run $T "$BIN" baseline "$r"
expect_code 2 "baseline over a FIFO: an error, not a hang"
[ -p "$r/.ocpay-audit-baseline.json" ] && ok || bad "the FIFO was replaced"
rm "$r/.ocpay-audit-baseline.json"
# given on the command line: still a regular file only
run $T "$BIN" scan --config "$TMP/stdin.fifo" "$r" <&3
expect_code 2 "--config FIFO: an error, not a hang"
expect_err "$TMP/stdin.fifo: a FIFO, not a regular file: not read" "--config FIFO named"
run $T "$BIN" scan --baseline /dev/stdin "$r" <&3
expect_code 2 "--baseline /dev/stdin (a FIFO): an error, not a hang"
run $T "$BIN" scan --config /dev/null "$r"
expect_code 2 "--config /dev/null: a device is not a configuration"
expect_err "/dev/null: a character device, not a regular file: not read" "device named"

# --- a committed link to /dev/stdin, in a clone: never followed
src=$TMP/linked-src; new_repo "$src"; key_line > "$src/a.js"
ln -s /dev/stdin "$src/.ocpay-audit.yml"; commit_all "$src"
git clone -q "$src" "$TMP/linked"
run $T "$BIN" scan "$TMP/linked" <&3
expect_code 2 "config -> /dev/stdin: an error, not a hang"
expect_err "$TMP/linked/.ocpay-audit.yml: a symbolic link: not followed" "linked config named"

# --- links out of the repository: not read, and nothing they hold is printed
o=$TMP/outside; new_repo "$o"; key_line > "$o/a.js"; commit_all "$o"
printf 'exclude: [MYSECRET_TOKEN_1234\n' > "$TMP/outside.yml"
ln -s "$TMP/outside.yml" "$o/.ocpay-audit.yml"
run $T "$BIN" scan "$o"
expect_code 2 "config linked outside: refused"
expect_err "$o/.ocpay-audit.yml: a symbolic link: not followed" "linked config: the cause"
grep -q MYSECRET <<<"$err" && bad "linked config: its text printed: $err" || ok
rm "$o/.ocpay-audit.yml"; ln -s /proc/self/environ "$o/.ocpay-audit-baseline.json"
run env MYSECRET=hunter2 $T "$BIN" scan "$o"
expect_code 2 "baseline linked to /proc/self/environ: refused"
expect_err "$o/.ocpay-audit-baseline.json: a symbolic link: not followed" "linked baseline: the cause"
grep -q 'MYSECRET\|hunter2' <<<"$err" && bad "linked baseline: the environment printed: $err" || ok
rm "$o/.ocpay-audit-baseline.json"
# a link the user names is followed: it is their file
cp "$TMP/outside.yml" "$TMP/ok.yml"; printf 'exclude: [vendor/]\n' > "$TMP/ok.yml"
ln -s "$TMP/ok.yml" "$TMP/ok-link.yml"
run $T "$BIN" scan --config "$TMP/ok-link.yml" "$o"
expect_code 1 "--config through a link the user gave: read"

# --- parse errors say where and what, not the text they stopped at
printf '{"salt": MYTOKENVALUE_99}\n' > "$TMP/bad-baseline.json"
run $T "$BIN" scan --baseline "$TMP/bad-baseline.json" "$o"
expect_code 2 "malformed baseline"
expect_err "$TMP/bad-baseline.json:1:21: not a valid baseline: invalid JSON syntax" "JSON error: place and kind"
expect_no_out MYTOKENVALUE "JSON error: no token on stdout"
grep -q MYTOKENVALUE <<<"$err" && bad "JSON error repeats the token: $err" || ok
printf 'exclude: [MYTOKENVALUE_99\n' > "$TMP/bad.yml"
run $T "$BIN" scan --config "$TMP/bad.yml" "$o"
expect_code 2 "malformed configuration"
expect_err "$TMP/bad.yml:2:1: invalid YAML: did not find expected ',' or ']'" "YAML error: place and kind"
grep -q MYTOKENVALUE <<<"$err" && bad "YAML error repeats the token: $err" || ok

# --- rule files: a FIFO or a link in a --rules folder is not read
rd=$TMP/rules-fifo; mkdir -p "$rd"; mkfifo "$rd/acme.yml"
run $T "$BIN" rules --rules "$rd"
expect_code 2 "FIFO rule file: an error, not a hang"
expect_err "$rd/acme.yml: a FIFO, not a regular file: not read" "FIFO rule file named"
rl=$TMP/rules-link; mkdir -p "$rl"; ln -s /dev/stdin "$rl/acme.yml"
run $T "$BIN" rules --rules "$rl" <&3
expect_code 2 "rule file -> /dev/stdin: an error, not a hang"
expect_err "$rl/acme.yml: a symbolic link: not followed" "linked rule file named"

# --- the project files the checkers read (package.json, tsconfig.json, composer.json)
p=$TMP/project-fifos; new_repo "$p"; mkdir -p "$p/web"; key_line > "$p/web/a.js"
printf 'import x from "./b";\n' >> "$p/web/a.js"; printf 'export default 1;\n' > "$p/web/b.js"
commit_all "$p"
for f in package.json web/package.json tsconfig.json jsconfig.json composer.json; do
  mkfifo "$p/$f"
done
ln -s /dev/stdin "$p/web/tsconfig.json"
run $T "$BIN" scan --format json "$p" <&3
expect_code 1 "project files as FIFOs: the scan ends and finds the key"
grep -qx "OC001 web/a.js:1" <<<"$(findings)" && ok || bad "project files as FIFOs: the key: $out"

finish
