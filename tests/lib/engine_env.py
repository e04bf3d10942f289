# SPDX-License-Identifier: LGPL-2.1-or-later
"""The berth engine under test: a store and a run directory of its own per test (so tests run
side by side), the CLI as a function, and a check at the end that the test left no container,
shim, mount or cgroup behind."""
import json
import os
import shutil
import subprocess
import tempfile
import time

from runtime_env import BUILD, cgroup_leftovers, mount_leftovers

BERTH = os.path.join(BUILD, "src", "cmd", "berth", "berth")
IMAGE = "localhost/busybox:latest"


class Run:
    def __init__(self, cp):
        self.rc = cp.returncode
        self.out = cp.stdout
        self.err = cp.stderr

    def __repr__(self):
        return f"rc={self.rc} out={self.out!r} err={self.err!r}"


class Engine:
    """berth with BERTH_ROOT and BERTH_RUN_DIR of its own. The run directory is short: socket
    paths in it must fit sun_path for runc's console socket."""

    def __init__(self, root):
        self.root = root
        self.run_dir = tempfile.mkdtemp(prefix="be-", dir="/tmp")
        self.env = dict(os.environ, BERTH_ROOT=root, BERTH_RUN_DIR=self.run_dir)

    def __call__(self, *args, check=False, input=None, timeout=120, env=None):
        cp = subprocess.run([BERTH, *args], capture_output=True, text=True, input=input,
                            env=dict(self.env, **(env or {})), timeout=timeout)
        r = Run(cp)
        if check and r.rc != 0:
            raise AssertionError(f"berth {' '.join(args)}: {r}")
        return r

    def popen(self, *args, **kw):
        kw.setdefault("env", self.env)
        return subprocess.Popen([BERTH, *args], **kw)

    def ids(self):
        return self("ps", "-aq", "--no-trunc").out.split()

    def wait_for(self, cond, timeout=10, what="condition"):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if cond():
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}")

    def cleanup(self):
        """Removes every container; returns what was left behind."""
        left = []
        for cid in self.ids():
            self("rm", "-f", cid)
        if self.ids():
            left.append(f"containers not removable: {self.ids()}")
        cdir = os.path.join(self.root, "containers")
        if os.path.isdir(cdir) and os.listdir(cdir):
            left.append(f"container directories: {os.listdir(cdir)}")
        sdir = os.path.join(self.run_dir, "containers")
        if os.path.isdir(sdir) and os.listdir(sdir):
            left.append(f"shim state: {os.listdir(sdir)}")
        left += [f"mount {l.split()[4]}" for l in mount_leftovers(self.root)]
        for pid in shim_pids(self.run_dir):
            left.append(f"shim process {pid}")
        shutil.rmtree(self.run_dir, ignore_errors=True)
        return left


def shim_pids(run_dir):
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"berth-shim") and any(run_dir.encode() in a for a in argv):
            pids.append(int(pid))
    return pids
