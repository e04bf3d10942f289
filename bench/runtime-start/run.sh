#!/bin/bash
# Side-by-side start-up benchmark: `<runtime> run` of /bin/true for berth-runtime,
# crun and runc on one and the same busybox-static bundle.
#
# Usage: bench/runtime-start/run.sh [-n ROUNDS] [--limits] [--inheritable] [--exec] [--keep]
#        bench/runtime-start/run.sh --docker [-n ROUNDS]
#   -n ROUNDS   rounds (default 30); each round runs every runtime once
#   --limits    add memory (256 MiB), cpu (50000/100000) and pids (100) limits
#   --exec      time `<runtime> exec ID /bin/true` in a running container of each runtime
#               (started once, detached, before the rounds) instead of `run`
#   --inheritable  also list the ambient capabilities in process.capabilities
#               .inheritable (for all three; `runc spec` leaves inheritable out, and
#               the kernel only raises an ambient cap that is inheritable too)
#   --keep      keep the work dir (bundle, raw samples) and print its path
#   --docker    the engine case instead: `docker run --rm --network none IMAGE true`
#               through one private dockerd (docker.io) with berth-runtime and with runc,
#               alternating; medians and the ratio berth/runc (see docker.py)
# Environment:
#   BERTH_RUNTIME  berth binary (default <repo>/build/src/cmd/berth-runtime/berth-runtime)
#   CRUN, RUNC     other binaries (default: crun, runc from PATH)
#
# Needs root, Debian's busybox-static (/bin/busybox), runc (for `runc spec`), crun,
# GNU time (package `time`) and python3.
#
# cgroups: hosts with a hybrid layout (cgroup v1 controllers plus cgroup2 on
# /sys/fs/cgroup/unified) are refused by crun 1.8.1.  So the whole benchmark runs
# inside a private mount namespace (`unshare -m`) where /sys/fs/cgroup/unified is
# unmounted: all three runtimes then see the same pure-v1 layout.  The host's mounts
# are untouched.
#
# Method: within round i the runtimes run in rotating order (berth, crun, runc;
# then crun, runc, berth; ...) so that machine noise hits all of them alike.  One
# untimed warm-up run per runtime comes first.  Wall time is taken around
# `/usr/bin/time -f %M <runtime> run ...` (the few hundred microseconds that GNU time
# itself adds is the same for all three); peak RSS is GNU time's %M, i.e. the
# maxrss of the largest process among the runtime and its waited-for children
# (a runtime that re-execs itself is measured at its biggest image).  Failed runs
# are counted and left out of the statistics.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

rounds=30
exec_mode=0
limits=0
keep=0
inheritable=0
docker_mode=0
while [ $# -gt 0 ]; do
        case "$1" in
        -n) rounds=${2:?-n needs a number}; shift 2 ;;
        -n*) rounds=${1#-n}; shift ;;
        --limits) limits=1; shift ;;
        --keep) keep=1; shift ;;
        --exec) exec_mode=1; shift ;;
        --inheritable) inheritable=1; shift ;;
        --docker) docker_mode=1; shift ;;
        -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
        esac
done
case "$rounds" in ''|*[!0-9]*|0) echo "run.sh: -n wants a positive number" >&2; exit 2 ;; esac

berth=${BERTH_RUNTIME:-$repo/build/src/cmd/berth-runtime/berth-runtime}
crun=${CRUN:-$(command -v crun || true)}
runc=${RUNC:-$(command -v runc || true)}
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)

