# SPDX-License-Identifier: LGPL-2.1-or-later
"""Pull and push against Debian's docker-registry, and interchange with skopeo."""
import json
import os
import uuid

import pytest

from imagetest import IS_ROOT, mounted
import ocihelp


def repo(registry, name=None):
    return f"{registry.host}/{name or 'r' + uuid.uuid4().hex[:8]}"


def test_push_pull_roundtrip(berth, busybox_layout, registry, tmp_path):
    berth.ok("load", busybox_layout)
    src = berth.inspect("localhost/busybox")
    dest = repo(registry) + ":v1"
    out = berth.ok("push", "localhost/busybox", dest)
    assert f"Digest: {src['ManifestDigest']}" in out.stdout
    other = type(berth)(str(tmp_path / "other"), env=berth.env)
    p = other.ok("pull", dest)
    assert src["ManifestDigest"] in p.stdout
    img = other.inspect(dest)
    assert img["Id"] == src["Id"]
    assert img["RepoTags"] == [dest]
    assert other.ingest() == []
    # by digest: no tag recorded, found by name@digest
    name = dest.rsplit(":", 1)[0]
    third = type(berth)(str(tmp_path / "third"), env=berth.env)
    third.ok("pull", f"{name}@{src['ManifestDigest']}")
    assert third.inspect(f"{name}@{src['ManifestDigest']}")["Id"] == src["Id"]
    # pulling again downloads nothing
    p = other.ok("pull", dest)
    assert "Downloading" not in p.stderr


def test_pull_progress_and_quiet(berth, busybox_layout, registry, tmp_path):
    berth.ok("load", busybox_layout)
    dest = repo(registry) + ":q"
    berth.ok("push", "-q", "localhost/busybox", dest)
    a = type(berth)(str(tmp_path / "a"), env=berth.env)
    p = a.ok("pull", dest)
    assert "Downloading" in p.stderr and "Done" in p.stderr  # plain lines: not a terminal
    b = type(berth)(str(tmp_path / "b"), env=berth.env)
    p = b.ok("pull", "-q", dest)
    assert p.stderr == ""
    assert p.stdout.strip() == a.images()[0]["Id"]


def test_push_skips_existing_and_mounts(berth, busybox_layout, registry):
    berth.ok("load", busybox_layout)
    first = repo(registry) + ":1"
    p = berth.ok("push", "localhost/busybox", first)
    assert "Pushed" in p.stderr
    p = berth.ok("push", "localhost/busybox", first)
    assert "already exists" in p.stderr and "Pushed" not in p.stderr
    p = berth.ok("push", "localhost/busybox", repo(registry) + ":2")
    assert "Mounted" in p.stderr and "Pushed" not in p.stderr


def test_chunked_push(berth, tmp_path, registry, skopeo):
    layer = ocihelp.make_tar([{"name": "big", "data": os.urandom(300000)}])
    lay = ocihelp.Layout(str(tmp_path / "l"))
    lay.add(lay.image([layer], compression=None), name="localhost/chunky:1")
    berth.ok("load", lay.path)
    dest = repo(registry) + ":c"
    berth.ok("push", "--chunk-size", "65536", "localhost/chunky:1", dest)
    skopeo("copy", "--src-tls-verify=false", f"docker://{dest}", f"oci:{tmp_path}/back:x")
    other = type(berth)(str(tmp_path / "o"), env=berth.env)
    other.ok("load", tmp_path / "back", "--name", "localhost/back")
    assert other.inspect("localhost/back:x")["Id"] == berth.inspect("localhost/chunky:1")["Id"]


def test_skopeo_push_berth_pull(berth, busybox_layout, registry, skopeo, tmp_path):
    dest = repo(registry) + ":sk"
    skopeo("copy", "--dest-tls-verify=false", f"oci:{busybox_layout}:latest", f"docker://{dest}")
    berth.ok("pull", dest)
    img = berth.inspect(dest)
    assert img["Os"] == "linux"
    if IS_ROOT:
        with mounted(berth, dest, str(tmp_path / "m")) as t:
            assert os.path.exists(f"{t}/bin/busybox")


def test_berth_push_skopeo_pull(berth, busybox_layout, registry, skopeo, tmp_path):
    berth.ok("load", busybox_layout)
    dest = repo(registry) + ":b"
    berth.ok("push", "localhost/busybox", dest)
    info = json.loads(skopeo("inspect", "--tls-verify=false", f"docker://{dest}").stdout)
    assert info["Digest"] == berth.inspect("localhost/busybox")["ManifestDigest"]
    skopeo("copy", "--src-tls-verify=false", f"docker://{dest}", f"oci:{tmp_path}/o:b")
    assert os.path.exists(tmp_path / "o" / "index.json")


