# SPDX-License-Identifier: LGPL-2.1-or-later
"""create / start / run / state / kill / delete / list on real containers."""
import json
import os
import signal
import subprocess
import time

import pytest

from runtime_env import RUNTIME, wait_status


def test_run_prints_and_returns_status(bundle):
    r = bundle.run("echo", "hello from berth")
    assert r.rc == 0, r
    assert r.out == "hello from berth\n"
    r = bundle.run("sh", "-c", "exit 3")
    assert r.rc == 3, r


def test_run_killed_by_signal_is_128_plus_signal(bundle):
    # Without a pid namespace the shell is not an init, which ignores its own SIGKILL.
    bundle.spec["linux"]["namespaces"] = [n for n in bundle.spec["linux"]["namespaces"]
                                          if n["type"] != "pid"]
    r = bundle.run("sh", "-c", "kill -9 $$")
    assert r.rc == 128 + 9, r


def test_run_forwards_signals(bundle, tmp_path):
    bundle.args("sh", "-c", "trap 'echo got-term; exit 7' TERM; while true; do sleep 0.05; done")
    bundle.write()
    cid = bundle.new_id()
    p = subprocess.Popen([RUNTIME, "--root", bundle.root, "run", "--bundle",
                          bundle.dir, cid], stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    out, _ = p.communicate(timeout=10)
    assert p.returncode == 7
    assert "got-term" in out


def test_create_holds_process_until_start(bundle, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    bundle.spec["mounts"].append({"destination": "/shared", "type": "bind",
                                  "source": str(shared), "options": ["rbind", "rw"]})
    cid, r = bundle.create("sh", "-c", "echo started > /shared/flag; sleep 30")
    assert r.rc == 0, r
    st = bundle.state(cid)
    assert st["status"] == "created"
    assert st["pid"] > 0
    assert st["id"] == cid and st["bundle"] == bundle.dir and st["ociVersion"]
    time.sleep(0.3)
    assert not (shared / "flag").exists(), "the process ran before start"
    bundle.rt("start", cid, check=True)
    assert bundle.state(cid)["status"] == "running"
    for _ in range(100):
        if (shared / "flag").exists():
            break
        time.sleep(0.02)
    assert (shared / "flag").read_text() == "started\n"
    r = bundle.rt("start", cid)
    assert r.rc != 0 and "not created" in r.err
    bundle.rt("kill", cid, "KILL", check=True)
    assert wait_status(bundle, cid, "stopped") == "stopped"
    bundle.rt("delete", cid, check=True)
    assert not os.path.exists(os.path.join(bundle.root, cid))


def init_fds(pid):
    """What each fd of process pid is: its target, and for a socket whether it listens on
    exec.sock."""
    listening = {}
    with open("/proc/net/unix") as f:
        for line in f.readlines()[1:]:
            cols = line.split()
            if len(cols) >= 8:
                listening[cols[6]] = cols[3] == "00010000" and cols[7].endswith("/exec.sock")
    fds = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        target = os.readlink(f"/proc/{pid}/fd/{fd}")
        if target.startswith("socket:["):
            target = "exec.sock" if listening.get(target[8:-1]) else target
        fds[int(fd)] = target
    return fds


@pytest.mark.parametrize("path", ["exec-stub", "runtime-copy"])
def test_created_init_holds_nothing_of_the_runtime(bundle, tmp_path, path):
    """Its stdio, the preserved fd, exec.sock and (on the exec stub's path) the stub: nothing
    of the runtime's such as the state directory, the state root, the cgroup or either end of
    the sync socket."""
    if path == "runtime-copy":  # CAP_SYS_PTRACE makes the init execute a copy of the runtime
        bundle.spec["process"]["capabilities"]["bounding"].append("CAP_SYS_PTRACE")
    bundle.args("sleep", "30")
    bundle.write()
    kept = tmp_path / "kept"
    kept.write_text("")
    cid = bundle.new_id()
    fd = os.open(kept, os.O_RDONLY)
    try:
        subprocess.run([RUNTIME, "--root", bundle.root, "create", "--bundle", bundle.dir,
                        "--preserve-fds", "1", cid], check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, pass_fds=(3,), timeout=30,
                       preexec_fn=lambda: os.dup2(fd, 3))
    finally:
        os.close(fd)
    try:
        fds = init_fds(bundle.state(cid)["pid"])
    finally:
        bundle.rt("delete", "--force", cid, check=True)
    want = ["exec.sock"] + (["/memfd:berth-exec-stub (deleted)"] if path == "exec-stub" else [])
    assert fds.get(3) == str(kept) and set(fds) >= {0, 1, 2}, fds
    assert sorted(v for k, v in fds.items() if k > 3) == sorted(want), fds


def test_stopped_after_process_exits_on_its_own(bundle):
    cid, r = bundle.create("true")
    assert r.rc == 0, r
    bundle.rt("start", cid, check=True)
    assert wait_status(bundle, cid, "stopped") == "stopped"
    assert bundle.state(cid)["pid"] == 0
    r = bundle.rt("kill", cid)
    assert r.rc != 0 and "not running" in r.err
    bundle.rt("delete", cid, check=True)


def test_kill_signal_names_and_numbers(bundle):
    for sig in ("TERM", "SIGTERM", "15", "KILL", "9", "SIGKILL"):
        cid, r = bundle.create("sleep", "30")
        assert r.rc == 0, r
        bundle.rt("start", cid, check=True)
        # busybox sleep as pid 1 has no handler for TERM: the kernel drops it, as for runc.
        r = bundle.rt("kill", cid, sig)
        assert r.rc == 0, r
        if sig in ("KILL", "9", "SIGKILL"):
            assert wait_status(bundle, cid, "stopped") == "stopped"
        bundle.rt("delete", "--force", cid, check=True)
    cid, r = bundle.create("sleep", "30")
    r = bundle.rt("kill", cid, "NOSUCHSIG")
    assert r.rc != 0 and "unknown signal" in r.err
    bundle.rt("delete", "--force", cid, check=True)


def test_kill_trapped_signal_reaches_process(bundle, tmp_path):
    shared = tmp_path / "s"
    shared.mkdir()
    bundle.spec["mounts"].append({"destination": "/s", "type": "bind", "source": str(shared),
                                  "options": ["bind"]})
    cid, r = bundle.create("sh", "-c", "trap 'echo usr1 > /s/got; exit 0' USR1; "
                           "while true; do sleep 0.05; done")
    bundle.rt("start", cid, check=True)
    time.sleep(0.3)
    bundle.rt("kill", cid, "USR1", check=True)
    assert wait_status(bundle, cid, "stopped") == "stopped"
    assert (shared / "got").read_text() == "usr1\n"
    bundle.rt("delete", cid, check=True)


def test_kill_all(bundle):
    cid, r = bundle.create("sh", "-c", "sleep 30 & sleep 30 & wait")
    bundle.rt("start", cid, check=True)
    time.sleep(0.2)
    bundle.rt("kill", "--all", cid, "KILL", check=True)
    assert wait_status(bundle, cid, "stopped") == "stopped"
    bundle.rt("delete", cid, check=True)


def test_delete_running_needs_force(bundle):
    cid, r = bundle.create("sleep", "30")
    bundle.rt("start", cid, check=True)
    r = bundle.rt("delete", cid)
    assert r.rc != 0 and "running" in r.err
    bundle.rt("delete", "--force", cid, check=True)
    r = bundle.rt("state", cid)
    assert r.rc != 0 and "does not exist" in r.err
    # runc: deleting what does not exist is an error, with --force it is not.
    assert bundle.rt("delete", cid).rc != 0
    assert bundle.rt("delete", "--force", cid).rc == 0


def test_delete_created_container(bundle):
    cid, r = bundle.create("sleep", "30")
    st = bundle.state(cid)
    bundle.rt("delete", cid, check=True)
    assert not os.path.exists(f"/proc/{st['pid']}/stat") or \
        open(f"/proc/{st['pid']}/stat").read().split(") ")[1][0] in "ZX"


def test_run_detach_and_keep(bundle):
    bundle.args("sleep", "30")
    bundle.write()
    cid = bundle.new_id()
    r = bundle.rt("run", "--detach", "--bundle", bundle.dir, cid)
    assert r.rc == 0, r
    assert bundle.state(cid)["status"] == "running"
    bundle.rt("delete", "--force", cid, check=True)

    bundle.args("true")
    bundle.write()
    cid = bundle.new_id()
    r = bundle.rt("run", "--keep", "--bundle", bundle.dir, cid)
    assert r.rc == 0, r
    assert bundle.state(cid)["status"] == "stopped"
    bundle.rt("delete", cid, check=True)


def test_list_formats(bundle):
    a, _ = bundle.create("sleep", "30")
    b, _ = bundle.create("sleep", "30")
    bundle.rt("start", b, check=True)
    q = bundle.rt("list", "-q", check=True).out.split()
    assert sorted(q) == sorted([a, b])
    js = json.loads(bundle.rt("list", "--format", "json", check=True).out)
    by_id = {c["id"]: c for c in js}
    assert by_id[a]["status"] == "created" and by_id[b]["status"] == "running"
    table = bundle.rt("list", check=True).out.splitlines()
    assert table[0].split()[:3] == ["ID", "PID", "STATUS"]
    assert bundle.rt("list", "--format", "yaml").rc != 0
    for c in (a, b):
        bundle.rt("delete", "--force", c, check=True)


def test_list_and_delete_find_a_create_killed_before_any_state(bundle):
    """A state directory with no state.json (a create killed right after making it) is
    listed, and delete --force removes it."""
    cid = bundle.new_id()
    os.makedirs(os.path.join(bundle.root, cid))
    with open(os.path.join(bundle.root, cid, "config.json"), "w") as f:
        json.dump(bundle.spec, f)
    assert cid in bundle.rt("list", "-q", check=True).out.split()
    js = json.loads(bundle.rt("list", "--format", "json", check=True).out)
    assert [(c["id"], c["status"], c["pid"]) for c in js] == [(cid, "creating", 0)]
    assert cid in bundle.rt("list", check=True).out
    bundle.rt("delete", "--force", cid, check=True)
    assert not os.path.exists(os.path.join(bundle.root, cid))


def test_pid_file(bundle, tmp_path):
    pidfile = tmp_path / "pid"
    cid, r = bundle.create("sleep", "30", extra=("--pid-file", str(pidfile)))
    assert r.rc == 0, r
    assert int(pidfile.read_text()) == bundle.state(cid)["pid"]
    bundle.rt("delete", "--force", cid, check=True)


def test_annotations_in_state(bundle):
    bundle.spec["annotations"] = {"org.example.key": "value"}
    cid, r = bundle.create("sleep", "30")
    assert bundle.state(cid)["annotations"] == {"org.example.key": "value"}
    bundle.rt("delete", "--force", cid, check=True)
