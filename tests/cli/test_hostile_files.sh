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

# --- writes: a link where the temporary file would go is never written through
w=$TMP/write; new_repo "$w"; key_line > "$w/a.js"
printf 'original\n' > "$TMP/bashrc"
ln -s "$TMP/bashrc" "$w/.ocpay-audit-baseline.json.tmp"
commit_all "$w"
run $T "$BIN" baseline "$w"
expect_code 0 "baseline beside a planted .tmp link"
[ "$(cat "$TMP/bashrc")" = original ] && ok || bad "baseline wrote through the .tmp link"
[ -f "$w/.ocpay-audit-baseline.json" ] && [ ! -L "$w/.ocpay-audit-baseline.json" ] && ok ||
  bad "the baseline is not a regular file"
[ -L "$w/.ocpay-audit-baseline.json.tmp" ] && ok || bad "the planted link was touched"
python3 -c 'import json, sys; assert "OC001" in [e["rule"] for e in json.load(open(sys.argv[1]))["findings"]]' \
  "$w/.ocpay-audit-baseline.json" && ok || bad "the baseline written is not the findings"
ls "$w" | grep -q '\.ocpay-audit-baseline\.json\.[A-Za-z0-9]\{6\}$' && bad "a temporary file left" || ok
# the baseline itself a link: refused, the target untouched
rm "$w/.ocpay-audit-baseline.json"; ln -s "$TMP/bashrc" "$w/.ocpay-audit-baseline.json"
run $T "$BIN" baseline "$w"
expect_code 2 "baseline that is a link: refused"
[ "$(cat "$TMP/bashrc")" = original ] && ok || bad "baseline overwrote the link's target"
[ -L "$w/.ocpay-audit-baseline.json" ] && ok || bad "the link was replaced"
rm "$w/.ocpay-audit-baseline.json"
ln -s "$TMP/nowhere.json" "$TMP/dangling.json"
run $T "$BIN" baseline -o "$TMP/dangling.json" "$w"
expect_code 2 "baseline -o a dangling link: refused"
expect_err "$TMP/dangling.json: a symbolic link: not replaced" "refusal names the link"
[ -e "$TMP/nowhere.json" ] && bad "the link's target was created" || ok
# two runs at once: each has a temporary file of its own
for i in 1 2 3 4 5 6; do
  $T "$BIN" baseline "$w" 2>"$TMP/par.$i.a" & pa=$!
  $T "$BIN" baseline "$w" 2>"$TMP/par.$i.b" & pb=$!
  wait $pa; ca=$?; wait $pb; cb=$?
  [ "$ca$cb" = 00 ] && ok || bad "two baselines at once: exits $ca and $cb: $(cat "$TMP/par.$i.a" "$TMP/par.$i.b")"
done
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$w/.ocpay-audit-baseline.json" &&
  ok || bad "the baseline is not whole after parallel runs"

# --- install-hook under core.hooksPath: a planted pre-commit.tmp link is not written through
k=$TMP/hooks; new_repo "$k"; mkdir -p "$k/.githooks"
printf 'original\n' > "$TMP/hook-target"; chmod 644 "$TMP/hook-target"
ln -s "$TMP/hook-target" "$k/.githooks/pre-commit.tmp"; commit_all "$k"
git -C "$k" config core.hooksPath .githooks
run $T "$BIN" install-hook "$k"
expect_code 0 "install-hook beside a planted pre-commit.tmp link"
[ "$(cat "$TMP/hook-target")" = original ] && ok || bad "install-hook wrote through the .tmp link"
[ -x "$TMP/hook-target" ] && bad "install-hook made the link's target executable" || ok
[ -f "$k/.githooks/pre-commit" ] && [ ! -L "$k/.githooks/pre-commit" ] &&
  [ -x "$k/.githooks/pre-commit" ] && ok || bad "the hook is not an executable regular file"
# a hook that is a link or a FIFO is the user's: kept unless asked
rm "$k/.githooks/pre-commit"; ln -s "$TMP/hook-target" "$k/.githooks/pre-commit"
run $T "$BIN" install-hook "$k"
expect_code 2 "a linked hook is not replaced silently"
expect_err "already exists and is not ours" "linked hook: the refusal"
run $T "$BIN" install-hook --force "$k"
expect_code 0 "--force over a linked hook"
[ -L "$k/.githooks/pre-commit.backup" ] && ok || bad "the linked hook was not kept as the backup"
[ "$(cat "$TMP/hook-target")" = original ] && [ ! -x "$TMP/hook-target" ] && ok ||
  bad "--force changed the linked hook's target"
rm "$k/.githooks/pre-commit"; mkfifo "$k/.githooks/pre-commit"
run $T "$BIN" install-hook "$k"
expect_code 2 "a FIFO hook: refused, not waited on"

