#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The naming test: every global function of Berth's libraries carries its module's prefix,
and none sits in another library's namespace or shares a name with a libc function.

A module is a source file or its folder: fs-util.c gives `fs_`, cgroup-v1.c `cgroup_`, the
folder isolation/vm `vm_`. EXTRA lists the few modules whose prefix is not their file's first
word. Run on the built static libraries:

  check-names.py LIB.a...     exit 0 when every name is allowed, 1 otherwise
"""
import os
import re
import subprocess
import sys

# Namespaces of the libraries Berth links, and libc's own prefixes that are easy to collide
# with. A name of ours that starts with one of these is refused even if a module is so called.
FORBIDDEN = ("json_", "curl_", "sqlite3_", "archive_", "sched_", "cap_", "seccomp_", "scmp_",
             "EVP_", "SHA", "ZSTD_", "isal_", "pthread_", "str", "mem", "is", "to")
# Module prefixes that are not the first word of their file's name.
EXTRA = {
    "string-util": ("strv_", "string_"),
    "error": ("berth_error",),
    "json-walk": ("json_walk_",),
    "archive-tar": ("archive_tar_",),
}


def module_prefixes(obj):
    """Prefixes a function in object file obj (meson's name: dir_file.c.o) may carry."""
    stem = re.sub(r"\.c\.o$", "", obj)
    parts = stem.split("_")
    prefixes = set()
    for p in parts:
        words = p.split("-")
        prefixes.add(words[0] + "_")
        prefixes.add("_".join(w for w in words if w != "util") + "_")
        prefixes.update(EXTRA.get(p, ()))
    return prefixes


def libc_names():
    for lib in ("/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6"):
        if os.path.exists(lib):
            out = subprocess.run(["nm", "-D", "--defined-only", lib], capture_output=True,
                                 text=True).stdout
            return {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}
    return set()


def check(libs):
    libc = libc_names()
    bad = []
    n = 0
    for lib in libs:
        out = subprocess.run(["nm", "-A", "-g", "--defined-only", lib], capture_output=True,
                             text=True, check=True).stdout
        # The folder of the library (isolation/vm -> vm) is a module too.
        folder = os.path.basename(os.path.dirname(os.path.abspath(lib)))
        for line in out.splitlines():
            # path/lib.a:lib.a.p/obj.c.o:0000 T name
            m = re.match(r"^(.*?):([^:]+):[0-9a-f]* ([A-Za-z]) (\S+)$", line)
            if not m or m.group(3) != "T":
                continue
            obj, name = os.path.basename(m.group(2)), m.group(4)
            if name == "main" or name.startswith("LLVMFuzzer"):
                continue
            n += 1
            where = f"{os.path.basename(lib)}({obj})"
            if name in libc:
                bad.append(f"{where}: {name}: the name of a libc function")
            elif name.startswith(FORBIDDEN) and not any(
                    name.startswith(p) and len(p) > 4 for p in EXTRA.get(obj[:-4], ())):
                bad.append(f"{where}: {name}: in another library's namespace")
            elif not name.startswith(tuple(module_prefixes(obj)) + (folder + "_",)):
                bad.append(f"{where}: {name}: no module prefix (one of "
                           f"{', '.join(sorted(module_prefixes(obj)))})")
    return n, bad


def main():
    libs = sys.argv[1:]
    if not libs:
        print(__doc__)
        return 2
    n, bad = check(libs)
    for b in bad:
        print(b)
    print(f"{n} global functions in {len(libs)} libraries, {len(bad)} badly named")
    return 1 if bad or n == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
