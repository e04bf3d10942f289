# SPDX-License-Identifier: LGPL-2.1-or-later
"""An isolated podman installation for driving an OCI runtime (berth-runtime or runc).

Everything podman writes goes under one temporary directory: its own containers.conf
(CONTAINERS_CONF) and storage.conf (CONTAINERS_STORAGE_CONF), graph root, run root, tmp dir,
file locks (instead of the machine-wide /dev/shm/libpod_lock), events log and volumes. Containers
get no network namespace set up by podman (netns = "none"), so netavark never touches the host's
iptables rules, bridges or /run/netns.

The runtime is not handed to podman directly: podman gets a small wrapper script with the
runtime's own basename (podman decides a few things from that name) which

  * logs every invocation (argv) to <dir>/runtime-argv.log, for diagnostics, and
  * adds `--root <dir>/runtime-root`, so the runtime's container state lives in the test's
    directory too (podman 4.3 does not pass --runtime-flag to its `container cleanup` exit
    command, so `--runtime-flag root=...` would leak state into the default root).

The image is built locally: a busybox rootfs from Debian's busybox-static packed as a tar and
loaded with `podman import`.
"""
import fcntl
import json
import os
import pty
import select
import shlex
import shutil
import signal
import struct
import subprocess
import termios
import time

from runtime_env import BUSYBOX, make_busybox_rootfs

IMAGE = "localhost/berth-podman-busybox:test"
CGROUP_ROOT = "/sys/fs/cgroup"

# podman 4.3 passes `--log FILE --log-format json` (through conmon) only to runtimes whose name is
# in this list; berth-runtime is added so that it is driven exactly as runc is.
SUPPORTS_JSON = ["crun", "runc", "kata", "runsc", "youki", "krun", "berth-runtime"]


def podman_path():
    return shutil.which("podman")


def make_busybox_tar(workdir):
    rootfs = os.path.join(workdir, "rootfs")
    make_busybox_rootfs(rootfs)
    tar = os.path.join(workdir, "busybox.tar")
    subprocess.run(["tar", "-C", rootfs, "--numeric-owner", "-cf", tar, "."], check=True)
    shutil.rmtree(rootfs)
    return tar


class Result:
    def __init__(self, cmd, rc, out, err):
        self.cmd = cmd
        self.rc = rc
        self.out = out
        self.err = err

    def __repr__(self):
        return f"{shlex.join(self.cmd)}: rc={self.rc} out={self.out!r} err={self.err!r}"


