# SPDX-License-Identifier: LGPL-2.1-or-later
"""A private Docker Engine (Debian's dockerd 20.10, package docker.io) for driving OCI runtimes.

Everything dockerd and its containerd write goes under one temporary directory: the API socket
(-H unix://DIR/docker.sock), --data-root, --exec-root, --pidfile and a --config-file that
registers berth-runtime as the runtime "berth" (runc stays available as "runc"). Without
--containerd, dockerd 20.10 starts a containerd of its own whose root, state and sockets are
below data-root and exec-root. No bridge, no iptables rules: containers use --network none.

What cannot be private: containerd 1.6 puts each shim's socket in /run/containerd/s/, and the
runtimes make cgroups under /docker (cgroupfs driver). stop() checks that none is left (nor a
process of this dockerd, nor a mount below DIR) and removes what is.

The image is built here: a docker-archive (manifest.json, config, one layer.tar) of the busybox
rootfs of runtime_env.make_busybox_rootfs, loaded with `docker load`.
"""
import hashlib
import io
import json
import os
import pty
import select
import shlex
import shutil
import signal
import subprocess
import tarfile
import tempfile
import time

from runtime_env import make_busybox_rootfs, processes_with

DOCKER = "/usr/bin/docker"    # Debian's client: /usr/local/bin/docker may be another one
DOCKERD = "/usr/sbin/dockerd"
IMAGE = "localhost/berth-docker-busybox:test"
CGROUP_ROOT = "/sys/fs/cgroup"
SHIM_SOCKETS = "/run/containerd/s"


def _pids_with(text):
    """Pids (ints) whose command line names text."""
    return [int(p) for p in processes_with(text)]


