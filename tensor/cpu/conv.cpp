// im2col and its adjoint col2im: a 2-D convolution becomes one matrix product.
// cols[n, (c*kh + i)*kw + j, y*out_w + x] = x[n, c, y*stride_h - pad_h + i, x*stride_w - pad_w + j]
// (zero outside the image).
#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/loops.h"

namespace dn::cpu {

template <bool kToCols, class T>
static void im2col_walk(T* cols, T* x, const ConvGeometry& g) {
  const int64_t oh = g.out_h(), ow = g.out_w();
  const int64_t kk = g.kernel_h * g.kernel_w;
  // Parallel over (image, channel): each writes its own rows of cols / its own plane of x.
#pragma omp parallel for collapse(2) schedule(static) if (worth_parallel(g.batch * g.channels, kk * oh * ow))
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t c = 0; c < g.channels; ++c) {
      T* plane = x + (n * g.channels + c) * g.in_h * g.in_w;
      for (int64_t i = 0; i < g.kernel_h; ++i)
        for (int64_t j = 0; j < g.kernel_w; ++j) {
          T* row = cols + ((n * g.channels + c) * kk + i * g.kernel_w + j) * oh * ow;
          for (int64_t y = 0; y < oh; ++y) {
            const int64_t iy = y * g.stride_h - g.pad_h + i;
            for (int64_t xo = 0; xo < ow; ++xo) {
              const int64_t ix = xo * g.stride_w - g.pad_w + j;
              const bool inside = iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w;
              if constexpr (kToCols) {
                row[y * ow + xo] = inside ? plane[iy * g.in_w + ix] : T(0);
              } else {
                if (inside) plane[iy * g.in_w + ix] += row[y * ow + xo];
              }
            }
          }
        }
    }
}

void im2col(const Tensor& cols, const Tensor& x, const ConvGeometry& g) {
  dispatch_float(x.dtype(), "im2col", [&](auto tag) {
    using T = decltype(tag);
    im2col_walk<true, T>(cols.data<T>(), x.data<T>(), g);
  });
}

// x must be zero on entry; overlapping windows add up.
void col2im(const Tensor& x, const Tensor& cols, const ConvGeometry& g) {
  dispatch_float(x.dtype(), "col2im", [&](auto tag) {
    using T = decltype(tag);
    im2col_walk<false, T>(cols.data<T>(), x.data<T>(), g);
  });
}

}  // namespace dn::cpu
