#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs test-cgroup on a pure cgroup v2 host: a qemu micro-VM (software emulation: /dev/kvm on
# the CI hosts cannot boot an unmodified kernel) booted from Debian's kernel with
# cgroup_no_v1=all and an initramfs holding busybox, the test binary and the libraries it
# needs. The VM's init mounts cgroup2 at /sys/fs/cgroup, runs the tests and prints TAP on the
# serial console; this script relays it and exits with the tests' status.
#
#   tests/vm/run-cgroup-v2.sh BUILD_DIR     (BUILD_DIR/tests/unit/test-cgroup must exist)
#
# Exit 77 (skipped) when qemu-system-x86_64, a kernel in /boot or busybox is missing; Debian
# packages: qemu-system-x86, linux-image-amd64, busybox-static. Environment: BERTH_VM_KERNEL
# (a kernel image), BERTH_VM_TIMEOUT (seconds, default 120), BERTH_VM_KEEP=1 keeps the work dir.
set -eu

build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
test_bin=$build/tests/unit/test-cgroup
timeout_s=${BERTH_VM_TIMEOUT:-120}

skip() {
        echo "1..0 # SKIP $*"
        exit 77
}

[ -x "$test_bin" ] || { echo "run-cgroup-v2: $test_bin not built" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null 2>&1 ||
        skip "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"
kernel=${BERTH_VM_KERNEL:-$(ls -v /boot/vmlinuz-* 2>/dev/null | tail -n 1)}
[ -n "$kernel" ] && [ -r "$kernel" ] ||
        skip "no kernel in /boot (apt-get install linux-image-amd64)"
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || skip "busybox missing (apt-get install busybox-static)"
if ldd "$busybox" >/dev/null 2>&1; then
        skip "$busybox is dynamically linked (apt-get install busybox-static)"
fi
command -v cpio >/dev/null 2>&1 || skip "cpio missing (apt-get install cpio)"

# The guest's early TSC calibration hangs under TCG: hand it the host's TSC frequency.
tsc_khz=$(dmesg 2>/dev/null |
        sed -n 's/.*tsc: Detected \([0-9]*\)\.\([0-9]\{3\}\).* MHz.*/\1\2/p' | head -n 1)
if [ -z "$tsc_khz" ]; then
        tsc_khz=$(awk -F': *' '/^cpu MHz/ { printf "%d\n", $2 * 1000; exit }' /proc/cpuinfo)
fi
[ -n "$tsc_khz" ] || tsc_khz=2000000

work=$(mktemp -d /tmp/berth-vm.XXXXXX)
cleanup() {
        if [ "${BERTH_VM_KEEP:-0}" = 1 ]; then
                echo "# kept $work" >&2
        else
                rm -rf "$work"
        fi
}
trap cleanup EXIT INT TERM

root=$work/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/run" "$root/lib" \
        "$root/lib64" "$root/usr/lib" "$root/etc"
cp "$busybox" "$root/bin/busybox"
cp "$test_bin" "$root/bin/test-cgroup"
# With berth-runtime built (and python3 to write the bundles' config.json), the VM also runs
# containers end to end on pure v2 (runtime-smoke.sh).
runtime=$build/src/cmd/berth-runtime/berth-runtime
here=$(cd "$(dirname "$0")" && pwd)
if [ -x "$runtime" ] && command -v python3 >/dev/null 2>&1; then
        cp "$runtime" "$root/bin/berth-runtime"
        cp "$here/runtime-smoke.sh" "$root/bin/runtime-smoke.sh"
        python3 "$here/make-bundles.py" "$runtime" "$root/bundles"
fi

# Shared libraries of the binaries (glibc at least), at the paths the loader expects.
for bin in "$root/bin/test-cgroup" "$root/bin/berth-runtime"; do
        [ -e "$bin" ] || continue
        ldd "$bin" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/.*\(0x/ { print $1 }' |
        while read -r lib; do
                mkdir -p "$root$(dirname "$lib")"
                cp -L "$lib" "$root$lib"
        done
done

# A small virtio disk, so the io controller's per-device knobs (io.max) have a device. The
# drivers are modules in Debian's kernel: copy them when this kernel's are installed.
kver=${kernel##*/vmlinuz-}
disk_args=""
mods=/lib/modules/$kver/kernel/drivers
if [ -d "$mods" ]; then
        mkdir -p "$root/lib/modules"
        for m in virtio/virtio_ring virtio/virtio virtio/virtio_mmio block/virtio_blk; do
                name=${m##*/}
                if [ -f "$mods/$m.ko" ]; then
                        cp "$mods/$m.ko" "$root/lib/modules/$name.ko"
                elif [ -f "$mods/$m.ko.xz" ] && command -v xz >/dev/null 2>&1; then
                        xz -dc "$mods/$m.ko.xz" > "$root/lib/modules/$name.ko"
                elif [ -f "$mods/$m.ko.zst" ] && command -v zstd >/dev/null 2>&1; then
                        zstd -qdc "$mods/$m.ko.zst" > "$root/lib/modules/$name.ko"
                fi
        done
        truncate -s 16M "$work/disk.img"
        disk_args="-drive file=$work/disk.img,if=none,id=d0,format=raw \
-device virtio-blk-device,drive=d0"
fi

cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
# pivot_root(2) refuses the initramfs (rootfs) as the old root: move onto a tmpfs first, so
# containers started in here can pivot as on any host.
if [ -z "${BERTH_VM_STAGE2:-}" ]; then
        mkdir /newroot
        mount -t tmpfs -o mode=755 tmpfs /newroot
        for f in /*; do
                [ "$f" = /newroot ] || cp -a "$f" /newroot/
        done
        export BERTH_VM_STAGE2=1
        exec switch_root /newroot /init
fi
mount -t proc proc /proc
for m in virtio_ring virtio virtio_mmio virtio_blk; do
        [ -f /lib/modules/$m.ko ] && insmod /lib/modules/$m.ko
done
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/shm
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
cd /tmp
echo "BERTH-VM-BEGIN"
BERTH_TEST_EXPECT_LAYOUT=v2 /bin/test-cgroup
rc=$?
if [ -x /bin/runtime-smoke.sh ]; then
        mkdir -p /run/berth
        /bin/runtime-smoke.sh || rc=1
fi
echo "BERTH-VM-EXIT $rc"
# Leftovers under /sys/fs/cgroup would be a failure of the suite's own check; list them.
find /sys/fs/cgroup -mindepth 1 -type d | sed 's/^/# cgroup left: /'
echo "BERTH-VM-END"
sync
# init exiting panics the kernel; panic=-1 reboots at once and -no-reboot ends qemu.
exit 0
INIT
chmod 755 "$root/init"

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$work/initrd.gz"

log=$work/console.log
set +e
timeout "$timeout_s" qemu-system-x86_64 -accel tcg -M microvm -cpu max -m 512 -smp 1 \
        -nographic -no-reboot -nodefaults -serial stdio \
        -kernel "$kernel" -initrd "$work/initrd.gz" $disk_args \
        -append "console=ttyS0 cgroup_no_v1=all no_timer_check tsc_early_khz=$tsc_khz quiet \
loglevel=1 panic=-1 reboot=t rdinit=/init" \
        </dev/null >"$log" 2>&1
qrc=$?
set -e

tr -d '\r' < "$log" > "$log.txt"
# Relay the TAP stream (and diagnostics) between the markers.
sed -n '/^BERTH-VM-BEGIN$/,/^BERTH-VM-END$/p' "$log.txt" | grep -v '^BERTH-VM-' || true
status=$(sed -n 's/^BERTH-VM-EXIT \([0-9]*\)$/\1/p' "$log.txt" | tail -n 1)
left=$(grep -c '^# cgroup left: ' "$log.txt" || true)
if [ -z "$status" ]; then
        echo "# the VM did not finish (qemu exit $qrc); console log:" >&2
        tail -n 40 "$log.txt" | sed 's/^/# /' >&2
        exit 1
fi
passed=$(grep -c '^ok ' "$log.txt" || true)
failed=$(grep -c '^not ok ' "$log.txt" || true)
echo "# cgroup v2 VM: $passed ok, $failed not ok, exit $status, $left cgroups left"
if [ "$left" -gt 0 ]; then
        exit 1
fi
exit "$status"
