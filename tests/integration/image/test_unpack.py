# SPDX-License-Identifier: LGPL-2.1-or-later
"""Layer unpack: whiteouts, metadata, compression, and tar entries that try to escape."""
import json
import os
import stat
import subprocess
import uuid

import pytest

from imagetest import IS_ROOT, mounted
import ocihelp

pytestmark = pytest.mark.skipif(not IS_ROOT, reason="unpack with owners and mounts needs root")

SNAPSHOTTERS = ["overlay", "copy"]


def load_layers(berth, tmp_path, layers, name="localhost/test:1", compression="gzip",
                snapshotter=None, **kw):
    lay = ocihelp.Layout(str(tmp_path / ("layout-" + uuid.uuid4().hex[:8])))
    lay.add(lay.image(layers, compression=compression, **kw), name=name, ref="1")
    args = ["--snapshotter", snapshotter] if snapshotter else []
    return berth.run(*args, "load", lay.path)


@pytest.mark.parametrize("snapshotter", SNAPSHOTTERS)
def test_whiteouts_and_opaque_dirs(berth, tmp_path, snapshotter):
    l1 = ocihelp.make_tar([
        {"name": "a", "type": "dir"}, {"name": "a/file1", "data": "1"},
        {"name": "a/file2", "data": "2"}, {"name": "b", "type": "dir"},
        {"name": "b/dir", "type": "dir"}, {"name": "b/dir/x", "data": "x"},
        {"name": "b/old", "data": "old"}, {"name": "c", "data": "c"}])
    l2 = ocihelp.make_tar([
        {"name": "a/.wh.file1"}, {"name": "b", "type": "dir"}, {"name": "b/new", "data": "n"},
        {"name": "b/.wh..wh..opq"}, {"name": ".wh.c"}])
    l3 = ocihelp.make_tar([{"name": "c", "type": "dir"}, {"name": "c/again", "data": "a"}])
    p = load_layers(berth, tmp_path, [l1, l2, l3], snapshotter=snapshotter)
    assert p.returncode == 0, p.stderr
    target = str(tmp_path / "mnt")
    with mounted(berth, "localhost/test:1", target, snapshotter):
        assert not os.path.exists(f"{target}/a/file1")
        assert open(f"{target}/a/file2").read() == "2"
        assert sorted(os.listdir(f"{target}/b")) == ["new"]
        assert os.listdir(f"{target}/c") == ["again"]


@pytest.mark.parametrize("snapshotter", SNAPSHOTTERS)
def test_metadata_is_kept(berth, tmp_path, snapshotter):
    layer = ocihelp.make_tar([
        {"name": "d", "type": "dir", "mode": 0o750, "uid": 12, "gid": 34, "mtime": 1500000000},
        {"name": "d/suid", "data": "#!/bin/sh\n", "mode": 0o4755, "uid": 1000, "gid": 1000,
         "mtime": 1400000000},
        {"name": "d/link", "type": "symlink", "link": "suid", "uid": 7, "gid": 8},
        {"name": "d/hard", "type": "hardlink", "link": "d/suid"},
        {"name": "dev", "type": "dir"},
        {"name": "dev/null", "type": "char", "major": 1, "minor": 3, "mode": 0o666},
        {"name": "dev/fifo", "type": "fifo", "mode": 0o600},
        {"name": "x", "data": "xattr", "xattrs": {"user.berth": "yes"}},
        {"name": "sparse", "data": b"\0" * 100000 + b"end"}])
    p = load_layers(berth, tmp_path, [layer], snapshotter=snapshotter)
    assert p.returncode == 0, p.stderr
    t = str(tmp_path / "mnt")
    with mounted(berth, "localhost/test:1", t, snapshotter):
        st = os.stat(f"{t}/d")
        assert (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) == (0o750, 12, 34)
        assert st.st_mtime == 1500000000
        st = os.stat(f"{t}/d/suid")
        assert (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) == (0o4755, 1000, 1000)
        assert st.st_mtime == 1400000000
        assert os.readlink(f"{t}/d/link") == "suid"
        assert os.lstat(f"{t}/d/link").st_uid == 7
        assert os.stat(f"{t}/d/hard").st_ino == os.stat(f"{t}/d/suid").st_ino
        st = os.stat(f"{t}/dev/null")
        assert stat.S_ISCHR(st.st_mode) and os.major(st.st_rdev) == 1 and os.minor(st.st_rdev) == 3
        assert stat.S_ISFIFO(os.stat(f"{t}/dev/fifo").st_mode)
        try:
            assert os.getxattr(f"{t}/x", "user.berth") == b"yes"
        except OSError as e:
            if e.errno != 95:  # EOPNOTSUPP: the test file system has no user xattrs
                raise
        with open(f"{t}/sparse", "rb") as f:
            assert f.read()[-3:] == b"end"


