# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the image tests share besides fixtures: where the berth binary is (BERTH_BUILD_DIR,
default <repo>/build), a runner for it, and a mount context. A module of its own, so that
"conftest" never has to be imported by name next to tests/integration/conftest.py."""
import contextlib
import json
import os
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
BUILD_DIR = os.environ.get("BERTH_BUILD_DIR", os.path.join(REPO, "build"))


def find_berth():
    for rel in ("src/cmd/berth/berth",):
        p = os.path.join(BUILD_DIR, rel)
        if os.access(p, os.X_OK) and os.path.isfile(p):
            return p
    return None


BERTH = find_berth()
DOCKER_REGISTRY = shutil.which("docker-registry") or "/usr/bin/docker-registry"
SKOPEO = shutil.which("skopeo")
IS_ROOT = os.geteuid() == 0


class Berth:
    """Runs the berth CLI against one store."""

    def __init__(self, root, env=None):
        self.root = root
        self.env = dict(os.environ)
        self.env.update(env or {})

    def run(self, *args, check=False, input=None, timeout=300, env=None):
        e = dict(self.env)
        e.update(env or {})
        p = subprocess.run([BERTH, "--root", self.root, *map(str, args)], capture_output=True,
                           text=True, input=input, timeout=timeout, env=e)
        if check and p.returncode != 0:
            raise AssertionError(f"berth {' '.join(map(str, args))} failed ({p.returncode}):\n"
                                 f"{p.stdout}\n{p.stderr}")
        return p

    def ok(self, *args, **kw):
        return self.run(*args, check=True, **kw)

    def fail(self, *args, **kw):
        p = self.run(*args, **kw)
        assert p.returncode != 0, f"berth {' '.join(map(str, args))} succeeded:\n{p.stdout}"
        return p

    def images(self):
        return json.loads(self.ok("images", "--format", "json").stdout)

    def names(self):
        return sorted(t for i in self.images() for t in i["RepoTags"])

    def inspect(self, image):
        return json.loads(self.ok("inspect", image).stdout)[0]

    def blobs(self):
        d = os.path.join(self.root, "blobs", "sha256")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def ingest(self):
        d = os.path.join(self.root, "ingest")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []


@contextlib.contextmanager
def mounted(berth, image, target, snapshotter=None):
    args = ["--snapshotter", snapshotter] if snapshotter else []
    os.makedirs(target, exist_ok=True)
    berth.ok(*args, "mount", image, target)
    try:
        yield target
    finally:
        berth.run(*args, "unmount", target)
