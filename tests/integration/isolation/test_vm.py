# SPDX-License-Identifier: LGPL-2.1-or-later
"""The vm isolation tier (issue 13): containers in their own qemu micro-VM, booted under TCG
on these hosts. The same bundles and runtime command line as process mode, selected by the
annotation run.berth.isolation=vm or by invoking the runtime as berth-vm.

Skipped when the build has no agent (sanitizer builds cannot link it statically) or the host
has no qemu or guest kernel."""
import glob
import select
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest

from runtime_env import (BUILD, RUNTIME, cgroup_leftovers, mount_leftovers, processes_with,
                         read_pty_until, recv_fd, wait_status)

AGENT = os.path.join(BUILD, "src", "isolation", "vm", "berth-vm-agent")

if not os.access(AGENT, os.X_OK):
    pytest.skip("no berth-vm-agent in this build (sanitizer builds leave it out)",
                allow_module_level=True)
if shutil.which("qemu-system-x86_64") is None or not glob.glob("/boot/vmlinuz-*"):
    pytest.skip("qemu-system-x86 or linux-image-amd64 is not installed",
                allow_module_level=True)

BOOT = 120  # seconds: TCG on a busy 2-core host


@pytest.fixture
def vm(bundle):
    """The bundle fixture with the VM annotation; its teardown checks for leftovers."""
    bundle.spec.setdefault("annotations", {})["run.berth.isolation"] = "vm"
    yield bundle
    # Whatever the test left: no qemu whose command line names this bundle.
    for cid in os.listdir(bundle.root) if os.path.isdir(bundle.root) else []:
        bundle.rt("delete", "--force", cid, timeout=BOOT)
    deadline = time.time() + 10
    while processes_with(bundle.dir) and time.time() < deadline:
        time.sleep(0.1)
    assert not processes_with(bundle.dir), "a qemu or monitor of this bundle is left"


def run(b, *argv, **kw):
    kw.setdefault("timeout", BOOT)
    return b.run(*argv, **kw)


def test_echo_and_exit_codes(vm):
    r = run(vm, "echo", "hello from the vm")
    assert r.rc == 0 and r.out == "hello from the vm\n", r
    r = run(vm, "sh", "-c", "echo out; echo err >&2; exit 7")
    assert r.rc == 7 and r.out == "out\n" and "err" in r.err, r
    r = run(vm, "sh", "-c", "sh -c 'kill -9 $$'; echo child $?")
    assert r.rc == 0 and r.out == "child 137\n", r
    r = run(vm, "/no/such/program")
    assert r.rc != 0 and "/no/such/program" in r.err, r


def test_the_kernel_is_the_guests(vm):
    r = run(vm, "uname", "-r")
    assert r.rc == 0 and r.out.strip() != os.uname().release, r


def test_stdin_is_piped(vm):
    r = run(vm, "sh", "-c", "read a; read b; echo \"$b $a\"", input="one\ntwo\n")
    assert r.rc == 0 and r.out == "two one\n", r


def test_capabilities_and_masked_paths_apply_in_the_guest(vm):
    vm.spec["process"]["capabilities"] = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"],
                                          "permitted": ["CAP_KILL"]}
    r = run(vm, "sh", "-c", "grep CapBnd /proc/self/status; wc -c < /proc/kcore")
    assert r.rc == 0, r
    assert "CapBnd:\t0000000000000020" in r.out and r.out.split("\n")[1].strip() == "0", r
    vm.spec["process"]["capabilities"] = {}  # podman's --cap-drop ALL: every set empty
    r = run(vm, "grep", "CapEff", "/proc/self/status")
    assert r.rc == 0 and "0000000000000000" in r.out, r


