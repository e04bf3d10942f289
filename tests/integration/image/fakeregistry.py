# SPDX-License-Identifier: LGPL-2.1-or-later
"""A registry that misbehaves on purpose: wrong bytes, bodies cut short, 500s, slow blobs,
Range ignored. Serves one repository's manifests and blobs from memory."""
import http.server
import json
import os
import threading
import time
import urllib.parse

import ocihelp


class FakeRegistry:
    def __init__(self):
        self.manifests = {}  # reference -> (content type, bytes)
        self.blobs = {}  # digest -> bytes
        self.behaviour = {}  # digest or "manifest" -> str
        self.failures = {}  # key -> remaining failures
        self.requests = []  # (method, path, range header)
        self.pause = 2.0  # seconds the "pause" behaviour waits in the middle of a body
        self.uploads = {}  # upload id -> bytearray
        self.pushed_manifests = {}  # reference -> bytes
        self.fail_puts = 0  # blob upload PUTs to answer with 500
        self.wrong_manifest_digest = False
        self.lock = threading.Lock()
        reg = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def reply(self, code, body=b"", ctype="application/json", extra=None):
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_HEAD(self):
                self.do_GET()

            def body(self):
                n = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(n) if n else b""

            def do_POST(self):
                with reg.lock:
                    reg.requests.append((self.command, self.path, None))
                self.body()
                uid = os.urandom(8).hex()
                reg.uploads[uid] = bytearray()
                repo = self.path.split("/v2/")[1].split("/blobs/")[0]
                self.reply(202, b"", extra={"Location": f"/v2/{repo}/blobs/uploads/{uid}",
                                            "Range": "0-0"})

            def do_PATCH(self):
                with reg.lock:
                    reg.requests.append((self.command, self.path, None))
                uid = self.path.split("?")[0].rsplit("/", 1)[1]
                reg.uploads[uid] += self.body()
                self.reply(202, b"", extra={"Location": self.path.split("?")[0],
                                            "Range": f"0-{len(reg.uploads[uid]) - 1}"})

            def do_PUT(self):
                with reg.lock:
                    reg.requests.append((self.command, self.path, None))
                data = self.body()
                path, _, query = self.path.partition("?")
                if "/manifests/" in path:
                    ref = path.rsplit("/", 1)[1]
                    reg.pushed_manifests[ref] = data
                    d = ocihelp.sha256(b"tampered" if reg.wrong_manifest_digest else data)
                    return self.reply(201, b"", extra={"Docker-Content-Digest": d})
                if reg.fail_puts > 0:
                    reg.fail_puts -= 1
                    return self.reply(500, b'{"errors":[{"code":"UNKNOWN","message":"boom"}]}')
                uid = path.rsplit("/", 1)[1]
                blob = bytes(reg.uploads.pop(uid, b"")) + data
                digest = dict(urllib.parse.parse_qsl(query)).get("digest")
                if ocihelp.sha256(blob) != digest:
                    return self.reply(400, b'{"errors":[{"code":"DIGEST_INVALID",'
                                           b'"message":"digest did not match"}]}')
                reg.blobs[digest] = blob
                self.reply(201, b"", extra={"Docker-Content-Digest": digest})

            def do_GET(self):
                rng = self.headers.get("Range")
                with reg.lock:
                    reg.requests.append((self.command, self.path, rng))
                if self.path == "/v2/":
                    return self.reply(200, b"{}")
                if self.path.startswith("/storage/"):
                    # where "redirect" sends blob requests, as registries send them to S3
                    data = reg.blobs.get(self.path[len("/storage/"):])
                    if data is None:
                        return self.reply(404)
                    return self.reply(200, data, "application/octet-stream")
                parts = self.path.split("/")
                if len(parts) >= 5 and parts[-2] == "manifests":
                    return self.manifest(parts[-1])
                if len(parts) >= 5 and parts[-2] == "blobs":
                    return self.blob(parts[-1], rng)
                self.reply(404, b'{"errors":[{"code":"NOT_FOUND","message":"not found"}]}')

            def take_failure(self, key):
                with reg.lock:
                    n = reg.failures.get(key, 0)
                    if n > 0:
                        reg.failures[key] = n - 1
                        return True
                return False

            def manifest(self, ref):
                if self.take_failure("manifest"):
                    return self.reply(500, b'{"errors":[{"code":"UNKNOWN","message":"boom"}]}')
                if ref not in reg.manifests:
                    return self.reply(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN",'
                                           b'"message":"manifest unknown"}]}')
                ctype, body = reg.manifests[ref]
                self.reply(200, body, ctype, {"Docker-Content-Digest": ocihelp.sha256(body)})

            def blob(self, digest, rng):
                if digest not in reg.blobs:
                    return self.reply(404, b'{"errors":[{"code":"BLOB_UNKNOWN",'
                                           b'"message":"blob unknown"}]}')
                data = reg.blobs[digest]
                how = reg.behaviour.get(digest, "ok")
                if how == "fail500" and self.take_failure(digest):
                    return self.reply(500, b'{"errors":[{"code":"UNKNOWN","message":"boom"}]}')
                if how == "corrupt":
                    bad = bytearray(data)
                    bad[len(bad) // 2] ^= 0xff
                    return self.reply(200, bytes(bad), "application/octet-stream")
                if how == "redirect":
                    return self.reply(307, b"", extra={"Location": f"/storage/{digest}"})
                if how == "oversize":
                    return self.reply(200, data + b"extra", "application/octet-stream")
                start = 0
                if rng and how != "norange" and rng.startswith("bytes="):
                    start = int(rng[6:].split("-")[0])
                body = data[start:]
                cut = (how == "truncate" or
                       (how in ("close-once", "slow-once", "norange") and
                        self.take_failure(digest)))
                self.send_response(206 if start else 200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                if start:
                    self.send_header("Content-Range",
                                     f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.end_headers()
                if self.command == "HEAD":
                    return
                if how == "pause":
                    self.wfile.write(body[:len(body) // 2])
                    self.wfile.flush()
                    time.sleep(reg.pause)
                    self.wfile.write(body[len(body) // 2:])
                    return
                if cut:
                    self.wfile.write(body[:len(body) // 2])
                    self.wfile.flush()
                    if how == "slow-once":
                        time.sleep(30)
                    self.close_connection = True
                    return
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.host = f"127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def add_image(self, layers, tag="1", compression="gzip", manifest_type=None):
        """layers: tar bytes. Returns (manifest digest, [layer digests])."""
        diff_ids, descs = [], []
        for raw in layers:
            blob = ocihelp.compress(raw, compression)
            d = ocihelp.sha256(blob)
            self.blobs[d] = blob
            diff_ids.append(ocihelp.sha256(raw))
            descs.append({"mediaType": ocihelp.MT_LAYER[compression], "digest": d,
                          "size": len(blob)})
        cfg = json.dumps({"architecture": ocihelp.host_arch(), "os": "linux",
                          "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
        cd = ocihelp.sha256(cfg)
        self.blobs[cd] = cfg
        mt = manifest_type or ocihelp.MT_MANIFEST
        manifest = json.dumps({"schemaVersion": 2, "mediaType": mt,
                               "config": {"mediaType": ocihelp.MT_CONFIG, "digest": cd,
                                          "size": len(cfg)},
                               "layers": descs}).encode()
        self.manifests[tag] = (mt, manifest)
        self.manifests[ocihelp.sha256(manifest)] = (mt, manifest)
        return ocihelp.sha256(manifest), [d["digest"] for d in descs]

    def stop(self):
        self.httpd.shutdown()
