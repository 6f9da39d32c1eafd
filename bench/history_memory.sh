#!/usr/bin/env bash
# Peak memory of `scan --history` as the history grows: synthetic histories of 20 000,
# 60 000 and 180 000 blobs (git fast-import: a few thousand files of a JavaScript
# project, each commit changing ten of them), scanned as fast-import packed them and
# repacked (git repack -adf); prints blobs, commits, object size, wall and CPU time and
# peak RSS per size.
#   bench/history_memory.sh [BIN] [SIZES...]        (default sizes: 20000 60000 180000)
# The repositories are kept in $HISTORY_BENCH_DIR (default /tmp/ocpay-history-bench) and
# reused by later runs.
set -euo pipefail
bin=${1:-$(dirname "$0")/../build-release/ocpay-audit}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(20000 60000 180000)
dir=${HISTORY_BENCH_DIR:-/tmp/ocpay-history-bench}
mkdir -p "$dir"

# make_history REPO BLOBS: a first commit of BLOBS/20 files, then commits of ten changed
# files each until BLOBS blobs exist. Dates and names are fixed: the same repository
# every time.
make_history() {
  local repo=$1 n=$2
  git init -q -b main "$repo"
  python3 - "$n" <<'PY' | git -C "$repo" fast-import --quiet
import random, sys
n = int(sys.argv[1])
files = max(100, n // 20)
rng = random.Random(n)
out = sys.stdout.buffer
def content(f, version):
    lines = [f"// module {f}, version {version}"]
    if f % 97 == 0:
        lines.append("const key = process.env.OCPAY_API_KEY;")
    for i in range(40):
        lines.append(f"export function f{f}_{i}(x) {{ return x * {i} + {(version * 31 + i) % 1000}; }}")
    return ("\n".join(lines) + "\n").encode()
def path(f):
    return f"src/m{f // 100:03d}/file{f:05d}.js"
def commit(i, changes):
    msg = f"change {i}".encode()
    out.write(b"commit refs/heads/main\n")
    out.write(b"committer Bench <bench@example.com> %d +0000\n" % (1600000000 + i * 60))
    out.write(b"data %d\n%s\n" % (len(msg), msg))
    for f, version in changes:
        data = content(f, version)
        out.write(b"M 100644 inline %s\ndata %d\n%s\n" % (path(f).encode(), len(data), data))
version = {}
commit(0, [(f, 0) for f in range(files)])
blobs, i = files, 1
while blobs < n:
    changes = []
    for f in rng.sample(range(files), min(10, n - blobs)):
        version[f] = version.get(f, 0) + 1
        changes.append((f, version[f]))
    commit(i, changes)
    blobs += len(changes)
    i += 1
PY
}

measure() {
  local repo=$1 label=$2 r
  r=$(python3 - "$bin" "$repo" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run([sys.argv[1], "scan", "--history", "--quiet", "--fail-on", "critical", sys.argv[2]],
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%5.1f s (cpu %5.1f s), peak RSS %4d MB" % (time.monotonic() - t, u.ru_utime + u.ru_stime,
      u.ru_maxrss // 1024))
PY
)
  local pack
  pack=$(du -sm "$repo/.git/objects" | cut -f1)
  printf '%-10s %7s blobs %6s commits %4s MB objects: %s\n' "$label" \
    "$(git -C "$repo" cat-file --batch-all-objects --batch-check='%(objecttype)' | grep -c '^blob')" \
    "$(git -C "$repo" rev-list --all --count)" "$pack" "$r"
}

echo "ocpay-audit scan --history: $bin"
for n in "${sizes[@]}"; do
  repo=$dir/h$n
  [ -d "$repo/.git" ] || make_history "$repo" "$n"
  measure "$repo" fast-import
  if [ ! -d "$repo-repack/.git" ]; then
    git clone -q --no-local "$repo" "$repo-repack"
    git -C "$repo-repack" repack -adfq
  fi
  measure "$repo-repack" repacked
done
