#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/pull: pull + unpack of one realistic image from a local registry, side by side:

  berth pull                          (download, verify, unpack into overlay snapshots)
  skopeo copy + umoci unpack          (download to an OCI layout, then unpack a bundle)
  ctr pull (containerd)               (download and unpack into the overlayfs snapshotter)
  podman pull                         (containers/storage, overlay driver)

The image is made at bench time from files of this host (several layers, a few hundred MB:
/usr/lib/gcc, /usr/lib/python3.11, /usr/libexec, /usr/share/doc, /etc) as gzip layers and pushed
with skopeo to Debian's docker-registry on 127.0.0.1. Every run starts from an empty store;
the page cache is warm for all tools alike (the registry reads the same blobs each time).
Prints medians and ratios to the fastest peer; writes bench/out/pull.json.

usage: run.py [--runs N] [--tools berth,skopeo-umoci,ctr,podman] [--keep]
       BERTH_BUILD_DIR selects the berth build (default <repo>/build).
"""
import argparse
import gzip
import hashlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("BERTH_BUILD_DIR", os.path.join(REPO, "build"))
LAYER_SOURCES = ["/usr/lib/gcc", "/usr/lib/python3.11", "/usr/libexec", "/usr/share/doc", "/etc"]


def berth_bin():
    for rel in ("src/cmd/berth/berth", "src/image/berth"):
        p = os.path.join(BUILD, rel)
        if os.access(p, os.X_OK):
            return p
    sys.exit(f"berth not built in {BUILD}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(url)


def make_image(work):
    """OCI layout with one gzip layer per source directory."""
    lay = os.path.join(work, "layout")
    os.makedirs(os.path.join(lay, "blobs", "sha256"))

    def blob(data):
        d = hashlib.sha256(data).hexdigest()
        with open(os.path.join(lay, "blobs", "sha256", d), "wb") as f:
            f.write(data)
        return {"digest": "sha256:" + d, "size": len(data)}

    diff_ids, layers, total = [], [], 0
    for src in LAYER_SOURCES:
        if not os.path.isdir(src):
            continue
        raw_path = os.path.join(work, "layer.tar")
        with tarfile.open(raw_path, "w", format=tarfile.PAX_FORMAT) as t:
            t.add(src, arcname=src.lstrip("/"))
        raw = open(raw_path, "rb").read()
        total += len(raw)
        diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
        d = blob(gzip.compress(raw, compresslevel=6, mtime=0))
        d["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
        layers.append(d)
        os.unlink(raw_path)
    cfg = blob(json.dumps({"architecture": "amd64", "os": "linux",
                           "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode())
    cfg["mediaType"] = "application/vnd.oci.image.config.v1+json"
    m = blob(json.dumps({"schemaVersion": 2,
                         "mediaType": "application/vnd.oci.image.manifest.v1+json",
                         "config": cfg, "layers": layers}).encode())
    m["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
    m["annotations"] = {"org.opencontainers.image.ref.name": "1"}
    with open(os.path.join(lay, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [m]}, f)
    with open(os.path.join(lay, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    return lay, len(layers), total, sum(l["size"] for l in layers)


def timed(cmd, **kw):
    t = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    return time.monotonic() - t


def run_berth(work, ref, i):
    root = os.path.join(work, f"berth-{i}")
    try:
        return timed([berth_bin(), "--root", root, "pull", "-q", "--tls-verify=false", ref])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run_skopeo_umoci(work, ref, i):
    d = os.path.join(work, f"umoci-{i}")
    os.makedirs(d)
    try:
        t = time.monotonic()
        subprocess.run(["skopeo", "--insecure-policy", "copy", "--src-tls-verify=false",
                        f"docker://{ref}", f"oci:{d}/layout:1"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        subprocess.run(["umoci", "unpack", "--image", f"{d}/layout:1", f"{d}/bundle"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return time.monotonic() - t
    finally:
        shutil.rmtree(d, ignore_errors=True)


def run_ctr(work, ref, i):
    d = os.path.join(work, f"containerd-{i}")
    os.makedirs(d)
    sock = os.path.join(d, "c.sock")
    with open(os.path.join(d, "config.toml"), "w") as f:
        f.write(f'version = 2\nroot = "{d}/root"\nstate = "{d}/state"\n'
                f'[grpc]\n  address = "{sock}"\n'
                '[plugins."io.containerd.grpc.v1.cri"]\n  disable_apparmor = true\n')
    proc = subprocess.Popen(["containerd", "--config", os.path.join(d, "config.toml")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        end = time.time() + 20
        while not os.path.exists(sock) and time.time() < end:
            time.sleep(0.05)
        time.sleep(0.3)
        return timed(["ctr", "-a", sock, "-n", "bench", "images", "pull", "--plain-http", ref])
    finally:
        proc.terminate()
        proc.wait()
        subprocess.run(["umount", "-R", d], stderr=subprocess.DEVNULL)
        shutil.rmtree(d, ignore_errors=True)


def run_podman(work, ref, i):
    d = os.path.join(work, f"podman-{i}")
    # podman refuses a runroot path longer than 50 characters
    run = tempfile.mkdtemp(prefix="bbp-", dir="/tmp")
    base = ["podman", "--root", f"{d}/root", "--runroot", run, "--storage-driver", "overlay",
            "--cgroup-manager", "cgroupfs", "--events-backend", "none"]
    try:
        return timed(base + ["pull", "-q", "--tls-verify=false", f"docker://{ref}"])
    finally:
        subprocess.run(base + ["system", "reset", "-f"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        subprocess.run(["umount", "-R", d], stderr=subprocess.DEVNULL)
        shutil.rmtree(d, ignore_errors=True)
        shutil.rmtree(run, ignore_errors=True)


TOOLS = {"berth": run_berth, "skopeo-umoci": run_skopeo_umoci, "ctr": run_ctr,
         "podman": run_podman}
NEEDS = {"skopeo-umoci": ["skopeo", "umoci"], "ctr": ["containerd", "ctr"],
         "podman": ["podman"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--storage", choices=["tmpfs", "disk"], default="tmpfs",
                    help="where the tools store images: a fresh tmpfs (default) measures the "
                         "tools; on disk, ext4's inode allocator after many deletions can "
                         "dominate and vary run to run by 3x")
    args = ap.parse_args()
    tools = [t for t in args.tools.split(",") if all(shutil.which(b) for b in NEEDS.get(t, []))]
    top = tempfile.mkdtemp(prefix="berth-bench-pull-", dir="/var/tmp")
    work = os.path.join(top, "stores")
    os.makedirs(work)
    reg = None
    mounted = False
    try:
        if args.storage == "tmpfs":
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16g", "berth-bench", work],
                           check=True)
            mounted = True
        lay, n_layers, raw_size, gz_size = make_image(top)
        port = free_port()
        with open(os.path.join(top, "registry.yml"), "w") as f:
            f.write(f"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
                    f"    rootdirectory: {top}/registry\nhttp:\n  addr: 127.0.0.1:{port}\n")
        reg = subprocess.Popen(["docker-registry", "serve", os.path.join(top, "registry.yml")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_http(f"http://127.0.0.1:{port}/v2/")
        ref = f"127.0.0.1:{port}/bench/image:1"
        subprocess.run(["skopeo", "--insecure-policy", "copy", "--dest-tls-verify=false",
                        f"oci:{lay}:1", f"docker://{ref}"], check=True,
                       stdout=subprocess.DEVNULL)
        print(f"image: {n_layers} layers, {raw_size / 1e6:.0f} MB uncompressed, "
              f"{gz_size / 1e6:.0f} MB gzip; {args.runs} runs per tool, {os.cpu_count()} CPUs, "
              f"stores on {args.storage}")
        results = {}
        for i in range(args.runs):
            # interleaved, so drift in the machine hits every tool alike
            for t in tools:
                try:
                    results.setdefault(t, []).append(TOOLS[t](work, ref, i))
                except subprocess.CalledProcessError as e:
                    print(f"{t} failed: {e.stderr.decode(errors='replace')[-500:]}")
                    results.setdefault(t, [])
        med = {t: statistics.median(v) for t, v in results.items() if v}
        peers = {t: m for t, m in med.items() if t != "berth"}
        fastest = min(peers.values()) if peers else None
        print(f"{'tool':<14} {'median s':>9} {'min s':>7} {'max s':>7} {'vs fastest peer':>16}")
        for t, v in results.items():
            if not v:
                print(f"{t:<14} {'failed':>9}")
                continue
            ratio = f"{med[t] / fastest:.2f}x" if fastest else "-"
            print(f"{t:<14} {med[t]:>9.2f} {min(v):>7.2f} {max(v):>7.2f} {ratio:>16}")
        out = os.path.join(REPO, "bench", "out")
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "pull.json"), "w") as f:
            json.dump({"storage": args.storage, "layers": n_layers, "uncompressed": raw_size, "compressed": gz_size,
                       "runs": results, "median": med}, f, indent=2)
    finally:
        if reg:
            reg.terminate()
            reg.wait()
        if mounted:
            subprocess.run(["umount", "-R", work])
        if not args.keep:
            shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
