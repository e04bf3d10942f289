# SPDX-License-Identifier: LGPL-2.1-or-later
"""Root filesystem: pivot, readonly root, mounts, masked and read-only paths, devices."""
import os
import stat


def test_readonly_root(bundle):
    bundle.spec["root"]["readonly"] = True
    r = bundle.run("sh", "-c", "touch /x 2>&1; echo rc=$?; touch /tmp/y 2>&1; echo rc2=$?")
    assert "rc=1" in r.out, r


def test_no_pivot(bundle):
    bundle.write()
    bundle.args("sh", "-c", "ls /; echo ok")
    bundle.write()
    r = bundle.rt("run", "--no-pivot", "--bundle", bundle.dir, bundle.new_id())
    assert r.rc == 0 and "ok" in r.out, r


def test_bind_mounts_rw_and_ro(bundle, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    (src / "f").write_text("host data\n")
    f = tmp_path / "single"
    f.write_text("one file\n")
    bundle.spec["mounts"] += [
        {"destination": "/rw", "type": "bind", "source": str(src), "options": ["rbind", "rw"]},
        {"destination": "/ro", "type": "bind", "source": str(src), "options": ["bind", "ro"]},
        {"destination": "/etc/single", "type": "bind", "source": str(f), "options": ["bind"]},
    ]
    r = bundle.run("sh", "-c", "cat /rw/f /etc/single; echo new > /rw/g; "
                   "echo x > /ro/h 2>/dev/null; echo ro=$?")
    assert r.rc == 0, r
    assert r.out == "host data\none file\nro=1\n"
    assert (src / "g").read_text() == "new\n"
    assert not (src / "h").exists()


def test_relative_bind_source_is_relative_to_bundle(bundle):
    os.mkdir(os.path.join(bundle.dir, "rel"))
    with open(os.path.join(bundle.dir, "rel", "x"), "w") as f:
        f.write("rel\n")
    bundle.spec["mounts"].append({"destination": "/rel", "type": "bind", "source": "rel",
                                  "options": ["bind"]})
    r = bundle.run("cat", "/rel/x")
    assert r.out == "rel\n", r


def test_recursive_readonly_and_tmpfs_options(bundle, tmp_path):
    src = tmp_path / "tree"
    src.mkdir()
    bundle.spec["mounts"] += [
        {"destination": "/tree", "type": "bind", "source": str(src),
         "options": ["rbind", "rro", "rnosuid"]},
        {"destination": "/scratch", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "nodev", "mode=700", "size=1m"]},
    ]
    r = bundle.run("sh", "-c", "grep -E ' /(tree|scratch) ' /proc/self/mountinfo; "
                   "stat -c %a /scratch")
    assert r.rc == 0, r
    tree = [l for l in r.out.splitlines() if " /tree " in l][0]
    scratch = [l for l in r.out.splitlines() if " /scratch " in l][0]
    assert " ro," in tree and "nosuid" in tree
    assert "size=1024k" in scratch and "nodev" in scratch
    assert r.out.splitlines()[-1] == "700"


def test_propagation_option(bundle, tmp_path):
    src = tmp_path / "p"
    src.mkdir()
    bundle.spec["mounts"].append({"destination": "/p", "type": "bind", "source": str(src),
                                  "options": ["rbind", "rprivate"]})
    r = bundle.run("grep", " /p ", "/proc/self/mountinfo")
    assert r.rc == 0 and "shared:" not in r.out and "master:" not in r.out, r


def test_destination_through_symlink_stays_in_rootfs(bundle, tmp_path):
    # An image link pointing out of the rootfs must resolve inside it.
    os.symlink("/etc", os.path.join(bundle.rootfs, "evil"))
    src = tmp_path / "payload"
    src.mkdir()
    bundle.spec["mounts"].append({"destination": "/evil/berth-escape", "type": "bind",
                                  "source": str(src), "options": ["bind"]})
    r = bundle.run("true")
    assert r.rc == 0, r
    assert not os.path.exists("/etc/berth-escape")
    assert os.path.isdir(os.path.join(bundle.rootfs, "etc", "berth-escape"))


def test_masked_and_readonly_paths(bundle):
    r = bundle.run("sh", "-c", "wc -c < /proc/keys; ls /proc/acpi 2>/dev/null | wc -l; "
                   "echo 1 > /proc/sys/kernel/ns_last_pid 2>/dev/null; echo rc=$?")
    assert r.rc == 0, r
    lines = r.out.split()
    assert lines[0] == "0"
    assert lines[1] == "0"
    assert lines[2] == "rc=1"


