#!/usr/bin/env bash
# Builds the release packages (build-release/ocpay-audit_VERSION_ARCH.deb and
# ocpay-audit-VERSION-ARCH.tar.gz) with CPack.
#   --install   then installs the .deb with apt-get (its dependencies from the archive) and
#               runs the installed /usr/bin/ocpay-audit on the sample shop
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
(cd build-release && cpack -G "DEB;TGZ" >/dev/null)
deb=$(ls build-release/ocpay-audit_*.deb)
echo "package: built $deb and $(ls build-release/ocpay-audit-*.tar.gz)"
[ "${1:-}" = --install ] || exit 0

sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "./$deb" >/dev/null
# The installed binary on the sample shop: its live keys must fail the scan (exit 1).
set +e
out=$(/usr/bin/ocpay-audit scan --format json fixtures/sample-shop)
code=$?
set -e
if [ "$code" != 1 ] || ! grep -q '"path": "src/config.js"' <<<"$out"; then
  echo "package: the installed ocpay-audit did not find the sample shop's key (exit $code)" >&2
  exit 1
fi
echo "package: installed $(dpkg-query -W -f='${Package} ${Version}' ocpay-audit); it finds the sample shop's keys"
