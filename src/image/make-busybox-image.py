#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Builds the default image, localhost/busybox:latest, as an OCI image layout from Debian's
busybox-static: /bin/busybox with its applet symlinks, /etc/passwd, /etc/group and the usual
empty directories. Deterministic (fixed mtimes, gzip without a timestamp), so the digests only
change when the busybox binary does. Nothing binary is committed; this runs at build time.

usage: make-busybox-image.py OUTDIR [--busybox /bin/busybox] [--name localhost/busybox:latest]
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile

EPOCH = int(os.environ.get("SOURCE_DATE_EPOCH", "1700000000"))

PASSWD = """root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
"""
GROUP = """root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
www-data:x:33:
nogroup:x:65534:
"""
DIRS = {"bin": 0o755, "sbin": 0o755, "usr": 0o755, "usr/bin": 0o755, "usr/sbin": 0o755,
        "etc": 0o755, "root": 0o700, "home": 0o755, "tmp": 0o1777, "var": 0o755,
        "var/tmp": 0o1777, "var/log": 0o755, "proc": 0o555, "sys": 0o555, "dev": 0o755,
        "run": 0o755, "mnt": 0o755}


def goarch():
    m = platform.machine()
    return {"x86_64": "amd64", "aarch64": "arm64", "i686": "386", "armv7l": "arm"}.get(m, m)


def add(tar, name, type_, mode, data=b"", linkname=""):
    ti = tarfile.TarInfo(name)
    ti.type = type_
    ti.mode = mode
    ti.mtime = EPOCH
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    ti.linkname = linkname
    ti.size = len(data) if type_ == tarfile.REGTYPE else 0
    tar.addfile(ti, io.BytesIO(data) if type_ == tarfile.REGTYPE else None)


def layer_tar(busybox):
    applets = subprocess.run([busybox, "--list-full"], check=True, capture_output=True,
                             text=True).stdout.split()
    with open(busybox, "rb") as f:
        binary = f.read()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for d in sorted(DIRS):
            add(tar, d, tarfile.DIRTYPE, DIRS[d])
        add(tar, "bin/busybox", tarfile.REGTYPE, 0o755, binary)
        add(tar, "etc/passwd", tarfile.REGTYPE, 0o644, PASSWD.encode())
        add(tar, "etc/group", tarfile.REGTYPE, 0o644, GROUP.encode())
        add(tar, "etc/hostname", tarfile.REGTYPE, 0o644, b"busybox\n")
        for a in sorted(set(applets)):
            if a == "bin/busybox" or "/" not in a:
                continue
            depth = a.count("/")
            add(tar, a, tarfile.SYMTYPE, 0o777, linkname="../" * depth + "bin/busybox")
    return buf.getvalue()


def write_blob(out, data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(out, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return "sha256:" + digest, len(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--busybox", default="/bin/busybox")
    ap.add_argument("--name", default="localhost/busybox:latest")
    args = ap.parse_args()

    tmp = args.out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, "blobs", "sha256"))
    raw = layer_tar(args.busybox)
    diff_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    gz = gzip.compress(raw, compresslevel=9, mtime=0)
    layer_digest, layer_size = write_blob(tmp, gz)
    created = "2023-11-14T22:13:20Z"
    config = {
        "created": created,
        "architecture": goarch(),
        "os": "linux",
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                   "Cmd": ["sh"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": created, "created_by": "make-busybox-image.py (busybox-static)"}],
    }
    cfg_digest, cfg_size = write_blob(tmp, json.dumps(config, sort_keys=True).encode())
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": cfg_digest, "size": cfg_size},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": layer_digest, "size": layer_size}],
    }
    m_digest, m_size = write_blob(tmp, json.dumps(manifest, sort_keys=True).encode())
    tag = args.name.rsplit(":", 1)[1] if ":" in args.name.rsplit("/", 1)[-1] else "latest"
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": m_digest, "size": m_size,
                       "platform": {"architecture": goarch(), "os": "linux"},
                       "annotations": {"org.opencontainers.image.ref.name": tag,
                                       "io.containerd.image.name": args.name}}],
    }
    with open(os.path.join(tmp, "index.json"), "w") as f:
        json.dump(index, f)
    with open(os.path.join(tmp, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    shutil.rmtree(args.out, ignore_errors=True)
    os.rename(tmp, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
