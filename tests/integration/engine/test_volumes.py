# SPDX-License-Identifier: LGPL-2.1-or-later
"""Volumes as docker's local driver has them: named volumes kept across containers, anonymous
ones for `-v /path` and an image's Volumes removed with `rm -v` and `run --rm`, the copy of the
image's files into a new empty volume (and only then), the volume verbs, and images whose files
try to make the copy leave the volume."""
import hashlib
import io
import json
import os
import re
import tarfile

from engine_env import IMAGE
from runtime_env import BUSYBOX


def volumes(berth, *args):
    r = berth("volume", "ls", "-q", *args, check=True)
    return r.out.split()


def mountpoint(berth, name):
    return berth("volume", "inspect", "--format", "{{.Mountpoint}}", name,
                 check=True).out.strip()


def tar_add(t, name, kind=tarfile.REGTYPE, data=b"", linkname="", mode=0o644, uid=0, gid=0,
            mtime=1_600_000_000):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.uid, info.gid = uid, gid
    info.mtime = mtime
    info.linkname = linkname
    if kind == tarfile.REGTYPE:
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    else:
        t.addfile(info)


def busybox_layer(t):
    tar_add(t, "bin", tarfile.DIRTYPE, mode=0o755)
    with open(BUSYBOX, "rb") as f:
        tar_add(t, "bin/busybox", data=f.read(), mode=0o755)
    for tool in ("sh", "cat", "ls", "echo", "true", "stat", "readlink"):
        tar_add(t, f"bin/{tool}", tarfile.SYMTYPE, linkname="busybox", mode=0o777)


def load_image_with_volumes(berth, tmp_path, name, volumes_, files):
    """A docker-save archive of one layer (busybox and files) whose config has Volumes."""
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as t:
        busybox_layer(t)
        for path, kind, data in files:
            tar_add(t, path, kind, data=data, mode=0o755 if kind == tarfile.DIRTYPE else 0o644)
    layer = layer.getvalue()
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Cmd": ["sh"], "Volumes": {v: {} for v in volumes_},
                   "Env": ["PATH=/bin"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }).encode()
    cfg_name = hashlib.sha256(config).hexdigest() + ".json"
    archive = tmp_path / "image.tar"
    with tarfile.open(archive, "w") as t:
        tar_add(t, "layer.tar", data=layer)
        tar_add(t, cfg_name, data=config)
        tar_add(t, "manifest.json", data=json.dumps(
            [{"Config": cfg_name, "RepoTags": [name], "Layers": ["layer.tar"]}]).encode())
    berth("load", "-i", str(archive), check=True)


def own_files(data):
    """What a volume on /etc holds besides the empty files the runtime made in it to bind the
    container's hosts, hostname and resolv.conf on (as docker's)."""
    names = sorted(os.listdir(data))
    for n in ("hosts", "hostname", "resolv.conf"):
        if n in names and os.path.getsize(os.path.join(data, n)) == 0:
            names.remove(n)
    return names


def test_named_volume_kept_across_containers(berth):
    r = berth("run", "--rm", "-v", "keep:/data", IMAGE, "sh", "-c", "echo hello > /data/f")
    assert r.rc == 0, r
    assert volumes(berth) == ["keep"]
    r = berth("run", "--rm", "-v", "keep:/data", IMAGE, "cat", "/data/f")
    assert r.rc == 0 and r.out == "hello\n", r
    # --mount type=volume is the same volume
    r = berth("run", "--rm", "--mount", "type=volume,source=keep,target=/m", IMAGE,
              "cat", "/m/f")
    assert r.rc == 0 and r.out == "hello\n", r
    with open(os.path.join(mountpoint(berth, "keep"), "f")) as f:
        assert f.read() == "hello\n"
    berth("volume", "rm", "keep", check=True)


def test_copy_up_of_image_data_into_new_volume(berth):
    r = berth("run", "--rm", "-v", "etcvol:/etc", IMAGE, "cat", "/etc/passwd")
    assert r.rc == 0 and "root:" in r.out, r
    data = mountpoint(berth, "etcvol")
    assert os.path.isfile(os.path.join(data, "passwd"))
    assert os.path.isfile(os.path.join(data, "group"))
    berth("volume", "rm", "etcvol", check=True)


