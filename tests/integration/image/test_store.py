# SPDX-License-Identifier: LGPL-2.1-or-later
"""The local store: load/save/import, names, inspect, rmi, prune, df, mounts."""
import json
import os
import stat
import subprocess
import tarfile

import pytest

from imagetest import IS_ROOT, mounted
import ocihelp

needs_root = pytest.mark.skipif(not IS_ROOT, reason="mounts and ownership need root")


def test_load_default_busybox(berth, busybox_layout):
    out = berth.ok("load", busybox_layout).stdout
    assert "Loaded image: localhost/busybox:latest" in out
    imgs = berth.images()
    assert len(imgs) == 1
    assert imgs[0]["RepoTags"] == ["localhost/busybox:latest"]
    assert imgs[0]["Id"].startswith("sha256:")
    # blob store: every blob named by its digest, nothing half written
    assert berth.ingest() == []
    info = berth.inspect("localhost/busybox")
    assert info["Config"]["rootfs"]["diff_ids"] == [info["Layers"][0]["DiffID"]]
    # the same load again changes nothing
    blobs = berth.blobs()
    berth.ok("load", busybox_layout)
    assert berth.blobs() == blobs
    assert len(berth.images()) == 1


def test_images_table_and_quiet(berth, busybox_layout):
    berth.ok("load", busybox_layout)
    table = berth.ok("images").stdout.splitlines()
    assert table[0].split()[:3] == ["REPOSITORY", "TAG", "IMAGE"]
    assert table[1].split()[:2] == ["localhost/busybox", "latest"]
    ids = berth.ok("images", "-q").stdout.split()
    assert len(ids) == 1 and len(ids[0]) == 12
    assert berth.fail("images", "--format", "yaml").returncode != 0


def test_tag_resolve_and_rmi(berth, busybox_layout):
    berth.ok("load", busybox_layout)
    berth.ok("tag", "localhost/busybox", "example.org/x/y:1.0")
    berth.ok("tag", "localhost/busybox:latest", "busybox:mine")
    assert berth.names() == ["docker.io/library/busybox:mine", "example.org/x/y:1.0",
                             "localhost/busybox:latest"]
    img = berth.images()[0]
    # by id prefix, full id, docker.io short name
    assert berth.inspect(img["Id"][7:19])["Id"] == img["Id"]
    assert berth.inspect(img["Id"])["Id"] == img["Id"]
    assert berth.inspect("busybox:mine")["Id"] == img["Id"]
    assert berth.inspect("localhost/busybox@" + img["ManifestDigest"])["Id"] == img["Id"]
    # removing one name keeps the image
    out = berth.ok("rmi", "example.org/x/y:1.0").stdout
    assert "Untagged: example.org/x/y:1.0" in out
    assert len(berth.images()) == 1
    # by id with several names: refused without -f
    p = berth.fail("rmi", img["Id"])
    assert "names" in p.stderr
    berth.ok("rmi", "-f", img["Id"])
    assert berth.images() == []
    assert berth.blobs() == []  # garbage collected
    snaps = os.path.join(berth.root, "snapshots")
    assert all(os.listdir(os.path.join(snaps, k)) == [] for k in os.listdir(snaps))


def test_unknown_image_errors(berth):
    # inspect looks for containers and images, as docker's: "no such object"
    p = berth.fail("inspect", "nope/nothing:1")
    assert "no such object: nope/nothing:1" in p.stderr
    p = berth.fail("inspect", "--type", "image", "nope/nothing:1")
    assert "No such image: nope/nothing:1" in p.stderr
    p = berth.fail("rmi", "nothing")
    assert "No such image" in p.stderr
    p = berth.fail("tag", "nothing", "x:1")
    assert "No such image" in p.stderr
    p = berth.fail("tag", "nothing", "Bad/Name")
    assert "invalid" in p.stderr


@pytest.mark.parametrize("fmt", ["docker-archive", "oci-archive", "oci-dir", "docker-dir"])
def test_save_load_roundtrip(berth, busybox_layout, tmp_path, fmt):
    berth.ok("load", busybox_layout)
    before = berth.images()[0]
    out = tmp_path / ("out.tar" if "archive" in fmt else "outdir")
    berth.ok("save", "--format", fmt, "-o", out, "localhost/busybox:latest")
    assert os.path.exists(out)
    assert not [f for f in os.listdir(tmp_path) if ".tmp" in f]
    other = type(berth)(str(tmp_path / "other"), env=berth.env)
    res = other.ok("load", out).stdout
    assert "localhost/busybox:latest" in res
    after = other.images()[0]
    assert after["Id"] == before["Id"]
    assert after["RepoTags"] == ["localhost/busybox:latest"]
    if fmt.startswith("oci"):
        assert after["ManifestDigest"] == before["ManifestDigest"]


