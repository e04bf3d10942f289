# SPDX-License-Identifier: LGPL-2.1-or-later
"""berth's networks: the default bridge with published ports, user networks with names and
aliases, --internal, -P, the network verbs, and clear errors for bad input."""
import hashlib
import io
import os
import json
import random
import tarfile
import uuid

from net_env import DEFAULT_GATEWAY, free_port, free_subnet, http_get
from engine_env import IMAGE
from runtime_env import BUSYBOX

HTTPD = "mkdir -p /www && echo hello-$HOSTNAME > /www/index.html && exec httpd -f -p 80 -h /www"


def netname():
    return "bt-" + uuid.uuid4().hex[:8]


def test_two_containers_reach_each_other_by_name_and_alias(berth):
    net = netname()
    berth.network(net, "--subnet", free_subnet())
    berth("run", "-d", "--name", "web", "--network", net, "--network-alias", "www", IMAGE,
          "sleep", "300", check=True)
    r = berth("run", "--rm", "--name", "client", "--network", net, IMAGE, "sh", "-c",
              "ping -c1 -W3 web && ping -c1 -W3 www")
    assert r.rc == 0, r
    web_ip = berth.ip_of("web", net)
    assert f"from {web_ip}" in r.out
    # the hosts files are kept current: the one already running learns of a new one
    berth("run", "-d", "--name", "late", "--network", net, IMAGE, "sleep", "300", check=True)
    r = berth("exec", "web", "ping", "-c1", "-W3", "late")
    assert r.rc == 0, r
    assert f"from {berth.ip_of('late', net)}" in r.out
    berth("rm", "-f", "late", check=True)
    r = berth("exec", "web", "cat", "/etc/hosts", check=True)
    assert "late" not in r.out and "www" in r.out
    # the default network resolves no names, as docker's bridge
    r = berth("run", "--rm", IMAGE, "sh", "-c", "ping -c1 -W1 web")
    assert r.rc != 0


