# SPDX-License-Identifier: LGPL-2.1-or-later
"""linux.seccomp: filters are loaded in the container and in exec'd processes."""
import json
import os
import socket
import threading

PODMAN_PROFILE = "/usr/share/containers/seccomp.json"

DENY_MKDIR = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
              "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO",
                            "errnoRet": 1}]}


def seccomp_mode(out):
    return [l.split()[1] for l in out.splitlines() if l.startswith("Seccomp:")][0]


def test_custom_profile_denies_and_allows(bundle):
    bundle.spec["root"]["readonly"] = False
    bundle.spec["linux"]["seccomp"] = DENY_MKDIR
    r = bundle.run("sh", "-c", "grep Seccomp: /proc/self/status; mkdir /tmp/x 2>&1; echo rc=$?; "
                   "touch /tmp/y && echo touched")
    assert r.rc == 0, r
    assert seccomp_mode(r.out) == "2"
    assert "Operation not permitted" in r.out and "rc=1" in r.out and "touched" in r.out


def test_podman_default_profile(bundle):
    if not os.path.exists(PODMAN_PROFILE):
        import pytest
        pytest.skip("podman's seccomp profile is not installed")
    with open(PODMAN_PROFILE) as f:
        bundle.spec["linux"]["seccomp"] = json.load(f)
    r = bundle.run("sh", "-c", "grep Seccomp: /proc/self/status; echo ok")
    assert r.rc == 0 and seccomp_mode(r.out) == "2" and "ok" in r.out, r


def test_profile_applies_with_no_new_privileges_and_non_root(bundle):
    bundle.spec["linux"]["seccomp"] = DENY_MKDIR
    bundle.spec["process"]["noNewPrivileges"] = True
    bundle.spec["process"]["user"] = {"uid": 1000, "gid": 1000}
    r = bundle.run("sh", "-c", "mkdir /tmp/x 2>&1; echo rc=$?")
    assert "rc=1" in r.out and "Operation not permitted" in r.out, r


def test_exec_gets_the_filter(bundle):
    bundle.spec["linux"]["seccomp"] = DENY_MKDIR
    cid, r = bundle.create("sleep", "30")
    assert r.rc == 0, r
    bundle.rt("start", cid, check=True)
    r = bundle.rt("exec", cid, "sh", "-c", "grep Seccomp: /proc/self/status; mkdir /tmp/z 2>&1")
    assert seccomp_mode(r.out) == "2" and "Operation not permitted" in r.out, r
    bundle.rt("delete", "--force", cid, check=True)


def test_bad_profile_is_refused_with_its_path(bundle):
    bundle.spec["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_BOGUS"}
    cid, r = bundle.create("true")
    assert r.rc != 0 and "linux.seccomp.defaultAction" in r.err, r
    assert not os.path.exists(os.path.join(bundle.root, cid))


def test_notify_listener_gets_fd_and_state(bundle, tmp_path):
    path = str(tmp_path / "listener.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    got = {}

    def serve():
        conn, _ = srv.accept()
        msg, anc, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(4))
        got["msg"] = json.loads(msg.decode())
        got["fds"] = len(anc)
        for _, _, data in anc:
            os.close(int.from_bytes(data[:4], "little"))
        conn.close()

    t = threading.Thread(target=serve)
    t.start()
    bundle.spec["linux"]["seccomp"] = {
        "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": path, "listenerMetadata": "meta",
        "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_NOTIFY"}]}
    cid, r = bundle.create("true")
    t.join(10)
    srv.close()
    assert r.rc == 0, r
    assert got["fds"] == 1
    assert got["msg"]["fds"] == ["seccompFd"] and got["msg"]["metadata"] == "meta"
    assert got["msg"]["state"]["id"] == cid
    bundle.rt("delete", "--force", cid, check=True)