class Podman:
    """podman with a private configuration in `dir`, using the OCI runtime `runtime`."""

    def __init__(self, dir, runtime, driver="overlay"):
        self.dir = os.path.abspath(dir)
        self.real_runtime = os.path.abspath(runtime)
        self.name = os.path.basename(self.real_runtime)
        self.graph = os.path.join(self.dir, "graph")
        self.run_root = os.path.join(self.dir, "run")
        self.tmp = os.path.join(self.dir, "tmp")
        self.runtime_root = os.path.join(self.dir, "runtime-root")
        self.argv_log = os.path.join(self.dir, "runtime-argv.log")
        self.conf = os.path.join(self.dir, "containers.conf")
        self.storage_conf = os.path.join(self.dir, "storage.conf")
        for d in (self.graph, self.run_root, self.tmp, self.runtime_root,
                  os.path.join(self.dir, "networks"), os.path.join(self.dir, "wrapper")):
            os.makedirs(d, exist_ok=True)
        self.runtime = os.path.join(self.dir, "wrapper", self.name)
        with open(self.runtime, "w") as f:
            f.write("#!/bin/sh\n"
                    f"echo \"$$ $*\" >> {shlex.quote(self.argv_log)}\n"
                    f"exec {shlex.quote(self.real_runtime)} --root {shlex.quote(self.runtime_root)}"
                    " \"$@\"\n")
        os.chmod(self.runtime, 0o755)
        q = json.dumps
        with open(self.conf, "w") as f:
            f.write("[containers]\n"
                    # raising RLIMIT_NOFILE/NPROC above the hard limit needs CAP_SYS_RESOURCE
                    "default_ulimits = []\n"
                    'netns = "none"\n'
                    'log_driver = "k8s-file"\n'
                    "[engine]\n"
                    'cgroup_manager = "cgroupfs"\n'
                    'events_logger = "file"\n'
                    f"events_logfile_path = {q(os.path.join(self.dir, 'events.log'))}\n"
                    'lock_type = "file"\n'
                    f"tmp_dir = {q(self.tmp)}\n"
                    f"static_dir = {q(os.path.join(self.graph, 'libpod'))}\n"
                    f"volume_path = {q(os.path.join(self.graph, 'volumes'))}\n"
                    f"runtime_supports_json = {q(SUPPORTS_JSON)}\n"
                    "[network]\n"
                    f"network_config_dir = {q(os.path.join(self.dir, 'networks'))}\n")
        with open(self.storage_conf, "w") as f:
            f.write("[storage]\n"
                    f"driver = {q(driver)}\n"
                    f"graphroot = {q(self.graph)}\n"
                    f"runroot = {q(self.run_root)}\n")
        self.env = dict(os.environ)
        self.env.update({
            "CONTAINERS_CONF": self.conf,
            "CONTAINERS_STORAGE_CONF": self.storage_conf,
            "CONTAINERS_REGISTRIES_CONF": os.path.join(self.dir, "registries.conf"),
            "TMPDIR": self.tmp,
        })
        self.env.pop("CONTAINER_HOST", None)
        self.env.pop("CONTAINER_CONNECTION", None)
        with open(self.env["CONTAINERS_REGISTRIES_CONF"], "w") as f:
            f.write("unqualified-search-registries = []\n")

    def cmd(self, *args, runtime=None):
        return [podman_path(), "--root", self.graph, "--runroot", self.run_root,
                "--runtime", runtime or self.runtime, *args]

    def __call__(self, *args, timeout=30, input=None, check=False, runtime=None):
        cmd = self.cmd(*args, runtime=runtime)
        try:
            cp = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                input=input if input is not None else "", env=self.env)
        except subprocess.TimeoutExpired as e:
            raise AssertionError(f"{shlex.join(cmd)} timed out after {timeout}s\n"
                                 f"{self.diagnostics()}") from e
        r = Result(cmd, cp.returncode, cp.stdout, cp.stderr)
        if check:
            assert r.rc == 0, f"{r}\n{self.diagnostics()}"
        return r

    def import_image(self, tar, ref=IMAGE):
        self("import", tar, ref, timeout=60, check=True)
        return ref

    def run_tty(self, *args, timeout=20, rows=24, cols=80, input=None):
        """Runs `podman ARGS` with stdin/stdout/stderr on a new pty; returns (rc, output)."""
        cmd = self.cmd(*args)
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        p = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=self.env,
                             start_new_session=True, close_fds=True)
        os.close(slave)
        out = b""
        deadline = time.monotonic() + timeout
        sent = input is None
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
                    raise AssertionError(f"{shlex.join(cmd)} timed out on a pty; output so far "
                                         f"{out!r}\n{self.diagnostics()}")
                r, _, _ = select.select([master], [], [], min(left, 0.2))
                if r:
                    try:
                        chunk = os.read(master, 4096)
                    except OSError:  # EIO: every slave side is closed
                        break
                    if not chunk:
                        break
                    out += chunk
                    if not sent:
                        os.write(master, input.encode())
                        sent = True
                elif p.poll() is not None:
                    break
            rc = p.wait(timeout=max(deadline - time.monotonic(), 1))
        finally:
            os.close(master)
        return rc, out.decode(errors="replace")

    # ---- inspection -------------------------------------------------------------------------

    def runtime_calls(self):
        try:
            with open(self.argv_log) as f:
                return [line.rstrip("\n") for line in f]
        except FileNotFoundError:
            return []

    def created_ids(self):
        """Container ids the runtime was asked to create (last argument of `create`)."""
        ids = []
        for line in self.runtime_calls():
            argv = line.split()
            if "create" in argv:
                ids.append(argv[-1])
        return ids

    def runtime_state(self):
        """Entries in the runtime's state root (one directory per container it knows)."""
        try:
            return sorted(os.listdir(self.runtime_root))
        except FileNotFoundError:
            return []

    def cgroup_leftovers(self, ids):
        left = []
        try:
            hierarchies = os.listdir(CGROUP_ROOT)
        except FileNotFoundError:
            return left
        for h in hierarchies:
            parent = os.path.join(CGROUP_ROOT, h, "libpod_parent")
            for cid in ids:
                p = os.path.join(parent, "libpod-" + cid)
                if os.path.isdir(p):
                    left.append(p)
        return left

    def leftovers(self, ids=None):
        """What podman or the runtime left behind: [] when clean."""
        left = []
        ps = self("ps", "-a", "--format", "{{.ID}} {{.Names}} {{.Status}}")
        if ps.rc != 0:
            left.append(f"podman ps -a failed: {ps}")
        elif ps.out.strip():
            left.append(f"podman ps -a: {ps.out.strip()}")
        left += [f"runtime state: {os.path.join(self.runtime_root, e)}"
                 for e in self.runtime_state()]
        left += [f"cgroup: {p}"
                 for p in self.cgroup_leftovers(self.created_ids() if ids is None else ids)]
        return left

    def wait_clean(self, ids=None, timeout=10):
        """Waits for podman's asynchronous cleanup (conmon's exit command); returns leftovers."""
        deadline = time.monotonic() + timeout
        while True:
            left = self.leftovers(ids)
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.2)

    def diagnostics(self, tail=40):
        calls = self.runtime_calls()[-tail:]
        return ("runtime invocations (last %d):\n  " % len(calls)) + "\n  ".join(calls)

    def cleanup(self):
        """Removes every container through podman (and so through the runtime)."""
        self("rm", "-a", "-f", "-t", "0", timeout=60)

    def destroy(self):
        """Removes containers, runtime state and images, unmounts podman's storage (that last
        step also when an earlier one fails or times out)."""
        try:
            self.cleanup()
            for cid in self.runtime_state():
                subprocess.run([self.real_runtime, "--root", self.runtime_root, "delete",
                                "--force", cid], capture_output=True, timeout=30)
            self("rmi", "-a", "-f", timeout=60)
        finally:
            self.unmount_storage()

    def processes(self):
        """Pids of the processes of this installation still alive: podman, conmon and the exit
        command conmon starts (`podman container cleanup`) all name its directories on their
        command lines."""
        needle = (self.dir + "/").encode()
        pids = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or int(pid) == os.getpid():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if needle in f.read():
                        pids.append(int(pid))
            except OSError:
                pass
        return pids

    def mounts(self):
        """Mount points below this installation's directory."""
        with open("/proc/self/mountinfo") as f:
            points = [line.split()[4] for line in f]
        return [m for m in points if m.startswith(self.dir + "/")]

    def unmount_storage(self, timeout=60):
        """Unmounts what podman's storage has mounted below the graph root (its overlay driver
        keeps graph/overlay bind-mounted onto itself), and does so again until no process of
        this installation is left: one still running, such as the exit command conmon starts
        when a container ends, sets the storage up again, and with it that mount. Processes
        still there at the deadline are killed."""
        subprocess.run(self.cmd("umount", "-a", "-f"), capture_output=True, env=self.env,
                       timeout=60)
        deadline = time.monotonic() + timeout
        killed = False
        while True:
            for m in sorted(self.mounts(), key=len, reverse=True):
                if subprocess.run(["umount", m], capture_output=True).returncode != 0:
                    subprocess.run(["umount", "-l", m], capture_output=True)
            # Processes first: once none is left, nothing mounts anything here any more.
            pids = self.processes()
            if not pids and not self.mounts():
                return
            if time.monotonic() > deadline:
                if killed:
                    return  # what is still there, the caller's check reports
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                killed = True
                deadline = time.monotonic() + 5
            time.sleep(0.1)
