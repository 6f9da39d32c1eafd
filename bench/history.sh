#!/usr/bin/env bash
# History benchmark: ocpay-audit scan --history next to the decompression floor
# (git cat-file --batch over every blob id; also in pack order, git's fastest read) and
# the by-hand pipeline (git log --all -p | rg), on the same repository, warm caches.
# Prints times, ratios and ocpay-audit's peak RSS.
#   bench/history.sh REPO [BIN]
set -euo pipefail
repo=${1:?usage: bench/history.sh REPO [path/to/ocpay-audit]}
bin=${2:-$(dirname "$0")/../build-release/ocpay-audit}
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)"; exit 2; }
command -v rg >/dev/null || { echo "needs ripgrep (apt-get install ripgrep)"; exit 2; }
blobs=$(mktemp); packed=$(mktemp); out=$(mktemp); trap 'rm -f "$blobs" "$packed" "$out"' EXIT
git -C "$repo" cat-file --batch-all-objects --batch-check='%(objectname) %(objecttype)' |
  awk '$2 == "blob" {print $1}' > "$blobs"
git -C "$repo" cat-file --batch-all-objects --unordered --batch-check='%(objectname) %(objecttype)' |
  awk '$2 == "blob" {print $1}' > "$packed"
echo "repository: $repo"
echo "  $(git -C "$repo" rev-list --all --count) commits, $(wc -l < "$blobs") blobs," \
     "$(git -C "$repo" cat-file --batch-check='%(objectsize)' < "$blobs" | awk '{s+=$1} END {printf "%.2f GB", s/1e9}')"
hyperfine --warmup 1 --runs "${RUNS:-3}" --export-json "$out" \
  -n ocpay-audit "$bin scan --history --quiet --fail-on critical $repo || true" \
  -n cat-file-floor "git -C $repo cat-file --batch < $blobs > /dev/null" \
  -n cat-file-pack-order "git -C $repo cat-file --batch < $packed > /dev/null" \
  -n 'git-log-p|rg' "git -C $repo log --all -p | rg -c 'sk_(live|sandbox)_' || true" >&2
python3 - "$out" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
a = r["ocpay-audit"]
print(f"ocpay-audit {a:.2f} s | cat-file floor {r['cat-file-floor']:.2f} s "
      f"(ratio {a / r['cat-file-floor']:.2f}x) | cat-file in pack order "
      f"{r['cat-file-pack-order']:.2f} s (ratio {a / r['cat-file-pack-order']:.2f}x) | "
      f"git log -p | rg {r['git-log-p|rg']:.2f} s "
      f"(ocpay-audit is {r['git-log-p|rg'] / a:.1f}x faster)")
PY
/usr/bin/time -f "ocpay-audit peak RSS: %M KB" "$bin" scan --history --quiet --fail-on critical "$repo" >/dev/null || true