def test_no_copy_into_volume_with_data(berth):
    # A path the image does not have: nothing is copied, the volume gets data of its own.
    r = berth("run", "--rm", "-v", "full:/nothing-here", IMAGE, "sh", "-c",
              "ls -A /nothing-here; echo mine > /nothing-here/own")
    assert r.rc == 0 and r.out == "", r
    r = berth("run", "--rm", "-v", "full:/etc", IMAGE, "ls", "-A", "/etc")
    assert r.rc == 0, r
    assert "own" in r.out.split() and "passwd" not in r.out.split(), r
    assert own_files(mountpoint(berth, "full")) == ["own"]
    berth("volume", "rm", "full", check=True)


def test_no_copy_with_volume_nocopy(berth):
    r = berth("run", "--rm", "--mount", "type=volume,source=nc,target=/etc,volume-nocopy",
              IMAGE, "sh", "-c", "test -e /etc/passwd && echo copied || echo empty")
    assert r.rc == 0 and r.out == "empty\n", r
    assert own_files(mountpoint(berth, "nc")) == []
    r = berth("run", "--rm", "-v", "nc2:/etc:nocopy", IMAGE, "sh", "-c",
              "test -e /etc/passwd && echo copied || echo empty")
    assert r.rc == 0 and r.out == "empty\n", r
    berth("volume", "rm", "nc", "nc2", check=True)


def test_anonymous_volume_removed_by_rm_v(berth):
    cid = berth("create", "-v", "/data", IMAGE, "true", check=True).out.strip()
    anon = volumes(berth)
    assert len(anon) == 1 and re.fullmatch(r"[0-9a-f]{64}", anon[0]), anon
    berth("rm", "-v", cid, check=True)
    assert volumes(berth) == []
    assert not os.path.exists(os.path.dirname(os.path.join(berth.root, "volumes", anon[0], "_data")))


def test_anonymous_volume_kept_by_rm_without_v(berth):
    r = berth("run", "-v", "/data", "-v", "named:/n", IMAGE, "sh", "-c",
              "head -c 200000 /dev/zero > /data/big")
    assert r.rc == 0, r
    cid = berth.ids()[0]
    assert len(volumes(berth)) == 2
    berth("rm", cid, check=True)
    left = volumes(berth)
    assert len(left) == 2 and "named" in left, left
    anon = [v for v in left if v != "named"][0]
    # docker 23 labels anonymous volumes
    labels = json.loads(berth("volume", "inspect", anon, check=True).out)[0]["Labels"]
    assert labels == {"com.docker.volume.anonymous": ""}, labels
    # docker 23's prune: the anonymous one only, and the space its files took; -a: every
    # unused one
    r = berth("volume", "prune", "-f", check=True)
    assert r.out.startswith(f"Deleted Volumes:\n{anon}\n\n"), r
    size = re.search(r"Total reclaimed space: ([0-9.]+)kB\n$", r.out)
    assert size and float(size.group(1)) >= 200, r
    assert volumes(berth) == ["named"]
    r = berth("volume", "prune", "-f", "-a", check=True)
    assert r.out.startswith("Deleted Volumes:\nnamed\n"), r
    assert volumes(berth) == []
    r = berth("volume", "prune", "-f", check=True)
    assert r.out == "Total reclaimed space: 0B\n", r


def test_run_rm_removes_anonymous_volumes_not_named_ones(berth):
    r = berth("run", "--rm", "-v", "/data", "-v", "stays:/s", IMAGE, "sh", "-c",
              "echo x > /data/f && echo y > /s/f")
    assert r.rc == 0, r
    assert volumes(berth) == ["stays"]
    berth("volume", "rm", "stays", check=True)


