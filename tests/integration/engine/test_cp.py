# SPDX-License-Identifier: LGPL-2.1-or-later
"""berth cp: files and directories both ways with docker's destination rules, tar streams with
`-`, -a and -L, a stopped container, errors naming the path, and links in the container that
point out of it staying inside its rootfs."""
import io
import os
import subprocess
import tarfile
import uuid

from engine_env import BERTH, IMAGE


def raw(berth, *args, input=None):
    return subprocess.run([BERTH, *args], input=input, capture_output=True, env=berth.env,
                          timeout=60)


def box(berth):
    berth("run", "-d", "--name", "box", IMAGE, "sleep", "2000", check=True)
    return "box"


def cat(berth, path):
    return berth("exec", "box", "cat", path, check=True).out


def test_file_round_trip(berth, tmp_path):
    box(berth)
    (tmp_path / "f").write_text("hello\n")
    berth("cp", str(tmp_path / "f"), "box:/tmp/", check=True)        # into a directory
    berth("cp", str(tmp_path / "f"), "box:/tmp/renamed", check=True)  # a new name
    assert cat(berth, "/tmp/f") == "hello\n" and cat(berth, "/tmp/renamed") == "hello\n"
    (tmp_path / "f").write_text("second\n")
    berth("cp", str(tmp_path / "f"), "box:/tmp/renamed", check=True)  # an existing file
    assert cat(berth, "/tmp/renamed") == "second\n"
    out = tmp_path / "out"
    out.mkdir()
    berth("cp", "box:/tmp/renamed", str(out), check=True)
    berth("cp", "box:/tmp/renamed", str(out / "other"), check=True)
    assert (out / "renamed").read_text() == "second\n"
    assert (out / "other").read_text() == "second\n"
    r = berth("cp", str(tmp_path / "f"), "box:/no-such-dir/")
    assert r.rc != 0 and "/no-such-dir/" in r.err, r


def test_directory_round_trip(berth, tmp_path):
    box(berth)
    src = tmp_path / "d"
    (src / "sub").mkdir(parents=True)
    (src / "sub" / "x").write_text("x\n")
    (src / "top").write_text("top\n")
    (src / ".wh.top").write_text("not a whiteout\n")  # a copy is no layer
    os.symlink("sub/x", src / "link")
    berth("cp", str(src), "box:/tmp", check=True)            # /tmp exists: /tmp/d
    berth("cp", str(src), "box:/newdir", check=True)         # new: its contents as /newdir
    berth("cp", str(src) + "/.", "box:/tmp", check=True)     # /.: the contents into /tmp
    listing = berth("exec", "box", "sh", "-c",
                    "cat /tmp/d/sub/x /newdir/top /tmp/top /tmp/d/.wh.top; readlink /tmp/d/link",
                    check=True).out
    assert listing == "x\ntop\ntop\nnot a whiteout\nsub/x\n", listing
    back = tmp_path / "back"
    berth("cp", "box:/tmp/d", str(back), check=True)
    assert (back / "sub" / "x").read_text() == "x\n"
    assert os.readlink(back / "link") == "sub/x"
    r = berth("cp", "box:/tmp/d", str(back / "top"))
    assert r.rc != 0 and "directory" in r.err, r


def test_tar_streams(berth, tmp_path):
    box(berth)
    berth("exec", "box", "sh", "-c", "mkdir -p /data/in && echo one > /data/in/a", check=True)
    r = raw(berth, "cp", "box:/data", "-")
    assert r.returncode == 0, r
    with tarfile.open(fileobj=io.BytesIO(r.stdout)) as t:
        names = sorted(t.getnames())
        assert names == ["data", "data/in", "data/in/a"], names
        assert t.extractfile("data/in/a").read() == b"one\n"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        info = tarfile.TarInfo("from-tar/b")
        info.size = 4
        info.uid, info.gid = 321, 654
        t.addfile(info, io.BytesIO(b"two\n"))
    r = raw(berth, "cp", "-a", "-", "box:/data", input=buf.getvalue())
    assert r.returncode == 0, r
    out = berth("exec", "box", "sh", "-c", "cat /data/from-tar/b; stat -c %u:%g /data/from-tar/b",
                check=True).out
    assert out == "two\n321:654\n", out
    r = raw(berth, "cp", "-", "box:/data/in/a", input=buf.getvalue())
    assert r.returncode != 0 and b"/data/in/a" in r.stderr, r


