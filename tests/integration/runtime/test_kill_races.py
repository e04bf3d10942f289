# SPDX-License-Identifier: LGPL-2.1-or-later
"""A runtime killed with SIGKILL at any moment of run, create, exec or delete leaves nothing that
`list` does not show and `delete --force` does not remove: no process, cgroup, mount or state.

The delays are drawn from the range where the operation is actually in progress, measured on
this host first (a kill after the runtime has exited tests nothing). BERTH_KILL_SEED replays a
failed sequence."""
import json
import os
import random
import signal
import subprocess
import time

from runtime_env import RUNTIME, cgroup_leftovers, mount_leftovers

KILLS = 200
# create-join: an intermediate process joins an existing pid namespace and clones the init.
OPS = ("create", "create-join", "run", "exec", "delete")


def popen(b, *args):
    return subprocess.Popen([RUNTIME, "--root", b.root, *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=b.dir)


def timed(b, *args):
    t = time.monotonic()
    rc = popen(b, *args).wait(30)
    return rc, time.monotonic() - t


def read(path, mode="r"):
    try:
        with open(path, mode) as f:
            return f.read()
    except OSError:
        return b"" if "b" in mode else ""


def container_processes(b, cid):
    """Processes of ours or of container cid: a runtime, intermediate or init that has not
    executed the container's program yet (its command line names the state root), one whose
    root or cwd is in the bundle, or one in the container's cgroup."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        why = None
        if b.root.encode() in read(f"/proc/{pid}/cmdline", "rb"):
            why = "cmdline"
        for link in ("root", "cwd"):
            try:
                if os.readlink(f"/proc/{pid}/{link}").startswith(b.dir):
                    why = link
            except OSError:
                pass
        if f"/{cid}\n" in read(f"/proc/{pid}/cgroup"):
            why = "cgroup"
        if why:
            stat = read(f"/proc/{pid}/stat")
            if stat and stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X"):
                found.append((pid, why, read(f"/proc/{pid}/cmdline", "rb")[:120], stat[:80]))
    return found


def leftovers(b, cid):
    return {
        "processes": container_processes(b, cid),
        "cgroups": cgroup_leftovers(cid),
        "mounts": mount_leftovers(b.dir) + mount_leftovers(b.root),
        "state": os.path.exists(os.path.join(b.root, cid)),
    }


def assert_clean(b, cid, what):
    # Processes killed with their runtime may take a moment to be gone.
    deadline = time.monotonic() + 5
    while True:
        left = leftovers(b, cid)
        if not any(left.values()) or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not any(left.values()), f"{what}: left behind {left}"


def setup_running(b, cid):
    rc, _ = timed(b, "create", "--bundle", b.dir, cid)
    assert rc == 0
    rc, _ = timed(b, "start", cid)
    assert rc == 0


def other_bundle(b, name, spec):
    """A bundle beside b's with the same rootfs and another config."""
    d = os.path.join(b.dir, name)
    os.makedirs(d)
    os.symlink(b.rootfs, os.path.join(d, "rootfs"))
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(spec, f)
    return d


def test_sigkill_at_random_moments_leaves_nothing(bundle):
    # Its child is pid 1 of a pid namespace that create-join joins; it goes with the helper.
    helper = subprocess.Popen(["unshare", "--pid", "--fork", "--kill-child", "sleep", "1000"])
    try:
        kill_at_random_moments(bundle, helper)
    finally:
        helper.kill()
        helper.wait()


def kill_at_random_moments(b, helper):
    seed = int(os.environ.get("BERTH_KILL_SEED", time.time_ns() % 1000000))
    rnd = random.Random(seed)
    b.args("sleep", "100")
    b.write()
    run_cfg = other_bundle(b, "run", dict(b.spec, process=dict(b.spec["process"],
                                                                args=["true"])))
    # The pid namespace of the helper's child (its pid 1) to join.
    for _ in range(100):
        kids = read(f"/proc/{helper.pid}/task/{helper.pid}/children").split()
        if kids:
            break
        time.sleep(0.01)
    assert kids, "unshare --pid --fork started no child"
    linux = dict(b.spec["linux"], namespaces=[
        {"type": "pid", "path": f"/proc/{kids[0]}/ns/pid"} if ns["type"] == "pid" else ns
        for ns in b.spec["linux"]["namespaces"]])
    join_cfg = other_bundle(b, "join", dict(b.spec, linux=linux))

    # How long each operation takes here, unkilled.
    took = {op: [] for op in OPS}
    for _ in range(3):
        cid = b.new_id()
        rc, t = timed(b, "create", "--bundle", join_cfg, cid)
        assert rc == 0
        took["create-join"].append(t)
        assert timed(b, "delete", "--force", cid)[0] == 0
        cid = b.new_id()
        rc, t = timed(b, "create", "--bundle", b.dir, cid)
        assert rc == 0
        took["create"].append(t)
        assert timed(b, "start", cid)[0] == 0
        rc, t = timed(b, "exec", cid, "true")
        assert rc == 0
        took["exec"].append(t)
        rc, t = timed(b, "delete", "--force", cid)
        assert rc == 0
        took["delete"].append(t)
        cid = b.new_id()
        rc, t = timed(b, "run", "--bundle", run_cfg, cid)
        assert rc == 0
        took["run"].append(t)
        assert_clean(b, cid, "unkilled run")
    span = {op: max(sorted(t)[1], 0.002) for op, t in took.items()}

    start = time.monotonic()
    killed_running = 0
    for i in range(KILLS):
        op = rnd.choice(OPS)
        cid = b.new_id()
        if op in ("exec", "delete"):
            setup_running(b, cid)
        delay = rnd.uniform(0, span[op] * 0.9)
        if op == "create":
            p = popen(b, "create", "--bundle", b.dir, cid)
        elif op == "create-join":
            p = popen(b, "create", "--bundle", join_cfg, cid)
        elif op == "run":
            p = popen(b, "run", "--bundle", run_cfg, cid)
        elif op == "exec":
            p = popen(b, "exec", cid, "true")
        else:
            p = popen(b, "delete", "--force", cid)
        time.sleep(delay)
        if p.poll() is None:
            killed_running += 1
        p.send_signal(signal.SIGKILL)
        p.wait(30)
        what = f"seed {seed}, kill {i}: {op} killed after {delay * 1000:.1f} ms"
        # `list` finds whatever state is left, and `delete --force` removes it all.
        listed = subprocess.run([RUNTIME, "--root", b.root, "list", "-q"], capture_output=True,
                                text=True, timeout=30)
        assert listed.returncode == 0, f"{what}: list: {listed.stderr}"
        if os.path.isdir(os.path.join(b.root, cid)):
            assert cid in listed.stdout.split(), f"{what}: list does not show {cid}"
        rc = subprocess.run([RUNTIME, "--root", b.root, "delete", "--force", cid],
                            capture_output=True, text=True, timeout=30)
        assert rc.returncode == 0, f"{what}: delete --force: {rc.stderr}"
        assert_clean(b, cid, what)
    elapsed = time.monotonic() - start
    # Many kills (over 2 in 5) must land while the runtime runs, or the test tests little.
    assert killed_running > KILLS * 2 // 5, (killed_running, span)
    assert elapsed < 300, elapsed  # generous: the ASan build runs it too
