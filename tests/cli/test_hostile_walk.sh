#!/usr/bin/env bash
# The working-tree listing against special files and links among the files git reads to
# ignore files (.gitignore in any folder, .gitattributes, .git/info/exclude,
# core.excludesFile): a FIFO never blocks the scan (each run is under `timeout 20`, and
# 124 fails), an ignore file that cannot be read makes the result incomplete and is
# named, a linked .gitignore is never read. And the listing is git's own: the files
# scanned are exactly `git ls-files -co --exclude-standard` on a tree of nested ignore
# files, negations, folder patterns, info/exclude and core.excludesFile.
. "$(dirname "$0")/lib.sh"

LIVE=sk_live_Zq8Wm3Rt6Yp1Ls4Kd7Hx
key_line() { printf 'const ONECLICK_API_KEY = "%s";\n' "$LIVE"; }
# a repository with one tracked file and no key
clean_repo() { new_repo "$1"; printf 'const a = 1;\n' > "$1/a.js"; commit_all "$1" init; }
# run_t CMD...: run under timeout 20; a hang is a failure of its own.
run_t() {
  run timeout 20 "$@"
  [ "$code" = 124 ] && bad "$name: hung (killed after 20 s)" || ok
}
# OC001 paths of the last JSON output, one per line, sorted
oc001_paths() {
  python3 -c '
import json, sys
print("\n".join(sorted({f["path"] for f in json.load(sys.stdin)["findings"] if f["rule"] == "OC001"})))' <<<"$out"
}

# --- a FIFO named .gitignore at the root and in a folder
name="FIFO .gitignore at the root"
r=$TMP/fifo-root; clean_repo "$r"; mkfifo "$r/.gitignore"
run_t "$BIN" scan "$r"
expect_code 3 "$name: incomplete"
expect_out "incomplete: .gitignore: not a regular file: its ignore rules were not read" "$name: named"

name="FIFO .gitignore in a folder"
r=$TMP/fifo-sub; clean_repo "$r"; mkdir "$r/web"; printf 'const b = 2;\n' > "$r/web/b.js"
mkfifo "$r/web/.gitignore"
run_t "$BIN" scan "$r"
expect_code 3 "$name: incomplete"
expect_out "incomplete: web/.gitignore: not a regular file" "$name: named with its folder"
run_t "$BIN" scan "$r/web"
expect_code 3 "$name: PATH is that folder"

name="FIFO .gitignore in an ignored folder"
r=$TMP/fifo-ignored; clean_repo "$r"; mkdir "$r/dist"; mkfifo "$r/dist/.gitignore"
printf 'dist/\n' > "$r/.gitignore"
run_t "$BIN" scan "$r"
expect_code 0 "$name: never read, git does not read it either"

# --- .gitattributes is not read by the listing; a racy tracked file used to make libgit2
# hash it through its filters, which read .gitattributes
name="FIFO .gitattributes"
r=$TMP/fifo-attr; clean_repo "$r"; mkfifo "$r/.gitattributes"; touch "$r/a.js"
run_t "$BIN" scan "$r"
expect_code 0 "$name: the scan does not need it"
mkdir -p "$r/sub"; mkfifo "$r/sub/.gitattributes"
run_t "$BIN" scan --staged "$r"
expect_code 0 "$name: --staged"

name="FIFO .git/info/exclude"
r=$TMP/fifo-exclude; clean_repo "$r"; rm -f "$r/.git/info/exclude"; mkfifo "$r/.git/info/exclude"
run_t "$BIN" scan "$r"
expect_code 3 "$name: incomplete"
expect_out "incomplete: .git/info/exclude: not a regular file" "$name: named"
run_t "$BIN" scan --history "$r"
expect_code 3 "$name: --history too"

name="core.excludesFile is a FIFO"
r=$TMP/fifo-global; clean_repo "$r"; mkfifo "$TMP/global-ignore"
git -C "$r" config core.excludesFile "$TMP/global-ignore"
run_t "$BIN" scan "$r"
expect_code 3 "$name: incomplete"
expect_out "incomplete: $TMP/global-ignore: not a regular file" "$name: named"