@pytest.mark.parametrize("compression", ["gzip", "zstd", None])
def test_layer_compressions_through_registry(berth, tmp_path, registry, skopeo, compression):
    layers = [ocihelp.make_tar([{"name": f"l{i}", "data": f"layer {i}\n" * 100}])
              for i in range(3)]
    lay = ocihelp.Layout(str(tmp_path / "l"))
    lay.add(lay.image(layers, compression=compression), ref="t")
    # compressed layers are pushed as they are, plain ones gzip-compressed (as docker and
    # skopeo do); berth pull elsewhere
    want = [ocihelp.MT_LAYER[compression or "gzip"]] * 3
    berth.ok("load", lay.path, "--name", "localhost/comp")
    dest = repo(registry) + ":t"
    berth.ok("push", "localhost/comp:t", dest)
    other = type(berth)(str(tmp_path / "o"), env=berth.env)
    other.ok("pull", dest)
    assert [l["MediaType"] for l in other.inspect(dest)["Layers"]] == want
    if IS_ROOT:
        with mounted(other, dest, str(tmp_path / "m")) as t:
            assert sorted(os.listdir(t)) == ["l0", "l1", "l2"]
    # skopeo reads what berth pushed
    skopeo("copy", "--src-tls-verify=false", f"docker://{dest}", f"oci:{tmp_path}/sk:t")
    if compression:
        # and berth pulls what skopeo pushed (skopeo compresses plain layers itself)
        dest2 = repo(registry) + ":sk"
        skopeo("copy", "--dest-tls-verify=false", f"oci:{lay.path}:t", f"docker://{dest2}")
        berth.ok("pull", dest2)
        assert [l["MediaType"] for l in berth.inspect(dest2)["Layers"]] == want


def test_multi_platform_index(berth, tmp_path, registry, skopeo):
    lay = ocihelp.Layout(str(tmp_path / "l"))
    host = ocihelp.host_arch()
    other_arch = "arm64" if host != "arm64" else "amd64"
    m_host = lay.image([ocihelp.make_tar([{"name": "arch", "data": host}])], arch=host)
    m_other = lay.image([ocihelp.make_tar([{"name": "arch", "data": other_arch}])],
                        arch=other_arch)
    lay.add(lay.index([m_other, m_host]), ref="multi")
    dest = repo(registry) + ":multi"
    skopeo("copy", "--all", "--dest-tls-verify=false", f"oci:{lay.path}:multi",
           f"docker://{dest}")
    berth.ok("pull", dest)
    img = berth.inspect(dest)
    assert img["Architecture"] == host
    assert img["ManifestDigest"] == m_host["digest"]
    assert "IndexDigest" in img
    other = type(berth)(str(tmp_path / "o"), env=berth.env)
    other.ok("pull", "--platform", f"linux/{other_arch}", dest)
    assert other.inspect(dest)["Architecture"] == other_arch
    p = other.fail("pull", "--platform", "linux/s390x", dest)
    assert "no manifest for linux/s390x" in p.stderr
    # loading the same index from a layout picks the host's image too
    third = type(berth)(str(tmp_path / "t"), env=berth.env)
    third.ok("load", lay.path, "--name", "localhost/multi")
    assert third.inspect("localhost/multi:multi")["Architecture"] == host


def test_pull_errors(berth, registry):
    p = berth.fail("pull", f"{registry.host}/does/not-exist:1")
    assert "HTTP 404" in p.stderr and "manifest unknown" in p.stderr
    p = berth.fail("pull", "127.0.0.1:1/x/y:1")
    assert "127.0.0.1:1" in p.stderr
    p = berth.fail("pull", "Not A Reference")
    assert "in image reference" in p.stderr
    assert berth.images() == []


def test_tls_verification(berth, busybox_layout, tls_registry, tmp_path):
    berth.ok("load", busybox_layout)
    dest = f"{tls_registry.host}/tls/bb:1"
    # 127.0.0.1 is a localhost registry: verification is off unless asked for
    berth.ok("push", "localhost/busybox", dest)
    other = type(berth)(str(tmp_path / "o"), env=berth.env)
    p = other.fail("pull", "--tls-verify=true", dest)
    assert tls_registry.host in p.stderr and "certificate" in p.stderr.lower()
    assert other.images() == []
    other.ok("pull", "--tls-verify=false", dest)
    assert other.names() == [dest]


def test_tls_verification_from_registries_file(berth, busybox_layout, tls_registry, tmp_path):
    berth.ok("load", busybox_layout)
    dest = f"{tls_registry.host}/tls/conf:1"
    berth.ok("push", "localhost/busybox", dest)
    conf = tmp_path / "registries.json"
    conf.write_text(json.dumps({"registries": {tls_registry.host: {"tls-verify": True}}}))
    other = type(berth)(str(tmp_path / "o"), env=berth.env)
    p = other.fail("pull", dest, env={"BERTH_REGISTRIES_CONF": str(conf)})
    assert "certificate" in p.stderr.lower()
    # the command line wins over the file
    other.ok("pull", "--tls-verify=false", dest, env={"BERTH_REGISTRIES_CONF": str(conf)})


def test_progress_on_a_terminal(berth, busybox_layout, registry, tmp_path):
    import pty
    import subprocess
    from imagetest import BERTH
    berth.ok("load", busybox_layout)
    dest = repo(registry) + ":tty"
    berth.ok("push", "localhost/busybox", dest)
    master, slave = pty.openpty()
    p = subprocess.Popen([BERTH, "--root", str(tmp_path / "o"), "pull", dest],
                         stdout=subprocess.PIPE, stderr=slave, env=berth.env)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait(60)
    os.close(master)
    assert p.returncode == 0
    assert b"\x1b[" in out  # redrawn in place
    assert b"Done" in out and b"[" in out
