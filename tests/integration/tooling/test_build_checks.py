# SPDX-License-Identifier: LGPL-2.1-or-later
"""The build's own checks (issue 8, item 25): a fuzz target's replay of its seed corpus fails
when there is nothing to replay (the tar corpus was missing, and its replay passed with zero
inputs), every corpus replays, and the micro-VM suite of tests/vm is part of the build without
being run by a plain `meson test` (scripts/test.sh runs it itself)."""
import glob
import os
import re
import shutil
import subprocess

import pytest

from runtime_env import BUILD, REPO

REPLAYS = sorted(glob.glob(os.path.join(BUILD, "tests", "fuzz", "fuzz-*-replay")))


def corpus_of(replay):
    target = os.path.basename(replay)[len("fuzz-"):-len("-replay")]
    return os.path.join(REPO, "tests", "fuzz", target, "corpus")


def test_replays_are_built():
    """Every target folder under tests/fuzz has its replay."""
    names = {os.path.basename(r) for r in REPLAYS}
    targets = {d for d in os.listdir(os.path.join(REPO, "tests", "fuzz"))
               if os.path.isdir(os.path.join(REPO, "tests", "fuzz", d))}
    assert targets >= {"config", "manifest", "reference", "tar"}, targets
    assert {f"fuzz-{t}-replay" for t in targets} == names, names


@pytest.mark.parametrize("replay", REPLAYS, ids=os.path.basename)
def test_replay_without_inputs_fails(replay, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    for args in ([], [str(empty)], [str(tmp_path / "missing")],
                 [corpus_of(replay), str(tmp_path / "missing")]):
        r = subprocess.run([replay, *args], capture_output=True, text=True, timeout=60)
        assert r.returncode != 0, (args, r.stdout, r.stderr)


@pytest.mark.parametrize("replay", REPLAYS, ids=os.path.basename)
def test_every_corpus_replays(replay):
    corpus = corpus_of(replay)
    r = subprocess.run([replay, corpus], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, (r.stdout, r.stderr)
    n = int(re.search(r"(\d+) inputs replayed", r.stdout).group(1))
    assert n == len(os.listdir(corpus)) and n > 0, r.stdout


def meson_tests(*args):
    r = subprocess.run(["meson", "test", "-C", BUILD, "--no-rebuild", "--list", *args],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_vm_suite_is_built_but_not_run_by_default():
    if not shutil.which("meson") or not os.path.exists(os.path.join(BUILD, "build.ninja")):
        pytest.skip(f"{BUILD} is not a meson build directory")
    assert "cgroup-v2-vm" not in meson_tests()
    assert "berth:vm / cgroup-v2-vm" in meson_tests("--setup", "vm")
