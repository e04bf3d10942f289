#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/engine/run.py [--rounds N] [--engines berth,ctr,podman]

`run --rm IMAGE true` through each engine, interleaved: in round i the engines go in a rotated
order, so noise on the machine hits them alike; one untimed warm-up each. Prints the median
wall time per engine and berth's ratio to each peer (target: at most 0.25x containerd).

  berth   berth run --rm localhost/busybox:latest true
  ctr     ctr run --rm (a private containerd 1.6, runc shim v2, overlayfs)
  podman  podman run --rm --network=none (cgroupfs, conmon, runc: crun 1.8 refuses hybrid cgroups)
"""
import argparse
import os
import sys
import tempfile
import shutil

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import engines, median, timed  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--engines", default="berth,ctr,podman")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="berth-bench-engine-", dir="/var/tmp")
    made = []
    try:
        made = engines(work, args.engines.split(","))
        samples = {e.name: [] for e in made}
        for e in made:
            timed(e.run_rm("warm"), e.env)
        for i in range(args.rounds):
            order = made[i % len(made):] + made[:i % len(made)]
            for e in order:
                samples[e.name].append(timed(e.run_rm(i), e.env))
        print(f"`run --rm IMAGE true`, {args.rounds} interleaved rounds, median wall ms")
        med = {n: median(s) * 1000 for n, s in samples.items()}
        for n, m in med.items():
            print(f"  {n:<8} {m:8.1f} ms")
        for n, m in med.items():
            if n != "berth":
                print(f"  berth/{n}: {med['berth'] / m:.2f}x")
    finally:
        for e in made:
            e.cleanup()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
