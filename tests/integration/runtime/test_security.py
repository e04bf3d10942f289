# SPDX-License-Identifier: LGPL-2.1-or-later
"""Regression tests for runc's CVEs (the runtime binary, leaked fds and cwd, masked paths) and
for issue 8's security items: empty capability sets, a non-dumpable init on every start path,
symlinked special mount destinations and console targets, outside files read whole."""
import fcntl
import hashlib
import json
import os
import select
import socket
import struct
import subprocess
import threading
import time

from runtime_env import RUNTIME


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def shebang_self(bundle):
    """The attack's entrypoint: "#!/proc/self/exe" makes the kernel execute the executable of
    whoever executes it, i.e. of the container's init at that moment."""
    evil = os.path.join(bundle.rootfs, "bin", "evil")
    with open(evil, "w") as f:
        f.write("#!/proc/self/exe\n")
    os.chmod(evil, 0o755)
    return "/bin/evil"


def test_cve_2019_5736_fast_path_init_is_hidden_and_program_runs_via_stub(bundle):
    """The default config takes the fast path: the init keeps the runtime's image but is
    non-dumpable, so no process in the container can open its /proc/<pid>/exe, and the program
    is executed through the sealed exec stub, which is all "#!/proc/self/exe" ever reaches."""
    before = sha(RUNTIME)
    cid, r = bundle.create("sleep", "30")
    assert r.rc == 0, r
    pid = bundle.state(cid)["pid"]
    assert os.path.realpath(os.readlink(f"/proc/{pid}/exe")) == os.path.realpath(RUNTIME)
    with open(f"/proc/{pid}/status") as f:
        assert "\nUid:\t0" in f.read()
    # From inside the (created) container: the init's executable is out of reach.
    e = bundle.rt("exec", cid, "sh", "-c", "cat /proc/1/exe >/dev/null && echo OPENED")
    assert "OPENED" not in e.out, e
    assert "denied" in e.err.lower(), e
    # Started: the container's process is the program, the stub is gone.
    bundle.rt("start", cid, check=True)
    assert os.readlink(f"/proc/{pid}/exe").endswith("busybox")
    bundle.rt("delete", "--force", cid, check=True)
    # The attack: the kernel executes the stub (a sealed memfd), which refuses to be a command.
    r = bundle.run(shebang_self(bundle))
    assert r.rc == 127 and "exec stub" in r.err, r
    assert sha(RUNTIME) == before


def test_cve_2019_5736_with_sys_ptrace_init_runs_from_sealed_copy(bundle):
    """CAP_SYS_PTRACE opens a non-dumpable process's /proc/<pid>/exe: such containers get the
    init re-executed from a sealed memfd copy of the runtime."""
    before = sha(RUNTIME)
    caps = bundle.spec["process"]["capabilities"]
    for k in caps:
        caps[k] = caps[k] + ["CAP_SYS_PTRACE"]
    cid, r = bundle.create("sleep", "30")
    assert r.rc == 0, r
    pid = bundle.state(cid)["pid"]
    assert "memfd:" in os.readlink(f"/proc/{pid}/exe")
    try:
        fd = os.open(f"/proc/{pid}/exe", os.O_WRONLY)
        os.close(fd)
        raise AssertionError("/proc/<init>/exe opened for writing")
    except OSError:
        pass
    bundle.rt("delete", "--force", cid, check=True)
    # The container re-executing /proc/self/exe gets that copy, never the host's file.
    r = bundle.run(shebang_self(bundle))
    assert (r.rc == 2 and "unknown command" in r.err) or 'exec: "/bin/evil"' in r.err, r
    assert sha(RUNTIME) == before


