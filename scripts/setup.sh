#!/usr/bin/env bash
# Installs what building and running ocpay-audit need (only the packages that are missing;
# Debian 12, Ubuntu 22.04 and 24.04), then configures and builds it in build/. The test
# tools come with scripts/test.sh. Run as root, or with sudo available.
#   --deps-only   install the packages, build nothing (CI steps that build elsewhere)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config git python3
          libgit2-dev libpcre2-dev libtree-sitter-dev libyaml-dev libjansson-dev zlib1g-dev)
# npm fetches the pinned grammars; a machine whose node and npm come from elsewhere (as
# GitHub's runners) keeps them.
command -v npm >/dev/null || packages+=(npm)
./scripts/install-packages.sh "${packages[@]}"
[ "${1:-}" = --deps-only ] && exit 0

cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)"
echo "setup: built build/ocpay-audit"
