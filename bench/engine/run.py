#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/engine/run.py [--rounds N] [--engines berth,ctr,podman] [--cases run,publish]

`run --rm IMAGE true` through each engine, interleaved: in round i the engines go in a rotated
order, so noise on the machine hits them alike; one untimed warm-up each. Prints the median
wall time per engine and berth's ratio to each peer (target: at most 0.25x containerd).

  run      no network (berth and podman --network none; ctr's default)
    berth   berth run --rm --network none localhost/busybox:latest true
    ctr     ctr run --rm (a private containerd 1.6, runc shim v2, overlayfs)
    podman  podman run --rm --network=none (cgroupfs, conmon, runc: crun 1.8 refuses hybrid
            cgroups)
  publish  a bridge network and `-p 8080:80` (target: at most 0.5x podman)
    berth   berth run --rm -p 8080:80 (its default network: bridge and portmap; masquerade and
            forwarding are static rules of the network, made at its first use)
    podman  podman --network-backend cni run --rm --network bench -p 8080:80 (a network of its
            own with the same four plugins)
    ctr     ctr run --rm --cni: /etc/cni/net.d's first network and /opt/cni/bin (go-cni's
            defaults, linked to /usr/lib/cni for the run when missing); ctr has no -p, so its
            figure is the network alone
"""
import argparse
import os
import sys
import tempfile
import shlex
import shutil
import subprocess

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import engines, median, timed  # noqa: E402


def interleaved(made, rounds, cmd, title):
    samples = {e.name: [] for e in made}
    for e in made:
        timed(cmd(e, "warm"), e.env)
    for i in range(rounds):
        order = made[i % len(made):] + made[:i % len(made)]
        for e in order:
            samples[e.name].append(timed(cmd(e, i), e.env))
    print(f"{title}, {rounds} interleaved rounds, median wall ms")
    med = {n: median(s) * 1000 for n, s in samples.items()}
    for n, m in med.items():
        print(f"  {n:<8} {m:8.1f} ms")
    for n, m in med.items():
        if n != "berth":
            print(f"  berth/{n}: {med['berth'] / m:.2f}x")


def cni_bin_link():
    """go-cni's plugin directory for `ctr run --cni`, linked to Debian's for the run; None when
    the host has one already."""
    if os.path.exists("/opt/cni/bin") or not os.path.isdir("/usr/lib/cni"):
        return None
    os.makedirs("/opt/cni", exist_ok=True)
    os.symlink("/usr/lib/cni", "/opt/cni/bin")
    return "/opt/cni/bin"


def ctr_cni_leftovers():
    """`ctr run --rm --cni` (containerd 1.6) deletes the container's namespace before its CNI
    DEL, so the bridge plugin's masquerade rules stay (the plugin finds no addresses in a gone
    namespace): removed here, by the comment that names ctr's containers (namespace bench)."""
    out = subprocess.run(["iptables-save", "-t", "nat"], capture_output=True, text=True).stdout
    chains = set()
    for line in out.splitlines():
        if line.startswith("-A POSTROUTING") and 'id: \\"bench-' in line:
            args = shlex.split(line)
            args[0] = "-D"
            chains.add(args[-1])
            subprocess.run(["iptables", "-t", "nat", *args], capture_output=True)
    for c in chains:
        subprocess.run(["iptables", "-t", "nat", "-F", c], capture_output=True)
        subprocess.run(["iptables", "-t", "nat", "-X", c], capture_output=True)


SHARED_CHAINS = (
    ("nat", ["CNI-HOSTPORT-DNAT", "CNI-HOSTPORT-MASQ", "CNI-HOSTPORT-SETMARK"],
     [("PREROUTING", "-m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT"),
      ("OUTPUT", "-m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT"),
      ("POSTROUTING", '-m comment --comment "CNI portfwd requiring masquerade" '
                      "-j CNI-HOSTPORT-MASQ")]),
    ("filter", ["CNI-FORWARD", "CNI-ADMIN"],
     [("FORWARD", '-m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD')]),
)


def cni_chains():
    out = subprocess.run(["iptables-save"], capture_output=True, text=True).stdout
    return {l.split()[0][1:] for l in out.splitlines() if l.startswith(":CNI-")}


