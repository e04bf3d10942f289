# SPDX-License-Identifier: LGPL-2.1-or-later
"""The three engines side by side, each with a private store: berth (daemonless, one shim per
container), containerd through `ctr` (a private containerd daemon, its runc shim v2) and podman
(cgroupfs, conmon, runc). All run the same image: the built-in localhost/busybox, saved by berth as a
docker archive and loaded into the other two."""
import os
import shutil
import statistics
import subprocess
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BERTH_BUILD_DIR", os.path.join(REPO, "build"))
BERTH = os.path.join(BUILD, "src", "cmd", "berth", "berth")
IMAGE = "localhost/busybox:latest"
# crun 1.8 refuses a hybrid cgroup layout (this machine's): podman runs runc then, as ctr does
PODMAN_RUNTIME = os.environ.get("PODMAN_RUNTIME", "runc")


def quiet(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          **kw)


class Berth:
    name = "berth"

    def __init__(self, work):
        self.root = os.path.join(work, "berth-root")
        self.run_dir = tempfile.mkdtemp(prefix="bbe-", dir="/tmp")
        self.env = dict(os.environ, BERTH_ROOT=self.root, BERTH_RUN_DIR=self.run_dir)
        try:
            quiet([BERTH, "run", "--rm", IMAGE, "true"], env=self.env)  # loads the built-in image
        except BaseException:
            shutil.rmtree(self.run_dir, ignore_errors=True)
            raise

    def save(self, path):
        quiet([BERTH, "save", "-o", path, IMAGE], env=self.env)

    def cmd(self, *args):
        return [BERTH, *args]

    # --network none, as the peers run: berth's default is its bridge network (the -p case of
    # run.py passes its own --network)
    def run_rm(self, i, extra=("--network", "none")):
        return [BERTH, "run", "--rm", *extra, IMAGE, "true"]

    def run_rm_publish(self, i):
        return self.run_rm(i, ("-p", "8080:80"))

    def run_d(self, i):
        return [BERTH, "run", "-d", "--network", "none", "--name", f"d{i}", IMAGE, "sleep",
                "100000"]

    def shims(self):
        return pids_with(("berth-shim",), self.run_dir)

    def daemon_pids(self):
        return []

    def cleanup(self):
        ids = subprocess.run([BERTH, "ps", "-aq", "--no-trunc"], env=self.env,
                             capture_output=True, text=True).stdout.split()
        if ids:
            subprocess.run([BERTH, "rm", "-f", *ids], env=self.env, capture_output=True)
        shutil.rmtree(self.run_dir, ignore_errors=True)