def test_cve_2019_5736_exec_through_stub_or_sealed_copy(bundle):
    """`exec` takes the same two paths: the stub for a process it changes nothing for, a
    sealed copy of the runtime for one with CAP_SYS_PTRACE."""
    before = sha(RUNTIME)
    evil = shebang_self(bundle)
    cid, r = bundle.create("sleep", "30")
    assert r.rc == 0, r
    bundle.rt("start", cid, check=True)
    r = bundle.rt("exec", cid, evil)
    assert r.rc != 0 and "exec stub" in r.err, r
    r = bundle.rt("exec", "--cap", "CAP_SYS_PTRACE", cid, evil)
    # The copy refuses "/bin/evil" as a command, or (a dynamically linked build, as the
    # sanitizer one) the kernel finds no ELF interpreter for it in the container.
    assert r.rc != 0 and ("unknown command" in r.err or 'exec: "/bin/evil"' in r.err), r
    # Both report a program the kernel refuses the same way.
    bad = os.path.join(bundle.rootfs, "bin", "bad")
    with open(bad, "w") as f:
        f.write("this is not a program\n")
    os.chmod(bad, 0o755)
    for extra in ((), ("--cap", "CAP_SYS_PTRACE")):
        r = bundle.rt("exec", *extra, cid, "/bin/bad")
        assert r.rc != 0 and 'exec: "/bin/bad": exec format error' in r.err, (extra, r)
    r = bundle.rt("exec", cid, "sh", "-c", "echo fine")
    assert r.rc == 0 and r.out.strip() == "fine", r
    bundle.rt("delete", "--force", cid, check=True)
    assert sha(RUNTIME) == before


def test_exec_failure_reported_through_the_stub(bundle):
    """A program the kernel refuses (here: not an executable format) is reported by the stub
    just as a direct execve() failure is, and nothing is left behind."""
    bad = os.path.join(bundle.rootfs, "bin", "bad")
    with open(bad, "w") as f:
        f.write("this is not a program\n")
    os.chmod(bad, 0o755)
    r = bundle.run("/bin/bad")
    assert r.rc != 0 and 'exec: "/bin/bad": exec format error' in r.err, r
    # The same through the sealed copy (no stub).
    bundle.spec["process"]["capabilities"]["bounding"].append("CAP_SYS_PTRACE")
    r = bundle.run("/bin/bad")
    assert r.rc != 0 and 'exec: "/bin/bad": exec format error' in r.err, r


