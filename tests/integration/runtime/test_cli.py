# SPDX-License-Identifier: LGPL-2.1-or-later
"""spec, features, --console-socket, --preserve-fds, LISTEN_FDS, --version, per-verb --help,
kill 0, exec's exit status and --ignore-paused, --debug."""
import json
import os
import re
import socket
import subprocess
import threading
import time

from runtime_env import RUNTIME, read_pty_until, recv_fd, wait_status


def test_spec_default_and_rootless(tmp_path):
    d = tmp_path / "b"
    d.mkdir()
    subprocess.run([RUNTIME, "spec", "--bundle", str(d)], check=True)
    spec = json.loads((d / "config.json").read_text())
    assert spec["ociVersion"].startswith("1.")
    assert spec["process"]["args"] == ["sh"] and spec["root"]["path"] == "rootfs"
    types = {n["type"] for n in spec["linux"]["namespaces"]}
    assert {"pid", "mount", "network", "ipc", "uts"} <= types
    r = subprocess.run([RUNTIME, "spec", "--bundle", str(d)], capture_output=True, text=True)
    assert r.returncode != 0 and "remove it first" in r.stderr
    d2 = tmp_path / "r"
    d2.mkdir()
    subprocess.run([RUNTIME, "spec", "--rootless"], check=True, cwd=d2)
    spec = json.loads((d2 / "config.json").read_text())
    assert "user" in {n["type"] for n in spec["linux"]["namespaces"]}
    assert spec["linux"]["uidMappings"][0]["hostID"] == os.getuid()


def test_features():
    r = subprocess.run([RUNTIME, "features"], capture_output=True, text=True, check=True)
    f = json.loads(r.stdout)
    assert f["ociVersionMax"] == "1.2.0"
    assert set(f["linux"]["namespaces"]) == {"pid", "network", "mount", "ipc", "uts", "user",
                                             "cgroup", "time"}
    assert "CAP_SYS_ADMIN" in f["linux"]["capabilities"]
    assert "rbind" in f["mountOptions"] and "rro" in f["mountOptions"]
    assert "tmpcopyup" in f["mountOptions"]
    assert len(f["hooks"]) == 6


def test_version():
    r = subprocess.run([RUNTIME, "--version"], capture_output=True, text=True, check=True)
    assert "berth-runtime version" in r.stdout


