#!/bin/bash
# Builds Berth and runs a real container from the built-in default image localhost/busybox
# (made at build time from Debian's busybox-static; nothing is downloaded but Debian packages):
# `berth mount` gives the image's rootfs as an overlay of its layers, berth-runtime runs it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
cd "$top"
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
berth="$top/build/src/cmd/berth/berth"
rt="$top/build/src/cmd/berth-runtime/berth-runtime"
bundle=$(mktemp -d /tmp/berth-demo.XXXXXX)
id="berth-demo-$$"
cleanup() {
        "$rt" delete --force "$id" 2>/dev/null || true
        "$berth" unmount "$bundle/rootfs" 2>/dev/null || true
        rm -rf "$bundle"
}
trap cleanup EXIT
mkdir "$bundle/rootfs"
"$berth" -q mount localhost/busybox "$bundle/rootfs" >/dev/null
"$rt" spec --bundle "$bundle"
/usr/bin/python3 - "$bundle/config.json" <<'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["process"]["args"] = ["sh", "-c", 'echo "Hello from inside a berth container: pid $$, '
                           'hostname $(hostname), image localhost/busybox, $(uname -sr)"']
spec["process"]["terminal"] = False
spec["hostname"] = "berth"
json.dump(spec, open(sys.argv[1], "w"), indent=2)
PY
"$rt" run --bundle "$bundle" "$id"
