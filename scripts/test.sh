#!/bin/bash
# The whole test suite: unit tests, integration tests on real containers, the same again on an
# ASan+UBSan build, and the pure cgroup v2 suite in a micro-VM. Installs what it needs. Ends
# with one line "N passed, N failed, N skipped" and exits non-zero when anything failed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/scripts/install-deps.sh" || { echo "0 passed, 1 failed"; exit 1; }

passed=0 failed=0 skipped=0
out="$top/build-test-results"
rm -rf "$out"
mkdir -p "$out"

count_meson() { # build dir
        local log="$1/meson-logs/testlog.json"
        [ -f "$log" ] || return 0
        read -r p f s < <(/usr/bin/python3 - "$log" <<'PY'
import json, sys
p = f = s = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"):
        p += 1
    elif r == "SKIP":
        s += 1
    else:
        f += 1
print(p, f, s)
PY
)
        passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

count_junit() { # xml file
        [ -f "$1" ] || { failed=$((failed + 1)); return 0; }
        read -r p f s < <(/usr/bin/python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
t = f = s = 0
for su in suites:
    t += int(su.get("tests", 0))
    f += int(su.get("failures", 0)) + int(su.get("errors", 0))
    s += int(su.get("skipped", 0))
print(t - f - s, f, s)
PY
)
        passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

step() { echo; echo "=== $*"; }

build() { # dir, meson options...
        local dir=$1
        shift
        if [ ! -f "$dir/build.ninja" ]; then
                meson setup "$dir" "$@" >"$out/setup-$(basename "$dir").log" 2>&1 ||
                        { cat "$out/setup-$(basename "$dir").log"; return 1; }
        fi
        ninja -C "$dir" >"$out/ninja-$(basename "$dir").log" 2>&1 ||
                { tail -50 "$out/ninja-$(basename "$dir").log"; return 1; }
}

# What the machine holds before the run (cgroups, mounts, processes, network namespaces,
# runtime state), to tell afterwards what the suite left behind. Every process the suite starts
# inherits BERTH_TEST_RUN, which is how a stray one is recognised.
export BERTH_TEST_RUN=$$
/usr/bin/python3 scripts/leftovers.py snapshot "$out/leftovers-before.json"

step "build (release)"
if build build; then
        step "unit tests"
        meson test -C build --print-errorlogs --num-processes 2 || true
        count_meson build
        step "integration tests"
        BERTH_BUILD_DIR="$top/build" /usr/bin/python3 -m pytest -p no:cacheprovider -q \
                --junitxml="$out/integration.xml" tests/integration
        count_junit "$out/integration.xml"
else
        failed=$((failed + 1))
fi

step "build (ASan+UBSan)"
export ASAN_OPTIONS=abort_on_error=0:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if CC=gcc build build-asan -Db_sanitize=address,undefined -Dbuildtype=debug -Db_lundef=false; then
        step "unit tests (ASan+UBSan)"
        meson test -C build-asan --print-errorlogs --num-processes 2 || true
        count_meson build-asan
        step "runtime integration tests (ASan+UBSan)"
        BERTH_TEST_CYCLES=100 BERTH_BUILD_DIR="$top/build-asan" /usr/bin/python3 -m pytest -p no:cacheprovider -q \
                --junitxml="$out/integration-asan.xml" tests/integration \
                --ignore=tests/integration/image --ignore=tests/integration/runtime/test_podman.py
        count_junit "$out/integration-asan.xml"
else
        failed=$((failed + 1))
fi
unset ASAN_OPTIONS UBSAN_OPTIONS

# The fuzz targets, built with clang (which also catches what gcc lets through), each run for
# a bounded time on a scratch copy of its seed corpus: nothing is written into the tree. A
# target fails without seeds, and when the coverage it starts from (its seeds replayed) is so
# small that the code under test cannot be instrumented (-fsanitize=fuzzer-no-link).
fuzz_min_edges=100
step "fuzz targets (clang, ASan+UBSan), 15 s each"
if CC=clang build build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false; then
        for dir in tests/fuzz/*/; do
                target=$(basename "$dir")
                name=fuzz-$target
                f=build-fuzz/tests/fuzz/$name
                seeds=tests/fuzz/$target/corpus
                if [ -z "$(ls -A "$seeds" 2>/dev/null)" ]; then
                        echo "not ok - $name: no seed corpus in $seeds"
                        failed=$((failed + 1))
                        continue
                fi
                scratch=$(mktemp -d)
                cp -r "$seeds/." "$scratch/"
                if "$f" -max_total_time=15 -rss_limit_mb=2048 "$scratch" \
                        >"$out/$name.log" 2>&1; then
                        edges=$(grep -o 'INITED cov: [0-9]*' "$out/$name.log" | grep -o '[0-9]*$')
                        if [ "${edges:-0}" -ge "$fuzz_min_edges" ]; then
                                echo "ok - $name: $(grep -o 'Done [0-9]* runs' "$out/$name.log"), \
${edges} edges from the seeds"
                                passed=$((passed + 1))
                        else
                                echo "not ok - $name: ${edges:-no} edges covered by its seeds" \
                                        "(under $fuzz_min_edges: is the code it tests instrumented?)"
                                failed=$((failed + 1))
                        fi
                else
                        echo "not ok - $name (see below)"; tail -30 "$out/$name.log"
                        failed=$((failed + 1))
                fi
                rm -rf "$scratch"
        done
else
        failed=$((failed + 1))
fi

if [ -x tests/vm/run-cgroup-v2.sh ]; then
        step "cgroup v2 suite in a micro-VM"
        tests/vm/run-cgroup-v2.sh "$top/build" >"$out/vm.log" 2>&1
        rc=$?
        tail -30 "$out/vm.log"
        case $rc in
        0) passed=$((passed + 1)) ;;
        77) skipped=$((skipped + 1)) ;;
        *) failed=$((failed + 1)) ;;
        esac
fi

step "leftover check"
if /usr/bin/python3 scripts/leftovers.py check "$out/leftovers-before.json"; then
        passed=$((passed + 1))
else
        failed=$((failed + 1))
fi

echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