def test_published_port_from_loopback_and_bridge(berth):
    port = free_port()
    r = berth("run", "-d", "--name", "httpd", "-p", f"{port}:80", IMAGE, "sh", "-c", HTTPD,
              check=True)
    cid = r.out.strip()
    assert http_get(f"http://127.0.0.1:{port}/").startswith("hello-")
    assert http_get(f"http://{DEFAULT_GATEWAY}:{port}/").startswith("hello-")
    assert berth("port", "httpd", check=True).out == f"80/tcp -> 0.0.0.0:{port}\n"
    assert berth("port", "httpd", "80", check=True).out == f"0.0.0.0:{port}\n"
    r = berth("ps", "--format", "{{.Ports}} {{.Networks}}", check=True)
    assert r.out == f"0.0.0.0:{port}->80/tcp berth\n"
    doc = json.loads(berth("inspect", cid, check=True).out)[0]
    ns = doc["NetworkSettings"]
    assert ns["Ports"] == {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": str(port)}]}
    assert ns["IPAddress"].startswith("10.85.") and ns["Gateway"] == DEFAULT_GATEWAY
    assert ns["Networks"]["berth"]["IPAddress"] == ns["IPAddress"]
    assert ns["SandboxKey"].endswith("/netns/" + cid)
    assert doc["HostConfig"]["NetworkMode"] == "bridge"
    assert doc["HostConfig"]["PortBindings"] == {"80/tcp": [{"HostIp": "", "HostPort": str(port)}]}
    # from another container, through the host's published port
    r = berth("run", "--rm", IMAGE, "wget", "-q", "-O", "-", f"http://{DEFAULT_GATEWAY}:{port}/")
    assert r.rc == 0 and r.out.startswith("hello-"), r
    # a second container cannot take the same host port
    r = berth("run", "--rm", "-p", f"{port}:80", IMAGE, "true")
    assert r.rc == 125 and "is published by container `httpd`" in r.err, r


def test_published_port_on_an_address_a_range_and_udp(berth):
    net = netname()
    berth.network(net, "--subnet", free_subnet())
    p1, p2 = free_port(), free_port()
    r = berth("run", "-d", "--name", "h", "--network", net, "-p", f"127.0.0.1:{p1}:80",
              "-p", "5353/udp", IMAGE, "sh", "-c", HTTPD, check=True)
    assert http_get(f"http://127.0.0.1:{p1}/").startswith("hello-")
    lines = berth("port", "h", check=True).out.splitlines()
    assert f"80/tcp -> 127.0.0.1:{p1}" in lines
    udp = [l for l in lines if l.startswith("5353/udp -> 0.0.0.0:")]
    assert len(udp) == 1 and int(udp[0].rsplit(":", 1)[1]) > 0
    berth("rm", "-f", "h", check=True)
    lo = p2 if p2 < 65000 else 40000
    r = berth("create", "--name", "rng", "-p", f"{lo}-{lo + 2}:8000-8002", IMAGE, "true",
              check=True)
    out = berth("port", "rng", check=True).out.splitlines()
    assert out == [f"{8000 + i}/tcp -> 0.0.0.0:{lo + i}" for i in range(3)]


def test_internal_network_has_no_route_out_of_its_subnet(berth):
    net = netname()
    subnet = free_subnet()
    berth.network(net, "--internal", "--subnet", subnet)
    r = berth("run", "--rm", "--network", net, IMAGE, "sh", "-c",
              "ip route; echo ---; ip route get 10.85.0.1; echo rc=$?")
    assert r.rc == 0, r
    table, _, rest = r.out.partition("---")
    assert [l.split()[0] for l in table.strip().splitlines()] == [subnet], table
    assert "rc=0" not in rest and "unreachable" in r.err.lower(), r
    doc = json.loads(berth("network", "inspect", net, check=True).out)[0]
    assert doc["Internal"] is True
    r = berth("run", "--rm", "--network", net, "-p", "80", IMAGE, "true")
    assert r.rc == 125 and f"network `{net}` is internal" in r.err, r
    # two containers on it still reach each other
    berth("run", "-d", "--name", "a", "--network", net, IMAGE, "sleep", "300", check=True)
    r = berth("run", "--rm", "--network", net, IMAGE, "ping", "-c1", "-W3", "a")
    assert r.rc == 0, r


def load_image_exposing(berth, tmp_path, name, exposed):
    """A docker-save archive of busybox whose config EXPOSEs ports."""
    def add(t, path, kind=tarfile.REGTYPE, data=b"", mode=0o644, linkname=""):
        ti = tarfile.TarInfo(path)
        ti.type, ti.mode, ti.linkname, ti.size = kind, mode, linkname, len(data)
        t.addfile(ti, io.BytesIO(data) if data else None)
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as t:
        add(t, "bin", tarfile.DIRTYPE, mode=0o755)
        with open(BUSYBOX, "rb") as f:
            add(t, "bin/busybox", data=f.read(), mode=0o755)
        for tool in ("sh", "true", "sleep"):
            add(t, f"bin/{tool}", tarfile.SYMTYPE, linkname="busybox", mode=0o777)
    layer = layer.getvalue()
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Cmd": ["sh"], "Env": ["PATH=/bin"], "ExposedPorts": {p: {} for p in exposed}},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]},
    }).encode()
    cfg = hashlib.sha256(config).hexdigest() + ".json"
    archive = tmp_path / "image.tar"
    with tarfile.open(archive, "w") as t:
        add(t, "layer.tar", data=layer)
        add(t, cfg, data=config)
        add(t, "manifest.json", data=json.dumps(
            [{"Config": cfg, "RepoTags": [name], "Layers": ["layer.tar"]}]).encode())
    berth("load", "-i", str(archive), check=True)


def test_publish_all_maps_every_expose(berth, tmp_path):
    exposed = ["80/tcp", "443/tcp", "53/udp", "8080/tcp"]
    load_image_exposing(berth, tmp_path, "localhost/exposer:1", exposed)
    berth("create", "--name", "x", "-P", "localhost/exposer:1", "true", check=True)
    ports = json.loads(berth("inspect", "-f", "{{json .NetworkSettings.Ports}}", "x",
                             check=True).out)
    assert sorted(ports) == sorted(exposed)
    hostports = [int(b[0]["HostPort"]) for b in ports.values()]
    assert all(p > 0 for p in hostports) and len(set(hostports)) == len(hostports)
    # -p for one of them wins over -P's choice
    fixed = free_port()
    berth("create", "--name", "y", "-P", "-p", f"{fixed}:80", "localhost/exposer:1", "true",
          check=True)
    out = berth("port", "y", "80/tcp", check=True).out
    assert out == f"0.0.0.0:{fixed}\n"
    assert len(berth("port", "y", check=True).out.splitlines()) == len(exposed)


