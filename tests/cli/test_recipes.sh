#!/usr/bin/env bash
# The documented recipes run as written: the README shows ci/*.yml verbatim, every YAML
# parses, the GitHub Action's steps (scripts/action.sh) run with GitHub's variables, the
# README's workflow gates a pull request and a push, the GitLab job script works on
# merge-request and branch pipelines, and the pre-commit hook goes through the real
# pre-commit framework on a commit and with --all-files.
. "$(dirname "$0")/lib.sh"
LIVE=sk_live_9fK2mQ7xR4tL8vN3
LIVE2=sk_live_Zq81Lw0pNc6Rt4Hh
VALIDATE=$SRC/tests/tools/validate_json.py
command -v pre-commit >/dev/null || { bad "pre-commit is not installed (scripts/test.sh installs it)"; }
python3 -c 'import yaml' 2>/dev/null || { bad "PyYAML is not installed (scripts/test.sh installs it)"; finish; exit; }

# --- the README shows the recipe files as they are; every YAML parses
for f in ci/github-workflow.yml ci/gitlab-ci.yml; do
  python3 - "$SRC/README.md" "$SRC/$f" <<'PY' && ok || bad "README.md does not show $f verbatim"
import sys
readme, recipe = open(sys.argv[1]).read(), open(sys.argv[2]).read()
sys.exit(0 if "```yaml\n" + recipe + "```" in readme else 1)
PY
done
for f in action.yml .pre-commit-hooks.yaml ci/github-workflow.yml ci/gitlab-ci.yml; do
  python3 -c 'import sys, yaml; yaml.safe_load(open(sys.argv[1]))' "$SRC/$f" && ok || bad "$f does not parse"
