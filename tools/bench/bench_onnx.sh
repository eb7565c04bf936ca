#!/bin/sh
# Inference images/s and peak memory, this project against ONNX Runtime's CPU provider on
# the same model exported by `export` (random weights: the speed does not depend on them),
# same threads, same batch, one process each:
#
#   tools/bench/bench_onnx.sh [BUILD_DIR] [--threads 2] [--steps 3] [--rounds 1] [CONFIG...]
#
# CONFIG is encoder:crop:batch (default: vits14:224:8 vitb14:392:1 vitb14:392:8). Each round
# runs, per config, ours (apps/bench --mode infer) and then ONNX Runtime (bench_ort.mjs),
# and prints both JSON lines and a summary line with the ratio (ours / ONNX Runtime) and the
# CPU seconds (user + system, all threads) each spent per batch: on a shared machine the
# wall-clock ratio moves with the load, the CPU time much less.
# Ours runs with the apps' default OpenMP wait policy (passive, apps/lib/cli.cpp); ONNX Runtime
# uses its own thread pool. Needs ONNX Runtime in .ort/ (tools/install_onnxruntime.sh) and node.
set -eu
cd "$(dirname "$0")/../.."
build=build
case "${1:-}" in -*|"") ;; *:*) ;; *) build=$1; shift ;; esac
threads=2 steps=3 rounds=1 configs=
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *:*:*) configs="$configs $1"; shift ;;
    *) echo "bench_onnx.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$configs" ] || configs="vits14:224:8 vitb14:392:1 vitb14:392:8"
[ -f .ort/node_modules/onnxruntime-node/package.json ] || sh tools/install_onnxruntime.sh
[ -f .ort/node_modules/onnxruntime-node/package.json ] || { echo "bench_onnx.sh: no ONNX Runtime in .ort/" >&2; exit 1; }
ninja -C "$build" apps/bench apps/export >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OMP_NUM_THREADS="$threads"
grep -m1 'model name' /proc/cpuinfo
for round in $(seq "$rounds"); do
  for config in $configs; do
    encoder=${config%%:*} rest=${config#*:}
    crop=${rest%%:*} batch=${rest#*:}
    model="$tmp/$encoder-$crop.onnx"
    [ -f "$model" ] || "$build/apps/export" --encoder "$encoder" --encoder-weights random --resize "$crop" \
      --crop "$crop" --out "$model" >/dev/null 2>&1
    ours=$("$build/apps/bench" --mode infer --encoder "$encoder" --crop "$crop" --batch "$batch" \
      --steps "$steps" --threads "$threads")
    theirs=$(node tools/bench/bench_ort.mjs .ort "$model" "$crop" "$batch" "$steps" "$threads")
    echo "$ours"
    echo "$theirs"
    field() { echo "$1" | sed -n "s/.*\"$2\": *\([0-9.e+-]*\).*/\1/p"; }
    awk -v r="$round" -v e="$encoder" -v c="$crop" -v b="$batch" \
        -v a="$(field "$ours" infer_img_s)" -v o="$(field "$theirs" infer_img_s)" \
        -v ma="$(field "$ours" peak_rss_mb)" -v mo="$(field "$theirs" peak_rss_mb)" \
        -v ca="$(field "$ours" infer_cpu_s)" -v co="$(field "$theirs" infer_cpu_s)" \
        'BEGIN { printf "round %s %s crop %s batch %s: ours %.3f img/s, ONNX Runtime %.3f img/s, ratio %.2fx; CPU s per batch ours %.2f, ONNX Runtime %.2f; peak RSS ours %.0f MB, ONNX Runtime %.0f MB\n", r, e, c, b, a, o, a / o, ca, co, ma, mo }'
  done
done
