#!/bin/sh
# Where our training step's time goes, by kind of work: samples `apps/bench --mode train`
# with Linux perf (both threads, 499 Hz) and shares the samples after the model's set-up out
# over matrix products, GELU, attention, fresh memory, ... (tools/bench/profile_step.py).
#
#   tools/bench/profile_step.sh [BUILD_DIR] [apps/bench options, e.g. --crop 224 --batch 8]
#
# Needs perf (Debian's linux-perf) and kernel.perf_event_paranoid <= 2. Run it on an idle machine.
set -eu
cd "$(dirname "$0")/../.."
build=build
case "${1:-}" in -*|"") ;; *) build=$1; shift ;; esac
command -v perf >/dev/null || { echo "profile_step.sh: perf not found (apt-get install linux-perf)" >&2; exit 2; }
[ -f "$build/build.ninja" ] || meson setup "$build" -Dcuda=disabled
ninja -C "$build" apps/bench >/dev/null
data=$(mktemp)
trap 'rm -f "$data"' EXIT
echo "command: perf record -F 499 -o DATA $build/apps/bench --mode train --steps 2 --threads 2 $*"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
OMP_NUM_THREADS=2 perf record -q -F 499 -o "$data" "$build/apps/bench" --mode train --steps 2 --threads 2 "$@"
perf script -i "$data" -F time,ip,sym -G 2>/dev/null | /usr/bin/python3 tools/bench/profile_step.py