def available():
    """None when dockerd can be used, else why not."""
    for p in (DOCKER, DOCKERD):
        if not os.access(p, os.X_OK):
            return f"{p} is not installed (apt-get install docker.io)"
    if not shutil.which("containerd"):
        return "containerd is not installed (a dependency of docker.io)"
    return None


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def make_image_archive(workdir, ref=IMAGE):
    """A docker-archive of the busybox rootfs, with a config that docker accepts."""
    rootfs = os.path.join(workdir, "rootfs")
    make_busybox_rootfs(rootfs)
    # An executable file the kernel refuses (no #! line, no ELF): execve() fails at start.
    with open(os.path.join(rootfs, "bin", "notaprogram"), "w") as f:
        f.write("this is not a program\n")
    os.chmod(os.path.join(rootfs, "bin", "notaprogram"), 0o755)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name in sorted(os.listdir(rootfs)):
            t.add(os.path.join(rootfs, name), arcname=name)
    shutil.rmtree(rootfs)
    layer = buf.getvalue()
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine)
    config = json.dumps({
        "architecture": arch, "os": "linux", "created": "2024-01-01T00:00:00Z",
        "config": {"Cmd": ["sh"],
                   "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + _sha256(layer)]},
        "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "berth tests"}],
    }).encode()
    cfg_name = _sha256(config) + ".json"
    layer_name = _sha256(layer) + "/layer.tar"
    manifest = json.dumps([{"Config": cfg_name, "RepoTags": [ref],
                            "Layers": [layer_name]}]).encode()
    path = os.path.join(workdir, "busybox-docker.tar")
    with tarfile.open(path, "w") as t:
        for name, data in ((cfg_name, config), (layer_name, layer), ("manifest.json", manifest)):
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mtime = 1600000000
            t.addfile(ti, io.BytesIO(data))
    return path


class Result:
    def __init__(self, cmd, rc, out, err):
        self.cmd = cmd
        self.rc = rc
        self.out = out
        self.err = err

    def __repr__(self):
        return f"{shlex.join(self.cmd)}: rc={self.rc} out={self.out!r} err={self.err!r}"


def _mounts_below(prefix):
    with open("/proc/self/mountinfo") as f:
        return [line.split()[4] for line in f if line.split()[4].startswith(prefix)]


class Dockerd:
    """dockerd with everything in a private directory; berth-runtime registered as "berth"."""

    def __init__(self, runtime, live_restore=False):
        # Short: the containerd socket path must fit in sun_path.
        self.dir = tempfile.mkdtemp(prefix="berth-docker-")
        self.sock = os.path.join(self.dir, "docker.sock")
        self.data = os.path.join(self.dir, "data")
        self.exec_root = os.path.join(self.dir, "exec")
        self.pidfile = os.path.join(self.dir, "docker.pid")
        self.log = os.path.join(self.dir, "dockerd.log")
        self.config = os.path.join(self.dir, "daemon.json")
        self.runtime = os.path.abspath(runtime)
        self.write_config(live_restore)
        self.proc = None
        self.restarted = False
        self.run_containerd_existed = os.path.exists(os.path.dirname(SHIM_SOCKETS))
        self.cgroup_parents_before = {h for h in self._hierarchies()
                                      if os.path.isdir(os.path.join(CGROUP_ROOT, h, "docker"))}
        self.ids = set()  # every container this dockerd made (see run())
        self.n_runs = 0
        os.makedirs(os.path.join(self.dir, "cids"))

    # ---- the daemon ------------------------------------------------------------------------

    def write_config(self, live_restore):
        with open(self.config, "w") as f:
            json.dump({"runtimes": {"berth": {"path": self.runtime}},
                       "live-restore": live_restore}, f)

    def set_live_restore(self, on):
        """Switches live-restore by a configuration reload (SIGHUP). With it on, dockerd
        leaves containers running when it stops, and keeps its data-root bind mount."""
        self.write_config(on)
        self.proc.send_signal(signal.SIGHUP)
        want = "true" if on else "false"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self("info", "-f", "{{.LiveRestoreEnabled}}").out.strip() == want:
                return
            time.sleep(0.1)
        raise AssertionError(f"dockerd did not take live-restore={want}:\n{self.log_tail()}")

    def start(self, timeout=60):
        cmd = [DOCKERD, "-H", "unix://" + self.sock, "--data-root", self.data,
               "--exec-root", self.exec_root, "--pidfile", self.pidfile,
               "--config-file", self.config, "--iptables=false", "--ip6tables=false",
               "--bridge=none", "--ip-forward=false", "--ip-masq=false",
               "--userland-proxy=false", "--storage-driver", "overlay2"]
        logf = open(self.log, "a")
        self.proc = subprocess.Popen(cmd, stdout=logf, stderr=logf, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        logf.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"dockerd exited with {self.proc.returncode}:\n"
                                     f"{self.log_tail()}")
            if os.path.exists(self.sock) and self("version", timeout=10).rc == 0:
                return
            time.sleep(0.2)
        raise AssertionError(f"dockerd did not answer within {timeout}s:\n{self.log_tail()}")

    def stop(self, timeout=60):
        """SIGTERM and wait: with live-restore, running containers and their shims stay."""
        if not self.proc:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        # dockerd's containerd goes with it; wait until it has.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if not [p for p in _pids_with(self.exec_root) if self._is_containerd(p)]:
                break
            time.sleep(0.1)

    def restart(self):
        self.stop()
        self.restarted = True
        self.start()

    @staticmethod
    def _is_containerd(pid):
        try:
            return os.readlink(f"/proc/{pid}/exe").endswith("/containerd")
        except OSError:
            return False

    def log_tail(self, n=40):
        try:
            with open(self.log) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    # ---- the client ------------------------------------------------------------------------

    def cmd(self, *args):
        return [DOCKER, "-H", "unix://" + self.sock, *args]

    def __call__(self, *args, timeout=60, input=None, check=False):
        cmd = self.cmd(*args)
        env = dict(os.environ)
        env.pop("DOCKER_HOST", None)
        env.pop("DOCKER_CONTEXT", None)
        env["DOCKER_CONFIG"] = os.path.join(self.dir, "client")
        try:
            cp = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                input=input if input is not None else "", env=env)
        except subprocess.TimeoutExpired as e:
            raise AssertionError(f"{shlex.join(cmd)} timed out after {timeout}s\n"
                                 f"{self.log_tail()}") from e
        r = Result(cmd, cp.returncode, cp.stdout, cp.stderr)
        if check:
            assert r.rc == 0, f"{r}\n{self.log_tail(15)}"
        return r

    def run_tty(self, *args, input_lines=(), prompt=b"# ", timeout=20):
        """`docker ARGS` on a new pty (for -it); writes each of input_lines once the output
        since the last one shows the shell's prompt. Returns (exit code, output)."""
        env = dict(os.environ, DOCKER_CONFIG=os.path.join(self.dir, "client"))
        env.pop("DOCKER_HOST", None)
        master, slave = pty.openpty()
        p = subprocess.Popen(self.cmd(*args), stdin=slave, stdout=slave, stderr=slave, env=env,
                             start_new_session=True, close_fds=True)
        os.close(slave)
        out = b""
        since = b""  # output since the last line written
        pending = list(input_lines)
        deadline = time.monotonic() + timeout
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
                    raise AssertionError(f"docker {shlex.join(args)} timed out on a pty; "
                                         f"output so far {out!r}")
                r, _, _ = select.select([master], [], [], min(left, 0.3))
                if r:
                    try:
                        chunk = os.read(master, 4096)
                    except OSError:  # EIO: the client closed its side
                        break
                    if not chunk:
                        break
                    out += chunk
                    since += chunk
                elif p.poll() is not None:
                    break
                if pending and prompt in since:
                    since = b""
                    os.write(master, pending.pop(0).encode())
            rc = p.wait(timeout=max(deadline - time.monotonic(), 1))
        finally:
            os.close(master)
        return rc, out.decode(errors="replace")

    def load_image(self, archive):
        self("load", "-i", archive, timeout=120, check=True)
        return IMAGE

    def inspect(self, name, fmt):
        return self("inspect", "-f", fmt, name, check=True).out.strip()

    def container_ids(self):
        r = self("ps", "-aq", "--no-trunc")
        return r.out.split() if r.rc == 0 else []

    def run(self, *args, **kw):
        """`docker run ARGS` with a --cidfile, so that every container's id is known for the
        leftover checks (--rm ones included)."""
        self.n_runs += 1
        cidfile = os.path.join(self.dir, "cids", str(self.n_runs))
        r = self("run", "--cidfile", cidfile, *args, **kw)
        self.record(cidfile)
        return r

    def record(self, cidfile):
        try:
            with open(cidfile) as f:
                cid = f.read().strip()
        except OSError:
            return
        if cid:
            self.ids.add(cid)

    def record_all(self):
        for name in os.listdir(os.path.join(self.dir, "cids")):
            self.record(os.path.join(self.dir, "cids", name))
        self.ids.update(self.container_ids())

    def remove_all(self):
        ids = self.container_ids()
        self.ids.update(ids)
        if ids:
            self("rm", "-f", *ids, timeout=120)

    # ---- what is left ----------------------------------------------------------------------

    @staticmethod
    def _hierarchies():
        try:
            return sorted(os.listdir(CGROUP_ROOT))
        except OSError:
            return []

    def _shim_sockets(self):
        """The shim sockets of this dockerd's containers that exist: containerd 1.6 names
        them sha256(<containerd address>/<namespace>/<id>) in /run/containerd/s."""
        address = os.path.join(self.exec_root, "containerd", "containerd.sock")
        found = []
        for cid in self.ids:
            p = os.path.join(SHIM_SOCKETS, hashlib.sha256(
                os.path.join(address, "moby", cid).encode()).hexdigest())
            if os.path.lexists(p):
                found.append(p)
        return found

    def cgroup_leftovers(self):
        left = []
        for h in self._hierarchies():
            for cid in self.ids:
                p = os.path.join(CGROUP_ROOT, h, "docker", cid)
                if os.path.isdir(p):
                    left.append(p)
        return left

    def leftovers(self):
        """What this dockerd, its containerd, shims or the runtimes left: [] when clean."""
        left = [f"process {pid}: {self._cmdline(pid)}" for pid in _pids_with(self.dir)
                if pid != os.getpid()]
        # dockerd makes data-root a shared bind mount of itself and removes it on shutdown
        # only when it made it in that run: once restarted, the next one finds it and keeps
        # it (as /var/lib/docker stays mounted on a host). destroy() removes it.
        left += [f"mount {m}" for m in _mounts_below(self.dir + "/")
                 if not (self.restarted and m == self.data)]
        left += [f"cgroup {p}" for p in self.cgroup_leftovers()]
        left += [f"shim socket {p}" for p in self._shim_sockets()]
        return left

    @staticmethod
    def _cmdline(pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            return "?"

    def destroy(self):
        """Removes every container and image, stops dockerd, then removes whatever is left
        (reporting it): returns the list of leftovers found after a clean shutdown."""
        if self.proc and self.proc.poll() is None:
            self.remove_all()
            self("rmi", "-f", IMAGE, timeout=60)
        self.record_all()
        self.stop()
        left = self.leftovers()
        for pid in _pids_with(self.dir):
            if pid != os.getpid():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        time.sleep(0.2)
        for m in sorted(_mounts_below(self.dir + "/"), key=len, reverse=True):
            if subprocess.run(["umount", m], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", m], capture_output=True)
        for p in sorted(self.cgroup_leftovers(), key=len, reverse=True):
            try:
                with open(os.path.join(p, "cgroup.procs")) as f:
                    for pid in f.read().split():
                        os.kill(int(pid), signal.SIGKILL)
            except (OSError, ValueError):
                pass
            for _ in range(50):
                try:
                    os.rmdir(p)
                    break
                except OSError:
                    time.sleep(0.1)
        # The /docker parents the runtimes made, where there was none before.
        for h in self._hierarchies():
            if h in self.cgroup_parents_before:
                continue
            try:
                os.rmdir(os.path.join(CGROUP_ROOT, h, "docker"))
            except OSError:
                pass
        for p in self._shim_sockets():
            try:
                os.unlink(p)
            except OSError:
                pass
        if not self.run_containerd_existed:
            for d in (SHIM_SOCKETS, os.path.dirname(SHIM_SOCKETS)):
                try:
                    os.rmdir(d)
                except OSError:
                    pass
        shutil.rmtree(self.dir, ignore_errors=True)
        return left
