// CUDA im2col and its adjoint col2im: a 2-D convolution becomes one matrix product.
// One thread per element of the output (im2col: of cols; col2im: of the image, gathering
// from the columns, so no two threads write one element).
#include "tensor/cuda/conv_math.h"
#include "tensor/cuda/cuda_backend.h"
#include "tensor/cuda/launch.cuh"

namespace dn::cuda {

namespace {

template <class T>
struct Im2col {
  const T* x;
  T* cols;
  hd::ConvShape s;
  __device__ void operator()(int64_t e) const { cols[e] = hd::im2col_value(x, s, e); }
};

template <class T>
struct Col2im {
  const T* cols;
  T* x;
  hd::ConvShape s;
  __device__ void operator()(int64_t e) const { x[e] = hd::col2im_value(x[e], cols, s, e); }
};

}  // namespace

void im2col(const Tensor& cols, const Tensor& x, const ConvGeometry& g) {
  const char* op = "im2col";
  const DeviceContext& ctx = context_of(cols, op);
  dispatch_float(x.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    launch_items(op, ctx, cols.numel(), Im2col<T>{ptr<const T>(x), ptr<T>(cols), hd::conv_shape(g)});
  });
}

// x holds zeros (or values to add to) on entry; overlapping windows add up.
void col2im(const Tensor& x, const Tensor& cols, const ConvGeometry& g) {
  const char* op = "col2im";
  const DeviceContext& ctx = context_of(x, op);
  dispatch_float(x.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    launch_items(op, ctx, x.numel(), Col2im<T>{ptr<const T>(cols), ptr<T>(x), hd::conv_shape(g)});
  });
}

}  // namespace dn::cuda
