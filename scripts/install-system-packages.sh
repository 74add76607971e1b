#!/usr/bin/env bash
# Installs the Debian packages Telephonist needs, only those missing (apt-get update runs
# only when something is to be installed). Usage: install-system-packages.sh run|test
set -euo pipefail
profile=${1:-run}

run_packages=(python3 python3-venv python3-pip ca-certificates)
# sip-tester (SIPp) and baresip-core: the real SIP peers of tests/telephony.
test_packages=(chromium postgresql fonts-liberation sip-tester baresip-core)

packages=("${run_packages[@]}")
[ "$profile" = test ] && packages+=("${test_packages[@]}")
# Node.js and npm serve the portal's front-end packages; keep an existing Node.js install
# (Debian's npm package conflicts with NodeSource's nodejs).
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "installing Debian packages: ${missing[*]}"
"${as_root[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
