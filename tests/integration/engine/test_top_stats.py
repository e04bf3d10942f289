# SPDX-License-Identifier: LGPL-2.1-or-later
"""berth top (the host's ps limited to the container's pids, with ps options) and berth stats
--no-stream (docker's columns from the container's cgroup), info and version."""
import json
import os
import re

from engine_env import IMAGE


def test_top(berth):
    berth("run", "-d", "--name", "t", IMAGE, "sh", "-c", "sleep 1000 & exec sleep 999",
          check=True)
    pid = int(berth("inspect", "-f", "{{.State.Pid}}", "t", check=True).out)
    berth.wait_for(lambda: "sleep 1000" in berth("top", "t").out, what="both sleeps")
    r = berth("top", "t", check=True)
    lines = r.out.splitlines()
    assert lines[0].split()[:3] == ["UID", "PID", "PPID"] and lines[0].split()[-1] == "CMD"
    rows = [l.split() for l in lines[1:]]
    assert len(rows) == 2, r.out
    assert {" ".join(row[7:]) for row in rows} == {"sleep 1000", "sleep 999"}
    assert pid in {int(row[1]) for row in rows}
    # nothing of the host's: no row for our own pid
    assert os.getpid() not in {int(row[1]) for row in rows}
    # ps options
    r = berth("top", "t", "-o", "pid,comm", check=True)
    lines = r.out.splitlines()
    assert lines[0].split() == ["PID", "COMMAND"]
    assert sorted(l.split()[1] for l in lines[1:]) == ["sleep", "sleep"]
    r = berth("top", "t", "-o", "comm")
    assert r.rc != 0 and "PID" in r.err, r
    berth("stop", "-t", "0", "t", check=True)
    r = berth("top", "t")
    assert r.rc != 0 and "not running" in r.err, r


def test_stats_no_stream(berth):
    # --network none: loopback only, whose bytes NET I/O leaves out
    berth("run", "-d", "--name", "s1", "--network", "none", "-m", "64m", IMAGE, "sh", "-c",
          "x=$(head -c 2000000 /dev/zero | tr '\\0' a); sleep 1000", check=True)
    berth("run", "-d", "--name", "s2", IMAGE, "sleep", "1000", check=True)
    berth("create", "--name", "idle", IMAGE, "true", check=True)
    r = berth("stats", "--no-stream", check=True)
    lines = r.out.splitlines()
    assert re.split(r"\s{2,}", lines[0].strip()) == [
        "CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O",
        "PIDS"]
    assert sorted(l.split()[1] for l in lines[1:]) == ["s1", "s2"]  # running ones only
    r = berth("stats", "--no-stream", "--format", "{{json .}}", "s1", check=True)
    doc = json.loads(r.out)
    assert doc["Name"] == "s1" and len(doc["ID"]) == 12
    usage, limit = doc["MemUsage"].split(" / ")
    assert limit == "64MiB", doc
    assert re.fullmatch(r"[0-9.]+(B|KiB|MiB)", usage) and not re.fullmatch(r"0B", usage), doc
    assert float(doc["MemPerc"].rstrip("%")) > 0, doc
    assert re.fullmatch(r"\d+\.\d\d%", doc["CPUPerc"]), doc
    assert doc["PIDs"] in ("1", "2"), doc
    assert doc["NetIO"] == "0B / 0B", doc  # loopback only
    r = berth("stats", "--no-stream", "--format", "{{.Name}}:{{.PIDs}}", "s2", check=True)
    assert r.out == "s2:1\n", r
    # -a shows the stopped one with zeros
    r = berth("stats", "--no-stream", "-a", "--format", "{{.Name}} {{.MemUsage}}", check=True)
    assert "idle 0B / 0B" in r.out.splitlines(), r
    r = berth("stats", "--no-stream", "nosuch")
    assert r.rc != 0 and "no such container" in r.err, r


def test_stats_cpu_busy(berth):
    berth("run", "-d", "--name", "busy", IMAGE, "sh", "-c", "while :; do :; done", check=True)
    r = berth("stats", "--no-stream", "--format", "{{.CPUPerc}}", "busy", check=True)
    # a spinning shell uses most of a CPU
    assert float(r.out.strip().rstrip("%")) > 20, r


def test_info_and_version(berth):
    berth("run", "-d", "--name", "a", IMAGE, "sleep", "1000", check=True)
    berth("run", "-d", "--name", "b", IMAGE, "sleep", "1000", check=True)
    berth("pause", "b", check=True)
    berth("create", "--name", "c", IMAGE, "true", check=True)
    r = berth("info", check=True)
    for line in (" Containers: 3", "  Running: 1", "  Paused: 1", "  Stopped: 1",
                 " Images: 1", " Logging Driver: json-file", " Cgroup Driver: cgroupfs",
                 " Default Runtime: berth-runtime", f" Kernel Version: {os.uname().release}",
                 f" CPUs: {os.cpu_count()}", f" Docker Root Dir: {berth.root}"):
        assert line in r.out.splitlines(), (line, r.out)
    v2 = os.path.exists("/sys/fs/cgroup/cgroup.controllers")
    assert f" Cgroup Version: {2 if v2 else 1}" in r.out.splitlines()
    assert re.search(r"^ Storage Driver: (overlay|copy)$", r.out, re.M), r.out
    assert re.search(r"^ Total Memory: [0-9.]+GiB$", r.out, re.M), r.out
    r = berth("info", "--format", "{{.ContainersRunning}} {{.ContainersPaused}} {{.Images}}",
              check=True)
    assert r.out == "1 1 1\n", r
    doc = json.loads(berth("info", "-f", "json", check=True).out)
    assert doc["Containers"] == 3 and doc["MemTotal"] > 0 and doc["OSType"] == "linux"
    r = berth("version", check=True)
    assert r.out.startswith("Client:\n Version: "), r
    assert re.search(r"^ berth-runtime:\n  Version: +\d+\.\d+\.\d+", r.out, re.M), r.out
