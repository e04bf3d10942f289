#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The naming test: every global function of Berth's libraries carries its module's prefix,
and none sits in another library's namespace or shares a name with a libc function.

A module is a source file, a header or a folder of the library's layer: fs-util.c gives `fs_`,
cgroup-v1.c `cgroup_`, container.h (whose functions several files of the runtime define)
`container_`, the folder isolation/vm `vm_`. EXTRA lists the few modules whose prefix is not
their file's first word. Run on the built static libraries:

  check-names.py [--source SRC_ROOT --build BUILD_ROOT] LIB.a...
      exit 0 when every name is allowed, 1 otherwise; with the roots, the headers and sources
      of each library's folder under SRC_ROOT/src name its modules too
"""
import os
import re
import subprocess
import sys

# Namespaces of the libraries Berth links, and libc's own prefixes that are easy to collide
# with. A name of ours that starts with one of these is refused even if a module is so called.
FORBIDDEN = ("json_", "curl_", "sqlite3_", "archive_", "sched_", "cap_", "seccomp_", "scmp_",
             "EVP_", "SHA", "sha256_", "base64_", "nettle_", "ZSTD_", "isal_", "pthread_", "str", "mem", "is", "to")
# Module prefixes that are not the first word of their file's name.
EXTRA = {
    "string-util": ("strv_", "string_"),
    "error": ("berth_error",),
    # json_* is json-c's: the walker of json-walk.c is jwalk_.
    "json-walk": ("jwalk_",),
    "archive-tar": ("archive_tar_",),
}


def stem_prefixes(stem):
    """Prefixes a module named stem (a file name without its suffix) gives."""
    words = stem.split("-")
    return {words[0] + "_", "_".join(w for w in words if w != "util") + "_",
            *EXTRA.get(stem, ())}


def module_prefixes(obj):
    """Prefixes a function in object file obj (meson's name: dir_file.c.o) may carry."""
    prefixes = set()
    parts = re.sub(r"\.c\.o$", "", obj).split("_")
    if parts[0] == "src":
        parts = parts[1:]  # built from the top: src_<layer>_<file>
    for p in parts:
        prefixes |= stem_prefixes(p)
    return prefixes


def layer_folder(source_root, lib):
    """The folder of libberth-<layer>.a under src/ (src/isolation/vm for libberth-vm.a)."""
    name = re.sub(r"^libberth-|\.a$", "", os.path.basename(lib))
    for dirpath, dirs, _ in os.walk(os.path.join(source_root, "src")):
        if name in dirs:
            return os.path.join(dirpath, name)
    return None


def folder_prefixes(source_root, build_root, lib):
    """The modules of a library's layer: its folder's sources, headers and subfolders."""
    folder = layer_folder(source_root, lib) if source_root else None
    if not folder:
        return set()
    prefixes = {os.path.basename(folder) + "_"}
    for dirpath, dirs, files in os.walk(folder):
        prefixes |= {d + "_" for d in dirs}
        for f in files:
            if f.endswith((".c", ".h")):
                prefixes |= stem_prefixes(f[:-2])
    return prefixes


def libc_names():
    for lib in ("/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6"):
        if os.path.exists(lib):
            out = subprocess.run(["nm", "-D", "--defined-only", lib], capture_output=True,
                                 text=True).stdout
            return {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}
    return set()


def check(libs, source_root=None, build_root=None):
    libc = libc_names()
    bad = []
    n = 0
    for lib in libs:
        out = subprocess.run(["nm", "-A", "-g", "--defined-only", lib], capture_output=True,
                             text=True, check=True).stdout
        layer = folder_prefixes(source_root, build_root, lib)
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
                    name.startswith(p) and len(p) > 4 for p in EXTRA.get(obj[:-4].split("_")[-1], ())):
                bad.append(f"{where}: {name}: in another library's namespace")
            elif not name.startswith(tuple(module_prefixes(obj) | layer)):
                bad.append(f"{where}: {name}: no module prefix (one of "
                           f"{', '.join(sorted(module_prefixes(obj)))} or another module of "
                           f"its layer)")
    return n, bad


def main():
    args = sys.argv[1:]
    source_root = build_root = None
    while args and args[0] in ("--source", "--build") and len(args) > 1:
        if args[0] == "--source":
            source_root = args[1]
        else:
            build_root = args[1]
        args = args[2:]
    libs = args
    if not libs or bool(source_root) != bool(build_root):
        print(__doc__)
        return 2
    n, bad = check(libs, source_root and os.path.join(source_root, ""), build_root)
    for b in bad:
        print(b)
    print(f"{n} global functions in {len(libs)} libraries, {len(bad)} badly named")
    return 1 if bad or n == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