def test_network_rm_of_a_network_in_use_is_refused(berth):
    net = netname()
    berth.network(net, "--subnet", free_subnet())
    berth("create", "--name", "user1", "--network", net, IMAGE, "true", check=True)
    r = berth("network", "rm", net)
    assert r.rc != 0
    assert f"network `{net}` is in use by container user1" in r.err, r
    assert net in berth("network", "ls", check=True).out
    r = berth("network", "prune", "-f", check=True)
    assert net not in r.out
    berth("rm", "user1", check=True)
    assert berth("network", "rm", net, check=True).out.strip() == net
    assert net not in berth("network", "ls", check=True).out
    r = berth("network", "rm", "berth")
    assert r.rc != 0 and "pre-defined" in r.err


def test_bad_input_is_named(berth):
    net = netname()
    subnet = free_subnet()
    berth.network(net, "--subnet", subnet)
    cases = [
        (["run", "--rm", "-p", "80:", IMAGE, "true"], "-p `80:`: container port"),
        (["run", "--rm", "-p", "1.2.3:80:80", IMAGE, "true"], "`1.2.3` is no IP address"),
        (["run", "--rm", "-p", "70000:80", IMAGE, "true"], "host port `70000`"),
        (["run", "--rm", "-p", "80/sctp", IMAGE, "true"], "protocol `sctp`"),
        (["run", "--rm", "-p", "8000-8002:80-81", IMAGE, "true"], "differ in size"),
        (["run", "--rm", "--network", "nosuchnet", IMAGE, "true"], "network `nosuchnet` not found"),
        (["run", "--rm", "--network", net, "--ip", "192.0.2.77", IMAGE, "true"],
         "--ip `192.0.2.77` is in no subnet"),
        (["run", "--rm", "--mac-address", "zz", IMAGE, "true"], "--mac-address `zz`"),
        (["run", "--rm", "--network", "none", "-p", "80", IMAGE, "true"], "-p and -P need"),
        (["network", "create", "--subnet", subnet, "other"], f"subnet `{subnet}` overlaps network"),
        (["network", "create", "--subnet", "10.85.3.0/24", "other"], "overlaps network `berth`"),
        (["network", "create", "--subnet", "10.1.2.3/16", "other"], "host bits are set"),
        (["network", "create", "--subnet", "10.77.0.0/24", "--gateway", "10.78.0.1", "other"],
         "gateway `10.78.0.1` is no host address"),
        (["network", "create", net], "already exists"),
        (["network", "create", "bad/name"], "invalid network name"),
    ]
    berth("network", "inspect", "berth", check=True)  # the default network exists
    for args, msg in cases:
        r = berth(*args)
        assert r.rc != 0 and msg in r.err, (args, r)
    assert berth.ids() == []
    assert berth.netns_files() == []


def test_ip_mac_dns_add_host_and_container_mode(berth):
    net = netname()
    subnet = free_subnet()
    berth.network(net, "--subnet", subnet, "--label", "purpose=test")
    ip = subnet.replace("0/24", "77")
    berth("run", "-d", "--name", "fixed", "--network", net, "--ip", ip,
          "--mac-address", "02:42:0a:59:00:77", "--add-host", "db.example:192.0.2.10",
          "--dns", "192.0.2.53", "--dns-search", "example.test", "--dns-option", "ndots:2",
          IMAGE, "sleep", "300", check=True)
    r = berth("exec", "fixed", "ip", "addr", "show", "eth0", check=True)
    assert f"inet {ip}/24" in r.out and "02:42:0a:59:00:77" in r.out
    hosts = berth("exec", "fixed", "cat", "/etc/hosts", check=True).out
    assert "192.0.2.10\tdb.example" in hosts and f"{ip}\t" in hosts
    resolv = berth("exec", "fixed", "cat", "/etc/resolv.conf", check=True).out
    assert "nameserver 192.0.2.53" in resolv and "search example.test" in resolv
    assert "options ndots:2" in resolv
    assert not any(l.startswith("nameserver 127.") for l in resolv.splitlines())
    # container:NAME shares its namespace
    r = berth("run", "--rm", "--network", "container:fixed", IMAGE, "ip", "addr", "show", "eth0")
    assert r.rc == 0 and f"inet {ip}/24" in r.out, r
    doc = json.loads(berth("network", "inspect", net, check=True).out)[0]
    assert doc["Labels"] == {"purpose": "test"}
    assert [c["Name"] for c in doc["Containers"].values()] == ["fixed"]