def test_default_devices_and_links(bundle):
    r = bundle.run("sh", "-c", "for d in null zero full random urandom tty; do "
                   "stat -c '%n %t:%T %a' /dev/$d; done; "
                   "for l in fd ptmx stdin; do readlink /dev/$l; done; "
                   "echo x > /dev/null && head -c 4 /dev/zero | wc -c")
    assert r.rc == 0, r
    out = r.out.splitlines()
    assert out[0] == "/dev/null 1:3 666"
    assert out[5] == "/dev/tty 5:0 666"
    assert out[6:9] == ["/proc/self/fd", "pts/ptmx", "/proc/self/fd/0"]
    assert out[9] == "4"


def test_linux_devices(bundle):
    bundle.spec["linux"]["devices"] = [
        {"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 0o640,
         "uid": 1000, "gid": 1000},
        {"path": "/dev/sub/mynull", "type": "c", "major": 1, "minor": 3},
    ]
    r = bundle.run("sh", "-c", "stat -c '%t:%T %a %u:%g' /dev/fuse; echo hi > /dev/sub/mynull; "
                   "echo rc=$?")
    assert r.rc == 0, r
    assert r.out.split("\n")[0] == "a:e5 640 1000:1000"
    assert "rc=0" in r.out


def test_cgroup_mount(bundle):
    r = bundle.run("sh", "-c", "ls /sys/fs/cgroup; grep ' /sys/fs/cgroup' /proc/self/mountinfo "
                   "| head -1")
    assert r.rc == 0, r
    assert r.out.strip(), r
    # The cgroup mount is read-only in the default config.
    r = bundle.run("sh", "-c", "mkdir /sys/fs/cgroup/x 2>/dev/null; echo rc=$?")
    assert "rc=1" in r.out


def test_rootfs_propagation(bundle):
    bundle.spec["linux"]["rootfsPropagation"] = "private"
    r = bundle.run("awk", "$5 == \"/\"", "/proc/self/mountinfo")
    assert r.rc == 0 and r.out, r
    assert "shared:" not in r.out and "master:" not in r.out


def test_dev_console_with_terminal_absent(bundle):
    r = bundle.run("sh", "-c", "test -c /dev/console && echo yes || echo no")
    assert r.rc == 0, r


def test_shared_rootfs_propagation(bundle):
    bundle.spec["linux"]["rootfsPropagation"] = "shared"
    r = bundle.run("awk", "$5 == \"/\"", "/proc/self/mountinfo")
    assert r.rc == 0 and "shared:" in r.out, r


def test_device_outside_dev(bundle):
    bundle.spec["linux"]["devices"] = [{"path": "/opt/mynull", "type": "c", "major": 1,
                                        "minor": 3, "fileMode": 0o666}]
    r = bundle.run("sh", "-c", "echo x > /opt/mynull && echo ok")
    assert r.rc == 0 and "ok" in r.out, r


def test_unbindable_rootfs_propagation(bundle):
    bundle.spec["linux"]["rootfsPropagation"] = "unbindable"
    r = bundle.run("awk", "$5 == \"/\"", "/proc/self/mountinfo")
    assert r.rc == 0 and "unbindable" in r.out, r


def test_idmapped_bind_mount(bundle, tmp_path):
    """uidMappings/gidMappings map the source's ids to the mount's: with 0 -> 1000, files the
    host's root owns show as 1000 in the container, through an idmapped mount
    (MOUNT_ATTR_IDMAP), while the host's files keep their owner."""
    src = tmp_path / "idmap-src"
    sub = src / "sub"
    sub.mkdir(parents=True)
    (src / "f").write_text("x")
    (sub / "g").write_text("y")
    os.chown(src / "f", 0, 0)
    one = [{"containerID": 0, "hostID": 1000, "size": 1}]
    bundle.spec["mounts"].append({"destination": "/data", "type": "bind", "source": str(src),
                                  "options": ["rbind", "idmap"], "uidMappings": one,
                                  "gidMappings": one})
    r = bundle.run("sh", "-c", "stat -c %u:%g /data/f /data/sub/g")
    assert r.rc == 0, r
    assert r.out.split() == ["1000:1000", "1000:1000"], r
    assert os.stat(src / "f").st_uid == 0
    # "ridmap" does the same to the mounts below the source too.
    bundle.spec["mounts"][-1]["options"] = ["rbind", "ridmap"]
    r = bundle.run("stat", "-c", "%u:%g", "/data/f")
    assert r.rc == 0 and r.out.strip() == "1000:1000", r
    # Without the option the mappings alone still apply (they must never be ignored).
    bundle.spec["mounts"][-1]["options"] = ["rbind"]
    r = bundle.run("stat", "-c", "%u:%g", "/data/f")
    assert r.rc == 0 and r.out.strip() == "1000:1000", r


