#!/usr/bin/python3
"""The engine case of run.sh (--docker): `docker run --rm --network none IMAGE true` through
one private dockerd (Debian's docker.io 20.10) with berth-runtime and with runc, in
alternating order, then medians and the ratio berth/runc.

The daemon, its image (a busybox docker-archive) and the clean-up afterwards are those of
the integration tests (tests/integration/docker_helpers.py): own socket, data-root,
exec-root and containerd, --bridge=none, no iptables; nothing is left when it ends.

Usage: docker.py BERTH_RUNTIME ROUNDS
"""
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))

import docker_helpers as dh  # noqa: E402

RUNTIMES = ("berth", "runc")


def pct(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def one(d, rt):
    t0 = time.perf_counter()
    r = d.run("--rm", "--network", "none", "--runtime", rt, dh.IMAGE, "true")
    ms = (time.perf_counter() - t0) * 1000
    return ms, r


def main(berth, rounds):
    why = dh.available()
    if why:
        print(f"docker.py: {why}", file=sys.stderr)
        return 2
    d = dh.Dockerd(berth)
    samples = {rt: [] for rt in RUNTIMES}
    failed = {rt: 0 for rt in RUNTIMES}
    left = []
    try:
        d.start()
        with tempfile.TemporaryDirectory() as t:
            d.load_image(dh.make_image_archive(t))
        print(f"dockerd: {d('version', '-f', '{{.Server.Version}}').out.strip()} "
              f"(private, {d.dir}); rounds: {rounds}")
        for rt in RUNTIMES:  # warm-up: image layers and binaries in the page cache
            one(d, rt)
        for i in range(rounds):
            order = RUNTIMES if i % 2 == 0 else RUNTIMES[::-1]
            for rt in order:
                ms, r = one(d, rt)
                if r.rc == 0:
                    samples[rt].append(ms)
                else:
                    failed[rt] += 1
                    if failed[rt] == 1:
                        print(f"docker.py: {rt} failed: {r.err.strip()[:300]}", file=sys.stderr)
    finally:
        left = d.destroy()
    print()
    print(f"{'runtime':<8} {'runs':>5} {'fail':>5} {'median ms':>10} {'p10 ms':>8} {'p90 ms':>8}")
    med = {}
    for rt in RUNTIMES:
        s = samples[rt]
        if not s:
            print(f"{rt:<8} {0:>5} {failed[rt]:>5} {'n/a':>10}")
            continue
        med[rt] = statistics.median(s)
        print(f"{rt:<8} {len(s):>5} {failed[rt]:>5} {med[rt]:>10.1f} {pct(s, 10):>8.1f} "
              f"{pct(s, 90):>8.1f}")
    print()
    if len(med) == 2:
        print(f"berth/runc (docker run --rm): time {med['berth'] / med['runc']:.2f}x, "
              f"{med['runc'] - med['berth']:+.1f} ms")
    if left:
        print(f"docker.py: left behind (removed): {left}", file=sys.stderr)
    return 0 if not any(failed.values()) and not left else 1


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        sys.exit(2)
    sys.exit(main(os.path.abspath(sys.argv[1]), int(sys.argv[2])))