def test_connect_and_disconnect_add_and_remove_an_interface(berth):
    a, b = netname(), netname()
    berth.network(a, "--subnet", free_subnet())
    berth.network(b, "--subnet", free_subnet())
    berth("run", "-d", "--name", "c1", "--network", a, IMAGE, "sleep", "300", check=True)
    berth("run", "-d", "--name", "c2", "--network", b, IMAGE, "sleep", "300", check=True)
    assert berth("exec", "c1", "ping", "-c1", "-W1", "c2").rc != 0
    berth("network", "connect", "--alias", "second", b, "c1", check=True)
    r = berth("exec", "c1", "ip", "addr", "show", "eth1", check=True)
    assert f"inet {berth.ip_of('c1', b)}/24" in r.out
    assert berth("exec", "c1", "ping", "-c1", "-W3", "c2").rc == 0
    assert berth("exec", "c2", "ping", "-c1", "-W3", "second").rc == 0
    nets = json.loads(berth("inspect", "-f", "{{json .NetworkSettings.Networks}}", "c1",
                            check=True).out)
    assert sorted(nets) == sorted([a, b])
    berth("network", "disconnect", b, "c1", check=True)
    assert berth("exec", "c1", "ip", "link", "show", "eth1").rc != 0
    assert "second" not in berth("exec", "c2", "cat", "/etc/hosts", check=True).out
    r = berth("network", "disconnect", b, "c1")
    assert r.rc != 0 and "is not connected" in r.err


def test_ipv6_subnet(berth):
    net = netname()
    v4 = free_subnet()
    v6 = "fd00:%x::/64" % random.randrange(0x1000, 0x10000)
    berth.network(net, "--ipv6", "--subnet", v4, "--subnet", v6)
    berth("run", "-d", "--name", "six", "--network", net, IMAGE, "sleep", "300", check=True)
    doc = json.loads(berth("inspect", "six", check=True).out)[0]
    addr6 = doc["NetworkSettings"]["Networks"][net]["GlobalIPv6Address"]
    assert addr6.startswith(v6.split("::")[0] + "::"), doc["NetworkSettings"]
    r = berth("run", "--rm", "--network", net, IMAGE, "ping", "-6", "-c1", "-W3", addr6)
    assert r.rc == 0, r


def test_stop_releases_the_network_and_start_takes_it_again(berth):
    from net_env import leases, veths
    net = netname()
    subnet = free_subnet()
    berth.network(net, "--subnet", subnet)
    ip = subnet.replace("0/24", "9")
    port = free_port()
    berth("run", "-d", "--name", "s", "--network", net, "--ip", ip, "-p", f"{port}:80", IMAGE,
          "sh", "-c", HTTPD, check=True)
    berth("run", "-d", "--name", "peer", "--network", net, IMAGE, "sleep", "300", check=True)
    assert http_get(f"http://127.0.0.1:{port}/").startswith("hello-")
    held = veths()
    assert len(leases(net)) == 2
    berth("stop", "-t", "1", "s", check=True)
    assert len(leases(net)) == 1
    assert len(held - veths()) == 1
    assert berth.ip_of("s") == ""
    doc = json.loads(berth("inspect", "s", check=True).out)[0]
    assert doc["NetworkSettings"]["Ports"] == {}
    assert doc["HostConfig"]["PortBindings"] == {"80/tcp": [{"HostIp": "", "HostPort": str(port)}]}
    assert "\ts" not in berth("exec", "peer", "cat", "/etc/hosts", check=True).out
    berth("start", "s", check=True)
    assert berth.ip_of("s") == ip
    assert http_get(f"http://127.0.0.1:{port}/").startswith("hello-")
    assert berth("exec", "peer", "ping", "-c1", "-W3", "s").rc == 0


