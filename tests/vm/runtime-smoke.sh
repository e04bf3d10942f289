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
        for c in sh cat echo dd mknod head sleep seq; do ln -sf busybox "$b/rootfs/bin/$c"; done
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


V=/bundles/verbs
G=/sys/fs/cgroup/berth-vm/verbs
# The counter file is empty for a moment while the container rewrites it (and stays so if it
# is frozen right then): read until it has a number, a bounded number of times.
counter() {
        local v="" i=0
        while [ -z "$v" ] && [ $i -lt 50 ]; do v=$(cat $V/rootfs/tmp/counter); i=$((i + 1)); done
        echo "${v:-0}"
}
(cd $V && $R --root /run/berth create verbs) </dev/null >/tmp/verbs.out 2>&1
$R --root /run/berth start verbs
sleep 1
if $R --root /run/berth pause verbs && $R --root /run/berth state verbs | grep -q '"paused"' &&
        [ "$(cat $G/cgroup.freeze)" = 1 ]; then
        c0=$(cat $V/rootfs/tmp/counter); sleep 1; c1=$(cat $V/rootfs/tmp/counter)
        if [ "$c0" = "$c1" ]; then ok "verbs: pause freezes (v2 cgroup.freeze)"; else nok "verbs: progress while paused $c0 $c1"; fi
else
        nok "verbs: pause"
fi
if $R --root /run/berth resume verbs && $R --root /run/berth state verbs | grep -q '"running"'; then
        sleep 1; c2=$(counter)
        if [ "$c2" -gt "${c1:-0}" ]; then ok "verbs: resume"; else nok "verbs: no progress after resume"; fi
else
        nok "verbs: resume"
fi
$R --root /run/berth update --memory 50m --pids-limit 30 --cpu-quota 20000 verbs
if [ "$(cat $G/memory.max)" = 52428800 ] && [ "$(cat $G/pids.max)" = 30 ] &&
        [ "$(cat $G/cpu.max)" = "20000 100000" ]; then ok "verbs: update"; else nok "verbs: update $(cat $G/memory.max) $(cat $G/pids.max) $(cat $G/cpu.max)"; fi
echo '{"pids":{"limit":25}}' | $R --root /run/berth update -r - verbs
[ "$(cat $G/pids.max)" = 25 ] && ok "verbs: update -r -" || nok "verbs: update -r -"
pid=$($R --root /run/berth state verbs | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
$R --root /run/berth ps -f json verbs > /tmp/ps.json
grep -q "$pid" /tmp/ps.json && ok "verbs: ps -f json" || nok "verbs: ps $(cat /tmp/ps.json) pid $pid"
$R --root /run/berth events --stats verbs > /tmp/st.json
grep -q '"type":"stats"' /tmp/st.json && grep -q '"pids":{"current"' /tmp/st.json && ok "verbs: events --stats" || nok "verbs: stats $(cat /tmp/st.json)"
sed 's/^/# /' /tmp/st.json | cut -c1-300
$R --root /run/berth delete -f verbs && ok "verbs: delete -f" || nok "verbs: delete -f"

(cd /bundles/oomev && $R --root /run/berth create oomev) </dev/null >/tmp/oomev.out 2>&1
$R --root /run/berth events --interval 200ms oomev > /tmp/ev.out 2>/tmp/ev.err &
evpid=$!
sleep 0.5
$R --root /run/berth start oomev
wait $evpid
if grep -q '"type":"oom"' /tmp/ev.out; then ok "verbs: events reports the OOM (v2 memory.events)"; else nok "verbs: no oom event"; sed 's/^/# /' /tmp/ev.out /tmp/ev.err | cut -c1-200; fi
$R --root /run/berth delete -f oomev

left=$(find /sys/fs/cgroup -mindepth 1 -type d | wc -l)
if [ "$left" = 0 ]; then
        ok "runtime: no cgroup left after the containers exited"
else
        nok "runtime: $left cgroups left"; find /sys/fs/cgroup -mindepth 1 -type d | sed 's/^/# /'
fi
echo "1..$n"
[ "$failed" = 0 ]