# --- install-hook --force keeps every earlier backup
f=$TMP/force; new_repo "$f"; hd=$f/.git/hooks
printf '#!/bin/sh\necho first\n' > "$hd/pre-commit"
printf 'older backup\n' > "$hd/pre-commit.backup"
run $T "$BIN" install-hook --force "$f"
expect_code 0 "--force with a backup already there"
[ "$(cat "$hd/pre-commit.backup")" = "older backup" ] && ok || bad "--force overwrote pre-commit.backup"
grep -q 'echo first' "$hd/pre-commit.backup.1" && ok || bad "the replaced hook is not pre-commit.backup.1"
expect_out "the previous hook is kept as $hd/pre-commit.backup.1" "--force says where the hook went"

# --- install-hook --chain puts the user's hook back when the write fails
c=$TMP/chain; new_repo "$c"; hd=$c/.git/hooks
printf '#!/bin/sh\necho mine\n' > "$hd/pre-commit"; chmod +x "$hd/pre-commit"
# A file size limit of 0 makes every write fail (EFBIG), even for root.
run bash -c 'trap "" XFSZ; ulimit -f 0; exec "$@"' _ $T "$BIN" install-hook --chain "$c"
expect_code 2 "--chain: the write fails"
grep -q 'echo mine' "$hd/pre-commit" 2>/dev/null && ok || bad "--chain left the user's hook moved away"
[ -e "$hd/pre-commit.ocpay-audit-chained" ] && bad "--chain left the chained copy" || ok
run bash -c 'trap "" XFSZ; ulimit -f 0; exec "$@"' _ $T "$BIN" install-hook --force "$c"
expect_code 2 "--force: the write fails"
grep -q 'echo mine' "$hd/pre-commit" 2>/dev/null && ok || bad "--force left the user's hook moved away"

# --- numbers that would wrap are refused
for opt in --max-file-size --max-parse-size; do
  run $T "$BIN" scan "$opt" 17592186044416M "$o"
  expect_code 2 "$opt 2^64 bytes: refused"
  expect_err "$opt: '17592186044416M' is too large" "$opt: overflow named"
  run $T "$BIN" scan "$opt" -1 "$o"
  expect_code 2 "$opt -1: refused"
done
for opt in --jobs --max-findings-per-file --parse-timeout; do
  run $T "$BIN" scan "$opt" 99999999999999999999 "$o"
  expect_code 2 "$opt past its range: refused"
  expect_err "$opt takes" "$opt: the range is told"
done
run $T "$BIN" scan --parse-timeout 9223372036854775807 "$o"
expect_code 2 "--parse-timeout that would overflow in microseconds: refused"

# --- a keyword the prefilter cannot index: the rule file and the place are named
kw=$TMP/rules-kw; mkdir -p "$kw"
long=$(printf 'k%.0s' $(seq 200))
cat > "$kw/acme.yml" <<EOF
id: ACME001
name: acme-rule
severity: medium
checklist:
  - {section: Security, item: Something is safe}
summary: s
message: found {name}
description: d
fix: f
detectors:
  - regex: '(?<name>acme_[a-z]+)'
    keywords: [acme_, "$long"]
EOF
run $T "$BIN" rules --rules "$kw"
expect_code 2 "a 200-character keyword"
expect_err "$kw/acme.yml:12:23: a word of 'keywords' must have 1 to 127 characters (this one has 200)" \
  "keyword error names the file and place"

# --- a UTF-16 .env (PowerShell's default), little and big endian, and a UTF-8 BOM
e=$TMP/utf16; new_repo "$e"; mkdir -p "$e/le" "$e/be" "$e/u8"
printf 'PORT=3000\r\nONECLICK_API_KEY=%s\r\n' "$LIVE" | iconv -f UTF-8 -t UTF-16LE |
  { printf '\377\376'; cat; } > "$e/le/.env"
printf 'PORT=3000\nDEBUG=1\nONECLICK_API_KEY=%s\n' "$LIVE" | iconv -f UTF-8 -t UTF-16BE |
  { printf '\376\377'; cat; } > "$e/be/.env"
printf '\357\273\277ONECLICK_API_KEY=%s\n' "$LIVE" > "$e/u8/.env"
run $T "$BIN" scan --format json "$e"
expect_code 1 "UTF-16 .env: the key is found"
expect_findings "OC001 be/.env:3
OC001 le/.env:2
OC001 u8/.env:1
OC005 be/.env:1
OC005 le/.env:1
OC005 u8/.env:1" "UTF-16 and BOM .env files: the keys, on their lines"
python3 -c '
import json, sys
cols = sorted(f["column"] for f in json.load(sys.stdin)["findings"] if f["rule"] == "OC001")
sys.exit(cols != [18, 18, 18])' <<<"$out" && ok || bad "the key columns count characters, not the BOM"
expect_no_out "$LIVE" "UTF-16 .env: the key redacted"
# in history: committed once, then removed
git -C "$e" add le/.env && git -C "$e" commit -qm env && git -C "$e" rm -q le/.env &&
  git -C "$e" commit -qm unenv && rm -rf "$e/be" "$e/u8"
run $T "$BIN" scan --history --format json "$e"
expect_findings "OC001 le/.env:2
OC005 le/.env:1" "UTF-16 .env in history: found"

finish
