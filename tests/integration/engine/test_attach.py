# SPDX-License-Identifier: LGPL-2.1-or-later
"""berth attach: a terminal on a -dit container (typing, output, the detach keys leaving it
running), and pipes on a container without a tty (new output, its exit code)."""
import subprocess
import time

from engine_env import BERTH, IMAGE
from term import Term


def test_attach_tty_and_detach(berth):
    berth("run", "-dit", "--name", "shell", IMAGE, "sh", check=True)
    t = Term([BERTH, "attach", "shell"], berth.env)
    try:
        time.sleep(0.3)
        t.write(b"echo $((40+2))\n")
        t.expect("42")
        t.write(b"\x10\x11")  # ctrl-p ctrl-q
        assert t.wait() == 0
        assert "detached" not in t.buf.decode(), t.buf
    finally:
        t.close()
    ps = berth("ps", "--format", "{{.Names}} {{.State}}", check=True).out
    assert ps == "shell running\n", ps
    # attached again, the shell is the same one, and ends attach with its exit code
    t = Term([BERTH, "attach", "shell"], berth.env)
    try:
        time.sleep(0.3)
        t.write(b"exit 6\n")
        assert t.wait() == 6
    finally:
        t.close()


def test_attach_sees_new_output_and_exit_code(berth):
    berth("run", "-d", "--name", "ticker", IMAGE, "sh", "-c",
          "i=0; while [ $i -lt 25 ]; do echo line $i; i=$((i+1)); sleep 0.2; done; exit 3",
          check=True)
    time.sleep(1)
    p = berth.popen("attach", "ticker", stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    stdin=subprocess.DEVNULL, text=True)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 3, (out, err)
    lines = out.splitlines()
    assert lines and lines[-1] == "line 24", out
    # only what came after the attach: not the first line
    assert "line 0" not in lines, out
    nums = [int(l.split()[1]) for l in lines]
    assert nums == list(range(nums[0], 25)), out


def test_attach_needs_a_running_container(berth):
    berth("create", "--name", "idle", IMAGE, "true", check=True)
    r = berth("attach", "idle")
    assert r.rc == 1 and "not running" in r.err, r
    r = berth("attach", "--detach-keys", "ctrl-", "idle")
    assert r.rc != 0 and "--detach-keys" in r.err, r
