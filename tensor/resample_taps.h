// The taps of one interpolation axis: output position o reads input positions idx[0..n)
// with weights w[0..n). Computed on the host, in the kernel's precision T, with PyTorch's
// coordinate rules; both backends use these same taps (the CPU kernels directly, the CUDA
// backend as its upload plan), so they sample the same points with the same weights.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "tensor/op_kinds.h"

namespace dn {

template <class T>
struct ResampleTap {
  int32_t idx[4];
  T w[4];
  int32_t n;
};

namespace resample_detail {

// Cubic convolution weights (Keys, A = -0.75), as PyTorch's get_cubic_upsample_coefficients.
template <class T>
void cubic_weights(T t, T w[4]) {
  const T A = T(-0.75);
  auto near = [&](T x) { return ((A + 2) * x - (A + 3)) * x * x + 1; };       // |x| <= 1
  auto far = [&](T x) { return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; };  // 1 < |x| < 2
  const T u = 1 - t;  // (1 - t) + 1, not 2 - t: the same rounding as PyTorch in float32
  w[0] = far(t + 1);
  w[1] = near(t);
  w[2] = near(u);
  w[3] = far(u + 1);
}

// PyTorch's area_pixel_compute_source_index: with align_corners, step·o in T; otherwise
// step·(o + 0.5) - 0.5, where `o + 0.5` is a double, so the expression is evaluated in
// double and rounded to T once (float32 maps depend on that last bit).
template <class T>
T source_index(T step, int64_t o, bool align_corners) {
  return align_corners ? step * T(o) : T(double(step) * (double(o) + 0.5) - 0.5);
}

}  // namespace resample_detail

template <class T>
std::vector<ResampleTap<T>> resample_taps(ResampleMode mode, const ResampleAxis& ax) {
  using namespace resample_detail;
  std::vector<ResampleTap<T>> taps(ax.out);
  const T step = ax.step<T>();
  for (int64_t o = 0; o < ax.out; ++o) {
    ResampleTap<T>& t = taps[o];
    if (mode == ResampleMode::nearest) {
      // Legacy nearest: floor(o · in/out), in float whatever the tensor's dtype.
      int64_t i;
      if (ax.out == ax.in) i = o;
      else if (ax.out == 2 * ax.in) i = o >> 1;
      else i = std::min<int64_t>(int64_t(std::floor(float(o) * ax.step<float>())), ax.in - 1);
      t.n = 1;
      t.idx[0] = int32_t(i);
      t.w[0] = 1;
    } else if (mode == ResampleMode::bilinear) {
      T real = std::max(source_index(step, o, ax.align_corners), T(0));
      int64_t i0 = std::min<int64_t>(int64_t(std::floor(real)), ax.in - 1);
      T lambda = std::min(std::max(real - T(i0), T(0)), T(1));
      t.n = 2;
      t.idx[0] = int32_t(i0);
      t.idx[1] = int32_t(i0 + (i0 < ax.in - 1 ? 1 : 0));
      t.w[0] = T(1) - lambda;
      t.w[1] = lambda;
    } else {  // bicubic: no clamp of the source coordinate; taps clamped to the image
      // The source coordinate stays in double here: PyTorch's float32 bicubic agrees with
      // that more closely than with a coordinate rounded to float (measured: 2e-6 vs 1e-5).
      const double real = ax.align_corners ? double(step) * double(o)
                                           : double(step) * (double(o) + 0.5) - 0.5;
      const double fl = std::floor(real);
      cubic_weights<T>(T(real - fl), t.w);
      t.n = 4;
      for (int k = 0; k < 4; ++k)
        t.idx[k] = int32_t(std::min<int64_t>(std::max<int64_t>(int64_t(fl) - 1 + k, 0), ax.in - 1));
    }
  }
  return taps;
}

}  // namespace dn