class Ctr:
    name = "ctr"

    def __init__(self, work, archive):
        self.d = os.path.join(work, "containerd")
        os.makedirs(self.d)
        self.sock = os.path.join(self.d, "c.sock")
        with open(os.path.join(self.d, "config.toml"), "w") as f:
            f.write(f'version = 2\nroot = "{self.d}/root"\nstate = "{self.d}/state"\n'
                    f'[grpc]\n  address = "{self.sock}"\n'
                    '[plugins."io.containerd.grpc.v1.cri"]\n  disable_apparmor = true\n')
        self.proc = subprocess.Popen(["containerd", "--config",
                                      os.path.join(self.d, "config.toml")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.time() + 20
        while not os.path.exists(self.sock) and time.time() < end:
            time.sleep(0.05)
        time.sleep(0.3)
        self.env = dict(os.environ)
        quiet(self.base() + ["images", "import", archive])

    def base(self):
        return ["ctr", "-a", self.sock, "-n", "bench"]

    def run_rm(self, i, extra=()):
        return self.base() + ["run", "--rm", *extra, IMAGE, f"rm{i}", "true"]

    def run_rm_publish(self, i):
        # ctr has no -p: --cni attaches it to the first network of /etc/cni/net.d with plugins
        # from /opt/cni/bin (go-cni's defaults), without a port mapping
        return self.run_rm(i, ("--cni",))

    def run_d(self, i):
        return self.base() + ["run", "-d", IMAGE, f"d{i}", "sleep", "100000"]

    def shims(self):
        return pids_with(("containerd-shim",), self.sock)

    def daemon_pids(self):
        return [self.proc.pid]

    def cleanup(self):
        out = subprocess.run(self.base() + ["tasks", "ls", "-q"], capture_output=True,
                             text=True).stdout.split()
        for t in out:
            subprocess.run(self.base() + ["tasks", "kill", "-s", "KILL", t],
                           capture_output=True)
        time.sleep(0.5)
        for t in out:
            subprocess.run(self.base() + ["tasks", "rm", "-f", t], capture_output=True)
        for c in subprocess.run(self.base() + ["containers", "ls", "-q"], capture_output=True,
                                text=True).stdout.split():
            subprocess.run(self.base() + ["containers", "rm", c], capture_output=True)
        self.proc.terminate()
        self.proc.wait()
        unmount_below(self.d)
        shutil.rmtree(self.d, ignore_errors=True)


class Podman:
    name = "podman"

    def __init__(self, work, archive):
        self.d = os.path.join(work, "podman")
        # podman refuses a runroot path longer than 50 characters
        self.run = tempfile.mkdtemp(prefix="bbp-", dir="/tmp")
        os.makedirs(self.d)
        conf = os.path.join(self.d, "containers.conf")
        self.cni = os.path.join(self.d, "cni")
        os.makedirs(self.cni)
        with open(conf, "w") as f:
            # podman raises RLIMIT_NOFILE by default, which needs CAP_SYS_RESOURCE (absent here)
            f.write("[containers]\ndefault_ulimits = []\n")
            # the -p case: its CNI backend with networks of its own (not /etc/cni/net.d)
            f.write(f'[network]\nnetwork_config_dir = "{self.cni}"\n'
                    'cni_plugin_dirs = ["/usr/lib/cni"]\n')
        self.env = dict(os.environ, CONTAINERS_CONF=conf)
        quiet(self.base() + ["load", "-q", "-i", archive], env=self.env)

    def base(self):
        return ["podman", "--root", f"{self.d}/root", "--runroot", self.run,
                "--storage-driver", "overlay", "--cgroup-manager", "cgroupfs",
                "--events-backend", "none", "--runtime", PODMAN_RUNTIME]

    def run_rm(self, i, extra=("--network=none",)):
        return self.base() + ["run", "--rm", *extra, IMAGE, "true"]

    def run_rm_publish(self, i):
        return self.run_rm(i, ("--network-backend", "cni", "--network", "bench",
                               "-p", "8080:80"))

    def run_d(self, i):
        return self.base() + ["run", "-d", "--network=none", "--name", f"d{i}", IMAGE, "sleep",
                              "100000"]

    def shims(self):
        return pids_with(("conmon",), self.run)

    def daemon_pids(self):
        return []

    def network(self, name, subnet):
        quiet(self.base() + ["--network-backend", "cni", "network", "create", "--subnet",
                             subnet, name], env=self.env)
        out = subprocess.run(self.base() + ["--network-backend", "cni", "network", "inspect",
                                            "-f", "{{.NetworkInterface}}", name],
                             capture_output=True, text=True, env=self.env).stdout.strip()
        self.networks.append((name, out))

    networks = []

    def cleanup(self):
        subprocess.run(self.base() + ["rm", "-af", "-t", "0"], capture_output=True, env=self.env)
        for n, bridge in self.networks:
            subprocess.run(self.base() + ["--network-backend", "cni", "network", "rm", "-f", n],
                           capture_output=True, env=self.env)
            if bridge:
                subprocess.run(["ip", "link", "delete", bridge], capture_output=True)
        subprocess.run(self.base() + ["system", "reset", "-f"], capture_output=True,
                       env=self.env)
        unmount_below(self.d)
        shutil.rmtree(self.d, ignore_errors=True)
        shutil.rmtree(self.run, ignore_errors=True)


def engines(work, names):
    """The engines asked for (berth always first: it saves the image the others load)."""
    b = Berth(work)
    archive = os.path.join(work, "busybox.tar")
    b.save(archive)
    made = [b]
    for n in names:
        if n == "ctr" and shutil.which("containerd"):
            made.append(Ctr(work, archive))
        elif n == "podman" and shutil.which("podman"):
            made.append(Podman(work, archive))
    return made


def unmount_below(path):
    """Unmounts whatever the engine left mounted under path (podman's overlay root), deepest
    first."""
    with open("/proc/self/mountinfo") as f:
        points = [l.split()[4] for l in f if l.split()[4].startswith(path + "/")]
    for p in sorted(points, key=len, reverse=True):
        subprocess.run(["umount", "-l", p], stderr=subprocess.DEVNULL)


def timed(cmd, env):
    t = time.monotonic()
    r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.monotonic() - t
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {r.stderr.decode()[-500:]}")
    return dt


def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pids_with(names, marker):
    """Processes named one of names (comm) whose command line mentions marker (the engine's
    private directory or socket), so other engines on the machine are not counted."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm") as f:
                comm = f.read().strip()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        if any(comm.startswith(n[:15]) for n in names) and marker.encode() in cmdline:
            found.append(int(pid))
    return found


def median(xs):
    return statistics.median(xs) if xs else float("nan")
