#!/bin/bash
# Installs the Debian packages of scripts/deps.txt (and any deps-*.txt beside it) that are
# missing. Runs `apt-get update` only when something has to be installed.
set -euo pipefail
cd "$(dirname "$0")"
mapfile -t pkgs < <(cat deps*.txt | sed 's/#.*//' | tr -s ' \t' '\n' | sed '/^$/d' | sort -u)
missing=()
for p in "${pkgs[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
                missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
        echo "installing: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