def test_docker_archive_layout(berth, busybox_layout, tmp_path):
    berth.ok("load", busybox_layout)
    out = tmp_path / "bb.tar"
    berth.ok("save", "-o", out, "localhost/busybox")
    with tarfile.open(out) as t:
        manifest = json.load(t.extractfile("manifest.json"))
        assert manifest[0]["RepoTags"] == ["localhost/busybox:latest"]
        layer = manifest[0]["Layers"][0]
        raw = t.extractfile(layer).read()
    info = berth.inspect("localhost/busybox")
    assert ocihelp.sha256(raw) == info["Layers"][0]["DiffID"]


def test_skopeo_reads_our_archives(berth, busybox_layout, tmp_path, skopeo):
    berth.ok("load", busybox_layout)
    info = berth.inspect("localhost/busybox")
    berth.ok("save", "-o", tmp_path / "d.tar", "localhost/busybox")
    berth.ok("save", "--format", "oci-dir", "-o", tmp_path / "oci", "localhost/busybox")
    d = json.loads(skopeo("inspect", f"docker-archive:{tmp_path}/d.tar").stdout)
    assert d["Layers"] == [info["Layers"][0]["DiffID"]]
    o = json.loads(skopeo("inspect", f"oci:{tmp_path}/oci:latest").stdout)
    assert o["Digest"] == info["ManifestDigest"]


def test_load_skopeo_outputs(berth, busybox_layout, tmp_path, skopeo):
    skopeo("copy", f"oci:{busybox_layout}:latest", f"oci:{tmp_path}/sk-oci:v9")
    skopeo("copy", f"oci:{busybox_layout}:latest",
           f"docker-archive:{tmp_path}/sk.tar:example.com/sk/busy:v7")
    skopeo("copy", f"oci:{busybox_layout}:latest", f"oci-archive:{tmp_path}/sk-oci.tar:v5")
    berth.ok("load", tmp_path / "sk-oci", "--name", "example.com/from/skopeo")
    berth.ok("load", tmp_path / "sk.tar")
    berth.ok("load", tmp_path / "sk-oci.tar")
    names = berth.names()
    assert "example.com/from/skopeo:v9" in names
    assert "example.com/sk/busy:v7" in names
    assert "localhost/sk-oci:v5" in names


def test_load_refuses_bad_input(berth, tmp_path, busybox_layout):
    p = berth.fail("load", tmp_path / "missing")
    assert "missing" in p.stderr
    (tmp_path / "empty").mkdir()
    p = berth.fail("load", tmp_path / "empty")
    assert "neither an OCI image layout" in p.stderr
    # a blob whose content does not match its name
    bad = tmp_path / "bad"
    subprocess.run(["cp", "-a", busybox_layout, bad], check=True)
    idx = json.load(open(bad / "index.json"))
    m = json.load(open(bad / "blobs" / "sha256" / idx["manifests"][0]["digest"][7:]))
    layer = bad / "blobs" / "sha256" / m["layers"][0]["digest"][7:]
    data = bytearray(layer.read_bytes())
    data[100] ^= 0xff
    layer.write_bytes(bytes(data))
    p = berth.fail("load", bad)
    assert "digest mismatch" in p.stderr
    assert berth.images() == []
    assert m["layers"][0]["digest"][7:] not in berth.blobs()
    assert berth.ingest() == []


def test_import_tarball(berth, tmp_path):
    raw = ocihelp.make_tar([{"name": "hello.txt", "data": "hi\n"},
                            {"name": "bin", "type": "dir"}])
    (tmp_path / "root.tar.gz").write_bytes(ocihelp.compress(raw, "gzip"))
    img = berth.ok("import", "--cmd", "cat /hello.txt", tmp_path / "root.tar.gz",
                   "example.org/imported:1").stdout.strip()
    info = berth.inspect("example.org/imported:1")
    assert info["Id"] == img
    assert info["Layers"][0]["DiffID"] == ocihelp.sha256(raw)
    assert info["Config"]["config"]["Cmd"] == ["/bin/sh", "-c", "cat /hello.txt"]


