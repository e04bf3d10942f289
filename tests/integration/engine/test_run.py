# SPDX-License-Identifier: LGPL-2.1-or-later
"""berth run, create, start, stop, kill, rm, wait and ps: docker's behaviour where users notice
it (exit codes, --rm, names, stop escalating to SIGKILL)."""
import os
import time

import pytest

from engine_env import IMAGE
from runtime_env import BUILD

INIT = os.path.join(BUILD, "src", "cmd", "berth-init", "berth-init")


def test_run_echo_and_rm(berth):
    r = berth("run", "--rm", IMAGE, "echo", "hello")
    assert r.rc == 0 and r.out == "hello\n", r
    assert berth.ids() == []


def test_exit_codes(berth):
    assert berth("run", "--rm", IMAGE, "sh", "-c", "exit 3").rc == 3
    r = berth("run", "--rm", IMAGE, "/no/such/command")
    assert r.rc == 127, r
    assert "/no/such/command" in r.err, r
    r = berth("run", "--rm", IMAGE, "/etc/passwd")
    assert r.rc == 126, r
    r = berth("run", "--rm", "--memory", "lots", IMAGE, "true")
    assert r.rc == 125 and "--memory" in r.err, r
    r = berth("run", "--rm", "localhost/no-such-image:1", "true")
    assert r.rc == 125, r
    # --rm removes the container even when its process could not start
    assert berth.ids() == []


def test_stdout_and_stderr_apart(berth):
    r = berth("run", "--rm", IMAGE, "sh", "-c", "echo out; echo err >&2")
    assert r.out == "out\n" and r.err == "err\n", r


def test_stdin_with_i(berth):
    r = berth("run", "--rm", "-i", IMAGE, "tr", "a-z", "A-Z", input="piped\n")
    assert r.rc == 0 and r.out == "PIPED\n", r


def test_detached_lifecycle(berth):
    cid = berth("run", "-d", "--name", "web", IMAGE, "sleep", "1000", check=True).out.strip()
    assert len(cid) == 64
    ps = berth("ps", "--format", "{{.Names}} {{.State}}", check=True).out
    assert ps == "web running\n", ps
    r = berth("rm", "web")
    assert r.rc != 0 and "running" in r.err, r
    # sleep as PID 1 ignores SIGTERM: stop escalates to SIGKILL after -t
    t = time.time()
    berth("stop", "-t", "1", "web", check=True)
    assert time.time() - t < 8
    ps = berth("ps", "-a", "--format", "{{.Names}} {{.Status}}", check=True).out
    assert ps.startswith("web Exited (137)"), ps
    assert berth("wait", "web", check=True).out == "137\n"
    berth("start", "web", check=True)
    assert berth("ps", "-q").out.strip() == cid[:12]
    berth("kill", "-s", "TERM", "web", check=True)  # ignored by PID 1 sleep
    berth("kill", "web", check=True)
    assert berth("wait", "web", check=True).out == "137\n"
    berth("rm", "web", check=True)
    assert berth.ids() == []


def test_names(berth):
    berth("create", "--name", "one", IMAGE, "true", check=True)
    r = berth("create", "--name", "one", IMAGE, "true")
    assert r.rc == 125 and "already in use" in r.err, r
    r = berth("create", "--name", "bad name", IMAGE, "true")
    assert r.rc == 125 and "invalid container name" in r.err, r
    cid = berth("create", IMAGE, "true", check=True).out.strip()
    names = berth("ps", "-a", "--format", "{{.Names}}").out.split()
    assert "one" in names and len(names) == 2
    # an id prefix finds it
    berth("rm", cid[:8], check=True)
    r = berth("rm", "nosuch")
    assert r.rc == 1 and "no such container: nosuch" in r.err, r


def test_create_then_start_attached(berth):
    berth("create", "--name", "c", IMAGE, "sh", "-c", "echo started; exit 4", check=True)
    assert berth("ps", "-a", "--format", "{{.Status}}").out == "Created\n"
    r = berth("start", "-a", "c")
    assert r.rc == 4 and r.out == "started\n", r


def test_env_workdir_user_hostname(berth, tmp_path):
    envfile = tmp_path / "env"
    envfile.write_text("# comment\nFROM_FILE=1\n\n")
    r = berth("run", "--rm", "-e", "A=b", "--env-file", str(envfile), "-w", "/tmp", "-u",
              "www-data", "-h", "boxhost", IMAGE, "sh", "-c",
              "echo $A $FROM_FILE $(pwd) $(id -u) $(hostname) $HOME", check=True)
    assert r.out.split() == ["b", "1", "/tmp", "33", "boxhost", "/var/www"], r