die() { echo "run.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root"
[ -x "$berth" ] || die "no berth-runtime at '$berth' (build it, or set BERTH_RUNTIME)"
if [ $docker_mode = 1 ]; then
        # The host's own cgroup layout: dockerd and both runtimes see the same one.
        exec "$py" "$here/docker.py" "$berth" "$rounds"
fi
[ -n "$crun" ] && [ -x "$crun" ] || die "crun not found (apt-get install crun)"
[ -n "$runc" ] && [ -x "$runc" ] || die "runc not found (apt-get install runc)"
[ -x /usr/bin/time ] || die "GNU time missing (apt-get install time)"
[ -x /bin/busybox ] || die "/bin/busybox missing (apt-get install busybox-static)"
berth=$(readlink -f "$berth")

# Re-enter in a private mount namespace; everything below runs there.
if [ -z "${BERTH_BENCH_IN_NS:-}" ]; then
        export BERTH_BENCH_IN_NS=1 BERTH_RUNTIME="$berth" CRUN="$crun" RUNC="$runc"
        exec unshare -m --propagation private -- "$0" -n "$rounds" \
                $([ $limits = 1 ] && echo --limits) $([ $keep = 1 ] && echo --keep) \
                $([ $inheritable = 1 ] && echo --inheritable) $([ $exec_mode = 1 ] && echo --exec)
fi
if mountpoint -q /sys/fs/cgroup/unified; then
        umount /sys/fs/cgroup/unified
fi

work=$(mktemp -d /tmp/berth-bench.XXXXXX)
bundle=$work/bundle
samples=$work/samples.tsv
state=/run/berth-bench.$$ # per-runtime --root dirs, so nothing leaks into /run/{runc,crun,berth}
mkdir -p "$bundle/rootfs/bin" "$state"

names=(berth crun runc)
declare -A bin=([berth]=$berth [crun]=$crun [runc]=$runc)
live_id=""
live_rt=""

cleanup() {
        local rc=$?
        set +e
        if [ -n "$live_id" ]; then
                "${bin[$live_rt]}" --root "$state/$live_rt" delete -f "$live_id" >/dev/null 2>&1
        fi
        for rt in "${names[@]}"; do
                # anything left behind by an interrupted run
                for d in "$state/$rt"/*/; do
                        [ -d "$d" ] || continue
                        "${bin[$rt]}" --root "$state/$rt" delete -f "$(basename "$d")" >/dev/null 2>&1
                done
        done
        rm -rf "$state"
        if [ $keep = 1 ]; then
                echo "work dir kept: $work" >&2
        else
                rm -rf "$work"
        fi
        exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The bundle: Debian's static busybox and its applet links, config from `runc spec`.
cp /bin/busybox "$bundle/rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
        [ "$applet" = busybox ] || ln -s busybox "$bundle/rootfs/bin/$applet"
done
(cd "$bundle" && "$runc" spec)
"$py" - "$bundle/config.json" "$limits" "$inheritable" "$exec_mode" <<'EOF'
import json, sys
path, limits, inheritable = sys.argv[1], sys.argv[2] == "1", sys.argv[3] == "1"
c = json.load(open(path))
# ociVersion stays as runc wrote it: crun 1.8.1 refuses "1.2.0".
c["process"]["args"] = ["/bin/sleep", "3600"] if sys.argv[4] == "1" else ["/bin/true"]
c["process"]["terminal"] = False
if inheritable:
    caps = c["process"]["capabilities"]
    caps["inheritable"] = list(caps.get("ambient", []))
if limits:
    r = c["linux"].setdefault("resources", {})
    r["memory"] = {"limit": 256 * 1024 * 1024}
    r["cpu"] = {"quota": 50000, "period": 100000}
    r["pids"] = {"limit": 100}
json.dump(c, open(path, "w"), indent=2)
EOF

seq_no=0
# one_run RUNTIME ROUND: one timed `run` (or `exec`), appends a sample line
one_run() {
        local rt=$1 round=$2 id t0 t1 rc rss
        seq_no=$((seq_no + 1))
        id="bench-$rt-$$-$seq_no"
        rc=0
        if [ $exec_mode = 1 ]; then
                t0=${EPOCHREALTIME/./}
                /usr/bin/time -o "$work/rss" -f %M \
                        "${bin[$rt]}" --root "$state/$rt" exec "exec-$rt-$$" /bin/true \
                        </dev/null >/dev/null 2>"$work/err" || rc=$?
                t1=${EPOCHREALTIME/./}
        else
                live_id=$id live_rt=$rt
                t0=${EPOCHREALTIME/./}
                /usr/bin/time -o "$work/rss" -f %M \
                        "${bin[$rt]}" --root "$state/$rt" run -b "$bundle" "$id" \
                        </dev/null >/dev/null 2>"$work/err" || rc=$?
                t1=${EPOCHREALTIME/./}
                "${bin[$rt]}" --root "$state/$rt" delete -f "$id" >/dev/null 2>&1 || true
                live_id=""
        fi
        rss=$(grep -E '^[0-9]+$' "$work/rss" | tail -n1 || true)
        if [ "$rc" != 0 ]; then
                printf '%s\t%s\t%s\t%s\tFAIL\n' "$rt" "$round" "$((t1 - t0))" "${rss:-0}" >>"$samples"
                if [ ! -e "$work/err.$rt" ]; then
                        cp "$work/err" "$work/err.$rt"
                        echo "run.sh: $rt run failed (exit $rc): $(grep -v 'Command exited' "$work/err" | head -n3)" >&2
                fi
        else
                printf '%s\t%s\t%s\t%s\tok\n' "$rt" "$round" "$((t1 - t0))" "$rss" >>"$samples"
        fi
}

echo "berth: $berth ($("$berth" --version 2>/dev/null | head -n1))"
echo "crun:  $crun ($("$crun" --version | head -n1))"
echo "runc:  $runc ($("$runc" --version | head -n1))"
echo "rounds: $rounds, inheritable caps: $([ $inheritable = 1 ] && echo yes || echo 'no (runc spec as is)'), limits: $([ $limits = 1 ] && echo 'memory 256MiB, cpu 50000/100000, pids 100' || echo none)"
echo "cgroups: $(mount -t cgroup2 | wc -l) cgroup2 / $(mount -t cgroup | wc -l) cgroup v1 mounts in the bench namespace"

if [ $exec_mode = 1 ]; then
        echo "mode: exec of /bin/true in a running container of each runtime"
        for rt in "${names[@]}"; do
                "${bin[$rt]}" --root "$state/$rt" run --detach -b "$bundle" "exec-$rt-$$" \
                        </dev/null >/dev/null 2>"$work/err" ||
                        die "$rt: could not start the container to exec in: $(head -n3 "$work/err")"
        done
fi
: >"$samples"
for rt in "${names[@]}"; do one_run "$rt" warmup; done
: >"$samples"
for ((i = 0; i < rounds; i++)); do
        for ((j = 0; j < 3; j++)); do
                one_run "${names[$(((i + j) % 3))]}" "$i"
        done
done

"$py" "$here/stats.py" "$samples"
