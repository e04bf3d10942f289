#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/engine/density.py [-n N] [--engines berth,ctr,podman]

N (default 200) `run -d` of a sleeping container per engine, interleaved (start i of every
engine, then start i+1), so that the machine's noise lands on all alike: the summed wall time of
each engine's N starts, then the memory that stays resident per running container besides
the container's own process: the PSS of the engine's per-container monitor (berth-shim,
containerd-shim-runc-v2, conmon) and of any daemon (containerd's, divided by N). Targets:
berth-shim at most 200 kB PSS, berth's wall time under 0.25x ctr's.
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import engines, pss_kb, timed  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("--engines", default="berth,ctr,podman")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="berth-bench-density-", dir="/var/tmp")
    made = []
    rows = []
    try:
        made = engines(work, args.engines.split(","))
        wall = {e.name: 0.0 for e in made}
        for i in range(args.n):
            for e in made[i % len(made):] + made[:i % len(made)]:
                wall[e.name] += timed(e.run_d(i), e.env)
        time.sleep(2)  # let the monitors settle
        for e in made:
            shims = e.shims()
            shim_pss = sum(pss_kb(p) for p in shims)
            daemon_pss = sum(pss_kb(p) for p in e.daemon_pids())
            rows.append((e.name, wall[e.name], len(shims), shim_pss / max(len(shims), 1),
                         daemon_pss / args.n))
        for e in made:
            e.cleanup()
        made = []
        print(f"{args.n} x `run -d` of a sleeping container per engine")
        print(f"  {'engine':<8} {'wall s':>8} {'monitors':>9} {'monitor PSS kB':>15} "
              f"{'daemon PSS kB/ctr':>18}")
        for name, wall, n, shim, daemon in rows:
            print(f"  {name:<8} {wall:8.2f} {n:>9} {shim:15.0f} {daemon:18.0f}")
        b = rows[0]
        for name, wall, n, shim, daemon in rows[1:]:
            print(f"  berth/{name}: wall {b[1] / wall:.2f}x, memory per container "
                  f"{(b[3] + b[4]) / (shim + daemon):.2f}x")
    finally:
        for e in made:
            e.cleanup()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
