#!/bin/bash
# Builds Berth and runs a real container from the built-in default image localhost/busybox
# (made at build time from Debian's busybox-static; nothing is downloaded but Debian packages):
# `berth run --rm localhost/busybox:latest echo ...`: the engine with its built-in image.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
cd "$top"
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
berth="$top/build/src/cmd/berth/berth"
# The engine: the built-in image, a shim that holds the container, the default seccomp profile.
exec "$berth" run --rm --hostname berth localhost/busybox:latest sh -c \
        'echo "Hello from inside a berth container: pid $$, hostname $(hostname), image localhost/busybox, $(uname -sr)"'
