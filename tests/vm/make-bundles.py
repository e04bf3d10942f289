#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the config.json files of the VM's runtime smoke test (runtime-smoke.sh).

usage: make-bundles.py BERTH_RUNTIME OUTDIR -- takes `berth-runtime spec` as the base.
"""
import json
import os
import subprocess
import sys
import tempfile

runtime, out = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory() as d:
    subprocess.run([runtime, "spec"], cwd=d, check=True)
    with open(os.path.join(d, "config.json")) as f:
        base = json.load(f)

MIB = 1 << 20
bundles = {
    "limits": (
        ["sh", "-c",
         "echo memory.max=$(cat /sys/fs/cgroup/memory.max);"
         "echo pids.max=$(cat /sys/fs/cgroup/pids.max);"
         "echo cpu.max=$(cat /sys/fs/cgroup/cpu.max)"],
        {"memory": {"limit": 64 * MIB}, "pids": {"limit": 20},
         "cpu": {"quota": 50000, "period": 100000}},
    ),
    "oom": (
        # dd's 100 MiB buffer, filled from /dev/zero, does not fit in 32 MiB
        ["dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=2"],
        {"memory": {"limit": 32 * MIB, "swap": 32 * MIB}},
    ),
    "device": (
        # /sda (block 8:0) and /null (char 1:3) are made by runtime-smoke.sh in the rootfs:
        # open of the first must fail with EPERM (the device program), not ENXIO (no disk)
        ["sh", "-c", "head -c1 /null && echo null-ok; head -c1 /sda; true"],
        {},
    ),
    "verbs": (
        ["sh", "-c", "i=0; while true; do i=$((i+1)); echo $i > /tmp/counter; sleep 0.05; done"],
        {"memory": {"limit": 64 * MIB}, "pids": {"limit": 20}},
    ),
    "oomev": (
        ["sh", "-c", "sleep 1; dd if=/dev/zero of=/dev/null bs=100M count=2"],
        {"memory": {"limit": 32 * MIB, "swap": 32 * MIB}},
    ),
}
for name, (args, res) in bundles.items():
    c = json.loads(json.dumps(base))
    c["process"]["terminal"] = False
    c["process"]["args"] = args
    c["root"] = {"path": "rootfs", "readonly": False}
    c["linux"].setdefault("resources", {}).update(res)
    c["linux"]["cgroupsPath"] = "/berth-vm/" + name
    os.makedirs(os.path.join(out, name), exist_ok=True)
    with open(os.path.join(out, name, "config.json"), "w") as f:
        json.dump(c, f, indent=1)
