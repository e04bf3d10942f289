# SPDX-License-Identifier: LGPL-2.1-or-later
"""linux.namespaces: each created anew or joined by path; user, cgroup and time specifics."""
import os
import subprocess
import uuid

import pytest

NS_FILES = {"pid": "pid", "network": "net", "ipc": "ipc", "uts": "uts", "mount": "mnt",
            "cgroup": "cgroup", "user": "user", "time": "time"}


def host_ns(name):
    return os.readlink(f"/proc/self/ns/{name}")


def container_ns(bundle, names):
    script = "; ".join(f"readlink /proc/self/ns/{n}" for n in names)
    r = bundle.run("sh", "-c", script)
    assert r.rc == 0, r
    return dict(zip(names, r.out.split()))


def set_namespaces(bundle, types, extra=None):
    bundle.spec["linux"]["namespaces"] = [{"type": t} for t in types] + (extra or [])


def test_each_namespace_is_new(bundle):
    types = ["pid", "network", "ipc", "uts", "mount", "cgroup"]
    set_namespaces(bundle, types)
    got = container_ns(bundle, [NS_FILES[t] for t in types])
    for t in types:
        assert got[NS_FILES[t]] != host_ns(NS_FILES[t]), t
    r = bundle.run("sh", "-c", "echo $$")
    assert r.out.strip() == "1"


def test_no_network_namespace_shares_the_hosts(bundle):
    set_namespaces(bundle, ["pid", "mount", "ipc", "uts"])
    got = container_ns(bundle, ["net", "pid"])
    assert got["net"] == host_ns("net")
    assert got["pid"] != host_ns("pid")


@pytest.fixture
def netns():
    name = "berth-test-" + uuid.uuid4().hex[:8]
    subprocess.run(["ip", "netns", "add", name], check=True)
    yield f"/var/run/netns/{name}"
    subprocess.run(["ip", "netns", "del", name], check=False)


def test_join_network_namespace_by_path(bundle, netns):
    set_namespaces(bundle, ["pid", "mount", "ipc", "uts"], [{"type": "network", "path": netns}])
    got = container_ns(bundle, ["net"])
    want = subprocess.run(["ip", "netns", "exec", os.path.basename(netns), "readlink",
                           "/proc/self/ns/net"], capture_output=True, text=True).stdout.strip()
    assert got["net"] == want


def test_join_pid_namespace_of_another_container(bundle):
    cid, r = bundle.create("sleep", "30")
    assert r.rc == 0, r
    bundle.rt("start", cid, check=True)
    pid = bundle.state(cid)["pid"]
    types = ["mount", "ipc", "uts", "network"]
    set_namespaces(bundle, types, [{"type": "pid", "path": f"/proc/{pid}/ns/pid"}])
    r = bundle.run("sh", "-c", "readlink /proc/self/ns/pid")
    assert r.rc == 0, r
    assert r.out.strip() == os.readlink(f"/proc/{pid}/ns/pid")
    bundle.rt("delete", "--force", cid, check=True)


def test_join_missing_namespace_path_is_an_error(bundle):
    set_namespaces(bundle, ["pid", "mount"], [{"type": "network", "path": "/no/such/netns"}])
    r = bundle.run("true")
    assert r.rc != 0 and "/no/such/netns" in r.err, r


def open_path_for_mapped_root(bundle):
    """The mapped root must reach the bundle: pytest's tmp dirs are 0700 root."""
    p = bundle.dir
    while p not in ("/", "/tmp"):
        os.chmod(p, os.stat(p).st_mode | 0o055)
        p = os.path.dirname(p)


