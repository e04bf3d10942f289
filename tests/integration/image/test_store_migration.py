# SPDX-License-Identifier: LGPL-2.1-or-later
"""Stores made before schema migrations (berth.db with user_version 0 and no schema table) are
migrated in place, not rebuilt: images, tags, layers, snapshots and mounts stay, and the
version is recorded. Two ways to get such a store: the old berth itself (BERTH_OLD_BERTH, a
binary built from before the store layer; skipped when unset), and always the old schema SQL
replayed into a fresh database with the rows of a loaded image copied over."""
import json
import os
import shutil
import sqlite3
import subprocess

import pytest

from imagetest import IS_ROOT, Berth, mounted

OLD_BERTH = os.environ.get("BERTH_OLD_BERTH")

# src/store/metadata.c at dbf93fd, the schema every store before migrations has: its C string
# is these lines joined without newlines (old_store_from_sql() runs it so, byte for byte)
OLD_SCHEMA = """
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
PRAGMA foreign_keys=ON;
CREATE TABLE IF NOT EXISTS images(
  id TEXT PRIMARY KEY,
  manifest_digest TEXT NOT NULL,
  manifest_media_type TEXT NOT NULL,
  manifest_size INTEGER NOT NULL,
  index_digest TEXT,
  os TEXT, architecture TEXT, variant TEXT,
  created TEXT,
  size INTEGER NOT NULL DEFAULT 0,
  stored_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tags(
  name TEXT PRIMARY KEY,
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS layers(
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  digest TEXT NOT NULL,
  media_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  diff_id TEXT NOT NULL,
  chain_id TEXT NOT NULL,
  PRIMARY KEY(image_id, idx));
CREATE TABLE IF NOT EXISTS snapshots(
  chain_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  parent TEXT,
  diff_id TEXT NOT NULL,
  size INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL,
  PRIMARY KEY(chain_id, kind));
CREATE TABLE IF NOT EXISTS mounts(
  target TEXT PRIMARY KEY,
  chain_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  workdir TEXT NOT NULL,
  image_id TEXT);
CREATE TABLE IF NOT EXISTS blob_sources(
  digest TEXT NOT NULL,
  registry TEXT NOT NULL,
  repository TEXT NOT NULL,
  PRIMARY KEY(digest, registry, repository));
CREATE TABLE IF NOT EXISTS compressed_blobs(
  digest TEXT NOT NULL,
  compression TEXT NOT NULL,
  compressed TEXT NOT NULL,
  PRIMARY KEY(digest, compression));
"""
TABLES = ["images", "tags", "layers", "snapshots", "mounts", "blob_sources", "compressed_blobs"]


def db(root):
    return sqlite3.connect(os.path.join(root, "berth.db"))


def rows(root):
    with db(root) as c:
        return {t: sorted(c.execute(f"SELECT * FROM {t}").fetchall()) for t in TABLES}


def versions(root):
    with db(root) as c:
        user = c.execute("PRAGMA user_version").fetchone()[0]
        has = c.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema'").fetchone()
        mods = dict(c.execute("SELECT module, version FROM schema").fetchall()) if has else {}
    return user, mods


def old_store_from_sql(new, root):
    """A store as the old berth left it: the old schema SQL, then the rows and files of new."""
    os.makedirs(root)
    for d in ("blobs", "snapshots"):
        shutil.copytree(os.path.join(new.root, d), os.path.join(root, d), symlinks=True)
    data = rows(new.root)
    with db(root) as c:
        c.executescript("".join(OLD_SCHEMA.splitlines()))
        for t in TABLES:
            for r in data[t]:
                c.execute(f"INSERT INTO {t} VALUES({','.join('?' * len(r))})", r)
    return data


def check_migrated(b, before, snapshotter):
    assert versions(b.root) == (0, {})
    imgs = b.images()
    assert [i["RepoTags"] for i in imgs] == [["localhost/busybox:latest"]]
    # migrated in place: every row is still there, and the versions are recorded
    assert rows(b.root) == before
    assert versions(b.root) == (1, {"image": 1, "snapshot": 1})
    info = b.inspect("localhost/busybox")
    assert info["Id"] == imgs[0]["Id"]
    assert len(info["Layers"]) == 1
    # the snapshot made before is used as it is: no unpack on mount
    snaps = before["snapshots"]
    if IS_ROOT:
        with mounted(b, "localhost/busybox", os.path.join(b.root, "..", "target"), snapshotter):
            assert rows(b.root)["snapshots"] == snaps
            assert os.path.exists(os.path.join(b.root, "..", "target", "bin", "sh"))
    b.ok("rmi", "localhost/busybox")
    assert b.images() == []
    # a second open finds nothing to do; inspect (which looks for containers too) has added
    # the engine's tables beside them, leaving the image and snapshot modules as they were
    fmt, mods = versions(b.root)
    assert fmt == 1 and mods["image"] == 1 and mods["snapshot"] == 1, mods
    assert set(mods) <= {"image", "snapshot", "engine", "network"}, mods


@pytest.mark.parametrize("snapshotter", ["overlay", "copy"])
def test_old_schema_sql_is_migrated(berth, busybox_layout, tmp_path, snapshotter):
    berth.ok("--snapshotter", snapshotter, "load", busybox_layout)
    old = Berth(str(tmp_path / "old" / "store"), env=berth.env)
    before = old_store_from_sql(berth, old.root)
    assert before["images"] and before["layers"] and before["snapshots"]
    check_migrated(old, before, snapshotter)


@pytest.mark.skipif(not OLD_BERTH, reason="BERTH_OLD_BERTH (a berth from before migrations) unset")
@pytest.mark.parametrize("snapshotter", ["overlay", "copy"])
def test_old_berth_store_is_migrated(berth, busybox_layout, snapshotter):
    subprocess.run([OLD_BERTH, "--root", berth.root, "--snapshotter", snapshotter, "load",
                    busybox_layout], check=True, capture_output=True, env=berth.env)
    before = rows(berth.root)
    assert before["images"] and before["snapshots"]
    check_migrated(berth, before, snapshotter)


def test_newer_store_is_refused(berth, busybox_layout):
    berth.ok("load", busybox_layout)
    with db(berth.root) as c:
        c.execute("PRAGMA user_version = 99")
    p = berth.fail("images")
    assert "newer" in p.stderr and "99" in p.stderr
    with db(berth.root) as c:
        c.execute("PRAGMA user_version = 1")
        c.execute("UPDATE schema SET version = 7 WHERE module = 'image'")
    p = berth.fail("images")
    assert "newer" in p.stderr and "image" in p.stderr
    with db(berth.root) as c:
        c.execute("UPDATE schema SET version = 1 WHERE module = 'image'")
    assert json.loads(berth.ok("images", "--format", "json").stdout)[0]["RepoTags"] == [
        "localhost/busybox:latest"]