def test_bind_mount_and_read_only(berth, tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    (d / "f").write_text("host\n")
    r = berth("run", "--rm", "-v", f"{d}:/data", IMAGE, "sh", "-c",
              "cat /data/f; echo new > /data/g", check=True)
    assert r.out == "host\n"
    assert (d / "g").read_text() == "new\n"
    r = berth("run", "--rm", "-v", f"{d}:/data:ro", "--read-only", IMAGE, "sh", "-c",
              "touch /data/x || echo ro1; touch /x || echo ro2")
    assert "ro1" in r.out and "ro2" in r.out, r


@pytest.mark.skipif(not os.path.exists(INIT), reason="no berth-init in sanitizer builds")
def test_init_reaps_and_forwards(berth):
    r = berth("run", "--rm", "--init", IMAGE, "sh", "-c", "echo $$", check=True)
    assert r.out.strip() != "1", r
    cid = berth("run", "-d", "--init", IMAGE, "sleep", "1000", check=True).out.strip()
    t = time.time()
    berth("stop", cid, check=True)
    assert time.time() - t < 5  # SIGTERM reached sleep through the init
    berth("rm", cid, check=True)


def test_privileged_gets_what_berth_has(berth):
    with open("/proc/self/status") as f:
        bnd = next(l.split()[1] for l in f if l.startswith("CapBnd:"))
    r = berth("run", "--rm", "--privileged", IMAGE, "sh", "-c",
              "grep CapEff /proc/self/status; test -c /dev/net/tun && echo tun", check=True)
    assert r.out.split() == ["CapEff:", bnd, "tun"], r
    r = berth("run", "--rm", IMAGE, "sh", "-c", "test -e /dev/net/tun || echo none", check=True)
    assert r.out == "none\n"


def test_cap_add_drop_and_seccomp_default(berth):
    r = berth("run", "--rm", "--cap-drop", "ALL", "--cap-add", "CHOWN", IMAGE, "grep", "CapEff",
              "/proc/self/status", check=True)
    assert r.out.split()[1] == "0000000000000001", r
    # the default profile refuses unshare(CLONE_NEWNS...) without CAP_SYS_ADMIN
    r = berth("run", "--rm", IMAGE, "unshare", "-m", "true")
    assert r.rc != 0, r
    r = berth("run", "--rm", "--security-opt", "seccomp=unconfined", "--cap-add", "SYS_ADMIN",
              IMAGE, "unshare", "-m", "true")
    assert r.rc == 0, r


def test_detached_rm_removes_itself(berth):
    berth("run", "-d", "--rm", "--name", "gone", IMAGE, "sh", "-c", "sleep 0.3", check=True)
    assert "gone" in berth("ps", "--format", "{{.Names}}").out
    # ps hides a container while it is being removed: its directory going is the end
    cdir = os.path.join(berth.root, "containers")
    berth.wait_for(lambda: berth.ids() == [] and not os.listdir(cdir), timeout=15,
                   what="the container to remove itself")


def test_killed_foreground_rm_is_removed_by_its_shim(berth):
    # docker's --rm is the daemon's job; here the shim's exit command does it once the
    # foreground berth that would have is gone
    p = berth.popen("run", "--rm", "--name", "fg", IMAGE, "sh", "-c", "sleep 3; exit 3")
    berth.wait_for(lambda: "fg" in berth("ps", "--filter", "status=running", "--format",
                                         "{{.Names}}").out, timeout=15,
                   what="the container to run")
    p.kill()
    p.wait()
    assert berth.ids() != [], "killed berth removed it"
    cdir = os.path.join(berth.root, "containers")
    berth.wait_for(lambda: berth.ids() == [] and not os.listdir(cdir), timeout=20,
                   what="the shim to remove it")


def test_foreground_rm_keeps_the_exit_code(berth):
    # the shim's removal waits for the foreground run, which reads the code first
    for _ in range(5):
        r = berth("run", "--rm", IMAGE, "sh", "-c", "exit 7")
        assert r.rc == 7, r
    assert berth.ids() == []


def test_start_attached_rm_gives_the_code_and_removes(berth):
    cid = berth("create", "--rm", IMAGE, "sh", "-c", "echo hi; exit 5", check=True).out.strip()
    r = berth("start", "-a", cid)
    assert r.rc == 5 and r.out == "hi\n", r
    assert berth.ids() == []
