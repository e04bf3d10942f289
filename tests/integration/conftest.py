# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fixtures that drive the built berth-runtime on real busybox bundles.

Every test gets its own state root and bundle; at teardown the fixture deletes what is left
and fails the test if a container left a state directory, a cgroup, a mount or a process.
"""
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid

import pytest

# The shared helpers (runtime_env, docker_helpers, podman_helpers) live in tests/lib.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))

from runtime_env import (BUSYBOX, RUNTIME, cgroup_leftovers, make_busybox_rootfs,
                         mount_leftovers, processes_with)


@pytest.fixture(scope="session")
def rootfs_template(tmp_path_factory):
    if not os.path.exists(BUSYBOX):
        pytest.fail("busybox-static is not installed (apt-get install busybox-static)")
    d = tmp_path_factory.mktemp("template") / "rootfs"
    make_busybox_rootfs(str(d))
    return str(d)


@pytest.fixture(scope="session")
def default_spec(tmp_path_factory):
    d = tmp_path_factory.mktemp("spec")
    subprocess.run([RUNTIME, "spec", "--bundle", str(d)], check=True)
    with open(d / "config.json") as f:
        spec = json.load(f)
    spec["process"]["terminal"] = False
    return spec


class Result:
    def __init__(self, cp):
        self.rc = cp.returncode
        self.out = cp.stdout
        self.err = cp.stderr

    def __repr__(self):
        return f"rc={self.rc} out={self.out!r} err={self.err!r}"


class Bundle:
    """A bundle with its own state root, and the runtime invoked on it."""

    def __init__(self, tmp, template, spec):
        self.dir = os.path.join(tmp, "bundle")
        self.rootfs = os.path.join(self.dir, "rootfs")
        self.root = os.path.join(tmp, "state")
        os.makedirs(self.dir)
        shutil.copytree(template, self.rootfs, symlinks=True)
        self.spec = copy.deepcopy(spec)
        self.ids = []

    def new_id(self):
        cid = "t" + uuid.uuid4().hex[:10]
        self.ids.append(cid)
        return cid

    def write(self):
        with open(os.path.join(self.dir, "config.json"), "w") as f:
            json.dump(self.spec, f, indent=2)

    def args(self, *argv):
        self.spec["process"]["args"] = list(argv)
        return self

    def rt(self, *args, check=False, timeout=30, input=None, env=None, pass_fds=(),
           global_args=()):
        cmd = [RUNTIME, "--root", self.root, *global_args, *args]
        # Files, not pipes: a created container keeps its stdio open after create returns,
        # which would make a pipe reader wait for its end.
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            cp = subprocess.run(cmd, stdout=out, stderr=err, text=True, timeout=timeout,
                                input=input, env=env, pass_fds=pass_fds, cwd=self.dir)
            out.seek(0)
            err.seek(0)
            cp.stdout, cp.stderr = out.read(), err.read()
        r = Result(cp)
        if check:
            assert r.rc == 0, f"{cmd}: {r}"
        return r

    def run(self, *argv, **kw):
        """Writes the config with process.args = argv and runs it in the foreground."""
        if argv:
            self.args(*argv)
        self.write()
        return self.rt("run", "--bundle", self.dir, self.new_id(), **kw)

    def create(self, *argv, extra=(), **kw):
        if argv:
            self.args(*argv)
        self.write()
        cid = self.new_id()
        r = self.rt("create", "--bundle", self.dir, *extra, cid, **kw)
        return cid, r

    def state(self, cid):
        r = self.rt("state", cid, check=True)
        return json.loads(r.out)


@pytest.fixture
def bundle(tmp_path, rootfs_template, default_spec):
    b = Bundle(str(tmp_path), rootfs_template, default_spec)
    yield b
    # Clean whatever the test left, then insist that nothing of any container remains.
    leftovers = []
    if os.path.isdir(b.root):
        for cid in os.listdir(b.root):
            leftovers.append(f"state of {cid}")
            b.rt("delete", "--force", cid)
    for cid in b.ids:
        leftovers += cgroup_leftovers(cid)
    leftovers += mount_leftovers(b.dir)
    assert not leftovers, f"left behind: {leftovers}"


@pytest.fixture
def runtime():
    return RUNTIME
