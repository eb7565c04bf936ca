# Sourced by the benchmark scripts (from the repository root): use_threads N puts OpenBLAS
# (numpy's and PyTorch's) and OpenMP (ours and PyTorch's) on N threads. OpenBLAS 0.3.21 takes
# an AVX-512 Intel CPU for Prescott (SSE3) and runs at a fifth of its speed there, so on
# AVX-512 CPUs it is pointed at its SkylakeX kernels; elsewhere its own choice is right (on a
# CPU without AVX-512 those kernels would not run). An OPENBLAS_CORETYPE already set is kept.
use_threads() {
  export OPENBLAS_NUM_THREADS="$1" OMP_NUM_THREADS="$1"
  if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -qw avx512f /proc/cpuinfo; then
    export OPENBLAS_CORETYPE=SkylakeX
  fi
}
