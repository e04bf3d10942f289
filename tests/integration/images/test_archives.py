# SPDX-License-Identifier: LGPL-2.1-or-later
"""Loading and importing archives: what a load may change in the store (only the names it
carries), archives from stdin, names that are not valid references."""
import json
import os
import subprocess
import uuid

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
