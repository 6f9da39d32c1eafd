#!/usr/bin/env bash
# Installs what ocpay-audit needs on Debian 12 (only the packages that are missing), then
# configures and builds it in build/. Run as root, or with sudo available.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config git python3 nodejs npm
          libgit2-dev libpcre2-dev libtree-sitter-dev libyaml-dev libjansson-dev zlib1g-dev)
if [ "${OCPAY_SETUP_TEST_TOOLS:-1}" = 1 ]; then
  # For the test suite: the pre-commit framework, a non-root user switch, the browser
  # the HTML report is rendered in, GNU parallel (merge over many scans), the ICU library of the SARIF validator, the
  # benchmark peers, clang with its libFuzzer and sanitizer runtimes (libclang-rt-14-dev
  # is only recommended by clang, so it is named) and valgrind.
  packages+=(util-linux pre-commit chromium parallel libicu72 openssl ripgrep hyperfine
             clang libclang-rt-14-dev valgrind)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# A machine whose node and npm come from elsewhere has no Debian nodejs/npm: keep those.
if command -v npm >/dev/null && command -v node >/dev/null; then
  missing=("${missing[@]/#nodejs}"); missing=("${missing[@]/#npm}")
fi
read -r -a missing <<<"${missing[*]:-}"
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)"
echo "setup: built build/ocpay-audit"
