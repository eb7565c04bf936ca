#!/bin/sh
# The bf16 option against float32 on this CPU (AMX, else AVX512-BF16), in one run:
#  1. the matrix products at the ViT-S shapes: our float32 kernel, our bf16 kernel and OpenBLAS
#     sgemm (numpy), interleaved (bench_matmul --bf16);
#  2. the ViT-S 224 batch-8 training step and inference (apps/bench) with float32 products,
#     every Linear product in bf16, and the frozen encoder's alone in bf16, taken in turn for
#     ROUNDS rounds so that all three see the same machine.
#
#   tools/bench/bench_bf16.sh [BUILD_DIR] [ROUNDS] [STEPS]
#
# Prints JSON lines (apps/bench) and the bench_matmul table; docs/benchmarks.md quotes them.
set -eu
cd "$(dirname "$0")/../.."
. tools/bench/openblas_env.sh
build=${1:-build}
rounds=${2:-2}
steps=${3:-2}
[ -f "$build/build.ninja" ] || meson setup "$build" -Dcuda=disabled
ninja -C "$build" apps/bench_matmul apps/bench
use_threads 2
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: OMP_NUM_THREADS=2 $build/apps/bench_matmul --threads 2 --bf16 --exclude ViT-B --rounds 5"
"$build/apps/bench_matmul" --threads 2 --bf16 --exclude ViT-B --rounds 5
for r in $(seq 1 "$rounds"); do
  for matmul in fp32 bf16 bf16-encoder; do
    for mode in train infer; do
      echo "round $r: $build/apps/bench --threads 2 --encoder vits14 --crop 224 --batch 8 --steps $steps --mode $mode --matmul $matmul"
      "$build/apps/bench" --threads 2 --encoder vits14 --crop 224 --batch 8 --steps "$steps" --mode "$mode" --matmul "$matmul"
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
