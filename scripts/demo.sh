#!/bin/bash
# Builds berth-runtime and runs a real container from the default busybox bundle, which is
# made here from Debian's busybox-static (nothing is downloaded but Debian packages).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
cd "$top"
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
bundle="$top/build/default-bundle"
"$top/scripts/make-bundle.sh" "$bundle" >/dev/null
rt="$top/build/src/cmd/berth-runtime"
id="berth-demo-$$"
exec "$rt" run --bundle "$bundle" "$id"