def test_prune_and_df(berth, busybox_layout, tmp_path):
    berth.ok("load", busybox_layout)
    raw = ocihelp.make_tar([{"name": "x", "data": "x"}])
    (tmp_path / "x.tar").write_bytes(raw)
    berth.ok("import", tmp_path / "x.tar")  # no name: dangling
    assert len(berth.images()) == 2
    df = berth.ok("system", "df").stdout
    assert "Images" in df and "2" in df
    out = berth.ok("image", "prune").stdout
    assert "Total reclaimed space" in out
    assert berth.names() == ["localhost/busybox:latest"]
    berth.ok("image", "prune", "-a")
    assert berth.images() == []
    assert berth.blobs() == []


@needs_root
@pytest.mark.parametrize("snapshotter", ["overlay", "copy"])
def test_mount_runs_busybox(berth, busybox_layout, tmp_path, snapshotter):
    berth.ok("--snapshotter", snapshotter, "load", busybox_layout)
    target = str(tmp_path / "rootfs")
    with mounted(berth, "localhost/busybox", target, snapshotter):
        out = subprocess.run(["chroot", target, "/bin/sh", "-c",
                              "echo written > /tmp/f; cat /etc/passwd | head -1; ls /bin | wc -l"],
                             capture_output=True, text=True, check=True).stdout
        assert out.startswith("root:x:0:0")
        assert int(out.split()[-1]) > 50
        assert os.path.exists(os.path.join(target, "tmp", "f"))
        st = os.stat(os.path.join(target, "tmp"))
        assert stat.S_IMODE(st.st_mode) == 0o1777
        # the image is in use: rmi refuses
        p = berth.fail("rmi", "localhost/busybox")
        assert "mounted" in p.stderr
    assert not os.path.ismount(target)
    # the writable layer went with the unmount; the snapshot is untouched
    with mounted(berth, "localhost/busybox", target, snapshotter):
        assert not os.path.exists(os.path.join(target, "tmp", "f"))


