# SPDX-License-Identifier: LGPL-2.1-or-later
"""berth logs: the json-file log read back as docker logs reads it: streams apart, -t, --tail,
--since/--until, -f until the container exits, rotation, malformed lines skipped."""
import json
import os
import re
import subprocess
import time

from engine_env import IMAGE

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z ")


def log_path(berth, cid):
    return os.path.join(berth.root, "containers", cid, f"{cid}-json.log")


def test_streams_apart(berth):
    berth("run", "--name", "c", IMAGE, "sh", "-c", "echo out1; echo err1 >&2; echo out2",
          check=True)
    r = berth("logs", "c", check=True)
    assert r.out == "out1\nout2\n" and r.err == "err1\n", r
    r = berth("logs", "nosuch")
    assert r.rc == 1 and "no such container" in r.err, r
    r = berth("logs", "--tail", "lots", "c")
    assert r.rc != 0 and "--tail" in r.err, r


def test_timestamps_and_tail(berth):
    berth("run", "--name", "c", IMAGE, "sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done",
          check=True)
    r = berth("logs", "-t", "c", check=True)
    lines = r.out.splitlines()
    assert len(lines) == 5 and all(STAMP.match(l) for l in lines), r
    assert [l.split(" ", 1)[1] for l in lines] == [f"line{i}" for i in range(1, 6)]
    assert berth("logs", "--tail", "2", "c", check=True).out == "line4\nline5\n"
    assert berth("logs", "-n", "0", "c", check=True).out == ""
    assert berth("logs", "--tail", "all", "c", check=True).out.count("\n") == 5


def test_since_until(berth):
    cid = berth("run", "-d", "--name", "c", IMAGE, "sh", "-c",
                "echo early; sleep 2; echo late", check=True).out.strip()
    assert berth("wait", "c", check=True).out == "0\n"
    with open(log_path(berth, cid)) as f:
        entries = [json.loads(l) for l in f]
    late = [e for e in entries if e["log"] == "late\n"][0]["time"]
    # a time between the two entries: RFC 3339, and as a Unix timestamp with a fraction
    early_t = [e for e in entries if e["log"] == "early\n"][0]["time"]
    secs = int(time.mktime(time.strptime(early_t[:19], "%Y-%m-%dT%H:%M:%S"))) - time.timezone
    mid = secs + 1
    mid_rfc = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(mid)) + ".5Z"
    assert late > mid_rfc
    assert berth("logs", "--since", mid_rfc, "c", check=True).out == "late\n"
    assert berth("logs", "--until", mid_rfc, "c", check=True).out == "early\n"
    assert berth("logs", "--since", f"{mid}.5", "c", check=True).out == "late\n"
    # a duration back from now: everything is within the last ten minutes
    assert berth("logs", "--since", "10m", "c", check=True).out == "early\nlate\n"
    assert berth("logs", "--until", "10m", "c", check=True).out == ""
    r = berth("logs", "--since", "yesterday", "c")
    assert r.rc == 1 and "--since" in r.err, r


def test_follow_until_exit(berth):
    berth("run", "-d", "--name", "c", IMAGE, "sh", "-c",
          "for i in 1 2 3; do echo tick$i; sleep 1; done", check=True)
    p = berth.popen("logs", "-f", "c", stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    text=True)
    first = p.stdout.readline()
    t_first = time.time()
    assert first == "tick1\n"
    second = p.stdout.readline()
    # the second entry arrives while logs runs, about a second later
    assert second == "tick2\n" and time.time() - t_first > 0.3
    out, err = p.communicate(timeout=20)
    assert p.returncode == 0, err
    assert out == "tick3\n", out


def test_follow_ends_for_exited(berth):
    berth("run", "--name", "c", IMAGE, "echo", "done", check=True)
    r = berth("logs", "-f", "c", timeout=10)
    assert r.rc == 0 and r.out == "done\n", r


def test_rotation(berth):
    berth("run", "--name", "c", "--log-opt", "max-size=1k", "--log-opt", "max-file=3", IMAGE,
          "sh", "-c", "i=0; while [ $i -lt 300 ]; do echo entry$i; i=$((i+1)); done",
          check=True)
    cid = berth("ps", "-aq", "--no-trunc").out.strip()
    d = os.path.join(berth.root, "containers", cid)
    logs = sorted(f for f in os.listdir(d) if f.startswith(f"{cid}-json.log"))
    assert logs == [f"{cid}-json.log", f"{cid}-json.log.1", f"{cid}-json.log.2"], logs
    out = berth("logs", "c", check=True).out.split()
    # the newest entries, in order, ending with the last one
    assert out[-1] == "entry299"
    nums = [int(x[5:]) for x in out]
    assert nums == list(range(nums[0], 300)) and nums[0] > 0
    assert berth("logs", "--tail", "3", "c", check=True).out.split() == \
        ["entry297", "entry298", "entry299"]


def test_malformed_lines_skipped(berth):
    berth("run", "--name", "c", IMAGE, "sh", "-c", "echo one; echo two", check=True)
    cid = berth("ps", "-aq", "--no-trunc").out.strip()
    path = log_path(berth, cid)
    with open(path) as f:
        lines = f.readlines()
    bad = ["not json\n", '{"log":5,"stream":"stdout","time":"2026-01-01T00:00:00Z"}\n',
           '{"log":"x\\n","stream":"stdin","time":"2026-01-01T00:00:00Z"}\n',
           '{"log":"x\\n","stream":"stdout","time":"yesterday"}\n',
           '{"log":"big' + "a" * 300000 + '"}\n', "[1,2]\n", "\n"]
    with open(path, "w") as f:
        f.write(lines[0] + "".join(bad) + lines[1])
    r = berth("logs", "c", check=True)
    assert r.out == "one\ntwo\n", r


def test_tty_output_is_stdout(berth):
    berth("run", "-d", "-t", "--name", "t", IMAGE, "sh", "-c", "echo tty-out; echo tty-err >&2",
          check=True)
    assert berth("wait", "t", check=True).out == "0\n"
    r = berth("logs", "t", check=True)
    # the pty's output, both streams as stdout (its "\r\n" read back in text mode as "\n")
    assert r.out == "tty-out\ntty-err\n" and r.err == "", r
    with open(log_path(berth, berth("ps", "-aq", "--no-trunc").out.strip())) as f:
        assert [json.loads(l)["log"] for l in f] == ["tty-out\r\n", "tty-err\r\n"]
