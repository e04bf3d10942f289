# SPDX-License-Identifier: LGPL-2.1-or-later
"""Regression tests for runc's CVEs: the runtime binary, leaked fds and cwd, masked paths."""
import hashlib
import os

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
