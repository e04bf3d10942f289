# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared by the integration suites: where the binaries under test are (BERTH_BUILD_DIR, or the
repository's build/) and the busybox rootfs their bundles and images are made from."""
import array
import os
import select
import shutil
import socket
import subprocess
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BERTH_BUILD_DIR", os.path.join(REPO, "build"))
RUNTIME = os.path.join(BUILD, "src", "cmd", "berth-runtime", "berth-runtime")
BUSYBOX = "/bin/busybox"
CGROUP_ROOT = "/sys/fs/cgroup"


def make_busybox_rootfs(dest):
    """A minimal rootfs: /bin/busybox plus applet symlinks, /etc/passwd and /etc/group."""
    for d in ("bin", "sbin", "usr/bin", "usr/sbin", "dev", "etc", "proc", "sys", "tmp", "root",
              "run", "var/tmp", "home/user"):
        os.makedirs(os.path.join(dest, d), exist_ok=True)
    shutil.copy2(BUSYBOX, os.path.join(dest, "bin", "busybox"))
    applets = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True,
                             check=True).stdout.split()
    for a in applets:
        if a != "busybox":
            os.symlink("busybox", os.path.join(dest, "bin", a))
    with open(os.path.join(dest, "etc", "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n")
    with open(os.path.join(dest, "etc", "group"), "w") as f:
        f.write("root:x:0:\nuser:x:1000:\n")
    os.chmod(os.path.join(dest, "tmp"), 0o1777)
    os.chmod(os.path.join(dest, "var", "tmp"), 0o1777)


def cgroup_leftovers(cid):
    left = []
    for ctrl in os.listdir(CGROUP_ROOT):
        for base in ("berth", ""):
            p = os.path.join(CGROUP_ROOT, ctrl, base, cid)
            if os.path.isdir(p):
                left.append(p)
    return left


def mount_leftovers(path):
    """Lines of /proc/self/mountinfo that name path."""
    with open("/proc/self/mountinfo") as f:
        return [l for l in f if path in l]


def processes_with(path):
    """Pids whose command line names path (a container's bundle: its qemu, its runtime)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if path.encode() in f.read():
                    found.append(pid)
        except OSError:
            pass
    return found


def recv_fd(conn):
    """The fd a runtime sent over a --console-socket connection (SCM_RIGHTS)."""
    fds = array.array("i")
    _, anc, _, _ = conn.recvmsg(1024, socket.CMSG_SPACE(fds.itemsize))
    for level, typ, data in anc:
        if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            fds.frombytes(data[:fds.itemsize])
    return fds[0]


def read_pty_until(master, what, out=b"", timeout=30):
    """What the pty master gives, added to out, until what is in it (timeout seconds at most,
    or until the pty hangs up)."""
    deadline = time.time() + timeout
    while what not in out and time.time() < deadline:
        ready, _, _ = select.select([master], [], [], 1)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


def wait_status(b, cid, want, timeout=10):
    """Polls `state` of container cid of bundle b until it says want (bounded); returns the
    last status seen."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        st = b.state(cid)["status"]
        if st == want:
            return st
        time.sleep(0.02)
    return b.state(cid)["status"]
