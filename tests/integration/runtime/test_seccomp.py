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


SECCOMP_IOCTL_NOTIF_RECV = 0xC0502100  # _IOWR('!', 0, struct seccomp_notif), 80 bytes
SECCOMP_IOCTL_NOTIF_SEND = 0xC0182101  # _IOWR('!', 1, struct seccomp_notif_resp), 24 bytes
SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1


class ContinueListener:
    """A seccomp agent at listenerPath that lets every notified syscall go on, counting them."""

    def __init__(self, path):
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(path)
        self.srv.listen(4)
        self.stop = False
        self.answered = 0
        self.threads = [threading.Thread(target=self.accept)]
        self.threads[0].start()

    def accept(self):
        self.srv.settimeout(0.1)
        while not self.stop:
            try:
                conn, _ = self.srv.accept()
            except socket.timeout:
                continue
            _, anc, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(4))
            conn.close()
            fd = int.from_bytes(anc[0][2][:4], "little")
            t = threading.Thread(target=self.serve, args=(fd,))
            self.threads.append(t)
            t.start()

    def serve(self, fd):
        import fcntl
        import select
        import struct
        p = select.poll()
        p.register(fd, select.POLLIN)
        try:
            while not self.stop:
                ev = p.poll(100)
                if not ev:
                    continue
                if ev[0][1] & (select.POLLHUP | select.POLLERR):
                    return  # no process is left under the filter
                req = bytearray(80)
                try:
                    fcntl.ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req)
                except OSError:
                    continue  # the caller was gone before we read it
                notif_id = struct.unpack_from("=Q", req)[0]
                resp = bytearray(struct.pack("=QqiI", notif_id, 0, 0,
                                             SECCOMP_USER_NOTIF_FLAG_CONTINUE))
                try:
                    fcntl.ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp)
                    self.answered += 1
                except OSError:
                    pass
        finally:
            os.close(fd)

    def close(self):
        self.stop = True
        for t in self.threads:
            t.join(10)
        self.srv.close()


# What the init, the exec stub and exec's process still do once the filter is loaded (and what
# any program does): each waits on the listener, which must have the fd by then.
IMPORTANT = ["execve", "execveat", "close", "close_range", "write", "exit_group", "futex",
             "openat", "read", "fcntl", "rt_sigaction", "rt_sigprocmask", "prctl", "recvmsg",
             "accept4", "capset", "setresuid", "setresgid", "setgroups", "chdir", "fchdir",
             "umask", "newfstatat", "faccessat", "faccessat2", "brk", "mmap"]


def test_notify_on_important_syscalls_does_not_hang(bundle, tmp_path):
    agent = ContinueListener(str(tmp_path / "agent.sock"))
    bundle.spec["linux"]["seccomp"] = {
        "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": str(tmp_path / "agent.sock"),
        "syscalls": [{"names": IMPORTANT, "action": "SCMP_ACT_NOTIFY"}]}
    try:
        r = bundle.run("sh", "-c", "echo ran", timeout=20)
        assert r.rc == 0 and r.out == "ran\n", r
        cid, r = bundle.create("sleep", "30", timeout=20)
        assert r.rc == 0, r
        bundle.rt("start", cid, check=True, timeout=20)
        r = bundle.rt("exec", cid, "sh", "-c", "echo exec ran", timeout=20)
        assert r.rc == 0 and r.out == "exec ran\n", r
        bundle.rt("delete", "--force", cid, check=True, timeout=20)
        assert agent.answered > 0
    finally:
        agent.close()


def test_notify_on_sendmsg_is_refused(bundle, tmp_path):
    bundle.spec["linux"]["seccomp"] = {
        "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": str(tmp_path / "agent.sock"),
        "syscalls": [{"names": ["sendmsg"], "action": "SCMP_ACT_NOTIFY"}]}
    r = bundle.run("true", timeout=20)
    assert r.rc != 0 and 'SCMP_ACT_NOTIFY cannot be used for "sendmsg"' in r.err, r
