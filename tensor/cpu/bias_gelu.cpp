// Fused epilogues of a Linear layer (tensor/backend.def): the bias added in place to the
// product, with or without the GELU that follows it, and GELU's backward in one pass.
//
// The composite writes a new tensor for each step (x·Wᵀ, + b, gelu, then gelu'(h) and g⊙gelu'
// in the backward); each is a full pass over an activation that no longer fits in cache
// ([2088, 1536] floats = 12.8 MB for ViT-S at batch 8). Here each row is finished while it is
// in L1: bias added, GELU applied (tensor/cpu/vector_math.h).
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/loops.h"
#include "tensor/cpu/vector_math.h"
#include "tensor/scalar_math.h"

namespace dn::cpu {

namespace {

// Rows of a contiguous [rows, n] tensor, spread over the threads when there are enough.
template <class F>
void for_each_row_of(int64_t rows, int64_t n, F&& f) {
#pragma omp parallel for schedule(static) if (worth_parallel(rows, n))
  for (int64_t r = 0; r < rows; ++r) f(r);
}

template <class T>
void gelu_row(T* y, const T* h, int64_t n) {
  if constexpr (std::is_same_v<T, float>) {
    vec::gelu(y, h, n);
  } else {
    for (int64_t i = 0; i < n; ++i) y[i] = unary_apply<T>(UnaryOp::gelu, h[i], T(0));
  }
}

}  // namespace

void add_bias(const Tensor& out, const Tensor& bias) {
  const int64_t n = bias.numel(), rows = out.numel() / n;
  dispatch_float(out.dtype(), "add_bias", [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data<T>();
    const T* b = bias.data<T>();
    for_each_row_of(rows, n, [&](int64_t r) {
      T* row = o + r * n;
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) row[i] += b[i];
    });
  });
}

void bias_gelu(const Tensor& y, const Tensor& h, const Tensor& bias) {
  const int64_t n = h.size(-1), rows = h.numel() / n;
  dispatch_float(h.dtype(), "bias_gelu", [&](auto tag) {
    using T = decltype(tag);
    T* ph = h.data<T>();
    T* py = y.data<T>();
    const T* b = bias.defined() ? bias.data<T>() : nullptr;
    for_each_row_of(rows, n, [&](int64_t r) {
      T* hr = ph + r * n;
      if (b) {
#pragma omp simd
        for (int64_t i = 0; i < n; ++i) hr[i] += b[i];
      }
      gelu_row<T>(py + r * n, hr, n);  // y may be h itself
    });
  });
}

void gelu_backward(const Tensor& grad_x, const Tensor& grad_y, const Tensor& x) {
  const int64_t n = x.size(-1), rows = x.numel() / std::max<int64_t>(n, 1);
  dispatch_float(x.dtype(), "gelu_backward", [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    const T* pg = grad_y.data<T>();
    T* out = grad_x.data<T>();
    for_each_row_of(rows, n, [&](int64_t r) {
      T* o = out + r * n;
      const T* xr = px + r * n;
      const T* gr = pg + r * n;
      if constexpr (std::is_same_v<T, float>) {
        vec::gelu_grad_factor(o, xr, n);
      } else {
        for (int64_t i = 0; i < n; ++i) o[i] = unary_apply<T>(UnaryOp::gelu_grad_factor, xr[i], T(0));
      }
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) o[i] *= gr[i];
    });
  });
}

}  // namespace dn::cpu
