# SPDX-License-Identifier: LGPL-2.1-or-later
"""process: args, env, cwd, user, rlimits, capabilities, noNewPrivileges, oomScoreAdj."""
import os
import resource
import subprocess

from runtime_env import RUNTIME


def status_field(out, name):
    for line in out.splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{name} not in {out!r}")


def test_env_and_cwd(bundle):
    bundle.spec["process"]["env"] = ["PATH=/bin", "FOO=bar baz"]
    bundle.spec["process"]["cwd"] = "/tmp/work/dir"
    r = bundle.run("sh", "-c", 'echo "$FOO|$HOME|$(pwd)"')
    assert r.rc == 0, r
    assert r.out == "bar baz|/root|/tmp/work/dir\n"


def test_user_groups_umask(bundle):
    bundle.spec["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [10, 20],
                                      "umask": 0o077}
    r = bundle.run("sh", "-c", "id -u; id -g; id -G; umask; echo $HOME")
    assert r.rc == 0, r
    uid, gid, groups, umask, home = r.out.split("\n")[:5]
    assert (uid, gid) == ("1000", "1000")
    assert set(groups.split()) >= {"10", "20"}
    assert umask == "0077"
    assert home == "/home/user"


def test_rlimits_within_host_limits(bundle):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 4096)
    bundle.spec["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": want},
                                         {"type": "RLIMIT_CORE", "soft": 0, "hard": 0}]
    r = bundle.run("sh", "-c", "ulimit -n; ulimit -Hn; ulimit -c")
    assert r.rc == 0, r
    assert r.out.split() == ["512", str(want), "0"]


def test_rlimit_above_hard_limit_is_a_clear_error(bundle):
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    bundle.spec["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 1024,
                                          "hard": hard + 1000}]
    r = bundle.run("true")
    # Without CAP_SYS_RESOURCE the kernel refuses; the message says which limit and why.
    if r.rc == 0:
        return  # a host that grants CAP_SYS_RESOURCE may raise it
    assert "RLIMIT_NOFILE" in r.err and "hard limit" in r.err, r


def test_capabilities(bundle):
    caps = ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    bundle.spec["process"]["capabilities"] = {k: caps for k in
                                              ("bounding", "effective", "permitted")}
    bundle.spec["process"]["capabilities"]["inheritable"] = ["CAP_KILL"]
    bundle.spec["process"]["capabilities"]["ambient"] = []
    r = bundle.run("cat", "/proc/self/status")
    assert r.rc == 0, r
    want = (1 << 0) | (1 << 5) | (1 << 10)
    assert int(status_field(r.out, "CapBnd"), 16) == want
    assert int(status_field(r.out, "CapEff"), 16) == want
    assert int(status_field(r.out, "CapPrm"), 16) == want


def test_ambient_capabilities_for_non_root(bundle):
    caps = ["CAP_NET_BIND_SERVICE"]
    bundle.spec["process"]["user"] = {"uid": 1000, "gid": 1000}
    bundle.spec["process"]["capabilities"] = {k: caps for k in
                                              ("bounding", "effective", "permitted",
                                               "inheritable", "ambient")}
    r = bundle.run("cat", "/proc/self/status")
    assert r.rc == 0, r
    assert int(status_field(r.out, "CapAmb"), 16) == 1 << 10
    assert int(status_field(r.out, "CapEff"), 16) == 1 << 10


def test_unknown_capability_is_refused(bundle):
    bundle.spec["process"]["capabilities"] = {"bounding": ["CAP_NOT_A_THING"]}
    r = bundle.run("true")
    assert r.rc != 0 and "CAP_NOT_A_THING" in r.err, r


def test_no_new_privileges(bundle):
    bundle.spec["process"]["noNewPrivileges"] = True
    r = bundle.run("cat", "/proc/self/status")
    assert status_field(r.out, "NoNewPrivs") == "1"
    bundle.spec["process"]["noNewPrivileges"] = False
    r = bundle.run("cat", "/proc/self/status")
    assert status_field(r.out, "NoNewPrivs") == "0"


def test_oom_score_adj(bundle):
    bundle.spec["process"]["oomScoreAdj"] = 500
    r = bundle.run("cat", "/proc/self/oom_score_adj")
    assert r.rc == 0, r
    assert r.out.strip() == "500"


def test_terminal_without_console_socket_is_refused_for_create(bundle):
    bundle.spec["process"]["terminal"] = True
    cid, r = bundle.create("true")
    assert r.rc != 0 and "--console-socket" in r.err, r


def test_scheduler_io_priority_and_affinity(bundle):
    bundle.spec["process"]["scheduler"] = {"policy": "SCHED_BATCH", "nice": 5}
    bundle.spec["process"]["ioPriority"] = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}
    bundle.spec["process"]["execCPUAffinity"] = {"initial": "0", "final": "0"}
    r = bundle.run("sh", "-c", "cut -d' ' -f19,41 /proc/self/stat; "
                   "grep Cpus_allowed_list /proc/self/status")
    assert r.rc == 0, r
    nice, policy = r.out.split("\n")[0].split()
    assert (nice, policy) == ("5", "3"), r.out
    assert r.out.split("\n")[1].split()[-1] == "0"


def test_bad_cpu_affinity(bundle):
    bundle.spec["process"]["execCPUAffinity"] = {"final": "0-x"}
    r = bundle.run("true")
    assert r.rc != 0 and "execCPUAffinity.final" in r.err, r


def test_cwd_the_user_cannot_search(bundle):
    """runc enters process.cwd while still privileged: a user may start in a directory it
    cannot search itself (/root is 0700)."""
    os.chmod(os.path.join(bundle.rootfs, "root"), 0o700)
    bundle.spec["process"]["user"] = {"uid": 42, "gid": 42}
    bundle.spec["process"]["cwd"] = "/root"
    r = bundle.run("sh", "-c", "pwd; id -u")
    assert r.rc == 0 and r.out == "/root\n42\n", r


def test_env_duplicates_and_empty_home(bundle):
    """A name given twice keeps its first place and its last value, and HOME= (empty) is
    filled from the user's passwd entry, as runc does."""
    bundle.spec["process"]["env"] = ["PATH=/bin", "A=1", "HOME=", "B=2", "A=3"]
    bundle.spec["process"]["user"] = {"uid": 1000, "gid": 1000}
    r = bundle.run("cat", "/proc/self/environ")
    assert r.rc == 0, r
    assert r.out.split("\0")[:-1] == ["PATH=/bin", "A=3", "HOME=/home/user", "B=2"], r


def test_user_can_reopen_its_stdio_pipes(bundle):
    """As runc does, process.user gets the pipes it was given as stdio, so it can reopen
    /dev/stdout (images that log to it as a non-root user)."""
    bundle.spec["process"]["user"] = {"uid": 1000, "gid": 1000}
    bundle.args("sh", "-c", "echo via-reopen > /dev/stdout")
    bundle.write()
    r = subprocess.run([RUNTIME, "--root", bundle.root, "run", "--bundle", bundle.dir,
                        bundle.new_id()], stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=30)
    assert r.returncode == 0 and r.stdout == b"via-reopen\n", r
