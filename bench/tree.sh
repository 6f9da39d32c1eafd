#!/usr/bin/env bash
# Working-tree benchmark: ocpay-audit scan next to `rg -c 'sk_(live|sandbox)_' .` on the
# same large JavaScript tree (a git repository, so nothing is ignored unless .gitignore
# says so). Without TREE, builds one from npm packages in a cache folder. With PLANT=DIR
# (a merchant project, e.g. fixtures/sample-shop), a copy of DIR is put in the tree for
# the run, so the figures include parsing an OCPay integration among the noise.
#   bench/tree.sh [TREE] [BIN]
set -euo pipefail
tree=${1:-}
bin=${2:-$(dirname "$0")/../build-release/ocpay-audit}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
if [ -z "$tree" ]; then
  tree=${XDG_CACHE_HOME:-$HOME/.cache}/ocpay-audit/bench-node
  if [ ! -d "$tree/node_modules" ]; then
    mkdir -p "$tree"
    (cd "$tree" && npm init -y >/dev/null &&
     npm install --ignore-scripts --no-audit --no-fund --silent \
       typescript@5.6.3 eslint@9.14.0 webpack@5.96.1 @babel/core@7.26.0 react-dom@18.3.1 \
       next@15.0.3 aws-sdk@2.1692.0 >/dev/null)
    git -C "$tree" init -q
  fi
fi
if [ -n "${PLANT:-}" ]; then
  rm -rf "$tree/ocpay-planted"; cp -r "$PLANT" "$tree/ocpay-planted"
  trap 'rm -rf "$tree/ocpay-planted"' EXIT
fi
files=$(cd "$tree" && find . -type f -not -path './.git/*' | wc -l)
size=$(du -sh --exclude=.git "$tree" | cut -f1)
echo "tree: $tree ($files files, $size)"
out=$(mktemp); trap 'rm -f "$out"; rm -rf "$tree/ocpay-planted"' EXIT
hyperfine --warmup 1 --runs "${RUNS:-5}" --export-json "$out" \
  -n ocpay-audit "$bin scan --quiet --fail-on critical $tree || true" \
  -n rg "rg -c 'sk_(live|sandbox)_' $tree || true" >&2
python3 - "$out" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"ocpay-audit {r['ocpay-audit']*1000:.0f} ms | rg {r['rg']*1000:.0f} ms "
      f"| ratio {r['ocpay-audit'] / r['rg']:.2f}x")
PY
"$bin" scan --format json --fail-on critical "$tree" | python3 -c '
import json, sys; s = json.load(sys.stdin)["stats"]
print("files scanned %d, parsed %d, %.0f MB" % (s["files_scanned"], s["files_parsed"], s["bytes_scanned"] / 1e6))' || true
