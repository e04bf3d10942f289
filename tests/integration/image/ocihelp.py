# SPDX-License-Identifier: LGPL-2.1-or-later
"""Builds test images without berth: layer tars (including hostile ones), OCI layouts with gzip,
zstd or plain layers, multi-platform indexes. Used by the integration tests."""
import gzip
import hashlib
import io
import json
import os
import subprocess
import tarfile

MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = {"gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
            "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
            None: "application/vnd.oci.image.layer.v1.tar"}


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def make_tar(entries):
    """entries: dicts with name, and optionally type ('file', 'dir', 'symlink', 'hardlink',
    'char', 'block', 'fifo'), data, mode, uid, gid, mtime, link, major, minor, xattrs."""
    types = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
             "hardlink": tarfile.LNKTYPE, "char": tarfile.CHRTYPE, "block": tarfile.BLKTYPE,
             "fifo": tarfile.FIFOTYPE}
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for e in entries:
            kind = e.get("type", "file")
            ti = tarfile.TarInfo(e["name"])
            ti.type = types[kind]
            ti.mode = e.get("mode", 0o755 if kind == "dir" else 0o644)
            ti.uid = e.get("uid", 0)
            ti.gid = e.get("gid", 0)
            ti.mtime = e.get("mtime", 1600000000)
            ti.linkname = e.get("link", "")
            ti.devmajor = e.get("major", 0)
            ti.devminor = e.get("minor", 0)
            if e.get("xattrs"):
                ti.pax_headers = {"SCHILY.xattr." + k: v for k, v in e["xattrs"].items()}
            data = e.get("data", b"")
            if isinstance(data, str):
                data = data.encode()
            ti.size = len(data) if kind == "file" else 0
            tar.addfile(ti, io.BytesIO(data) if kind == "file" else None)
    return buf.getvalue()


def compress(data, how):
    if how == "gzip":
        return gzip.compress(data, mtime=0)
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-c"], input=data, check=True,
                              capture_output=True).stdout
    return data


class Layout:
    """An OCI image layout being written."""

    def __init__(self, path):
        self.path = path
        os.makedirs(os.path.join(path, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(path, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)
        self.entries = []

    def blob(self, data):
        d = sha256(data)
        with open(os.path.join(self.path, "blobs", "sha256", d[7:]), "wb") as f:
            f.write(data)
        return {"digest": d, "size": len(data)}

    def image(self, layers, compression="gzip", arch="amd64", os_="linux", config_extra=None,
              layer_media_type=None):
        """layers: list of tar bytes. Returns the manifest descriptor (not yet in index)."""
        diff_ids, descs = [], []
        for raw in layers:
            diff_ids.append(sha256(raw))
            d = self.blob(compress(raw, compression))
            d["mediaType"] = layer_media_type or MT_LAYER[compression]
            descs.append(d)
        config = {"architecture": arch, "os": os_, "created": "2024-01-01T00:00:00Z",
                  "config": {"Cmd": ["sh"]},
                  "rootfs": {"type": "layers", "diff_ids": diff_ids}}
        config.update(config_extra or {})
        c = self.blob(json.dumps(config).encode())
        c["mediaType"] = MT_CONFIG
        manifest = {"schemaVersion": 2, "mediaType": MT_MANIFEST, "config": c, "layers": descs}
        m = self.blob(json.dumps(manifest).encode())
        m["mediaType"] = MT_MANIFEST
        m["platform"] = {"architecture": arch, "os": os_}
        return m

    def index(self, manifests):
        idx = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": manifests}
        d = self.blob(json.dumps(idx).encode())
        d["mediaType"] = MT_INDEX
        return d

    def add(self, desc, ref=None, name=None):
        desc = dict(desc)
        ann = {}
        if ref:
            ann["org.opencontainers.image.ref.name"] = ref
        if name:
            ann["io.containerd.image.name"] = name
        if ann:
            desc["annotations"] = ann
        self.entries.append(desc)
        self.write()

    def write(self):
        with open(os.path.join(self.path, "index.json"), "w") as f:
            json.dump({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": self.entries}, f)


def host_arch():
    m = os.uname().machine
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(m, m)
