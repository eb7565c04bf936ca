#!/bin/sh
# Builds and runs the matrix-product benchmark: the project's float32 matmul against
# OpenBLAS sgemm through numpy, both on 2 threads, measured in the same run.
#
#   tools/bench/bench_matmul.sh [BUILD_DIR] [bench_matmul options...]
#
# BUILD_DIR defaults to "build" (configured here when missing). Needs python3-numpy,
# libopenblas0 and python3-threadpoolctl for the OpenBLAS column (Debian's /usr/bin/python3).
# Run it on an otherwise idle machine; the figures are medians of interleaved rounds, so a
# busy machine makes them noisier but keeps the ratio roughly fair.
set -eu
cd "$(dirname "$0")/../.."
build=build
case "${1:-}" in -*|"") ;; *) build=$1; shift ;; esac
[ -f "$build/build.ninja" ] || meson setup "$build" -Dcuda=disabled
ninja -C "$build" apps/bench_matmul
echo "command: OMP_NUM_THREADS=2 $build/apps/bench_matmul --threads 2 $*"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
OMP_NUM_THREADS=2 exec "$build/apps/bench_matmul" --threads 2 "$@"
