// CUDA interpolation of [N, C, H, W] images (bilinear, bicubic, nearest) and its adjoint.
// The taps are planned on the host exactly as the CPU plans them (resample_plan.h) and
// copied to the device; one thread per output value (forward) or per input value
// (backward, gathering from the outputs that read it: no atomics, the CPU's order).
#include "tensor/cuda/cuda_backend.h"
#include "tensor/cuda/device_buffer.h"
#include "tensor/cuda/host_flags.h"
#include "tensor/cuda/launch.cuh"
#include "tensor/cuda/resample_plan.h"

namespace dn::cuda {

namespace {

template <class T>
struct Forward {
  const T* x;
  T* out;
  const AxisTap<T>* ty;
  const AxisTap<T>* tx;
  int64_t in_h, in_w, out_h, out_w;
  bool fused;
  __device__ void operator()(int64_t e) const {
    const int64_t xo = e % out_w, y = (e / out_w) % out_h, p = e / (out_w * out_h);
    out[e] = hd::resample_point(x + p * in_h * in_w, in_w, ty[y], tx[xo], fused);
  }
};

template <class T>
struct Backward {
  T* grad_x;
  const T* grad_out;
  const int32_t *h_begin, *h_out, *w_begin, *w_out;
  const T *h_w, *w_w;
  int64_t in_h, in_w, out_h, out_w;
  bool fused;
  __device__ void operator()(int64_t e) const {
    const int64_t ix = e % in_w, iy = (e / in_w) % in_h, p = e / (in_w * in_h);
    grad_x[e] = hd::resample_adjoint_point(grad_x[e], grad_out + p * out_h * out_w, out_w, h_out,
                                           h_w, h_begin[iy], h_begin[iy + 1], w_out, w_w,
                                           w_begin[ix], w_begin[ix + 1], fused);
  }
};

}  // namespace

void resample(ResampleMode mode, const Tensor& out, const Tensor& x, const ResampleGeometry& g) {
  const char* op = "interpolate";
  const DeviceContext& ctx = context_of(out, op);
  dispatch_float(x.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    HostTables tables;
    const size_t ty = tables.add(axis_taps<T>(mode, g.h)), tx = tables.add(axis_taps<T>(mode, g.w));
    tables.send(ctx, op);
    launch_items(op, ctx, out.numel(),
                 Forward<T>{ptr<const T>(x), ptr<T>(out), tables.at<AxisTap<T>>(ty),
                            tables.at<AxisTap<T>>(tx), g.h.in, g.w.in, g.h.out, g.w.out,
                            cpu_fuses_multiply_add()});
  });
}

// grad_x holds zeros (or a gradient to add to) on entry.
void resample_backward(ResampleMode mode, const Tensor& grad_x, const Tensor& grad_out,
                       const ResampleGeometry& g) {
  const char* op = "interpolate_backward";
  const DeviceContext& ctx = context_of(grad_x, op);
  dispatch_float(grad_x.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    const AxisAdjoint<T> ah = axis_adjoint(axis_taps<T>(mode, g.h), g.h.in);
    const AxisAdjoint<T> aw = axis_adjoint(axis_taps<T>(mode, g.w), g.w.in);
    HostTables t;
    const size_t hb = t.add(ah.begin), ho = t.add(ah.out), hw = t.add(ah.w);
    const size_t wb = t.add(aw.begin), wo = t.add(aw.out), ww = t.add(aw.w);
    t.send(ctx, op);
    launch_items(op, ctx, grad_x.numel(),
                 Backward<T>{ptr<T>(grad_x), ptr<const T>(grad_out), t.at<int32_t>(hb),
                             t.at<int32_t>(ho), t.at<int32_t>(wb), t.at<int32_t>(wo), t.at<T>(hw),
                             t.at<T>(ww), g.h.in, g.w.in, g.h.out, g.w.out,
                             cpu_fuses_multiply_add()});
  });
}

}  // namespace dn::cuda