@pytest.mark.parametrize("compression", ["gzip", "zstd", None])
def test_compressions(berth, tmp_path, compression):
    layer = ocihelp.make_tar([{"name": "f", "data": "payload-" * 1000}])
    p = load_layers(berth, tmp_path, [layer], compression=compression)
    assert p.returncode == 0, p.stderr
    info = berth.inspect("localhost/test:1")
    assert info["Layers"][0]["MediaType"] == ocihelp.MT_LAYER[compression]
    with mounted(berth, "localhost/test:1", str(tmp_path / "m")) as t:
        assert open(f"{t}/f").read() == "payload-" * 1000


def test_concatenated_gzip_members(berth, tmp_path):
    raw = ocihelp.make_tar([{"name": f"f{i}", "data": str(i) * 5000} for i in range(20)])
    import gzip
    half = len(raw) // 2
    blob = gzip.compress(raw[:half], mtime=0) + gzip.compress(raw[half:], mtime=0)
    lay = ocihelp.Layout(str(tmp_path / "l"))
    d = lay.blob(blob)
    d["mediaType"] = ocihelp.MT_LAYER["gzip"]
    cfg = lay.blob(json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {
        "type": "layers", "diff_ids": [ocihelp.sha256(raw)]}}).encode())
    cfg["mediaType"] = ocihelp.MT_CONFIG
    m = lay.blob(json.dumps({"schemaVersion": 2, "mediaType": ocihelp.MT_MANIFEST,
                             "config": cfg, "layers": [d]}).encode())
    m["mediaType"] = ocihelp.MT_MANIFEST
    lay.add(m, name="localhost/multi:1")
    berth.ok("load", lay.path)
    with mounted(berth, "localhost/multi:1", str(tmp_path / "m")) as t:
        assert len(os.listdir(t)) == 20


def test_diff_id_mismatch_is_refused(berth, tmp_path):
    layer = ocihelp.make_tar([{"name": "f", "data": "x"}])
    p = load_layers(berth, tmp_path, [layer], config_extra={
        "rootfs": {"type": "layers", "diff_ids": [ocihelp.sha256(b"something else")]}})
    assert p.returncode != 0
    assert "uncompressed content" in p.stderr
    assert berth.images() == []
    snaps = os.path.join(berth.root, "snapshots", "overlay")
    assert os.listdir(snaps) == []


@pytest.mark.parametrize("compression", ["gzip", "zstd"])
def test_truncated_layer_is_refused(berth, tmp_path, compression):
    raw = ocihelp.make_tar([{"name": "f", "data": os.urandom(200000)}])
    lay = ocihelp.Layout(str(tmp_path / "l"))
    d = lay.blob(ocihelp.compress(raw, compression)[:5000])
    d["mediaType"] = ocihelp.MT_LAYER[compression]
    cfg = lay.blob(json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {
        "type": "layers", "diff_ids": [ocihelp.sha256(raw)]}}).encode())
    cfg["mediaType"] = ocihelp.MT_CONFIG
    m = lay.blob(json.dumps({"schemaVersion": 2, "mediaType": ocihelp.MT_MANIFEST,
                             "config": cfg, "layers": [d]}).encode())
    m["mediaType"] = ocihelp.MT_MANIFEST
    lay.add(m, name="localhost/trunc:1")
    p = berth.fail("load", lay.path)
    assert "truncated" in p.stderr or "corrupt" in p.stderr
    assert berth.images() == []


