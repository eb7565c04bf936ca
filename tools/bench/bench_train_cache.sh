#!/bin/sh
# train with and without --cache-encoder, one after the other in the same run, on the same
# data and settings: the time of a training run, and how it extrapolates to a longer one.
#
#   tools/bench/bench_train_cache.sh [BUILD_DIR] [--data ../shared/data] [--steps 250]
#                                    [--iters 2000] [--encoder vits14] [--crop 224] [--batch 8]
#
# Each run is a class-separated training (--setting separate) with random encoder weights,
# stopped after --steps steps of an --iters schedule (--stop-after: a step costs the same
# whatever the schedule). Its train.csv gives each step's time (img_s = batch / step seconds).
# The summary (tools/bench/bench_train_cache.py) extrapolates to --iters steps: without the
# cache, the mean step time × iters; with it, the first epoch as measured (every image goes
# through the encoder once) plus the mean time of the later steps × the remaining steps.
# Wall, user and system seconds and the peak RSS of each process come from /usr/bin/time.
set -eu
cd "$(dirname "$0")/../.."
build=build
case "${1:-}" in -*|"") ;; *) build=$1; shift ;; esac
data=../shared/data steps=250 iters=2000 encoder=vits14 crop=224 batch=8
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --iters) iters=$2; shift 2 ;;
    --encoder) encoder=$2; shift 2 ;;
    --crop) crop=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    *) echo "bench_train_cache.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
ninja -C "$build" apps/train >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
resize=$((crop * 8 / 7))
for mode in plain cache; do
  flags=""
  [ "$mode" = cache ] && flags="--cache-encoder"
  # exit 130: stopped by --stop-after as intended
  /usr/bin/time -f "%e %U %S %M" -o "$out/$mode.time" "$build/apps/train" --data "$data" --out "$out/$mode" \
    --setting separate --encoder "$encoder" --encoder-weights random --resize "$resize" --crop "$crop" \
    --batch "$batch" --iters "$iters" --stop-after "$steps" --threads 2 --no-eval $flags \
    2>"$out/$mode.log" || [ $? -eq 130 ] || { cat "$out/$mode.log" >&2; exit 1; }
  grep "encoder cache" "$out/$mode.log" || true
done
/usr/bin/python3 tools/bench/bench_train_cache.py "$out" "$batch" "$iters"
