# SPDX-License-Identifier: LGPL-2.1-or-later
"""Bad input: each gives a clear error naming what is wrong and leaves nothing behind."""
import json
import os


def assert_nothing_left(bundle, cid):
    assert not os.path.exists(os.path.join(bundle.root, cid)), "state left behind"


def test_malformed_json(bundle):
    with open(os.path.join(bundle.dir, "config.json"), "w") as f:
        f.write('{"ociVersion": "1.2.0", "process": {')
    cid = bundle.new_id()
    r = bundle.rt("create", "--bundle", bundle.dir, cid)
    assert r.rc != 0 and "config.json" in r.err and "malformed JSON" in r.err, r
    assert_nothing_left(bundle, cid)


def test_wrong_type_names_the_path(bundle):
    bundle.spec["process"]["user"]["uid"] = "root"
    cid, r = bundle.create("true")
    assert r.rc != 0 and "process.user.uid" in r.err, r
    assert_nothing_left(bundle, cid)


def test_missing_rootfs(bundle):
    bundle.spec["root"]["path"] = "no-such-rootfs"
    cid, r = bundle.create("true")
    assert r.rc != 0 and "root.path" in r.err and "no-such-rootfs" in r.err, r
    assert_nothing_left(bundle, cid)


def test_bad_mount_source(bundle):
    bundle.spec["mounts"].append({"destination": "/x", "type": "bind",
                                  "source": "/no/such/source", "options": ["bind"]})
    n = len(bundle.spec["mounts"]) - 1
    cid, r = bundle.create("true")
    assert r.rc != 0 and f"mounts[{n}]" in r.err and "/x" in r.err, r
    assert_nothing_left(bundle, cid)


def test_bad_mount_type(bundle):
    bundle.spec["mounts"].append({"destination": "/x", "type": "nosuchfs", "source": "none"})
    cid, r = bundle.create("true")
    assert r.rc != 0 and "nosuchfs" in r.err, r
    assert_nothing_left(bundle, cid)


def test_executable_not_found(bundle):
    cid, r = bundle.create("no-such-binary")
    assert r.rc != 0 and "no-such-binary" in r.err and "not found" in r.err, r
    assert_nothing_left(bundle, cid)


def test_missing_config(bundle):
    cid = bundle.new_id()
    r = bundle.rt("create", "--bundle", bundle.dir, cid)
    assert r.rc != 0 and "config.json" in r.err, r
    assert_nothing_left(bundle, cid)


def test_invalid_and_duplicate_ids(bundle):
    bundle.args("sleep", "30")
    bundle.write()
    for bad in ("../escape", "a/b", ".", "with space"):
        r = bundle.rt("create", "--bundle", bundle.dir, bad)
        assert r.rc != 0 and "invalid container id" in r.err, (bad, r)
    cid, r = bundle.create("sleep", "30")
    assert r.rc == 0, r
    r = bundle.rt("create", "--bundle", bundle.dir, cid)
    assert r.rc != 0 and "already exists" in r.err, r
    assert bundle.state(cid)["status"] == "created"
    bundle.rt("delete", "--force", cid, check=True)


def test_unknown_container(bundle):
    for verb in (["state"], ["start"], ["kill"], ["delete"]):
        r = bundle.rt(*verb, "nosuchcontainer")
        assert r.rc != 0 and "nosuchcontainer" in r.err and "does not exist" in r.err, r


def test_bad_usage(bundle):
    assert bundle.rt("nosuchverb").rc == 2
    r = bundle.rt("state")
    assert r.rc != 0 and "container id" in r.err
    r = bundle.rt("--log-format", "xml", "list")
    assert r.rc != 0 and "xml" in r.err


def test_resources_do_not_break_create(bundle):
    bundle.spec["linux"]["resources"] = {
        "memory": {"limit": 268435456},
        "cpu": {"shares": 512, "quota": 50000, "period": 100000},
        "pids": {"limit": 200},
        "devices": [{"allow": False, "access": "rwm"}],
    }
    r = bundle.run("echo", "limited")
    assert r.rc == 0 and r.out == "limited\n", r


