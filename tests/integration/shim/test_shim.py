# SPDX-License-Identifier: LGPL-2.1-or-later
"""berth-shim, the per-container monitor, driven directly as the engine will drive it: it
starts a container through an OCI runtime (berth-runtime and runc), detaches, writes the log,
records the exit status, serves attach (Docker's multiplexed stream, stdin, resize) and
deletes the container; a failed start is reported clearly and leaves nothing."""
import json
import os
import shutil
import socket
import struct
import subprocess
import time
import uuid

import pytest

from runtime_env import BUILD, RUNTIME, make_busybox_rootfs, processes_with

SHIM = os.path.join(BUILD, "src", "cmd", "berth-shim", "berth-shim")
RUNTIMES = {"berth": RUNTIME, "runc": shutil.which("runc")}


@pytest.fixture(scope="module")
def rootfs(tmp_path_factory):
    d = tmp_path_factory.mktemp("shim-rootfs") / "rootfs"
    make_busybox_rootfs(str(d))
    return str(d)


class Container:
    def __init__(self, tmp, rootfs, runtime, args, terminal=False):
        self.id = "shim-" + uuid.uuid4().hex[:10]
        self.bundle = tmp / "bundle"
        self.state = tmp / "state"
        self.root = f"/run/berth-test-shim-{self.id}"
        self.runtime = RUNTIMES[runtime]
        self.bundle.mkdir()
        self.state.mkdir()
        subprocess.run([RUNTIME, "spec", "--bundle", str(self.bundle)], check=True)
        with open(self.bundle / "config.json") as f:
            spec = json.load(f)
        spec["root"]["path"] = rootfs
        spec["process"]["args"] = args
        spec["process"]["terminal"] = terminal
        spec["root"]["readonly"] = True
        with open(self.bundle / "config.json", "w") as f:
            json.dump(spec, f)

    def start(self, *extra, check=True):
        r = subprocess.run([SHIM, "--id", self.id, "--bundle", str(self.bundle),
                            "--state", str(self.state), "--runtime", self.runtime,
                            "--runtime-arg", "--root", "--runtime-arg", self.root, *extra],
                           capture_output=True, text=True, timeout=60)
        if check:
            assert r.returncode == 0, r.stderr
        return r

    def status(self):
        try:
            with open(self.state / "status.json") as f:
                return json.load(f)
        except FileNotFoundError:
            return None

    def wait_status(self, want, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            st = self.status()
            if st and st["status"] == want:
                return st
            time.sleep(0.05)
        raise AssertionError(f"not {want} after {timeout} s: {self.status()}")

    def exit_record(self, timeout=20):
        return self.wait_status("exited", timeout)

    def shim_pid(self):
        with open(self.state / "shim.pid") as f:
            return int(f.read())

    def log_entries(self, name="ctr.log"):
        with open(self.state / name) as f:
            return [json.loads(l) for l in f]

    def cleanup(self):
        try:
            pid = self.shim_pid()
            os.kill(pid, 9)
        except (OSError, ValueError):
            pass
        subprocess.run([self.runtime, "--root", self.root, "delete", "--force", self.id],
                       capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def make(tmp_path, rootfs):
    made = []

    def _make(args, runtime="berth", terminal=False):
        (tmp_path / str(len(made))).mkdir()
        c = Container(tmp_path / str(len(made)), rootfs, runtime, args, terminal)
        made.append(c)
        return c

    yield _make
    for c in made:
        c.cleanup()
        # Nothing of the container is left: no process names its bundle, no runtime state.
        assert not processes_with(str(c.bundle)), processes_with(str(c.bundle))
        assert not os.path.exists(os.path.join(c.root, c.id))


def wait_gone(pid, timeout=10):
    """Whether pid ended: gone, or a zombie (its parent is whatever init adopted it, which
    reaps when it likes)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("runtime", ["berth", "runc"])
def test_output_goes_to_the_log_and_the_exit_is_recorded(make, runtime):
    if not RUNTIMES[runtime]:
        pytest.skip(f"{runtime} is not installed")
    c = make(["sh", "-c", "echo hello; echo oops >&2; exit 3"], runtime)
    r = c.start("--log", str(c.state / "ctr.log"))
    init_pid = int(r.stdout)
    rec = c.exit_record()
    assert rec["exit_code"] == 3 and rec["signal"] == 0 and rec["pid"] == init_pid
    entries = c.log_entries()
    assert [(e["log"], e["stream"]) for e in entries] == [("hello\n", "stdout"),
                                                          ("oops\n", "stderr")]
    assert all(e["time"].endswith("Z") for e in entries)
    # The shim deleted the container and went away.
    assert wait_gone(c.shim_pid())
    st = subprocess.run([c.runtime, "--root", c.root, "state", c.id], capture_output=True)
    assert st.returncode != 0


def test_the_shim_is_detached_and_a_signal_is_recorded(make):
    c = make(["sleep", "1000"])
    caller = subprocess.Popen([SHIM, "--id", c.id, "--bundle", str(c.bundle), "--state",
                               str(c.state), "--runtime", c.runtime, "--runtime-arg", "--root",
                               "--runtime-arg", c.root], stdout=subprocess.PIPE, text=True)
    init_pid = int(caller.stdout.read())
    assert caller.wait(timeout=30) == 0
    shim = c.shim_pid()
    with open(f"/proc/{shim}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ppid, sid = int(fields[1]), int(fields[3])
    # Not the caller's child, in a session of its own (which it does not lead, so it never gets
    # a controlling terminal), the container's init its child.
    assert ppid != caller.pid and ppid != os.getpid()
    assert sid != os.getsid(0) and sid != shim
    with open(f"/proc/{init_pid}/stat") as f:
        assert int(f.read().rsplit(")", 1)[1].split()[1]) == shim
    os.kill(init_pid, 9)
    rec = c.exit_record()
    assert rec["exit_code"] == 137 and rec["signal"] == 9
    assert wait_gone(shim)


def test_a_failed_create_is_reported_and_leaves_nothing(make):
    c = make(["/no/such/program"])
    with open(c.bundle / "config.json") as f:
        spec = json.load(f)
    spec["root"]["path"] = str(c.bundle / "missing-rootfs")
    with open(c.bundle / "config.json", "w") as f:
        json.dump(spec, f)
    r = c.start("--log", str(c.state / "ctr.log"), check=False)
    assert r.returncode == 1
    assert r.stderr.startswith(f"berth-shim: create `{c.id}`: "), r.stderr
    assert "rootfs" in r.stderr, r.stderr
    assert not (c.state / "status.json").exists()
    assert wait_gone(c.shim_pid())


def test_a_failed_start_is_reported(make):
    c = make(["/no/such/program"])
    r = c.start(check=False)
    assert r.returncode == 1
    assert f"`{c.id}`" in r.stderr and "/no/such/program" in r.stderr, r.stderr
    assert wait_gone(c.shim_pid())


def frame(kind, payload=b""):
    return struct.pack(">BxxxI", kind, len(payload)) + payload


def read_frames(sock, until, timeout=20):
    """Reads attach frames until until(output) is true; returns {stream: bytes}."""
    out = {1: b"", 2: b""}
    buf = b""
    sock.settimeout(timeout)
    while not until(out):
        data = sock.recv(65536)
        if not data:
            break
        buf += data
        while len(buf) >= 8:
            kind, n = struct.unpack(">BxxxI", buf[:8])
            if len(buf) < 8 + n:
                break
            out[kind] += buf[8:8 + n]
            buf = buf[8 + n:]
    return out


def attach(c):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(str(c.state / "attach.sock"))
    return s


def test_attach_with_stdin_and_its_end(make):
    c = make(["sh", "-c", "read a; echo got:$a; cat >&2"])
    c.start("--stdin", "--log", str(c.state / "ctr.log"))
    with attach(c) as s:
        s.sendall(frame(0, b"one\ntwo"))
        s.sendall(frame(0, b" three\n") + frame(3))
        out = read_frames(s, lambda o: b"two three" in o[2])
    assert out[1] == b"got:one\n" and out[2] == b"two three\n"
    assert c.exit_record()["exit_code"] == 0
    assert [e["log"] for e in c.log_entries()] == ["got:one\n", "two three\n"]


def test_terminal_with_resize(make):
    c = make(["sh", "-c", "read a; echo got:$a; stty size"], terminal=True)
    c.start("--terminal", "--stdin", "--log", str(c.state / "ctr.log"))
    with attach(c) as s:
        s.sendall(frame(4, struct.pack(">HH", 33, 77)))
        s.sendall(frame(0, b"abc\n"))
        out = read_frames(s, lambda o: b"33 77" in o[1])
    assert b"got:abc" in out[1] and b"33 77" in out[1], out
    assert out[2] == b""
    assert c.exit_record()["exit_code"] == 0
    text = "".join(e["log"] for e in c.log_entries())
    assert "got:abc" in text and "33 77" in text


def test_cri_log_with_rotation(make):
    c = make(["sh", "-c", "i=0; while [ $i -lt 200 ]; do echo line-$i; i=$((i+1)); done"])
    c.start("--log", str(c.state / "ctr.log"), "--log-format", "cri", "--log-max-size", "1k",
            "--log-max-files", "3")
    assert c.exit_record()["exit_code"] == 0
    files = sorted(p.name for p in c.state.iterdir() if p.name.startswith("ctr.log"))
    assert files == ["ctr.log", "ctr.log.1", "ctr.log.2"]
    with open(c.state / "ctr.log") as f:
        last = f.read().splitlines()
    assert last[-1].endswith(" stdout F line-199"), last[-1]
    for name in files:
        assert os.path.getsize(c.state / name) < 1024 + 64


@pytest.mark.parametrize("args, why", [
    (["--log-format", "xml"], "--log-format: `xml` is neither json-file nor cri"),
    (["--log-max-size", "12q"], "--log-max-size: `12q` is no size"),
    (["--log-max-files", "0"], "--log-max-files: `0` is no count"),
    (["--id"], "requires an argument"),
])
def test_bad_flags(args, why, tmp_path):
    r = subprocess.run([SHIM, "--bundle", str(tmp_path), "--state", str(tmp_path),
                        "--runtime", RUNTIME, *args], capture_output=True, text=True)
    assert r.returncode == 125
    assert why in r.stderr, r.stderr


def test_restart_on_failure_counts_and_stops(make):
    c = make(["sh", "-c", "echo run; exit 1"])
    c.start("--log", str(c.state / "ctr.log"), "--restart", "on-failure:2")
    st = c.exit_record(timeout=30)
    assert st["restart_count"] == 2 and st["exit_code"] == 1, st
    assert [e["log"] for e in c.log_entries()] == ["run\n"] * 3


def test_restart_always_ends_when_the_engine_stops_it(make):
    c = make(["sleep", "1000"])
    first = int(c.start("--restart", "always").stdout)
    os.kill(first, 9)
    # Restarted: a new init, counted.
    deadline = time.time() + 20
    while time.time() < deadline:
        st = c.status()
        if st and st["status"] == "running" and st["pid"] != first:
            break
        time.sleep(0.05)
    assert st["restart_count"] == 1 and st["pid"] != first, st
    # The engine's stop: the marker, then the signal; no restart after it.
    (c.state / "stopped").touch()
    os.kill(st["pid"], 9)
    st = c.exit_record()
    assert st["restart_count"] == 1 and st["signal"] == 9, st


def read_health(c):
    try:
        with open(c.state / "health.json") as f:
            return json.load(f)
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def test_health_checks_turn_healthy_then_unhealthy(make):
    c = make(["sh", "-c", "touch /dev/shm/ok; sleep 1000"])
    c.start("--health-cmd", "sh", "--health-cmd", "-c",
            "--health-cmd", "echo checked; test -e /dev/shm/ok",
            "--health-interval-ms", "200", "--health-timeout-ms", "5000",
            "--health-retries", "2")
    deadline = time.time() + 30
    while time.time() < deadline:
        h = read_health(c)
        if h and h["Status"] == "healthy":
            break
        time.sleep(0.1)
    assert h["Status"] == "healthy", h
    assert h["Log"][-1]["ExitCode"] == 0 and h["Log"][-1]["Output"] == "checked\n", h
    subprocess.run([c.runtime, "--root", c.root, "exec", c.id, "rm", "/dev/shm/ok"], check=True)
    while time.time() < deadline:
        h = read_health(c)
        if h["Status"] == "unhealthy":
            break
        time.sleep(0.1)
    assert h["Status"] == "unhealthy" and h["FailingStreak"] >= 2, h
    assert len(h["Log"]) <= 5
    os.kill(c.status()["pid"], 9)
    c.exit_record()


def test_a_check_past_its_timeout_fails(make):
    c = make(["sleep", "1000"])
    c.start("--health-cmd", "sleep", "--health-cmd", "100", "--health-interval-ms", "100",
            "--health-timeout-ms", "300", "--health-retries", "1")
    deadline = time.time() + 30
    while time.time() < deadline:
        h = read_health(c)
        if h and h["Status"] == "unhealthy":
            break
        time.sleep(0.1)
    assert h["Status"] == "unhealthy", h
    assert h["Log"][-1]["ExitCode"] == -1
    assert "exceeded timeout" in h["Log"][-1]["Output"]
    os.kill(c.status()["pid"], 9)
    c.exit_record()


def test_oom_kill_is_recorded(make):
    c = make(["sh", "-c", "a=$(yes | head -c 200000000); echo survived"])
    with open(c.bundle / "config.json") as f:
        spec = json.load(f)
    spec["linux"].setdefault("resources", {})["memory"] = {"limit": 32 << 20, "swap": 32 << 20}
    with open(c.bundle / "config.json", "w") as f:
        json.dump(spec, f)
    c.start("--log", str(c.state / "ctr.log"))
    st = c.exit_record(timeout=60)
    assert st["oom_killed"] is True, st
    assert "survived\n" not in [e["log"] for e in c.log_entries()]
