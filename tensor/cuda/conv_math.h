// Per-element im2col and col2im (tensor/cpu/conv.cpp's layout), for the GPU and, in tests,
// the CPU:
//   cols[n, (c*kh + i)*kw + j, y*out_w + x] = x[n, c, y*stride_h - pad_h + i, x*stride_w - pad_w + j]
// (zero outside the image). col2im gathers, for one image element, the columns that read it.
#pragma once
#include "tensor/cuda/hd.h"
#include "tensor/op_kinds.h"

namespace dn::cuda::hd {

// Plain numbers of a ConvGeometry (which has member functions the GPU cannot call).
struct ConvShape {
  int64_t batch, channels, in_h, in_w, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w,
      out_h, out_w;
};

inline ConvShape conv_shape(const ConvGeometry& g) {
  return {g.batch,    g.channels, g.in_h,  g.in_w,  g.kernel_h, g.kernel_w,
          g.stride_h, g.stride_w, g.pad_h, g.pad_w, g.out_h(),  g.out_w()};
}

// Element e of cols.
template <class T>
DN_HD T im2col_value(const T* x, const ConvShape& s, int64_t e) {
  const int64_t xo = e % s.out_w;
  int64_t r = e / s.out_w;
  const int64_t y = r % s.out_h;
  r /= s.out_h;
  const int64_t j = r % s.kernel_w;
  r /= s.kernel_w;
  const int64_t i = r % s.kernel_h;
  const int64_t plane = r / s.kernel_h;  // n * channels + c
  const int64_t iy = y * s.stride_h - s.pad_h + i, ix = xo * s.stride_w - s.pad_w + j;
  const bool inside = iy >= 0 && iy < s.in_h && ix >= 0 && ix < s.in_w;
  return inside ? x[(plane * s.in_h + iy) * s.in_w + ix] : T(0);
}

// Element e of the image: start + every column entry that im2col copied from it, added in
// the CPU's order (kernel row i, then kernel column j).
template <class T>
DN_HD T col2im_value(T start, const T* cols, const ConvShape& s, int64_t e) {
  const int64_t ix = e % s.in_w, iy = (e / s.in_w) % s.in_h, plane = e / (s.in_w * s.in_h);
  const int64_t area = s.out_h * s.out_w;
  T acc = start;
  for (int64_t i = 0; i < s.kernel_h; ++i) {
    const int64_t ty = iy + s.pad_h - i;  // = y * stride_h for the output row y that reads it
    if (ty < 0 || ty % s.stride_h != 0 || ty / s.stride_h >= s.out_h) continue;
    const int64_t y = ty / s.stride_h;
    for (int64_t j = 0; j < s.kernel_w; ++j) {
      const int64_t tx = ix + s.pad_w - j;
      if (tx < 0 || tx % s.stride_w != 0 || tx / s.stride_w >= s.out_w) continue;
      const int64_t xo = tx / s.stride_w;
      acc += cols[((plane * s.kernel_h + i) * s.kernel_w + j) * area + y * s.out_w + xo];
    }
  }
  return acc;
}

}  // namespace dn::cuda::hd