def test_archive_keeps_owners(berth, tmp_path):
    box(berth)
    f = tmp_path / "owned"
    f.write_text("o\n")
    os.chown(f, 1234, 5678)
    berth("cp", str(f), "box:/tmp/plain", check=True)
    berth("cp", "-a", str(f), "box:/tmp/kept", check=True)
    out = berth("exec", "box", "stat", "-c", "%u:%g", "/tmp/plain", "/tmp/kept", check=True).out
    assert out == "0:0\n1234:5678\n", out


def test_links_stay_in_the_rootfs(berth, tmp_path):
    box(berth)
    mark = f"berth-cp-{uuid.uuid4().hex[:8]}"
    berth("exec", "box", "sh", "-c",
          "echo CONTAINER-SECRET > /etc/shadow; ln -s /etc/shadow /tmp/abs; "
          "ln -s ../../../../../../../etc/shadow /tmp/rel; ln -s / /tmp/up", check=True)
    for link in ("abs", "rel"):
        dest = tmp_path / link
        berth("cp", "-L", f"box:/tmp/{link}", str(dest), check=True)
        assert dest.read_text() == "CONTAINER-SECRET\n", link
    # without -L the link itself is copied
    berth("cp", "box:/tmp/abs", str(tmp_path / "nofollow"), check=True)
    assert os.readlink(tmp_path / "nofollow") == "/etc/shadow"
    # a link on the way is followed inside the rootfs, both ways
    berth("cp", "box:/tmp/up/etc/shadow", str(tmp_path / "via"), check=True)
    assert (tmp_path / "via").read_text() == "CONTAINER-SECRET\n"
    (tmp_path / "payload").write_text("payload\n")
    berth("cp", str(tmp_path / "payload"), f"box:/tmp/up/tmp/{mark}", check=True)
    assert not os.path.exists(f"/tmp/{mark}")
    assert cat(berth, f"/tmp/{mark}") == "payload\n"


def test_stopped_container(berth, tmp_path):
    berth("create", "--name", "later", IMAGE, "cat", "/greeting", check=True)
    (tmp_path / "greeting").write_text("hi from the host\n")
    berth("cp", str(tmp_path / "greeting"), "later:/", check=True)
    r = berth("start", "-a", "later")
    assert r.rc == 0 and r.out == "hi from the host\n", r
    berth("cp", "later:/greeting", str(tmp_path / "again"), check=True)
    assert (tmp_path / "again").read_text() == "hi from the host\n"


def test_missing_paths_are_named(berth, tmp_path):
    box(berth)
    r = berth("cp", "box:/no/such/thing", str(tmp_path))
    assert r.rc != 0 and "/no/such/thing" in r.err and "box" in r.err, r
    r = berth("cp", str(tmp_path / "absent"), "box:/tmp")
    assert r.rc != 0 and str(tmp_path / "absent") in r.err, r
    r = berth("cp", str(tmp_path), str(tmp_path / "x"))
    assert r.rc != 0 and "CONTAINER:PATH" in r.err, r
    r = berth("cp", "nobox:/etc", str(tmp_path))
    assert r.rc != 0 and "nobox" in r.err, r


def test_read_only_rootfs_refuses(berth, tmp_path):
    berth("run", "-d", "--read-only", "--name", "ro", IMAGE, "sleep", "2000", check=True)
    (tmp_path / "f").write_text("f\n")
    r = berth("cp", str(tmp_path / "f"), "ro:/tmp/")
    assert r.rc != 0 and "read-only" in r.err, r
    # copying out still works
    berth("cp", "ro:/etc/passwd", str(tmp_path / "passwd"), check=True)
    assert "root:" in (tmp_path / "passwd").read_text()
