#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The layering test: every quoted #include in src/ and tests/unit/ must name a header of a layer
the including folder may use, as ../shared/DESIGN.md draws them. An arrow that is not in USES is a
design change, not a shortcut: change DESIGN.md and this table together.

  check-layering.py [SOURCE_ROOT]     exit 0 when every include is allowed, 1 otherwise
"""
import os
import re
import sys

# layer -> the layers it may include (itself always).
USES = {
    "basic": set(),
    "spec": {"basic"},
    "runtime": {"basic", "spec"},
    "content": {"basic"},
    "store": {"basic"},
    "snapshot": {"basic", "store"},
    "image": {"basic", "spec", "content", "store", "snapshot"},
    "shared": {"basic"},
    "network": {"basic", "shared", "store"},
    "engine": {"basic", "spec", "content", "store", "snapshot", "image", "shared", "network"},
    "shim": {"basic", "shared"},
    "api": {"basic", "engine", "shared"},
    "isolation": {"basic", "spec", "runtime", "shared"},
}
# Binaries (src/cmd/<binary>/) use libraries, never another binary's folder; only the runtime's
# own command and the isolation runtimes' may use runtime/ (the engine drives the runtime
# through its command line).
RUNTIME_BINARIES = {"berth-runtime", "berth-vm"}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(rel):
    """The layer a path under src/ belongs to: its first folder (cmd/<binary> for binaries)."""
    parts = rel.split("/")
    if parts[0] == "cmd" and len(parts) > 2:
        return "cmd/" + parts[1]
    return parts[0]


def allowed(src_layer, inc_layer):
    if src_layer == inc_layer:
        return True
    if src_layer.startswith("cmd/"):
        if inc_layer.startswith("cmd/") or inc_layer == "cmd":
            return False
        if inc_layer == "runtime":
            return src_layer[4:] in RUNTIME_BINARIES
        return inc_layer in USES
    return inc_layer in USES.get(src_layer, set())


def check(root):
    bad = []
    scanned = 0
    for top, sub in (("src", ""), ("tests/unit", "unit"), ("tests/fuzz", "fuzz")):
        base = os.path.join(root, top)
        for dirpath, _, files in os.walk(base):
            for f in sorted(files):
                if not f.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, base)
                if sub:
                    # A unit test or fuzz target of module M may use what M may use, and M.
                    module = rel.split("/")[0]
                    me = {"config": "spec", "manifest": "image", "reference": "image",
                          "tar": "image", "logs": "engine"}.get(module, module) \
                        if sub == "fuzz" else module
                else:
                    me = layer_of(rel)
                    if me not in USES and not me.startswith("cmd/"):
                        bad.append(f"{top}/{rel}: folder '{me}' is no layer of DESIGN.md")
                        continue
                scanned += 1
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
                for lineno, m in ((text.count("\n", 0, m.start()) + 1, m)
                                  for m in INCLUDE.finditer(text)):
                    name = m.group(1)
                    if "/" not in name:
                        # Generated headers beside a binary (version.h) and the test harness.
                        if name in ("version.h", "tap.h"):
                            continue
                        bad.append(f"{top}/{rel}:{lineno}: \"{name}\": include headers by "
                                   "their path from src/ (\"layer/file.h\")")
                        continue
                    if name.startswith("../"):
                        bad.append(f"{top}/{rel}:{lineno}: \"{name}\": no relative includes")
                        continue
                    target = layer_of(name)
                    if not os.path.isfile(os.path.join(root, "src", name)):
                        bad.append(f"{top}/{rel}:{lineno}: \"{name}\" is not a header in src/")
                    elif not allowed(me, target):
                        bad.append(f"{top}/{rel}:{lineno}: {me} may not include \"{name}\" "
                                   f"({me} uses: {', '.join(sorted(USES.get(me, ()))) or 'libc only'})")
    return scanned, bad


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    scanned, bad = check(os.path.abspath(root))
    for b in bad:
        print(b)
    if scanned == 0:
        print("no source file found under", root)
        return 1
    print(f"{scanned} files, {len(bad)} forbidden includes")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
