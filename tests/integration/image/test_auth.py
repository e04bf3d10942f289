# SPDX-License-Identifier: LGPL-2.1-or-later
"""Registry auth: htpasswd (Basic) and a token server (Bearer); login/logout and docker's
config.json."""
import base64
import json
import os
import stat
import uuid

import pytest


def load_busybox(berth, busybox_layout):
    berth.ok("load", "-q", busybox_layout)


@pytest.mark.parametrize("kind", ["htpasswd", "token"])
def test_login_push_pull_logout(berth, busybox_layout, request, tmp_path, kind):
    reg = request.getfixturevalue(f"{kind}_registry")
    load_busybox(berth, busybox_layout)
    dest = f"{reg.host}/auth/{kind}-{uuid.uuid4().hex[:6]}:1"
    # anonymous: refused
    p = berth.fail("push", "localhost/busybox", dest)
    assert "401" in p.stderr or "refused" in p.stderr or "denied" in p.stderr.lower()
    # wrong password: login refused, nothing stored
    p = berth.fail("login", "-u", reg.user, "-p", "wrong", reg.host)
    assert reg.host in p.stderr
    authfile = berth.env["BERTH_AUTH_FILE"]
    assert not os.path.exists(authfile)
    # right password, from stdin
    p = berth.ok("login", "-u", reg.user, "--password-stdin", reg.host,
                 input=reg.password + "\n")
    assert "Login Succeeded" in p.stdout
    assert stat.S_IMODE(os.stat(authfile).st_mode) == 0o600
    entry = json.load(open(authfile))["auths"][reg.host]
    assert base64.b64decode(entry["auth"]).decode() == f"{reg.user}:{reg.password}"
    berth.ok("push", "localhost/busybox", dest)
    other = type(berth)(str(tmp_path / "o"), env=berth.env)
    other.ok("pull", dest)
    assert other.names() == [dest]
    berth.ok("logout", reg.host)
    assert reg.host not in json.load(open(authfile))["auths"]
    p = berth.fail("logout", reg.host)
    assert "not logged in" in p.stderr
    third = type(berth)(str(tmp_path / "t"), env=berth.env)
    third.fail("pull", dest)
    # explicit --creds work without a login
    third.ok("pull", "--creds", f"{reg.user}:{reg.password}", dest)


def test_docker_config_json_is_read(berth, busybox_layout, htpasswd_registry, tmp_path):
    reg = htpasswd_registry
    load_busybox(berth, busybox_layout)
    docker = tmp_path / "dockercfg"
    docker.mkdir()
    auth = base64.b64encode(f"{reg.user}:{reg.password}".encode()).decode()
    (docker / "config.json").write_text(json.dumps({"auths": {reg.host: {"auth": auth}}}))
    dest = f"{reg.host}/auth/docker-cfg:1"
    berth.ok("push", "localhost/busybox", dest, env={"DOCKER_CONFIG": str(docker)})
    berth.fail("push", "localhost/busybox", dest)


def test_token_scopes(berth, busybox_layout, token_registry):
    reg = token_registry
    load_busybox(berth, busybox_layout)
    berth.ok("login", "-u", reg.user, "-p", reg.password, reg.host)
    a = f"{reg.host}/scopes/a:1"
    b = f"{reg.host}/scopes/b:1"
    berth.ok("push", "localhost/busybox", a)
    p = berth.ok("push", "localhost/busybox", b)
    # cross-repository mount: the token asked for pull on the source repository too
    assert "Mounted" in p.stderr
    scopes = [s for params, ok in reg.token_server.requests for s in params.get("scope", [])]
    assert any("repository:scopes/b:pull,push" in s and "repository:scopes/a:pull" in s
               for s in scopes), scopes
