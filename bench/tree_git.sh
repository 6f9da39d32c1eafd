#!/usr/bin/env bash
# Working-tree benchmark on git repositories: `ocpay-audit scan` next to
# `rg -c 'sk_(live|sandbox)_'` on the same working tree, warm cache, one line a tree.
# Both read the same files: rg honours .gitignore too (and skips hidden files, which are
# few). The runs alternate between the commands, so that a machine whose load changes
# slows them alike; the medians are compared. CPU is user + system time, which the load
# of other processes disturbs less than elapsed time. With BASELINE=BIN, an older binary
# is measured beside, for before/after figures.
#   bench/tree_git.sh [BIN] REPO...        e.g. clones of eslint/eslint and a Laravel shop
#   RUNS=30 BASELINE=old/ocpay-audit bench/tree_git.sh build-release/ocpay-audit ~/src/eslint
set -euo pipefail
bin=$(dirname "$0")/../build-release/ocpay-audit
if [ $# -gt 0 ] && [ -x "$1" ] && [ ! -d "$1" ]; then bin=$1; shift; fi
[ $# -gt 0 ] || { echo "usage: bench/tree_git.sh [BIN] REPO..." >&2; exit 2; }
for repo in "$@"; do
  git -C "$repo" rev-parse --is-inside-work-tree >/dev/null
done
python3 - "$bin" "${BASELINE:-}" "${RUNS:-20}" "$@" <<'PY'
import os, statistics, subprocess, sys, time
bin, baseline, runs, repos = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]

def once(cmd):
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, ru = os.wait4(p.pid, 0)
    return (time.perf_counter() - t) * 1000, (ru.ru_utime + ru.ru_stime) * 1000

head = "%-10s %6s %6s | %9s %9s %6s | %8s %8s %6s" % (
    "tree", "files", "MB", "ocpay", "rg", "ratio", "cpu", "rg cpu", "ratio")
if baseline:
    head += " | %9s %6s" % ("baseline", "ratio")
print(head)
for repo in repos:
    listed = subprocess.run(["git", "-C", repo, "ls-files", "-co", "--exclude-standard", "-z"],
                            capture_output=True, check=True).stdout.split(b"\0")
    listed = [f for f in listed if f]
    mb = sum(os.lstat(os.path.join(repo.encode(), f)).st_size for f in listed
             if os.path.isfile(os.path.join(repo.encode(), f))) / 1e6
    cmds = {"ocpay": [bin, "scan", "--quiet", repo],
            "rg": ["rg", "-c", "sk_(live|sandbox)_", repo]}
    if baseline:
        cmds["baseline"] = [baseline, "scan", "--quiet", repo]
    for c in cmds.values():  # warm the cache
        for _ in range(3):
            once(c)
    wall = {k: [] for k in cmds}
    cpu = {k: [] for k in cmds}
    for _ in range(runs):
        for k, c in cmds.items():
            w, u = once(c)
            wall[k].append(w)
            cpu[k].append(u)
    m = {k: statistics.median(v) for k, v in wall.items()}
    c = {k: statistics.median(v) for k, v in cpu.items()}
    line = "%-10s %6d %6.1f | %6.0f ms %6.0f ms %5.2fx | %5.0f ms %5.0f ms %5.2fx" % (
        os.path.basename(os.path.abspath(repo)), len(listed), mb, m["ocpay"], m["rg"],
        m["ocpay"] / m["rg"], c["ocpay"], c["rg"], c["ocpay"] / c["rg"])
    if baseline:
        line += " | %6.0f ms %5.2fx" % (m["baseline"], m["baseline"] / m["rg"])
    print(line, flush=True)
PY
