#!/bin/sh
# Dinomaly training and inference, this project against Debian's PyTorch 1.13, in the same run.
#
#   tools/bench/bench_model.sh [BUILD_DIR] [--crop 224] [--batch 8] [--steps 3] [--rounds 3]
#                              [--encoder vits14] [--threads 2] [--options] [--markdown]
#
# Each round measures, one after the other and each in a fresh process: OpenBLAS sgemm
# (2048³ through numpy, the machine's matrix-product speed), our training step, PyTorch's,
# our inference, PyTorch's. The machine is shared and noisy, so the rounds interleave the two
# projects and the summary gives medians over rounds and the median of the per-round ratios.
# Peak memory is each process's ru_maxrss (one mode per process). --options adds, in each
# round, our two options (reported apart: they change what is measured): the Linear layers'
# products in bfloat16 on AMX or AVX512-BF16 (--matmul bf16), the encoder cache for training
# (--cache-encoder), and both (bf16 only where the CPU has one of the two); PyTorch stays float32.
#
# PyTorch's BLAS is Debian's OpenBLAS, which detects this processor as Prescott (SSE3) unless
# told otherwise; on AVX-512 CPUs OPENBLAS_CORETYPE=SkylakeX is set for PyTorch and numpy so that
# the peer runs at its best (set OPENBLAS_CORETYPE yourself to override).
# Needs /usr/bin/python3 with python3-torch, python3-numpy, python3-threadpoolctl.
set -eu
cd "$(dirname "$0")/../.."
build=build
case "${1:-}" in -*|"") ;; *) build=$1; shift ;; esac
crop=224 batch=8 steps=3 rounds=3 encoder=vits14 threads=2 markdown= options=
while [ $# -gt 0 ]; do
  case "$1" in
    --crop) crop=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --encoder) encoder=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --markdown) markdown=--markdown; shift ;;
    --options) options=1; shift ;;
    *) echo "bench_model.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -f "$build/build.ninja" ] || meson setup "$build" -Dcuda=disabled
ninja -C "$build" apps/bench >/dev/null
. tools/bench/openblas_env.sh
use_threads $threads
py=/usr/bin/python3
ours="$build/apps/bench --encoder $encoder --crop $crop --batch $batch --threads $threads --steps $steps"
theirs="$py tools/bench/bench_model_torch.py --encoder $encoder --crop $crop --batch $batch --threads $threads --steps $steps"
# The bf16 option needs AMX (Sapphire Rapids or newer); without it only the encoder cache runs.
bf16=
if grep -qw -e amx_bf16 -e avx512_bf16 /proc/cpuinfo; then bf16=1; elif [ -n "$options" ]; then
  echo "bench_model.sh: this CPU has neither AMX nor AVX512-BF16: --options measures the encoder cache only" >&2
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# record COMMAND...: runs it and appends its JSON line to the log, tagged with the round.
record() { "$@" | sed "s/^{/{\"round\": $r, /" >>"$log"; }
echo "command: $0 $build --encoder $encoder --crop $crop --batch $batch --steps $steps --rounds $rounds --threads $threads" >&2
r=1
while [ "$r" -le "$rounds" ]; do
  echo "round $r/$rounds" >&2
  printf 'time 2048 2048 2048 1 0 0 3\nquit\n' | $py tools/bench/bench_matmul_numpy.py |
    awk -v r="$r" 'NR == 2 { printf "{\"project\": \"sgemm\", \"round\": %d, \"gflops\": %.1f}\n", r, 3 * 2 * 2048^3 / $1 / 1e9 }' >>"$log"
  for mode in train infer; do
    record $ours --mode $mode
    record $theirs --mode $mode
  done
  if [ -n "$options" ]; then
    if [ -n "$bf16" ]; then
      record $ours --mode infer --matmul bf16
      for flags in "--matmul bf16" "--matmul bf16 --cache-encoder"; do
        record $ours --mode train $flags
      done
    fi
    record $ours --mode train --cache-encoder
  fi
  r=$((r + 1))
done
$py tools/bench/bench_model_summary.py $markdown <"$log"
