#!/usr/bin/python3
"""Summarise run.sh samples: per runtime median/p10/p90 wall ms, median peak RSS,
and berth's ratios to crun and runc.  Input lines: runtime, round, wall_us, rss_kb, ok|FAIL."""

import statistics
import sys

ORDER = ["berth", "crun", "runc"]


def pct(xs, p):
    """Percentile with linear interpolation between closest ranks."""
    xs = sorted(xs)
    if len(xs) == 1:
        return xs[0]
    k = (len(xs) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def main(path):
    ok = {rt: [] for rt in ORDER}
    failed = {rt: 0 for rt in ORDER}
    with open(path) as f:
        for line in f:
            rt, _round, us, rss, status = line.rstrip("\n").split("\t")
            if status == "ok":
                ok[rt].append((int(us) / 1000.0, int(rss)))
            else:
                failed[rt] += 1

    med = {}
    print()
    print(f"{'runtime':<8} {'runs':>5} {'fail':>5} {'median ms':>10} {'p10 ms':>8} "
          f"{'p90 ms':>8} {'med RSS KB':>11}")
    for rt in ORDER:
        s = ok[rt]
        if not s:
            print(f"{rt:<8} {0:>5} {failed[rt]:>5} {'n/a':>10} {'n/a':>8} {'n/a':>8} {'n/a':>11}")
            continue
        ms = [x[0] for x in s]
        kb = [x[1] for x in s]
        med[rt] = (statistics.median(ms), statistics.median(kb))
        print(f"{rt:<8} {len(s):>5} {failed[rt]:>5} {med[rt][0]:>10.2f} {pct(ms, 10):>8.2f} "
              f"{pct(ms, 90):>8.2f} {med[rt][1]:>11.0f}")
    print()
    for other in ("crun", "runc"):
        if "berth" in med and other in med:
            print(f"berth/{other}: time {med['berth'][0] / med[other][0]:.2f}x, "
                  f"peak RSS {med['berth'][1] / med[other][1]:.2f}x")
        else:
            print(f"berth/{other}: n/a (no successful runs)")
    return 0 if all(failed[rt] == 0 for rt in ORDER) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