def test_image_volumes_get_anonymous_volumes(berth, tmp_path):
    load_image_with_volumes(berth, tmp_path, "localhost/withvols:1", ["/data", "/cache"],
                            [("data", tarfile.DIRTYPE, b""),
                             ("data/seed", tarfile.REGTYPE, b"from the image\n")])
    # /cache is covered by a named volume: no anonymous one for it
    cid = berth("create", "-v", "mine:/cache", "localhost/withvols:1", "cat", "/data/seed",
                check=True).out.strip()
    vols = volumes(berth)
    assert len(vols) == 2 and "mine" in vols, vols
    anon = [v for v in vols if v != "mine"][0]
    with open(os.path.join(mountpoint(berth, anon), "seed")) as f:
        assert f.read() == "from the image\n"
    r = berth("start", "-a", cid)
    assert r.rc == 0 and r.out == "from the image\n", r
    berth("rm", "-v", cid, check=True)
    assert volumes(berth) == ["mine"]
    r = berth("run", "--rm", "localhost/withvols:1", "cat", "/data/seed")
    assert r.rc == 0 and r.out == "from the image\n", r
    assert volumes(berth) == ["mine"]
    berth("volume", "rm", "mine", check=True)


def test_volume_in_use_is_not_removed(berth):
    cid = berth("create", "--name", "user1", "-v", "busy:/data", IMAGE, "true",
                check=True).out.strip()
    # stopped (never started) still counts as in use
    r = berth("volume", "rm", "busy")
    assert r.rc != 0, r
    assert f"volume is in use - [{cid}]" in r.err, r
    r = berth("volume", "rm", "-f", "busy")
    assert r.rc != 0 and "volume is in use" in r.err, r
    # nor by prune -a
    berth("volume", "prune", "-a", "-f", check=True)
    assert volumes(berth) == ["busy"]
    berth("rm", cid, check=True)
    berth("volume", "rm", "busy", check=True)
    assert volumes(berth) == []
    assert not os.path.exists(os.path.join(berth.root, "volumes", "busy"))


def test_volume_ls_inspect_and_filters(berth):
    assert berth("volume", "create", "--label", "env=prod", "--label", "team",
                 "alpha", check=True).out == "alpha\n"
    assert berth("volume", "create", "--name", "beta", check=True).out == "beta\n"
    # creating an existing volume returns it, as docker
    assert berth("volume", "create", "beta", check=True).out == "beta\n"
    random = berth("volume", "create", check=True).out.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", random), random
    cid = berth("create", "-v", "beta:/b", IMAGE, "true", check=True).out.strip()

    r = berth("volume", "ls", check=True)
    lines = r.out.splitlines()
    assert lines[0].split() == ["DRIVER", "VOLUME", "NAME"], r
    assert sorted(l.split()[1] for l in lines[1:]) == sorted(["alpha", "beta", random])
    assert all(l.split()[0] == "local" for l in lines[1:])
    assert sorted(volumes(berth, "--filter", "dangling=true")) == sorted(["alpha", random])
    assert volumes(berth, "--filter", "dangling=false") == ["beta"]
    assert volumes(berth, "--filter", "name=lph") == ["alpha"]
    assert volumes(berth, "--filter", "label=env=prod") == ["alpha"]
    assert volumes(berth, "--filter", "label=team") == ["alpha"]
    assert volumes(berth, "--filter", "label=env=dev") == []
    assert volumes(berth, "-f", "dangling=true", "-f", "name=alp") == ["alpha"]
    r = berth("volume", "ls", "--filter", "colour=red")
    assert r.rc != 0 and "invalid filter" in r.err, r
    r = berth("volume", "ls", "--format", "{{.Name}}:{{.Driver}}:{{.Labels}}",
              "--filter", "name=alpha", check=True)
    assert r.out in ("alpha:local:env=prod,team=\n", "alpha:local:team=,env=prod\n"), r

    r = berth("volume", "inspect", "alpha", "beta", check=True)
    doc = json.loads(r.out)
    assert [d["Name"] for d in doc] == ["alpha", "beta"]
    a = doc[0]
    assert set(a) == {"CreatedAt", "Driver", "Labels", "Mountpoint", "Name", "Options",
                      "Scope"}
    assert a["Driver"] == "local" and a["Scope"] == "local"
    assert a["Labels"] == {"env": "prod", "team": ""}
    assert a["Options"] == {}
    assert a["Mountpoint"] == os.path.join(berth.root, "volumes", "alpha", "_data")
    assert os.path.isdir(a["Mountpoint"])
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", a["CreatedAt"]), a
    r = berth("volume", "inspect", "nosuch")
    assert r.rc != 0 and "no such volume: nosuch" in r.err, r

    r = berth("volume", "rm", "nosuch")
    assert r.rc != 0 and "no such volume" in r.err, r
    assert berth("volume", "rm", "-f", "nosuch").rc == 0
    berth("rm", cid, check=True)
    berth("volume", "rm", "alpha", "beta", random, check=True)
    assert volumes(berth) == []


