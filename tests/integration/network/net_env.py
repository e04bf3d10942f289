# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the network tests share: the engine with a root and run directory of the test's own
(as tests/integration/engine) that knows the networks it made, subnets picked free (10.88.x,
10.89.x, seen in `ip route` first), free ports, and the host's counts (veths, iptables rules,
IPAM leases). Tests talk only to loopback and to the networks they create. (Not in conftest.py:
one pytest run collects the engine's tests too, and `from conftest import` would find theirs.)"""
import json
import os
import random
import shlex
import socket
import subprocess
import time
import urllib.request

from cni_host import (DEFAULT_BRIDGE, DEFAULT_NETWORK, IPAM_DIR, berth_chains,  # noqa: F401
                      berth_rules, cni_rules, leases, remove_berth_chains,
                      remove_default_bridge, remove_shared_chains, sh)
from engine_env import Engine

DEFAULT_GATEWAY = "10.85.0.1"


def routes():
    return sh("ip", "-4", "route")


_given = set()


def free_subnet():
    """A /24 in 10.88.0.0/15 that no route of the host covers and that this run has not handed
    out yet (a network made with it has no route before its first container)."""
    taken = routes()
    for _ in range(200):
        third = random.randrange(0, 256)
        second = random.choice((88, 89))
        prefix = f"10.{second}.{third}."
        if prefix not in taken and prefix not in _given:
            _given.add(prefix)
            return f"{prefix}0/24"
    raise AssertionError("no free /24 in 10.88.0.0/15")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=10):
    """The body at url; retried while the server in the container starts."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.read().decode()
        except OSError as e:
            last = e
            time.sleep(0.1)
    raise AssertionError(f"GET {url}: {last}")


def veths():
    return set(l.split(":")[1].strip().split("@")[0]
               for l in sh("ip", "-o", "link", "show", "type", "veth").splitlines())


class NetEngine(Engine):
    def __init__(self, root):
        super().__init__(root)
        self.networks = {}  # name -> bridge

    def network(self, name, *args):
        r = self("network", "create", *args, name, check=True)
        insp = self("network", "inspect", "-f",
                    '{{index .Options "com.docker.network.bridge.name"}}', name, check=True)
        self.networks[name] = insp.out.strip()
        return r.out.strip()

    def netns_files(self):
        d = os.path.join(self.run_dir, "netns")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def cache_files(self):
        d = os.path.join(self.root, "networks", "cache")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def ip_of(self, ref, network=None):
        doc = json.loads(self("inspect", ref, check=True).out)[0]["NetworkSettings"]
        return doc["Networks"][network]["IPAddress"] if network else doc["IPAddress"]


def forget_rules(*needles):
    """Removes the iptables rules that mention one of needles (a container's id, "-s IP/32"),
    and the chains they jump to: what a reboot does to a container's rules."""
    for tool in ("iptables", "ip6tables"):
        chains = set()
        table = None
        for line in sh(f"{tool}-save").splitlines():
            if line.startswith("*"):
                table = line[1:]
            if line.startswith("-A ") and any(n in line for n in needles):
                args = shlex.split(line)
                args[0] = "-D"
                if args[-2] == "-j" and args[-1].startswith("CNI-") and \
                        not any(k in args[-1] for k in ("HOSTPORT", "FORWARD", "ADMIN")):
                    chains.add((table, args[-1]))
                subprocess.run([tool, "-t", table, *args], capture_output=True)
        for table, c in chains:
            subprocess.run([tool, "-t", table, "-F", c], capture_output=True)
            subprocess.run([tool, "-t", table, "-X", c], capture_output=True)



