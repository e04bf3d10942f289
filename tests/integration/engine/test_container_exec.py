# SPDX-License-Identifier: LGPL-2.1-or-later
"""berth exec: docker's exit codes (the process's, 126 and 127 when it cannot be run or found,
1 when the container is not running), -e, --env-file, -u, -w, -i, -d, --privileged, and -t
on a real pseudo-terminal (the tty, its size at the start and after a resize)."""
import re
import time

from engine_env import BERTH, IMAGE
from term import Term


def running(berth, name="box"):
    berth("run", "-d", "--name", name, IMAGE, "sleep", "2000", check=True)
    return name


def test_exit_codes(berth):
    running(berth)
    r = berth("exec", "box", "sh", "-c", "echo out; echo err >&2; exit 3")
    assert (r.rc, r.out, r.err) == (3, "out\n", "err\n"), r
    r = berth("exec", "box", "sh", "-c", "exit 255")
    assert r.rc == 255 and r.err == "", r
    r = berth("exec", "box", "no-such-command")
    assert r.rc == 127 and "no-such-command" in r.err, r
    r = berth("exec", "box", "/no/such/file")
    assert r.rc == 127 and "/no/such/file" in r.err, r
    r = berth("exec", "box", "/etc/passwd")
    assert r.rc == 126 and "/etc/passwd" in r.err, r
    r = berth("exec", "no-such-box", "true")
    assert r.rc == 1 and "no-such-box" in r.err, r
    r = berth("exec", "--no-such-flag", "box", "true")
    assert r.rc == 125, r
    r = berth("exec", "box")
    assert r.rc == 1 and "COMMAND" in r.err, r


def test_env_user_workdir(berth, tmp_path):
    running(berth)
    r = berth("exec", "box", "sh", "-c", "echo $HOSTNAME $HOME $PWD; id -u")
    assert r.rc == 0, r
    host, home, pwd, uid = r.out.split()
    assert (home, pwd, uid) == ("/root", "/", "0"), r
    envf = tmp_path / "env"
    envf.write_text("# a comment\nFROM_FILE=yes\n")
    r = berth("exec", "-e", "A=1", "-e", "HOSTNAME=over", "--env-file", str(envf), "box",
              "sh", "-c", "echo $A $HOSTNAME $FROM_FILE")
    assert r.out == "1 over yes\n", r
    r = berth("exec", "-u", "nobody", "-w", "/tmp", "box", "sh", "-c",
              "id -u; id -g; pwd; echo $HOME")
    assert r.rc == 0 and r.out.split() == ["65534", "65534", "/tmp", "/nonexistent"], r
    r = berth("exec", "-u", "1234:99", "box", "sh", "-c", "echo $(id -u):$(id -g)")
    assert r.out == "1234:99\n", r
    r = berth("exec", "-u", "no-such-user", "box", "true")
    assert r.rc != 0 and "no-such-user" in r.err, r
    r = berth("exec", "-w", "relative", "box", "true")
    assert r.rc != 0 and "relative" in r.err, r


def test_stdin_only_with_i(berth):
    running(berth)
    r = berth("exec", "-i", "box", "tr", "a-z", "A-Z", input="piped\n")
    assert r.rc == 0 and r.out == "PIPED\n", r
    # without -i the process reads an empty stdin
    r = berth("exec", "box", "cat", input="ignored\n")
    assert r.rc == 0 and r.out == "", r


def test_detach_leaves_the_process_running(berth):
    running(berth)
    r = berth("exec", "-d", "box", "sleep", "1234")
    assert r.rc == 0 and r.out == "" and r.err == "", r
    ps = berth("exec", "box", "ps", "-o", "args", check=True).out
    assert "sleep 1234" in ps, ps
    r = berth("exec", "-d", "box", "no-such-command")
    assert r.rc == 127 and "no-such-command" in r.err, r


def capeff(out):
    m = re.search(r"CapEff:\s*([0-9a-f]+)", out)
    assert m, out
    return int(m.group(1), 16)


