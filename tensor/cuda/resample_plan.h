// The plan of an interpolation on the GPU, made on the host: for each output row and column
// the input positions it reads and their weights ("taps"), computed by the same formulas,
// in the same precision, as tensor/cpu/resample.cpp, so both backends sample the same
// points with the same weights. For the backward, the taps are inverted: for each input
// position, the (output position, weight) pairs that read it.
//
// The per-element functions are DN_HD: the kernels in resample.cu call them, and so do the
// CPU-side tests.
#pragma once
#include <cstdint>
#include <vector>

#include "tensor/cuda/hd.h"
#include "tensor/op_kinds.h"
#include "tensor/resample_taps.h"

namespace dn::cuda {

// The taps of tensor/resample_taps.h: the CPU backend's, shared.
template <class T>
using AxisTap = ResampleTap<T>;

// Defined in resample_plan.cpp, a host .cpp compiled with the CPU backend's flags, so the
// taps are the CPU's to the last bit (nvcc's host pass may contract a*b+c differently).
template <class T>
std::vector<AxisTap<T>> axis_taps(ResampleMode mode, const ResampleAxis& axis);

// The taps turned around: input position i is read by outputs out[begin[i] .. begin[i+1])
// with weights w[...], ordered by output position, then by tap (the CPU backward's order).
template <class T>
struct AxisAdjoint {
  std::vector<int32_t> begin, out;
  std::vector<T> w;
};
template <class T>
AxisAdjoint<T> axis_adjoint(const std::vector<AxisTap<T>>& taps, int64_t in);

namespace hd {

// One output value: sum_j wy_j * (sum_i wx_i * x[y_j, x_i]), in the CPU's order.
template <class T>
DN_HD T resample_point(const T* plane, int64_t in_w, const AxisTap<T>& ty, const AxisTap<T>& tx,
                       bool fused) {
  T acc = 0;
  for (int j = 0; j < ty.n; ++j) {
    const T* row = plane + int64_t(ty.idx[j]) * in_w;
    T inner = 0;
    for (int i = 0; i < tx.n; ++i) inner = madd(fused, tx.w[i], row[tx.idx[i]], inner);
    acc = madd(fused, ty.w[j], inner, acc);
  }
  return acc;
}

// The gradient reaching input (iy, ix): start + sum over the outputs that read it of
// wy * wx * grad_out, added in the CPU backward's order (output row, output column, tap).
template <class T>
DN_HD T resample_adjoint_point(T start, const T* grad_plane, int64_t out_w,
                               const int32_t* h_out, const T* h_w, int32_t h_begin, int32_t h_end,
                               const int32_t* w_out, const T* w_w, int32_t w_begin, int32_t w_end,
                               bool fused) {
  T acc = start;
  for (int32_t a = h_begin; a < h_end;) {
    int32_t a_end = a;
    while (a_end < h_end && h_out[a_end] == h_out[a]) ++a_end;  // taps of one output row
    for (int32_t b = w_begin; b < w_end;) {
      int32_t b_end = b;
      while (b_end < w_end && w_out[b_end] == w_out[b]) ++b_end;  // ... and output column
      const T g = grad_plane[int64_t(h_out[a]) * out_w + w_out[b]];
      for (int32_t ja = a; ja < a_end; ++ja)
        for (int32_t ib = b; ib < b_end; ++ib) acc = madd(fused, mul_rn(h_w[ja], w_w[ib]), g, acc);
      b = b_end;
    }
    a = a_end;
  }
  return acc;
}

}  // namespace hd
}  // namespace dn::cuda
