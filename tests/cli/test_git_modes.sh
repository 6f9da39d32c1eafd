#!/usr/bin/env bash
# --history, --staged, --since and install-hook on scripted repositories.
. "$(dirname "$0")/lib.sh"

LIVE=sk_live_9fK2mQ7xR4tL8vN3
LIVE2=sk_live_Zq81Lw0pNc6Rt4Hh
SANDBOX=sk_sandbox_A8d7Fh3Kq92Lm
at() { export GIT_AUTHOR_DATE="$1" GIT_COMMITTER_DATE="$1"; }

# --- history: a key added then removed, a .env committed then deleted and ignored,
#     a rename, the same key on two branches, a merge, a tag, a stash.
r=$TMP/hist; new_repo "$r"
at 2025-01-01T10:00:00Z
printf 'const ONECLICK_API_KEY = "%s";\n' "$LIVE" > "$r/config.js"
printf 'ONECLICK_API_KEY=%s\n' "$SANDBOX" > "$r/.env"
commit_all "$r" "first version"
first=$(git -C "$r" rev-parse HEAD)
at 2025-01-02T10:00:00Z
printf 'const ONECLICK_API_KEY = process.env.ONECLICK_API_KEY;\n' > "$r/config.js"
git -C "$r" rm -q --cached .env; rm "$r/.env"; printf '.env\n' > "$r/.gitignore"
commit_all "$r" "move the key to the environment"
at 2025-01-03T10:00:00Z
git -C "$r" checkout -q -b feature
printf 'module.exports = { ocpayApiKey: "%s" };\n' "$LIVE2" > "$r/keys.js"
commit_all "$r" "feature key"
git -C "$r" mv keys.js settings.js; commit_all "$r" "rename"
git -C "$r" checkout -q main
at 2025-01-04T10:00:00Z
printf 'const ONECLICK_API_KEY = process.env.ONECLICK_API_KEY; // %s\n' "$LIVE2" > "$r/other.js"
commit_all "$r" "same key on main"
git -C "$r" rm -q other.js; commit_all "$r" "drop it"
git -C "$r" merge -q --no-edit feature
git -C "$r" tag v1
printf 'notes = "%s"\n' "sk_test_Qm4Zr8Lp2Wx6Ab" > "$r/notes.py"; git -C "$r" add notes.py
git -C "$r" stash -q

run "$BIN" scan --history --format json "$r"
expect_code 1 "history leaks fail"
expect_findings "OC001 .env:1
OC001 config.js:1
OC001 keys.js:1
OC001 notes.py:1
OC001 other.js:1
OC001 settings.js:1
OC005 .env:1" "history findings (stash included, rename kept as its own path, a key in the tree and in history once)"
expect_out "\"id\": \"$first\"" "introducing commit named"
settings=$(jq -c '[.findings[] | select(.path == "settings.js") | [.in_tree, .in_history, (.commit != null)]]' <<<"$out")
[ "$settings" = '[[true,true,true]]' ] && ok || bad "a key in the tree and in history is one finding with both facts: $settings"
expect_out "removed from HEAD, still in history: rotate the key" "removed leak says so"
expect_out "still in the working tree" "present leak says so"
expect_out '"mode": "history"' "mode"
for k in $LIVE $LIVE2 $SANDBOX; do expect_no_out "$k" "history output redacted"; done
run "$BIN" scan --history "$r"
expect_out "FAIL    No API key was ever committed to git history (OC001): 6 findings" "history checklist item"
expect_out "FAIL    No .env file was ever committed to git history (OC005): 1 finding" "env history item"

# The same history packed (blobs decoded from the pack, deltas included) finds the same.
git -C "$r" repack -adfq --depth=50 --window=50
run "$BIN" scan --history --format json "$r"
expect_code 1 "packed history leaks fail"
expect_findings "OC001 .env:1
OC001 config.js:1
OC001 keys.js:1
OC001 notes.py:1
OC001 other.js:1
OC001 settings.js:1
OC005 .env:1" "packed history: the same findings"
expect_out "\"id\": \"$first\"" "packed history: introducing commit named"

# --since with --history: only commits not reachable from the first one.
run "$BIN" scan --history --since "$first" --format json "$r"
expect_no_out "\"id\": \"$first\"" "--since hides older commits"

# A bare clone scans its history and HEAD's tree.
git clone -q --bare "$r" "$TMP/bare.git"
run "$BIN" scan --history --format json "$TMP/bare.git"
expect_code 1 "bare repository history"
expect_out '"path": "config.js"' "bare history finds the removed key"

