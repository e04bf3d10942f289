# SPDX-License-Identifier: LGPL-2.1-or-later
"""Networking leaves nothing behind: many `run --rm -p` cycles, and a `berth run` killed between
the CNI ADD and the start (repaired by the next command). Counted: veths, iptables rules that
name a container, IPAM leases, netns files and CNI cache entries."""
import json
import os
import signal
import subprocess
import threading
import time
import uuid

from net_env import (DEFAULT_NETWORK, cni_rules, free_port, free_subnet, leases, sh, veths)
from engine_env import IMAGE

CYCLES = int(os.environ.get("BERTH_TEST_CYCLES", "500"))
WORKERS = 4


def per_container_rules():
    return [l for l in cni_rules() if "id:" in l or ":CNI-DN-" in l or
            (l.startswith(":CNI-") and
             not any(k in l for k in ("HOSTPORT", "FORWARD", "ADMIN")))]


def berth_static_rules():
    """The networks' static rules (made once per network, never per container)."""
    out = sh("iptables-save") + sh("ip6tables-save")
    return [l for l in out.splitlines() if "BERTH-" in l]


def counts(berth, network):
    return {
        "veths": len(veths()),
        "rules": len(per_container_rules()),
        "static rules": len(berth_static_rules()),
        "leases": len(leases(network)),
        "netns files": len(berth.netns_files()),
        "cni cache": len(berth.cache_files()),
        "containers": len(berth.ids()),
    }


def test_many_run_rm_publish_cycles_leak_nothing(berth):
    berth("run", "--rm", "-p", f"{free_port()}:80", IMAGE, "true", check=True)
    before = counts(berth, DEFAULT_NETWORK)
    errors = []
    ports = [free_port() for _ in range(WORKERS)]

    def loop(w):
        for i in range(w, CYCLES, WORKERS):
            r = berth("run", "--rm", "-p", f"{ports[w]}:80", "-p", "53/udp", IMAGE, "true")
            if r.rc != 0:
                errors.append((i, r))
                return

    start = time.monotonic()
    threads = [threading.Thread(target=loop, args=(w,)) for w in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - start
    assert not errors, errors[:3]
    assert counts(berth, DEFAULT_NETWORK) == before
    print(f"{CYCLES} run --rm -p cycles, {WORKERS} at once: {took:.1f} s")


LAST = "portmap"  # the last plugin of a network's list (run: the container publishes a port)
SLOW_LAST = """#!/bin/sh
# The last plugin of the list: its ADD is done, then it sleeps before it answers, so the berth
# that called it is killed between the ADD and the start.
if [ "$CNI_COMMAND" = ADD ]; then
        /usr/lib/cni/{plugin} > {out}
        code=$?
        echo $$ > {marker}
        [ $code = 0 ] && cat {out}
        exec sleep 60
fi
exec /usr/lib/cni/{plugin}
"""


def test_killed_run_between_add_and_start_is_repaired(berth, tmp_path):
    net = "bt-" + uuid.uuid4().hex[:8]
    berth.network(net, "--subnet", free_subnet())
    plugins = tmp_path / "cni"
    plugins.mkdir()
    for p in os.listdir("/usr/lib/cni"):
        if p != LAST:
            os.symlink(os.path.join("/usr/lib/cni", p), plugins / p)
    marker = tmp_path / "marker"
    with open(os.path.join(berth.root, "networks", net + ".conflist")) as f:
        assert json.load(f)["plugins"][-1]["type"] == LAST
    script = plugins / LAST
    script.write_text(SLOW_LAST.format(plugin=LAST, out=tmp_path / "last.out", marker=marker))
    script.chmod(0o755)
    before = counts(berth, net)
    port = free_port()
    env = dict(berth.env, BERTH_CNI_PATH=str(plugins))
    p = berth.popen("run", "--rm", "--name", "victim", "--network", net, "-p", f"{port}:80",
                    IMAGE, "sleep", "300", env=env, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while not (marker.exists() and marker.read_text().strip()) and time.time() < deadline:
        time.sleep(0.02)
    assert marker.exists(), "the ADD never reached the last plugin"
    p.kill()
    p.wait()
    os.kill(int(marker.read_text()), signal.SIGKILL)
    # what the killed run left: the interface, its lease, its namespace, its port rules
    during = counts(berth, net)
    assert during["leases"] == before["leases"] + 1, during
    assert during["netns files"] == before["netns files"] + 1, during
    assert during["veths"] == before["veths"] + 1, during
    assert during["rules"] > before["rules"], during
    # the next command repairs it
    r = berth("ps", "-a", "--format", "{{.Names}}", check=True)
    assert "victim" not in r.out
    after = counts(berth, net)
    assert after == before, (before, after)
    # and the name is free again
    berth("run", "--rm", "--name", "victim", "--network", net, IMAGE, "true", check=True)


def test_run_killed_at_any_point_of_its_network_setup_is_repaired(berth):
    """berth run -d -p killed with SIGKILL at points through the plugins' ADD (bridge and
    portmap take some 100 ms each): a plugin dies with it, and the next command's DEL, given
    the result cached so far, removes what each had set up."""
    berth("run", "--rm", "-p", f"{free_port()}:80", IMAGE, "true", check=True)
    before = counts(berth, DEFAULT_NETWORK)
    port = free_port()
    for delay in (0.01, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.8):
        p = berth.popen("run", "-d", "-p", f"{port}:80", IMAGE, "sleep", "100",
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        r = berth("ps", "-a", "-q", "--no-trunc")
        assert r.rc == 0, r
        for cid in r.out.split():
            rm = berth("rm", "-f", cid)
            assert rm.rc == 0, (delay, rm)
        assert counts(berth, DEFAULT_NETWORK) == before, delay


def test_start_after_the_namespace_went_with_run_makes_it_again(berth):
    """A reboot empties /run and the firewall: the held namespace and the container's rules are
    gone while the rows, the CNI cache and host-local's lease (in /var/lib) say the container is
    attached. start makes the namespace again, frees the old lease by the cached result and adds
    the interface again."""
    from net_env import forget_rules, http_get
    berth("run", "--rm", IMAGE, "true", check=True)
    before = counts(berth, DEFAULT_NETWORK)
    port = free_port()
    berth("run", "-d", "--name", "rb", "-p", f"{port}:80", IMAGE, "sh", "-c",
          "mkdir -p /www && echo rb > /www/index.html && exec httpd -f -p 80 -h /www",
          check=True)
    assert http_get(f"http://127.0.0.1:{port}/") == "rb\n"
    berth("kill", "rb", check=True)
    berth.wait_for(lambda: "Exited" in berth("ps", "-a", "--format", "{{.Status}}").out,
                   what="rb to exit")
    [ns] = berth.netns_files()
    ip = berth.ip_of("rb")
    path = os.path.join(berth.run_dir, "netns", ns)
    subprocess.run(["umount", path], check=True)
    os.unlink(path)
    forget_rules(ns, f"{ip}/32")
    berth("start", "rb", check=True)
    assert http_get(f"http://127.0.0.1:{port}/") == "rb\n"
    during = counts(berth, DEFAULT_NETWORK)
    assert during["leases"] == before["leases"] + 1, during
    berth("rm", "-f", "rb", check=True)
    assert counts(berth, DEFAULT_NETWORK) == before
