# SPDX-License-Identifier: LGPL-2.1-or-later
"""Regression tests for runc's CVEs: the runtime binary, leaked fds and cwd, masked paths."""
import hashlib
import os

from runtime_env import RUNTIME


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_cve_2019_5736_runtime_binary_not_writable_from_container(bundle):
    """The init runs from a sealed memfd: its /proc/<pid>/exe cannot be written, and the
    container re-executing /proc/self/exe gets that copy, not the host binary."""
    before = sha(RUNTIME)
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
    # The attack itself: an entrypoint "#!/proc/self/exe" makes the kernel run the init's
    # executable as the container's process; that is the sealed copy, so the container then
    # runs (and could only ever touch) the copy, never the host's file.
    evil = os.path.join(bundle.rootfs, "bin", "evil")
    with open(evil, "w") as f:
        f.write("#!/proc/self/exe\n")
    os.chmod(evil, 0o755)
    r = bundle.run("/bin/evil")
    # Either the kernel runs the copy (which then refuses "/bin/evil" as a command) or it does
    # not resolve the interpreter at all; the host's binary is never what runs.
    assert (r.rc == 2 and "unknown command" in r.err) or "exec `/bin/evil`" in r.err, r
    assert sha(RUNTIME) == before


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
