# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fixtures of the image integration tests: the berth binary, a store per test, the default
busybox layout, and registries (Debian's docker-registry) started on 127.0.0.1 for the
session: open, htpasswd Basic auth, and token auth with a small token server."""
import base64
import contextlib
import warnings
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from imagetest import BERTH, BUILD_DIR, REPO, SKOPEO, Berth  # noqa: E402
from registry_env import Registry, free_port, start_registry, wait_http  # noqa: E402,F401


def pytest_collection_modifyitems(config, items):
    # this hook sees every collected test: only ours are skipped without a berth binary
    if BERTH is None:
        skip = pytest.mark.skip(reason=f"berth not built in {BUILD_DIR} (set BERTH_BUILD_DIR)")
        for item in items:
            if str(item.fspath).startswith(HERE + os.sep):
                item.add_marker(skip)


@pytest.fixture
def berth(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    # "none": a store that starts empty; the tests of the built-in image name its layout
    return Berth(str(tmp_path / "store"), env={"HOME": str(home), "XDG_CONFIG_HOME": "",
                                                "BERTH_AUTH_FILE": str(home / "auth.json"),
                                                "BERTH_BUSYBOX_OCI": "none"})


@pytest.fixture(scope="session")
def busybox_layout(tmp_path_factory):
    built = os.path.join(BUILD_DIR, "src", "image", "busybox-oci")
    if os.path.isfile(os.path.join(built, "index.json")):
        return built
    out = str(tmp_path_factory.mktemp("busybox") / "busybox-oci")
    subprocess.run(["/usr/bin/python3", os.path.join(REPO, "src", "image",
                                                     "make-busybox-image.py"), out], check=True)
    return out


@pytest.fixture(scope="session")
def registry(tmp_path_factory):
    host, proc = start_registry(str(tmp_path_factory.mktemp("registry")))
    r = Registry(host, proc, None)
    yield r
    r.stop()


@pytest.fixture(scope="session")
def tls_registry(tmp_path_factory):
    """https with a self-signed certificate: only --tls-verify=false gets in."""
    wd = str(tmp_path_factory.mktemp("registry-tls"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    f"{wd}/tls.key", "-out", f"{wd}/tls.crt", "-days", "2", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    host, proc = start_registry(wd, f"""  tls:
    certificate: {wd}/tls.crt
    key: {wd}/tls.key
""", scheme="https")
    r = Registry(host, proc, wd)
    r.ca = f"{wd}/tls.crt"
    yield r
    r.stop()


@pytest.fixture(scope="session")
def htpasswd_registry(tmp_path_factory):
    wd = str(tmp_path_factory.mktemp("registry-htpasswd"))
    user, password = "tester", "s3cret-pw"
    hashed = crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16))
    with open(os.path.join(wd, "htpasswd"), "w") as f:
        f.write(f"{user}:{hashed}\n")
    host, proc = start_registry(wd, f"""auth:
  htpasswd:
    realm: berth-test
    path: {wd}/htpasswd
""")
    r = Registry(host, proc, wd, user, password)
    yield r
    r.stop()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenServer:
    """The token half of the distribution spec's Bearer flow: Basic credentials in, a JWT
    signed with RS256 (openssl) out, granting what the scope asks for to the test user and
    nothing to anyone else."""

    def __init__(self, workdir, user, password, service, issuer):
        self.workdir = workdir
        self.user, self.password = user, password
        self.service, self.issuer = service, issuer
        self.key = os.path.join(workdir, "token.key")
        self.cert = os.path.join(workdir, "token.crt")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        self.key, "-out", self.cert, "-days", "2", "-subj", "/CN=berth-token"],
                       check=True, capture_output=True)
        der = subprocess.run(["openssl", "x509", "-in", self.cert, "-outform", "DER"],
                             check=True, capture_output=True).stdout
        self.x5c = base64.b64encode(der).decode()
        self.requests = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                q = urllib.parse.urlparse(self.path)
                params = urllib.parse.parse_qs(q.query)
                authz = self.headers.get("Authorization", "")
                ok = False
                if authz.startswith("Basic "):
                    u, _, p = base64.b64decode(authz[6:]).decode().partition(":")
                    ok = (u, p) == (server.user, server.password)
                server.requests.append((params, ok))
                if authz and not ok:
                    self.send_response(401)
                    self.end_headers()
                    return
                access = []
                for scope in params.get("scope", []):
                    for s in scope.split(" "):
                        parts = s.split(":")
                        if len(parts) == 3 and ok:
                            access.append({"type": parts[0], "name": parts[1],
                                           "actions": parts[2].split(",")})
                body = json.dumps({"token": server.sign(access), "expires_in": 300}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/token"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def sign(self, access):
        now = int(time.time())
        header = {"alg": "RS256", "typ": "JWT", "x5c": [self.x5c]}
        claims = {"iss": self.issuer, "sub": self.user, "aud": self.service, "exp": now + 300,
                  "nbf": now - 10, "iat": now, "jti": os.urandom(8).hex(), "access": access}
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(claims).encode()))
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.key],
                             input=signing_input.encode(), check=True,
                             capture_output=True).stdout
        return signing_input + "." + b64url(sig)

    def stop(self):
        self.httpd.shutdown()


@pytest.fixture(scope="session")
def token_registry(tmp_path_factory):
    wd = str(tmp_path_factory.mktemp("registry-token"))
    ts = TokenServer(wd, "tokenuser", "tok-pw", "berth-registry", "berth-token-issuer")
    host, proc = start_registry(wd, f"""auth:
  token:
    realm: {ts.url}
    service: berth-registry
    issuer: berth-token-issuer
    rootcertbundle: {ts.cert}
""")
    r = Registry(host, proc, wd, ts.user, ts.password)
    r.token_server = ts
    yield r
    r.stop()
    ts.stop()


@pytest.fixture
def skopeo():
    if not SKOPEO:
        pytest.skip("skopeo is not installed")

    def run(*args, check=True):
        p = subprocess.run([SKOPEO, "--insecure-policy", *args], capture_output=True, text=True,
                           timeout=300)
        if check and p.returncode != 0:
            raise AssertionError(f"skopeo {' '.join(args)} failed:\n{p.stderr}")
        return p
    return run


