# SPDX-License-Identifier: LGPL-2.1-or-later
"""tests/lint/check-layering.py, the layering test of the build (`meson test layering`): it must
pass on the tree as it is, and fail, naming the file and the include, when a layer includes a
layer it may not use."""
import os
import shutil
import subprocess
import sys

import pytest

from runtime_env import REPO

CHECK = os.path.join(REPO, "tests", "lint", "check-layering.py")


def run(root):
    return subprocess.run([sys.executable, CHECK, str(root)], capture_output=True, text=True,
                          timeout=60)


def test_the_tree_is_layered():
    r = run(REPO)
    assert r.returncode == 0, r.stdout
    assert " 0 forbidden includes" in r.stdout


def copy_src(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(os.path.join(REPO, "src"), root / "src")
    return root


@pytest.mark.parametrize("where, include, why", [
    ("src/basic/fs-util.c", "runtime/container.h", "basic may not include"),
    ("src/image/pull.c", "runtime/container.h", "image may not include"),
    ("src/snapshot/snapshot.c", "image/image-store.h", "snapshot may not include"),
    ("src/image/pull.c", "cmd/berth/berth.h", "image may not include"),
    ("src/cmd/berth/main.c", "runtime/container.h", "cmd/berth may not include"),
    ("src/cmd/berth/main.c", "cmd/berth-runtime/cmd.h", "cmd/berth may not include"),
    ("src/spec/spec-json.c", "../basic/log.h", "no relative includes"),
    ("src/spec/spec-json.c", "log.h", "include headers by their path"),
])
def test_a_forbidden_include_fails(tmp_path, where, include, why):
    root = copy_src(tmp_path)
    with open(root / where, "a") as f:
        f.write(f'\n#include "{include}"\n')
    r = run(root)
    assert r.returncode == 1, r.stdout
    assert why in r.stdout and where in r.stdout, r.stdout


def test_runtime_binary_may_use_the_runtime(tmp_path):
    root = copy_src(tmp_path)
    with open(root / "src/cmd/berth-runtime/cmd-state.c", "a") as f:
        f.write('\n#include "runtime/container.h"\n')
    assert run(root).returncode == 0
