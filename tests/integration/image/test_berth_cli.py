# SPDX-License-Identifier: LGPL-2.1-or-later
"""The berth CLI's own command line (issue 8, item 18): every verb prints its usage on -h and
--help and exits 0 (`berth inspect --help` looked for an image named "--help"), and
`berth --version` prints the version, `berth version` the client's and the runtime's."""
import re

import pytest


def verbs(berth):
    out = berth.ok("--help").stdout
    listed = out.split("Verbs:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in listed.splitlines() if line.strip()]


def test_every_verb_has_help(berth):
    names = verbs(berth)
    assert {"pull", "push", "images", "inspect", "load", "save", "image", "version"} <= set(names)
    for verb in names:
        # docker's run and create take -h as --hostname: only --help is help there
        for flag in ("--help",) if verb in ("run", "create") else ("--help", "-h"):
            p = berth.run(verb, flag)
            assert p.returncode == 0, (verb, flag, p.stderr)
            assert p.stdout.startswith(f"berth {verb}: "), (verb, p.stdout)
            assert f"Usage: berth {verb}" in p.stdout, (verb, p.stdout)
            assert p.stderr == "", (verb, p.stderr)


@pytest.mark.parametrize("argv", [["inspect", "--help"], ["inspect", "busybox", "-h"],
                                  ["image", "prune", "--help"], ["rmi", "-f", "--help"]])
def test_help_is_not_an_argument(berth, argv):
    p = berth.run(*argv)
    assert p.returncode == 0 and f"Usage: berth {argv[0]}" in p.stdout, p
    assert "--help" not in p.stderr and p.stderr == "", p


def test_version(berth):
    p = berth.ok("--version")
    assert re.fullmatch(r"berth version \d+\.\d+\.\d+\S*\n", p.stdout), p.stdout
    # `berth version`, as `docker version`: the client's, then the runtime's
    p = berth.ok("version")
    assert re.match(r"Client:\n Version: +\d+\.\d+\.\d+\S*\n", p.stdout), p.stdout
    assert re.search(r"\n berth-runtime:\n  Version: +\d+\.\d+\.\d+\S*\n", p.stdout), p.stdout
