# SPDX-License-Identifier: LGPL-2.1-or-later
"""berth ps --filter (status, name, id, label, exited, ancestor; one key's values are
alternatives, keys combine), the container group (ls, prune) and system prune."""
from engine_env import IMAGE


def names(berth, *args):
    r = berth("ps", "--format", "{{.Names}}", *args, check=True)
    return sorted(r.out.split())


def test_filters(berth):
    berth("run", "-d", "--name", "web1", "--label", "tier=front", "--label", "app=shop", IMAGE,
          "sleep", "1000", check=True)
    berth("run", "--name", "job3", "--label", "tier=back", IMAGE, "sh", "-c", "exit 3")
    berth("run", "--name", "job0", IMAGE, "true", check=True)
    berth("create", "--name", "fresh", IMAGE, "true", check=True)
    assert names(berth, "-f", "status=running") == ["web1"]
    # a status filter looks at every container, as docker's does
    assert names(berth, "--filter", "status=exited") == ["job0", "job3"]
    assert names(berth, "-f", "status=created") == ["fresh"]
    assert names(berth, "-f", "status=exited", "-f", "status=created") == ["fresh", "job0",
                                                                          "job3"]
    assert names(berth, "-f", "status=paused") == []
    assert names(berth, "-a", "-f", "name=job") == ["job0", "job3"]
    assert names(berth, "-f", "name=job") == []  # not running, no -a
    assert names(berth, "-a", "-f", "name=web", "-f", "name=fre") == ["fresh", "web1"]
    assert names(berth, "-a", "-f", "exited=3") == ["job3"]
    assert names(berth, "-a", "-f", "exited=0") == ["job0"]
    assert names(berth, "-a", "-f", "label=tier") == ["job3", "web1"]
    assert names(berth, "-a", "-f", "label=tier=front") == ["web1"]
    assert names(berth, "-a", "-f", "label=tier=front", "-f", "label=app=shop") == ["web1"]
    assert names(berth, "-a", "-f", "label=tier", "-f", "status=exited") == ["job3"]
    assert names(berth, "-a", "-f", "label=nope") == []
    cid = berth("inspect", "-f", "{{.Id}}", "job3", check=True).out.strip()
    assert names(berth, "-a", "-f", f"id={cid[:6]}") == ["job3"]
    img = berth("inspect", "-f", "{{.Id}}", IMAGE, check=True).out.strip()
    assert names(berth, "-a", "-f", f"ancestor={IMAGE}") == ["fresh", "job0", "job3", "web1"]
    assert names(berth, "-a", "-f", "ancestor=localhost/busybox") == ["fresh", "job0", "job3",
                                                                      "web1"]
    assert names(berth, "-a", "-f", f"ancestor={img}") == ["fresh", "job0", "job3", "web1"]
    assert names(berth, "-a", "-f", f"ancestor={img[7:19]}") == ["fresh", "job0", "job3",
                                                                 "web1"]
    assert names(berth, "-a", "-f", "ancestor=localhost/other:1") == []
    # -q with a filter, and -n after the filter
    r = berth("ps", "-aq", "--no-trunc", "-f", "name=job3", check=True)
    assert r.out == cid + "\n"
    assert len(names(berth, "-n", "1", "-f", "name=job")) == 1
    for bad in ("status=sleeping", "bogus=1", "exited=x", "nokey"):
        r = berth("ps", "-f", bad)
        assert r.rc != 0 and "--filter" in r.err, (bad, r)


def test_container_group_and_prune(berth):
    berth("run", "-d", "--name", "keep", IMAGE, "sleep", "1000", check=True)
    a = berth("run", "--name", "gone1", IMAGE, "true", check=True)
    berth("create", "--name", "gone2", IMAGE, "true", check=True)
    ids = sorted(berth("ps", "-aq", "--no-trunc", "-f", "name=gone", check=True).out.split())
    assert len(ids) == 2
    assert berth("container", "ls", "--format", "{{.Names}}", check=True).out == "keep\n"
    assert sorted(berth("container", "ps", "-a", "--format", "{{.Names}}").out.split()) == [
        "gone1", "gone2", "keep"]
    # without -f it asks, and no is no
    r = berth("container", "prune", input="n\n")
    assert r.rc == 0 and "Are you sure" in r.out and "Deleted" not in r.out, r
    assert len(berth.ids()) == 3
    r = berth("container", "prune", "-f", check=True)
    assert r.out.startswith("Deleted Containers:\n"), r
    assert sorted(r.out.split("\n\n")[0].split("\n")[1:]) == ids
    assert "Total reclaimed space: " in r.out
    assert berth("ps", "-a", "--format", "{{.Names}}").out == "keep\n"
    r = berth("container", "prune", "-f", check=True)
    assert r.out == "Total reclaimed space: 0B\n", r
    # the other verbs of the group
    berth("container", "stop", "-t", "0", "keep", check=True)
    assert berth("container", "inspect", "-f", "{{.State.Status}}", "keep").out == "exited\n"
    berth("container", "rm", "keep", check=True)
    assert berth.ids() == []
    r = berth("container", "frobnicate")
    assert r.rc != 0 and "frobnicate" in r.err


def test_system_prune_removes_stopped_containers(berth):
    berth("run", "-d", "--name", "keep", IMAGE, "sleep", "1000", check=True)
    berth("run", "--name", "old", IMAGE, "true", check=True)
    old = berth("inspect", "-f", "{{.Id}}", "old", check=True).out.strip()
    r = berth("system", "prune", input="y\n", check=True)
    assert "Deleted Containers:\n" + old + "\n" in r.out, r
    assert "Total reclaimed space:" in r.out
    assert berth("ps", "-a", "--format", "{{.Names}}").out == "keep\n"
    # the running container's image stays
    assert berth("inspect", "--type", "image", "-f", "{{.Os}}", IMAGE).rc == 0
    berth("run", "--name", "old2", IMAGE, "true", check=True)
    r = berth("system", "prune", "-f", check=True)
    assert "Deleted Containers:" in r.out and "Are you sure" not in r.out
    assert berth("ps", "-a", "--format", "{{.Names}}").out == "keep\n"
