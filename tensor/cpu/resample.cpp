// CPU interpolation of [N, C, H, W] images: bilinear, bicubic (A = -0.75) and legacy
// nearest, with PyTorch's coordinate rules, and the adjoint of each (for the backward).
//
// Each axis is reduced to a list of taps: output position o reads input positions idx[0..n)
// with weights w[0..n). A 2-D output is out = sum_j wy_j * (sum_i wx_i * x[y_j, x_i]),
// the same order of operations as PyTorch's CPU kernels.
#include <cmath>
#include <vector>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/loops.h"

namespace dn::cpu {

namespace {

template <class T>
struct Taps {
  int64_t idx[4];
  T w[4];
  int n;
};

// Cubic convolution weights (Keys, A = -0.75), as PyTorch's get_cubic_upsample_coefficients.
template <class T>
void cubic_weights(T t, T w[4]) {
  const T A = T(-0.75);
  auto near = [&](T x) { return ((A + 2) * x - (A + 3)) * x * x + 1; };         // |x| <= 1
  auto far = [&](T x) { return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; };    // 1 < |x| < 2
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

template <class T>
std::vector<Taps<T>> axis_taps(ResampleMode mode, const ResampleAxis& ax) {
  std::vector<Taps<T>> taps(ax.out);
  const T step = ax.step<T>();
  for (int64_t o = 0; o < ax.out; ++o) {
    Taps<T>& t = taps[o];
    if (mode == ResampleMode::nearest) {
      // Legacy nearest: floor(o * in/out), in float whatever the tensor's dtype.
      int64_t i;
      if (ax.out == ax.in) i = o;
      else if (ax.out == 2 * ax.in) i = o >> 1;
      else i = std::min<int64_t>(int64_t(std::floor(float(o) * ax.step<float>())), ax.in - 1);
      t.n = 1;
      t.idx[0] = i;
      t.w[0] = 1;
    } else if (mode == ResampleMode::bilinear) {
      T real = std::max(source_index(step, o, ax.align_corners), T(0));
      int64_t i0 = std::min<int64_t>(int64_t(std::floor(real)), ax.in - 1);
      T lambda = std::min(std::max(real - T(i0), T(0)), T(1));
      t.n = 2;
      t.idx[0] = i0;
      t.idx[1] = i0 + (i0 < ax.in - 1 ? 1 : 0);
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
        t.idx[k] = std::min<int64_t>(std::max<int64_t>(int64_t(fl) - 1 + k, 0), ax.in - 1);
    }
  }
  return taps;
}

}  // namespace

void resample(ResampleMode mode, const Tensor& out, const Tensor& x, const ResampleGeometry& g) {
  dispatch_float(x.dtype(), "resample", [&](auto tag) {
    using T = decltype(tag);
    const auto ty = axis_taps<T>(mode, g.h), tx = axis_taps<T>(mode, g.w);
    const int64_t planes = x.size(0) * x.size(1);
    const int64_t ih = g.h.in, iw = g.w.in, oh = g.h.out, ow = g.w.out;
    const T* px = x.data<T>();
    T* po = out.data<T>();
#pragma omp parallel for schedule(static) if (worth_parallel(planes, oh * ow * 4))
    for (int64_t p = 0; p < planes; ++p) {
      const T* src = px + p * ih * iw;
      T* dst = po + p * oh * ow;
      for (int64_t y = 0; y < oh; ++y) {
        const Taps<T>& a = ty[y];
        for (int64_t xo = 0; xo < ow; ++xo) {
          const Taps<T>& b = tx[xo];
          T acc = 0;
          for (int j = 0; j < a.n; ++j) {
            const T* rowp = src + a.idx[j] * iw;
            T inner = 0;
            for (int i = 0; i < b.n; ++i) inner += b.w[i] * rowp[b.idx[i]];
            acc += a.w[j] * inner;
          }
          dst[y * ow + xo] = acc;
        }
      }
    }
  });
}

// grad_x must be zero on entry.
void resample_backward(ResampleMode mode, const Tensor& grad_x, const Tensor& grad_out,
                       const ResampleGeometry& g) {
  dispatch_float(grad_x.dtype(), "resample_backward", [&](auto tag) {
    using T = decltype(tag);
    const auto ty = axis_taps<T>(mode, g.h), tx = axis_taps<T>(mode, g.w);
    const int64_t planes = grad_x.size(0) * grad_x.size(1);
    const int64_t ih = g.h.in, iw = g.w.in, oh = g.h.out, ow = g.w.out;
    T* gx = grad_x.data<T>();
    const T* go = grad_out.data<T>();
#pragma omp parallel for schedule(static) if (worth_parallel(planes, oh * ow * 4))
    for (int64_t p = 0; p < planes; ++p) {
      T* dst = gx + p * ih * iw;
      const T* src = go + p * oh * ow;
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t xo = 0; xo < ow; ++xo) {
          const T gval = src[y * ow + xo];
          for (int j = 0; j < ty[y].n; ++j)
            for (int i = 0; i < tx[xo].n; ++i)
              dst[ty[y].idx[j] * iw + tx[xo].idx[i]] += ty[y].w[j] * tx[xo].w[i] * gval;
        }
    }
  });
}

}  // namespace dn::cpu
