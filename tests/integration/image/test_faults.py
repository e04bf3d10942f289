# SPDX-License-Identifier: LGPL-2.1-or-later
"""Bad registries and interrupted pulls: refused with a clear error, nothing committed, and
what can be resumed is resumed."""
import os
import signal
import subprocess
import time

import pytest

from imagetest import BERTH
from fakeregistry import FakeRegistry
import ocihelp


@pytest.fixture
def fake():
    f = FakeRegistry()
    yield f
    f.stop()


def big_layer(n=400000, name="data"):
    return ocihelp.make_tar([{"name": name, "data": os.urandom(n)}])


def assert_nothing_committed(berth):
    assert berth.images() == []


def test_digest_mismatch(berth, fake):
    _, (layer,) = fake.add_image([big_layer()])
    fake.behaviour[layer] = "corrupt"
    p = berth.fail("pull", f"{fake.host}/test/img:1")
    assert "digest mismatch" in p.stderr and layer in p.stderr
    assert_nothing_committed(berth)
    assert layer[7:] not in berth.blobs()
    assert berth.ingest() == []  # a corrupt download is not kept for resuming


def test_larger_than_announced(berth, fake):
    _, (layer,) = fake.add_image([big_layer()])
    fake.behaviour[layer] = "oversize"
    p = berth.fail("pull", f"{fake.host}/test/img:1")
    assert "larger than" in p.stderr
    assert_nothing_committed(berth)
    assert berth.ingest() == []


def test_truncated_download_is_refused_and_kept(berth, fake):
    _, (layer,) = fake.add_image([big_layer()])
    fake.behaviour[layer] = "truncate"
    p = berth.fail("pull", f"{fake.host}/test/img:1")
    assert layer in p.stderr and "partial download is kept" in p.stderr
    assert_nothing_committed(berth)
    assert layer[7:] not in berth.blobs()
    assert berth.ingest() == [layer[7:] + ".partial"]
    # the registry heals: the next pull resumes where the last one stopped
    fake.behaviour[layer] = "ok"
    fake.requests.clear()
    berth.ok("pull", f"{fake.host}/test/img:1")
    ranges = [r for m, path, r in fake.requests if layer in path and m == "GET"]
    assert ranges and ranges[0] and ranges[0].startswith("bytes=")
    assert berth.ingest() == []


def test_closed_mid_body_is_resumed(berth, fake):
    _, (layer,) = fake.add_image([big_layer()])
    fake.behaviour[layer] = "close-once"
    fake.failures[layer] = 1
    berth.ok("pull", f"{fake.host}/test/img:1")
    gets = [r for m, path, r in fake.requests if layer in path and m == "GET"]
    assert len(gets) == 2 and gets[0] is None and gets[1].startswith("bytes=")
    assert len(berth.images()) == 1


def test_range_ignored_restarts(berth, fake):
    _, (layer,) = fake.add_image([big_layer()])
    fake.behaviour[layer] = "norange"
    fake.failures[layer] = 1
    berth.ok("pull", f"{fake.host}/test/img:1")
    assert len(berth.images()) == 1


def test_registry_500_is_retried(berth, fake):
    _, (layer,) = fake.add_image([big_layer()])
    fake.behaviour[layer] = "fail500"
    fake.failures[layer] = 2
    fake.failures["manifest"] = 1
    berth.ok("pull", f"{fake.host}/test/img:1")
    assert len(berth.images()) == 1


def test_registry_500_forever(berth, fake):
    _, (layer,) = fake.add_image([big_layer()])
    fake.behaviour[layer] = "fail500"
    fake.failures[layer] = 1000
    p = berth.fail("pull", f"{fake.host}/test/img:1")
    assert "HTTP 500" in p.stderr and "boom" in p.stderr
    assert_nothing_committed(berth)


def test_unknown_manifest_media_type(berth, fake):
    fake.add_image([big_layer(1000)], manifest_type="application/vnd.example.weird+json")
    p = berth.fail("pull", f"{fake.host}/test/img:1")
    assert "unknown manifest media type `application/vnd.example.weird+json`" in p.stderr
    assert_nothing_committed(berth)
    assert berth.blobs() == []


def test_manifest_digest_mismatch(berth, fake):
    digest, _ = fake.add_image([big_layer(1000)])
    wrong = ocihelp.sha256(b"not it")
    fake.manifests[wrong] = fake.manifests[digest]
    p = berth.fail("pull", f"{fake.host}/test/img@{wrong}")
    assert "has digest" in p.stderr
    assert_nothing_committed(berth)


