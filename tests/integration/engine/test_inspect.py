# SPDX-License-Identifier: LGPL-2.1-or-later
"""berth inspect of containers: docker's document (State, Config, HostConfig, Name, Image,
Mounts...), --type, -f/--format, and images still inspected as before."""
import json
import os

from engine_env import IMAGE


def inspect(berth, *args):
    r = berth("inspect", *args, check=True)
    return json.loads(r.out)


def test_exit_code_and_document_shape(berth):
    berth("run", "--name", "three", "--label", "app=shop", IMAGE, "sh", "-c", "exit 3")
    [doc] = inspect(berth, "three")
    for key in ("Id", "Created", "Path", "Args", "State", "Image", "Name", "RestartCount",
                "Driver", "Platform", "HostConfig", "Config", "Mounts", "NetworkSettings",
                "LogPath"):
        assert key in doc, key
    assert len(doc["Id"]) == 64
    assert doc["Name"] == "/three"
    assert doc["Path"] == "sh" and doc["Args"] == ["-c", "exit 3"]
    assert doc["Platform"] == "linux"
    assert doc["Image"].startswith("sha256:")
    img = inspect(berth, "--type", "image", IMAGE)[0]
    assert doc["Image"] == img["Id"]
    st = doc["State"]
    assert st["Status"] == "exited" and st["ExitCode"] == 3
    assert st["Running"] is False and st["Paused"] is False and st["Dead"] is False
    assert st["Pid"] == 0 and st["StartedAt"] != "0001-01-01T00:00:00Z"
    assert st["FinishedAt"] != "0001-01-01T00:00:00Z"
    assert doc["Config"]["Labels"] == {"app": "shop"}
    assert doc["Config"]["Image"] == IMAGE
    assert doc["HostConfig"]["RestartPolicy"]["Name"] == "no"
    assert doc["Mounts"] == []
    # on the default network, as docker's bridge (tests/integration/network has the rest)
    assert list(doc["NetworkSettings"]["Networks"]) == ["berth"]
    assert doc["HostConfig"]["NetworkMode"] == "bridge"
    assert doc["LogPath"].endswith(doc["Id"] + "-json.log") and os.path.exists(doc["LogPath"])


def test_running_created_and_format(berth, tmp_path):
    berth("run", "-d", "--name", "up", "-m", "32m", "-v", f"{tmp_path}:/data:ro", IMAGE,
          "sleep", "1000", check=True)
    berth("create", "--name", "new", IMAGE, "true", check=True)
    r = berth("inspect", "-f", "{{.State.Status}} {{.State.Running}} {{.State.ExitCode}}",
              "up", "new", check=True)
    assert r.out == "running true 0\ncreated false 0\n", r
    r = berth("inspect", "--format", "{{json .Config.Cmd}}", "up", check=True)
    assert json.loads(r.out) == ["sleep", "1000"]
    [doc] = inspect(berth, "up")
    assert doc["State"]["Pid"] > 0
    assert os.path.exists(f"/proc/{doc['State']['Pid']}")
    assert doc["HostConfig"]["Memory"] == 32 * 1024 * 1024
    assert doc["Mounts"] == [{"Type": "bind", "Source": str(tmp_path), "Destination": "/data",
                              "Mode": "ro", "RW": False, "Propagation": "rprivate"}]
    [new] = inspect(berth, "new")
    assert new["State"]["StartedAt"] == "0001-01-01T00:00:00Z"
    # an id prefix finds it too, and both in one array
    both = inspect(berth, doc["Id"][:10], "new")
    assert [d["Name"] for d in both] == ["/up", "/new"]


def test_host_config_mounts_as_docker_has_them(berth, tmp_path):
    """-v strings in HostConfig.Binds as given (not anonymous volumes), --mount as objects in
    HostConfig.Mounts, --tmpfs by target in HostConfig.Tmpfs; none of them: Binds null."""
    berth("create", "--name", "m", "-v", f"{tmp_path}:/data:ro", "-v", "named:/vol",
          "-v", "/anon", "--mount", f"type=bind,source={tmp_path},target=/m,readonly",
          "--mount", "type=volume,target=/mv", "--tmpfs", "/run:size=8m", "--tmpfs", "/t",
          IMAGE, "true", check=True)
    [doc] = inspect(berth, "m")
    host = doc["HostConfig"]
    assert host["Binds"] == [f"{tmp_path}:/data:ro", "named:/vol"], host
    assert host["Mounts"] == [{"Type": "bind", "Source": str(tmp_path), "Target": "/m",
                               "ReadOnly": True},
                              {"Type": "volume", "Target": "/mv"}], host
    assert host["Tmpfs"] == {"/run": "size=8m", "/t": ""}, host
    assert sorted(m["Destination"] for m in doc["Mounts"]) == \
        ["/anon", "/data", "/m", "/mv", "/run", "/t", "/vol"], doc["Mounts"]
    berth("create", "--name", "plain", IMAGE, "true", check=True)
    [plain] = inspect(berth, "plain")
    assert plain["HostConfig"]["Binds"] is None
    assert "Mounts" not in plain["HostConfig"] and "Tmpfs" not in plain["HostConfig"]
    berth("rm", "-v", "m", "plain", check=True)
    berth("volume", "rm", "named", check=True)


def test_health_in_state(berth):
    berth("run", "-d", "--name", "h", "--health-cmd", "true", "--health-interval", "1s", IMAGE,
          "sleep", "1000", check=True)
    berth.wait_for(lambda: '"healthy"' in berth("inspect", "-f", "{{json .State.Health}}",
                                                 "h").out, timeout=20, what="healthy")
    [doc] = inspect(berth, "h")
    assert doc["State"]["Health"]["Status"] == "healthy"


def test_type_and_missing(berth):
    berth("create", "--name", "c1", IMAGE, "true", check=True)
    r = berth("inspect", "--type", "image", "c1")
    assert r.rc == 1 and "c1" in r.err, r
    r = berth("inspect", "--type", "container", IMAGE)
    assert r.rc == 1 and "no such container" in r.err, r
    r = berth("inspect", "nothing-by-this-name")
    assert r.rc == 1 and "no such object: nothing-by-this-name" in r.err, r
    r = berth("inspect", "--type", "volume", "c1")
    assert r.rc != 0 and "--type" in r.err, r
    # images as before
    [img] = inspect(berth, IMAGE)
    assert IMAGE in img["RepoTags"] and "Manifest" in img and "Layers" in img
    r = berth("inspect", "-f", "{{.Os}}", IMAGE, check=True)
    assert r.out == "linux\n"
    # the management groups keep to their kind
    r = berth("container", "inspect", "-f", "{{.Name}}", "c1", check=True)
    assert r.out == "/c1\n"
    r = berth("image", "inspect", "c1")
    assert r.rc == 1, r
