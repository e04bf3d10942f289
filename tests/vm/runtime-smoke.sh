#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs INSIDE the cgroup v2 micro-VM (run-cgroup-v2.sh packs it as /bin/runtime-smoke.sh):
# berth-runtime on a pure v2 host, end to end. Bundles come from the host in /bundles/<name>
# (config.json made with `berth-runtime spec`); the rootfs is this VM's busybox. TAP out.
R=/bin/berth-runtime
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

for b in /bundles/*; do
        mkdir -p "$b/rootfs/bin" "$b/rootfs/proc" "$b/rootfs/sys" "$b/rootfs/dev" "$b/rootfs/tmp"
        cp /bin/busybox "$b/rootfs/bin/busybox"
        for c in sh cat echo dd mknod head sleep; do ln -sf busybox "$b/rootfs/bin/$c"; done
done

run() { # name -> stdout in /tmp/<name>.out, exit status in $rc
        (cd "/bundles/$1" && $R --root /run/berth run "$1") \
                >"/tmp/$1.out" 2>"/tmp/$1.err" </dev/null
        rc=$?
}

run limits
if [ "$rc" = 0 ] && grep -qx 'memory.max=67108864' /tmp/limits.out &&
        grep -qx 'pids.max=20' /tmp/limits.out &&
        grep -qx 'cpu.max=50000 100000' /tmp/limits.out; then
        ok "runtime: limits visible in the container's own cgroup2 mount"
else
        nok "runtime: limits (rc $rc)"; sed 's/^/# /' /tmp/limits.out /tmp/limits.err
fi

run oom
if [ "$rc" = 137 ]; then
        ok "runtime: a memory hog over memory.max is OOM-killed (exit 137)"
else
        nok "runtime: memory hog exit $rc, want 137"; sed 's/^/# /' /tmp/oom.out /tmp/oom.err
fi

mknod /bundles/device/rootfs/sda b 8 0
mknod /bundles/device/rootfs/null c 1 3
run device
if [ "$rc" = 0 ] && grep -q '^null-ok$' /tmp/device.out &&
        grep -q 'sda: Operation not permitted' /tmp/device.err; then
        ok "runtime: a device outside the allow list cannot be opened (eBPF device program)"
else
        nok "runtime: device rc $rc"; sed 's/^/# /' /tmp/device.out /tmp/device.err
fi

left=$(find /sys/fs/cgroup -mindepth 1 -type d | wc -l)
if [ "$left" = 0 ]; then
        ok "runtime: no cgroup left after the containers exited"
else
        nok "runtime: $left cgroups left"; find /sys/fs/cgroup -mindepth 1 -type d | sed 's/^/# /'
fi
echo "1..$n"
[ "$failed" = 0 ]
