#!/usr/bin/env bash
# What a scan reads: several paths (files included, as pre-commit hands them), standard
# input (a file or a diff), a folder inside a repository judged as the project, and
# --since judging only what came after REV.
. "$(dirname "$0")/lib.sh"
LIVE=sk_live_9fK2mQ7xR4tL8vN3
LIVE2=sk_live_Zq81Lw0pNc6Rt4Hh
at() { export GIT_AUTHOR_DATE="$1" GIT_COMMITTER_DATE="$1"; }

# --- several paths, files included, named from the repository's root
r=$TMP/repo; new_repo "$r"; mkdir -p "$r/api" "$r/web"
printf 'const ONECLICK_API_KEY = "%s";\n' "$LIVE" > "$r/api/config.js"
printf 'console.log("ok");\n' > "$r/web/app.js"
printf 'k = "%s"\n' "$LIVE2" > "$r/web/keys.py"
printf 'secret.js\n' > "$r/.gitignore"
printf 'const k = "%s";\n' "$LIVE2" > "$r/secret.js"
commit_all "$r" "first"
cd "$r" || exit 2
run "$BIN" scan --format json api/config.js web/app.js
expect_code 1 "two files: the key fails"
expect_findings "OC001 api/config.js:1" "two files: only the files named"
run "$BIN" scan --format json web/app.js api web/app.js
expect_findings "OC001 api/config.js:1" "a file and a folder, a file named twice: read once"
run "$BIN" scan --format json web/app.js
expect_code 0 "a clean file passes"
run "$BIN" scan --format json secret.js
expect_code 1 "a file git ignores is read when it is named"
expect_findings "OC001 secret.js:1" "an ignored file named"
run "$BIN" scan --format json web/app.js "$TMP"
expect_code 2 "a path outside the repository"
expect_err "not inside" "a path outside the repository: message"
run "$BIN" scan --staged api/config.js web/app.js
expect_code 2 "--staged takes one PATH"
run "$BIN" report -o "$TMP/a.md" api web
expect_code 2 "report takes one PATH"
cd "$TMP" || exit 2

# --- standard input: a file, or a diff judged by the lines it adds
run "$BIN" scan --format json - <<<"const ONECLICK_API_KEY = \"$LIVE\";"
expect_code 1 "stdin: a key fails"
expect_findings "OC001 stdin:1" "stdin: named stdin"
run "$BIN" scan --format json --stdin-name server/config.js - <<<"const ONECLICK_API_KEY = \"$LIVE\";"
expect_findings "OC001 server/config.js:1" "--stdin-name names it"
printf 'line 1\nline 2\nconst OLD = "%s";\nline 4\n' "$LIVE2" > "$r/web/app.js"
git -C "$r" commit -qam "old key"
printf 'line 1\nline 2\nline 3\nline 4\nconst ONECLICK_API_KEY = "%s";\n' "$LIVE" > "$r/web/app.js"
git -C "$r" diff > "$TMP/change.diff"
run "$BIN" scan --format json - < "$TMP/change.diff"
expect_code 1 "a diff that adds a key fails"
expect_findings "OC001 web/app.js:5" "a diff: the added key at its line of the new version, the removed one not"
expect_no_out "$LIVE" "stdin output redacted"
printf 'line 1\nline 2\nline 4\n' > "$r/web/app.js"
git -C "$r" diff > "$TMP/removal.diff"
run "$BIN" scan --format json - < "$TMP/removal.diff"
expect_code 0 "a diff that removes a key passes"
git -C "$r" checkout -q web/app.js
run "$BIN" scan --staged - < /dev/null
expect_code 2 "- with --staged"
expect_err "- (standard input) is scanned on its own" "- with --staged: message"

