# SPDX-License-Identifier: LGPL-2.1-or-later
"""Many containers at once and many in a row leave nothing behind: no row, directory, mount,
cgroup, shim or container process (counted before and after). Without a network: the network's
own leaks are counted by tests/integration/network/test_network_leaks.py."""
import os
import sqlite3
import threading

from engine_env import IMAGE, shim_pids
from runtime_env import CGROUP_ROOT

CYCLES = int(os.environ.get("BERTH_TEST_CYCLES", "1000"))


def berth_cgroups():
    found = []
    for ctrl in os.listdir(CGROUP_ROOT):
        d = os.path.join(CGROUP_ROOT, ctrl, "berth")
        if os.path.isdir(d):
            found += [os.path.join(d, e) for e in os.listdir(d)
                      if os.path.isdir(os.path.join(d, e))]
    return found


def counts(berth):
    db = os.path.join(berth.root, "berth.db")
    rows = 0
    if os.path.exists(db):
        with sqlite3.connect(db) as c:
            rows = c.execute("SELECT count(*) FROM containers").fetchone()[0]
    cdir = os.path.join(berth.root, "containers")
    sdir = os.path.join(berth.run_dir, "containers")
    rdir = os.path.join(berth.run_dir, "runtime")
    with open("/proc/self/mountinfo") as f:
        mounts = sum(1 for l in f if berth.root in l)
    return {
        "rows": rows,
        "dirs": len(os.listdir(cdir)) if os.path.isdir(cdir) else 0,
        "shim state": len(os.listdir(sdir)) if os.path.isdir(sdir) else 0,
        "runtime state": len(os.listdir(rdir)) if os.path.isdir(rdir) else 0,
        "mounts": mounts,
        "shims": len(shim_pids(berth.run_dir)),
        # our cgroups only: other tests' may come and go on a shared machine
        "cgroups": len([c for c in berth_cgroups() if os.path.basename(c) in ids_seen]),
    }


ids_seen = set()


def test_concurrent_run_and_rm(berth):
    berth("run", "--rm", IMAGE, "true", check=True)  # the built-in image, loaded once
    before = counts(berth)
    errors = []

    def loop(i):
        for k in range(5):
            r = berth("run", "-d", "--network", "none", "--name", f"c{i}-{k}", IMAGE, "sleep",
                      "100")
            if r.rc != 0:
                errors.append(r)
                continue
            ids_seen.add(r.out.strip())
            r = berth("rm", "-f", f"c{i}-{k}")
            if r.rc != 0:
                errors.append(r)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert counts(berth) == before


def test_many_run_rm_cycles(berth):
    berth("run", "--rm", IMAGE, "true", check=True)
    before = counts(berth)
    for i in range(CYCLES):
        r = berth("run", "--rm", "--network", "none", IMAGE, "true")
        assert r.rc == 0, (i, r)
    assert counts(berth) == before


def test_shim_keeps_no_fd_of_its_clients(berth):
    import socket
    cid = berth("run", "-d", IMAGE, "sleep", "1000", check=True).out.strip()
    shim = shim_pids(berth.run_dir)[0]
    fds = lambda: len(os.listdir(f"/proc/{shim}/fd"))
    before = fds()
    sock = os.path.join(berth.run_dir, "containers", cid, "attach.sock")
    for _ in range(50):
        s = socket.socket(socket.AF_UNIX)
        s.connect(sock)
        s.close()
    berth.wait_for(lambda: fds() == before, timeout=5, what="the shim to close its clients")


def test_killed_commands_are_repaired(berth):
    """berth run -d killed with SIGKILL at points through its work: the next commands show
    the container as it got, and remove it entirely."""
    import signal
    import subprocess
    import time
    berth("run", "--rm", IMAGE, "true", check=True)
    before = counts(berth)
    for delay in (0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.12, 0.2):
        p = berth.popen("run", "-d", IMAGE, "sleep", "100", stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        r = berth("ps", "-a", "-q", "--no-trunc")
        assert r.rc == 0, r
        for cid in r.out.split():
            ids_seen.add(cid)
            rm = berth("rm", "-f", cid)
            assert rm.rc == 0, (delay, rm)
    berth("ps", "-a", check=True)  # repairs what a command in the middle of removing left
    assert counts(berth) == before