def test_terminal_through_the_console_socket(vm, tmp_path):
    path = str(tmp_path / "console.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    got = {}

    def serve():
        conn, _ = srv.accept()
        got["fd"] = recv_fd(conn)
        conn.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    vm.spec["process"]["terminal"] = True
    vm.spec["process"]["consoleSize"] = {"height": 30, "width": 100}
    cid, r = vm.create("sh", "-c", "tty; stty size; read x; echo got:$x",
                       extra=("--console-socket", path), timeout=BOOT)
    assert r.rc == 0, r
    t.join(5)
    master = got["fd"]
    vm.rt("start", cid, check=True)
    os.write(master, b"typed\n")
    out = read_pty_until(master, b"got:typed")
    os.close(master)
    text = out.decode(errors="replace")
    assert "/dev/pts/0" in text and "30 100" in text and "got:typed" in text, text
    vm.rt("delete", "--force", cid, check=True)
    srv.close()


def test_exec_terminal_follows_a_resize(vm, tmp_path):
    cid, r = vm.create("sleep", "1000", timeout=BOOT)
    assert r.rc == 0, r
    vm.rt("start", cid, check=True)
    path = str(tmp_path / "exec-console.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    p = subprocess.Popen([RUNTIME, "--root", vm.root, "exec", "-t", "--console-socket", path,
                          cid, "sh", "-c", "stty size; read x; stty size; echo done"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    srv.settimeout(60)
    conn, _ = srv.accept()
    master = recv_fd(conn)
    conn.close()

    import fcntl
    import struct
    import termios
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 25, 90, 0, 0))
    out = read_pty_until(master, b"25 90")
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 132, 0, 0))
    time.sleep(1)
    os.write(master, b"go\n")
    out = read_pty_until(master, b"done", out)
    # The exec ends before the console does: closing the master first would hang up the
    # terminal, and the SIGHUP would reach the process as with any pty.
    assert p.wait(timeout=30) == 0
    os.close(master)
    text = out.decode(errors="replace")
    assert "40 132" in text and "done" in text, text
    vm.rt("delete", "--force", cid, check=True)
    srv.close()


def test_lifecycle_exec_ps_kill_delete(vm):
    cid, r = vm.create("sleep", "1000", timeout=BOOT)
    assert r.rc == 0, r
    st = vm.state(cid)
    assert st["status"] == "created" and st["pid"] > 0, st
    vm.rt("start", cid, check=True)
    assert wait_status(vm, cid, "running") == "running"
    # qemu keeps only what its 9p server needs of root's capabilities.
    qemu = [p for p in processes_with(vm.dir) if str(st["pid"]) != p]
    assert qemu, processes_with(vm.dir)
    for p in qemu:
        with open(f"/proc/{p}/status") as f:
            caps = {l.split(":")[0]: int(l.split()[1], 16) for l in f if l.startswith("Cap")}
        assert caps["CapBnd"] == caps["CapEff"] == 0x80000df, caps
    r = vm.rt("exec", cid, "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; exit 5")
    assert r.rc == 5 and r.out.strip() == "sleep 1000", r
    r = vm.rt("exec", cid, "cat", input="through exec's stdin")
    assert r.rc == 0 and r.out == "through exec's stdin", r
    r = vm.rt("ps", "--format", "json", cid, check=True)
    assert json.loads(r.out) == [1], r
    # SIGTERM to a pid-1 sleep is ignored in the guest as on a host; SIGKILL is not.
    vm.rt("kill", cid, "KILL", check=True)
    assert wait_status(vm, cid, "stopped") == "stopped"
    vm.rt("delete", cid, check=True)
    assert not os.path.exists(os.path.join(vm.root, cid))
    assert not cgroup_leftovers(cid)
    assert not processes_with(vm.dir)


def test_signals_reach_the_process_in_the_guest(vm):
    cid, r = vm.create("sh", "-c", "trap 'echo got term > /tmp/t; exit 3' TERM; "
                       "while true; do sleep 0.1; done", timeout=BOOT)
    assert r.rc == 0, r
    vm.rt("start", cid, check=True)
    assert wait_status(vm, cid, "running") == "running"
    time.sleep(1)  # the trap is set
    vm.rt("kill", cid, "TERM", check=True)
    assert wait_status(vm, cid, "stopped", timeout=30) == "stopped"
    vm.rt("delete", cid, check=True)


