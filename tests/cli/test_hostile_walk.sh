#!/usr/bin/env bash
# The working-tree listing against special files and links among the files git reads to
# ignore files (.gitignore in any folder, .gitattributes, .git/info/exclude,
# core.excludesFile): a FIFO never blocks the scan (each run is under `timeout 20`, and
# 124 fails), an ignore file that cannot be read makes the result incomplete and is
# named, a linked .gitignore is never read. And the listing is git's own: the files
# scanned are exactly `git ls-files -co --exclude-standard` on a tree of nested ignore
# files, negations, folder patterns, `**`, escapes, info/exclude, core.excludesFile (its
# default places too) and ignored files that are tracked. Links the walk meets, tracked or
# not, are counted and never followed.
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

name="linked .gitattributes"
r=$TMP/link-attr; clean_repo "$r"; ln -s /dev/stdin "$r/.gitattributes"; touch "$r/a.js"
mkfifo "$TMP/stdin-attr"; exec 7<>"$TMP/stdin-attr"
run_t "$BIN" scan --format json "$r" <&7
expect_code 0 "$name: /dev/stdin is not read"
expect_out '"symlink": 1' "$name: counted as a link, not read"
run_t "$BIN" scan --staged "$r" <&7
expect_code 0 "$name: --staged"
exec 7>&-

name="a folder named .gitignore"
r=$TMP/dir-ignore; clean_repo "$r"; mkdir "$r/.gitignore"; key_line > "$r/.gitignore/k.js"
run_t "$BIN" scan --format json "$r"
expect_code 1 "$name: no rules from it, as git; its files listed"
[ "$(oc001_paths)" = ".gitignore/k.js" ] && ok || bad "$name: got $(oc001_paths)"

# --- untracked links: out of the repository, to /, loops; none is followed by the walk
name="untracked links"
r=$TMP/link-untracked; clean_repo "$r"; mkdir -p "$TMP/out-dir/deep" "$r/sub"
key_line > "$TMP/out-dir/deep/secret.js"; key_line > "$TMP/out-file.js"
ln -s "$TMP/out-dir" "$r/out"; ln -s "$TMP/out-file.js" "$r/file.js"; ln -s / "$r/root"
ln -s loop_b "$r/loop_a"; ln -s loop_a "$r/loop_b"; ln -s . "$r/self"; ln -s .. "$r/sub/up"
ln -s "$TMP/nowhere" "$r/dangling.js"
run_t "$BIN" scan --format json "$r"
expect_code 0 "$name: nothing read through them"
expect_out '"symlink": 8' "$name: each counted once"
[ -z "$(oc001_paths)" ] && ok || bad "$name: read through a link: $(oc001_paths)"
run_t "$BIN" scan --format json "$r/sub"
expect_code 0 "$name: PATH below them"

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

# The hard parts of git's rules, each file holding a key: escapes, `**` at the start, the
# middle and the end, ? and [..], anchoring by a slash, a folder that cannot be re-included
# once its parent is excluded, a nested .gitignore negating its parent's pattern, the
# order .gitignore > info/exclude > core.excludesFile (a `~/` path), folder-only patterns
# against a file of that name, and ignored files that are tracked (scanned).
name="git's listing, hard patterns"
r=$TMP/listing2; new_repo "$r"
mkdir -p "$r/x/gen" "$r/gen" "$r/deep/a/b" "$r/x/deep" "$r/out" "$r/lib/pub" "$r/lib/priv" \
  "$r/sub/deeper" "$r/x/mid" "$r/mid" "$r/site/build.js" "$r/x/y" "$r/empty/inner" "$r/ign/in"
