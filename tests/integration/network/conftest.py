# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fixtures of the network tests: `berth` (net_env.NetEngine) and, at its end, a check that
nothing is left: container, netns file, CNI cache entry, bridge or static rules of a removed
network, IPAM lease; at the session's end the chains the plugins share, the default bridge and
its rules go once unused."""
import os
import subprocess

import pytest

from engine_env import BERTH
from net_env import (IPAM_DIR, NetEngine, berth_chains, leases, remove_berth_chains,
                     remove_default_bridge, remove_shared_chains)


@pytest.fixture(scope="session", autouse=True)
def host_cleanup():
    yield
    remove_default_bridge()
    remove_berth_chains()
    remove_shared_chains()


@pytest.fixture
def berth(tmp_path):
    if not os.access(BERTH, os.X_OK):
        pytest.fail(f"{BERTH} is not built")
    if not os.path.exists("/usr/lib/cni/bridge"):
        pytest.skip("the CNI plugins are not installed (containernetworking-plugins)")
    e = NetEngine(str(tmp_path / "root"))
    yield e
    left = []
    for cid in e.ids():
        e("rm", "-f", cid)
    left += [f"netns file {f}" for f in e.netns_files()]
    left += [f"CNI cache {f}" for f in e.cache_files()]
    for name, bridge in e.networks.items():
        r = e("network", "rm", name)
        if r.rc != 0 and "not found" not in r.err:
            left.append(f"network {name}: {r.err.strip()}")
        if bridge and os.path.exists(f"/sys/class/net/{bridge}"):
            left.append(f"bridge {bridge}")
        if bridge:
            left += [f"{tool} {table} chain {c}" for tool, table, c in berth_chains(bridge)]
        left += [f"lease {name}/{l}" for l in leases(name)]
        subprocess.run(["rm", "-rf", os.path.join(IPAM_DIR, name)])
    left += e.cleanup()
    assert not left, f"left behind: {left}"
