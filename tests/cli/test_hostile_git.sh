#!/usr/bin/env bash
# Hostile git object databases under --history, --staged and --since: crafted packs,
# deep trees, missing and damaged objects, refs that point at blobs and trees. The scan
# finishes in bounded time and memory, reads what it can, and names what it could not
# (exit 3, or 1 when what it read has findings).
. "$(dirname "$0")/lib.sh"

LIVE=sk_live_Zq8Wm3Rt6Yp1Ls4Kd7Hx
key_line() { printf 'const ONECLICK_API_KEY = "%s";\n' "$LIVE"; }
# Sanitizer builds are several times slower: only the release build is timed.
sanitized=false
ldd "$BIN" 2>/dev/null | grep -q 'libasan\|libubsan' && sanitized=true

# run_timed LIMIT CMD...: like run, killed after 120 s; fails unless CMD used less than
# LIMIT seconds of CPU (CPU, not wall time: the bound holds on a busy machine too).
run_timed() {
  local limit=$1 r; shift
  r=$(python3 - "$TMP/.out" "$TMP/.err" "$@" <<'PY'
import resource, subprocess, sys
out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(out, "wb") as o, open(err, "wb") as e:
    try:
        code = subprocess.run(cmd, stdout=o, stderr=e, timeout=120).returncode
    except subprocess.TimeoutExpired:
        code = 124
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(code, int((u.ru_utime + u.ru_stime) * 1000))
PY
)
  code=${r% *}; local ms=${r#* }; out=$(cat "$TMP/.out"); err=$(cat "$TMP/.err")
  $sanitized && { ok; return; }
  [ "$ms" -lt $((limit * 1000)) ] && ok || bad "$* used $ms ms of CPU, want under $limit s"
}
# commit_ids REPO IDS [nokey]: commits the blobs listed in IDS ("id kind" lines) as
# crafted/N.txt, with a key in key.js (found in the tree and in the history).
commit_ids() {
  awk '{ printf "100644 %s\tcrafted/%05d.txt\n", $1, NR }' "$2" | git -C "$1" update-index --index-info
  printf '.env*\n' > "$1/.gitignore"; git -C "$1" add .gitignore
  [ "${3:-}" = nokey ] || { key_line > "$1/key.js"; git -C "$1" add key.js; }
  git -C "$1" commit -qm crafted
}
KEY_TWICE="OC001 key.js:1
OC001 key.js:1"
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
# the status of a checklist item, by its title
item_status() {
  python3 -c 'import json, sys
d = json.load(sys.stdin)
print(" ".join(i["status"] + ":" + i.get("reason", "") for i in d["checklist"] if i["item"] == sys.argv[1]))' "$1" <<<"$out"
}

# --- a crafted pack: an 8 MB blob and 3000 deltas each on the one before (a 120 KB pack).
# Each object decodes to 8 MB: over the size limit, which its delta says before any of
# the chain below it is applied.
c=$TMP/chain; new_repo "$c"
python3 "$SRC/tests/cli/craft_pack.py" "$c/.git/objects/pack" chain 8192 3000 > "$TMP/chain.ids"
commit_ids "$c" "$TMP/chain.ids"
run_timed 5 "$BIN" scan --history --format json "$c"
expect_code 1 "chained 8 MB deltas: finished, the key found"
expect_findings "$KEY_TWICE" "chained 8 MB deltas: findings"
expect_out '"too_large": 3001' "chained 8 MB deltas: each one too large"
run_timed 5 "$BIN" scan --history --since HEAD --format json "$c"
expect_code 0 "chained 8 MB deltas under --since: finished"

# --- a small blob on each link of such a chain: each needs the 8 MB link below it. The
# work beyond what is asked for is bounded for the whole pack set; what it leaves out is
# named.
s=$TMP/small-on-chain; new_repo "$s"
python3 "$SRC/tests/cli/craft_pack.py" "$s/.git/objects/pack" small-on-chain 8192 3000 > "$TMP/soc.ids"
commit_ids "$s" "$TMP/soc.ids"
run_timed 5 "$BIN" scan --history --format json "$s"
expect_code 1 "small blobs on a chain: finished, the key found"
expect_findings "$KEY_TWICE" "small blobs on a chain: findings"
grep -qE 'crafted/[0-9]{5}\.txt: blob [0-9a-f]{40} not read: decoding its delta chain again would take more than the 2048 MB of work allowed for the whole pack set' <<<"$out" \
  && ok || bad "small blobs on a chain: the blobs left out are not named: $out"
s=$TMP/small-on-chain-2; new_repo "$s"
python3 "$SRC/tests/cli/craft_pack.py" "$s/.git/objects/pack" small-on-chain 8192 3000 > "$TMP/soc.ids"
commit_ids "$s" "$TMP/soc.ids" nokey
run timeout 120 "$BIN" scan --history "$s"
expect_code 3 "small blobs on a chain, no finding: incomplete"

# --- reference deltas whose bases come later in the pack, 3000 links of 1 MB: each is
# decoded from the one before it, but together they are 3 GB from a 150 KB pack.
r=$TMP/ref-chain; new_repo "$r"
python3 "$SRC/tests/cli/craft_pack.py" "$r/.git/objects/pack" ref-chain 1000000 3000 > "$TMP/ref.ids"
commit_ids "$r" "$TMP/ref.ids"
run_timed 5 "$BIN" scan --history --format json "$r"
expect_code 1 "reversed reference chain: finished, the key found"
expect_out "not read: the packs decode to more than 1000 times their size (a crafted pack?)" \
  "reversed reference chain: the expansion named"

# --- a tree nested 50 000 folders deep (git itself cannot read it back), with a key at
# the bottom and one at the top: the walks stop at 2048 folders and say where.
d=$TMP/deep; new_repo "$d"
root=$(python3 "$SRC/tests/cli/craft_pack.py" "$d/.git/objects/pack" deep-tree 50000 0 | cut -d' ' -f1)
deep_commit=$(git -C "$d" commit-tree -m deep "$root"); git -C "$d" update-ref refs/heads/main "$deep_commit"
shown="$(python3 -c "print('d/' * 100)")..."
run_rss "$BIN" scan --history --format json "$d"
expect_code 1 "50 000 folders deep: the key at the top found"
expect_findings "OC001 key.js:1" "50 000 folders deep: findings"
expect_out "$shown: folders nested more than 2048 deep are not scanned (commit ${deep_commit:0:12})" \
  "50 000 folders deep: the folder and the commit named"
expect_rss_under 100 "50 000 folders deep"
cp -r "$d/.git" "$TMP/deep.git"; git -C "$TMP/deep.git" config core.bare true
run_rss "$BIN" scan --history --format json "$TMP/deep.git"
expect_code 1 "50 000 folders deep, bare: HEAD's tree and the history"
expect_out "$shown: folders nested more than 2048 deep are not scanned (HEAD)" \
  "50 000 folders deep, bare: HEAD's deep folder named"
expect_rss_under 100 "50 000 folders deep, bare"
run "$BIN" scan --since HEAD "$d"
expect_code 3 "50 000 folders deep, --since: what REV holds there is not known"
# --staged: the index holds a path 20 000 folders deep (staged with update-index: git's
# read-tree cannot) and a new file with a key.
deep_path="$(python3 -c "print('d/' * 20000)")deep.js"
git -C "$d" update-index --add --cacheinfo "100644,$(git -C "$d" rev-parse HEAD:key.js),$deep_path"
key_line > "$d/new.js"; git -C "$d" add new.js
run_rss "$BIN" scan --staged --format json "$d"
expect_code 1 "20 000 folders deep, staged: the new key found"
expect_findings "OC001 new.js:1" "20 000 folders deep, staged: findings"
expect_out "$shown: folders nested more than 2048 deep are not scanned" \
  "20 000 folders deep, staged: the deep path named"
expect_rss_under 100 "20 000 folders deep, staged"

# --- a clone of depth 2, and a history with one commit missing: every commit that can be
# read is scanned, and what cannot be is named.
src=$TMP/five; new_repo "$src"; printf '.env*\n' > "$src/.gitignore"
for i in 1 2 3 4 5; do
  printf 'const ONECLICK_API_KEY = "sk_live_Zq8Wm3Rt6Yp1Ls4K%02d";\n' "$i" > "$src/k$i.js"
  printf 'const v = %d;\n' "$i" > "$src/v.js"; commit_all "$src" "c$i"
done
git -C "$src" rm -q k4.js k5.js; commit_all "$src" "drop two keys"
git clone -q --depth 2 "file://$src" "$TMP/five-shallow"
run "$BIN" scan --history --format json "$TMP/five-shallow"
expect_code 1 "depth 2 clone: its commits scanned"
expect_findings "OC001 k1.js:1
OC001 k1.js:1
OC001 k2.js:1
OC001 k2.js:1
OC001 k3.js:1
OC001 k3.js:1
OC001 k4.js:1
OC001 k5.js:1" "depth 2 clone: the keys of both commits"
expect_out "shallow clone: commits before the shallow boundary were not scanned" "depth 2 clone: said"
expect_no_out "is missing or unreadable" "depth 2 clone: the boundary is no missing commit"
[ "$(item_status "No API key was ever committed to git history")" = "fail:" ] && ok \
  || bad "depth 2 clone: the history key item fails: $(item_status "No API key was ever committed to git history")"
[ "$(item_status "No .env file was ever committed to git history")" = \
  "unknown:part of the history could not be read (see the incomplete notes): what it holds is not known" ] \
  && ok || bad "incomplete history: its items are not unknown: $(item_status "No .env file was ever committed to git history")"
m=$TMP/five-missing; cp -r "$src" "$m"
c3=$(git -C "$m" rev-parse HEAD~3)
rm "$m/.git/objects/${c3:0:2}/${c3:2}"
run "$BIN" scan --history --format json "$m"
expect_code 1 "a missing commit: the others scanned"
expect_out "commit $c3 is missing or unreadable" "a missing commit: named"
grep -q '"path": "k5.js"' <<<"$out" && ok || bad "a missing commit: the later commits not scanned"
rm -f "$m"/k*.js; git -C "$m" rm -q --cached -r . ; printf 'x\n' > "$m/a.txt"; commit_all "$m" clean
git -C "$m" update-ref -d refs/heads/main 2>/dev/null; git -C "$m" checkout -q --orphan other
git -C "$m" rm -qrf . 2>/dev/null; printf 'x\n' > "$m/a.txt"; commit_all "$m" alone
git -C "$m" branch -D main -q 2>/dev/null
run "$BIN" scan --history "$m"
expect_code 0 "no ref reaches the missing commit: nothing incomplete"

# --- missing blobs and a truncated pack: exit 3 and the scan goes on (exit 1 with findings)
b=$TMP/missing; new_repo "$b"
printf 'const a = 1;\n' > "$b/a.js"; commit_all "$b" one
printf 'const a = 2;\n' > "$b/a.js"; commit_all "$b" two
old=$(git -C "$b" rev-parse HEAD~1:a.js)
rm "$b/.git/objects/${old:0:2}/${old:2}"
run "$BIN" scan --since HEAD~1 "$b"
expect_code 3 "--since: a blob of REV missing"
expect_out "a.js: blob $old is missing or unreadable" "--since: the missing blob named"
run "$BIN" scan --history "$b"
expect_code 3 "--history: a blob missing"
printf 'const b = 1;\n' > "$b/b.js"; git -C "$b" add b.js
new=$(git -C "$b" rev-parse :b.js); rm "$b/.git/objects/${new:0:2}/${new:2}"
key_line > "$b/k.js"; git -C "$b" add k.js
run "$BIN" scan --staged "$b"
expect_code 1 "--staged: a staged blob missing, a key staged"
expect_out "b.js: blob $new is missing or unreadable" "--staged: the missing blob named"
git -C "$b" rm -q --cached k.js
run "$BIN" scan --staged "$b"
expect_code 3 "--staged: a staged blob missing"
git -C "$b" reset -q; rm "$b/k.js" "$b/b.js"
printf 'const a = 3;\n' > "$b/a.js"; commit_all "$b" three
cp -r "$b/.git" "$TMP/missing.git"; git -C "$TMP/missing.git" config core.bare true
cur=$(git -C "$b" rev-parse HEAD:a.js); rm -f "$TMP/missing.git/objects/${cur:0:2}/${cur:2}"
run "$BIN" scan --history "$TMP/missing.git"
expect_code 3 "bare: a blob of HEAD missing"
expect_out "a.js: blob $cur is missing or unreadable" "bare: the missing blob named"
t=$TMP/truncated; new_repo "$t"
for i in 1 2 3 4 5 6; do
  python3 -c "print(''.join(f'export const v${i}_{j} = {j};\\n' for j in range(300 * $i)))" > "$t/app.js"
  commit_all "$t" "v$i"
done
key_line > "$t/key.js"; commit_all "$t" key
git -C "$t" repack -adq
pack=$(ls "$t"/.git/objects/pack/*.pack); chmod u+w "$pack"
truncate -s $(( $(stat -c %s "$pack") / 2 )) "$pack"
run "$BIN" scan --history "$t"
case $code in 1|3) ok ;; *) bad "truncated pack: exit $code, want 1 or 3 (stderr: $err)" ;; esac
expect_out "is missing or unreadable" "truncated pack: what cannot be read is named"

# --- keys only a ref to a blob or a tree names, and a submodule, said in --verbose
k=$TMP/refs; new_repo "$k"; printf 'x\n' > "$k/a.txt"; commit_all "$k" one
git -C "$k" update-ref refs/keep "$(key_line | git -C "$k" hash-object -w --stdin)"
tree=$(printf '100644 blob %s\tconfig.js\n' \
  "$(printf 'const OCPAY_KEY = "sk_live_Tt8Wm3Rt6Yp1Ls4Kd7Hx";\n' | git -C "$k" hash-object -w --stdin)" |
  git -C "$k" mktree)
git -C "$k" tag -a -m tree snapshot "$tree"
run "$BIN" scan --history --format json "$k"
expect_code 1 "refs to a blob and a tree: their keys found"
expect_findings "OC001 refs/keep:1
OC001 refs/tags/snapshot:config.js:1" "refs to a blob and a tree: named after the ref"
expect_out "in no commit: only refs/keep names it (a ref to a blob): delete the ref and rotate the key" \
  "ref to a blob: said"
expect_out "only refs/tags/snapshot names it (a ref to a tree)" "tag of a tree: said"
sub=$TMP/subsrc; new_repo "$sub"; key_line > "$sub/k.js"; commit_all "$sub" s
w=$TMP/withsub; new_repo "$w"; printf 'x\n' > "$w/a.txt"
git -C "$w" -c protocol.file.allow=always submodule add -q "$sub" vendor/sub 2>/dev/null
commit_all "$w" submodule
for mode in "" --history; do
  # shellcheck disable=SC2086
  run "$BIN" scan $mode --verbose "$w"
  expect_code 0 "submodule ($mode): not scanned, not an error"
  expect_err "vendor/sub: skipped: a submodule is another repository (scan it on its own)" \
    "submodule ($mode): said in --verbose"
done

# --- one blob at several paths: each finding's message names its own path, and each
# path gets the rules of its name (the same .env content in notes.txt is no .env file)
p=$TMP/paths; new_repo "$p"
printf 'ONECLICK_API_KEY=%s\n' "$LIVE" > "$p/.env"; commit_all "$p" one
mkdir -p "$p/config"; cp "$p/.env" "$p/config/.env.local"; cp "$p/.env" "$p/notes.txt"
commit_all "$p" copies
run "$BIN" scan --history --format json "$p"
python3 -c '
import json, sys
d = json.load(sys.stdin)
got = sorted((f["rule"], f["path"], f["message"].split(" is committed")[0]) for f in d["findings"]
             if f["commit"] and f["rule"] == "OC005")
want = [("OC005", ".env", ".env"), ("OC005", "config/.env.local", "config/.env.local")]
sys.exit(0 if got == want else "got %r" % (got,))' <<<"$out" && ok \
  || bad "one blob at several paths: OC005 findings and their messages differ"

finish
