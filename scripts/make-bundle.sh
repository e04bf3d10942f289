#!/bin/bash
# make-bundle.sh DIR [ARGS...]: a runtime bundle in DIR with a busybox rootfs from Debian's
# busybox-static and a config.json from `berth-runtime spec` running ARGS (default: a greeting
# printed from inside the container).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
rt="${BERTH_RUNTIME:-$top/build/src/cmd/berth-runtime/berth-runtime}"
dir=$1
shift
rm -rf "$dir"
mkdir -p "$dir/rootfs"/{bin,dev,etc,proc,sys,tmp,root}
cp /bin/busybox "$dir/rootfs/bin/busybox"
for a in $(/bin/busybox --list); do
        [ "$a" = busybox ] || ln -s busybox "$dir/rootfs/bin/$a"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/rootfs/etc/passwd"
echo 'root:x:0:' >"$dir/rootfs/etc/group"
chmod 1777 "$dir/rootfs/tmp"
"$rt" spec --bundle "$dir"
if [ $# -eq 0 ]; then
        set -- sh -c 'echo "Hello from inside a berth container: pid $$, hostname $(hostname), $(uname -sr)"'
fi
/usr/bin/python3 - "$dir/config.json" "$@" <<'PY'
import json, sys
path, args = sys.argv[1], sys.argv[2:]
spec = json.load(open(path))
spec["process"]["args"] = args
spec["process"]["terminal"] = False
spec["hostname"] = "berth"
json.dump(spec, open(path, "w"), indent=2)
PY
echo "$dir"
