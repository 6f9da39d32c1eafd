#!/usr/bin/env bash
# The steps of the GitHub Action (action.yml), one per word, kept here so they can be run
# and tested outside GitHub:
#   key      writes `key=` (the build's cache key: version, OS, sources) to $GITHUB_OUTPUT
#   install  installs the build and run dependencies; builds and installs into
#            $OCPAY_PREFIX unless OCPAY_CACHE_HIT is true; puts its bin/ on $GITHUB_PATH
#   audit    runs ocpay-audit with $OCPAY_ARGS (one argument per line), adding a SARIF
#            report at $OCPAY_SARIF when it is set and the command is scan or report;
#            writes `exit-code=` and `sarif-file=` to $GITHUB_OUTPUT; exits with the
#            audit's code unless OCPAY_FAIL is false
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
prefix=${OCPAY_PREFIX:-$HOME/.ocpay-audit}
out=${GITHUB_OUTPUT:-/dev/null}

case ${1:-} in
key)
  version=$(sed -n 's/^project(ocpay-audit VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
  sources=$(cd "$src" && find CMakeLists.txt cmake src rules -type f -print0 | sort -z |
            xargs -0 sha256sum | sha256sum | cut -c1-16)
  os=$( (. /etc/os-release && echo "$ID-$VERSION_ID") 2>/dev/null || echo unknown)
  echo "key=ocpay-audit-$version-$os-$(uname -m)-$sources" >> "$out"
  ;;
install)
  "$src/scripts/setup.sh" --deps-only
  if [ "${OCPAY_CACHE_HIT:-false}" != true ] || [ ! -x "$prefix/bin/ocpay-audit" ]; then
    build=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/ocpay-audit-build
    cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" >/dev/null
    cmake --build "$build" --target ocpay-audit -j "$(nproc)"
    cmake --install "$build" >/dev/null
  fi
  "$prefix/bin/ocpay-audit" --version
  [ -z "${GITHUB_PATH:-}" ] || echo "$prefix/bin" >> "$GITHUB_PATH"
  ;;
audit)
  args=()
  while IFS= read -r line; do
    [ -n "$line" ] && args+=("$line")
  done <<<"${OCPAY_ARGS:-scan}"
  [ "${#args[@]}" -gt 0 ] || args=(scan)
  sarif=""
  if [ -n "${OCPAY_SARIF:-}" ] && { [ "${args[0]}" = scan ] || [ "${args[0]}" = report ]; }; then
    sarif=$OCPAY_SARIF
    # right after the command: an argument list that ends with `-- PATH` stays so
    args=("${args[0]}" --output "sarif=$sarif" "${args[@]:1}")
  fi
  bin=ocpay-audit
  [ -x "$prefix/bin/ocpay-audit" ] && bin=$prefix/bin/ocpay-audit
  set +e
  "$bin" "${args[@]}"
  code=$?
  set -e
  { echo "exit-code=$code"; echo "sarif-file=$sarif"; } >> "$out"
  if [ "$code" != 0 ] && [ "${OCPAY_FAIL:-true}" != false ]; then exit "$code"; fi
  ;;
*)
  echo "usage: action.sh key|install|audit" >&2
  exit 2
  ;;
esac
