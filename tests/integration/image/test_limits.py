# SPDX-License-Identifier: LGPL-2.1-or-later
"""Images at the edges of what a store can hold: trees deeper than any C stack would take by
recursion, mounts that fail or die half way, and images with more layers than one overlay
mount can stack."""
import os
import resource
import subprocess
import uuid

import pytest

from imagetest import BERTH, IS_ROOT, mounted
import ocihelp

pytestmark = pytest.mark.skipif(not IS_ROOT, reason="unpack with owners and mounts needs root")

SNAPSHOTTERS = ["overlay", "copy"]
DEPTH = 2000


@pytest.fixture(autouse=True)
def remove_deep_trees(tmp_path):
    """pytest's own clean-up recurses, and gives up on a 2000-level tree."""
    yield
    subprocess.run(["rm", "-rf", "--one-file-system", str(tmp_path)], check=False)


def load_layers(berth, tmp_path, layers, name="localhost/test:1", snapshotter=None):
    lay = ocihelp.Layout(str(tmp_path / ("layout-" + uuid.uuid4().hex[:8])))
    lay.add(lay.image(layers, compression=None), name=name, ref="1")
    args = ["--snapshotter", snapshotter] if snapshotter else []
    return berth.run(*args, "load", lay.path, timeout=900)


def deep_layer(depth=DEPTH):
    entries, path = [], ""
    for _ in range(depth):
        path = f"{path}/d" if path else "d"
        entries.append({"name": path, "type": "dir"})
    entries.append({"name": path + "/bottom", "data": "deep"})
    return ocihelp.make_tar(entries), path


def run_with_few_fds(berth, *args, nofile=128):
    """berth with a small fd limit: a walk that keeps one fd per level runs out of them."""
    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    return subprocess.run([BERTH, "--root", berth.root, *args], capture_output=True, text=True,
                          env=berth.env, preexec_fn=limit, timeout=300)


def make_chain(top, depth):
    """top/d/d/...: one level at a time, as the path outgrows PATH_MAX."""
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=fd)
        sub = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = sub
    os.close(fd)


def listdir(path):
    return sorted(os.listdir(path)) if os.path.isdir(path) else []


@pytest.mark.parametrize("snapshotter", SNAPSHOTTERS)
def test_deep_tree_mounts_and_goes(berth, tmp_path, snapshotter):
    layer, path = deep_layer()
    p = load_layers(berth, tmp_path, [layer], snapshotter=snapshotter)
    assert p.returncode == 0, p.stderr
    target = str(tmp_path / "mnt")
    os.makedirs(target)
    # the copy snapshotter copies the tree here (it crashed on the C stack before)
    p = run_with_few_fds(berth, "--snapshotter", snapshotter, "mount", "localhost/test:1", target)
    assert p.returncode == 0, p.stderr
    try:
        with open(os.path.join(target, path, "bottom")) as f:
            assert f.read() == "deep"
    finally:
        p = run_with_few_fds(berth, "--snapshotter", snapshotter, "unmount", target)
    assert p.returncode == 0, p.stderr
    assert listdir(os.path.join(berth.root, "mounts")) == []
    p = run_with_few_fds(berth, "rmi", "localhost/test:1")
    assert p.returncode == 0, p.stderr
    assert listdir(os.path.join(berth.root, "snapshots", snapshotter)) == []


@pytest.mark.parametrize("snapshotter", SNAPSHOTTERS)
def test_failed_mount_leaves_nothing(berth, tmp_path, snapshotter):
    layer, _ = deep_layer(50)
    assert load_layers(berth, tmp_path, [layer], snapshotter=snapshotter).returncode == 0
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    p = berth.run("--snapshotter", snapshotter, "mount", "localhost/test:1", str(not_a_dir))
    assert p.returncode != 0
    assert "file" in p.stderr
    assert listdir(os.path.join(berth.root, "mounts")) == []
    assert not berth.ok("images", "--format", "json").stdout.count("Mounted")


@pytest.mark.parametrize("verb", [["rmi", "localhost/other:1"], ["image", "prune", "-a"]])
def test_stale_mount_directories_are_collected(berth, tmp_path, verb):
    """What a mount that died half way left under <root>/mounts (a deep copy included) goes
    with the next rmi or prune; a live mount's directory stays."""
    layer, path = deep_layer()
    assert load_layers(berth, tmp_path, [layer], snapshotter="copy").returncode == 0
    other = ocihelp.make_tar([{"name": "o", "data": "o"}])
    assert load_layers(berth, tmp_path, [other], name="localhost/other:1").returncode == 0
    stale = os.path.join(berth.root, "mounts", "0123456789abcdef")
    os.makedirs(os.path.join(stale, "rootfs"))
    make_chain(os.path.join(stale, "rootfs"), DEPTH)
    target = str(tmp_path / "live")
    with mounted(berth, "localhost/test:1", target, "copy"):
        live = [d for d in listdir(os.path.join(berth.root, "mounts")) if d != "0123456789abcdef"]
        assert len(live) == 1
        p = run_with_few_fds(berth, *verb)
        assert p.returncode == 0, p.stderr
        assert listdir(os.path.join(berth.root, "mounts")) == live
        assert os.path.isfile(os.path.join(target, path, "bottom"))
    assert listdir(os.path.join(berth.root, "mounts")) == []
    p = run_with_few_fds(berth, "rmi", "localhost/test:1")
    assert p.returncode == 0, p.stderr
    assert listdir(os.path.join(berth.root, "snapshots", "copy")) == []


def many_layers(n):
    """Layer i adds f<i> and rewrites top; every 7th removes the file of the layer below, so
    whiteouts cross the line between the flattened bottom and the stacked layers."""
    layers = []
    for i in range(n):
        entries = [{"name": f"f{i:04d}", "data": str(i)}, {"name": "top", "data": str(i)}]
        if i and i % 7 == 0:
            entries.append({"name": f".wh.f{i - 1:04d}"})
        layers.append(ocihelp.make_tar(entries))
    expected = {f"f{i:04d}" for i in range(n) if not (i + 1 < n and (i + 1) % 7 == 0)}
    return layers, expected | {"top"}


@pytest.mark.parametrize("snapshotter", SNAPSHOTTERS)
def test_more_layers_than_overlay_stacks(berth, tmp_path, snapshotter):
    """3000 layers. overlay: overlayfs stacks 500 lower dirs, and mount(2)'s option page
    holds fewer; the bottom 2501 layers are mounted as one flattened copy snapshot. copy: one
    snapshot of the whole tree, not 3000 copies of it."""
    n = 3000
    layers, expected = many_layers(n)
    p = load_layers(berth, tmp_path, layers, snapshotter=snapshotter)
    assert p.returncode == 0, p.stderr
    for classic in ("0", "1"):
        berth.env["BERTH_OVERLAY_CLASSIC"] = classic
        with mounted(berth, "localhost/test:1", str(tmp_path / f"m{classic}"), snapshotter) as t:
            assert set(os.listdir(t)) == expected
            with open(f"{t}/top") as f:
                assert f.read() == str(n - 1)
            with open(f"{t}/f0000") as f:
                assert f.read() == "0"
            with open(f"{t}/new", "w") as f:  # the writable layer on top
                f.write("x")
    flat = listdir(os.path.join(berth.root, "snapshots", "copy"))
    assert len(flat) == 1  # made once, kept with the image
    berth.ok("rmi", "localhost/test:1")
    assert listdir(os.path.join(berth.root, "snapshots", "copy")) == []
    assert listdir(os.path.join(berth.root, "snapshots", "overlay")) == []
    assert listdir(os.path.join(berth.root, "mounts")) == []