@pytest.fixture
def podman(tmp_path):
    import shutil
    import tempfile
    if not shutil.which("podman"):
        pytest.skip("podman is not installed")
    run = tempfile.mkdtemp(prefix="bpm-", dir="/tmp")  # podman wants a short runroot
    base = ["podman", "--root", str(tmp_path / "podman"), "--runroot", run,
            "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "none"]

    def call(*args):
        p = subprocess.run(base + list(map(str, args)), capture_output=True, text=True,
                           timeout=300)
        assert p.returncode == 0, f"podman {args}: {p.stderr}"
        return p.stdout
    yield call
    subprocess.run(base + ["system", "reset", "-f"], capture_output=True)
    shutil.rmtree(run, ignore_errors=True)


@needs_root
def test_podman_interchange(berth, busybox_layout, tmp_path, podman):
    berth.ok("load", busybox_layout)
    info = berth.inspect("localhost/busybox")
    berth.ok("save", "-o", tmp_path / "to-podman.tar", "localhost/busybox")
    podman("load", "-i", tmp_path / "to-podman.tar")
    assert "localhost/busybox" in podman("images", "--format", "{{.Repository}}:{{.Tag}}")
    podman("tag", "localhost/busybox:latest", "localhost/from-podman:1")
    podman("save", "--format", "docker-archive", "-o", tmp_path / "d.tar",
           "localhost/from-podman:1")
    podman("save", "--format", "oci-archive", "-o", tmp_path / "o.tar",
           "localhost/from-podman:1")
    other = type(berth)(str(tmp_path / "other"), env=berth.env)
    other.ok("load", tmp_path / "d.tar")
    assert other.inspect("localhost/from-podman:1")["Layers"][0]["DiffID"] == \
        info["Layers"][0]["DiffID"]
    other.ok("load", tmp_path / "o.tar", "--name", "localhost/podman-oci")
    with mounted(other, "localhost/from-podman:1", str(tmp_path / "m")) as t:
        assert os.path.exists(f"{t}/bin/busybox")


def test_images_filter(berth, busybox_layout):
    berth.ok("load", busybox_layout)
    berth.ok("tag", "localhost/busybox", "localhost/busybox:other")
    berth.ok("tag", "localhost/busybox", "example.org/else:1")
    out = berth.ok("images", "--format", "json", "localhost/busybox").stdout
    import json as j
    assert j.loads(out)[0]["RepoTags"] == ["localhost/busybox:latest", "localhost/busybox:other"]
    out = berth.ok("images", "--format", "json", "localhost/busybox:other").stdout
    assert j.loads(out)[0]["RepoTags"] == ["localhost/busybox:other"]
    assert j.loads(berth.ok("images", "--format", "json", "nothing/here").stdout) == []


def test_docker_archive_with_linked_layers(berth, tmp_path):
    """Old docker save archives name a layer shared by two images through a symlink."""
    raw = ocihelp.make_tar([{"name": "f", "data": "shared"}])
    top = ocihelp.make_tar([{"name": "g", "data": "top"}])
    d = tmp_path / "arch"
    (d / "aaa").mkdir(parents=True)
    (d / "bbb").mkdir()
    (d / "ccc").mkdir()
    (d / "aaa" / "layer.tar").write_bytes(raw)
    os.symlink("../aaa/layer.tar", d / "bbb" / "layer.tar")
    (d / "ccc" / "layer.tar").write_bytes(top)
    cfg1 = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {
        "type": "layers", "diff_ids": [ocihelp.sha256(raw)]}})
    cfg2 = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {
        "type": "layers", "diff_ids": [ocihelp.sha256(raw), ocihelp.sha256(top)]}})
    (d / "c1.json").write_text(cfg1)
    (d / "c2.json").write_text(cfg2)
    (d / "manifest.json").write_text(json.dumps([
        {"Config": "c1.json", "RepoTags": ["one:1"], "Layers": ["aaa/layer.tar"]},
        {"Config": "c2.json", "RepoTags": ["two:2"], "Layers": ["bbb/layer.tar",
                                                                 "ccc/layer.tar"]}]))
    with tarfile.open(tmp_path / "arch.tar", "w") as t:
        for name in sorted(os.listdir(d)):
            t.add(d / name, arcname=name)
    out = berth.ok("load", tmp_path / "arch.tar").stdout
    assert "docker.io/library/one:1" in out and "docker.io/library/two:2" in out
    assert berth.inspect("two:2")["Layers"][0]["Digest"] == ocihelp.sha256(raw)
    # a Layers path pointing out of the archive is refused, not followed
    (d / "manifest.json").write_text(json.dumps([
        {"Config": "c1.json", "RepoTags": ["bad:1"], "Layers": ["../../../etc/hostname"]}]))
    p = berth.fail("load", d)
    assert "etc/hostname" in p.stderr


@needs_root
def test_mount_loads_the_builtin_image(berth, busybox_layout, tmp_path):
    """An empty store still mounts localhost/busybox: the built-in layout is loaded."""
    env = {"BERTH_BUSYBOX_OCI": busybox_layout}
    target = str(tmp_path / "m")
    os.makedirs(target)
    berth.ok("mount", "localhost/busybox", target, env=env)
    try:
        assert os.path.exists(f"{target}/bin/busybox")
    finally:
        berth.ok("unmount", target)
    assert berth.names() == ["localhost/busybox:latest"]
    # other names are not guessed at
    p = berth.fail("mount", "localhost/other", target, env=env)
    assert "No such image" in p.stderr


def test_load_refuses_special_and_oversized_index(berth, tmp_path):
    """index.json / manifest.json of a layout or archive are outside input: a FIFO must not
    hang `load`, a link to /dev/zero must not eat the memory, an oversized one is refused
    (4 MiB); each error names the file."""
    for name in ("index.json", "manifest.json"):
        d = tmp_path / name.split(".")[0]
        d.mkdir()
        os.mkfifo(d / name)
        p = berth.fail("load", d, timeout=20)
        assert name in p.stderr and "FIFO" in p.stderr, p.stderr
        os.unlink(d / name)
        os.symlink("/dev/zero", d / name)
        p = berth.fail("load", d, timeout=20)
        assert name in p.stderr and "character device" in p.stderr, p.stderr
        os.unlink(d / name)
        (d / name).write_text("[" + " " * (5 << 20) + "]")
        p = berth.fail("load", d, timeout=20)
        assert name in p.stderr and "4 MiB" in p.stderr, p.stderr
    assert berth.images() == []