# A shallow clone is incomplete: exit 3 when nothing else fails, 1 when it does.
s=$TMP/shallow-src; new_repo "$s"
printf 'const ONECLICK_API_KEY = "%s";\n' "$LIVE" > "$s/a.js"; commit_all "$s" one
printf 'const ONECLICK_API_KEY = process.env.ONECLICK_API_KEY;\n' > "$s/a.js"; commit_all "$s" two
printf 'x\n' > "$s/b.txt"; commit_all "$s" three
git clone -q --depth 1 "file://$s" "$TMP/shallow"
run "$BIN" scan --history "$TMP/shallow"
expect_code 3 "shallow clone is incomplete"
expect_out "shallow clone" "shallow clone named"

# Binary blobs are skipped and counted; an oversized blob of the history is skipped,
# counted, and makes the scan incomplete; the same file in the working tree is read in
# pieces and its key found.
b=$TMP/blobs; new_repo "$b"
printf 'GIF89a\0\0%s' "$LIVE" > "$b/logo.gif"
head -c 3000000 /dev/zero | tr '\0' 'a' > "$b/big.txt"; printf '\n%s\n' "$LIVE" >> "$b/big.txt"
commit_all "$b" blobs
run "$BIN" scan --history --format json "$b"
expect_code 1 "oversized file of the tree read in pieces"
expect_findings "OC001 big.txt:2" "the key of the oversized file found"
expect_out '"binary": 2' "binary blob counted (tree and history)"
expect_out '1 blob larger than --max-file-size (2097152 bytes) not read' "oversized blob named as incomplete"

git -C "$b" repack -adq
run "$BIN" scan --history --format json "$b"
expect_code 1 "packed: oversized file of the tree read in pieces"
expect_out '"binary": 2' "packed binary blob counted"
expect_out '"too_large": 1' "packed oversized blob counted (history)"
git -C "$b" rm -q big.txt && git -C "$b" commit -qm "drop the big file"
run "$BIN" scan --history --format json "$b"
expect_code 3 "oversized blob of the history only: incomplete, exit 3"

# A missing object makes the history incomplete and names it.
c=$TMP/corrupt; new_repo "$c"
printf 'hello\n' > "$c/a.txt"; commit_all "$c" one
printf 'world\n' > "$c/b.txt"; commit_all "$c" two
blob=$(git -C "$c" rev-parse HEAD:b.txt)
rm -f "$c/.git/objects/${blob:0:2}/${blob:2}"
run "$BIN" scan --history "$c"
expect_code 3 "missing object: incomplete"
expect_out "blob $blob is missing" "missing object named"

# A damaged pack: what cannot be read is named, the rest is scanned, nothing crashes.
d=$TMP/damaged; new_repo "$d"
for i in 1 2 3 4 5 6; do
  python3 -c "import sys; print(''.join(f'export const v${i}_{j} = {j};\\n' for j in range(300 * $i)))" > "$d/app.js"
  commit_all "$d" "v$i"
