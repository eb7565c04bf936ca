#!/bin/sh
# Where inference time goes, ours against ONNX Runtime's, per kind of work (matrix products,
# attention, LayerNorm, GELU, copies, fresh memory, ...), in ms per batch and share:
#
#   tools/bench/profile_infer.sh [BUILD_DIR] [--threads 2] [--steps 2] [ENCODER:CROP:BATCH]
#
# (default vits14:224:8). Ours: `apps/bench --mode infer` sampled by Linux perf (all threads,
# 999 Hz, kernel included), only the samples of the timed batches (the bench prints their
# CLOCK_MONOTONIC span, perf stamps with the same clock), shared out by symbol name. ONNX
# Runtime: its own profiler on the model `export` writes (tools/bench/profile_ort.mjs), the
# nodes' kernel times by operator type. The sorting of both into kinds is
# tools/bench/profile_infer.py. Needs perf (Debian's linux-perf; kernel samples need root or
# kernel.perf_event_paranoid <= 1), node and ONNX Runtime in .ort/
# (tools/install_onnxruntime.sh). The two run one after the other, not at once; on a shared
# machine say the load average beside the figures.
set -eu
cd "$(dirname "$0")/../.."
build=build
case "${1:-}" in -*|"") ;; *:*) ;; *) build=$1; shift ;; esac
threads=2 steps=2 config=vits14:224:8
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    *:*:*) config=$1; shift ;;
    *) echo "profile_infer.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
command -v perf >/dev/null || { echo "profile_infer.sh: perf not found (apt-get install linux-perf)" >&2; exit 2; }
[ -f .ort/node_modules/onnxruntime-node/package.json ] || sh tools/install_onnxruntime.sh
[ -f .ort/node_modules/onnxruntime-node/package.json ] || { echo "profile_infer.sh: no ONNX Runtime in .ort/" >&2; exit 1; }
ninja -C "$build" apps/bench apps/export >/dev/null
encoder=${config%%:*} rest=${config#*:}
crop=${rest%%:*} batch=${rest#*:}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OMP_NUM_THREADS="$threads"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/apps/export" --encoder "$encoder" --encoder-weights random --resize "$crop" --crop "$crop" \
  --out "$tmp/model.onnx" >/dev/null 2>&1
echo "ours: perf record -k CLOCK_MONOTONIC -F 999 $build/apps/bench --mode infer --encoder $encoder --crop $crop --batch $batch --steps $steps --threads $threads"
perf record -q -k CLOCK_MONOTONIC -F 999 -o "$tmp/perf.data" "$build/apps/bench" --mode infer --encoder "$encoder" \
  --crop "$crop" --batch "$batch" --steps "$steps" --threads "$threads" >"$tmp/ours.json"
echo "ONNX Runtime: node tools/bench/profile_ort.mjs .ort MODEL $crop $batch $steps $threads"
node tools/bench/profile_ort.mjs .ort "$tmp/model.onnx" "$crop" "$batch" "$steps" "$threads" >"$tmp/ort.json"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
perf script -i "$tmp/perf.data" -F tid,time,ip,sym -G 2>/dev/null |
  /usr/bin/python3 tools/bench/profile_infer.py "$tmp/ours.json" "$tmp/ort.json"
