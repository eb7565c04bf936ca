#!/bin/sh
# How step time and peak memory grow with crop size and batch, for both projects:
# crops 224, 280, 336, 392 × batches 1, 4, 8, 16, training step and inference, each in a fresh
# process (peak memory = its ru_maxrss), ours then PyTorch's for each configuration.
#
#   tools/bench/bench_scaling.sh [BUILD_DIR] [--crops "224 280 336 392"] [--batches "1 4 8 16"]
#
# Timed steps after one warm-up: 4 at batch 1, 2 at batch 4, 1 at batch 8 and 16 (the large
# ones take tens of seconds a step on 2 cores). One round only: on a shared machine single
# figures are noisy; tools/bench/bench_model.sh gives interleaved rounds for one configuration.
set -eu
cd "$(dirname "$0")/../.."
build=build
case "${1:-}" in -*|"") ;; *) build=$1; shift ;; esac
crops="224 280 336 392" batches="1 4 8 16"
while [ $# -gt 0 ]; do
  case "$1" in
    --crops) crops=$2; shift 2 ;;
    --batches) batches=$2; shift 2 ;;
    *) echo "bench_scaling.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -f "$build/build.ninja" ] || meson setup "$build" -Dcuda=disabled
ninja -C "$build" apps/bench >/dev/null
. tools/bench/openblas_env.sh
use_threads 2
py=/usr/bin/python3
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for crop in $crops; do
  for batch in $batches; do
    case $batch in 1) steps=4 ;; 4) steps=2 ;; *) steps=1 ;; esac
    echo "crop $crop batch $batch" >&2
    for mode in train infer; do
      "$build/apps/bench" --crop "$crop" --batch "$batch" --steps $steps --threads 2 --mode $mode >>"$log"
      $py tools/bench/bench_model_torch.py --crop "$crop" --batch "$batch" --steps $steps --threads 2 --mode $mode >>"$log"
    done
  done
done
$py tools/bench/bench_model_summary.py --scaling <"$log"
