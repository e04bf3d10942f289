# SPDX-License-Identifier: LGPL-2.1-or-later
"""run's resource flags as the container's cgroup and limits show them, and --pull with a local
registry."""
import os
import subprocess

import pytest

from engine_env import IMAGE
from registry_env import Registry, start_registry
from runtime_env import CGROUP_ROOT

V1 = os.path.isdir(os.path.join(CGROUP_ROOT, "memory", "berth")) or \
    os.path.isfile(os.path.join(CGROUP_ROOT, "memory", "memory.limit_in_bytes"))


def cgroup_file(cid, v1_ctrl, v1_name, v2_name):
    if V1:
        return open(os.path.join(CGROUP_ROOT, v1_ctrl, "berth", cid, v1_name)).read().strip()
    return open(os.path.join(CGROUP_ROOT, "berth", cid, v2_name)).read().strip()


def test_resource_flags_reach_the_cgroup(berth):
    cid = berth("run", "-d", "--memory", "64m", "--cpus", "0.5", "--pids-limit", "50",
                "--cpuset-cpus", "0", "--cpu-shares", "512", IMAGE, "sleep", "1000",
                check=True).out.strip()
    assert cgroup_file(cid, "memory", "memory.limit_in_bytes", "memory.max") == str(64 << 20)
    assert cgroup_file(cid, "pids", "pids.max", "pids.max") == "50"
    assert cgroup_file(cid, "cpuset", "cpuset.cpus", "cpuset.cpus") == "0"
    if V1:
        assert cgroup_file(cid, "cpu", "cpu.cfs_quota_us", "") == "50000"
        assert cgroup_file(cid, "cpu", "cpu.shares", "") == "512"
    else:
        assert cgroup_file(cid, "", "", "cpu.max") == "50000 100000"


def test_ulimit_sysctl_shm(berth):
    r = berth("run", "--rm", "--ulimit", "nofile=512:1024", "--sysctl", "net.ipv4.ip_forward=1",
              "--shm-size", "8m", IMAGE, "sh", "-c",
              "ulimit -n; ulimit -Hn; cat /proc/sys/net/ipv4/ip_forward; "
              "df -k /dev/shm | tail -1", check=True)
    lines = r.out.split("\n")
    assert lines[:3] == ["512", "1024", "1"], r
    assert lines[3].split()[1] == "8192", r
    r = berth("run", "--rm", "--ulimit", "bogus=1", IMAGE, "true")
    assert r.rc == 125 and "unknown limit `bogus`" in r.err, r
    r = berth("run", "--rm", "--sysctl", "kernel.hostname=x", IMAGE, "true")
    assert r.rc == 125 and "kernel.hostname" in r.err, r


def test_memory_limit_oom(berth):
    r = berth("run", "--name", "oom", "--memory", "16m", "--memory-swap", "16m", IMAGE, "sh",
              "-c", "tail /dev/zero")
    assert r.rc == 137, r
    assert berth("inspect", "-f", "{{.State.OOMKilled}}", "oom").out.strip() == "true"


@pytest.mark.parametrize("runtime", ["berth-runtime", "runc"])
def test_oom_of_a_detached_container(berth, runtime):
    """A detached container is created and started by one `runtime run`: its OOM kill counts,
    on its first life and on a restart."""
    import shutil
    extra = []
    if runtime == "runc":
        if not shutil.which("runc"):
            pytest.skip("no runc")
        extra = ["--runtime", "runc"]
    berth("run", "-d", "--name", "oomd", *extra, "--memory", "16m", "--memory-swap", "16m",
          IMAGE, "sh", "-c", "tail /dev/zero", check=True)
    assert berth("wait", "oomd").out.strip() == "137"
    assert berth("inspect", "-f", "{{.State.OOMKilled}}", "oomd").out.strip() == "true"
    # a second life is a `run` too, and its count starts again in its own cgroup
    berth("start", "oomd", check=True)
    assert berth("wait", "oomd").out.strip() == "137"
    assert berth("inspect", "-f", "{{.State.OOMKilled}}", "oomd").out.strip() == "true"
    berth("run", "-d", "--name", "fine", *extra, "--memory", "16m", IMAGE, "true", check=True)
    assert berth("wait", "fine").out.strip() == "0"
    assert berth("inspect", "-f", "{{.State.OOMKilled}}", "fine").out.strip() == "false"
    berth("rm", "-f", "oomd", "fine", check=True)


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    host, proc = start_registry(str(tmp_path_factory.mktemp("registry")))
    r = Registry(host, proc, None)
    yield r
    r.stop()


def test_pull_missing_always_never(berth, registry, tmp_path):
    ref = f"{registry.host}/engine/busybox:1"
    # a store that has the built-in image pushes it to the registry, an empty one pulls it
    berth("tag", IMAGE, ref, check=True)
    berth("push", "--tls-verify=false", ref, check=True)
    berth("rmi", ref, check=True)
    r = berth("run", "--rm", "--pull", "never", ref, "true")
    assert r.rc == 125 and ref in r.err, r
    r = berth("run", "--rm", ref, "echo", "pulled", env={"BERTH_REGISTRIES_CONF": write_conf(
        tmp_path, registry.host)})
    assert r.rc == 0 and r.out == "pulled\n", r
    r = berth("run", "--rm", "--pull", "always", ref, "true", env={
        "BERTH_REGISTRIES_CONF": write_conf(tmp_path, registry.host)})
    assert r.rc == 0, r
    r = berth("run", "--rm", "--pull", "sometimes", ref, "true")
    assert r.rc == 125 and "--pull" in r.err, r


def write_conf(tmp_path, host):
    import json
    p = tmp_path / "registries.json"
    p.write_text(json.dumps({"registries": {host: {"tls-verify": False}}}))
    return str(p)