def remove_shared_chains(before):
    """The chains portmap and firewall share between containers outlive the last DEL: the
    ones this run made go, once no container's rule is in them."""
    out = subprocess.run(["iptables-save"], capture_output=True, text=True).stdout
    if any('id: \\"' in l or l.startswith(":CNI-DN-") for l in out.splitlines()):
        return
    for table, chains, jumps in SHARED_CHAINS:
        mine = [c for c in chains if c not in before]
        if len(mine) != len(chains):
            continue
        for chain, spec in jumps:
            while subprocess.run(["iptables", "-t", table, "-D", chain, *shlex.split(spec)],
                                 capture_output=True).returncode == 0:
                pass
        for c in chains:
            subprocess.run(["iptables", "-t", table, "-F", c], capture_output=True)
        for c in chains:
            subprocess.run(["iptables", "-t", table, "-X", c], capture_output=True)


def berth_chains():
    """The chains of Berth's networks' static rules, as (tool, table, chain)."""
    found = set()
    for tool in ("iptables", "ip6tables"):
        table = None
        out = subprocess.run([f"{tool}-save"], capture_output=True, text=True).stdout
        for l in out.splitlines():
            if l.startswith("*"):
                table = l[1:]
            elif l.startswith((":BERTH-F-", ":BERTH-N-")):
                found.add((tool, table, l[1:].split()[0]))
    return found


def remove_berth_chains(before):
    """The static rules of the networks this run made whose bridge is gone (berth's default
    network keeps them while berth0 is there), and Berth's hooks once no network's is left."""
    for tool, table, chain in berth_chains() - before:
        if os.path.exists(f"/sys/class/net/{chain[len('BERTH-F-'):]}"):
            continue
        hook = "BERTH-FORWARD" if table == "filter" else "BERTH-POSTROUTING"
        while subprocess.run([tool, "-t", table, "-D", hook, "-j", chain],
                             capture_output=True).returncode == 0:
            pass
        subprocess.run([tool, "-t", table, "-F", chain], capture_output=True)
        subprocess.run([tool, "-t", table, "-X", chain], capture_output=True)
    for tool in ("iptables", "ip6tables"):
        out = subprocess.run([f"{tool}-save"], capture_output=True, text=True).stdout
        for table, builtin, hook in (("filter", "FORWARD", "BERTH-FORWARD"),
                                     ("nat", "POSTROUTING", "BERTH-POSTROUTING")):
            if f":{hook} " not in out or f"-A {hook} " in out:
                continue
            while subprocess.run([tool, "-t", table, "-D", builtin, "-j", hook],
                                 capture_output=True).returncode == 0:
                pass
            subprocess.run([tool, "-t", table, "-X", hook], capture_output=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--engines", default="berth,ctr,podman")
    ap.add_argument("--cases", default="run,publish")
    args = ap.parse_args()
    cases = args.cases.split(",")
    work = tempfile.mkdtemp(prefix="berth-bench-engine-", dir="/var/tmp")
    made, link = [], None
    bridges_before = set(os.listdir("/sys/class/net"))
    chains_before = cni_chains()
    berth_before = berth_chains()
    ipam = "/var/lib/cni/networks"
    ipam_before = set(os.listdir(ipam)) if os.path.isdir(ipam) else set()
    try:
        made = engines(work, args.engines.split(","))
        if "run" in cases:
            interleaved(made, args.rounds, lambda e, i: e.run_rm(i), "`run --rm IMAGE true`")
        if "publish" in cases:
            for e in made:
                if e.name == "podman":
                    e.network("bench", "10.86.0.0/24")
            if any(e.name == "ctr" for e in made):
                link = cni_bin_link()
            interleaved(made, args.rounds, lambda e, i: e.run_rm_publish(i),
                        "`run --rm -p 8080:80 IMAGE true`")
    finally:
        for e in made:
            e.cleanup()
        shutil.rmtree(work, ignore_errors=True)
        if link:
            os.unlink(link)
            try:
                os.rmdir("/opt/cni")
            except OSError:
                pass
        if link is not None or any(e.name == "ctr" for e in made):
            ctr_cni_leftovers()
        remove_shared_chains(chains_before)
        # host-local's directories of the networks made for the run, once they hold no lease
        for n in (set(os.listdir(ipam)) if os.path.isdir(ipam) else set()) - ipam_before:
            d = os.path.join(ipam, n)
            if all(f == "lock" or f.startswith("last_reserved") for f in os.listdir(d)):
                shutil.rmtree(d, ignore_errors=True)
        # the bridges the plugins made for the run (they outlive their last DEL)
        for b in set(os.listdir("/sys/class/net")) - bridges_before:
            if os.path.isdir(f"/sys/class/net/{b}/bridge") and \
                    not os.listdir(f"/sys/class/net/{b}/brif"):
                subprocess.run(["ip", "link", "delete", b], capture_output=True)
        remove_berth_chains(berth_before)


if __name__ == "__main__":
    main()