def test_pull_killed_then_completed(berth, fake):
    layers = [big_layer(3_000_000, "big"), big_layer(1000, "small")]
    _, (slow, small) = fake.add_image(layers)
    fake.behaviour[slow] = "slow-once"
    fake.failures[slow] = 1
    proc = subprocess.Popen([BERTH, "--root", berth.root, "pull", f"{fake.host}/test/img:1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=berth.env)
    partial = os.path.join(berth.root, "ingest", slow[7:] + ".partial")
    deadline = time.time() + 30
    while time.time() < deadline:
        if os.path.exists(partial) and os.path.getsize(partial) > 1_000_000:
            break
        time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("the slow blob never started")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert berth.images() == []
    assert slow[7:] not in berth.blobs()
    fake.requests.clear()
    berth.ok("pull", f"{fake.host}/test/img:1")
    gets = [r for m, path, r in fake.requests if slow in path and m == "GET"]
    assert gets and gets[0] and gets[0].startswith("bytes=")
    imgs = berth.images()
    assert len(imgs) == 1 and imgs[0]["RepoTags"] == [f"{fake.host}/test/img:1"]
    assert berth.ingest() == []
    assert {slow[7:], small[7:]} <= set(berth.blobs())
    tmp = [d for d in os.listdir(os.path.join(berth.root, "snapshots", "overlay"))
           if d.startswith("tmp-")]
    assert tmp == []


def test_blob_redirect(berth, fake):
    _, (layer,) = fake.add_image([big_layer()])
    fake.behaviour[layer] = "redirect"
    berth.ok("pull", f"{fake.host}/test/img:1")
    assert any(path == f"/storage/{layer}" for m, path, r in fake.requests)
    assert len(berth.images()) == 1


def test_concurrent_pulls_of_one_image(berth, fake):
    _, (layer,) = fake.add_image([big_layer(2_000_000)])
    fake.behaviour[layer] = "pause"
    fake.pause = 1.0
    procs = [subprocess.Popen([BERTH, "--root", berth.root, "pull", "-q",
                               f"{fake.host}/test/img:1"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=berth.env) for _ in range(3)]
    for p in procs:
        out, errs = p.communicate(timeout=120)
        assert p.returncode == 0, errs
    assert len(berth.images()) == 1
    assert berth.ingest() == []
    # the blob was downloaded once: the others waited on the ingest lock and found it
    gets = [r for m, path, r in fake.requests if layer in path and m == "GET"]
    assert len(gets) == 1


def test_prune_waits_for_a_running_pull(berth, fake):
    _, (layer,) = fake.add_image([big_layer(2_000_000)])
    fake.behaviour[layer] = "pause"
    fake.pause = 2.0
    pull = subprocess.Popen([BERTH, "--root", berth.root, "pull", "-q", f"{fake.host}/test/img:1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=berth.env)
    partial = os.path.join(berth.root, "ingest", layer[7:] + ".partial")
    deadline = time.time() + 30
    while not (os.path.exists(partial) and os.path.getsize(partial) > 0):
        assert time.time() < deadline
        time.sleep(0.02)
    # the config blob is stored but no image references it yet: a collection now would
    # remove it; the store lock makes the prune wait for the pull instead
    t = time.monotonic()
    berth.ok("image", "prune")
    waited = time.monotonic() - t
    out, errs = pull.communicate(timeout=60)
    assert pull.returncode == 0, errs
    assert waited > 0.5
    assert len(berth.images()) == 1
    img = berth.images()[0]
    berth.ok("save", "-o", os.path.join(berth.root, "..", "check.tar"), img["Id"])


def test_push_to_a_flaky_registry(berth, busybox_layout, fake):
    berth.ok("load", busybox_layout)
    info = berth.inspect("localhost/busybox")
    fake.fail_puts = 2  # the first two uploads fail: a new session is started each time
    berth.ok("push", "localhost/busybox", f"{fake.host}/pushed/bb:1")
    assert fake.pushed_manifests["1"] == open(os.path.join(
        busybox_layout, "blobs", "sha256", info["ManifestDigest"][7:]), "rb").read()
    assert info["Layers"][0]["Digest"] in fake.blobs
    assert info["Id"] in fake.blobs


def test_chunked_push_to_fake_registry(berth, busybox_layout, fake):
    berth.ok("load", busybox_layout)
    info = berth.inspect("localhost/busybox")
    berth.ok("push", "--chunk-size", "100000", "localhost/busybox", f"{fake.host}/c/bb:1")
    patches = [p for m, p, r in fake.requests if m == "PATCH"]
    assert len(patches) >= info["Layers"][0]["Size"] // 100000
    assert info["Layers"][0]["Digest"] in fake.blobs


def test_push_detects_a_rewritten_manifest(berth, busybox_layout, fake):
    berth.ok("load", busybox_layout)
    fake.wrong_manifest_digest = True
    p = berth.fail("push", "localhost/busybox", f"{fake.host}/w/bb:1")
    assert "stored manifest" in p.stderr