def test_static_rules_per_network_and_none_per_container(berth):
    """Masquerade and forwarding are rules of the network, made once (at create, or the default
    network's at first use) and removed with it; a container without -p adds no iptables rule,
    and one with -p only portmap's DNAT. A network whose rules went (a reboot, a flush) has them
    made again at its first use after it."""
    from net_env import berth_chains, berth_rules, cni_rules, sh
    berth("run", "--rm", IMAGE, "true", check=True)
    rules = berth_rules("berth0")
    assert "-A BERTH-N-berth0 -s 10.85.0.0/16 ! -d 224.0.0.0/4 ! -o berth0 -j MASQUERADE" \
        in rules, rules
    assert "-A BERTH-F-berth0 -i berth0 -j ACCEPT" in rules, rules
    save = sh("iptables-save")
    assert "-A FORWARD -j BERTH-FORWARD" in save and "-A BERTH-FORWARD -j BERTH-F-berth0" in save
    assert "-A POSTROUTING -j BERTH-POSTROUTING" in save
    assert "-A BERTH-POSTROUTING -j BERTH-N-berth0" in save
    before = cni_rules()
    cid = berth("run", "-d", "--name", "quiet", IMAGE, "sleep", "300", check=True).out.strip()
    ip = berth.ip_of("quiet")
    save = sh("iptables-save") + sh("ip6tables-save")
    mine = [l for l in save.splitlines() if cid in l or cid[:12] in l or f"{ip}/" in l or
            l.endswith(f" {ip}") or f" {ip} " in l]
    assert mine == [] and cni_rules() == before, mine
    assert berth_rules("berth0") == rules
    berth("rm", "-f", "quiet", check=True)

    # a user network: its chains from create on, its own subnet and bridge
    net = netname()
    subnet = free_subnet()
    berth.network(net, "--subnet", subnet)
    bridge = berth.networks[net]
    assert f"-A BERTH-N-{bridge} -s {subnet} ! -d 224.0.0.0/4 ! -o {bridge} -j MASQUERADE" \
        in berth_rules(bridge)
    # gone (a reboot empties the firewall, and the mark of this boot goes with /proc's boot id;
    # here both by hand): the first use makes them again
    for tool, table, chain in berth_chains(bridge):
        hook = "BERTH-FORWARD" if table == "filter" else "BERTH-POSTROUTING"
        sh(tool, "-t", table, "-D", hook, "-j", chain)
        sh(tool, "-t", table, "-F", chain)
        sh(tool, "-t", table, "-X", chain)
    assert berth_chains(bridge) == []
    os.unlink(os.path.join(berth.root, "networks", net + ".firewall"))
    port = free_port()
    berth("run", "-d", "--name", "web", "--network", net, "-p", f"{port}:80", IMAGE, "sh",
          "-c", HTTPD, check=True)
    assert len(berth_chains(bridge)) == 2
    # published: from 127.0.0.1, and from the container itself through the host (hairpin)
    assert http_get(f"http://127.0.0.1:{port}/").startswith("hello-")
    gw = subnet.replace("0/24", "1")
    r = berth("exec", "web", "wget", "-q", "-O", "-", f"http://{gw}:{port}/")
    assert r.rc == 0 and r.out.startswith("hello-"), r
    berth("rm", "-f", "web", check=True)
    berth("network", "rm", net, check=True)
    assert berth_chains(bridge) == [] and berth_rules(bridge) == []
    assert "BERTH-F-berth0" in sh("iptables-save")  # the other network's stay

    # internal: within the bridge only, no masquerade
    inet = netname()
    berth.network(inet, "--internal", "--subnet", free_subnet())
    ib = berth.networks[inet]
    assert berth_rules(ib) == [f"-A BERTH-F-{ib} -i {ib} -o {ib} -j ACCEPT",
                               f"-A BERTH-F-{ib} -i {ib} -j DROP",
                               f"-A BERTH-F-{ib} -o {ib} -j DROP"]
