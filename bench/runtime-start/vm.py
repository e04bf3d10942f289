#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The vm case of the start-up benchmark: `berth-vm run` of /bin/true beside process-mode
`berth-runtime run` of the same busybox bundle, interleaved, several rounds; then where a VM
container's create time goes (from the monitor's vm-timings: qemu started, the guest kernel
starting the agent, the agent's hello, the container set up in the guest) and what a running VM
container costs the host in memory (PSS of its monitor and qemu, with N of them running, since
qemu's mapping of the kernel file is shared between VMs), split by what it holds. Last, the
issue's targets beside the figures, and an estimate for KVM from the same phases.

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


def qemu_parts(pid):
    """PSS in kB of one qemu process by what it maps: the guest's RAM (the anonymous mapping of
    -m's size), TCG's translation buffer (the anonymous mapping of tb-size), the guest kernel's
    file (vmlinux-*, shared by every VM) and the rest (qemu's own code, heap and threads)."""
    with open(f"/proc/{pid}/cmdline") as f:
        argv = f.read().split("\0")
    mem_mib = tb_mib = None
    for i, a in enumerate(argv[:-1]):
        if a == "-m":
            mem_mib = int(argv[i + 1].rstrip("M"))
        if a == "-accel" and "tb-size=" in argv[i + 1]:
            tb_mib = int(argv[i + 1].split("tb-size=")[1].split(",")[0])
    parts = {"guest RAM": 0, "TCG buffer": 0, "kernel file": 0, "qemu": 0}
    cur = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            fields = line.split()
            if "-" in fields[0] and len(fields) >= 5 and ":" not in fields[0]:
                lo, hi = (int(x, 16) for x in fields[0].split("-"))
                size_mib = (hi - lo) / (1 << 20)
                name = fields[5] if len(fields) > 5 else ""
                if "/vmlinux-" in name:
                    cur = "kernel file"
                elif "/template-" in name and name.endswith("/mem"):
                    cur = "guest RAM"  # a clone's private mapping of the template's memory
                elif not name and mem_mib and size_mib == mem_mib:
                    cur = "guest RAM"
                elif not name and tb_mib and tb_mib - 1 <= size_mib <= tb_mib:
                    cur = "TCG buffer"
                else:
                    cur = "qemu"
            elif fields[0] == "Pss:":
                parts[cur] += int(fields[1])
    return parts


def guest_loop_ms(binary, root, bundle, cid, loops):
    """A CPU-bound busybox shell loop timed inside the container by its own /proc/uptime: how
    much slower the guest's CPU is than the host's, for the KVM estimate."""
    with open(os.path.join(bundle, "config.json")) as f:
        spec = json.load(f)
    spec["process"]["args"] = ["sh", "-c", "read a b </proc/uptime; i=0; while [ $i -lt %d ]; "
                               "do i=$((i+1)); done; read c d </proc/uptime; echo $a $c" % loops]
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(spec, f)
    out = sh(binary, "--root", root, "run", "--bundle", bundle, cid).stdout.split()
    return (float(out[1]) - float(out[0])) * 1000


def qemu_init_ms(argv, rounds=5):
    """qemu started with a running VM's own command line (argv), stopped before the guest's
    first instruction (-S) and told to quit: the VMM's own start, kernel and initramfs
    loaded."""
    # Its stdio is the QMP channel here: the console goes nowhere, the agent's socket too.
    swap = {"stdio": "null", "-nographic": "-display"}
    # A clone of the template (vm-template.h) has a QMP chardev and waits for its state: both
    # dropped, the rest is its start.
    drop = {i for i, a in enumerate(argv)
            if a.startswith(("socket,id=qmp,", "chardev=qmp,")) or a == "defer"}
    argv = [a for i, a in enumerate(argv) if i not in drop and i + 1 not in drop]
    argv = [("null,id=agent" if a.startswith("socket,id=agent,fd=") else swap.get(a, a))
            for a in argv]
    argv.insert(argv.index("-display") + 1, "none")
    argv += ["-S", "-qmp", "stdio"]
    ts = []
    for _ in range(rounds):
        t = time.perf_counter()
        subprocess.run(argv, input='{"execute":"qmp_capabilities"}{"execute":"quit"}',
                       capture_output=True, text=True, check=True)
        ts.append((time.perf_counter() - t) * 1000)
    return statistics.median(ts)


def children(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


TARGET_MS, TARGET_MIB = 1500, 96


def report(times, phases, loops, vmm_ms, mem_mib, tcg_mib):
    """The split of `run` into phases, the targets, and the estimate for KVM."""
    med = {k: statistics.median(v) for k, v in phases.items() if v}
    if not times["vm"] or not all(k in med for k in ("agent_hello_ms", "guest_uptime_s",
                                                        "guest_init_s", "container_created_ms")):
        return
    run_ms = statistics.median(times["vm"])
    # The guest's own clock stands still for part of its boot under TCG (about 0.4 s while the
    # kernel patches its alternatives with interrupts off, seen in printk's timestamps against
    # the host's), so the kernel's share is what remains of the hello once qemu's own start
    # (measured apart, same command line) and the agent's share (the guest's clock runs
    # normally by then) are taken off.
    agent = (med["guest_uptime_s"] - med["guest_init_s"]) * 1000
    kernel = med["agent_hello_ms"] - vmm_ms - agent
    setup = med["container_created_ms"] - med["agent_hello_ms"]
    host = med.get("create_total_ms", 0) - med["container_created_ms"]
    start = med.get("start_to_exit_ms", 0)
    slow = statistics.median(loops["vm"]) / statistics.median(loops["process"])
    rows = [
        ("VMM start: qemu, kernel and initrd loaded", vmm_ms, vmm_ms),
    ] if med["guest_uptime_s"] else [
        # A clone of the template (vm-template.h): no boot; qemu's start and the resume.
        ("VMM start and resume from the template", med["agent_hello_ms"], med["agent_hello_ms"]),
    ]
    rows += [x for x in [
        ("guest firmware and kernel boot to /init", kernel, kernel / slow),
        ("agent: modules, mounts, port", agent, agent / slow),
    ] if med["guest_uptime_s"]] + [
        ("rootfs (9p) and container in the guest", setup, setup / slow),
        ("host: create's own part", host, host),
        ("start to exit of /bin/true", start, start / slow),
        ("delete", med.get("delete_ms", 0), med.get("delete_ms", 0)),
    ]
    print("where a vm container's create, start and delete go (medians of each phase over the "
          f"phase rounds; the sum is comparable with run's median, {run_ms:.0f} ms):")
    print(f"  {'phase':42} {'TCG ms':>8} {'KVM est.':>9}")
    for name, ms, kvm in rows:
        print(f"  {name:42} {ms:8.0f} {kvm:9.0f}")
    total, kvm_total = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"  {'sum':42} {total:8.0f} {kvm_total:9.0f}")
    # run is create + start + delete, the sum of the phases; both medians are printed.
    kvm_run = kvm_total
    print(f"guest CPU: a shell loop takes {statistics.median(loops['vm']):.0f} ms in the guest, "
          f"{statistics.median(loops['process']):.0f} ms on the host: {slow:.1f}x slower under TCG")
    print(f"qemu's own start (its command line with -S, told to quit): {vmm_ms:.0f} ms")
    print(f"target: run of /bin/true at most {TARGET_MS} ms with TCG: {run_ms:.0f} ms, "
          + ("met" if run_ms <= TARGET_MS else f"missed by {run_ms - TARGET_MS:.0f} ms"))
    print(f"target: PSS per running VM container at most {TARGET_MIB} MiB with TCG: "
          f"{mem_mib:.1f} MiB, " + ("met" if mem_mib <= TARGET_MIB else
                                     f"missed by {mem_mib - TARGET_MIB:.1f} MiB"))
    print(f"KVM estimate (an estimate, not a measurement): `run` about {kvm_run:.0f} ms, PSS "
          f"about {mem_mib - tcg_mib:.0f} MiB. The guest's phases are divided by the loop's "
          f"slowdown, which flatters TCG: the boot is code that runs once, which TCG must "
          f"translate first, so KVM gains more there and the estimate is an upper bound. qemu's "
          f"own start and the host's part stay; the TCG buffer goes; the guest's RAM stays.")


PHASES = ("qemu_spawned_ms", "agent_hello_ms", "guest_init_s", "guest_uptime_s",
          "container_created_ms", "create_total_ms", "start_to_exit_ms", "delete_ms")


def phase_round(vm, root, bundle, cid, phases):
    """create (its phases from the monitor's vm-timings), then start until the state says
    stopped, then delete."""
    ms, cp = timed([vm, "--root", root, "create", "--bundle", bundle, cid])
    if cp.returncode != 0:
        print(f"# phase round {cid}: {cp.stderr.strip()}", file=sys.stderr)
        return
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
    t = time.perf_counter()
    sh(vm, "--root", root, "delete", cid)
    phases["delete_ms"].append((time.perf_counter() - t) * 1000)


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
        phases = {k: [] for k in PHASES}
        # Each round: process-mode run, vm run, and a vm create + start whose phases are
        # recorded, in rotating order so that the machine's noise lands on all three alike.
        for i in range(a.n):
            order = [("process", RUNTIME), ("vm", vm), ("phases", vm)]
            order = order[i % 3:] + order[:i % 3]
            for name, binary in order:
                if name == "phases":
                    phase_round(vm, root, bundle, f"p{i}", phases)
                    continue
                ms, cp = timed([binary, "--root", root, "run", "--bundle", bundle, f"r{i}{name}"])
                if cp.returncode == 0:
                    times[name].append(ms)
                else:
                    fails[name] += 1
                    print(f"# {name} round {i}: {cp.stderr.strip()}", file=sys.stderr)

        # The guest's CPU against the host's, on the same loop.
        loops = {"process": [], "vm": []}
        for i in range(3):
            loops["process"].append(guest_loop_ms(RUNTIME, root, bundle, f"l{i}p", 100000))
            loops["vm"].append(guest_loop_ms(vm, root, bundle, f"l{i}v", 100000))

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
        time.sleep(5)  # free page reporting hands the boot's freed pages back after 2 s
        per, anon, split = [], [], []
        for cid in ids:
            mon = json.loads(sh(vm, "--root", root, "state", cid).stdout)["pid"]
            p, an = pss(mon)
            parts = {"monitor": p}
            for q in children(mon):
                qp, qa = pss(q)
                p, an = p + qp, an + qa
                for k, v in qemu_parts(q).items():
                    parts[k] = parts.get(k, 0) + v
            per.append(p)
            anon.append(an)
            split.append(parts)
        qemu_pid = children(json.loads(sh(vm, "--root", root, "state", ids[0]).stdout)["pid"])[0]
        with open(f"/proc/{qemu_pid}/cmdline") as f:
            qemu_argv = [x for x in f.read().split("\0") if x]
        for cid in ids:
            sh(vm, "--root", root, "delete", "--force", cid)
        vmm_ms = qemu_init_ms(qemu_argv)

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
        mem = statistics.mean(per) / 1024
        print(f"memory, {a.running} VM containers running `sleep`, per container: "
              f"PSS {mem:.1f} MiB (of which anonymous "
              f"{statistics.mean(anon) / 1024:.1f} MiB)")
        for k in split[0]:
            print(f"  {k:22} {statistics.mean(s[k] for s in split) / 1024:10.1f} MiB")
        report(times, phases, loops, vmm_ms, mem, statistics.mean(s["TCG buffer"] for s in split) / 1024)
    finally:
        subprocess.run(["sh", "-c", f"for d in {root}/*; do [ -d \"$d\" ] && "
                        f"{RUNTIME} --root {root} delete --force $(basename $d); done"],
                       capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