name="every ignore file a FIFO, with an OCPay integration that reads .env"
r=$TMP/fifo-all; new_repo "$r"
printf 'const key = process.env.ONECLICK_API_KEY;\nfetch("https://api.oneclickdz.com/v3/ocpay/createLink", {headers: {"X-Access-Token": key}});\n' > "$r/pay.js"
commit_all "$r" init
mkfifo "$r/.gitignore" "$r/.gitattributes"; rm -f "$r/.git/info/exclude"
mkfifo "$r/.git/info/exclude"
run_t "$BIN" scan --format json "$r"
n=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(".gitignore: not a regular" in x for x in d["incomplete"]))' <<<"$out")
[ "$n" = 1 ] && ok || bad "$name: .gitignore named once, got $n times: $out"
run_t "$BIN" scan --staged "$r"
[ "$code" != 124 ] && ok || bad "$name: --staged hung"

name="a FIFO among the untracked files"
r=$TMP/fifo-file; clean_repo "$r"; mkfifo "$r/pipe.js"
run_t "$BIN" scan "$r"
expect_code 0 "$name: left out, as git leaves it out"

# --- a linked .gitignore is never read: not outside the repository, not /dev/stdin
name="linked .gitignore"
r=$TMP/link-ignore; clean_repo "$r"; printf '*.js\n' > "$TMP/outside-ignore"
ln -s "$TMP/outside-ignore" "$r/.gitignore"; key_line > "$r/new.js"
run_t "$BIN" scan --format json -v "$r"
expect_code 1 "$name: its patterns do not hide the untracked key"
[ "$(oc001_paths)" = "new.js" ] && ok || bad "$name: want new.js reported, got $(oc001_paths)"
expect_err ".gitignore: a symbolic link: not read" "$name: told with -v"
# stdin a FIFO that stays open and empty: reading it would block
mkdir "$r/sub"; ln -s /dev/stdin "$r/sub/.gitignore"; mkfifo "$TMP/stdin"; exec 7<>"$TMP/stdin"
run_t "$BIN" scan "$r" <&7
exec 7>&-
expect_code 1 "$name: /dev/stdin is not read"

name="linked .git/info/exclude"
r=$TMP/link-exclude; clean_repo "$r"; rm -f "$r/.git/info/exclude"
ln -s "$TMP/outside-ignore" "$r/.git/info/exclude"; key_line > "$r/new.js"
run_t "$BIN" scan --format json "$r"
expect_code 1 "$name: not read, the key is found"
expect_out "a symbolic link: not read" "$name: named as incomplete"

# --- the files listed are git's: tracked, plus untracked and not ignored
name="git's listing"
r=$TMP/listing; new_repo "$r"
mkdir -p "$r/web/dist/assets" "$r/web/src" "$r/api/logs" "$r/api/tmp/keep" "$r/docs" \
  "$r/build" "$r/vendor/pkg" "$r/a/b/c" "$r/notes" "$r/other/.git" "$r/nested"
printf '*.log\n!important.log\nbuild/\n/docs/*.md\n' > "$r/.gitignore"
printf 'dist/\n!keep/\n*.tmp.js\n' > "$r/web/.gitignore"
printf 'tmp/*\n!tmp/keep/\nlogs\n' > "$r/api/.gitignore"
printf 'c/\n' > "$r/a/.gitignore"
printf 'vendor/\n' >> "$r/.git/info/exclude"
printf 'notes/**\n!notes/ok.js\n' > "$TMP/global"
git -C "$r" config core.excludesFile "$TMP/global"
for f in web/dist/app.js web/dist/assets/x.js web/src/app.js web/src/x.tmp.js api/logs/a.js \
  api/tmp/a.js api/tmp/keep/k.js api/server.js app.log important.log docs/readme.md \
  docs/deploy.js build/out.js vendor/pkg/index.js a/b/c/d.js a/b/e.js notes/n.js notes/ok.js \
  other/inner.js nested/n.js top.js; do
  key_line > "$r/$f"
done
# an empty .git folder is no repository (git goes in); nested/ is one (git does not)
git -C "$r/nested" init -q
git -C "$r" add web/src/app.js top.js && git -C "$r" add -f build/out.js
git -C "$r" commit -qm init
want=$(git -C "$r" ls-files -co --exclude-standard | grep -v '\(^\|/\)\.gitignore$\|/$' | sort)
run_t "$BIN" scan --format json "$r"
got=$(oc001_paths)
[ "$got" = "$want" ] && ok || bad "$name: files differ from git's:
--- git
$want
--- scanned
$got"
# an index of version 4 (paths prefix-compressed) lists the same
git -C "$r" update-index --index-version 4
run_t "$BIN" scan --format json "$r"
[ "$(oc001_paths)" = "$want" ] && ok || bad "$name: index v4 differs: $(oc001_paths)"
# PATH inside: the same files, from the folders above too
want=$(cd "$r/api" && git ls-files --full-name -co --exclude-standard | grep -v '\.gitignore$' | sort)
run_t "$BIN" scan --format json "$r/api"
[ "$(oc001_paths)" = "$want" ] && ok || bad "$name: api/ differs: $(oc001_paths)"