def test_volume_create_refusals(berth):
    r = berth("volume", "create", "-bad")
    assert r.rc != 0, r
    r = berth("volume", "create", "a/b")
    assert r.rc != 0 and "invalid volume name" in r.err, r
    r = berth("volume", "create", "--driver", "nfs", "x1")
    assert r.rc != 0 and "volume driver `nfs` is not supported" in r.err, r
    r = berth("volume", "create", "--opt", "colour=red", "x2")
    assert r.rc != 0 and "invalid option key `colour`" in r.err, r
    r = berth("volume", "create", "--opt", "type=tmpfs", "x3")
    assert r.rc != 0 and "not supported yet" in r.err, r
    r = berth("volume", "create", "--name", "x4", "x5")
    assert r.rc != 0 and "conflicting options" in r.err, r
    assert volumes(berth) == []


def test_readonly_volume(berth):
    r = berth("run", "--rm", "-v", "rov:/data:ro", IMAGE, "sh", "-c", "echo x > /data/f")
    assert r.rc != 0 and "Read-only file system" in r.err, r
    r = berth("run", "--rm", "--mount", "type=volume,src=rov,dst=/data,readonly", IMAGE,
              "sh", "-c", "echo x > /data/f")
    assert r.rc != 0 and "Read-only file system" in r.err, r
    assert os.listdir(mountpoint(berth, "rov")) == []
    berth("volume", "rm", "rov", check=True)


def test_failed_create_releases_its_volumes(berth):
    berth("volume", "create", "old", check=True)
    r = berth("create", "-v", "old:/o", "-v", "new:/n", "-v", "/anon",
              "--security-opt", "seccomp=/no/such/profile.json", IMAGE, "true")
    assert r.rc == 125, r
    assert berth.ids() == []
    # the volumes it made are gone, the one that was there stays
    assert volumes(berth) == ["old"]
    berth("volume", "rm", "old", check=True)


def walk_snapshot(top):
    out = {}
    for d, dirs, files in os.walk(top):
        for n in dirs + files:
            p = os.path.join(d, n)
            st = os.lstat(p)
            out[p] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return out