def test_bind_mounts(vm, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "in").write_text("from the host\n")
    ro = tmp_path / "ro.txt"
    ro.write_text("read only\n")
    vm.spec["mounts"].append({"destination": "/data", "type": "bind", "source": str(shared),
                              "options": ["rbind", "rw"]})
    vm.spec["mounts"].append({"destination": "/etc/ro.txt", "type": "bind", "source": str(ro),
                              "options": ["rbind", "ro"]})
    r = run(vm, "sh", "-c", "cat /data/in; echo from the guest > /data/out; cat /etc/ro.txt; "
            "echo x > /etc/ro.txt && echo WROTE; ls /etc/ | grep -c ro.txt")
    assert r.rc == 0, r
    assert r.out.split("\n")[:2] == ["from the host", "read only"] and "WROTE" not in r.out, r
    assert (shared / "out").read_text() == "from the guest\n"
    assert ro.read_text() == "read only\n"


def test_memory_limit_is_enforced_in_the_guest(vm):
    vm.spec["linux"]["resources"]["memory"] = {"limit": 64 << 20}
    # A memory hog: the guest's OOM killer ends it, not the host's.
    r = run(vm, "sh", "-c", "tail /dev/zero; echo tail: $?")
    assert r.rc == 0 and r.out == "tail: 137\n", r
    r = run(vm, "tail", "/dev/zero")
    assert r.rc == 137, r
    # Within the limit, the same container is fine: the guest has room beyond the limit.
    r = run(vm, "sh", "-c", "head -c 32m /dev/zero | tail -c 1 | wc -c")
    assert r.rc == 0 and r.out.strip() == "1", r


def test_seccomp_applies_in_the_guest(vm):
    vm.spec["linux"]["seccomp"] = {
        "defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_X86_64"],
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO",
                      "errnoRet": 1}],
    }
    vm.spec["root"]["readonly"] = False
    for nnp in (True, False):
        vm.spec["process"]["noNewPrivileges"] = nnp
        cid, r = vm.create("sleep", "1000", timeout=BOOT)
        assert r.rc == 0, r
        vm.rt("start", cid, check=True)
        r = vm.rt("exec", cid, "sh", "-c", "mkdir /tmp/x || echo refused; "
                  "grep Seccomp: /proc/self/status")
        assert "refused" in r.out and "Seccomp:\t2" in r.out, (nnp, r)
        r = vm.rt("exec", cid, "sh", "-c", "grep Seccomp: /proc/1/status")
        assert "Seccomp:\t2" in r.out, (nnp, r)
        vm.rt("delete", "--force", cid, check=True)
    vm.spec["linux"]["seccomp"]["syscalls"][0]["action"] = "SCMP_ACT_NOTIFY"
    vm.spec["linux"]["seccomp"]["listenerPath"] = "/run/nowhere.sock"
    r = run(vm, "true")
    assert r.rc != 0 and "SCMP_ACT_NOTIFY" in r.err, r


def test_update_moves_limits_in_the_guest(vm):
    vm.spec["linux"]["resources"]["memory"] = {"limit": 64 << 20}
    vm.spec["linux"]["resources"]["pids"] = {"limit": 20}
    cid, r = vm.create("sleep", "1000", timeout=BOOT)
    assert r.rc == 0, r
    vm.rt("start", cid, check=True)
    read = ("cat /sys/fs/cgroup/container/memory.max /sys/fs/cgroup/container/pids.max")
    r = vm.rt("exec", cid, "sh", "-c", read)
    assert r.rc == 0 and r.out.split() == [str(64 << 20), "20"], r
    vm.rt("update", "--memory", "32m", "--pids-limit", "50", cid, check=True)
    r = vm.rt("exec", cid, "sh", "-c", read)
    assert r.out.split() == [str(32 << 20), "50"], r
    # The VM booted with 64 MiB for the container: more cannot be given.
    r = vm.rt("update", "--memory", "1g", cid)
    assert r.rc != 0 and "more than this VM can give" in r.err, r
    r = vm.rt("update", "--blkio-weight", "500", cid)
    assert r.rc != 0 and "memory limit, pids limit and cpu only" in r.err, r
    # qemu's own threads are not counted against the container's pids limit.
    vm.rt("update", "--pids-limit", "3", cid, check=True)
    r = vm.rt("exec", cid, "true")
    assert r.rc == 0, r
    vm.rt("delete", "--force", cid, check=True)


