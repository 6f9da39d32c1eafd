#!/usr/bin/env bash
# Runs the libFuzzer targets of fuzz/ (built by the `fuzz` preset: clang, ASan + UBSan).
#
#   scripts/fuzz.sh [SECONDS] [TARGET]
#
# Each target first replays the inputs kept under fuzz/regressions/<target>/, then fuzzes
# for SECONDS (default 300) from a corpus built here from the repository's fixtures/ and
# rules/ and the small seeds of fuzz/seeds/<target>/, with fuzz/dict/<target>.dict.
# The corpus grows in build-fuzz/corpus/<target>/ across runs; a crash, leak, hang or
# UB report stops the run and leaves its input in build-fuzz/artifacts/<target>/.
# Exits non-zero when a target fails. FUZZ_JOBS=N runs N fuzzing processes per target.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
only=${2:-}
build=build-fuzz

cmake --preset fuzz >/dev/null
if ! cmake --build --preset fuzz -j "$(nproc)" >"$build/build.log" 2>&1; then
  tail -30 "$build/build.log" >&2
  exit 2
fi

targets=()
for src in fuzz/fuzz_*.c; do
  t=$(basename "$src" .c)
  if [ -z "$only" ] || [ "$t" = "$only" ] || [ "fuzz_$only" = "$t" ]; then targets+=("$t"); fi
done
if [ "${#targets[@]}" -eq 0 ]; then
  echo "fuzz: no target named $only (fuzz/fuzz_*.c)" >&2
  exit 2
fi

# Writes "path\ncontent" seeds for the scan targets: the file's path in its fixture, then
# its bytes, named by their hash so that reruns add nothing twice.
seed_scan() {
  local dir=$1 kind=$2 f rel
  while IFS= read -r -d '' f; do
    rel=${f#fixtures/*/}
    case "$rel" in
      expected.json) continue ;;
      *.js|*.mjs|*.cjs|*.jsx|*.ts|*.tsx|*.html|*.htm|*.vue|*.svelte) [ "$kind" = js ] || continue ;;
      *) [ "$kind" = env ] || continue ;;
    esac
    { printf '%s\n' "$rel"; cat "$f"; } >"$dir/tmp"
    mv "$dir/tmp" "$dir/$(sha1sum "$dir/tmp" | cut -c1-40)"
  done < <(find fixtures -type f -size -64k -print0)
}

seed() {
  local t=$1 dir=$build/corpus/$1 f
  mkdir -p "$dir"
  case "$t" in
    fuzz_rule) cp rules/*.yml "$dir/" ;;
    fuzz_config) find fixtures -name .ocpay-audit.yml -exec sh -c \
      'for f; do cp "$f" "$0/$(sha1sum "$f" | cut -c1-40)"; done' "$dir" {} + ;;
    fuzz_scan_js|fuzz_imports) seed_scan "$dir" js ;;
    fuzz_scan_env) seed_scan "$dir" env ;;
    fuzz_pack) ;; # fuzz/seeds/fuzz_pack: crafted packs (tests/cli/craft_pack.py) and a git repack
    fuzz_secret)
      grep -rhoE 'sk_(live|sandbox|test)_[A-Za-z0-9_-]*' fixtures | sort -u | head -200 |
        while IFS= read -r k; do printf '\x08%s' "$k" >"$dir/$(printf %s "$k" | sha1sum | cut -c1-40)"; done ;;
  esac
  if compgen -G "fuzz/seeds/$t/*" >/dev/null; then cp fuzz/seeds/"$t"/* "$dir/"; fi
}

export LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
for t in "${targets[@]}"; do
  # See fuzz/lsan.supp: a leak inside tree-sitter is only recognised with a full stack.
  if [ "$t" = fuzz_rule ]; then export ASAN_OPTIONS=fast_unwind_on_malloc=0; else unset ASAN_OPTIONS; fi
  bin=$build/fuzz/$t
  artifacts=$build/artifacts/$t/
  mkdir -p "$artifacts"
  if [ -d "fuzz/regressions/$t" ]; then
    if ! "$bin" -runs=0 "fuzz/regressions/$t" >"$build/$t.replay.log" 2>&1; then
      echo "fuzz: $t: a kept regression input fails again (see $build/$t.replay.log)" >&2
      status=1
      continue
    fi
  fi
  seed "$t"
  opts=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536
        -artifact_prefix="$artifacts" -print_final_stats=1)
  if [ -f "fuzz/dict/$t.dict" ]; then opts+=(-dict="fuzz/dict/$t.dict"); fi
  if [ "${FUZZ_JOBS:-1}" -gt 1 ]; then opts+=(-fork="$FUZZ_JOBS"); fi
  start=$(date +%s)
  if "$bin" "${opts[@]}" "$build/corpus/$t" >"$build/$t.log" 2>&1; then
    execs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$build/$t.log" | grep -o '[0-9]*$' || echo '?')
    echo "fuzz: $t: ok, $execs runs in $(( $(date +%s) - start )) s, corpus $(ls "$build/corpus/$t" | wc -l) inputs"
  else
    echo "fuzz: $t: FAILED (log: $build/$t.log; input: $(ls -t "$artifacts" | head -1))" >&2
    grep -E -m5 'ERROR|runtime error|SUMMARY|fuzz:' "$build/$t.log" >&2 || true
    status=1
  fi
done
exit $status
