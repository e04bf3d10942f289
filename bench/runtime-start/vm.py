#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The vm case of the start-up benchmark: `berth-vm run` of /bin/true beside process-mode
`berth-runtime run` of the same busybox bundle, interleaved, several rounds; then where a VM
container's create time goes (from the monitor's vm-timings: qemu started, the agent's hello
with the guest's own uptime, the container set up in the guest) and what a running VM
container costs the host in memory (PSS of its monitor and qemu, with N of them running, since
qemu's mapping of the kernel file is shared between VMs).

Usage: bench/runtime-start/vm.py [-n ROUNDS] [--running N]
Environment: BERTH_RUNTIME (default <repo>/build/src/cmd/berth-runtime/berth-runtime). Needs root, qemu,
Debian's kernel and busybox-static, like the vm tests."""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
RUNTIME = os.environ.get("BERTH_RUNTIME", os.path.join(REPO, "build", "src", "cmd",
                                                       "berth-runtime"))


def sh(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def timed(cmd):
    # Files, not pipes: a created container keeps the stdio it was created with.
    with tempfile.TemporaryFile("w+") as out:
        t = time.perf_counter()
        cp = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out, text=True)
        ms = (time.perf_counter() - t) * 1000
        out.seek(0)
        cp.stderr = out.read()
    return ms, cp


def pss(pid):
    """(Pss, Pss_Anon) in kB of one process."""
    vals = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            k, _, rest = line.partition(":")
            if k in ("Pss", "Pss_Anon"):
                vals[k] = int(rest.split()[0])
    return vals.get("Pss", 0), vals.get("Pss_Anon", 0)


def children(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=10, help="rounds (default 10)")
    ap.add_argument("--running", type=int, default=4,
                    help="VM containers kept running for the memory figure (default 4)")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("vm.py: needs root")
    work = tempfile.mkdtemp(prefix="berth-vm-bench.")
    try:
        bundle = os.path.join(work, "bundle")
        sh(os.path.join(REPO, "scripts", "make-bundle.sh"), bundle, "true")
        vm = os.path.join(work, "berth-vm")
        os.symlink(RUNTIME, vm)
        root = os.path.join(work, "state")
        times = {"process": [], "vm": []}
        fails = {"process": 0, "vm": 0}
        # Warm-up: the first VM extracts the kernel and packs the initramfs into the cache.
        timed([vm, "--root", root, "run", "--bundle", bundle, "warm"])
        for i in range(a.n):
            order = [("process", RUNTIME), ("vm", vm)]
            if i % 2:
                order.reverse()
            for name, binary in order:
                ms, cp = timed([binary, "--root", root, "run", "--bundle", bundle, f"r{i}{name}"])
                if cp.returncode == 0:
                    times[name].append(ms)
                else:
                    fails[name] += 1
                    print(f"# {name} round {i}: {cp.stderr.strip()}", file=sys.stderr)

        # Where create goes, and start to exit.
        phases = {k: [] for k in ("qemu_spawned_ms", "agent_hello_ms", "guest_uptime_s",
                                  "container_created_ms", "create_total_ms", "start_to_exit_ms")}
        for i in range(max(3, a.n // 2)):
            cid = f"p{i}"
            ms, cp = timed([vm, "--root", root, "create", "--bundle", bundle, cid])
            if cp.returncode != 0:
                print(f"# phase round {i}: {cp.stderr.strip()}", file=sys.stderr)
                continue
            with open(os.path.join(root, cid, "vm-timings")) as f:
                for kv in f.read().split():
                    k, _, v = kv.partition("=")
                    if k in phases:
                        phases[k].append(float(v))
            phases["create_total_ms"].append(ms)
            t = time.perf_counter()
            sh(vm, "--root", root, "start", cid)
            while json.loads(sh(vm, "--root", root, "state", cid).stdout)["status"] != "stopped":
                time.sleep(0.005)
            phases["start_to_exit_ms"].append((time.perf_counter() - t) * 1000)
            sh(vm, "--root", root, "delete", cid)

        # Memory of running VM containers.
        with open(os.path.join(bundle, "config.json")) as f:
            spec = json.load(f)
        spec["process"]["args"] = ["sleep", "1000"]
        with open(os.path.join(bundle, "config.json"), "w") as f:
            json.dump(spec, f)
        ids = [f"m{i}" for i in range(a.running)]
        for cid in ids:
            subprocess.run([vm, "--root", root, "run", "-d", "--bundle", bundle, cid],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=True)
        time.sleep(3)
        per, anon = [], []
        for cid in ids:
            mon = json.loads(sh(vm, "--root", root, "state", cid).stdout)["pid"]
            p, an = pss(mon)
            for q in children(mon):
                qp, qa = pss(q)
                p, an = p + qp, an + qa
            per.append(p)
            anon.append(an)
        for cid in ids:
            sh(vm, "--root", root, "delete", "--force", cid)

        print(f"{'case':10} {'n':>4} {'fail':>5} {'median ms':>10} {'min':>8} {'max':>8}")
        for name in ("process", "vm"):
            t = times[name]
            if t:
                print(f"berth-{name:4} {len(t):>4} {fails[name]:>5} {statistics.median(t):>10.1f} "
                      f"{min(t):>8.1f} {max(t):>8.1f}")
        if times["process"] and times["vm"]:
            print(f"vm/process: time {statistics.median(times['vm']) / statistics.median(times['process']):.1f}x")
        print("create in vm mode, medians:")
        for k, v in phases.items():
            if v:
                print(f"  {k:22} {statistics.median(v):10.2f}")
        print(f"memory, {a.running} VM containers running `sleep`, per container: "
              f"PSS {statistics.mean(per) / 1024:.1f} MiB (of which anonymous "
              f"{statistics.mean(anon) / 1024:.1f} MiB)")
    finally:
        subprocess.run(["sh", "-c", f"for d in {root}/*; do [ -d \"$d\" ] && "
                        f"{RUNTIME} --root {root} delete --force $(basename $d); done"],
                       capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
