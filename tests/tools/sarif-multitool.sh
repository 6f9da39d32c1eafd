#!/usr/bin/env bash
# Prints the path of Microsoft's SARIF validator (npm @microsoft/sarif-multitool, the
# self-contained Linux build), fetched once with `npm pack`, checked against its pinned
# integrity hash and unpacked under DIR (default: .cache/test-tools of the source tree).
set -euo pipefail
NAME=@microsoft/sarif-multitool-linux
VERSION=5.7.0
INTEGRITY=sha512-NxUbpq6ISCWoTQ/NfOYEwEDKq1Heka/rMoJ5R5LMydcAZQX/X7g5mWHcgxDub+0M07LC96tZ5LZHvF1Qy3gjTA==
DIR=${1:-$(cd "$(dirname "$0")/../.." && pwd)/.cache/test-tools}
dest=$DIR/sarif-multitool-$VERSION
if [ ! -x "$dest/Sarif.Multitool" ]; then
  command -v npm >/dev/null || { echo "sarif-multitool: npm is not installed" >&2; exit 1; }
  mkdir -p "$DIR"
  work=$(mktemp -d "$DIR/.fetch.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$NAME@$VERSION" >/dev/null)
  tgz=$(ls "$work"/*.tgz)
  got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [ "$got" != "$INTEGRITY" ]; then
    echo "sarif-multitool: $NAME@$VERSION does not match its pinned integrity hash" >&2
    exit 1
  fi
  tar -xzf "$tgz" -C "$work"
  chmod +x "$work/package/Sarif.Multitool"
  rm -rf "$dest"
  mv "$work/package" "$dest"
fi
echo "$dest/Sarif.Multitool"