def test_tmpcopyup_copies_what_the_tmpfs_covers(bundle, tmp_path):
    """tmpcopyup (podman --read-only, --tmpfs): the tmpfs starts with a copy of the directory
    it covers, with modes, owners, links (as links, never followed out of the rootfs) and
    special files; writes stay in the tmpfs."""
    data = os.path.join(bundle.rootfs, "data")
    os.makedirs(os.path.join(data, "sub", "deeper"))
    with open(os.path.join(data, "f"), "w") as f:
        f.write("from the image\n")
    os.chmod(os.path.join(data, "f"), 0o604)
    os.chown(os.path.join(data, "f"), 1000, 1000)
    os.chmod(os.path.join(data, "sub"), 0o1777)
    os.utime(os.path.join(data, "sub", "deeper"), (1000000000, 1000000000))
    secret = tmp_path / "host-secret"
    secret.mkdir()
    (secret / "s").write_text("host only\n")
    os.symlink(str(secret), os.path.join(data, "out"))
    os.symlink("../../../../..", os.path.join(data, "sub", "up"))
    os.mkfifo(os.path.join(data, "fifo"))
    bundle.spec["mounts"].append({"destination": "/data", "type": "tmpfs", "source": "tmpfs",
                                  "options": ["nosuid", "nodev", "tmpcopyup", "size=1m"]})
    r = bundle.run("sh", "-c", "cat /data/f; stat -c '%n %a %u:%g' /data/f /data/sub; "
                   "stat -c %Y /data/sub/deeper; readlink /data/out; readlink /data/sub/up; "
                   "test -p /data/fifo && echo fifo; ls /data/out/ 2>&1 | grep -c '^s$'; "
                   "grep ' /data ' /proc/self/mountinfo; echo new > /data/g && echo wrote")
    assert r.rc == 0, r
    out = r.out.splitlines()
    assert out[0] == "from the image", r
    assert out[1:3] == ["/data/f 604 1000:1000", "/data/sub 1777 0:0"], r
    assert out[3] == "1000000000", r
    assert out[4:6] == [str(secret), "../../../../.."], r
    assert out[6] == "fifo" and out[7] == "0", r
    assert " - tmpfs " in out[8] and "nosuid" in out[8] and "size=1024k" in out[8], r
    assert out[9] == "wrote", r
    assert not os.path.exists(os.path.join(data, "g"))
    # "ro": filled, then read-only.
    bundle.spec["mounts"][-1]["options"] = ["ro", "tmpcopyup"]
    r = bundle.run("sh", "-c", "cat /data/f; echo x > /data/h 2>/dev/null; echo rc=$?")
    assert r.rc == 0 and r.out == "from the image\nrc=1\n", r


def test_tmpcopyup_refuses_a_tree_too_deep(bundle):
    """The copy walks an explicit stack: a 150-level chain is refused clearly, no crash, and
    nothing stays mounted."""
    p = os.path.join(bundle.rootfs, "data")
    for _ in range(150):
        p = os.path.join(p, "d")
    os.makedirs(p)
    bundle.spec["mounts"].append({"destination": "/data", "type": "tmpfs", "source": "tmpfs",
                                  "options": ["tmpcopyup"]})
    r = bundle.run("true")
    assert r.rc == 1 and "tmpcopyup" in r.err and "directory levels" in r.err, r


