#!/usr/bin/env bash
# Makes sure SystemTap's own tapset library (Debian's systemtap-common) is installed: the
# front-end tests parse every file in it, as the reference for "reads stap's language".
set -euo pipefail
dir=/usr/share/systemtap/tapset
[ -d "$dir" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "reference-tapsets: $dir is missing; install it with: apt-get install systemtap-common" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends systemtap-common >/dev/null
[ -d "$dir" ]
