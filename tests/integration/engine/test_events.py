# SPDX-License-Identifier: LGPL-2.1-or-later
"""berth events: docker's container events from the journal the engine and the shims append
to: create, start, die, destroy, kill, stop, oom, health_status; filters, --format, follow."""
import json
import subprocess
import time

from engine_env import IMAGE


def events(berth, *args):
    # --until a moment ahead, so that the events of the last second are in
    until = str(time.time() + 1)
    r = berth("events", "--since", "10m", "--until", until, "--format", "json", *args,
              check=True, timeout=30)
    return [json.loads(l) for l in r.out.splitlines()]


def test_run_rm_lifecycle(berth):
    berth("run", "--rm", "--name", "once", "--label", "team=a", IMAGE, "sh", "-c", "exit 3")
    evs = events(berth)
    assert [e["Action"] for e in evs] == ["create", "start", "die", "destroy"], evs
    cid = evs[0]["id"]
    assert len(cid) == 64
    for e in evs:
        assert e["Type"] == "container" and e["status"] == e["Action"]
        assert e["id"] == e["Actor"]["ID"] == cid and e["from"] == IMAGE
        assert e["scope"] == "local" and e["time"] == e["timeNano"] // 10**9
        a = e["Actor"]["Attributes"]
        assert a["name"] == "once" and a["image"] == IMAGE and a["team"] == "a"
    assert evs[2]["Actor"]["Attributes"]["exitCode"] == "3"
    times = [e["timeNano"] for e in evs]
    assert times == sorted(times)


def test_kill_stop_and_filters(berth):
    berth("run", "-d", "--name", "k", IMAGE, "sleep", "100", check=True)
    berth("run", "-d", "--name", "other", IMAGE, "sleep", "100", check=True)
    berth("kill", "-s", "KILL", "k", check=True)
    berth("wait", "k", check=True)
    berth("stop", "-t", "1", "other", check=True)
    kills = events(berth, "--filter", "event=kill")
    assert [(e["Actor"]["Attributes"]["name"], e["Actor"]["Attributes"]["signal"])
            for e in kills] == [("k", "9"), ("other", "15"), ("other", "9")], kills
    k = events(berth, "--filter", "container=k")
    assert [e["Action"] for e in k] == ["create", "start", "kill", "die"], k
    assert k[-1]["Actor"]["Attributes"]["exitCode"] == "137"
    assert [e["Action"] for e in events(berth, "-f", "container=other", "-f", "event=stop")] \
        == ["stop"]
    both = events(berth, "-f", "event=die", "-f", "type=container")
    assert sorted(e["Actor"]["Attributes"]["name"] for e in both) == ["k", "other"]
    assert events(berth, "-f", "type=image") == []
    r = berth("events", "--filter", "colour=red", "--until", "0")
    assert r.rc == 1 and "invalid filter" in r.err, r
    r = berth("events", "--format", "{{.Action}} {{.Actor.Attributes.name}}", "--since", "10m",
              "--until", str(time.time() + 1), "-f", "event=create", check=True)
    assert r.out == "create k\ncreate other\n", r
    r = berth("events", "--since", "10m", "--until", str(time.time() + 1), "-f",
              "event=destroy", check=True)
    assert r.out == "", r


def test_default_line_format(berth):
    berth("create", "--name", "c", IMAGE, "true", check=True)
    r = berth("events", "--since", "10m", "--until", str(time.time() + 1), check=True)
    line = r.out.strip()
    assert " container create " in line and line.endswith(f"(image={IMAGE}, name=c)"), r


def test_follow(berth):
    p = berth.popen("events", "--format", "{{.Action}} {{.Actor.Attributes.name}}",
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        berth("run", "--rm", "--name", "f", IMAGE, "true", check=True)
        got = [p.stdout.readline().strip() for _ in range(4)]
        assert got == ["create f", "start f", "die f", "destroy f"], got
    finally:
        p.terminate()
        p.wait(timeout=10)


def test_oom(berth):
    r = berth("run", "--name", "o", "--memory", "8m", "--memory-swap", "8m", IMAGE, "sh", "-c",
              "x=a; while true; do x=$x$x; done")
    assert r.rc == 137, r
    evs = events(berth, "-f", "container=o")
    acts = [e["Action"] for e in evs]
    assert acts == ["create", "start", "oom", "die"], evs
    assert evs[-1]["Actor"]["Attributes"]["exitCode"] == "137"


def test_health_status(berth):
    berth("run", "-d", "--name", "h", "--health-cmd", "test -e /tmp/ok",
          "--health-interval", "1s", "--health-retries", "1", IMAGE, "sh", "-c",
          "sleep 3; touch /tmp/ok; sleep 100", check=True)
    deadline = time.time() + 20
    acts = []
    while time.time() < deadline:
        acts = [e["Action"] for e in events(berth, "-f", "event=health_status")]
        if "health_status: healthy" in acts:
            break
        time.sleep(0.5)
    assert acts[:1] == ["health_status: unhealthy"] and "health_status: healthy" in acts, acts
    berth("rm", "-f", "h", check=True)