printf '# a comment\n\\#hash.js\n\\!bang.js\n**/gen/\ndeep/**/x.js\n**/cache.js\nlog?.js\n' > "$r/.gitignore"
printf '[ab]z.js\nout/\n!out/keep.js\nlib/*\n!lib/pub/\nlib/pub/*.min.js\ntrailing.js   \n' >> "$r/.gitignore"
printf '/anchored.js\nmid/dle.js\nbuild.js/\n!important.bak.js\nign/**\n!ign/in/\n' >> "$r/.gitignore"
printf '!cache.js\n*.gen.js\n' > "$r/sub/.gitignore"
printf '!*.gen.js\n' > "$r/sub/deeper/.gitignore"
printf 'secret-*.js\n!secret-ok.js\n' >> "$r/.git/info/exclude"
printf '*.bak.js\nsecret-ok.js\n' > "$TMP/home-ignore"
git -C "$r" config core.excludesFile '~/home-ignore'
for f in '#hash.js' '!bang.js' hash.js bang.js x/gen/a.js gen/b.js deep/x.js deep/a/x.js \
  deep/a/b/x.js x/deep/x.js cache.js x/y/cache.js sub/cache.js log1.js log12.js az.js bz.js \
  cz.js out/keep.js out/o.js lib/l.js lib/priv/p.js lib/pub/q.js lib/pub/q.min.js trailing.js \
  anchored.js x/anchored.js mid/dle.js x/mid/dle.js site/build.js/in.js x/build.js \
  sub/s.gen.js sub/deeper/d.gen.js secret-a.js secret-ok.js a.bak.js important.bak.js \
  ign/i.js ign/in/i.js ign/in/j.js empty/inner/e.js plain.js; do
  key_line > "$r/$f"
done
# tracked although ignored: scanned, as git lists them
git -C "$r" add plain.js && git -C "$r" add -f out/o.js gen/b.js lib/priv/p.js secret-a.js a.bak.js
git -C "$r" commit -qm init
all=$(git -C "$r" ls-files -co --exclude-standard | sort)
want=$(grep -v '\(^\|/\)\.gitignore$' <<<"$all")
# what this test is about, as git has it: listed, and left out
for f in lib/pub/q.js sub/cache.js sub/deeper/d.gen.js important.bak.js secret-ok.js \
  x/anchored.js x/mid/dle.js x/build.js x/deep/x.js log12.js cz.js gen/b.js a.bak.js; do
  grep -qxF -- "$f" <<<"$want" && ok || bad "$name: git does not list $f"
done
for f in out/keep.js ign/in/i.js '!bang.js' '#hash.js' trailing.js lib/pub/q.min.js \
  x/y/cache.js deep/a/b/x.js site/build.js/in.js sub/s.gen.js; do
  grep -qxF -- "$f" <<<"$want" && bad "$name: git lists $f" || ok
done
run_t "$BIN" scan --format json "$r"
got=$(oc001_paths)
[ "$got" = "$want" ] && ok || bad "$name: files differ from git's:
$(diff <(echo "$want") <(echo "$got"))"
# every listed file read, the .gitignore files too (all text): the same count
n=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["stats"]["files_scanned"])' <<<"$out")
[ "$n" = "$(grep -c . <<<"$all")" ] && ok || bad "$name: $n files scanned, git lists $(grep -c . <<<"$all")"
# core.excludesFile unset: $XDG_CONFIG_HOME/git/ignore, else ~/.config/git/ignore
git -C "$r" config --unset core.excludesFile
mkdir -p "$TMP/.config/git" "$TMP/xdg/git"
printf 'plain.js\n*.bak.js\n' > "$TMP/.config/git/ignore"
want=$(git -C "$r" ls-files -co --exclude-standard | grep -v '\.gitignore$' | sort)
run_t "$BIN" scan --format json "$r"
[ "$(oc001_paths)" = "$want" ] && ok || bad "$name: ~/.config/git/ignore: $(diff <(echo "$want") <(oc001_paths))"
printf 'secret-ok.js\n' > "$TMP/xdg/git/ignore"
want=$(XDG_CONFIG_HOME=$TMP/xdg git -C "$r" ls-files -co --exclude-standard | grep -v '\.gitignore$' | sort)
XDG_CONFIG_HOME=$TMP/xdg run_t "$BIN" scan --format json "$r"
[ "$(oc001_paths)" = "$want" ] && ok || bad "$name: XDG_CONFIG_HOME: $(diff <(echo "$want") <(oc001_paths))"
rm -r "$TMP/.config" "$TMP/xdg"

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
