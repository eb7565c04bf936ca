// CPU interpolation of [N, C, H, W] images: bilinear, bicubic (A = -0.75) and legacy
// nearest, with PyTorch's coordinate rules, and the adjoint of each (for the backward).
//
// Each axis is reduced to a list of taps (tensor/resample_taps.h). A 2-D output is out = sum_j wy_j * (sum_i wx_i * x[y_j, x_i]),
// the same order of operations as PyTorch's CPU kernels.
#include <cmath>
#include <vector>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/loops.h"
#include "tensor/resample_taps.h"

namespace dn::cpu {


void resample(ResampleMode mode, const Tensor& out, const Tensor& x, const ResampleGeometry& g) {
  dispatch_float(x.dtype(), "resample", [&](auto tag) {
    using T = decltype(tag);
    const auto ty = resample_taps<T>(mode, g.h), tx = resample_taps<T>(mode, g.w);
    const int64_t planes = x.size(0) * x.size(1);
    const int64_t ih = g.h.in, iw = g.w.in, oh = g.h.out, ow = g.w.out;
    const T* px = x.data<T>();
    T* po = out.data<T>();
#pragma omp parallel for schedule(static) if (worth_parallel(planes, oh * ow * 4))
    for (int64_t p = 0; p < planes; ++p) {
      const T* src = px + p * ih * iw;
      T* dst = po + p * oh * ow;
      for (int64_t y = 0; y < oh; ++y) {
        const ResampleTap<T>& a = ty[y];
        for (int64_t xo = 0; xo < ow; ++xo) {
          const ResampleTap<T>& b = tx[xo];
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
    const auto ty = resample_taps<T>(mode, g.h), tx = resample_taps<T>(mode, g.w);
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
