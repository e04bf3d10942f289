# SPDX-License-Identifier: LGPL-2.1-or-later
"""Push compresses what is stored uncompressed (docker archives, imports), gzip by default or
zstd, as docker and podman do: the registry gets compressed blobs and a manifest naming
them, and a pull of it gives the same diff IDs."""
import gzip
import json
import os
import sqlite3
import subprocess
import urllib.request
import uuid

import pytest

from imagetest import IS_ROOT, mounted
import ocihelp

ACCEPT = ", ".join(["application/vnd.oci.image.manifest.v1+json",
                    "application/vnd.docker.distribution.manifest.v2+json"])


def registry_get(registry, path, accept=ACCEPT):
    req = urllib.request.Request(f"http://{registry.host}/v2/{path}", headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read()


def load_plain(berth, tmp_path, docker):
    """An image of two uncompressed layers: from a docker-dir save (a Docker manifest) or an OCI
    layout (an OCI one)."""
    l1 = ocihelp.make_tar([{"name": "etc", "type": "dir"},
                           {"name": "etc/one", "data": "1" * 10000}])
    l2 = ocihelp.make_tar([{"name": "two", "data": "2" * 10000}])
    lay = ocihelp.Layout(str(tmp_path / ("layout-" + uuid.uuid4().hex[:8])))
    lay.add(lay.image([l1, l2], compression=None), name="localhost/plain:1", ref="1")
    if not docker:
        berth.ok("load", lay.path)
        return [ocihelp.sha256(l1), ocihelp.sha256(l2)]
    scratch = type(berth)(str(tmp_path / "scratch"), env=berth.env)
    scratch.ok("load", lay.path)
    out = tmp_path / "docker-dir"
    scratch.ok("save", "--format", "docker-dir", "-o", out, "localhost/plain:1")
    berth.ok("load", out)
    assert berth.inspect("localhost/plain:1")["ManifestMediaType"].startswith(
        "application/vnd.docker")
    return [ocihelp.sha256(l1), ocihelp.sha256(l2)]


def decompress(data, how):
    if how == "gzip":
        return gzip.decompress(data)
    return subprocess.run(["zstd", "-d", "-q", "-c"], input=data, check=True,
                          capture_output=True).stdout


@pytest.mark.parametrize("docker", [True, False], ids=["docker-manifest", "oci-manifest"])
@pytest.mark.parametrize("how", ["gzip", "zstd"])
def test_push_compresses_uncompressed_layers(berth, registry, tmp_path, how, docker):
    diff_ids = load_plain(berth, tmp_path, docker)
    name = f"plain{uuid.uuid4().hex[:8]}"
    dest = f"{registry.host}/{name}:1"
    args = [] if how == "gzip" else ["--compression-format", how]
    out = berth.ok("push", *args, "localhost/plain:1", dest).stdout
    raw = registry_get(registry, f"{name}/manifests/1")
    m = json.loads(raw)
    assert f"Digest: {ocihelp.sha256(raw)}" in out
    if how == "zstd" or not docker:
        assert m["mediaType"] == ocihelp.MT_MANIFEST
        assert m["config"]["mediaType"] == ocihelp.MT_CONFIG
        want = ocihelp.MT_LAYER[how]
    else:
        assert m["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json"
        want = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    assert [l["mediaType"] for l in m["layers"]] == [want, want]
    for layer, diff_id in zip(m["layers"], diff_ids):
        blob = registry_get(registry, f"{name}/blobs/{layer['digest']}", accept="*/*")
        assert ocihelp.sha256(blob) == layer["digest"] and len(blob) == layer["size"]
        assert len(blob) < 10000  # compressed
        assert ocihelp.sha256(decompress(blob, how)) == diff_id
    # a pull of it: same config, same diff IDs, compressed layers
    other = type(berth)(str(tmp_path / "other"), env=berth.env)
    other.ok("pull", dest)
    info = other.inspect(dest)
    assert info["Id"] == berth.inspect("localhost/plain:1")["Id"]
    assert [l["DiffID"] for l in info["Layers"]] == diff_ids
    assert [l["Digest"] for l in info["Layers"]] == [l["digest"] for l in m["layers"]]
    if IS_ROOT:
        with mounted(other, dest, str(tmp_path / "m")) as t:
            assert open(f"{t}/two").read() == "2" * 10000


def test_compressed_blobs_are_remembered(berth, registry, tmp_path):
    load_plain(berth, tmp_path, docker=True)
    dest1 = f"{registry.host}/again{uuid.uuid4().hex[:8]}:1"
    dest2 = f"{registry.host}/again{uuid.uuid4().hex[:8]}:1"
    d1 = berth.ok("push", "localhost/plain:1", dest1).stdout
    with sqlite3.connect(os.path.join(berth.root, "berth.db")) as db:
        rows = db.execute("SELECT compressed FROM compressed_blobs WHERE compression = 'gzip'"
                          ).fetchall()
    assert len(rows) == 2
    blobs = berth.blobs()
    assert all(r[0][7:] in blobs for r in rows)
    d2 = berth.ok("push", "localhost/plain:1", dest2).stdout
    assert d1 == d2  # the same manifest, from the same compressed blobs
    assert berth.blobs() == blobs
    # kept by garbage collection while their layer is
    berth.ok("image", "prune")
    assert berth.blobs() == blobs
    berth.ok("rmi", "localhost/plain:1")
    assert berth.blobs() == []


def test_compressed_image_pushes_as_stored(berth, busybox_layout, registry):
    """gzip layers already: nothing recompressed, the manifest digest unchanged."""
    berth.ok("load", busybox_layout)
    src = berth.inspect("localhost/busybox")
    assert all("gzip" in l["MediaType"] or "zstd" in l["MediaType"] for l in src["Layers"])
    out = berth.ok("push", "--compression-format", "zstd", "localhost/busybox",
                   f"{registry.host}/asis{uuid.uuid4().hex[:8]}:1").stdout
    assert f"Digest: {src['ManifestDigest']}" in out


def test_bad_compression_format(berth):
    p = berth.fail("push", "--compression-format", "lz4", "x", "y")
    assert "lz4" in p.stderr