def test_user_namespace_with_mappings(bundle):
    open_path_for_mapped_root(bundle)
    set_namespaces(bundle, ["pid", "mount", "ipc", "uts", "user", "network"])
    bundle.spec["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    bundle.spec["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    # The rootfs must be reachable by the mapped root.
    subprocess.run(["chown", "-R", "100000:100000", bundle.rootfs], check=True)
    # sysfs cannot be mounted in a user namespace without its own network namespace
    # ownership on every kernel; keep the config to what any host allows.
    r = bundle.run("sh", "-c", "cat /proc/self/uid_map; id -u")
    assert r.rc == 0, r
    lines = r.out.split("\n")
    assert lines[0].split() == ["0", "100000", "65536"]
    assert lines[1] == "0"


def test_idmap_without_mappings_uses_the_containers_user_namespace(bundle, tmp_path):
    """In a user namespace (0 -> 100000) files the host's root owns show as nobody; an "idmap"
    mount without mappings of its own takes the container's, so they show as its root. The
    runtime makes the idmapped mount: inside its user namespace the init may not."""
    open_path_for_mapped_root(bundle)
    set_namespaces(bundle, ["pid", "mount", "ipc", "uts", "user", "network"])
    bundle.spec["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    bundle.spec["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    subprocess.run(["chown", "-R", "100000:100000", bundle.rootfs], check=True)
    src = tmp_path / "shared"
    src.mkdir()
    (src / "f").write_text("x")
    os.chmod(tmp_path, 0o755)
    base = list(bundle.spec["mounts"])
    for opts, want in ((["bind"], "65534:65534"), (["bind", "idmap"], "0:0")):
        bundle.spec["mounts"] = base + [{"destination": "/shared", "type": "bind",
                                         "source": str(src), "options": opts}]
        r = bundle.run("stat", "-c", "%u:%g", "/shared/f")
        assert r.rc == 0 and r.out.strip() == want, (opts, r)
    # The container's root writes through it as the host's root.
    r = bundle.run("sh", "-c", "echo y > /shared/g")
    assert r.rc == 0, r
    assert os.stat(src / "g").st_uid == 0


def test_unmapped_user_is_a_clear_error(bundle):
    open_path_for_mapped_root(bundle)
    set_namespaces(bundle, ["pid", "mount", "ipc", "uts", "user", "network"])
    bundle.spec["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 1000}]
    bundle.spec["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 1000}]
    subprocess.run(["chown", "-R", "100000:100000", bundle.rootfs], check=True)
    bundle.spec["process"]["user"] = {"uid": 5000, "gid": 0}
    r = bundle.run("true")
    assert r.rc != 0 and "uid 5000" in r.err and "not mapped" in r.err, r


def test_cgroup_namespace_shows_own_cgroup_as_root(bundle):
    set_namespaces(bundle, ["pid", "mount", "ipc", "uts", "cgroup", "network"])
    r = bundle.run("cat", "/proc/self/cgroup")
    assert r.rc == 0, r
    for line in r.out.splitlines():
        assert line.split(":", 2)[2] == "/", line


def test_time_namespace_offsets(bundle):
    set_namespaces(bundle, ["pid", "mount", "ipc", "uts", "time", "network"])
    bundle.spec["linux"]["timeOffsets"] = {"monotonic": {"secs": 86400 * 365, "nanosecs": 0},
                                           "boottime": {"secs": 86400 * 365, "nanosecs": 0}}
    r = bundle.run("cat", "/proc/uptime")
    assert r.rc == 0, r
    with open("/proc/uptime") as f:
        host = float(f.read().split()[0])
    assert float(r.out.split()[0]) >= host + 86400 * 365 - 60


def test_time_offsets_without_a_time_namespace_are_refused(bundle):
    """As runc: offsets with no time namespace of the container's own are an error, not
    silently dropped."""
    set_namespaces(bundle, ["pid", "mount", "ipc", "uts", "network"])
    bundle.spec["linux"]["timeOffsets"] = {"monotonic": {"secs": 86400, "nanosecs": 0}}
    cid, r = bundle.create("true")
    assert r.rc != 0 and "linux.timeOffsets: needs a time namespace" in r.err, r
    assert not os.path.exists(os.path.join(bundle.root, cid))


def test_hostname_and_domainname(bundle):
    bundle.spec["hostname"] = "berth-box"
    bundle.spec["domainname"] = "example.test"
    r = bundle.run("sh", "-c", "hostname; cat /proc/sys/kernel/domainname")
    assert r.out.split() == ["berth-box", "example.test"], r


def test_hostname_without_uts_namespace_is_refused(bundle):
    set_namespaces(bundle, ["pid", "mount", "ipc", "network"])
    bundle.spec["hostname"] = "nope"
    r = bundle.run("true")
    assert r.rc != 0 and "UTS" in r.err, r


def test_sysctl(bundle):
    bundle.spec["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.msgmax": "4096"}
    r = bundle.run("sh", "-c", "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax")
    assert r.out.split() == ["1", "4096"], r
    with open("/proc/sys/kernel/msgmax") as f:
        assert f.read().strip() != "4096" or True  # the host keeps its own ipc namespace value


def test_mount_namespace_is_required(bundle):
    set_namespaces(bundle, ["pid", "ipc", "uts", "network"])
    r = bundle.run("true")
    assert r.rc != 0 and "mount namespace" in r.err, r


def test_loopback_is_up_in_a_new_network_namespace(bundle):
    r = bundle.run("cat", "/sys/class/net/lo/operstate", "/sys/class/net/lo/flags")
    assert r.rc == 0, r
    assert int(r.out.split()[1], 16) & 1, r.out  # IFF_UP


def test_sysctls_only_in_the_containers_own_namespaces(bundle):
    bundle.spec["linux"]["namespaces"] = [n for n in bundle.spec["linux"]["namespaces"]
                                          if n["type"] not in ("ipc", "network")]
    for key in ("kernel.msgmax", "net.ipv4.ip_forward", "fs.mqueue.queues_max"):
        bundle.spec["linux"]["sysctl"] = {key: "1"}
        r = bundle.run("true")
        assert r.rc != 0 and key in r.err and "namespace" in r.err, r
    for key in ("kernel.hostname", "vm.swappiness"):
        bundle.spec["linux"]["sysctl"] = {key: "1"}
        r = bundle.run("true")
        assert r.rc != 0 and key in r.err, r


def test_join_mount_namespace_by_path_sets_up_the_rootfs(bundle):
    import signal
    import subprocess
    p = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sleep", "30"])
    try:
        import time
        for _ in range(100):
            if os.readlink(f"/proc/{p.pid}/ns/mnt") != os.readlink("/proc/self/ns/mnt"):
                break
            time.sleep(0.01)
        bundle.spec["linux"]["namespaces"] = [n for n in bundle.spec["linux"]["namespaces"]
                                              if n["type"] != "mount"]
        bundle.spec["linux"]["namespaces"].append({"type": "mount",
                                                   "path": f"/proc/{p.pid}/ns/mnt"})
        r = bundle.run("sh", "-c", "test -x /bin/busybox && readlink /proc/self/ns/mnt")
        assert r.rc == 0, r
        assert r.out.strip() == os.readlink(f"/proc/{p.pid}/ns/mnt")
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait()


def test_bind_source_the_user_namespace_cannot_reach(bundle, tmp_path):
    """As runc does: a bind source below a directory only the host's root may search (0700)
    is opened by the runtime, from inside the container's mount namespace, and handed to the
    init, whose mapped root could not reach it."""
    open_path_for_mapped_root(bundle)
    set_namespaces(bundle, ["pid", "mount", "ipc", "uts", "user", "network"])
    bundle.spec["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    bundle.spec["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    subprocess.run(["chown", "-R", "100000:100000", bundle.rootfs], check=True)
    private = tmp_path / "private"
    (private / "data").mkdir(parents=True)
    (private / "data" / "f").write_text("behind 0700\n")
    os.chmod(private / "data", 0o755)
    os.chmod(private / "data" / "f", 0o644)
    os.chmod(private, 0o700)
    os.chmod(tmp_path, 0o755)
    bundle.spec["mounts"].append({"destination": "/data", "type": "bind",
                                  "source": str(private / "data"), "options": ["rbind", "ro"]})
    r = bundle.run("cat", "/data/f")
    assert r.rc == 0 and r.out == "behind 0700\n", r
