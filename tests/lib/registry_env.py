# SPDX-License-Identifier: LGPL-2.1-or-later
"""A local registry (Debian's docker-registry) on 127.0.0.1 for tests: started on a free port
with a config of the test's own, stopped at the end."""
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

DOCKER_REGISTRY = shutil.which("docker-registry") or "/usr/bin/docker-registry"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # answering, if only with 401
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


class Registry:
    def __init__(self, host, proc, workdir, user=None, password=None):
        self.host = host
        self.proc = proc
        self.workdir = workdir
        self.user = user
        self.password = password

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_registry(workdir, auth_yaml="", scheme="http"):
    if not os.access(DOCKER_REGISTRY, os.X_OK):
        pytest.skip("docker-registry is not installed")
    port = free_port()
    os.makedirs(workdir, exist_ok=True)
    cfg = os.path.join(workdir, "config.yml")
    with open(cfg, "w") as f:
        f.write(f"""version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: {workdir}/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:{port}
{auth_yaml}""")
    log = open(os.path.join(workdir, "registry.log"), "w")
    proc = subprocess.Popen([DOCKER_REGISTRY, "serve", cfg], stdout=log, stderr=log)
    if scheme == "https":
        import ssl
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        deadline = time.time() + 20
        while True:
            try:
                urllib.request.urlopen(f"https://127.0.0.1:{port}/v2/", timeout=1, context=ctx)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
    else:
        wait_http(f"http://127.0.0.1:{port}/v2/")
    return f"127.0.0.1:{port}", proc