def test_hostile_image_copy_stays_in_the_volume(berth, tmp_path):
    host_dir = tmp_path / "hostside"
    host_dir.mkdir()
    (host_dir / "host-marker").write_text("host\n")
    rel_up = "../" * 12 + str(host_dir).lstrip("/")
    tarball = tmp_path / "hostile.tar"
    with tarfile.open(tarball, "w") as t:
        tar_add(t, "etc", tarfile.DIRTYPE, mode=0o755)
        tar_add(t, "etc/image-only", data=b"image\n")
        tar_add(t, "data", tarfile.DIRTYPE, mode=0o750, uid=1234, gid=4321)
        tar_add(t, "data/link", tarfile.SYMTYPE, linkname="/etc")
        tar_add(t, "data/evil", tarfile.SYMTYPE, linkname="../../../../tmp/x")
        tar_add(t, "data/up", tarfile.SYMTYPE, linkname=rel_up)
        tar_add(t, "data/fifo", tarfile.FIFOTYPE)
        tar_add(t, "data/file", data=b"payload\n", mode=0o640, uid=42, gid=43,
                mtime=1_500_000_000)
        deep = "data/deep"
        for _ in range(300):
            tar_add(t, deep, tarfile.DIRTYPE, mode=0o755)
            deep += "/d"
        tar_add(t, deep.rsplit("/", 1)[0] + "/bottom", data=b"bottom\n")
        # the volume's own path a symlink: to /etc, and up and out
        tar_add(t, "vlink", tarfile.SYMTYPE, linkname="/etc")
        tar_add(t, "vup", tarfile.SYMTYPE, linkname=rel_up)
    berth("import", str(tarball), "localhost/hostile:1", check=True)

    before_etc = walk_snapshot("/etc")
    before_host = walk_snapshot(str(host_dir))
    tmp_x_existed = os.path.lexists("/tmp/x")

    cid = berth("create", "-v", "hv:/data", "-v", "hl:/vlink", "-v", "hu:/vup",
                "localhost/hostile:1", "true", check=True).out.strip()

    data = mountpoint(berth, "hv")
    st = os.lstat(data)
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (1234, 4321, 0o750)
    assert os.readlink(os.path.join(data, "link")) == "/etc"
    assert os.readlink(os.path.join(data, "evil")) == "../../../../tmp/x"
    assert os.readlink(os.path.join(data, "up")) == rel_up
    import stat as stat_
    assert stat_.S_ISFIFO(os.lstat(os.path.join(data, "fifo")).st_mode)
    f = os.lstat(os.path.join(data, "file"))
    assert (f.st_uid, f.st_gid, f.st_mode & 0o7777, int(f.st_mtime)) == (42, 43, 0o640,
                                                                         1_500_000_000)
    with open(os.path.join(data, "file")) as fh:
        assert fh.read() == "payload\n"
    # the deep tree came over whole
    fd = os.open(data, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fd2 = os.open("deep", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = fd2
        for _ in range(299):
            fd2 = os.open("d", os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = fd2
        bottom = os.open("bottom", os.O_RDONLY, dir_fd=fd)
        assert os.read(bottom, 100) == b"bottom\n"
        os.close(bottom)
    finally:
        os.close(fd)

    # /vlink -> /etc resolves to the image's /etc, never the host's
    assert sorted(os.listdir(mountpoint(berth, "hl"))) == ["image-only"]
    # /vup leads up and out: it stays in the image, where nothing is
    assert os.listdir(mountpoint(berth, "hu")) == []

    assert walk_snapshot("/etc") == before_etc
    assert walk_snapshot(str(host_dir)) == before_host
    assert os.path.lexists("/tmp/x") == tmp_x_existed
    berth("rm", cid, check=True)
    berth("volume", "rm", "hv", "hl", "hu", check=True)


def test_volume_on_etc_keeps_the_containers_etc_files(berth):
    """Mounts go in docker's order (by depth): /etc/hosts is bound over a volume on /etc."""
    r = berth("run", "--rm", "-h", "volhost", "-v", "etc2:/etc", IMAGE, "sh", "-c",
              "cat /etc/hostname; grep -c localhost /etc/hosts")
    assert r.rc == 0, r
    lines = r.out.split()
    assert lines[0] == "volhost" and int(lines[1]) >= 1, r
    berth("volume", "rm", "etc2", check=True)


def test_prune_asks_first(berth):
    berth("create", "-v", "/data", IMAGE, "true", check=True)
    berth("rm", berth.ids()[0], check=True)
    r = berth("volume", "prune", input="n\n")
    assert r.rc == 0 and "Are you sure you want to continue? [y/N]" in r.err, r
    assert len(volumes(berth)) == 1
    r = berth("volume", "prune", input="", check=True)
    assert len(volumes(berth)) == 1
    r = berth("volume", "prune", input="y\n", check=True)
    assert "Deleted Volumes:" in r.out, r
    assert volumes(berth) == []


def test_creates_at_once_share_a_new_volume(berth):
    """Four creates take one new volume at once: all succeed, it is filled once, and rm names
    every user. (The race the copy-up lock guards is too short to hit here reliably.)"""
    import subprocess
    procs = [berth.popen("create", "-v", "both:/etc", IMAGE, "true", stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    assert all(rc == 0 for _, _, rc in results), results
    ids = [out.strip() for out, _, _ in results]
    data = mountpoint(berth, "both")
    assert "passwd" in os.listdir(data)
    users = json.loads(berth("volume", "inspect", "both", check=True).out)
    assert users[0]["Name"] == "both"
    r = berth("volume", "rm", "both")
    assert r.rc != 0 and all(i in r.err for i in ids), r
    for i in ids:
        berth("rm", i, check=True)
    berth("volume", "rm", "both", check=True)
