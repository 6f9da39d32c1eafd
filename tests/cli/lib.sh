# Shared helpers for the CLI tests: a scratch folder, git with pinned identity and dates,
# and assertions that count into the "N passed, M failed" line.
set -u
BIN=${1:?usage: test_X.sh PATH/TO/ocpay-audit}
case $BIN in /*) ;; */*) BIN=$PWD/$BIN ;; esac
SRC=${OCPAY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
TMP=$(mktemp -d)
trap 'chmod -R u+rwX "$TMP" 2>/dev/null; rm -rf "$TMP"' EXIT
export HOME=$TMP GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1
export GIT_AUTHOR_NAME=Merchant GIT_AUTHOR_EMAIL=dev@shop.dz GIT_COMMITTER_NAME=Merchant \
       GIT_COMMITTER_EMAIL=dev@shop.dz GIT_AUTHOR_DATE=2025-01-01T00:00:00Z \
       GIT_COMMITTER_DATE=2025-01-01T00:00:00Z
passed=0 failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

# run CMD...: runs it, keeps stdout in $out, stderr in $err, exit code in $code.
run() {
  out=$("$@" 2>"$TMP/.err"); code=$?; err=$(cat "$TMP/.err")
}
expect_code() { [ "$code" = "$1" ] && ok || bad "$2: exit $code, want $1 (stderr: $err)"; }
expect_out() { grep -qF -- "$1" <<<"$out" && ok || bad "$2: stdout lacks '$1': $out"; }
expect_no_out() { grep -qF -- "$1" <<<"$out" && bad "$2: stdout has '$1'" || ok; }
expect_err() { grep -qF -- "$1" <<<"$err" && ok || bad "$2: stderr lacks '$1': $err"; }
# findings as "RULE path:line" lines, sorted
findings() {
  python3 -c '
import json, sys
d = json.load(sys.stdin)
print("\n".join(sorted("%s %s:%d" % (f["rule"], f["path"], f["line"]) for f in d["findings"])))' <<<"$out"
}
expect_findings() {
  local got; got=$(findings)
  [ "$got" = "$1" ] && ok || bad "$2: findings differ:
--- want
$1
--- got
$got"
}
new_repo() { mkdir -p "$1" && git -C "$1" init -q -b main; }
commit_all() { git -C "$1" add -A && git -C "$1" commit -qm "${2:-change}"; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" = 0 ]; }
