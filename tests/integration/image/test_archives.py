# SPDX-License-Identifier: LGPL-2.1-or-later
"""Loading and importing archives: what a load may change in the store (only the names it
carries), archives from stdin, names that are not valid references."""
import json
import os
import subprocess
import uuid

import pytest

import ocihelp
from imagetest import BERTH


def gzip_image(tmp_path, name="localhost/orig:1"):
    lay = ocihelp.Layout(str(tmp_path / ("layout-" + uuid.uuid4().hex[:8])))
    layer = ocihelp.make_tar([{"name": "hello", "data": "world"}])
    lay.add(lay.image([layer], compression="gzip"), name=name, ref="1")
    return lay.path


def image_by_tag(berth, tag):
    return next(i for i in berth.images() if tag in i["RepoTags"])


def docker_dir_with_tags(berth, tmp_path, image, tags):
    out = tmp_path / ("saved-" + uuid.uuid4().hex[:8])
    berth.ok("save", "--format", "docker-dir", "-o", out, image)
    mf = json.loads((out / "manifest.json").read_text())
    mf[0]["RepoTags"] = tags
    (out / "manifest.json").write_text(json.dumps(mf))
    return out


def test_load_of_a_stored_config_changes_no_other_name(berth, tmp_path):
    """A docker-archive of an image already stored (same config) names it; the stored image
    keeps its (compressed) manifest, so its other names keep their RepoDigests."""
    berth.ok("load", gzip_image(tmp_path))
    berth.ok("tag", "localhost/orig:1", "localhost/keep:1")
    before = image_by_tag(berth, "localhost/keep:1")
    layers_before = berth.inspect("localhost/keep:1")["Layers"]
    archive = docker_dir_with_tags(berth, tmp_path, "localhost/orig:1", ["localhost/new:1"])
    berth.ok("load", archive)
    after = image_by_tag(berth, "localhost/keep:1")
    assert after["ManifestDigest"] == before["ManifestDigest"]
    assert set(before["RepoDigests"]) <= set(after["RepoDigests"])
    assert {d.split("@")[1] for d in after["RepoDigests"]} == {before["ManifestDigest"]}
    assert berth.inspect("localhost/keep:1")["Layers"] == layers_before
    assert "gzip" in layers_before[0]["MediaType"]
    new = image_by_tag(berth, "localhost/new:1")
    assert new["Id"] == before["Id"]
    assert sorted(new["RepoTags"]) == ["localhost/keep:1", "localhost/new:1", "localhost/orig:1"]
    # the same for an OCI layout of the same config with another manifest
    lay = ocihelp.Layout(str(tmp_path / "plain"))
    layer = ocihelp.make_tar([{"name": "hello", "data": "world"}])
    lay.add(lay.image([layer], compression=None), name="localhost/plain:1", ref="1")
    berth.ok("load", lay.path)
    assert image_by_tag(berth, "localhost/keep:1")["ManifestDigest"] == before["ManifestDigest"]


def test_import_from_stdin(berth, tmp_path):
    raw = ocihelp.make_tar([{"name": "hello.txt", "data": "hi\n"}])
    gz = ocihelp.compress(raw, "gzip")
    # a pipe, which cannot be read twice: the store's copy is read for the diff ID
    p = subprocess.run([BERTH, "--root", berth.root, "import", "-", "example.org/piped:1"],
                       input=gz, capture_output=True, env=berth.env, timeout=60)
    assert p.returncode == 0, p.stderr
    info = berth.inspect("example.org/piped:1")
    assert info["Id"] == p.stdout.decode().strip()
    assert info["Layers"][0]["DiffID"] == ocihelp.sha256(raw)
    assert info["Layers"][0]["Digest"] == ocihelp.sha256(gz)
    # and a regular file on stdin
    f = tmp_path / "root.tar"
    f.write_bytes(raw)
    with open(f, "rb") as stdin:
        p = subprocess.run([BERTH, "--root", berth.root, "import", "-", "example.org/file:1"],
                           stdin=stdin, capture_output=True, env=berth.env, timeout=60)
    assert p.returncode == 0, p.stderr
    assert berth.inspect("example.org/file:1")["Layers"][0]["DiffID"] == ocihelp.sha256(raw)


def test_invalid_repotags_are_refused(berth, tmp_path):
    berth.ok("load", gzip_image(tmp_path))
    for bad in ["Not/A:Valid:Name", "noTag@", 42]:
        archive = docker_dir_with_tags(berth, tmp_path, "localhost/orig:1",
                                       ["localhost/fine:1", bad])
        other = type(berth)(str(tmp_path / ("o-" + uuid.uuid4().hex[:6])), env=berth.env)
        p = other.fail("load", archive)
        assert f"RepoTags[1] `{bad}`" in p.stderr
        assert other.images() == []  # not loaded under fewer names


@pytest.mark.parametrize("kind", ["htpasswd", "token"])
def test_registry_401_suggests_login(berth, busybox_layout, request, kind):
    reg = request.getfixturevalue(f"{kind}_registry")
    berth.ok("load", busybox_layout)
    dest = f"{reg.host}/hint/busybox:1"
    p = berth.fail("push", "localhost/busybox", dest)
    assert f"berth login {reg.host}" in p.stderr
    p = berth.fail("pull", dest)
    assert f"berth login {reg.host}" in p.stderr
    # wrong credentials: the same advice
    p = berth.fail("pull", "--creds", f"{reg.user}:wrong", dest)
    assert f"berth login {reg.host}" in p.stderr
