// Launching kernels: the grid-stride elementwise loop every elementwise kernel uses, and
// float/double dispatch. Included by the .cu files only.
//
// To add an elementwise kernel: write a functor with
//   template <class Index> __device__ void operator()(const Index (&off)[K]) const
// that reads and writes element `off[k]` of operand k, build the layout from the operands'
// shape and strides (outputs first) and call launch_elementwise. See elementwise.cu.
#pragma once
#include <cuda_runtime.h>

#if defined(EIGEN_WORLD_VERSION)
#error "Eigen must not be included into CUDA sources: keep the CPU backend's headers out of .cu files"
#endif

#include "tensor/cuda/check.h"
#include "tensor/cuda/layout.h"
#include "tensor/cuda/runtime.h"
#include "tensor/dtype.h"

namespace dn::cuda {

constexpr int kThreads = 256;  // threads per block of the elementwise loops

template <int K, class Index, class F>
__global__ void dense_loop(Index n, F f) {
  for (Index i = Index(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += Index(blockDim.x) * gridDim.x) {
    Index off[K];
    for (int k = 0; k < K; ++k) off[k] = i;
    f(off);
  }
}

template <int K, class Index, class F>
__global__ void strided_loop(StridedLayout<K> layout, Index n, F f) {
  for (Index i = Index(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += Index(blockDim.x) * gridDim.x) {
    Index off[K];
    item_offsets(layout, i, off);
    f(off);
  }
}

// Runs f over every item of `layout` on ctx's stream; `op` names the kernel in errors.
template <int K, class F>
void launch_elementwise(const char* op, const DeviceContext& ctx, const StridedLayout<K>& layout,
                        const F& f) {
  const int64_t n = layout.numel;
  if (n == 0) return;
  const unsigned grid = grid_for(ctx, n, kThreads);
  if (layout.fits_32bit()) {
    if (layout.dense())
      dense_loop<K, uint32_t><<<grid, kThreads, 0, ctx.stream>>>(uint32_t(n), f);
    else
      strided_loop<K, uint32_t><<<grid, kThreads, 0, ctx.stream>>>(layout, uint32_t(n), f);
  } else {
    if (layout.dense())
      dense_loop<K, int64_t><<<grid, kThreads, 0, ctx.stream>>>(n, f);
    else
      strided_loop<K, int64_t><<<grid, kThreads, 0, ctx.stream>>>(layout, n, f);
  }
  check_launch(op);
}

// A plain 1-D grid-stride kernel over n items: f(i) for i in [0, n).
template <class F>
__global__ void index_loop(int64_t n, F f) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += int64_t(blockDim.x) * gridDim.x)
    f(i);
}

template <class F>
void launch_items(const char* op, const DeviceContext& ctx, int64_t n, const F& f) {
  if (n == 0) return;
  index_loop<<<grid_for(ctx, n, kThreads), kThreads, 0, ctx.stream>>>(n, f);
  check_launch(op);
}

// Calls f(float{}) or f(double{}) for a math dtype; anything else throws naming the op.
template <class F>
void dispatch_float(DType t, const char* op, F&& f) {
  switch (t) {
    case DType::f32: f(float{}); return;
    case DType::f64: f(double{}); return;
    default: fail(op, ": dtype ", dtype_name(t), " is not supported (float32 or float64 expected)");
  }
}

// Typed device pointer to a tensor's first element.
template <class T>
T* ptr(const Tensor& t) {
  return static_cast<T*>(t.data_ptr());
}

}  // namespace dn::cuda
