# SPDX-License-Identifier: LGPL-2.1-or-later
"""Hooks: every kind, with the state on stdin, args, env and timeouts."""
import json
import os
import time


def hook(tmp_path, name, body="cat > \"$OUT/$1\"", args_extra=()):
    script = tmp_path / f"{name}.sh"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return {"path": str(script), "args": [str(script), name, *args_extra],
            "env": [f"OUT={tmp_path}/out"]}


def test_all_hooks_run_with_state(bundle, tmp_path):
    (tmp_path / "out").mkdir()
    kinds = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart",
             "poststop"]
    bundle.spec["hooks"] = {k: [hook(tmp_path, k)] for k in kinds}
    # startContainer runs inside the container: its path must exist there, and so must OUT.
    sc = bundle.spec["hooks"]["startContainer"][0]
    os.makedirs(os.path.join(bundle.rootfs, "hooks"), exist_ok=True)
    with open(os.path.join(bundle.rootfs, "hooks", "sc.sh"), "w") as f:
        f.write("#!/bin/sh\ncat > /out/startContainer\n")
    os.chmod(os.path.join(bundle.rootfs, "hooks", "sc.sh"), 0o755)
    sc.update(path="/hooks/sc.sh", args=["/hooks/sc.sh"], env=["PATH=/bin"])
    bundle.spec["mounts"].append({"destination": "/out", "type": "bind",
                                  "source": str(tmp_path / "out"), "options": ["bind"]})
    cid, r = bundle.create("true")
    assert r.rc == 0, r
    for k in ("prestart", "createRuntime", "createContainer"):
        st = json.loads((tmp_path / "out" / k).read_text())
        assert st["id"] == cid and st["pid"] > 0 and st["bundle"] == bundle.dir
    assert not (tmp_path / "out" / "startContainer").exists()
    bundle.rt("start", cid, check=True)
    assert json.loads((tmp_path / "out" / "startContainer").read_text())["id"] == cid
    assert json.loads((tmp_path / "out" / "poststart").read_text())["status"] == "running"
    time.sleep(0.2)
    bundle.rt("delete", cid, check=True)
    assert json.loads((tmp_path / "out" / "poststop").read_text())["status"] == "stopped"


def test_failing_hook_fails_create_and_leaves_nothing(bundle, tmp_path):
    bundle.spec["hooks"] = {"createRuntime": [hook(tmp_path, "bad", "exit 3")]}
    cid, r = bundle.create("true")
    assert r.rc != 0
    assert "createRuntime[0]" in r.err and "exit status 3" in r.err, r
    assert not os.path.exists(os.path.join(bundle.root, cid))


def test_failing_create_container_hook(bundle, tmp_path):
    bundle.spec["hooks"] = {"createContainer": [hook(tmp_path, "bad", "exit 4")]}
    r = bundle.run("true")
    assert r.rc != 0 and "createContainer[0]" in r.err and "exit status 4" in r.err, r


def test_hook_timeout(bundle, tmp_path):
    h = hook(tmp_path, "slow", "sleep 30")
    h["timeout"] = 1
    bundle.spec["hooks"] = {"prestart": [h]}
    t = time.time()
    r = bundle.run("true")
    assert r.rc != 0 and "did not finish within 1 s" in r.err, r
    assert time.time() - t < 10


def test_poststart_failure_only_warns(bundle, tmp_path):
    bundle.spec["hooks"] = {"poststart": [hook(tmp_path, "bad", "exit 1")]}
    r = bundle.run("echo", "ran")
    assert r.rc == 0 and r.out == "ran\n", r
    assert "poststart[0]" in r.err


def test_hook_without_env_gets_the_runtimes(bundle, tmp_path):
    out = tmp_path / "env"
    h = tmp_path / "envhook.sh"
    h.write_text(f"#!/bin/sh\nenv > {out}\n")
    h.chmod(0o755)
    bundle.spec["hooks"] = {"prestart": [{"path": str(h)}]}
    r = bundle.run("true", env=dict(os.environ, BERTH_HOOK_MARK="1"))
    assert r.rc == 0, r
    assert "BERTH_HOOK_MARK=1" in out.read_text()


def test_in_container_hooks_get_the_process_environment(bundle, tmp_path):
    """createContainer and startContainer hooks without env of their own get the container
    process's environment (startContainer's with HOME filled in), never the runtime's, as
    with runc."""
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o777)
    bundle.spec["process"]["env"] = ["PATH=/bin", "PROCVAR=1"]
    bundle.spec["process"]["user"] = {"uid": 1000, "gid": 1000}
    bundle.spec["mounts"].append({"destination": "/out", "type": "bind", "source": str(out),
                                  "options": ["bind"]})
    bundle.spec["hooks"] = {
        "createContainer": [{"path": "/bin/busybox",
                             "args": ["sh", "-c", f"env > {out}/cc"]}],
        "startContainer": [{"path": "/bin/busybox", "args": ["sh", "-c", "env > /out/sc"]}],
    }
    r = bundle.run("true", env=dict(os.environ, BERTH_HOOK_MARK="1"))
    assert r.rc == 0, r
    cc = (out / "cc").read_text().splitlines()
    sc = (out / "sc").read_text().splitlines()
    assert "PROCVAR=1" in cc and "PROCVAR=1" in sc, (cc, sc)
    assert "HOME=/home/user" in sc, sc
    assert not any(l.startswith("BERTH_HOOK_MARK") for l in cc + sc), (cc, sc)


def test_hook_argv0_and_its_output_in_the_error(bundle, tmp_path):
    """args[0] is the hook's argv[0] (busybox picks its applet by it) and empty args mean
    {path}; what a failing hook printed ends its error, wherever the hook ran."""
    bundle.spec["hooks"] = {"prestart": [{"path": "/bin/busybox", "args": []}]}
    r = bundle.run("true")
    assert r.rc == 0, r
    for kind in ("prestart", "createContainer", "startContainer"):
        bundle.spec["hooks"] = {kind: [{"path": "/bin/busybox", "args": [
            "sh", "-c", "echo said-out; echo said-err >&2; exit 3"]}]}
        r = bundle.run("true")
        assert r.rc != 0 and f"{kind}[0]" in r.err and "exit status 3" in r.err, r
        assert "said-err" in r.err and "said-out" in r.err, r
        assert "said" not in r.out, r
