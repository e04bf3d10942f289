# SPDX-License-Identifier: LGPL-2.1-or-later
"""berth pause/unpause (ps, inspect, stop and rm -f of a paused container), rename and update
(the cgroup files, the row's HostConfig, the next start)."""
import os
import time

from engine_env import IMAGE


def cgroup_file(pid, controller, v1_name, v2_name):
    """The container's cgroup file, v1's controller hierarchy or the unified tree."""
    unified = os.path.exists("/sys/fs/cgroup/cgroup.controllers")
    with open(f"/proc/{pid}/cgroup") as f:
        for line in f.read().splitlines():
            _, ctrls, path = line.split(":", 2)
            if unified and ctrls == "":
                return f"/sys/fs/cgroup{path}/{v2_name}"
            if not unified and controller in ctrls.split(","):
                base = f"/sys/fs/cgroup/{ctrls}"
                if not os.path.exists(base):
                    base = f"/sys/fs/cgroup/{controller}"
                return f"{base}{path}/{v1_name}"
    raise AssertionError(f"no {controller} cgroup for {pid}")


def read(path):
    with open(path) as f:
        return f.read().strip()


def ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[11])  # utime


def test_pause_unpause(berth):
    berth("run", "-d", "--name", "p", IMAGE, "sh", "-c", "while :; do :; done", check=True)
    pid = int(berth("inspect", "-f", "{{.State.Pid}}", "p", check=True).out)
    assert berth("pause", "p", check=True).out == "p\n"
    assert berth("ps", "--format", "{{.Names}} {{.State}}").out == "p paused\n"
    assert "(Paused)" in berth("ps", "--format", "{{.Status}}").out
    assert berth("ps", "-f", "status=paused", "--format", "{{.Names}}").out == "p\n"
    r = berth("inspect", "-f", "{{.State.Status}} {{.State.Paused}} {{.State.Running}}", "p")
    assert r.out == "paused true true\n", r
    # frozen: no CPU time passes
    before = ticks(pid)
    time.sleep(0.5)
    assert ticks(pid) == before
    r = berth("pause", "p")
    assert r.rc == 1 and "already paused" in r.err, r
    assert berth("unpause", "p", check=True).out == "p\n"
    assert berth("inspect", "-f", "{{.State.Status}}", "p").out == "running\n"
    berth.wait_for(lambda: ticks(pid) > before, what="CPU time after unpause")
    r = berth("unpause", "p")
    assert r.rc == 1 and "not paused" in r.err, r
    # a paused container stops (SIGKILL, then thawed) and is removed with -f
    berth("pause", "p", check=True)
    berth("stop", "p", check=True)
    assert berth("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "p").out == \
        "exited 137\n"
    r = berth("pause", "p")
    assert r.rc == 1 and "not running" in r.err, r
    berth("start", "p", check=True)
    assert berth("inspect", "-f", "{{.State.Status}}", "p").out == "running\n"
    berth("pause", "p", check=True)
    berth("rm", "-f", "p", check=True)
    assert berth.ids() == []


def test_pause_several_and_missing(berth):
    berth("run", "-d", "--name", "a", IMAGE, "sleep", "1000", check=True)
    berth("run", "-d", "--name", "b", IMAGE, "sleep", "1000", check=True)
    r = berth("pause", "a", "nosuch", "b")
    assert r.rc == 1 and "no such container: nosuch" in r.err, r
    assert r.out == "a\nb\n", r
    assert berth("ps", "-f", "status=paused", "--format", "{{.Names}}").out.split() == ["b", "a"]
    berth("container", "unpause", "a", "b", check=True)
    assert berth("ps", "-f", "status=running", "--format", "{{.Names}}").out.split() == \
        ["b", "a"]


def test_rename(berth):
    cid = berth("run", "-d", "--name", "old", IMAGE, "sleep", "1000", check=True).out.strip()
    berth("create", "--name", "other", IMAGE, "true", check=True)
    berth("rename", "old", "new", check=True)
    assert berth("inspect", "-f", "{{.Name}}", cid).out == "/new\n"
    assert berth("inspect", "old").rc == 1
    r = berth("rename", "new", "other")
    assert r.rc == 1 and "already in use" in r.err, r
    r = berth("rename", "new", "bad name")
    assert r.rc == 1 and "invalid container name" in r.err, r
    r = berth("rename", "new", "new")
    assert r.rc == 1, r
    r = berth("rename", "new")
    assert r.rc != 0 and "usage" in r.err, r
    berth("rename", cid[:12], "/again", check=True)
    assert berth("ps", "--format", "{{.Names}}").out == "again\n"
    # the name is free again
    berth("create", "--name", "new", IMAGE, "true", check=True)


def test_update_running(berth):
    berth("run", "-d", "--name", "u", "-m", "64m", IMAGE, "sleep", "1000", check=True)
    pid = int(berth("inspect", "-f", "{{.State.Pid}}", "u", check=True).out)
    mem = cgroup_file(pid, "memory", "memory.limit_in_bytes", "memory.max")
    pids = cgroup_file(pid, "pids", "pids.max", "pids.max")
    assert read(mem) == str(64 << 20)
    assert berth("update", "--memory", "128m", "--pids-limit", "40", "--cpus", "0.5",
                 "--cpu-shares", "512", "u", check=True).out == "u\n"
    assert read(mem) == str(128 << 20)
    assert read(pids) == "40"
    if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        assert read(cgroup_file(pid, "cpu", "", "cpu.max")) == "50000 100000"
    else:
        assert read(cgroup_file(pid, "cpu", "cpu.cfs_quota_us", "")) == "50000"
        assert read(cgroup_file(pid, "cpu", "cpu.shares", "")) == "512"
    r = berth("inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} "
              "{{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}}", "u", check=True)
    assert r.out == f"{128 << 20} 40 500000000 512\n", r
    # the next start keeps the new limits
    berth("stop", "-t", "0", "u", check=True)
    berth("start", "u", check=True)
    pid = int(berth("inspect", "-f", "{{.State.Pid}}", "u", check=True).out)
    assert read(cgroup_file(pid, "memory", "memory.limit_in_bytes", "memory.max")) == \
        str(128 << 20)
    assert read(cgroup_file(pid, "pids", "pids.max", "pids.max")) == "40"
    # --pids-limit -1: no limit
    berth("update", "--pids-limit", "-1", "u", check=True)
    assert read(cgroup_file(pid, "pids", "pids.max", "pids.max")) == "max"
    assert berth("inspect", "-f", "{{json .HostConfig.PidsLimit}}", "u").out == "null\n"


def test_update_stopped_restart_and_errors(berth):
    berth("create", "--name", "c", IMAGE, "sleep", "1000", check=True)
    berth("update", "--memory", "48m", "--restart", "on-failure:3", "c", check=True)
    r = berth("inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}} "
              "{{.HostConfig.RestartPolicy.MaximumRetryCount}}", "c", check=True)
    assert r.out == f"{48 << 20} on-failure 3\n", r
    berth("start", "c", check=True)
    pid = int(berth("inspect", "-f", "{{.State.Pid}}", "c", check=True).out)
    assert read(cgroup_file(pid, "memory", "memory.limit_in_bytes", "memory.max")) == \
        str(48 << 20)
    # the new policy is the shim's from this start on
    cid = berth("inspect", "-f", "{{.Id}}", "c", check=True).out.strip()
    shim = read(os.path.join(berth.run_dir, "containers", cid, "shim.pid"))
    with open(f"/proc/{shim}/cmdline", "rb") as f:
        argv = f.read().split(b"\0")
    assert argv[argv.index(b"--restart") + 1] == b"on-failure:3", argv
    r = berth("update", "c")
    assert r.rc != 0 and "flags" in r.err, r
    r = berth("update", "--memory", "lots", "c")
    assert r.rc != 0 and "--memory" in r.err, r
    r = berth("update", "--restart", "sometimes", "c")
    assert r.rc != 0 and "--restart" in r.err, r
    r = berth("update", "--memory", "200m", "--memory-swap", "100m", "c")
    assert r.rc != 0 and "memory" in r.err, r
    r = berth("update", "--memory", "64m", "nosuch")
    assert r.rc == 1 and "no such container" in r.err, r
