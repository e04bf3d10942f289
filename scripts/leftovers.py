#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What a test run left behind on the host: cgroups, mounts, processes, network namespaces and
runtime state, found by comparing a snapshot taken before the run with the host after it.

    leftovers.py snapshot FILE    write the current state to FILE (JSON)
    leftovers.py check FILE       compare the host with FILE; print what is new, exit 1 if any

Only what the suite could have made is looked at (names with berth, libpod or pytest in them,
the runtime's state roots, nsfs mounts, named network namespaces), so that the rest of the
machine may go on living during a run. A parent cgroup that the runtime makes for its
containers (`berth`, podman's `libpod_parent`) is no leftover: runc and podman leave their
parents too; what is flagged is any cgroup below such a parent.
"""
import collections
import json
import os
import sys

# Parent cgroups made on first use and deliberately kept, relative to a hierarchy's root: the
# runtime's, podman's (with cgroup_manager = "cgroupfs") and the one podman puts every conmon in.
PARENT_CGROUPS = ("berth", "libpod_parent", "libpod_parent/conmon")
# A cgroup, mount or process path with one of these in it may come from the suite.
MARKERS = ("berth", "libpod", "pytest-of-")
# Processes the suite runs itself; any of them still alive after the run is a leftover.
PROGRAMS = ("berth-runtime", "berth", "berth-shim", "conmon", "podman", "runc", "crun")
# Directories where only the suite's runtimes put things.
STATE_ROOTS = ("/run/berth", "/run/runc", "/run/netns", "/run/berth-engine/containers",
               "/run/berth-engine/runtime")
# test.sh exports this in its environment, which every process it starts inherits (the
# containers' own processes get their environment from config.json: the cgroup, root and
# cwd checks find those).
RUN_MARKER = "BERTH_TEST_RUN"


def unescape(field):
    """A mountinfo field with its octal escapes (\\040 for a space) decoded."""
    out, i = "", 0
    while i < len(field):
        if field[i] == "\\" and field[i + 1:i + 4].isdigit():
            out += chr(int(field[i + 1:i + 4], 8))
            i += 4
        else:
            out += field[i]
            i += 1
    return out


def read_mounts(path="/proc/self/mountinfo"):
    """[(mount point, fs type, source, root)] of the current mount namespace."""
    mounts = []
    with open(path) as f:
        for line in f:
            pre, _, post = line.partition(" - ")
            a, b = pre.split(), post.split()
            mounts.append((unescape(a[4]), b[0], unescape(b[1]) if len(b) > 1 else "",
                           unescape(a[3])))
    return mounts


def cgroup_roots(mounts):
    return sorted({m[0] for m in mounts if m[1] in ("cgroup", "cgroup2")})


def read_cgroups(roots, depth=4):
    """Every cgroup directory up to depth levels below each hierarchy root whose path mentions
    one of MARKERS."""
    found = []
    for root in roots:
        stack = [(root, 0)]
        while stack:
            d, level = stack.pop()
            if level >= depth:
                continue
            try:
                entries = list(os.scandir(d))
            except OSError:
                continue
            for e in entries:
                if not e.is_dir(follow_symlinks=False):
                    continue
                if any(m in e.path[len(root):] for m in MARKERS):
                    found.append(e.path)
                stack.append((e.path, level + 1))
    return sorted(found)


def read_link(path):
    try:
        return os.readlink(path)
    except OSError:
        return ""


def read_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def read_processes():
    """{"pid:starttime": description} of every process (kernel threads left out); the start time
    tells a new process from an old one that had the same pid."""
    procs = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        stat = read_bytes(f"/proc/{pid}/stat").decode(errors="replace")
        cmdline = read_bytes(f"/proc/{pid}/cmdline")
        if not stat or not cmdline:
            continue  # gone, or a kernel thread
        fields = stat[stat.rfind(")") + 2:].split()
        procs[f"{pid}:{fields[19]}"] = {
            "pid": int(pid),
            "ppid": int(fields[1]),
            "argv": [a.decode(errors="replace") for a in cmdline.split(b"\0") if a],
            "exe": read_link(f"/proc/{pid}/exe"),
            "root": read_link(f"/proc/{pid}/root"),
            "cwd": read_link(f"/proc/{pid}/cwd"),
            "cgroup": read_bytes(f"/proc/{pid}/cgroup").decode(errors="replace"),
            "marked": (RUN_MARKER + "=").encode() in read_bytes(f"/proc/{pid}/environ"),
        }
    return procs


def read_state():
    entries = []
    for d in STATE_ROOTS:
        try:
            entries += [os.path.join(d, e) for e in os.listdir(d)]
        except OSError:
            pass
    return sorted(entries)


def snapshot():
    mounts = read_mounts()
    return {
        "cgroups": read_cgroups(cgroup_roots(mounts)),
        "mounts": [list(m) for m in mounts],
        "processes": read_processes(),
        "state": read_state(),
    }


def is_parent_cgroup(path, roots):
    return any(path == os.path.join(r, p) for r in roots for p in PARENT_CGROUPS)


def suite_mount(m):
    point, fstype, source, _ = m
    if fstype == "nsfs":
        return True  # a network (or other) namespace kept alive by a bind mount
    return any(x in point or x in source for x in MARKERS) or point.startswith("/run/netns/")


def suite_process(p):
    if p["marked"]:
        return True
    names = {os.path.basename(p["argv"][0])} if p["argv"] else set()
    # The sealed copy of the runtime runs as "/memfd:berth-runtime (deleted)".
    names.add(os.path.basename(p["exe"].replace(" (deleted)", "")).removeprefix("memfd:"))
    if names & set(PROGRAMS):
        return True
    # A container's process: in a container cgroup, or living in a bundle of the suite (a
    # shell of the user's in a checkout named berth is none of the suite's business).
    if any(m in p["cgroup"] for m in ("/berth/", "libpod")):
        return True
    if p["root"] not in ("", "/") and any(m in p["root"] for m in MARKERS):
        return True
    return "pytest-of-" in p["cwd"]


def ancestors(procs):
    """The pids of this process and its ancestors: test.sh itself carries RUN_MARKER."""
    by_pid = {p["pid"]: p for p in procs.values()}
    pids, pid = set(), os.getpid()
    while pid in by_pid and pid not in pids:
        pids.add(pid)
        pid = by_pid[pid]["ppid"]
    return pids


def compare(before, after):
    """The lines that describe what is in after and not in before, and came from the suite."""
    found = []
    roots = cgroup_roots(after["mounts"])
    for c in sorted(set(after["cgroups"]) - set(before["cgroups"])):
        if not is_parent_cgroup(c, roots):
            found.append(f"cgroup {c}")
    # A multiset: a second mount stacked on an old one with the same source is new too.
    old = collections.Counter(tuple(m) for m in before["mounts"])
    for m in after["mounts"]:
        if old[tuple(m)] > 0:
            old[tuple(m)] -= 1
        elif suite_mount(m):
            found.append(f"mount {m[0]} ({m[1]} from {m[2]})")
    mine = ancestors(after["processes"])
    for key, p in sorted(after["processes"].items()):
        if key in before["processes"] or p["pid"] in mine or not suite_process(p):
            continue
        found.append(f"process {p['pid']} (parent {p['ppid']}): {' '.join(p['argv'])[:200]}")
    for e in sorted(set(after["state"]) - set(before["state"])):
        what = "network namespace" if e.startswith("/run/netns/") else "runtime state"
        found.append(f"{what} {e}")
    return found


def main(argv):
    if len(argv) != 3 or argv[1] not in ("snapshot", "check"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    if argv[1] == "snapshot":
        with open(argv[2], "w") as f:
            json.dump(snapshot(), f)
        return 0
    with open(argv[2]) as f:
        before = json.load(f)
    found = compare(before, snapshot())
    if found:
        print("left behind by the suite:")
        for line in found:
            print("  " + line)
        return 1
    print("nothing left behind (cgroups, mounts, processes, network namespaces, state)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
