# SPDX-License-Identifier: LGPL-2.1-or-later
"""berth-init, `--init`'s PID 1, in a real container: it reaps the zombies the command leaves,
forwards signals (which an init without handlers would ignore), and exits as the command did."""
import os
import signal
import time

import pytest

from runtime_env import BUILD

INIT = os.path.join(BUILD, "src", "cmd", "berth-init", "berth-init")

pytestmark = pytest.mark.skipif(not os.path.exists(INIT),
                                reason="no berth-init in this build (sanitizer builds leave it out)")


def with_init(bundle, *argv):
    bundle.spec["mounts"].append({"destination": "/sbin/berth-init", "type": "bind",
                                  "source": INIT, "options": ["bind", "ro"]})
    bundle.args("/sbin/berth-init", "--", *argv)


def test_exit_code_and_zombies_reaped(bundle):
    # The orphaned `sleep 0` children become zombies of PID 1 until it reaps them.
    with_init(bundle, "sh", "-c",
              "for i in 1 2 3; do (sleep 0 &); done; sleep 0.5; "
              "ps -o stat= | grep -c Z; exit 7")
    r = bundle.run()
    assert r.rc == 7, r
    assert r.out.strip() == "0", r


def test_signals_reach_the_command(bundle):
    with_init(bundle, "sleep", "1000")
    bundle.write()
    cid, r = bundle.create()
    assert r.rc == 0, r
    bundle.rt("start", cid, check=True)
    # SIGTERM to PID 1: without berth-init, sleep as PID 1 would ignore it.
    bundle.rt("kill", cid, "TERM", check=True)
    deadline = time.time() + 10
    while time.time() < deadline:
        if bundle.state(cid)["status"] == "stopped":
            break
        time.sleep(0.05)
    assert bundle.state(cid)["status"] == "stopped"
    bundle.rt("delete", cid, check=True)


def test_command_not_found(bundle):
    with_init(bundle, "/no/such/command")
    r = bundle.run()
    assert r.rc == 127, r
    assert "berth-init: exec `/no/such/command`" in r.err, r


def test_usage(bundle):
    import subprocess
    r = subprocess.run([INIT], capture_output=True, text=True)
    assert r.returncode == 125 and "usage: berth-init" in r.stderr
    r = subprocess.run([INIT, "-x", "--", "true"], capture_output=True, text=True)
    assert r.returncode == 125
    r = subprocess.run([INIT, "--", "sh", "-c", "exit 3"], capture_output=True, text=True)
    assert r.returncode == 3
