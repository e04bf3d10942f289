# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the shim does for the engine: -it with a real pty, restart policies counting restarts,
health status changing, and containers outliving every berth process and a replaced binary."""
import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import subprocess
import termios
import time

from engine_env import BERTH, IMAGE


def read_until(fd, needle, timeout=10):
    buf = b""
    deadline = time.time() + timeout
    while needle not in buf and time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
    return buf


def test_it_with_a_real_pty(berth):
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 101, 0, 0))
    p = berth.popen("run", "--rm", "-it", IMAGE, "sh", stdin=slave, stdout=slave,
                    stderr=slave, start_new_session=True)
    os.close(slave)
    try:
        os.write(master, b"tty; stty size; echo $((6*7))\n")  # 42: printed by the shell only
        out = read_until(master, b"42")
        assert b"/dev/pts/" in out, out
        assert b"33 101" in out, out
        # a resize of the outer terminal reaches the container's
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        os.killpg(p.pid, signal.SIGWINCH)
        time.sleep(0.3)
        os.write(master, b"stty size\n")
        assert b"40 120" in read_until(master, b"40 120"), "resize not seen"
        os.write(master, b"exit 5\n")
        assert p.wait(timeout=20) == 5
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)
    assert berth.ids() == []


def test_detach_keys_leave_it_running(berth):
    master, slave = pty.openpty()
    p = berth.popen("run", "-it", "--name", "bg", IMAGE, "sh", stdin=slave, stdout=slave,
                    stderr=slave, start_new_session=True)
    os.close(slave)
    try:
        # what only the shell prints (not the terminal's own echo of the typing)
        os.write(master, b"echo $((20+1))x\n")
        assert b"21x" in read_until(master, b"21x")
        os.write(master, b"\x10\x11")  # ctrl-p ctrl-q
        assert p.wait(timeout=10) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)
    assert berth("ps", "--format", "{{.Names}} {{.State}}").out == "bg running\n"


def status(berth, name):
    for line in berth("ps", "-a", "--format", "{{.Names}}\t{{.Status}}").out.splitlines():
        n, _, s = line.partition("\t")
        if n == name:
            return s
    return ""


def restart_count(berth, name):
    cid = berth("inspect", "-f", "{{.Id}}", name).out.strip()
    import json
    with open(os.path.join(berth.run_dir, "containers", cid, "status.json")) as f:
        return json.load(f).get("restart_count", 0)


def test_restart_on_failure_counts(berth):
    berth("run", "-d", "--name", "flaky", "--restart", "on-failure:2", IMAGE, "sh", "-c",
          "exit 3", check=True)
    # 100 ms, then 200 ms of backoff: two restarts, then it stays exited
    berth.wait_for(lambda: berth("ps", "-a", "--format", "{{.State}}").out.strip() == "exited"
                   and restart_count(berth, "flaky") == 2, timeout=20, what="two restarts")
    assert berth("wait", "flaky").out == "3\n"


def test_restart_always_until_stopped(berth):
    berth("run", "-d", "--name", "loop", "--restart", "always", IMAGE, "sh", "-c",
          "sleep 0.2; exit 0", check=True)
    berth.wait_for(lambda: restart_count(berth, "loop") >= 2, timeout=20, what="restarts")
    berth("stop", "-t", "1", "loop", check=True)
    assert berth("ps", "-a", "--format", "{{.State}}").out.strip() == "exited"
    n = restart_count(berth, "loop")
    time.sleep(1)
    assert restart_count(berth, "loop") == n  # a stop is no failure to restart after


def test_update_restart_of_a_running_container(berth):
    """docker update --restart acts on the running container: its shim takes the new policy at
    the next exit, and a policy turned off during the backoff stops the restarts."""
    berth("run", "-d", "--name", "late", IMAGE, "sh", "-c", "sleep 1; exit 3", check=True)
    berth("update", "--restart", "on-failure:2", "late", check=True)
    berth.wait_for(lambda: berth("inspect", "-f", "{{.State.Status}}", "late").out.strip() ==
                   "exited" and restart_count(berth, "late") == 2, timeout=20,
                   what="two restarts after the update")
    assert berth("wait", "late").out == "3\n"
    berth("run", "-d", "--name", "spin", "--restart", "always", IMAGE, "sh", "-c",
          "sleep 0.3; exit 1", check=True)
    berth.wait_for(lambda: restart_count(berth, "spin") >= 1, timeout=20, what="a restart")
    berth("update", "--restart", "no", "spin", check=True)
    berth.wait_for(lambda: berth("inspect", "-f", "{{.State.Status}}", "spin").out.strip() ==
                   "exited", timeout=20, what="the restarts to stop")
    n = restart_count(berth, "spin")
    time.sleep(1.5)
    assert restart_count(berth, "spin") == n
    assert berth("inspect", "-f", "{{.HostConfig.RestartPolicy.Name}}", "spin").out == "no\n"
    berth("rm", "-f", "late", "spin", check=True)


def test_health_status_changes(berth, tmp_path):
    d = tmp_path / "flag"
    d.mkdir()
    berth("run", "-d", "--name", "h", "-v", f"{d}:/flag", "--health-cmd", "test -e /flag/ok",
          "--health-interval", "300ms", "--health-retries", "1", IMAGE, "sleep", "1000",
          check=True)
    berth.wait_for(lambda: "(unhealthy)" in status(berth, "h"), timeout=15, what="unhealthy")
    (d / "ok").write_text("")
    berth.wait_for(lambda: "(healthy)" in status(berth, "h"), timeout=15, what="healthy")


def test_containers_outlive_berth_and_a_new_binary(berth, tmp_path):
    berth("run", "-d", "--name", "tick", IMAGE, "sh", "-c",
          "while true; do echo tick; sleep 0.1; done", check=True)
    log = os.path.join(berth.root, "containers", berth.ids()[0],
                       berth.ids()[0] + "-json.log")
    berth.wait_for(lambda: os.path.exists(log) and os.path.getsize(log) > 0, what="log")
    # kill -9 every berth process (a berth logs -f, a berth wait) while it runs
    waiters = [berth.popen("wait", "tick", stdout=subprocess.PIPE) for _ in range(2)]
    time.sleep(0.5)
    for w in waiters:
        w.kill()
        w.wait()
    # a replaced berth binary: a copy elsewhere, the old one removed
    new_bin = tmp_path / "bin" / "berth"
    new_bin.parent.mkdir()
    shutil.copy2(BERTH, new_bin)
    env = dict(berth.env)
    for var, name in (("BERTH_SHIM_PATH", "berth-shim"), ("BERTH_RUNTIME_PATH", "berth-runtime"),
                      ("BERTH_INIT_PATH", "berth-init")):
        env[var] = os.path.join(os.path.dirname(os.path.dirname(BERTH)), name, name)
    size = os.path.getsize(log)
    time.sleep(0.5)
    assert os.path.getsize(log) > size, "the log stopped growing"
    run = lambda *a: subprocess.run([str(new_bin), *a], env=env, capture_output=True,
                                    text=True, timeout=60)
    assert run("ps", "--format", "{{.Names}} {{.State}}").stdout == "tick running\n"
    r = run("stop", "-t", "1", "tick")
    assert r.returncode == 0, r
    assert run("ps", "-a", "--format", "{{.State}}").stdout == "exited\n"
