// Warp- and block-level reductions used by the row kernels (reduce, softmax, layer_norm).
#pragma once
#include <cuda_runtime.h>

#include "tensor/cuda/hd.h"
#include "tensor/op_kinds.h"

namespace dn::cuda {

// sum, or max/min with NaN winning (as the CPU: a NaN anywhere makes the result NaN).
DN_HD double reduce_combine(ReduceOp op, double a, double b) {
  if (op == ReduceOp::sum) return a + b;
  if (hd::is_nan(a)) return a;
  if (hd::is_nan(b)) return b;
  if (op == ReduceOp::max) return b > a ? b : a;
  return b < a ? b : a;
}

DN_HD double reduce_identity(ReduceOp op) {
  if (op == ReduceOp::sum) return 0.0;
  const double inf = hd::float_of(0x7f800000u);
  return op == ReduceOp::max ? -inf : inf;
}

// The combination of v over the 32 lanes of a warp, in every lane.
template <class T, class Combine>
__device__ __forceinline__ T warp_all_reduce(T v, Combine combine) {
  for (int delta = 16; delta > 0; delta >>= 1) v = combine(v, __shfl_xor_sync(0xffffffffu, v, delta));
  return v;
}

// The combination of v over the whole block, returned to every thread. `scratch` holds 32
// values in shared memory; blockDim.x must be a multiple of 32. Every thread must call it.
template <class T, class Combine>
__device__ __forceinline__ T block_all_reduce(T v, Combine combine, T identity, T* scratch) {
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = blockDim.x / 32;
  v = warp_all_reduce(v, combine);
  __syncthreads();  // scratch may still be read by a previous call
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = lane < warps ? scratch[lane] : identity;
  return warp_all_reduce(v, combine);
}

}  // namespace dn::cuda