# --- an index naming a path out of the working tree is refused, never followed
name="index path out of the tree"
r=$TMP/index-escape; clean_repo "$r"; key_line > "$TMP/escape-target.js"
python3 - "$r/.git/index" <<'PY'
import hashlib, struct, sys
data = open(sys.argv[1], "rb").read()
entry = data[12:12 + 62]
name = b"../escape-target.js"
flags = (struct.unpack(">H", entry[60:62])[0] & 0xF000) | len(name)
e = entry[:60] + struct.pack(">H", flags) + name
e += b"\0" * (8 - len(e) % 8)
body = b"DIRC" + struct.pack(">II", 2, 1) + e
open(sys.argv[1], "wb").write(body + hashlib.sha1(body).digest())
PY
run_t "$BIN" scan "$r"
expect_code 2 "$name: an error, as libgit2 has it"
expect_err "cannot read the git index" "$name: named"
expect_no_out "escape-target" "$name: not read"

name="PATH inside .git"
r=$TMP/in-dotgit; clean_repo "$r"; key_line > "$r/.git/leak.js"
run_t "$BIN" scan --format json "$r/.git"
[ -z "$(oc001_paths)" ] && ok || bad "$name: read .git: $(oc001_paths)"

name="a tracked file whose folder became a link"
r=$TMP/parent-link; new_repo "$r"; mkdir "$r/sub" "$TMP/elsewhere"; key_line > "$r/sub/secret.js"
commit_all "$r" init; rm -r "$r/sub"; ln -s "$TMP/elsewhere" "$r/sub"; key_line > "$TMP/elsewhere/secret.js"
run_t "$BIN" scan --format json -v "$r"
expect_code 0 "$name: not read through the link"
expect_err "sub/secret.js: skipped: symbolic link" "$name: told with -v"

# --- repository layouts: read without libgit2 where they are common, by libgit2 otherwise;
# the files scanned are git's either way
layout_check() { # DIR NAME: scan DIR, compare with git's listing there
  local want
  want=$(cd "$1" && git ls-files --full-name -co --exclude-standard | grep '\.js$' | sort)
  run_t "$BIN" scan --format json "$1"
  [ "$(oc001_paths)" = "$want" ] && ok || bad "$2: scanned $(oc001_paths), git lists $want"
}
name="layouts"
m=$TMP/layout-main; new_repo "$m"; key_line > "$m/tracked.js"; printf 'ignored.js\n' > "$m/.gitignore"
commit_all "$m" init; key_line > "$m/untracked.js"; key_line > "$m/ignored.js"
layout_check "$m" "a .git folder"
git -C "$m" worktree add -q "$TMP/layout-wt" 2>/dev/null
key_line > "$TMP/layout-wt/wt-only.js"; key_line > "$TMP/layout-wt/ignored.js"
layout_check "$TMP/layout-wt" "a linked worktree (.git file, commondir)"
git -C "$m" pack-refs --all
run_t "$BIN" scan --format json "$TMP/layout-wt"
head_id=$(git -C "$TMP/layout-wt" rev-parse HEAD)
expect_out "$head_id" "linked worktree: HEAD read from packed refs"
s=$TMP/layout-super; new_repo "$s"; printf 'x\n' > "$s/a.txt"; commit_all "$s" init
git -C "$s" -c protocol.file.allow=always submodule add -q "$m" mod 2>/dev/null
key_line > "$s/mod/sub-untracked.js"
layout_check "$s/mod" "a submodule (core.worktree: left to libgit2)"
layout_check "$s" "a repository holding a submodule: not entered"
git -C "$m" config core.ignorecase true; key_line > "$m/TRACKED.js"
layout_check "$m" "core.ignorecase"
git -C "$m" config core.ignorecase false
printf '[include]\n\tpath = extra\n' >> "$m/.git/config"; printf '[core]\n\texcludesFile = %s\n' "$TMP/outside-ignore" > "$m/.git/extra"
layout_check "$m" "a config include (left to libgit2)"

finish
