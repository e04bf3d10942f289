# SPDX-License-Identifier: LGPL-2.1-or-later
"""Resource limits taking effect, and the cgroup verbs: pause, resume, update, ps, events.

The host is hybrid (v1 controllers, cgroup2 at /sys/fs/cgroup/unified); test_pure_v1_layout
re-runs limits in a private mount namespace without the unified hierarchy. The bundle fixture
checks that no /sys/fs/cgroup/*/berth/<id> is left behind.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest

from runtime_env import RUNTIME, wait_status

CG = "/sys/fs/cgroup"
MiB = 1 << 20


def cgfile(ctrl, cid, name):
    with open(os.path.join(CG, ctrl, "berth", cid, name)) as f:
        return f.read().strip()


def resources(b):
    return b.spec["linux"].setdefault("resources", {})


def running(b, *argv):
    """A started container running argv; returns its id."""
    cid, r = b.create(*argv)
    assert r.rc == 0, r
    b.rt("start", cid, check=True)
    return cid


def stopped(b):
    cid = running(b, "true")
    assert wait_status(b, cid, "stopped") == "stopped"
    return cid


COUNTER = "i=0; while true; do i=$((i+1)); echo $i > /shared/counter; sleep 0.02; done"


def share(b):
    """A host directory at /shared in the container (its root is read-only)."""
    d = os.path.join(os.path.dirname(b.dir), "shared")
    os.makedirs(d, exist_ok=True)
    b.spec["mounts"].append({"destination": "/shared", "type": "bind", "source": d,
                             "options": ["rbind", "rw"]})
    return d


def counter(b):
    try:
        with open(os.path.join(os.path.dirname(b.dir), "shared", "counter")) as f:
            return int(f.read().strip() or 0)
    except (OSError, ValueError):
        return None


def wait_counter(b, above, timeout=5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        c = counter(b)
        if c is not None and c > above:
            return c
        time.sleep(0.02)
    return counter(b)


def stats(b, cid):
    r = b.rt("events", "--stats", cid)
    assert r.rc == 0, r
    lines = r.out.splitlines()
    assert len(lines) == 1, r
    return json.loads(lines[0])


# ---- limits taking effect ----

def test_memory_limit_oom_kills_and_events_reports_it(bundle):
    resources(bundle)["memory"] = {"limit": 32 * MiB, "swap": 32 * MiB}
    cid, r = bundle.create("sh", "-c", 'x=$(head -c 200m /dev/zero | tr "\\0" a); echo survived')
    assert r.rc == 0, r
    assert int(cgfile("memory", cid, "memory.limit_in_bytes")) == 32 * MiB
    assert int(cgfile("memory", cid, "memory.memsw.limit_in_bytes")) == 32 * MiB
    ev = subprocess.Popen([RUNTIME, "--root", bundle.root, "events", "--interval", "100ms", cid],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(0.3)  # the OOM watch is registered before the hog starts
        bundle.rt("start", cid, check=True)
        out, err = ev.communicate(timeout=60)
    finally:
        if ev.poll() is None:
            ev.kill()
            ev.wait()
    assert ev.returncode == 0, err
    events = [json.loads(l) for l in out.splitlines()]
    assert {"type": "oom", "id": cid} in events, out[-2000:]
    assert any(e["type"] == "stats" and e["id"] == cid for e in events)
    assert wait_status(bundle, cid, "stopped") == "stopped"
    bundle.rt("delete", cid, check=True)


def test_events_oom_in_a_child_and_the_stream_goes_on(bundle):
    # The hog is a subshell: the OOM killer takes it, the container lives on, and the stream
    # keeps reporting stats until the container ends.
    resources(bundle)["memory"] = {"limit": 32 * MiB, "swap": 32 * MiB}
    # The hog volunteers as the OOM killer's victim, so the shell around it survives.
    cid, r = bundle.create("sh", "-c", "(echo 1000 > /proc/self/oom_score_adj; "
                           'x=$(head -c 200m /dev/zero | tr "\\0" a)); '
                           "echo hog-gone; sleep 2")
    assert r.rc == 0, r
    ev = subprocess.Popen([RUNTIME, "--root", bundle.root, "events", "--interval", "100ms", cid],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(0.3)
        bundle.rt("start", cid, check=True)
        out, err = ev.communicate(timeout=60)
    finally:
        if ev.poll() is None:
            ev.kill()
            ev.wait()
    assert ev.returncode == 0, err
    types = [json.loads(l)["type"] for l in out.splitlines()]
    assert "oom" in types, out[-2000:]
    # Stats go on after the OOM (every 100 ms for the 2 s the container lives on; a loaded
    # machine may deliver the OOM notification late, so only a few are required).
    after = types[types.index("oom") + 1:]
    assert after.count("stats") >= 2, types
    bundle.rt("delete", cid, check=True)


def test_pids_limit_stops_a_fork_bomb(bundle):
    resources(bundle)["pids"] = {"limit": 20}
    r = bundle.run("sh", "-c", "for i in $(seq 50); do sleep 5 & done; echo forked-all")
    assert "can't fork" in r.err + r.out, r
    assert "forked-all" not in r.out or "can't fork" in r.err, r


def test_cpu_quota_caps_usage(bundle):
    resources(bundle)["cpu"] = {"quota": 20000, "period": 100000}
    cid = running(bundle, "sh", "-c", "while :; do :; done")
    assert cgfile("cpu", cid, "cpu.cfs_quota_us") == "20000"
    assert cgfile("cpu", cid, "cpu.cfs_period_us") == "100000"
    time.sleep(0.3)
    s0, t0 = stats(bundle, cid)["data"]["cpu"], time.monotonic()
    time.sleep(1.0)
    s1, t1 = stats(bundle, cid)["data"]["cpu"], time.monotonic()
    used = (s1["usage"]["total"] - s0["usage"]["total"]) / 1e9 / (t1 - t0)
    assert 0.02 < used < 0.4, f"{used:.2f} CPUs with a 0.2 CPU quota"
    assert s1["throttling"]["throttledPeriods"] > s0["throttling"]["throttledPeriods"]
    # The same figure from the kernel's own counter.
    u0 = int(cgfile("cpuacct", cid, "cpuacct.usage"))
    time.sleep(0.5)
    u1 = int(cgfile("cpuacct", cid, "cpuacct.usage"))
    assert (u1 - u0) / 1e9 / 0.5 < 0.4
    bundle.rt("delete", "--force", cid, check=True)


def test_denied_device_cannot_be_opened(bundle):
    # /dev/fuse (c 10:229) is not among the devices every container gets, so the config's
    # rules alone decide; opening it needs no capability.
    bundle.spec["mounts"].append({"destination": "/dev/fuse", "type": "bind",
                                  "source": "/dev/fuse", "options": ["bind", "rw"]})
    probe = ("(exec 3</dev/fuse) && echo fuse-opened; "
             "head -c 1 /dev/zero >/dev/null && echo zero-ok")
    resources(bundle)["devices"] = [{"allow": True, "access": "rwm"}]
    r = bundle.run("sh", "-c", probe)
    assert "fuse-opened" in r.out and "zero-ok" in r.out, r

    resources(bundle)["devices"] = [
        {"allow": True, "access": "rwm"},
        {"allow": False, "type": "c", "major": 10, "minor": 229, "access": "rwm"},
    ]
    r = bundle.run("sh", "-c", probe)
    assert "fuse-opened" not in r.out and "zero-ok" in r.out, r
    assert "Operation not permitted" in r.err, r

    # Only "w" denied: reading still works, writing does not.
    resources(bundle)["devices"][1]["access"] = "w"
    r = bundle.run("sh", "-c", "(exec 3</dev/fuse) && echo read-ok; (exec 4>/dev/fuse) && echo w-ok")
    assert "read-ok" in r.out and "w-ok" not in r.out, r


def test_deny_all_keeps_kmsg_closed_and_empty_access_is_refused(bundle):
    """With a deny-all rule /dev/kmsg (c 1:11, bound from the host here) cannot be opened.
    An empty access, which Berth took as "rwm" (so an allow rule without one opened kmsg
    again), is refused with the field named, as runc does."""
    bundle.spec["mounts"].append({"destination": "/dev/kmsg", "type": "bind",
                                  "source": "/dev/kmsg", "options": ["bind", "rw"]})
    probe = "(exec 3>/dev/kmsg) 2>/dev/null && echo kmsg-writable; echo done"
    resources(bundle)["devices"] = [{"allow": False, "access": "rwm"}]
    r = bundle.run("sh", "-c", probe)
    assert r.rc == 0 and r.out == "done\n", r
    resources(bundle)["devices"].append({"allow": True, "type": "c", "major": 1, "minor": 11,
                                         "access": ""})
    cid, r = bundle.create("sh", "-c", probe)
    assert r.rc != 0 and "linux.resources.devices[1].access: must not be empty" in r.err, r
    assert not os.path.exists(os.path.join(bundle.root, cid))


def test_default_devices_stay_allowed_after_a_deny(bundle):
    # As in runc, the devices every container needs (null, zero, random, urandom, tty, ...)
    # are allowed after the config's rules, so a deny of /dev/urandom (c 1:9) does not stick.
    resources(bundle)["devices"] = [
        {"allow": True, "access": "rwm"},
        {"allow": False, "type": "c", "major": 1, "minor": 9, "access": "rwm"},
    ]
    r = bundle.run("sh", "-c", "head -c 1 /dev/urandom >/dev/null && echo urandom-ok")
    assert "urandom-ok" in r.out, r


def cgroup_lines(out):
    return [l for l in out.splitlines() if l.count(":") >= 2]


def test_hybrid_layout_mirrors_the_unified_hierarchy(bundle):
    # The control for test_pure_v1_layout: on the host as it is, the process also moves to
    # /berth/<id> on the cgroup2 hierarchy at /sys/fs/cgroup/unified.
    cid = bundle.new_id()
    bundle.args("cat", "/proc/self/cgroup")
    bundle.write()
    r = bundle.rt("run", "--bundle", bundle.dir, cid)
    assert r.rc == 0, r
    assert f"0::/berth/{cid}" in cgroup_lines(r.out), r


def rt_v1(b, *args, input=None):
    """The runtime in a private mount namespace without the unified hierarchy."""
    # Files, not pipes: a created container keeps its stdio open (see conftest.py).
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        cp = subprocess.run(["unshare", "-m", "sh", "-c",
                             f"umount {CG}/unified && exec \"$@\"", "sh", RUNTIME, "--root",
                             b.root, *args], stdout=out, stderr=err, text=True, timeout=60,
                            cwd=b.dir, input=input)
        out.seek(0)
        err.seek(0)
        cp.stdout, cp.stderr = out.read(), err.read()
    return cp


def test_pure_v1_layout(bundle):
    """pids and memory limits with /sys/fs/cgroup/unified unmounted: the pure v1 layout."""
    def run_v1(cid):
        bundle.write()
        return rt_v1(bundle, "run", "--bundle", bundle.dir, cid)

    resources(bundle)["pids"] = {"limit": 20}
    resources(bundle)["memory"] = {"limit": 32 * MiB, "swap": 32 * MiB}
    bundle.args("sh", "-c", "cat /proc/self/cgroup; "
                "for i in $(seq 50); do sleep 5 & done; echo forked-all")
    cid = bundle.new_id()
    cp = run_v1(cid)
    assert "can't fork" in cp.stderr + cp.stdout, cp
    lines = cgroup_lines(cp.stdout)
    assert any(l.endswith(f":/berth/{cid}") and "pids" in l for l in lines), cp.stdout
    # No unified mirror: the 0:: line is not the container's cgroup.
    assert f"0::/berth/{cid}" not in lines, cp.stdout

    bundle.args("sh", "-c", 'x=$(head -c 200m /dev/zero | tr "\\0" a); echo survived')
    cid = bundle.new_id()
    cp = run_v1(cid)
    assert cp.returncode == 128 + 9, cp
    assert "survived" not in cp.stdout


def test_pure_v1_verbs(bundle):
    resources(bundle)["pids"] = {"limit": 20}
    bundle.args("sh", "-c", "cat /proc/self/cgroup > /shared/cgroup; " + COUNTER)
    share(bundle)
    bundle.write()
    cid = bundle.new_id()
    cp = rt_v1(bundle, "create", "--bundle", bundle.dir, cid)
    assert cp.returncode == 0, cp
    assert rt_v1(bundle, "start", cid).returncode == 0
    assert wait_counter(bundle, 2) > 2
    with open(os.path.join(os.path.dirname(bundle.dir), "shared", "cgroup")) as f:
        assert f"0::/berth/{cid}" not in f.read().splitlines()

    cp = rt_v1(bundle, "pause", cid)
    assert cp.returncode == 0, cp
    assert json.loads(rt_v1(bundle, "state", cid).stdout)["status"] == "paused"
    c0 = counter(bundle)
    time.sleep(0.3)
    assert counter(bundle) == c0
    cp = rt_v1(bundle, "resume", cid)
    assert cp.returncode == 0, cp
    assert wait_counter(bundle, c0 + 2) > c0 + 2

    cp = rt_v1(bundle, "update", "--pids-limit", "25", "--memory", "70m", cid)
    assert cp.returncode == 0, cp
    assert cgfile("pids", cid, "pids.max") == "25"
    assert int(cgfile("memory", cid, "memory.limit_in_bytes")) == 70 * MiB
    cp = rt_v1(bundle, "ps", "-f", "json", cid)
    assert json.loads(rt_v1(bundle, "state", cid).stdout)["pid"] in json.loads(cp.stdout), cp
    cp = rt_v1(bundle, "events", "--stats", cid)
    assert json.loads(cp.stdout)["data"]["pids"]["limit"] == 25, cp
    cp = rt_v1(bundle, "delete", "--force", cid)
    assert cp.returncode == 0, cp


# ---- pause / resume ----

def test_pause_resume(bundle):
    share(bundle)
    cid = running(bundle, "sh", "-c", COUNTER)
    assert wait_counter(bundle, 3) > 3
    bundle.rt("pause", cid, check=True)
    assert bundle.state(cid)["status"] == "paused"
    assert cgfile("freezer", cid, "freezer.state") == "FROZEN"
    c0 = counter(bundle)
    time.sleep(0.4)
    assert counter(bundle) == c0, "the container made progress while paused"

    r = bundle.rt("pause", cid)
    assert r.rc != 0 and "already paused" in r.err, r
    # A paused container can still be inspected and updated.
    r = bundle.rt("ps", "-f", "json", cid, check=True)
    assert bundle.state(cid)["pid"] in json.loads(r.out)
    assert stats(bundle, cid)["data"]["cpu"]["usage"]["total"] > 0
    bundle.rt("update", "--pids-limit", "33", cid, check=True)
    assert cgfile("pids", cid, "pids.max") == "33"
    assert bundle.state(cid)["status"] == "paused"

    bundle.rt("resume", cid, check=True)
    assert bundle.state(cid)["status"] == "running"
    assert cgfile("freezer", cid, "freezer.state") == "THAWED"
    assert wait_counter(bundle, c0 + 3) > c0 + 3
    r = bundle.rt("resume", cid)
    assert r.rc != 0 and "not paused" in r.err, r

    # A paused container can be deleted by force.
    bundle.rt("pause", cid, check=True)
    bundle.rt("delete", "--force", cid, check=True)


@pytest.mark.parametrize("hierarchy,nested", [("freezer", False), ("freezer", True),
                                               ("unified", False), ("unified", True)])
def test_frozen_cgroup_is_refused(bundle, hierarchy, nested):
    """An existing cgroup whose freezer is FROZEN, or a new one under a frozen parent, would
    stop the init for good and `run -d` with it: refused at once, nothing left behind."""
    top = os.path.join(CG, hierarchy)
    if not os.path.isfile(os.path.join(top, "cgroup.procs")):
        pytest.skip(f"no {hierarchy} hierarchy")
    name = "berth-frozen-" + os.urandom(4).hex()
    frozen = os.path.join(top, name)
    os.mkdir(frozen)
    state = ("freezer.state", "FROZEN", "THAWED") if hierarchy == "freezer" else \
        ("cgroup.freeze", "1", "0")
    cid = None
    try:
        with open(os.path.join(frozen, state[0]), "w") as f:
            f.write(state[1])
        bundle.spec["linux"]["cgroupsPath"] = f"/{name}/c" if nested else f"/{name}"
        bundle.args("true")
        bundle.write()
        cid = bundle.new_id()
        r = bundle.rt("run", "--detach", "--bundle", bundle.dir, cid, timeout=20)
        assert r.rc != 0 and "is frozen" in r.err and frozen in r.err, r
        assert not os.path.exists(os.path.join(bundle.root, cid))
        made = [d for d in os.listdir(CG)
                if os.path.join(CG, d) != top and os.path.exists(os.path.join(CG, d, name))]
        assert not made, f"cgroups made for it were left behind on {made}"
        assert not os.path.exists(os.path.join(frozen, "c"))
    finally:
        with open(os.path.join(frozen, state[0]), "w") as f:
            f.write(state[2])
        if cid:
            bundle.rt("delete", "--force", cid)
        os.rmdir(frozen)


def test_pause_resume_errors(bundle):
    for verb in ("pause", "resume"):
        r = bundle.rt(verb, "nosuch")
        assert r.rc != 0 and "`nosuch` does not exist" in r.err, r
        r = bundle.rt(verb)
        assert r.rc != 0 and "container id is required" in r.err, r
    cid, r = bundle.create("sleep", "10")
    assert r.rc == 0, r
    r = bundle.rt("pause", cid)
    assert r.rc != 0 and "not running (it is created)" in r.err, r
    r = bundle.rt("resume", cid)
    assert r.rc != 0 and "not paused (it is created)" in r.err, r
    bundle.rt("delete", "--force", cid, check=True)
    cid = stopped(bundle)
    r = bundle.rt("pause", cid)
    assert r.rc != 0 and "not running (it is stopped)" in r.err, r
    r = bundle.rt("resume", cid)
    assert r.rc != 0 and "not paused (it is stopped)" in r.err, r
    bundle.rt("delete", cid, check=True)


# ---- update ----

def test_update_flags(bundle):
    resources(bundle)["memory"] = {"limit": 64 * MiB}
    resources(bundle)["pids"] = {"limit": 100}
    cid = running(bundle, "sleep", "60")
    assert int(cgfile("memory", cid, "memory.limit_in_bytes")) == 64 * MiB
    bundle.rt("update", "--memory", "100m", "--memory-swap", "200m", "--pids-limit", "30",
              "--cpu-quota", "50000", "--cpu-period", "200000", "--cpu-share", "512",
              "--memory-reservation", "10m", cid, check=True)
    assert int(cgfile("memory", cid, "memory.limit_in_bytes")) == 100 * MiB
    assert int(cgfile("memory", cid, "memory.memsw.limit_in_bytes")) == 200 * MiB
    assert int(cgfile("memory", cid, "memory.soft_limit_in_bytes")) == 10 * MiB
    assert cgfile("pids", cid, "pids.max") == "30"
    assert cgfile("cpu", cid, "cpu.cfs_quota_us") == "50000"
    assert cgfile("cpu", cid, "cpu.cfs_period_us") == "200000"
    assert cgfile("cpu", cid, "cpu.shares") == "512"
    # docker's spelling, and -1 for unlimited
    bundle.rt("update", "--cpu-shares", "256", "--pids-limit", "-1", cid, check=True)
    assert cgfile("cpu", cid, "cpu.shares") == "256"
    assert cgfile("pids", cid, "pids.max") == "max"
    cpus = cgfile("cpuset", cid, "cpuset.cpus")
    first = cpus.split(",")[0].split("-")[0]
    bundle.rt("update", "--cpuset-cpus", first, "--cpuset-mems", "0", cid, check=True)
    assert cgfile("cpuset", cid, "cpuset.cpus") == first
    assert cgfile("cpuset", cid, "cpuset.mems") == "0"
    assert bundle.state(cid)["status"] == "running"
    bundle.rt("delete", "--force", cid, check=True)


def test_update_resources_file_and_stdin(bundle, tmp_path):
    cid = running(bundle, "sleep", "60")
    f = tmp_path / "res.json"
    f.write_text(json.dumps({"memory": {"limit": 80 * MiB}, "pids": {"limit": 40},
                             "cpu": {"quota": 30000, "period": 100000}}))
    bundle.rt("update", "-r", str(f), cid, check=True)
    assert int(cgfile("memory", cid, "memory.limit_in_bytes")) == 80 * MiB
    assert cgfile("pids", cid, "pids.max") == "40"
    assert cgfile("cpu", cid, "cpu.cfs_quota_us") == "30000"
    bundle.rt("update", "--resources", "-", cid, check=True,
              input=json.dumps({"pids": {"limit": 41}}))
    assert cgfile("pids", cid, "pids.max") == "41"
    # As runc: with a resources file the flags are ignored (here with a warning).
    bundle.rt("update", "--memory", "90m", cid, check=True)
    r = bundle.rt("update", "--pids-limit", "42", "-r", str(f), cid, check=True)
    assert "--pids-limit is ignored" in r.err, r
    assert cgfile("pids", cid, "pids.max") == "40"
    assert int(cgfile("memory", cid, "memory.limit_in_bytes")) == 80 * MiB
    # Only what the file names changes.
    bundle.rt("update", "-r", "-", cid, check=True, input='{"pids": {"limit": 43}}')
    assert int(cgfile("memory", cid, "memory.limit_in_bytes")) == 80 * MiB
    bundle.rt("delete", "--force", cid, check=True)


def test_update_errors(bundle, tmp_path):
    r = bundle.rt("update", "--memory", "64m", "nosuch")
    assert r.rc != 0 and "`nosuch` does not exist" in r.err, r
    cid = running(bundle, "sleep", "60")
    for flag, value in (("--memory", "lots"), ("--pids-limit", "x1"), ("--cpu-quota", "1.5"),
                        ("--cpu-share", "-3"), ("--blkio-weight", "heavy")):
        r = bundle.rt("update", flag, value, cid)
        assert r.rc != 0, r
        assert f"`{value}`" in r.err and flag in r.err, r
    r = bundle.rt("update", "--no-such-flag", "1", cid)
    assert r.rc != 0 and "invalid option" in r.err, r
    r = bundle.rt("update", "-r", str(tmp_path / "missing.json"), cid)
    assert r.rc != 0 and "missing.json" in r.err, r
    bad = tmp_path / "bad.json"
    bad.write_text('{"memory": {"limit": "lots"}}')
    r = bundle.rt("update", "-r", str(bad), cid)
    assert r.rc != 0 and "resources.memory.limit" in r.err, r
    bad.write_text('{"memory": ')
    r = bundle.rt("update", "-r", str(bad), cid)
    assert r.rc != 0 and "malformed JSON" in r.err, r
    # A memory limit below what the container uses is refused by the kernel (v1: EBUSY).
    r = bundle.rt("update", "--memory", "4k", "--memory-swap", "4k", cid)
    assert r.rc != 0 and "memory" in r.err and "limit_in_bytes" in r.err, r
    # A value the kernel refuses names the controller, file and value.
    r = bundle.rt("update", "--cpu-period", "10", cid)
    assert r.rc != 0 and "cpu.cfs_period_us" in r.err and '"10"' in r.err, r
    bundle.rt("delete", "--force", cid, check=True)

    cid = stopped(bundle)
    r = bundle.rt("update", "--memory", "64m", cid)
    assert r.rc != 0 and "stopped" in r.err, r
    bundle.rt("delete", cid, check=True)


def test_engine_zero_values_are_unset(bundle):
    """Docker's create config (weight 0, shares 0, disableOOMKiller false) runs, and its
    `update` (through containerd: 0 for every limit not given) changes only what was given,
    as with runc."""
    resources(bundle).update({"memory": {"disableOOMKiller": False}, "cpu": {"shares": 0},
                              "blockIO": {"weight": 0}})
    cid = running(bundle, "sleep", "60")
    bundle.rt("update", "-r", "-", cid, check=True, input=json.dumps(
        {"memory": {"limit": 64 * MiB, "reservation": 0, "swap": 128 * MiB, "kernel": 0},
         "cpu": {"shares": 0, "quota": 0, "period": 0}, "blockIO": {"weight": 0}}))
    assert int(cgfile("memory", cid, "memory.limit_in_bytes")) == 64 * MiB
    soft = cgfile("memory", cid, "memory.soft_limit_in_bytes")
    bundle.rt("update", "-r", "-", cid, check=True, input=json.dumps(
        {"memory": {"limit": 0, "reservation": 0, "kernel": 0},
         "cpu": {"shares": 0, "quota": 150000, "period": 100000}, "blockIO": {"weight": 0}}))
    assert cgfile("cpu", cid, "cpu.cfs_quota_us") == "150000"
    assert int(cgfile("memory", cid, "memory.limit_in_bytes")) == 64 * MiB
    assert cgfile("memory", cid, "memory.soft_limit_in_bytes") == soft
    bundle.rt("update", "-r", "-", cid, check=True, input=json.dumps(
        {"memory": {"limit": 0, "reservation": 0, "kernel": 0},
         "cpu": {"shares": 0, "quota": 0, "period": 0}, "pids": {"limit": 50},
         "blockIO": {"weight": 0}}))
    assert cgfile("pids", cid, "pids.max") == "50"
    assert cgfile("cpu", cid, "cpu.cfs_quota_us") == "150000"
    assert cgfile("cpu", cid, "cpu.cfs_period_us") == "100000"
    assert int(cgfile("memory", cid, "memory.limit_in_bytes")) == 64 * MiB
    # A value really out of range is still an error naming the file.
    r = bundle.rt("update", "-r", "-", cid, input='{"blockIO": {"weight": 5}}')
    assert r.rc != 0 and "blkio" in r.err and "weight" in r.err, r
    bundle.rt("delete", "--force", cid, check=True)


# ---- rootless (issue 8 item 11) ----

ROOTLESS_UID = 1000


def rootless_bundle(rootfs_template, *argv, resources=None):
    """A bundle from `spec --rootless` that uid 1000 owns, in a directory it can reach."""
    d = tempfile.mkdtemp(prefix="berth-rootless-")
    os.chmod(d, 0o755)
    b = os.path.join(d, "bundle")
    os.makedirs(b)
    subprocess.run(["cp", "-a", rootfs_template, os.path.join(b, "rootfs")], check=True)
    subprocess.run(["chown", "-R", f"{ROOTLESS_UID}:{ROOTLESS_UID}", d], check=True)
    # As the user: the mappings map its own uid and gid to root.
    r = as_user("spec", "--rootless", "--bundle", b)
    assert r.returncode == 0, r
    with open(os.path.join(b, "config.json")) as f:
        spec = json.load(f)
    spec["process"]["args"] = list(argv)
    spec["process"]["terminal"] = False
    if resources:
        spec["linux"]["resources"] = resources
    with open(os.path.join(b, "config.json"), "w") as f:
        json.dump(spec, f)
    subprocess.run(["chown", "-R", f"{ROOTLESS_UID}:{ROOTLESS_UID}", d], check=True)
    return d, b


def as_user(*argv):
    return subprocess.run(["setpriv", "--reuid", str(ROOTLESS_UID), "--regid",
                           str(ROOTLESS_UID), "--clear-groups", "env", "XDG_RUNTIME_DIR=",
                           RUNTIME, *argv], capture_output=True, text=True, timeout=30)


def rootless_cleanup(d, cid):
    if os.path.isdir(os.path.join(d, "state", cid)):
        as_user("--root", os.path.join(d, "state"), "delete", "--force", cid)
    left = [p for p in (os.path.join(CG, h, "berth", cid) for h in os.listdir(CG))
            if os.path.isdir(p)]
    subprocess.run(["rm", "-rf", d])
    assert not left, left


@pytest.fixture
def rootless_host(rootfs_template):
    if not shutil.which("setpriv"):
        pytest.skip("setpriv (util-linux) is not installed")
    return rootfs_template


def test_rootless_limits_without_a_cgroup_are_a_clear_error(rootless_host):
    """Rootless on v1/hybrid, where the user cannot make cgroups: limits are refused with a
    reason (runc: "cannot set memory limit: container could not join or create cgroup")."""
    d, b = rootless_bundle(rootless_host, "echo", "hi",
                           resources={"memory": {"limit": 64 * MiB}})
    try:
        r = as_user("--root", os.path.join(d, "state"), "run", "--bundle", b, "rl1")
        assert r.returncode != 0, r
        assert "rootless container `rl1`: linux.resources asks for limits" in r.stderr, r
        assert "Permission denied" in r.stderr, r
    finally:
        rootless_cleanup(d, "rl1")


def test_rootless_echo_hi(rootless_host):
    """`spec --rootless` run by uid 1000 on a v1/hybrid host: no cgroup can be made, none is
    asked for, so the container runs without one (as with runc); its user namespace maps
    the user to root."""
    d, b = rootless_bundle(rootless_host, "sh", "-c", "echo hi; id -u; "
                           "cat /proc/self/uid_map")
    try:
        r = as_user("--root", os.path.join(d, "state"), "run", "--bundle", b, "rl2")
        assert r.returncode == 0, r
        assert r.stdout.split() == ["hi", "0", "0", str(ROOTLESS_UID), "1"], r
        # detached, with the verbs that need no cgroup
        r = as_user("--root", os.path.join(d, "state"), "run", "--detach", "--bundle", b,
                    "rl3")
        assert r.returncode == 0, r
        r = as_user("--root", os.path.join(d, "state"), "state", "rl3")
        assert r.returncode == 0 and json.loads(r.stdout)["status"] in ("running", "stopped"), r
        r = as_user("--root", os.path.join(d, "state"), "delete", "--force", "rl3")
        assert r.returncode == 0, r
    finally:
        rootless_cleanup(d, "rl2")


# ---- ps ----

def test_ps(bundle):
    cid = running(bundle, "sh", "-c", "sleep 60 & sleep 61; wait")
    init = bundle.state(cid)["pid"]
    deadline = time.time() + 5
    while time.time() < deadline:
        r = bundle.rt("ps", "-f", "json", cid)
        assert r.rc == 0, r
        pids = json.loads(r.out)
        if len(pids) == 3:
            break
        time.sleep(0.05)
    assert init in pids and len(pids) == 3, pids
    r = bundle.rt("ps", "--format", "json", cid, check=True)
    assert sorted(json.loads(r.out)) == sorted(pids)

    r = bundle.rt("ps", cid, check=True)
    lines = r.out.splitlines()
    assert "PID" in lines[0].split() and "CMD" in lines[0].split(), r
    shown = {int(l.split()[1]) for l in lines[1:]}
    assert shown == set(pids), r.out
    assert sum(l.endswith(("sleep 60", "sleep 61")) for l in lines) == 2, r.out

    r = bundle.rt("ps", cid, "-o", "comm,pid", check=True)
    lines = r.out.splitlines()
    assert lines[0].split() == ["COMMAND", "PID"], r
    assert {int(l.split()[1]) for l in lines[1:]} == set(pids), r.out
    r = bundle.rt("ps", cid, "--", "-o", "pid,comm", check=True)
    assert {int(l.split()[0]) for l in r.out.splitlines()[1:]} == set(pids), r.out
    bundle.rt("delete", "--force", cid, check=True)


def test_ps_errors(bundle):
    r = bundle.rt("ps", "nosuch")
    assert r.rc != 0 and "`nosuch` does not exist" in r.err, r
    cid = running(bundle, "sleep", "60")
    r = bundle.rt("ps", "-f", "xml", cid)
    assert r.rc != 0 and 'invalid format "xml"' in r.err, r
    r = bundle.rt("ps", cid, "-o", "comm")
    assert r.rc != 0 and "couldn't find PID field" in r.err, r
    r = bundle.rt("ps", cid, "--no-such-ps-option")
    assert r.rc != 0 and "ps failed" in r.err, r
    bundle.rt("delete", "--force", cid, check=True)
    cid = stopped(bundle)
    # As runc: a stopped container has no processes left, which is not an error.
    r = bundle.rt("ps", "-f", "json", cid, check=True)
    assert json.loads(r.out) == [], r
    r = bundle.rt("ps", cid, check=True)
    assert r.out.splitlines()[0].split()[:2] == ["UID", "PID"] and len(r.out.splitlines()) == 1
    bundle.rt("delete", cid, check=True)


def test_ps_shows_what_outlives_an_init_without_pid_namespace(bundle):
    bundle.spec["linux"]["namespaces"] = [n for n in bundle.spec["linux"]["namespaces"]
                                          if n["type"] != "pid"]
    cid = running(bundle, "sh", "-c", "sleep 30 & exit 0")
    assert wait_status(bundle, cid, "stopped") == "stopped"
    r = bundle.rt("ps", "-f", "json", cid, check=True)
    pids = json.loads(r.out)
    assert len(pids) == 1, r
    with open(f"/proc/{pids[0]}/cmdline", "rb") as f:
        assert f.read().split(b"\0")[:2] == [b"sleep", b"30"]
    r = bundle.rt("delete", cid)
    assert r.rc == 0, r
    assert not os.path.exists(f"/proc/{pids[0]}/cmdline") or wait_gone(pids[0])


def wait_gone(pid, timeout=5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(") ")[1].startswith("Z"):
                    return True
        except OSError:
            return True
        time.sleep(0.02)
    return False


# ---- events ----

def test_events_stats(bundle):
    resources(bundle)["memory"] = {"limit": 64 * MiB}
    resources(bundle)["pids"] = {"limit": 50}
    cid = running(bundle, "sh", "-c", "sleep 60 & sleep 61; wait")
    time.sleep(0.2)
    e = stats(bundle, cid)
    assert e["type"] == "stats" and e["id"] == cid
    d = e["data"]
    assert d["cpu"]["usage"]["total"] > 0
    assert d["memory"]["usage"]["limit"] == 64 * MiB
    assert d["memory"]["usage"]["usage"] > 0
    assert d["pids"]["current"] == 3 and d["pids"]["limit"] == 50
    bundle.rt("delete", "--force", cid, check=True)


def test_events_stream_ends_with_the_container(bundle):
    cid = running(bundle, "sleep", "1")
    t0 = time.monotonic()
    r = bundle.rt("events", "--interval", "200ms", cid, timeout=20)
    took = time.monotonic() - t0
    assert r.rc == 0, r
    events = [json.loads(l) for l in r.out.splitlines()]
    assert 2 <= len(events) <= 6, r.out
    assert all(e["type"] == "stats" and e["id"] == cid and "cpu" in e["data"] for e in events)
    assert took < 3, f"events ended {took:.1f}s after start, the container lived 1s"
    bundle.rt("delete", cid, check=True)


def test_events_errors(bundle):
    r = bundle.rt("events", "--stats", "nosuch")
    assert r.rc != 0 and "`nosuch` does not exist" in r.err, r
    cid = running(bundle, "sleep", "60")
    for bad in ("5", "abc", "1x", "-1s"):
        r = bundle.rt("events", "--interval", bad, cid)
        assert r.rc != 0 and f'"{bad}"' in r.err and "--interval" in r.err, r
    r = bundle.rt("events", "--interval", "0s", cid)
    assert r.rc != 0 and "greater than 0" in r.err, r
    bundle.rt("delete", "--force", cid, check=True)
    cid = stopped(bundle)
    for args in (("--stats",), ("--interval", "1s")):
        r = bundle.rt("events", *args, cid)
        assert r.rc != 0 and "not running" in r.err, r
    bundle.rt("delete", cid, check=True)


def test_features_cgroup(bundle):
    r = bundle.rt("features", check=True)
    cg = json.loads(r.out)["linux"]["cgroup"]
    assert cg["v1"] is True and cg["v2"] is True and cg["systemd"] is False
    assert cg["rdma"] == os.path.isdir(os.path.join(CG, "rdma"))


@pytest.mark.skipif(not os.path.exists(os.path.join(CG, "cpu", "cpu.rt_runtime_us")),
                    reason="no v1 cpu controller with RT group scheduling")
def test_realtime_runtime_below_the_default_parent(bundle):
    """/berth starts with no realtime time of its own: Berth gives it what the container asks
    for, so cpu.realtimeRuntime lands and SCHED_FIFO works; without it the error says what the
    container lacks."""
    resources(bundle)["cpu"] = {"realtimeRuntime": 20000, "realtimePeriod": 1000000}
    caps = bundle.spec["process"]["capabilities"]
    for k in ("bounding", "effective", "permitted"):
        caps[k].append("CAP_SYS_NICE")
    bundle.spec["process"]["scheduler"] = {"policy": "SCHED_FIFO", "priority": 10}
    r = bundle.run("sh", "-c", "cat /sys/fs/cgroup/cpu/cpu.rt_runtime_us; "
                   "cut -d' ' -f41 /proc/self/stat")
    assert r.rc == 0, r
    assert r.out.split() == ["20000", "1"], r  # the runtime, and policy 1 = SCHED_FIFO
    # A second one beside a running first: /berth makes room for both.
    cid = running(bundle, "sleep", "30")
    assert cgfile("cpu", cid, "cpu.rt_runtime_us") == "20000"
    r = bundle.run("cat", "/sys/fs/cgroup/cpu/cpu.rt_runtime_us")
    assert r.rc == 0 and r.out.strip() == "20000", r
    with open(os.path.join(CG, "cpu", "berth", "cpu.rt_runtime_us")) as f:
        assert int(f.read()) >= 40000
    bundle.rt("delete", "--force", cid, check=True)
    # More than a period can hold is refused with the file and value named.
    resources(bundle)["cpu"] = {"realtimeRuntime": 2000000}
    del bundle.spec["process"]["scheduler"]
    r = bundle.run("true")
    assert r.rc != 0 and "cpu.rt_runtime_us" in r.err, r
    # SCHED_FIFO without realtime time: the kernel refuses, the error says why.
    del resources(bundle)["cpu"]
    bundle.spec["process"]["scheduler"] = {"policy": "SCHED_FIFO", "priority": 10}
    r = bundle.run("true")
    assert r.rc != 0 and "realtimeRuntime" in r.err, r
