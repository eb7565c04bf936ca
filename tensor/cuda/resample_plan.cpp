// The taps of an interpolation axis: tensor/cpu/resample.cpp's axis_taps, line for line,
// compiled with the same flags, so the GPU samples exactly where the CPU does. When the CPU
// version changes, change this one too: tests/cuda/test_kernel_logic.cpp fails until they
// agree again.
#include "tensor/cuda/resample_plan.h"

#include <algorithm>
#include <cmath>

namespace dn::cuda {

namespace {

// Cubic convolution weights (Keys, A = -0.75), as PyTorch's get_cubic_upsample_coefficients.
template <class T>
void cubic_weights(T t, T w[4]) {
  const T A = T(-0.75);
  auto near = [&](T x) { return ((A + 2) * x - (A + 3)) * x * x + 1; };
  auto far = [&](T x) { return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; };
  const T u = 1 - t;  // (1 - t) + 1, not 2 - t: the same rounding as PyTorch in float32
  w[0] = far(t + 1);
  w[1] = near(t);
  w[2] = near(u);
  w[3] = far(u + 1);
}

// PyTorch's area_pixel_compute_source_index: with align_corners, step·o in T; otherwise
// evaluated in double and rounded to T once.
template <class T>
T source_index(T step, int64_t o, bool align_corners) {
  return align_corners ? step * T(o) : T(double(step) * (double(o) + 0.5) - 0.5);
}

}  // namespace

template <class T>
std::vector<AxisTap<T>> axis_taps(ResampleMode mode, const ResampleAxis& ax) {
  std::vector<AxisTap<T>> taps(ax.out);
  const T step = ax.step<T>();
  for (int64_t o = 0; o < ax.out; ++o) {
    AxisTap<T>& t = taps[o];
    if (mode == ResampleMode::nearest) {
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
    } else {
      // The source coordinate stays in double (as the CPU backend keeps it).
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

template <class T>
AxisAdjoint<T> axis_adjoint(const std::vector<AxisTap<T>>& taps, int64_t in) {
  AxisAdjoint<T> adj;
  adj.begin.assign(in + 1, 0);
  for (const AxisTap<T>& t : taps)
    for (int k = 0; k < t.n; ++k) adj.begin[t.idx[k] + 1]++;
  for (int64_t i = 0; i < in; ++i) adj.begin[i + 1] += adj.begin[i];
  adj.out.resize(adj.begin[in]);
  adj.w.resize(adj.begin[in]);
  std::vector<int32_t> fill(adj.begin.begin(), adj.begin.end() - 1);
  for (size_t o = 0; o < taps.size(); ++o)  // outputs in order, taps in order
    for (int k = 0; k < taps[o].n; ++k) {
      const int32_t i = taps[o].idx[k];
      adj.out[fill[i]] = int32_t(o);
      adj.w[fill[i]] = taps[o].w[k];
      fill[i]++;
    }
  return adj;
}

template std::vector<AxisTap<float>> axis_taps<float>(ResampleMode, const ResampleAxis&);
template std::vector<AxisTap<double>> axis_taps<double>(ResampleMode, const ResampleAxis&);
template AxisAdjoint<float> axis_adjoint<float>(const std::vector<AxisTap<float>>&, int64_t);
template AxisAdjoint<double> axis_adjoint<double>(const std::vector<AxisTap<double>>&, int64_t);

}  // namespace dn::cuda
