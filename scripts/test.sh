#!/usr/bin/env bash
# Runs every test in both build configurations: the default build, then the same suite
# under AddressSanitizer + UndefinedBehaviorSanitizer; then the fixture suite under
# valgrind (memcheck), and each fuzz target for a bounded time after replaying its kept
# regression inputs. Opt out with OCPAY_SKIP_ASAN=1, OCPAY_SKIP_VALGRIND=1,
# OCPAY_SKIP_FUZZ=1; OCPAY_FUZZ_SECONDS sets the time per fuzz target (default 20).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

# The test tools (OCPAY_SKIP_TEST_TOOLS=1: use what is there): jq and jsonschema for the
# reports, the pre-commit framework and PyYAML for the recipes, GNU parallel for the
# scans `merge` combines, a non-root user switch,
# the browser the HTML report is rendered in, the ICU library of the SARIF validator, the
# benchmark peers, clang with its libFuzzer and sanitizer runtimes (only recommended by
# clang, so named) and valgrind. Alternatives are Debian 12's name first, then Ubuntu's.
if [ "${OCPAY_SKIP_TEST_TOOLS:-0}" != 1 ]; then
  tools=(jq python3-jsonschema python3-yaml pre-commit util-linux openssl ripgrep hyperfine
         dpkg-dev "libicu72|libicu74|libicu70" valgrind parallel)
  [ "${OCPAY_SKIP_FUZZ:-0}" = 1 ] || tools+=(clang "libclang-rt-14-dev|libclang-rt-18-dev|libclang-common-14-dev")
  # Ubuntu's chromium is a snap (the deb is a stub): there the HTML check says it skipped
  command -v chromium >/dev/null || ! grep -q '^ID=debian' /etc/os-release 2>/dev/null || tools+=(chromium)
  ./scripts/install-packages.sh "${tools[@]}"
fi

cmake --preset default >/dev/null
cmake --build --preset default -j "$jobs"
ctest --preset default -j "$jobs"

if [ "${OCPAY_SKIP_ASAN:-0}" != 1 ]; then
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$jobs"
  ctest --preset asan -j "$jobs"
fi

if [ "${OCPAY_SKIP_VALGRIND:-0}" != 1 ]; then
  # Memcheck on the default build: any error or definite leak exits 99 and fails the
  # fixture. PCRE2's JIT code is opaque to valgrind, so the interpreter is used. One
  # fixture in two by default (about 2 minutes on 2 cores; OCPAY_VALGRIND_EVERY=1: all).
  python3 tests/fixtures/run_fixtures.py --bin build/ocpay-audit \
    --every "${OCPAY_VALGRIND_EVERY:-2}" \
    --wrap "env OCPAY_AUDIT_NO_JIT=1 valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" \
    fixtures
fi

if [ "${OCPAY_SKIP_FUZZ:-0}" != 1 ]; then
  ./scripts/fuzz.sh "${OCPAY_FUZZ_SECONDS:-20}"
fi
