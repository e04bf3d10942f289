# SPDX-License-Identifier: LGPL-2.1-or-later
"""--device HOST[:CONTAINER[:PERMS]]: the host's node made in the container's /dev under the
name asked for, usable there, and in config.json with its allow rule."""
import json
import os
import stat

import pytest

from engine_env import IMAGE


def test_device_under_another_name(berth):
    r = berth("run", "--rm", "--device", "/dev/null:/dev/mynull", "--device", "/dev/zero",
              IMAGE, "sh", "-c",
              "stat -c '%t:%T %F' /dev/mynull && echo data > /dev/mynull && echo wrote && "
              "head -c 4 /dev/zero | od -An -tx1")
    assert r.rc == 0, r
    host = os.stat("/dev/null").st_rdev
    lines = r.out.splitlines()
    assert lines[0] == f"{os.major(host):x}:{os.minor(host):x} character special file", r
    assert lines[1] == "wrote", r
    assert lines[2].split() == ["00", "00", "00", "00"], r


def test_device_not_in_the_default_set(berth):
    """A block device docker does not allow by default: usable only when given."""
    dev = "/dev/loop0"
    if not os.path.exists(dev) or not stat.S_ISBLK(os.stat(dev).st_mode):
        pytest.skip(f"{dev} is no block device here")
    rdev = os.stat(dev).st_rdev
    r = berth("run", "--rm", IMAGE, "sh", "-c",
              f"mknod /dev/x b {os.major(rdev)} {os.minor(rdev)} && head -c 1 /dev/x")
    assert r.rc != 0 and "Operation not permitted" in r.err, r
    r = berth("run", "--rm", "--device", f"{dev}:/dev/myloop", IMAGE, "sh", "-c",
              "head -c 1 /dev/myloop > /dev/null && echo readable")
    assert r.rc == 0 and r.out == "readable\n", r


@pytest.mark.parametrize("runtime", ["berth-runtime", "runc"])
def test_read_only_device(berth, runtime):
    """--device HOST:CONTAINER:r: the node opens for reading, not for writing (the runtime
    grants a linux.devices node nothing beyond the config's rules, as runc does)."""
    import shutil
    dev = "/dev/loop0"
    if not os.path.exists(dev) or not stat.S_ISBLK(os.stat(dev).st_mode):
        pytest.skip(f"{dev} is no block device here")
    if runtime == "runc" and not shutil.which("runc"):
        pytest.skip("no runc")
    r = berth("run", "--rm", "--runtime", runtime, "--device", f"{dev}:/dev/myloop:r", IMAGE,
              "sh", "-c", "(exec 3</dev/myloop) && echo read-ok; (exec 4>/dev/myloop) && "
              "echo write-ok; true")
    assert r.out == "read-ok\n" and "Operation not permitted" in r.err, r
    r = berth("run", "--rm", "--runtime", runtime, "--device", f"{dev}:/dev/myloop:rw", IMAGE,
              "sh", "-c", "(exec 4>/dev/myloop) && echo write-ok")
    assert r.out == "write-ok\n", r


def test_device_in_config(berth):
    cid = berth("create", "--device", "/dev/null:/dev/mynull:rw", IMAGE, "true",
                check=True).out.strip()
    with open(os.path.join(berth.root, "containers", cid, "config.json")) as f:
        spec = json.load(f)
    host = os.stat("/dev/null")
    nodes = [d for d in spec["linux"]["devices"] if d["path"] == "/dev/mynull"]
    assert len(nodes) == 1, spec["linux"]["devices"]
    n = nodes[0]
    assert (n["type"], n["major"], n["minor"]) == ("c", os.major(host.st_rdev),
                                                   os.minor(host.st_rdev))
    assert n["fileMode"] == host.st_mode & 0o7777
    rules = spec["linux"]["resources"]["devices"]
    assert {"allow": True, "type": "c", "major": os.major(host.st_rdev),
            "minor": os.minor(host.st_rdev), "access": "rw"} in rules, rules
    berth("rm", cid, check=True)


def test_device_refusals(berth):
    r = berth("run", "--rm", "--device", "/etc/passwd", IMAGE, "true")
    assert r.rc == 125 and "`/etc/passwd` is not a device node" in r.err, r
    r = berth("run", "--rm", "--device", "/dev/null:/dev/n:rwx", IMAGE, "true")
    assert r.rc == 125 and "invalid permissions" in r.err, r
    r = berth("run", "--rm", "--device", "/dev/no-such-device", IMAGE, "true")
    assert r.rc == 125 and "/dev/no-such-device" in r.err, r
    assert berth.ids() == []


def test_privileged_keeps_all_devices(berth):
    """Privileged: the node is still made, the host's own nodes besides; the one allow-all rule
    stays the only rule."""
    cid = berth("create", "--privileged", "--device", "/dev/null:/dev/mynull:r", IMAGE, "true",
                check=True).out.strip()
    with open(os.path.join(berth.root, "containers", cid, "config.json")) as f:
        spec = json.load(f)
    paths = [d["path"] for d in spec["linux"]["devices"]]
    assert paths[0] == "/dev/mynull" and "/dev/null" in paths and paths.count("/dev/mynull") == 1
    assert spec["linux"]["resources"]["devices"] == [{"allow": True, "access": "rwm"}]
    berth("rm", cid, check=True)