done
# yq-like reads: yget FILE PYTHON-EXPRESSION-ON-d
yget() { python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

# --- setup's package picker: a package installed under any of its names is left alone
if command -v dpkg-query >/dev/null && dpkg-query -W -f='${Status}' jq 2>/dev/null | grep -q installed; then
  run "$SRC/scripts/install-packages.sh" "no-such-package-name|jq" jq
  expect_code 0 "install-packages: an installed alternative is enough"
  [ -z "$out" ] && ok || bad "install-packages installed something: $out"
fi

# --- a project with a pull request: main has an old .env leak, the PR adds a key
p=$TMP/project; new_repo "$p"; mkdir -p "$p/my shop"
printf 'ONECLICK_API_KEY=%s\n' "$LIVE" > "$p/my shop/.env"
printf 'console.log(1);\n' > "$p/my shop/app.js"
git -C "$p" add -A; git -C "$p" add -f "my shop/.env"; git -C "$p" commit -qm "old leak"
git clone -q "$p" "$TMP/ws"; ws=$TMP/ws
git -C "$ws" checkout -q -b feature
printf 'module.exports = "%s";\n' "$LIVE2" > "$ws/my shop/keys.js"
commit_all "$ws" "the pull request's key"

# --- the action's steps, with GitHub's variables
export GITHUB_OUTPUT=$TMP/gh-output GITHUB_PATH=$TMP/gh-path RUNNER_TEMP=$TMP/runner
mkdir -p "$RUNNER_TEMP"; : > "$GITHUB_OUTPUT"; : > "$GITHUB_PATH"
steps=$(yget "$SRC/action.yml" '"\n".join(s.get("run", "uses " + s.get("uses", "")) for s in d["runs"]["steps"])')
[ "$steps" = '"$GITHUB_ACTION_PATH/scripts/action.sh" key
uses actions/cache@v4
"$GITHUB_ACTION_PATH/scripts/action.sh" install
"$GITHUB_ACTION_PATH/scripts/action.sh" audit' ] && ok || bad "action.yml steps changed: test them here: $steps"
export GITHUB_ACTION_PATH=$SRC
run bash -c "$(yget "$SRC/action.yml" 'd["runs"]["steps"][0]["run"]')"
expect_code 0 "action: key step"
grep -qE '^key=ocpay-audit-[0-9.]+-[a-z0-9.-]+-[a-z0-9_]+-[0-9a-f]{16}$' "$GITHUB_OUTPUT" && ok || bad "action: cache key: $(cat "$GITHUB_OUTPUT")"
# the install step on a cache hit: the cached prefix is used, not rebuilt
prefix=$HOME/.ocpay-audit; mkdir -p "$prefix/bin"; cp "$BIN" "$prefix/bin/ocpay-audit"
run env OCPAY_CACHE_HIT=true bash -c "$(yget "$SRC/action.yml" 'd["runs"]["steps"][2]["run"]')"
expect_code 0 "action: install step on a cache hit"
expect_out "ocpay-audit " "action: install step prints the version"
[ "$(cat "$GITHUB_PATH")" = "$prefix/bin" ] && ok || bad "action: \$GITHUB_PATH: $(cat "$GITHUB_PATH")"
[ ! -e "$RUNNER_TEMP/ocpay-audit-build" ] && ok || bad "action: rebuilt on a cache hit"
# the audit step: args one per line (a path with a space), SARIF beside, the outputs
audit_step=$(yget "$SRC/action.yml" 'd["runs"]["steps"][3]["run"]')
: > "$GITHUB_OUTPUT"
run env -C "$ws" OCPAY_ARGS=$'scan\n--fail-on\ncritical\n--\nmy shop\n' OCPAY_SARIF=ocpay-audit.sarif OCPAY_FAIL=true bash -c "$audit_step"
expect_code 1 "action: the audit fails on the keys"
expect_out "keys.js:1:" "action: a path with a space is one argument"
grep -qx 'exit-code=1' "$GITHUB_OUTPUT" && grep -qx 'sarif-file=ocpay-audit.sarif' "$GITHUB_OUTPUT" \
  && ok || bad "action: outputs: $(cat "$GITHUB_OUTPUT")"
[ "$(jq -r .version "$ws/ocpay-audit.sarif")" = 2.1.0 ] && ok || bad "action: no SARIF written"
: > "$GITHUB_OUTPUT"
run env -C "$ws" OCPAY_ARGS=$'scan\n--history' OCPAY_SARIF=ocpay-audit.sarif OCPAY_FAIL=false bash -c "$audit_step"
expect_code 0 "action: fail: false leaves the verdict to the outputs"
grep -qx 'exit-code=1' "$GITHUB_OUTPUT" && ok || bad "action: fail false: exit-code output: $(cat "$GITHUB_OUTPUT")"
: > "$GITHUB_OUTPUT"
run env -C "$ws" OCPAY_ARGS=$'rules' OCPAY_SARIF=ocpay-audit.sarif bash -c "$audit_step"
expect_code 0 "action: a command without SARIF"
grep -qx 'sarif-file=' "$GITHUB_OUTPUT" && ok || bad "action: rules: sarif-file should be empty: $(cat "$GITHUB_OUTPUT")"
# the inputs' defaults are what the steps expect
[ "$(yget "$SRC/action.yml" 'repr(d["inputs"]["args"]["default"])')" = "'scan\\n--history\\n'" ] && ok || bad "action: args default"
[ "$(yget "$SRC/action.yml" 'sorted(d["outputs"])')" = "['exit-code', 'sarif-file']" ] && ok || bad "action: outputs"

# --- the README's workflow: its steps in order, on a pull request and on a push
wf=$SRC/ci/github-workflow.yml
[ "$(yget "$wf" 'd["jobs"]["ocpay-audit"]["steps"][1]["uses"].split("@")[0]')" = OWNER/ocpay-audit ] && ok || bad "workflow: the action step"
[ "$(yget "$wf" 'd["jobs"]["ocpay-audit"]["steps"][1]["with"]["fail"]')" = False ] && ok || bad "workflow: the action must not fail before the upload"
yget "$wf" 'd["jobs"]["ocpay-audit"]["steps"][3]["if"]' | grep -q '^always()' && ok || bad "workflow: the upload runs always"
# ${{ steps.audit.outputs.X }} from the action's outputs; nothing else unresolved
expand() { python3 - "$GITHUB_OUTPUT" "$1" <<'PY'
import re, sys
outs = dict(l.rstrip("\n").split("=", 1) for l in open(sys.argv[1]) if "=" in l)
def sub(m):
    k = m.group(1)
    if not k.startswith("steps.audit.outputs."):
        raise SystemExit("unresolved expression: " + k)
    return outs[k.split(".")[-1]]
print(re.sub(r"\$\{\{\s*([^}]*?)\s*\}\}", sub, sys.argv[2]))
PY
}
: > "$GITHUB_OUTPUT"
(cd "$ws" && OCPAY_ARGS=$'scan\n--history' OCPAY_SARIF=ocpay-audit.sarif OCPAY_FAIL=false bash -c "$audit_step" >/dev/null 2>&1)
pr_gate=$(yget "$wf" 'd["jobs"]["ocpay-audit"]["steps"][2]["run"]')
run env -C "$ws" PATH="$prefix/bin:$PATH" GITHUB_BASE_REF=main bash -e -c "$pr_gate"
expect_code 1 "workflow: the pull request gate fails on the key it adds"
expect_out "::error file=my shop/keys.js,line=1" "workflow: the PR gate annotates the PR's key"
expect_no_out "my shop/.env," "workflow: the PR gate does not blame the PR for main's old leak"
push_gate=$(expand "$(yget "$wf" 'd["jobs"]["ocpay-audit"]["steps"][4]["run"]')") && ok || bad "workflow: $push_gate"
run bash -e -c "$push_gate"
expect_code 1 "workflow: the push gate fails with the audit's code"
git -C "$ws" checkout -q main
run env -C "$ws" PATH="$prefix/bin:$PATH" GITHUB_BASE_REF=main bash -e -c "$pr_gate"
expect_code 0 "workflow: a pull request that adds nothing passes (the reports beside it included)"
[ -z "$out" ] && ok || bad "workflow: annotations on a clean PR: $out"

# --- GitLab: the job's script on a merge-request pipeline and on a branch pipeline
gl_script=$(yget "$SRC/ci/gitlab-ci.yml" '"\n".join(d["ocpay-audit"]["script"])')
reports=$(yget "$SRC/ci/gitlab-ci.yml" '" ".join(d["ocpay-audit"]["artifacts"]["reports"].values())')
git -C "$ws" checkout -q feature
run env -C "$ws" PATH="$prefix/bin:$PATH" CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main sh -e -c "$gl_script"
expect_code 1 "gitlab: a merge request adding a key fails"
for f in $reports ocpay-audit.md; do [ -s "$ws/$f" ] && ok || bad "gitlab: no $f"; done
v=$(python3 "$VALIDATE" "$SRC/tests/tools/gitlab-sast-required.schema.json" "$ws/gl-sast-report.json" 2>&1) && ok || bad "gitlab: $v"
[ "$(jq -r '[.vulnerabilities[].location.file] | join(",")' "$ws/gl-sast-report.json")" = "my shop/keys.js" ] \
  && ok || bad "gitlab MR: only the MR's key: $(jq -c '[.vulnerabilities[].location.file]' "$ws/gl-sast-report.json")"
rm -f "$ws"/gl-*.json "$ws"/ocpay-audit.*
run env -C "$ws" PATH="$prefix/bin:$PATH" CI_MERGE_REQUEST_TARGET_BRANCH_NAME= sh -e -c "$gl_script"
expect_code 1 "gitlab: a branch pipeline (no target branch) runs and fails on the keys"
expect_no_out "needs an argument" "gitlab: the branch pipeline passes no empty --since"
jq -e '[.vulnerabilities[].location.file] | index("my shop/.env") != null' "$ws/gl-sast-report.json" >/dev/null \
  && ok || bad "gitlab branch: the whole history judged"
python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$ws/ocpay-audit.xml" && ok || bad "gitlab: junit is XML"

# --- pre-commit, through the framework: a commit, and --all-files on a committed key
hooks=$TMP/hooks; new_repo "$hooks"; cp "$SRC/.pre-commit-hooks.yaml" "$hooks/"; commit_all "$hooks" hooks
pc=$TMP/pc; new_repo "$pc"
printf 'repos:\n  - repo: %s\n    rev: %s\n    hooks:\n      - id: ocpay-audit\n' "$hooks" "$(git -C "$hooks" rev-parse HEAD)" > "$pc/.pre-commit-config.yaml"
printf 'console.log(1);\n' > "$pc/app.js"
git -C "$pc" add -A; git -C "$pc" commit -qm init
export PATH="$(dirname "$BIN"):$PATH" PRE_COMMIT_HOME=$TMP/pre-commit-cache
run env -C "$pc" pre-commit install
expect_code 0 "pre-commit install"
printf 'const ONECLICK_API_KEY = "%s";\n' "$LIVE" > "$pc/pay.js"; git -C "$pc" add pay.js
run git -C "$pc" commit -qm "add a key"
[ "$code" != 0 ] && ok || bad "pre-commit: a commit adding a key went through"
grep -qF "pay.js:1:26: critical: hardcoded OCPay live key" <<<"$out$err" && ok || bad "pre-commit: the key named: $out$err"
grep -q "Production checklist" <<<"$out$err" && bad "pre-commit: not --quiet" || ok
git -C "$pc" reset -q pay.js; rm "$pc/pay.js"
printf 'console.log(2);\n' > "$pc/app.js"; git -C "$pc" add app.js
run git -C "$pc" commit -qm "clean change"
expect_code 0 "pre-commit: a clean commit goes through"
# a key committed past the hook (--no-verify): --all-files judges the content
printf 'ONECLICK_API_KEY=%s\n' "$LIVE2" > "$pc/.env"; git -C "$pc" add -f .env
git -C "$pc" commit -qm "bypass" --no-verify
run env -C "$pc" pre-commit run --all-files
expect_code 1 "pre-commit run --all-files fails on a committed key"
expect_out ".env:1:18: critical: hardcoded OCPay live key" "pre-commit --all-files names the key"
expect_out ".env is committed to git with a secret in it" "pre-commit --all-files: the committed .env"
printf 'console.log(3);\n' > "$pc/app.js"; git -C "$pc" add app.js
run env -C "$pc" pre-commit run
expect_code 0 "pre-commit run on a clean staged change passes"
finish
