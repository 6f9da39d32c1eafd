#!/usr/bin/env bash
# install-packages.sh NAME[|ALTERNATIVE...]...: installs with apt-get the packages that are
# missing, each the first of its alternatives that is installed or that apt knows (package
# names differ between Debian 12 and Ubuntu 22.04/24.04). Run as root, or with sudo.
set -euo pipefail
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
known() { [ -n "$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -v '(none)')" ]; }

# Already there under one of its names: nothing to do. Otherwise the name apt offers.
wanted=() unknown=()
for spec in "$@"; do
  IFS='|' read -r -a names <<<"$spec"
  have=""
  for n in "${names[@]}"; do installed "$n" && { have=$n; break; }; done
  [ -n "$have" ] || wanted+=("$spec")
done
[ "${#wanted[@]}" -gt 0 ] || exit 0
updated=0
pick=()
for spec in "${wanted[@]}"; do
  IFS='|' read -r -a names <<<"$spec"
  chosen=""
  for n in "${names[@]}"; do known "$n" && { chosen=$n; break; }; done
  if [ -z "$chosen" ] && [ "$updated" = 0 ]; then
    $sudo apt-get update -qq; updated=1
    for n in "${names[@]}"; do known "$n" && { chosen=$n; break; }; done
  fi
  if [ -n "$chosen" ]; then pick+=("$chosen"); else unknown+=("$spec"); fi
done
if [ "${#unknown[@]}" -gt 0 ]; then
  echo "install-packages: apt knows none of: ${unknown[*]}" >&2
  exit 1
fi
echo "install-packages: installing ${pick[*]}"
[ "$updated" = 1 ] || $sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${pick[@]}"
