#!/usr/bin/env bash
# Pre-commit benchmark: `ocpay-audit scan --staged` for a change of a few files in a
# repository of 10 000 files, next to `git diff --cached --name-only` (the least any
# hook does) in the same repository.
#   bench/staged.sh [BIN]
set -euo pipefail
bin=${1:-$(dirname "$0")/../build-release/ocpay-audit}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
repo=$(mktemp -d); trap 'rm -rf "$repo"' EXIT
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
git -C "$repo" init -q
python3 - "$repo" <<'PY'
import os, sys
root = sys.argv[1]
for i in range(10000):
    d = os.path.join(root, "src", "m%03d" % (i // 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d.js" % i), "w") as f:
        f.write("export function f%d(x) {\n  return x * %d + %d;\n}\n" % (i, i, i * 7))
PY
git -C "$repo" add -A && git -C "$repo" commit -qm base
# the change: three edited files and a new one that calls the API
for i in 00010 04020 09990; do
  m=$(printf 'm%03d' $((10#$i / 100)))
  echo "export const touched = true;" >> "$repo/src/$m/f$i.js"
done
cat > "$repo/src/pay.js" <<'JS'
export async function pay(order) {
  const r = await fetch("https://api.oneclickdz.com/v3/ocpay/createLink", {
    method: "POST",
    headers: { "X-Access-Token": process.env.ONECLICK_API_KEY },
    body: JSON.stringify({ productInfo: { title: order.title, amount: order.total } }),
  });
  if (!r.ok) throw new Error("createLink failed");
  return r.json();
}
JS
git -C "$repo" add -A
echo "repository: 10 001 files, staged: 4 files"
out=$(mktemp); trap 'rm -rf "$repo" "$out"' EXIT
hyperfine --warmup 2 --runs "${RUNS:-20}" --export-json "$out" \
  -n "ocpay-audit --staged" "cd $repo && $bin scan --staged --quiet || true" \
  -n "git diff --cached" "git -C $repo diff --cached --name-only" >&2
python3 - "$out" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
a, g = r["ocpay-audit --staged"], r["git diff --cached"]
print("ocpay-audit --staged %.1f ms | git diff --cached --name-only %.1f ms | ratio %.2fx"
      % (a * 1000, g * 1000, a / g))
PY