def test_guest_oom_is_reported_by_events(vm):
    vm.spec["linux"]["resources"]["memory"] = {"limit": 64 << 20}
    cid, r = vm.create("sh", "-c", "sleep 2; tail /dev/zero; sleep 1000", timeout=BOOT)
    assert r.rc == 0, r
    ev = subprocess.Popen([RUNTIME, "--root", vm.root, "events", "--interval", "60s", cid],
                          stdout=subprocess.PIPE, text=True)
    try:
        vm.rt("start", cid, check=True)
        # The first event is the OOM kill of tail (stats come only every 60 s).
        ready, _, _ = select.select([ev.stdout], [], [], 60)
        assert ready, "no event within 60 s"
        line = ev.stdout.readline()
        assert json.loads(line) == {"type": "oom", "id": cid}, line
    finally:
        ev.kill()
        ev.wait()
    vm.rt("delete", "--force", cid, check=True)


def test_killed_create_leaves_nothing(vm):
    vm.args("true")
    # A cold boot: a clone of the template is created in well under the 0.5 s below.
    vm.spec["annotations"]["run.berth.vm.template"] = "off"
    vm.write()
    cid = vm.new_id()
    p = subprocess.Popen([RUNTIME, "--root", vm.root, "create", "--bundle", vm.dir, cid],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    # Killed while the VM boots: its monitor and qemu die with it.
    deadline = time.time() + 30
    while not processes_with(vm.dir) and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    p.send_signal(signal.SIGKILL)
    p.wait()
    deadline = time.time() + 10
    while processes_with(vm.dir) and time.time() < deadline:
        time.sleep(0.1)
    assert not processes_with(vm.dir), "qemu or the monitor outlived a killed create"
    vm.rt("delete", "--force", cid)
    assert not os.path.exists(os.path.join(vm.root, cid))
    assert not cgroup_leftovers(cid)
    assert not mount_leftovers(vm.dir)


def test_berth_vm_name_selects_the_tier(bundle, tmp_path):
    link = tmp_path / "berth-vm"
    link.symlink_to(RUNTIME)
    bundle.args("uname", "-r")
    bundle.write()
    cp = subprocess.run([str(link), "--root", bundle.root, "run", "--bundle", bundle.dir,
                         bundle.new_id()], capture_output=True, text=True, timeout=BOOT)
    assert cp.returncode == 0 and cp.stdout.strip() != os.uname().release, cp


def test_unsupported_configs_are_refused(vm):
    vm.spec["linux"]["devices"] = [{"path": "/dev/fuse", "type": "c", "major": 10,
                                    "minor": 229}]
    r = run(vm, "true")
    assert r.rc != 0 and "linux.devices" in r.err, r
    del vm.spec["linux"]["devices"]
    vm.spec["annotations"]["run.berth.isolation"] = "moon"
    r = run(vm, "true")
    assert r.rc != 0 and "unknown isolation `moon`" in r.err, r


def test_podman_runs_berth_vm(tmp_path, tmp_path_factory):
    import podman_helpers as ph
    if ph.podman_path() is None:
        pytest.skip("podman is not installed")
    link = tmp_path / "bin" / "berth-vm"
    link.parent.mkdir()
    link.symlink_to(RUNTIME)
    # podman refuses a run root path of more than 50 characters: a short directory.
    podman = ph.Podman(str(tmp_path_factory.mktemp("pvm")), str(link))
    try:
        image = podman.import_image(ph.make_busybox_tar(str(tmp_path)))
        r = podman("run", "--rm", image, "uname", "-r", timeout=BOOT)
        assert r.rc == 0 and r.out.strip() and r.out.strip() != os.uname().release, \
            f"{r}\n{podman.diagnostics()}"
        # podman's default seccomp profile holds in the guest.
        r = podman("run", "--rm", image, "grep", "Seccomp:", "/proc/self/status", timeout=BOOT)
        assert r.rc == 0 and "Seccomp:\t2" in r.out, f"{r}\n{podman.diagnostics()}"
        r = podman("run", "--rm", image, "sh", "-c", "exit 3", timeout=BOOT)
        assert r.rc == 3, f"{r}\n{podman.diagnostics()}"
        r = podman("run", "--rm", "--cap-drop", "ALL", image, "grep", "CapEff",
                   "/proc/self/status", timeout=BOOT)
        assert r.rc == 0 and "0000000000000000" in r.out, f"{r}\n{podman.diagnostics()}"
    finally:
        podman.destroy()


ALL_CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
            "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
            "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
            "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
            "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
            "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
            "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ"]


