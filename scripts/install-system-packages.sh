#!/usr/bin/env bash
# Installs the Debian packages Telephonist needs, only those missing (apt-get update runs
# only when something is to be installed). Usage: install-system-packages.sh run|test
set -euo pipefail
profile=${1:-run}

# ffmpeg converts uploaded greetings and resamples speech; espeak-ng is the speech engine
# of last resort (research/media-libs §2, §3).
run_packages=(python3 python3-venv python3-pip ca-certificates ffmpeg espeak-ng)
# sip-tester (SIPp) and baresip-core: the real SIP peers of tests/telephony.
test_packages=(chromium postgresql fonts-liberation sip-tester baresip-core)

packages=("${run_packages[@]}")
[ "$profile" = test ] && packages+=("${test_packages[@]}")
# Node.js and npm serve the portal's front-end packages; keep an existing Node.js install
# (Debian's npm package conflicts with NodeSource's nodejs).
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
for package in "${packages[@]}"; do
  installed "$package" || missing+=("$package")
done

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  "${as_root[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# pico2wave speaks French far better than espeak-ng, but Debian ships it in non-free. It is
# fetched through a private sources list naming the mirror the system already uses, so the
# system's apt sources stay untouched. Optional: without it French prompts use espeak-ng.
# TELEPHONIST_NO_NONFREE=1 skips it.
debian_mirror() {
  {
    grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
    grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      sed -E 's/^deb (\[[^]]*\] )?([^ ]+).*/\2/'
  } | grep -i debian | grep -vi security | head -n 1
}

install_pico() {
  local mirror work
  mirror=$(debian_mirror)
  [ -n "$mirror" ] || return 1
  # shellcheck disable=SC1091
  . /etc/os-release
  work=$(mktemp -d)
  chmod 755 "$work"
  mkdir -p "$work/lists/partial" "$work/debs"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $VERSION_CODENAME non-free" >"$work/sources.list"
  local private=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$work/lists" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=)
  local status=0
  "${as_root[@]}" apt-get -q "${private[@]}" update &&
    (cd "$work/debs" && "${as_root[@]}" apt-get -q "${private[@]}" download libttspico-utils libttspico0 libttspico-data) &&
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q --no-install-recommends "$work"/debs/*.deb ||
    status=1
  "${as_root[@]}" rm -rf "$work"
  return $status
}

if [ "${TELEPHONIST_NO_NONFREE:-0}" != 1 ] && ! installed libttspico-utils; then
  install_pico || echo "pico2wave is not available: French prompts will use espeak-ng"
fi