def test_console_socket(bundle, tmp_path):
    path = str(tmp_path / "console.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    got = {}

    def serve():
        conn, _ = srv.accept()
        got["fd"] = recv_fd(conn)
        conn.close()

    t = threading.Thread(target=serve)
    t.start()
    bundle.spec["process"]["terminal"] = True
    bundle.spec["process"]["consoleSize"] = {"height": 30, "width": 100}
    cid, r = bundle.create("sh", "-c", "tty; stty size; echo done",
                           extra=("--console-socket", path))
    assert r.rc == 0, r
    t.join(5)
    master = got["fd"]
    bundle.rt("start", cid, check=True)
    out = read_pty_until(master, b"done")
    os.close(master)
    text = out.decode()
    assert "/dev/pts/0" in text and "30 100" in text, text
    bundle.rt("delete", "--force", cid, check=True)
    srv.close()


def test_console_socket_pty_belongs_to_the_user(bundle, tmp_path):
    """As runc does, the pty the init makes (and its /dev/console bind) gets process.user's
    uid, the devpts mount keeps its group (gid=5 in the default spec); its termios are left
    to the receiver (onlcr stays)."""
    path = str(tmp_path / "console.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    got = {}

    def serve():
        conn, _ = srv.accept()
        got["fd"] = recv_fd(conn)
        conn.close()

    t = threading.Thread(target=serve)
    t.start()
    bundle.spec["process"]["terminal"] = True
    bundle.spec["process"]["user"] = {"uid": 1000, "gid": 1000}
    cid, r = bundle.create("sh", "-c", "stat -c '%n %u:%g' $(tty) /dev/console; echo done",
                           extra=("--console-socket", path))
    assert r.rc == 0, r
    t.join(5)
    master = got["fd"]
    bundle.rt("start", cid, check=True)
    out = read_pty_until(master, b"done")
    os.close(master)
    assert out.split(b"\r\n")[:2] == [b"/dev/pts/0 1000:5", b"/dev/console 1000:5"], out
    bundle.rt("delete", "--force", cid, check=True)
    srv.close()


def test_terminal_relay_output_has_no_carriage_returns(bundle):
    """run and exec keeping the terminal themselves clear onlcr on the container's pty, as
    runc's relay does: output written to a file or a pipe ends lines with "\n" only."""
    def rt(*args):
        # bytes: text mode would turn "\r\n" into "\n" and hide what the test looks for
        return subprocess.run([RUNTIME, "--root", bundle.root, *args], input=b"",
                              capture_output=True, timeout=30)
    bundle.spec["process"]["terminal"] = True
    bundle.args("sh", "-c", "echo a; echo b")
    bundle.write()
    r = rt("run", "--bundle", bundle.dir, bundle.new_id())
    assert r.returncode == 0 and r.stdout == b"a\nb\n", r
    bundle.spec["process"]["terminal"] = False
    cid, r = bundle.create("sleep", "60")
    assert r.rc == 0, r
    bundle.rt("start", cid, check=True)
    r = rt("exec", "-t", cid, "sh", "-c", "echo c; echo d")
    assert r.returncode == 0 and r.stdout == b"c\nd\n", r
    bundle.rt("delete", "--force", cid, check=True)


def test_preserve_fds(bundle, tmp_path):
    f = tmp_path / "passed"
    f.write_text("through fd 3\n")
    fd = os.open(str(f), os.O_RDONLY)
    try:
        if fd != 3:
            os.dup2(fd, 3, inheritable=True)
        bundle.args("sh", "-c", "cat <&3; ls /proc/self/fd | wc -l")
        bundle.write()
        r = bundle.rt("run", "--preserve-fds", "1", "--bundle", bundle.dir, bundle.new_id(),
                      pass_fds=(3,))
        assert r.rc == 0, r
        assert r.out.split("\n")[0] == "through fd 3"
    finally:
        os.close(fd)


def test_listen_fds_pass_through(bundle, tmp_path):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    if s.fileno() != 3:
        os.dup2(s.fileno(), 3, inheritable=True)
    env = dict(os.environ, LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
    bundle.args("sh", "-c", "echo $LISTEN_FDS; test -e /proc/self/fd/3 && echo has3")
    bundle.write()
    r = bundle.rt("run", "--bundle", bundle.dir, bundle.new_id(), env=env, pass_fds=(3,))
    s.close()
    assert r.rc == 0, r
    assert r.out.split() == ["1", "has3"]


# ---- issue 8, item 18: runc's command line where tools and users expect it ----------------------

def runtime_verbs():
    out = subprocess.run([RUNTIME, "--help"], capture_output=True, text=True, check=True).stdout
    verbs = out.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in verbs.splitlines() if line.strip()]


def test_every_verb_has_help():
    verbs = runtime_verbs()
    assert {"create", "start", "run", "exec", "kill", "delete", "ps", "version"} <= set(verbs)
    for verb in verbs:
        for flag in ("--help", "-h"):
            r = subprocess.run([RUNTIME, verb, flag], capture_output=True, text=True)
            assert r.returncode == 0, (verb, flag, r.stderr)
            assert r.stdout.startswith(f"berth-runtime {verb}: "), (verb, r.stdout)
            assert f"Usage: berth-runtime {verb}" in r.stdout, (verb, r.stdout)
            assert r.stderr == "", (verb, r.stderr)
    # The options a verb documents are the ones it takes.
    assert "--ignore-paused" in subprocess.run([RUNTIME, "exec", "--help"], capture_output=True,
                                               text=True).stdout
    # After the container id, exec's arguments belong to the command.
    r = subprocess.run([RUNTIME, "--root", "/nonexistent", "exec", "nosuch", "ls", "--help"],
                       capture_output=True, text=True)
    assert r.returncode == 255 and "Usage" not in r.stdout, r


def test_version_has_runc_shape():
    for argv in (["--version"], ["-v"], ["version"]):
        r = subprocess.run([RUNTIME, *argv], capture_output=True, text=True, check=True)
        lines = r.stdout.splitlines()
        assert re.fullmatch(r"berth-runtime version \d+\.\d+\.\d+\S*", lines[0]), r.stdout
        assert re.fullmatch(r"commit: \S+", lines[1]), r.stdout
        assert lines[2] == "spec: 1.2.0", r.stdout
        assert re.fullmatch(r"libseccomp: \d+\.\d+\.\d+", lines[3]), r.stdout


def test_kill_signal_zero_checks_existence(bundle):
    cid, r = bundle.create("sleep", "100")
    assert r.rc == 0, r
    r = bundle.rt("kill", cid, "0")
    assert r.rc == 0, r
    assert bundle.state(cid)["status"] == "created"
    bundle.rt("start", cid, check=True)
    assert bundle.rt("kill", cid, "0").rc == 0
    assert bundle.state(cid)["status"] == "running"
    bundle.rt("kill", cid, "KILL", check=True)
    assert wait_status(bundle, cid, "stopped") == "stopped"
    r = bundle.rt("kill", cid, "0")
    assert r.rc != 0 and "not running" in r.err, r
    bundle.rt("delete", cid, check=True)


def test_exec_failure_exits_255(bundle):
    r = bundle.rt("exec", "nosuch", "true")
    assert r.rc == 255 and "nosuch" in r.err, r
    cid, r = bundle.create("sleep", "100")
    assert r.rc == 0, r
    bundle.rt("start", cid, check=True)
    r = bundle.rt("exec", cid, "/no/such/program")
    assert r.rc == 255 and "/no/such/program" in r.err, r
    # The process's own status is passed through as it is.
    r = bundle.rt("exec", cid, "sh", "-c", "exit 7")
    assert r.rc == 7, r
    bundle.rt("delete", "--force", cid, check=True)


def test_exec_into_paused_needs_ignore_paused(bundle):
    cid, r = bundle.create("sleep", "100")
    assert r.rc == 0, r
    bundle.rt("start", cid, check=True)
    bundle.rt("pause", cid, check=True)
    r = bundle.rt("exec", cid, "echo", "hi")
    assert r.rc == 255 and "paused" in r.err and "--ignore-paused" in r.err, r
    # With --ignore-paused the process starts frozen, and runs once the container resumes.
    p = subprocess.Popen([RUNTIME, "--root", bundle.root, "exec", "--ignore-paused", cid,
                          "echo", "hi"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    try:
        time.sleep(0.5)
        assert p.poll() is None, p.communicate()
        assert bundle.state(cid)["status"] == "paused"
        bundle.rt("resume", cid, check=True)
        out, err = p.communicate(timeout=20)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert p.returncode == 0 and out == "hi\n", (p.returncode, out, err)
    bundle.rt("delete", "--force", cid, check=True)


def test_debug_logs_the_steps(bundle, tmp_path):
    """--debug says which namespaces are made, which mounts, the cgroup and how the program is
    executed, for create, start, exec and delete (to the --log file here)."""
    log = tmp_path / "debug.log"
    dbg = ("--debug", "--log", str(log))
    cid, r = bundle.create("sleep", "100", global_args=dbg)
    assert r.rc == 0, r
    bundle.rt("start", cid, check=True, global_args=dbg)
    bundle.rt("exec", cid, "true", check=True, global_args=dbg)
    bundle.rt("delete", "--force", cid, check=True, global_args=dbg)
    text = log.read_text()
    for want in (f"create {cid}: pid namespace: new", f"create {cid}: mount proc on /proc",
                 f"create {cid}: rootfs {bundle.rootfs}", f"in cgroup /berth/{cid}",
                 f"create {cid}: process sleep 100 as uid 0",
                 f"create {cid}: the program is executed through",
                 f"start {cid}: the program runs", f"exec {cid}: process true",
                 f"exec {cid}: the program is executed", f"delete {cid}: running"):
        assert want in text, (want, text)
    # Without --debug none of it.
    log2 = tmp_path / "quiet.log"
    cid, r = bundle.create("true", global_args=("--log", str(log2)))
    assert r.rc == 0, r
    bundle.rt("delete", "--force", cid, check=True)
    assert "namespace" not in (log2.read_text() if log2.exists() else "")
