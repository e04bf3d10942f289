# SPDX-License-Identifier: LGPL-2.1-or-later
"""What berth's networking leaves on the host by design once its last container is gone, and
its removal at the end of a test session: the default network's bridge berth0 and its static
rules (shared by every store of the host), and the chains the portmap and firewall plugins
share between containers (the plugins never remove them). They go only when unused: no
interface on the bridge, no lease, no rule of a container in the chains."""
import os
import subprocess

IPAM_DIR = "/var/lib/cni/networks"
DEFAULT_NETWORK = "berth"
DEFAULT_BRIDGE = "berth0"


def sh(*args):
    return subprocess.run(args, capture_output=True, text=True).stdout


def cni_rules():
    """iptables and ip6tables lines that mention CNI."""
    out = sh("iptables-save") + sh("ip6tables-save")
    return [l for l in out.splitlines() if "CNI" in l.upper() and not l.startswith("#")]


def berth_chains(bridge=None):
    """The chains of Berth's networks (BERTH-F-<bridge>, BERTH-N-<bridge>) in iptables and
    ip6tables, as (tool, table, chain); those of one bridge when given."""
    found = []
    for tool in ("iptables", "ip6tables"):
        table = None
        for line in sh(f"{tool}-save").splitlines():
            if line.startswith("*"):
                table = line[1:]
            elif line.startswith((":BERTH-F-", ":BERTH-N-")):
                chain = line[1:].split()[0]
                if bridge is None or chain[len("BERTH-F-"):] == bridge:
                    found.append((tool, table, chain))
    return found


def berth_rules(bridge):
    """The rules of a network's chains, as iptables-save prints them."""
    out = sh("iptables-save") + sh("ip6tables-save")
    return [l for l in out.splitlines()
            if l.startswith((f"-A BERTH-F-{bridge} ", f"-A BERTH-N-{bridge} "))]


def remove_berth_chains(gone_only=True):
    """The static rules of networks whose bridge is gone (the default network's outlive its
    last container, as berth0 does), and Berth's hooks once no network's chain is left."""
    for tool, table, chain in berth_chains():
        bridge = chain[len("BERTH-F-"):]
        if gone_only and os.path.exists(f"/sys/class/net/{bridge}"):
            continue
        hook = "BERTH-FORWARD" if table == "filter" else "BERTH-POSTROUTING"
        while subprocess.run([tool, "-t", table, "-D", hook, "-j", chain],
                             capture_output=True).returncode == 0:
            pass
        subprocess.run([tool, "-t", table, "-F", chain], capture_output=True)
        subprocess.run([tool, "-t", table, "-X", chain], capture_output=True)
    for tool in ("iptables", "ip6tables"):
        save = sh(f"{tool}-save")
        for table, builtin, hook in (("filter", "FORWARD", "BERTH-FORWARD"),
                                     ("nat", "POSTROUTING", "BERTH-POSTROUTING")):
            if f":{hook} " not in save or f"-A {hook} " in save:
                continue
            while subprocess.run([tool, "-t", table, "-D", builtin, "-j", hook],
                                 capture_output=True).returncode == 0:
                pass
            subprocess.run([tool, "-t", table, "-X", hook], capture_output=True)


def leases(network):
    d = os.path.join(IPAM_DIR, network)
    if not os.path.isdir(d):
        return []
    return sorted(f for f in os.listdir(d) if f != "lock" and not f.startswith("last_reserved"))


def remove_shared_chains():
    """The chains the portmap and firewall plugins share between containers stay after the
    last DEL (the plugins never remove them): removed once no rule of a container is left, so
    the host is as it was (another user's rules keep them)."""
    per_container = [l for l in cni_rules()
                     if "id:" in l or ":CNI-DN-" in l or l.startswith(":CNI-") and
                     not any(k in l for k in ("HOSTPORT", "FORWARD", "ADMIN"))]
    if per_container:
        return
    for table, chains, jumps in (
            ("nat", ("CNI-HOSTPORT-DNAT", "CNI-HOSTPORT-MASQ", "CNI-HOSTPORT-SETMARK"),
             (("PREROUTING", ["-m", "addrtype", "--dst-type", "LOCAL", "-j", "CNI-HOSTPORT-DNAT"]),
              ("OUTPUT", ["-m", "addrtype", "--dst-type", "LOCAL", "-j", "CNI-HOSTPORT-DNAT"]),
              ("POSTROUTING", ["-m", "comment", "--comment", "CNI portfwd requiring masquerade",
                               "-j", "CNI-HOSTPORT-MASQ"]))),
            ("filter", ("CNI-FORWARD", "CNI-ADMIN"),
             (("FORWARD", ["-m", "comment", "--comment", "CNI firewall plugin rules",
                           "-j", "CNI-FORWARD"]),))):
        for tool in ("iptables", "ip6tables"):
            for chain, spec in jumps:
                while subprocess.run([tool, "-t", table, "-D", chain, *spec],
                                     capture_output=True).returncode == 0:
                    pass
            for c in chains:
                subprocess.run([tool, "-t", table, "-F", c], capture_output=True)
            for c in chains:
                subprocess.run([tool, "-t", table, "-X", c], capture_output=True)


def remove_default_bridge():
    """berth0 is shared by every store of the host; it goes when nothing is plugged in it and
    nothing holds a lease on it."""
    brif = f"/sys/class/net/{DEFAULT_BRIDGE}/brif"
    if os.path.isdir(brif) and not os.listdir(brif) and not leases(DEFAULT_NETWORK):
        subprocess.run(["ip", "link", "delete", DEFAULT_BRIDGE], capture_output=True)
        subprocess.run(["rm", "-rf", os.path.join(IPAM_DIR, DEFAULT_NETWORK)])
