# SPDX-License-Identifier: LGPL-2.1-or-later
"""The built-in image localhost/busybox:latest is in a new store from its first command on,
for every verb that reads images, not only after a mount asked for it by name."""
import json
import os

import pytest

NAME = "localhost/busybox:latest"


@pytest.fixture
def builtin(berth, busybox_layout):
    berth.env["BERTH_BUSYBOX_OCI"] = busybox_layout
    return berth


def test_images_lists_it_first_thing(builtin):
    assert builtin.names() == [NAME]
    # seeded once: the second command does not load it again
    assert os.path.exists(os.path.join(builtin.root, "builtin-loaded"))
    assert builtin.names() == [NAME]


@pytest.mark.parametrize("first", ["inspect", "save"])
def test_inspect_and_save_find_it(builtin, tmp_path, first):
    if first == "inspect":
        info = json.loads(builtin.ok("inspect", NAME).stdout)[0]
        assert NAME in info["RepoTags"]
    else:
        out = str(tmp_path / "bb.tar")
        builtin.ok("save", "-o", out, NAME)
        assert os.path.getsize(out) > 0


def test_push_finds_it(builtin, registry):
    dest = f"{registry.host}/builtin/busybox:1"
    builtin.ok("push", "--tls-verify=false", NAME, dest)
    builtin.ok("rmi", "-f", NAME)
    builtin.ok("pull", "--tls-verify=false", dest)
    assert dest in builtin.names()


def test_removed_stays_removed(builtin):
    builtin.ok("rmi", NAME)
    assert builtin.images() == []
    assert builtin.images() == []  # not loaded again behind the user's back


def test_no_builtin_layout_is_no_error(berth):
    assert berth.images() == []
    assert not os.path.exists(os.path.join(berth.root, "builtin-loaded"))