def test_destination_through_dangling_symlink_creates_its_target(bundle, tmp_path):
    """As runc does: a destination that is (or goes through) a link to something missing gets
    the link's target made inside the rootfs, a file for a file bind, a directory otherwise."""
    os.symlink("/missing/dir", os.path.join(bundle.rootfs, "dl-dir"))
    os.symlink("../../missing2/f", os.path.join(bundle.rootfs, "dl-file"))
    os.symlink("/missing3", os.path.join(bundle.rootfs, "dl-mid"))
    d = tmp_path / "d"
    d.mkdir()
    (d / "x").write_text("dir\n")
    f = tmp_path / "f"
    f.write_text("file\n")
    bundle.spec["mounts"] += [
        {"destination": "/dl-dir", "type": "bind", "source": str(d), "options": ["bind"]},
        {"destination": "/dl-file", "type": "bind", "source": str(f), "options": ["bind"]},
        {"destination": "/dl-mid/sub", "type": "tmpfs", "source": "tmpfs", "options": []},
    ]
    r = bundle.run("sh", "-c", "cat /dl-dir/x /dl-file; grep -c ' /missing3/sub ' "
                   "/proc/self/mountinfo")
    assert r.rc == 0 and r.out == "dir\nfile\n1\n", r
    assert os.path.isfile(os.path.join(bundle.rootfs, "missing2", "f"))
    assert os.path.isdir(os.path.join(bundle.rootfs, "missing", "dir"))
    assert not os.path.exists("/missing2")


def test_readonly_dev_and_tmpfs_are_made_readonly_after_their_submounts(bundle):
    """As runc does: a read-only /dev (or tmpfs) is mounted writable, gets devpts, the devices
    and whatever is mounted below it, and only then becomes read-only."""
    for m in bundle.spec["mounts"]:
        if m["destination"] == "/dev":
            m["options"].append("ro")
    bundle.spec["mounts"] += [
        {"destination": "/ro-tmp", "type": "tmpfs", "source": "tmpfs", "options": ["ro"]},
        {"destination": "/ro-tmp/sub", "type": "tmpfs", "source": "tmpfs", "options": []},
    ]
    r = bundle.run("sh", "-c", "touch /dev/x 2>/dev/null || echo dev-ro; "
                   "touch /ro-tmp/x 2>/dev/null || echo tmp-ro; touch /ro-tmp/sub/y && "
                   "echo sub-rw; test -c /dev/null && test -d /dev/pts/ && echo devices; "
                   "grep -c ' /dev/pts ' /proc/self/mountinfo")
    assert r.rc == 0, r
    assert r.out == "dev-ro\ntmp-ro\nsub-rw\ndevices\n1\n", r


def test_bind_propagation_survives_the_pivot(bundle, tmp_path):
    """A bind mount's propagation option holds in the container, idmapped or not: the
    pivot's rslave goes to the old root only (it used to reach the container's mounts)."""
    src = tmp_path / "prop"
    src.mkdir()
    one = [{"containerID": 0, "hostID": 1000, "size": 1}]
    bundle.spec["mounts"] += [
        {"destination": "/plain", "type": "bind", "source": str(src),
         "options": ["rbind", "rshared"]},
        {"destination": "/idm", "type": "bind", "source": str(src),
         "options": ["rbind", "idmap", "rshared"], "uidMappings": one, "gidMappings": one},
    ]
    r = bundle.run("grep", "-E", " /(plain|idm) ", "/proc/self/mountinfo")
    assert r.rc == 0, r
    lines = r.out.splitlines()
    assert len(lines) == 2 and all(" shared:" in l for l in lines), r
    assert "idmapped" in [l for l in lines if " /idm " in l][0], r


def test_idmapped_source_inside_an_earlier_mount(bundle, tmp_path):
    """A bind source inside the rootfs is resolved when its mount is made, in order: an
    idmapped one below an earlier mount of the same container sees that mount (the runtime
    used to open it on the host before any container mount existed)."""
    outer = tmp_path / "outer"
    (outer / "sub").mkdir(parents=True)
    (outer / "sub" / "f").write_text("from the earlier mount\n")
    one = [{"containerID": 0, "hostID": 1000, "size": 1}]
    bundle.spec["mounts"] += [
        {"destination": "/outer", "type": "bind", "source": str(outer), "options": ["rbind"]},
        {"destination": "/idm", "type": "bind",
         "source": os.path.join(bundle.rootfs, "outer", "sub"),
         "options": ["rbind", "idmap"], "uidMappings": one, "gidMappings": one},
        {"destination": "/plain", "type": "bind",
         "source": os.path.join(bundle.rootfs, "outer", "sub"), "options": ["rbind"]},
    ]
    r = bundle.run("sh", "-c", "cat /idm/f /plain/f; stat -c %u /idm/f /plain/f")
    assert r.rc == 0, r
    assert r.out == "from the earlier mount\n" * 2 + "1000\n0\n", r