@pytest.mark.parametrize("snapshotter", SNAPSHOTTERS)
def test_escapes_are_neutralised(berth, tmp_path, snapshotter):
    tag = uuid.uuid4().hex[:10]
    outside = f"/tmp/berth-escape-{tag}"
    layer = ocihelp.make_tar([
        {"name": f"../../../../../tmp/berth-escape-{tag}-dotdot", "data": "dotdot"},
        {"name": f"/tmp/berth-escape-{tag}-abs", "data": "abs"},
        {"name": "etc", "type": "dir"},
        {"name": "rootlink", "type": "symlink", "link": "/"},
        {"name": f"rootlink/tmp/berth-escape-{tag}-via-symlink", "data": "via"},
        {"name": "uplink", "type": "symlink", "link": "../../../../../../tmp"},
        {"name": f"uplink/berth-escape-{tag}-via-up", "data": "up"},
        {"name": "deep", "type": "dir"},
        {"name": "deep/abslink", "type": "symlink", "link": "/etc"},
        {"name": "deep/abslink/berth-written", "data": "in root"},
    ])
    p = load_layers(berth, tmp_path, [layer], snapshotter=snapshotter)
    assert p.returncode == 0, p.stderr
    for suffix in ("-dotdot", "-abs", "-via-symlink", "-via-up"):
        assert not os.path.exists(outside + suffix), suffix
    assert not os.path.exists("/etc/berth-written")
    with mounted(berth, "localhost/test:1", str(tmp_path / "m"), snapshotter) as t:
        # everything landed inside the root
        assert open(f"{t}/tmp/berth-escape-{tag}-dotdot").read() == "dotdot"
        assert open(f"{t}/tmp/berth-escape-{tag}-abs").read() == "abs"
        assert open(f"{t}/tmp/berth-escape-{tag}-via-symlink").read() == "via"
        assert open(f"{t}/tmp/berth-escape-{tag}-via-up").read() == "up"
        assert open(f"{t}/etc/berth-written").read() == "in root"
        assert os.readlink(f"{t}/rootlink") == "/"


def test_hardlink_out_of_root_is_refused(berth, tmp_path):
    layer = ocihelp.make_tar([
        {"name": "escape", "type": "symlink", "link": "/"},
        {"name": "pw", "type": "hardlink", "link": "../../../../etc/hostname"}])
    p = load_layers(berth, tmp_path, [layer])
    # the target is looked up inside the root, where it does not exist
    assert p.returncode != 0
    assert "hardlink" in p.stderr
    assert berth.images() == []


def test_whiteout_cannot_escape(berth, tmp_path):
    tag = uuid.uuid4().hex[:10]
    victim = f"/tmp/berth-victim-{tag}"
    open(victim, "w").write("keep me")
    try:
        layer = ocihelp.make_tar([{"name": f"../../../../tmp/.wh.berth-victim-{tag}"},
                                  {"name": "up", "type": "symlink", "link": "/tmp"},
                                  {"name": f"up/.wh.berth-victim-{tag}"}])
        load_layers(berth, tmp_path, [layer], snapshotter="copy")
        assert open(victim).read() == "keep me"
    finally:
        os.unlink(victim)


def test_unknown_layer_media_type(berth, tmp_path):
    layer = ocihelp.make_tar([{"name": "f", "data": "x"}])
    p = load_layers(berth, tmp_path, [layer], layer_media_type="application/x-unknown")
    assert p.returncode != 0
    assert "unknown media type `application/x-unknown`" in p.stderr
    assert berth.images() == []


def test_layers_are_shared(berth, tmp_path):
    base = ocihelp.make_tar([{"name": "base", "data": "b"}])
    top1 = ocihelp.make_tar([{"name": "one", "data": "1"}])
    top2 = ocihelp.make_tar([{"name": "two", "data": "2"}])
    assert load_layers(berth, tmp_path, [base, top1], name="localhost/a:1").returncode == 0
    assert load_layers(berth, tmp_path, [base, top2], name="localhost/b:1").returncode == 0
    a = berth.inspect("localhost/a:1")
    b = berth.inspect("localhost/b:1")
    assert a["Layers"][0]["ChainID"] == b["Layers"][0]["ChainID"]
    snaps = os.listdir(os.path.join(berth.root, "snapshots", "overlay"))
    assert len(snaps) == 3  # the base layer once
    # removing one image keeps the shared snapshot
    berth.ok("rmi", "localhost/a:1")
    snaps = os.listdir(os.path.join(berth.root, "snapshots", "overlay"))
    assert len(snaps) == 2
    with mounted(berth, "localhost/b:1", str(tmp_path / "m")) as t:
        assert sorted(os.listdir(t)) == ["base", "two"]


@pytest.mark.parametrize("classic", ["0", "1"])
def test_many_layers_mount(berth, tmp_path, classic):
    layers = [ocihelp.make_tar([{"name": f"f{i:03d}", "data": str(i)},
                                {"name": "top", "data": str(i)}]) for i in range(120)]
    p = load_layers(berth, tmp_path, layers, compression=None)
    assert p.returncode == 0, p.stderr
    # classic: mount(2) with one option page instead of fsconfig("lowerdir+")
    berth.env["BERTH_OVERLAY_CLASSIC"] = classic
    with mounted(berth, "localhost/test:1", str(tmp_path / "m")) as t:
        assert len(os.listdir(t)) == 121
        assert open(f"{t}/top").read() == "119"  # the last layer wins