def test_privileged_container_in_the_vm_cannot_reach_the_host(vm, tmp_path):
    """Every capability, the guest's own devices, every block device and 9p share it can find
    mounted and scanned: a marker in a host file the container was not given stays unseen."""
    marker = "berth-host-marker-" + os.urandom(8).hex()
    secret = tmp_path / "host-only"
    secret.mkdir()
    (secret / "secret.txt").write_text(marker + "\n")
    caps = {k: ALL_CAPS for k in ("bounding", "effective", "permitted", "inheritable")}
    vm.spec["process"]["capabilities"] = caps
    vm.spec["linux"]["maskedPaths"] = []
    vm.spec["linux"]["readonlyPaths"] = []
    vm.spec["root"]["readonly"] = False
    for m in vm.spec["mounts"]:
        if m["destination"] == "/sys":
            m["options"] = [o for o in m.get("options", []) if o != "ro"]
    script = r"""
set -u
mkdir -p /x/dev /x/m
mount -t devtmpfs none /x/dev || echo "no devtmpfs"
echo "block devices: $(ls /sys/block | wc -l)"
for b in $(ls /sys/block); do
        mkdir -p /x/m/$b && mount -o ro /x/dev/$b /x/m/$b 2>/dev/null && echo "mounted $b"
done
for t in $(cat /sys/bus/virtio/drivers/9pnet_virtio/*/mount_tag 2>/dev/null | tr '\0' ' '); do
        mkdir -p /x/m/9p-$t
        if mount -t 9p -o trans=virtio,version=9p2000.L $t /x/m/9p-$t; then
                echo "9p $t: mounted"
        else
                echo "9p $t: refused"
        fi
done
grep -rl "$MARKER" /x/m 2>/dev/null | head -3 | sed 's/^/FOUND /'
echo scanned
"""
    vm.spec["process"]["env"].append("MARKER=" + marker)
    r = run(vm, "sh", "-c", script)
    assert r.rc == 0 and "scanned" in r.out, r
    assert "block devices: 0" in r.out and "no devtmpfs" not in r.out, r
    assert "FOUND" not in r.out, r
    # It did look: the guest's one share was found (a virtio 9p channel serves one mount, the
    # agent's, so a second mount of it is refused).
    assert "9p rootfs: " in r.out, r


def test_template_clone_clock_and_entropy(vm):
    """Clones of the template VM (the default without bind mounts): the guest's wall clock is
    the host's, not the template's saved one, and each clone's random bytes differ although
    their kernels were booted once (the agent reseeds from the host's VM_RESUMED)."""
    cmd = "date +%s; head -c 16 /dev/urandom | od -An -tx1; cat /proc/sys/kernel/random/boot_id"
    outs = []
    for _ in range(2):
        r = run(vm, "sh", "-c", cmd)
        assert r.rc == 0, r
        outs.append(r.out.split("\n"))
        assert abs(int(outs[-1][0]) - time.time()) < 10, r
    assert outs[0][1] != outs[1][1], outs
    # The kernel makes boot_id on its first read, after the reseed: it differs too.
    assert outs[0][2] != outs[1][2], outs
    # Not cold-booted: no reason to fall back was written (the state dir is gone after run,
    # so a detached one is checked).
    vm.args("sleep", "30")
    vm.write()
    cid = vm.new_id()
    vm.rt("run", "-d", cid, check=True, timeout=BOOT)
    assert not os.path.exists(os.path.join(vm.root, cid, "vm-template.log"))
    timings = open(os.path.join(vm.root, cid, "vm-timings")).read()
    assert "guest_uptime_s=0 " in timings, timings
    vm.rt("delete", "--force", cid, check=True)