def test_privileged_has_every_capability(berth):
    running(berth)
    plain = capeff(berth("exec", "box", "cat", "/proc/self/status", check=True).out)
    priv = capeff(berth("exec", "--privileged", "box", "cat", "/proc/self/status", check=True).out)
    with open("/proc/self/status") as f:
        ours = int(re.search(r"CapBnd:\s*([0-9a-f]+)", f.read()).group(1), 16)
    # every capability this host lets us give, and more than the default set
    assert priv == ours, (hex(priv), hex(ours))
    assert priv & plain == plain and priv != plain, (hex(priv), hex(plain))


def test_not_running(berth):
    berth("create", "--name", "idle", IMAGE, "sleep", "100", check=True)
    r = berth("exec", "idle", "true")
    assert r.rc == 1 and "container `idle` is not running" in r.err, r
    berth("run", "--name", "done", IMAGE, "true", check=True)
    r = berth("exec", "done", "true")
    assert r.rc == 1 and "container `done` is not running" in r.err, r


def test_tty(berth):
    running(berth)
    t = Term([BERTH, "exec", "-t", "box", "tty"], berth.env)
    out = t.expect("/dev/pts/")
    assert t.wait() == 0
    assert re.search(r"/dev/pts/\d+", out), out

    t = Term([BERTH, "exec", "-t", "box", "stty", "size"], berth.env, rows=33, cols=101)
    out = t.expect("\n")
    assert t.wait() == 0
    assert "33 101" in out, out

    t = Term([BERTH, "exec", "-t", "box", "sh", "-c", "exit 9"], berth.env)
    assert t.wait() == 9


def test_tty_interactive_and_resize(berth):
    running(berth)
    t = Term([BERTH, "exec", "-it", "box", "sh"], berth.env, rows=20, cols=70)
    try:
        t.write(b"stty size; echo $((6*7))\n")
        t.expect("42")
        assert "20 70" in t.buf.decode(), t.buf
        t.resize(44, 120)
        t.write(b"stty size\n")
        t.expect("44 120")
        t.write(b"echo $TERM\n")
        t.expect("xterm")
        t.write(b"exit 4\n")
        assert t.wait() == 4
    finally:
        t.close()


def test_tty_detach_keys_leave_it_running(berth):
    running(berth)
    t = Term([BERTH, "exec", "-it", "--detach-keys", "ctrl-x", "box", "sh", "-c",
              "echo ready; exec sleep 1717"], berth.env)
    try:
        t.expect("ready")
        t.write(b"\x18")  # ctrl-x
        assert t.wait() == 0
        assert "ready" in t.buf.decode() and "berth" not in t.buf.decode(), t.buf
    finally:
        t.close()
    ps = berth("exec", "box", "ps", "-o", "args", check=True).out
    assert "sleep 1717" in ps, ps


def test_with_runc(berth):
    """runc takes a console socket only when it detaches: the process is reaped here then."""
    import shutil
    import pytest
    if not shutil.which("runc"):
        pytest.skip("no runc")
    berth("run", "-d", "--runtime", "runc", "--name", "rc", IMAGE, "sleep", "2000", check=True)
    r = berth("exec", "-e", "X=1", "rc", "sh", "-c", "echo $X; exit 5")
    assert (r.rc, r.out) == (5, "1\n"), r
    r = berth("exec", "rc", "no-such-command")
    assert r.rc == 127 and "no-such-command" in r.err and "level=" not in r.err, r
    t = Term([BERTH, "exec", "-t", "rc", "sh", "-c", "tty; stty size; exit 7"], berth.env,
             rows=27, cols=91)
    out = t.expect("27 91")
    assert t.wait() == 7
    assert re.search(r"/dev/pts/\d+", out), out


def test_no_files_left(berth):
    import glob
    import os
    import signal
    running(berth)
    berth("exec", "box", "true", check=True)
    berth("exec", "box", "no-such-command")
    berth("exec", "-d", "box", "sleep", "1")
    t = Term([BERTH, "exec", "-t", "box", "true"], berth.env)
    assert t.wait() == 0
    # a berth exec killed while its process runs leaves nothing either
    p = berth.popen("exec", "box", "sleep", "1999")
    berth.wait_for(lambda: "sleep 1999" in berth("exec", "box", "ps", "-o", "args").out,
                   what="the exec'd sleep")
    time.sleep(0.5)  # berth looks for the runtime's pid file every 0.1 s
    p.send_signal(signal.SIGKILL)
    p.wait()
    left = glob.glob(os.path.join(berth.run_dir, "exec-*"))
    assert left == [], left