def test_seccomp_profile_without_execveat_still_runs(bundle):
    """The stub needs execveat under the container's filter: a profile that denies it sends the
    init down the sealed-copy path instead of failing the container."""
    bundle.spec["linux"]["seccomp"] = {
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["execveat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}],
    }
    r = bundle.run("sh", "-c", "echo ran")
    assert r.rc == 0 and r.out.strip() == "ran", r


def test_cve_2024_21626_no_host_fd_or_cwd_leak(bundle):
    r = bundle.run("sh", "-c", "ls -l /proc/self/fd/ | grep -v ' [012] ->' | grep -- '->' || "
                   "echo none; readlink /proc/1/cwd")
    assert r.rc == 0, r
    lines = r.out.splitlines()
    # Only the fd ls itself opens for the directory may remain.
    leaked = [l for l in lines[:-1] if "/proc/" not in l and "none" not in l]
    assert not leaked, leaked
    assert lines[-1] == "/", r


def test_cve_2024_21626_cwd_through_magic_link_is_refused(bundle):
    bundle.spec["process"]["cwd"] = "/proc/self/fd/7"
    r = bundle.run("sh", "-c", "pwd; ls ..")
    assert r.rc != 0 and "process.cwd" in r.err, r


def test_cve_2025_31133_masked_paths_cannot_be_raced(bundle, tmp_path):
    """A container that swaps /dev/null for a link before masking (here a createContainer hook
    does it, in the container's mount namespace) must not get a writable bind of the link's
    target: the create fails instead."""
    with open("/proc/sys/kernel/core_pattern") as f:
        core_before = f.read()
    hook = tmp_path / "swap.sh"
    hook.write_text("#!/bin/sh\nrm -f \"$1/dev/null\"\n"
                    "ln -s /proc/sys/kernel/core_pattern \"$1/dev/null\"\n")
    hook.chmod(0o755)
    bundle.spec["hooks"] = {"createContainer": [{"path": str(hook),
                                                 "args": [str(hook), bundle.rootfs]}]}
    bundle.spec["linux"]["maskedPaths"] = ["/proc/kcore"]
    r = bundle.run("sh", "-c", "echo '|/tmp/pwn' > /proc/kcore; echo wrote")
    assert r.rc != 0 and "/dev/null" in r.err, r
    with open("/proc/sys/kernel/core_pattern") as f:
        assert f.read() == core_before


def cap_lines(out):
    """The five capability sets of /proc/self/status, as {"CapBnd": int, ...}."""
    sets = {}
    for line in out.splitlines():
        k, _, v = line.partition(":")
        if k.startswith("Cap"):
            sets[k] = int(v.strip(), 16)
    assert set(sets) == {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}, out
    return sets


def test_empty_capabilities_object_drops_every_capability(bundle):
    """`"capabilities": {}` (what podman sends for --cap-drop ALL): a missing set is an empty
    set, the bounding set included, with or without noNewPrivileges, for root and for the
    container's later exec alike."""
    bundle.spec["process"]["capabilities"] = {}
    for nnp in (False, True):
        bundle.spec["process"]["noNewPrivileges"] = nnp
        r = bundle.run("grep", "Cap", "/proc/self/status")
        assert r.rc == 0, r
        assert cap_lines(r.out) == dict.fromkeys(cap_lines(r.out), 0), (nnp, r)
    # Only some sets given: the others, bounding included, are empty.
    bundle.spec["process"]["capabilities"] = {"effective": ["CAP_CHOWN"],
                                              "permitted": ["CAP_CHOWN"]}
    r = bundle.run("grep", "Cap", "/proc/self/status")
    assert r.rc == 0, r
    assert cap_lines(r.out)["CapBnd"] == 0, r


def test_empty_capabilities_object_in_exec(bundle, tmp_path):
    """The same for `exec`: the container's process ({}), `--process FILE` with {}, and
    `--cap` added to a process that had {}."""
    bundle.spec["process"]["capabilities"] = {}
    cid, r = bundle.create("sleep", "60")
    assert r.rc == 0, r
    bundle.rt("start", cid, check=True)
    r = bundle.rt("exec", cid, "grep", "Cap", "/proc/self/status")
    assert r.rc == 0, r
    assert not any(cap_lines(r.out).values()), r
    proc = dict(bundle.spec["process"], args=["grep", "Cap", "/proc/self/status"],
                capabilities={})
    pf = tmp_path / "process.json"
    pf.write_text(json.dumps(proc))
    r = bundle.rt("exec", "--process", str(pf), cid)
    assert r.rc == 0, r
    assert not any(cap_lines(r.out).values()), r
    r = bundle.rt("exec", "--cap", "CAP_CHOWN", cid, "grep", "Cap", "/proc/self/status")
    assert r.rc == 0, r
    assert cap_lines(r.out)["CapBnd"] == 1, r  # CAP_CHOWN is bit 0
    bundle.rt("delete", "--force", cid, check=True)


# Run by another process of the container against the init while the init is still the
# runtime (created, not started): each line it prints is an access that must not work.
PEEK_AT_INIT = ("cat /proc/1/environ 2>/dev/null | tr '\\0' '\\n' | grep -q . && echo ENVIRON; "
                "for f in /proc/1/fd/*; do readlink $f; done 2>/dev/null | grep -q . && echo FD; "
                "(exec 3<>/proc/1/mem) 2>/dev/null && echo MEM; echo peeked")


def peek_at_created_init(bundle, exec_args=()):
    """Creates the container with a secret in the runtime's environment and has an exec'd
    process of the container try to look into the init; returns what it managed to do."""
    env = dict(os.environ, BERTH_CALLER_SECRET="s3cret-of-the-caller")
    cid, r = bundle.create("true", env=env)
    assert r.rc == 0, r
    argv = () if "--process" in exec_args else ("sh", "-c", PEEK_AT_INIT)
    e = bundle.rt("exec", *exec_args, cid, *argv)
    bundle.rt("delete", "--force", cid, check=True)
    assert "peeked" in e.out, e
    return e.out.split()[:-1]


def test_init_stays_non_dumpable_on_the_stub_path(bundle):
    assert peek_at_created_init(bundle) == []


def test_init_stays_non_dumpable_on_the_sealed_copy_path_seccomp(bundle):
    """A profile that denies what the stub needs sends the init through a sealed copy of the
    runtime; that execve() must not make it dumpable (its environ, fds and memory would be
    open to the container)."""
    bundle.spec["linux"]["seccomp"] = {
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["execveat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}],
    }
    assert peek_at_created_init(bundle) == []


def test_init_stays_non_dumpable_on_the_sealed_copy_path_ptrace(bundle, tmp_path):
    """CAP_SYS_PTRACE in the bounding set (the sealed copy's other reason): a process of the
    container that does not hold it (noNewPrivileges keeps it out of the permitted set) must
    not look into the init either."""
    caps = bundle.spec["process"]["capabilities"]
    caps["bounding"] = caps["bounding"] + ["CAP_SYS_PTRACE"]
    proc = dict(bundle.spec["process"], args=["sh", "-c", PEEK_AT_INIT], noNewPrivileges=True)
    pf = tmp_path / "process.json"
    pf.write_text(json.dumps(proc))
    assert peek_at_created_init(bundle, ("--process", str(pf))) == []


def test_special_mount_destination_that_is_a_symlink_is_refused(bundle):
    """A rootfs whose /proc, /sys or /dev is a symlink: runc refuses to mount proc or sysfs
    through it ("must be mounted on ordinary directory"); mounting through it would put the
    real filesystem somewhere else and leave the container's /proc whatever the link names."""
    for dest in ("proc", "sys", "dev"):
        path = os.path.join(bundle.rootfs, dest)
        os.rmdir(path)
        os.makedirs(os.path.join(bundle.rootfs, "fake" + dest))
        os.symlink("fake" + dest, path)
        r = bundle.run("true")
        assert r.rc != 0 and f"`/{dest}`" in r.err and "symlink" in r.err, (dest, r)
        os.unlink(path)
        os.mkdir(path)
        assert not os.listdir(os.path.join(bundle.rootfs, "fake" + dest)), dest
    # A trailing slash in the destination does not make the link followed.
    os.rmdir(os.path.join(bundle.rootfs, "proc"))
    os.symlink("tmp", os.path.join(bundle.rootfs, "proc"))
    for m in bundle.spec["mounts"]:
        if m["destination"] == "/proc":
            m["destination"] = "/proc/"
    r = bundle.run("true")
    assert r.rc != 0 and "`/proc/`" in r.err and "symlink" in r.err, r
    os.unlink(os.path.join(bundle.rootfs, "proc"))
    os.mkdir(os.path.join(bundle.rootfs, "proc"))
    for m in bundle.spec["mounts"]:
        if m["destination"] == "/proc/":
            m["destination"] = "/proc"
    # A regular file there is refused the same way, by name.
    os.rmdir(os.path.join(bundle.rootfs, "proc"))
    open(os.path.join(bundle.rootfs, "proc"), "w").close()
    r = bundle.run("true")
    assert r.rc != 0 and "`/proc`" in r.err and "not a directory" in r.err, r


def console_target_case(bundle, tmp_path, make):
    """Creates with a terminal into a rootfs whose own /dev is used (no tmpfs over it) and
    whose /dev/console is made by make(path); returns the create's result."""
    bundle.spec["mounts"] = [m for m in bundle.spec["mounts"] if m["destination"] != "/dev"]
    bundle.spec["process"]["terminal"] = True
    bundle.spec["root"]["readonly"] = False  # an absent one is created
    console = os.path.join(bundle.rootfs, "dev", "console")
    if os.path.lexists(console):
        os.unlink(console)
    make(console)
    path = str(tmp_path / "console.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    try:
        cid, r = bundle.create("true", extra=("--console-socket", path))
        if r.rc == 0:
            bundle.rt("delete", "--force", cid, check=True)
    finally:
        srv.close()
        os.unlink(path)
    return r


def test_console_target_must_be_a_regular_file(bundle, tmp_path):
    """The pty is bound onto the rootfs's /dev/console: a symlink there (here to a host sysctl
    through the container's /proc) or a FIFO is refused, naming it; a regular file or none is
    fine."""
    r = console_target_case(bundle, tmp_path,
                            lambda p: os.symlink("/proc/sys/kernel/core_pattern", p))
    assert r.rc != 0 and "/dev/console" in r.err and "symlink" in r.err, r
    r = console_target_case(bundle, tmp_path, os.mkfifo)
    assert r.rc != 0 and "/dev/console" in r.err and "regular file" in r.err, r
    r = console_target_case(bundle, tmp_path, lambda p: open(p, "w").close())
    assert r.rc == 0, r
    r = console_target_case(bundle, tmp_path, lambda p: None)
    assert r.rc == 0, r


def test_config_json_must_be_a_small_regular_file(bundle):
    """config.json is outside input: a FIFO must not hang create, a link to /dev/zero must not
    eat the memory, an oversized file is refused; each error names the file (and the limit)."""
    bundle.write()
    cfg = os.path.join(bundle.dir, "config.json")
    os.rename(cfg, cfg + ".real")
    try:
        os.mkfifo(cfg)
        r = bundle.rt("create", "--bundle", bundle.dir, bundle.new_id(), timeout=10)
        assert r.rc != 0 and "config.json" in r.err and "FIFO" in r.err, r
        os.unlink(cfg)
        os.symlink("/dev/zero", cfg)
        r = bundle.rt("create", "--bundle", bundle.dir, bundle.new_id(), timeout=10)
        assert r.rc != 0 and "config.json" in r.err and "character device" in r.err, r
        os.unlink(cfg)
        big = dict(bundle.spec, annotations={"pad": "x" * (5 << 20)})
        with open(cfg, "w") as f:
            json.dump(big, f)
        r = bundle.rt("create", "--bundle", bundle.dir, bundle.new_id(), timeout=10)
        assert r.rc != 0 and "config.json" in r.err and "4 MiB" in r.err, r
    finally:
        if os.path.lexists(cfg):
            os.unlink(cfg)
        os.rename(cfg + ".real", cfg)


def test_process_resources_and_state_files_must_be_regular(bundle, tmp_path):
    """The same for `exec --process FILE`, `update -r FILE` and a state.json a hostile root
    dir could hold: refused by name, without hanging."""
    cid, r = bundle.create("sleep", "60")
    assert r.rc == 0, r
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    r = bundle.rt("exec", "--process", fifo, cid, timeout=10)
    assert r.rc != 0 and fifo in r.err and "FIFO" in r.err, r
    r = bundle.rt("exec", "--process", "/dev/zero", cid, timeout=10)
    assert r.rc != 0 and "/dev/zero" in r.err and "character device" in r.err, r
    r = bundle.rt("update", "-r", fifo, cid, timeout=10)
    assert r.rc != 0 and fifo in r.err and "FIFO" in r.err, r
    r = bundle.rt("update", "-r", "-", cid, timeout=10, input=" " * (5 << 20))
    assert r.rc != 0 and "4 MiB" in r.err, r
    state = os.path.join(bundle.root, cid, "state.json")
    os.rename(state, state + ".real")
    os.mkfifo(state)
    try:
        r = bundle.rt("state", cid, timeout=10)
        assert r.rc != 0 and "state.json" in r.err and "FIFO" in r.err, r
    finally:
        os.unlink(state)
        os.rename(state + ".real", state)
    bundle.rt("delete", "--force", cid, check=True)


def test_container_passwd_that_is_a_fifo_does_not_hang(bundle):
    """HOME comes from the rootfs's /etc/passwd when process.env has none: a FIFO (or a link
    to /dev/zero) there is skipped, never waited on or read without end."""
    bundle.spec["process"]["env"] = [e for e in bundle.spec["process"]["env"]
                                     if not e.startswith("HOME=")]
    passwd = os.path.join(bundle.rootfs, "etc", "passwd")
    os.unlink(passwd)
    os.mkfifo(passwd)
    r = bundle.run("sh", "-c", "echo HOME=$HOME", timeout=10)
    assert r.rc == 0 and r.out.strip() == "HOME=/", r
    os.unlink(passwd)
    os.symlink("/dev/zero", passwd)
    r = bundle.run("sh", "-c", "echo HOME=$HOME", timeout=10)
    assert r.rc == 0 and r.out.strip() == "HOME=/", r


class NotifyListener:
    """A seccomp notify agent on a unix socket (linux.seccomp.listenerPath): collects the
    listener fd of each process in order; hold(i) keeps the syscalls of process i waiting,
    every other one is let through (SECCOMP_USER_NOTIF_FLAG_CONTINUE)."""

    RECV = 0xC0502100  # SECCOMP_IOCTL_NOTIF_RECV, struct seccomp_notif (80 bytes)
    SEND = 0xC0182101  # SECCOMP_IOCTL_NOTIF_SEND, struct seccomp_notif_resp (24 bytes)

    def __init__(self, path, held):
        self.path, self.held = path, held
        self.fds, self.pending, self.stop = [], {}, False
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(path)
        self.srv.listen(8)
        self.threads = [threading.Thread(target=self._accept, daemon=True),
                        threading.Thread(target=self._serve, daemon=True)]
        for t in self.threads:
            t.start()

    def _accept(self):
        while not self.stop:
            try:
                conn, _ = self.srv.accept()
            except OSError:
                return
            _, anc, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(4))
            for _, _, data in anc:
                self.fds.append(int.from_bytes(data[:4], "little"))
            conn.close()

    def _serve(self):
        while not self.stop:
            fds = list(self.fds)
            if not fds:
                time.sleep(0.01)
                continue
            ready, _, _ = select.select(fds, [], [], 0.05)
            for fd in ready:
                buf = bytearray(80)
                try:
                    fcntl.ioctl(fd, self.RECV, buf, True)
                except OSError:
                    continue
                nid, pid = struct.unpack_from("QI", buf)
                if fds.index(fd) == self.held and fd not in self.pending:
                    self.pending[fd] = (nid, pid)
                    continue
                self._send(fd, nid)

    def _send(self, fd, nid):
        try:
            fcntl.ioctl(fd, self.SEND, bytearray(struct.pack("QqiI", nid, 0, 0, 1)), True)
        except OSError:
            pass

    def wait_held(self, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.pending:
                return next(iter(self.pending.values()))[1]
            time.sleep(0.02)
        raise AssertionError("the held process never reached its notified syscall")

    def release(self):
        self.held = None
        for fd, (nid, _) in list(self.pending.items()):
            self._send(fd, nid)
        self.pending.clear()

    def close(self):
        self.release()
        self.stop = True
        self.srv.close()
        for t in self.threads:
            t.join(2)
        for fd in self.fds:
            os.close(fd)


def container_pid(host_pid):
    with open(f"/proc/{host_pid}/status") as f:
        for line in f:
            if line.startswith("NSpid:"):
                return line.split()[-1]
    raise AssertionError(f"no NSpid for {host_pid}")


def test_processes_in_the_exec_stub_stay_non_dumpable(bundle, tmp_path):
    """The stub is no program of the container's: while it runs (here held in its execve() of
    the program by a seccomp notify rule), the init (after start) and an exec'd process must
    stay as closed to the container as the runtime was."""
    for target in ("init", "exec"):
        path = str(tmp_path / f"{target}.sock")
        # The init's filter is the first to reach the listener; exec's then comes second.
        listener = NotifyListener(path, 0 if target == "init" else 1)
        bundle.spec["linux"]["seccomp"] = {
            "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": path,
            "syscalls": [{"names": ["execve"], "action": "SCMP_ACT_NOTIFY"}]}
        bundle.spec["process"]["env"] = bundle.spec["process"]["env"] + ["MARK=in-env"]
        cid, r = bundle.create("sleep", "60")
        procs = []
        try:
            assert r.rc == 0, r
            start = [RUNTIME, "--root", bundle.root, "start", cid]
            if target == "init":
                procs.append(subprocess.Popen(start, stdout=subprocess.DEVNULL))
            else:
                bundle.rt("start", cid, check=True)
                procs.append(subprocess.Popen([RUNTIME, "--root", bundle.root, "exec", cid,
                                               "true"], stdout=subprocess.DEVNULL))
            pid = container_pid(listener.wait_held())
            peek = PEEK_AT_INIT.replace("/proc/1/", f"/proc/{pid}/")
            e = bundle.rt("exec", cid, "sh", "-c", peek)
            assert "peeked" in e.out, (target, e)
            assert e.out.split()[:-1] == [], (target, e)
        finally:
            listener.close()
            for p in procs:
                p.wait(10)
            bundle.rt("delete", "--force", cid)
