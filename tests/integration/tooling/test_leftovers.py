# SPDX-License-Identifier: LGPL-2.1-or-later
"""scripts/leftovers.py, the leftover check that ends scripts/test.sh (issue 8, items 24 and 26):
it must accept the parent cgroups the runtime makes on a machine that never ran Berth, and find
every cgroup, mount, process, network namespace and state directory a run leaves behind.

The live tests look only for what they made themselves: other things may come and go on the
machine while they run."""
import os
import shutil
import subprocess
import sys
import uuid

import pytest

from runtime_env import REPO

sys.path.insert(0, os.path.join(REPO, "scripts"))
import leftovers  # noqa: E402

def empty_snapshot(roots):
    return {"cgroups": [], "state": [], "processes": {},
            "mounts": [[r, "cgroup", "cgroup", "/"] for r in roots]}


def test_new_parent_cgroups_are_not_leftovers():
    """On a machine that never ran Berth (or podman) the suite makes the parents itself."""
    roots = ["/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified"]
    before = empty_snapshot(roots)
    after = empty_snapshot(roots)
    after["cgroups"] = [f"{r}/{p}" for r in roots for p in ("berth", "libpod_parent",
                                                            "libpod_parent/conmon")]
    assert leftovers.compare(before, after) == []
    # What is below a parent is a container's, and a leftover.
    after["cgroups"] += ["/sys/fs/cgroup/pids/berth/c1",
                         "/sys/fs/cgroup/unified/libpod_parent/libpod-0123",
                         "/sys/fs/cgroup/pids/other/berth"]
    assert leftovers.compare(before, after) == [
        "cgroup /sys/fs/cgroup/pids/berth/c1",
        "cgroup /sys/fs/cgroup/pids/other/berth",
        "cgroup /sys/fs/cgroup/unified/libpod_parent/libpod-0123",
    ]


def found(before, what):
    return [line for line in leftovers.compare(before, leftovers.snapshot()) if what in line]


def test_cgroup_left_is_found():
    roots = leftovers.cgroup_roots(leftovers.read_mounts())
    if not roots:
        pytest.skip("no cgroup hierarchy mounted")
    parent = os.path.join(roots[0], "berth")
    made_parent = not os.path.isdir(parent)
    before = leftovers.snapshot()
    cg = os.path.join(parent, "leftover-" + uuid.uuid4().hex[:8])
    os.makedirs(cg)
    try:
        left = found(before, parent)
        assert f"cgroup {cg}" in left and f"cgroup {parent}" not in left, left
    finally:
        os.rmdir(cg)
        if made_parent:
            os.rmdir(parent)
    assert not found(before, cg)


def test_mount_left_is_found(tmp_path):
    point = tmp_path / "berth-mnt"
    point.mkdir()
    before = leftovers.snapshot()
    subprocess.run(["mount", "-t", "tmpfs", "berth-test", str(point)], check=True)
    try:
        assert found(before, str(point)) == [f"mount {point} (tmpfs from berth-test)"]
    finally:
        subprocess.run(["umount", str(point)], check=True)
    assert not found(before, str(point))


@pytest.mark.parametrize("how", ["marked", "named"])
def test_process_left_is_found(tmp_path, how):
    """A process the suite started (it carries test.sh's BERTH_TEST_RUN), or one of the
    programs the suite runs, still alive at the end."""
    env = dict(os.environ)
    argv = [shutil.which("sleep"), "60"]
    if how == "marked":
        env["BERTH_TEST_RUN"] = "1"
    else:
        env.pop("BERTH_TEST_RUN", None)
        os.symlink(argv[0], tmp_path / "conmon")
        argv[0] = str(tmp_path / "conmon")
    before = leftovers.snapshot()
    p = subprocess.Popen(argv, env=env)
    try:
        assert len(found(before, f"process {p.pid} ")) == 1
    finally:
        p.kill()
        p.wait()
    assert not found(before, f"process {p.pid} ")


def test_network_namespace_left_is_found():
    if not shutil.which("ip"):
        pytest.skip("iproute2 is not installed")
    name = "berth-leftover-" + uuid.uuid4().hex[:8]
    before = leftovers.snapshot()
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        left = found(before, name)
        assert f"network namespace /run/netns/{name}" in left, left
        assert any(line.startswith(f"mount /run/netns/{name} (nsfs") for line in left), left
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=True)
    assert not found(before, name)


def test_container_left_is_found(bundle):
    """A container nobody deleted: its process (by its cgroup and root) and its cgroups."""
    before = leftovers.snapshot()
    cid, r = bundle.create("sleep", "100")
    assert r.rc == 0, r
    pid = bundle.state(cid)["pid"]
    left = found(before, cid) + found(before, f"process {pid} ")
    assert any(line.startswith(f"process {pid} ") for line in left), left
    assert any(line.startswith("cgroup ") and line.endswith(f"/berth/{cid}") for line in left), left
    bundle.rt("delete", "--force", cid, check=True)
    assert not found(before, cid) and not found(before, f"process {pid} ")