done
printf 'const ONECLICK_API_KEY = "%s";\n' "$LIVE" > "$d/key.js"; commit_all "$d" key
git -C "$d" repack -adq
pack=$(ls "$d"/.git/objects/pack/*.pack); chmod u+w "$pack"
size=$(stat -c %s "$pack")
printf '\377\377\377\377\377\377\377\377' | dd of="$pack" bs=1 seek=$((size / 3)) conv=notrunc status=none
run "$BIN" scan --history --format json "$d"
case $code in 1|3) ok ;; *) bad "damaged pack: exit $code (stderr: $err)" ;; esac
expect_out "missing or unreadable" "damaged pack: unreadable object named"

# Not a git repository: a clear error.
mkdir -p "$TMP/plain"
run "$BIN" scan --history "$TMP/plain"
expect_code 2 "--history outside git"
expect_err "not in a git repository (--history needs one)" "--history outside git message"

# A synthetic history of several thousand commits, one of which leaked a key.
big=$TMP/big; new_repo "$big"
python3 - "$big" "$LIVE2" <<'PY'
import subprocess, sys
repo, key = sys.argv[1], sys.argv[2]
out = []
for i in range(3000):
    content = f"const n = {i};\n" if i != 1234 else f'const n = {i}; const OCPAY_KEY = "{key}";\n'
    msg = f"change {i}"
    out.append(f"commit refs/heads/main\ncommitter M <m@shop.dz> {1700000000 + i} +0000\n"
               f"data {len(msg)}\n{msg}\n"
               f"M 100644 inline src/f{i % 50}.js\ndata {len(content.encode())}\n{content}\n")
subprocess.run(["git", "-C", repo, "fast-import", "--quiet"], input="".join(out).encode(), check=True)
PY
git -C "$big" checkout -q main
run "$BIN" scan --history --format json "$big"
expect_findings "OC001 src/f34.js:1" "one leak in 3000 commits"
expect_out '"date": "2023-11-14T22:33:54Z"' "the leaking commit's date"

# --- staged: only what the change introduces, read from the index.
st=$TMP/staged; new_repo "$st"
run "$BIN" scan --staged --format json "$st"
expect_code 0 "empty index, no HEAD"
printf 'const ONECLICK_API_KEY = "%s";\n' "$LIVE" > "$st/a.js"; git -C "$st" add a.js
run "$BIN" scan --staged --format json "$st"
expect_code 1 "first commit with a key is blocked"
expect_findings "OC001 a.js:1" "first commit finding"
expect_out '"mode": "staged"' "staged mode"
git -C "$st" commit -qm first --no-verify
printf '\n\nconst ONECLICK_API_KEY = "%s";\n' "$LIVE" > "$st/a.js"; git -C "$st" add a.js
run "$BIN" scan --staged --format json "$st"
expect_code 0 "a key moved to another line is not new"
git -C "$st" commit -qm moved
# partially staged: the index version is clean, the working tree has a key
printf 'const x = 1;\n' > "$st/b.js"; git -C "$st" add b.js
printf 'const x = 1;\nconst OCPAY_API_KEY = "%s";\n' "$LIVE2" > "$st/b.js"
run "$BIN" scan --staged --format json "$st"
expect_code 0 "unstaged key is not judged"
git -C "$st" add b.js
printf 'const x = 1;\n' > "$st/b.js"
run "$BIN" scan --staged --format json "$st"
expect_findings "OC001 b.js:2" "staged key judged though the working tree is clean"
git -C "$st" reset -q
printf 'ONECLICK_API_KEY=%s\n' "$SANDBOX" > "$st/.env"; git -C "$st" add .env
run "$BIN" scan --staged --format json "$st"
expect_findings "OC001 .env:1
OC005 .env:1" "a staged .env is blocked"
git -C "$st" reset -q; rm "$st/.env"
git -C "$st" mv a.js renamed.js
run "$BIN" scan --staged --format json "$st"
expect_code 0 "a rename is not a new leak"
git -C "$st" commit -qm rename --no-verify

# --- since REV without --history: the working tree minus what REV had.
p=$TMP/pr; new_repo "$p"
printf 'const ONECLICK_API_KEY = "%s";\n' "$LIVE" > "$p/old.js"; commit_all "$p" base
git -C "$p" checkout -q -b pr
printf 'const ONECLICK_API_KEY = "%s";\n' "$LIVE2" > "$p/new.js"
printf '// moved\nconst ONECLICK_API_KEY = "%s";\n' "$LIVE" > "$p/old.js"
commit_all "$p" change
run "$BIN" scan --since main --format json "$p"
expect_findings "OC001 new.js:1" "--since reports only the new key"
expect_out '"mode": "since"' "since mode"
run "$BIN" scan --since nosuchref "$p"
expect_code 2 "--since a missing revision"
expect_err "nosuchref: no such revision" "--since error message"

# --- install-hook: writes, blocks, chains, refuses, honours core.hooksPath.
h=$TMP/hook; new_repo "$h"
run "$BIN" install-hook "$h"
expect_code 0 "install-hook"
[ -x "$h/.git/hooks/pre-commit" ] && ok || bad "hook not executable"
printf 'const ONECLICK_API_KEY = "%s";\n' "$LIVE" > "$h/a.js"; git -C "$h" add a.js
if git -C "$h" commit -qm leak 2>"$TMP/hook.err"; then bad "hook let a key through"; else ok; fi
grep -q "commit blocked" "$TMP/hook.err" && ok || bad "hook explains the block"
git -C "$h" rm -q --cached a.js; printf 'fine\n' > "$h/b.txt"; git -C "$h" add b.txt
git -C "$h" commit -qm clean && ok || bad "hook blocked a clean commit"
printf '#!/bin/sh\necho previous-hook-ran\n' > "$h/.git/hooks/pre-commit"; chmod +x "$h/.git/hooks/pre-commit"
run "$BIN" install-hook "$h"
expect_code 2 "an existing hook is not replaced silently"
expect_err "re-run with --chain" "refusal explains the options"
run "$BIN" install-hook --chain "$h"
expect_code 0 "--chain"
printf 'more\n' > "$h/c.txt"; git -C "$h" add c.txt
git -C "$h" commit -qm chained > "$TMP/chain.out" 2>&1 && ok || bad "chained commit failed"
grep -q previous-hook-ran "$TMP/chain.out" && ok || bad "the previous hook did not run"
git -C "$h" config core.hooksPath .githooks
run "$BIN" install-hook "$h"
expect_code 0 "core.hooksPath"
[ -x "$h/.githooks/pre-commit" ] && ok || bad "core.hooksPath not honoured"

# --- staged: a column whose index is in another migration is not judged from the
# change alone (OC011 reads the whole tree).
sm=$TMP/staged-migration; new_repo "$sm"; mkdir -p "$sm/db"
printf 'const r = await ocpay.createLink({});\n' > "$sm/pay.js"
printf 'CREATE INDEX idx_payment_ref ON orders(payment_ref);\n' > "$sm/db/002_index.sql"
commit_all "$sm"
printf 'CREATE TABLE orders (id SERIAL PRIMARY KEY, payment_ref TEXT);\n' > "$sm/db/001_orders.sql"
git -C "$sm" add db/001_orders.sql
run "$BIN" scan --staged --format json "$sm"
expect_findings "" "staged migration: the index of another file is not seen, nothing judged"
run "$BIN" scan --format json "$sm"
expect_no_out '"rule": "OC011"' "working tree: the index in 002 covers the column of 001"
expect_out 'payment_ref is indexed (db/001_orders.sql:1)' "the checklist says where"

# --- loose objects (no pack to screen first): blobs are read while the walk runs, and a
#     rename a thousand commits later must still be scanned at its new path.
r=$TMP/late-rename; new_repo "$r"
{
  t=1735725600
  printf 'commit refs/heads/main\ncommitter t <t@t> %d +0000\ndata 3\nkey\nM 100644 inline keys.js\ndata <<EOT\nmodule.exports = { ocpayApiKey: "%s" };\nEOT\n\n' "$t" "$LIVE2"
  for i in $(seq 1 1000); do
    printf 'commit refs/heads/main\ncommitter t <t@t> %d +0000\ndata 1\nc\nM 100644 inline log.txt\ndata <<EOT\nline %d\nEOT\n\n' $((t + i)) "$i"
  done
  printf 'commit refs/heads/main\ncommitter t <t@t> %d +0000\ndata 6\nrename\nD keys.js\nM 100644 inline settings.js\ndata <<EOT\nmodule.exports = { ocpayApiKey: "%s" };\nEOT\n\n' $((t + 1001)) "$LIVE2"
} | git -C "$r" -c fastimport.unpackLimit=1000000 fast-import --quiet
git -C "$r" checkout -q main
[ -z "$(find "$r/.git/objects/pack" -name '*.pack')" ] && ok || bad "late rename: objects should be loose"
run "$BIN" scan --history --format json "$r"
late=$(jq -c '[.findings[] | [.path, .in_tree, .in_history]]' <<<"$out")
[ "$late" = '[["keys.js",false,true],["settings.js",true,true]]' ] && ok \
  || bad "late rename: the blob's later path is scanned in history too: $late"

# --- the pre-commit framework, when installed: try-repo blocks a staged key.
if command -v pre-commit >/dev/null; then
  proj=$TMP/hookrepo; mkdir -p "$proj"; cp "$SRC/.pre-commit-hooks.yaml" "$proj/"
  git -C "$proj" init -q; git -C "$proj" add -A; git -C "$proj" commit -qm hooks
  mkdir -p "$TMP/binpath"; ln -s "$BIN" "$TMP/binpath/ocpay-audit"
  w=$TMP/framework; new_repo "$w"
  printf 'const ONECLICK_API_KEY = "%s";\n' "$LIVE" > "$w/a.js"; git -C "$w" add a.js
  (cd "$w" && PATH=$TMP/binpath:$PATH pre-commit try-repo "$proj" ocpay-audit >"$TMP/pc.out" 2>&1)
  [ $? = 1 ] && ok || bad "pre-commit try-repo did not block: $(cat "$TMP/pc.out")"
  git -C "$w" rm -q --cached a.js; printf 'ok\n' > "$w/b.txt"; git -C "$w" add b.txt
  (cd "$w" && PATH=$TMP/binpath:$PATH pre-commit try-repo "$proj" ocpay-audit >"$TMP/pc.out" 2>&1) \
    && ok || bad "pre-commit try-repo blocked a clean change: $(cat "$TMP/pc.out")"
else
  echo "skipped: pre-commit framework not installed"
fi

finish
