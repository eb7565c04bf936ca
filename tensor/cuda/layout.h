// The index space of an elementwise kernel: a shape walked with K operands of their own
// strides (outputs first). Built on the host from tensor shapes and strides, passed to the
// kernel by value, and turned into element offsets per item on the device.
//
// Dims that are size 1 are dropped and neighbouring dims that are contiguous for every
// operand are merged (as tensor/cpu/loops.h does), so a contiguous tensor becomes one dim
// and a [rows, cols] + [cols] bias add becomes two.
#pragma once
#include <algorithm>
#include <array>

#include "tensor/cuda/hd.h"
#include "tensor/error.h"
#include "tensor/shape.h"

namespace dn::cuda {

constexpr int kMaxDims = 8;  // after merging; more is refused with a clear error

template <int K>
struct StridedLayout {
  int ndim = 0;                       // 0: a single element
  int64_t numel = 0;
  int64_t size[kMaxDims] = {};        // innermost first
  int64_t stride[K][kMaxDims] = {};   // in elements, per operand

  // Every operand walks memory contiguously in item order (offset of item i = i).
  bool dense() const {
    if (ndim == 0) return true;
    if (ndim > 1) return false;
    for (int k = 0; k < K; ++k)
      if (stride[k][0] != 1) return false;
    return true;
  }
  // Whether every item index and every offset fits in 31 bits (then the kernel's index
  // arithmetic runs in 32-bit integers, which is much faster than 64-bit division).
  bool fits_32bit() const {
    const int64_t limit = int64_t(1) << 31;
    if (numel >= limit) return false;
    for (int k = 0; k < K; ++k) {
      int64_t last = 0;
      for (int d = 0; d < ndim; ++d) last += (size[d] - 1) * stride[k][d];
      if (last >= limit) return false;
    }
    return true;
  }
};

template <int K>
StridedLayout<K> make_layout(const char* op, const Shape& shape,
                             const std::array<Shape, K>& strides) {
  StridedLayout<K> L;
  L.numel = numel_of(shape);
  for (size_t i = shape.size(); i-- > 0;) {
    if (shape[i] == 1) continue;
    bool merge = L.ndim > 0;
    for (int k = 0; k < K && merge; ++k)
      merge = strides[k][i] == L.stride[k][L.ndim - 1] * L.size[L.ndim - 1];
    if (merge) {
      L.size[L.ndim - 1] *= shape[i];
      continue;
    }
    DN_CHECK(L.ndim < kMaxDims, op, ": shape ", shape_str(shape), " has more than ", kMaxDims,
             " dims that cannot be merged; make the operands contiguous first");
    L.size[L.ndim] = shape[i];
    for (int k = 0; k < K; ++k) L.stride[k][L.ndim] = strides[k][i];
    ++L.ndim;
  }
  return L;
}

// The offsets (in elements) of item `linear` in each operand. Index is uint32_t when the
// layout fits_32bit(), int64_t otherwise.
template <int K, class Index>
DN_HD void item_offsets(const StridedLayout<K>& L, Index linear, Index (&off)[K]) {
  for (int k = 0; k < K; ++k) off[k] = 0;
#if defined(__CUDA_ARCH__)
#pragma unroll
#endif
  for (int d = 0; d < kMaxDims; ++d) {
    if (d >= L.ndim) break;
    const Index size = Index(L.size[d]);
    const Index i = linear % size;
    linear /= size;
    for (int k = 0; k < K; ++k) off[k] += i * Index(L.stride[k][d]);
  }
}

}  // namespace dn::cuda