def test_systemd_cgroup_without_systemd(bundle):
    bundle.spec["linux"]["cgroupsPath"] = "system.slice:berth:test"
    bundle.write()
    cid = bundle.new_id()
    r = bundle.rt("create", "--bundle", bundle.dir, cid, global_args=("--systemd-cgroup",))
    if os.path.exists("/run/systemd/system"):
        bundle.rt("delete", "--force", cid)
        return
    assert r.rc != 0 and "systemd" in r.err, r
    assert_nothing_left(bundle, cid)


def test_log_file_json(bundle, tmp_path):
    log = tmp_path / "log.json"
    cid, _ = bundle.create("no-such-binary")
    r = bundle.rt("create", "--bundle", bundle.dir, cid + "x",
                  global_args=("--log", str(log), "--log-format", "json"))
    assert r.rc != 0
    lines = [json.loads(l) for l in log.read_text().splitlines()]
    assert lines and lines[-1]["level"] == "error" and "no-such-binary" in lines[-1]["msg"]


def test_tmpcopyup_outside_tmpfs_is_refused(bundle):
    bundle.spec["mounts"].append({"destination": "/x", "type": "bind", "source": "/tmp",
                                  "options": ["bind", "tmpcopyup"]})
    cid, r = bundle.create("true")
    assert r.rc != 0 and "tmpcopyup" in r.err and "tmpfs mounts only" in r.err, r
    assert not os.path.exists(os.path.join(bundle.root, cid))


def test_bad_idmapped_mounts_are_refused(bundle, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    one = [{"containerID": 0, "hostID": 1000, "size": 1}]
    cases = [
        # no mappings and no user namespace of the container's own
        ({"source": str(src), "options": ["bind", "idmap"]}, "idmap needs uidMappings"),
        # one without the other
        ({"source": str(src), "options": ["bind", "idmap"], "uidMappings": one},
         "go together"),
        # not a bind mount
        ({"type": "tmpfs", "source": "tmpfs", "options": ["idmap"], "uidMappings": one,
          "gidMappings": one}, "bind mounts only"),
    ]
    base = [m for m in bundle.spec["mounts"]]
    for extra, want in cases:
        bundle.spec["mounts"] = base + [dict(destination="/x", **extra)]
        cid, r = bundle.create("true")
        assert r.rc != 0 and want in r.err and "mounts[" in r.err, (extra, r)
        assert not os.path.exists(os.path.join(bundle.root, cid))


def test_apparmor_profile_is_never_silently_ignored(bundle):
    bundle.spec["process"]["apparmorProfile"] = "berth-test-profile"
    cid, r = bundle.create("true")
    assert r.rc != 0 and "apparmorProfile" in r.err and "AppArmor" in r.err, r
    assert not os.path.exists(os.path.join(bundle.root, cid))


def test_create_killed_half_way_can_be_deleted(bundle, tmp_path):
    """A runtime killed during create leaves what `delete --force` needs to remove it all."""
    import signal
    import subprocess
    import time
    from runtime_env import RUNTIME, cgroup_leftovers
    hook = tmp_path / "slow.sh"
    hook_pid = tmp_path / "hook.pid"
    hook.write_text(f"#!/bin/sh\necho $$ > {hook_pid}\nexec sleep 30\n")
    hook.chmod(0o755)
    bundle.spec["hooks"] = {"createRuntime": [{"path": str(hook)}]}
    bundle.args("true")
    bundle.write()
    cid = bundle.new_id()
    p = subprocess.Popen([RUNTIME, "--root", bundle.root, "create", "--bundle", bundle.dir, cid],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(1000):
        if os.path.exists(os.path.join(bundle.root, cid, "state.json")) and cgroup_leftovers(cid):
            break
        time.sleep(0.02)
    p.send_signal(signal.SIGKILL)
    p.wait()
    if hook_pid.exists():
        try:
            os.kill(int(hook_pid.read_text()), signal.SIGKILL)
        except ProcessLookupError:
            pass
    st = bundle.state(cid)["status"]
    assert st in ("creating", "stopped"), st
    r = bundle.rt("delete", "--force", cid)
    assert r.rc == 0, r
    assert not os.path.exists(os.path.join(bundle.root, cid))
    assert not cgroup_leftovers(cid)
