# SPDX-License-Identifier: LGPL-2.1-or-later
"""exec: a new process in a running container."""
import json
import os
import time


def running(bundle, *args):
    cid, r = bundle.create(*(args or ("sleep", "60")))
    assert r.rc == 0, r
    bundle.rt("start", cid, check=True)
    return cid


def test_exec_joins_namespaces_and_cgroup(bundle):
    cid = running(bundle)
    init = bundle.state(cid)["pid"]
    r = bundle.rt("exec", cid, "sh", "-c", "for n in pid mnt net; do readlink /proc/self/ns/$n; "
                  "done; echo $$; cat /proc/self/cgroup")
    assert r.rc == 0, r
    lines = r.out.splitlines()
    for i, ns in enumerate(("pid", "mnt", "net")):
        assert lines[i] == os.readlink(f"/proc/{init}/ns/{ns}")
    assert lines[3] != "1"
    with open(f"/proc/{init}/cgroup") as f:
        want = sorted(f.read().splitlines())
    assert sorted(lines[4:]) == want
    bundle.rt("delete", "--force", cid, check=True)


def test_exec_status_env_cwd_user(bundle):
    cid = running(bundle)
    assert bundle.rt("exec", cid, "sh", "-c", "exit 7").rc == 7
    r = bundle.rt("exec", "--env", "FOO=bar", "--cwd", "/tmp", "--user", "1000:1000", cid,
                  "sh", "-c", "echo $FOO; pwd; id -u; id -g")
    assert r.out.split() == ["bar", "/tmp", "1000", "1000"], r
    bundle.rt("delete", "--force", cid, check=True)


def test_exec_process_file_and_detach(bundle, tmp_path):
    bundle.spec["root"]["readonly"] = False
    cid = running(bundle)
    proc = dict(bundle.spec["process"], args=["sh", "-c", "echo from-file > /tmp/f; sleep 1"],
                cwd="/")
    pf = tmp_path / "process.json"
    pf.write_text(json.dumps(proc))
    pidfile = tmp_path / "pid"
    r = bundle.rt("exec", "--process", str(pf), "--detach", "--pid-file", str(pidfile), cid)
    assert r.rc == 0, r
    assert int(pidfile.read_text()) > 0
    time.sleep(0.3)
    assert bundle.rt("exec", cid, "cat", "/tmp/f").out == "from-file\n"
    pf.write_text(json.dumps(dict(proc, user={"uid": "x"})))
    r = bundle.rt("exec", "--process", str(pf), cid)
    assert r.rc != 0 and "process.user.uid" in r.err, r
    bundle.rt("delete", "--force", cid, check=True)


def test_exec_errors(bundle):
    r = bundle.rt("exec", "nosuch", "true")
    assert r.rc != 0 and "does not exist" in r.err
    cid = running(bundle, "true")
    for _ in range(100):
        if bundle.state(cid)["status"] == "stopped":
            break
        time.sleep(0.02)
    r = bundle.rt("exec", cid, "true")
    assert r.rc != 0 and "stopped" in r.err, r
    bundle.rt("delete", cid, check=True)
    cid = running(bundle)
    r = bundle.rt("exec", cid, "no-such-binary")
    assert r.rc != 0 and "not found" in r.err, r
    r = bundle.rt("exec", "--user", "abc", cid, "true")
    assert r.rc != 0 and "--user" in r.err, r
    bundle.rt("delete", "--force", cid, check=True)


def test_exec_capabilities_and_no_new_privs(bundle):
    bundle.spec["process"]["capabilities"] = {k: ["CAP_KILL"] for k in
                                              ("bounding", "effective", "permitted")}
    cid = running(bundle)
    r = bundle.rt("exec", "--cap", "CAP_CHOWN", "--no-new-privs", cid, "cat",
                  "/proc/self/status")
    st = dict(l.split(":", 1) for l in r.out.splitlines() if ":" in l)
    assert int(st["CapEff"].strip(), 16) == (1 << 5) | (1 << 0)
    assert st["NoNewPrivs"].strip() == "1"
    bundle.rt("delete", "--force", cid, check=True)


def test_exec_has_no_host_fds(bundle):
    cid = running(bundle)
    r = bundle.rt("exec", cid, "ls", "/proc/self/fd")
    assert sorted(r.out.split()) == ["0", "1", "2", "3"], r
    bundle.rt("delete", "--force", cid, check=True)


def test_exec_cwd_env_like_runc(bundle):
    """exec enters --cwd while still privileged, and --env keeps the last value of a name
    (its first place), filling an empty HOME."""
    os.chmod(os.path.join(bundle.rootfs, "root"), 0o700)
    bundle.spec["process"]["env"] = ["PATH=/bin", "A=1"]
    cid = running(bundle)
    r = bundle.rt("exec", "--user", "42:42", "--cwd", "/root", "--env", "A=2",
                  "--env", "HOME=", cid, "sh", "-c", "pwd; id -u")
    assert r.rc == 0 and r.out == "/root\n42\n", r
    r = bundle.rt("exec", "--user", "1000:1000", "--env", "A=2", "--env", "HOME=", cid,
                  "cat", "/proc/self/environ")
    assert r.rc == 0, r
    assert r.out.split("\0")[:-1] == ["PATH=/bin", "A=2", "HOME=/home/user"], r
    bundle.rt("delete", "--force", cid, check=True)