# --- a folder inside a repository is the project
m=$TMP/mono; new_repo "$m"; mkdir -p "$m/shop" "$m/other"
cp -r "$SRC/fixtures/sample-shop/." "$m/shop/"; rm "$m/shop/expected.json"
at 2025-01-01T10:00:00Z
printf 'ONECLICK_API_KEY=%s\n' "$LIVE2" > "$m/other/.env"
printf 'const k = "%s";\n' "$LIVE2" > "$m/other/leak.js"
git -C "$m" add -A; git -C "$m" add -f shop/.env.production other/.env; git -C "$m" commit -qm "two projects"
git -C "$m" rm -q other/leak.js; git -C "$m" commit -qm "drop it"
alone=$TMP/alone; cp -r "$m/shop" "$alone"; new_repo "$alone"
git -C "$alone" add -A; git -C "$alone" add -f .env.production; git -C "$alone" commit -qm "alone"
pick() { jq -c '[.findings[] | [.rule, .path, .line, .message]] | sort'; }
"$BIN" scan --format json "$alone" | pick > "$TMP/alone.txt"
"$BIN" scan --format json "$m/shop" | pick > "$TMP/inplace.txt"
cmp -s "$TMP/alone.txt" "$TMP/inplace.txt" && ok || bad "the sample shop in a folder of a repository differs from the shop alone:
$(diff "$TMP/alone.txt" "$TMP/inplace.txt")"
"$BIN" scan --format json "$alone" | jq -c '[.checklist[] | [.item, .status]]' > "$TMP/alone.cl"
"$BIN" scan --format json "$m/shop" | jq -c '[.checklist[] | [.item, .status]]' > "$TMP/inplace.cl"
cmp -s "$TMP/alone.cl" "$TMP/inplace.cl" && ok || bad "the checklist differs in place"
run "$BIN" scan --history --format json "$m/shop"
jq -e '[.findings[] | select(.path | test("other|leak"))] | length == 0' <<<"$out" >/dev/null \
  && ok || bad "a folder's history reads other folders: $(jq -c '[.findings[].path]' <<<"$out")"
jq -e '[.findings[] | select(.in_history)] | length > 0' <<<"$out" >/dev/null && ok || bad "a folder's own history is read"
jq -e '[.findings[] | select(.path == ".env.production" and .repo_path == "shop/.env.production")] | length > 0' <<<"$out" >/dev/null \
  && ok || bad "folder paths: relative to the folder, the repository path beside"
run "$BIN" scan --history --format sarif "$m/shop"
grep -q '"uri": "shop/src/config.js"' <<<"$out" && ok || bad "SARIF links from the repository's root"
run "$BIN" scan --history --format json "$m/other"
expect_findings "OC001 .env:1
OC001 leak.js:1
OC005 .env:1" "the other folder's history: its own leaks, named from it"

# --- --since REV: only what came after REV, each with the commit that brought it
s=$TMP/since; new_repo "$s"
at 2025-01-01T10:00:00Z
printf 'ONECLICK_API_KEY=%s\n' "$LIVE" > "$s/.env"
printf 'console.log(1);\n' > "$s/app.js"
git -C "$s" add -A; git -C "$s" commit -qm "old leak"
base=$(git -C "$s" rev-parse HEAD)
at 2025-01-02T10:00:00Z
printf 'module.exports = "%s";\n' "$LIVE2" > "$s/keys.js"
git -C "$s" add -A; git -C "$s" commit -qm "new leak"
pr=$(git -C "$s" rev-parse HEAD)
for mode in "" --history; do
  run "$BIN" scan $mode --since "$base" --format json "$s"
  expect_code 1 "--since $mode: the new key fails"
  expect_findings "OC001 keys.js:1" "--since $mode: only the new key, once"
  got=$(jq -r '.findings[0].commit.id' <<<"$out")
  [ "$got" = "$pr" ] && ok || bad "--since $mode: the new key is the PR commit's, not $got"
  expect_no_out "$base" "--since $mode: the old commit is not named"
done
run "$BIN" scan --history --since "$pr" --format json "$s"
expect_code 0 "--since HEAD --history: nothing new"
# another branch's commits are not the change HEAD brings (a CI clone has every branch)
git -C "$s" checkout -q -b other
printf 'x = "%s"\n' sk_live_Oth3rBr4nchK3yZz > "$s/other.py"; commit_all "$s" "another branch"
git -C "$s" checkout -q main
run "$BIN" scan --history --since "$pr" --format json "$s"
expect_code 0 "--since --history: another branch's key is not HEAD's change"
run "$BIN" scan --history --format json "$s"
expect_out '"path": "other.py"' "--history without --since still reads every branch"
finish
