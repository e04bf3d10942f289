# SPDX-License-Identifier: LGPL-2.1-or-later
"""tests/lint/check-names.py, the naming test of the build (`meson test names`): a global
function without its module's prefix, in another library's namespace or named like a libc
function fails it; prefixed and static functions pass."""
import os
import subprocess
import sys

import pytest

from runtime_env import REPO

CHECK = os.path.join(REPO, "tests", "lint", "check-names.py")


def library(tmp_path, file_name, source):
    """A static library of one object compiled from source, named as meson names objects."""
    src = tmp_path / file_name
    src.write_text(source)
    obj = tmp_path / (file_name + ".o")
    subprocess.run(["cc", "-c", "-o", str(obj), str(src)], check=True)
    lib = tmp_path / "libx.a"
    subprocess.run(["ar", "rcs", str(lib), str(obj)], check=True)
    return str(lib)


def check(lib):
    return subprocess.run([sys.executable, CHECK, lib], capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("file_name, source, why", [
    ("fs-util.c", "int write_all(int fd) { return fd; }", "no module prefix"),
    ("spec-json.c", "int json_member(void) { return 0; }", "another library's namespace"),
    ("registry-http.c", "int curl_error_text(void) { return 0; }", "another library's namespace"),
    ("scheduler.c", "int sched_apply(void) { return 0; }", "another library's namespace"),
    ("mount-util.c", "int mount_setattr(void) { return 0; }", "the name of a libc function"),
])
def test_a_bad_name_fails(tmp_path, file_name, source, why):
    r = check(library(tmp_path, file_name, source))
    assert r.returncode == 1, r.stdout
    assert why in r.stdout, r.stdout


def test_prefixed_and_static_names_pass(tmp_path):
    lib = library(tmp_path, "fs-util.c",
                  "static int helper(int x) { return x; }\n"
                  "int fs_write_all(int fd) { return helper(fd); }\n")
    r = check(lib)
    assert r.returncode == 0, r.stdout
    assert "1 global functions" in r.stdout
