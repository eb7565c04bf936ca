// LayerNorm's backward in one pass over the rows (see autograd/nn_ops.cpp for the formulas):
//   x̂ = (x - μ)·r,  ĝ = g ⊙ w,  dx = r·(ĝ - mean(ĝ) - x̂ ⊙ mean(ĝ ⊙ x̂)),
//   dw = Σ_rows g ⊙ x̂,  db = Σ_rows g.
// The composite takes about twelve passes (each with its own output) and four reductions;
// here each row is read once, its two means taken while it is in L1, and dw, db gathered in
// per-thread double accumulators that are added up at the end.
#include <vector>

#include <omp.h>

#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/loops.h"

namespace dn::cpu {

void layer_norm_backward(const Tensor& grad_x, const Tensor& grad_w, const Tensor& grad_b,
                         const Tensor& grad_out, const Tensor& x, const Tensor& mean,
                         const Tensor& rstd, const Tensor& weight) {
  const int64_t n = x.size(-1), rows = x.numel() / std::max<int64_t>(n, 1);
  dispatch_float(x.dtype(), "layer_norm_backward", [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    const T* pg = grad_out.data<T>();
    const T* pm = mean.data<T>();
    const T* pr = rstd.data<T>();
    const T* pw = weight.defined() ? weight.data<T>() : nullptr;
    T* gx = grad_x.defined() ? grad_x.data<T>() : nullptr;
    const bool want_w = grad_w.defined(), want_b = grad_b.defined();
    const int threads = worth_parallel(rows, 8 * n) && !omp_in_parallel() ? omp_get_max_threads() : 1;
    // per thread: dw then db, in double
    std::vector<double> acc(size_t(threads) * 2 * n, 0.0);
#pragma omp parallel num_threads(threads)
    {
      double* dw = acc.data() + size_t(omp_get_thread_num()) * 2 * n;
      double* db = dw + n;
      std::vector<T> xhat(n), ghat(n);
#pragma omp for schedule(static)
      for (int64_t r = 0; r < rows; ++r) {
        const T* xr = px + r * n;
        const T* gr = pg + r * n;
        const T mu = pm[r], rs = pr[r];
        double s1 = 0, s2 = 0;
#pragma omp simd reduction(+ : s1, s2)
        for (int64_t i = 0; i < n; ++i) {
          xhat[i] = (xr[i] - mu) * rs;
          ghat[i] = pw ? gr[i] * pw[i] : gr[i];
          s1 += ghat[i];
          s2 += ghat[i] * xhat[i];
        }
        if (gx) {
          const T m1 = T(s1) * T(1.0 / double(n)), m2 = T(s2) * T(1.0 / double(n));
          T* out = gx + r * n;
#pragma omp simd
          for (int64_t i = 0; i < n; ++i) out[i] = rs * ((ghat[i] - m1) - xhat[i] * m2);
        }
        if (want_w) {
#pragma omp simd
          for (int64_t i = 0; i < n; ++i) dw[i] += double(gr[i] * xhat[i]);
        }
        if (want_b) {
#pragma omp simd
          for (int64_t i = 0; i < n; ++i) db[i] += double(gr[i]);
        }
      }
    }
    for (int t = 1; t < threads; ++t)
      for (int64_t i = 0; i < 2 * n; ++i) acc[i] += acc[size_t(t) * 2 * n + i];
    if (want_w) {
      T* o = grad_w.data<T>();
      for (int64_t i = 0; i < n; ++i) o[i] = T(acc[i]);
    }
    if (want_b) {
      T* o = grad_b.data<T>();
      for (int64_t i = 0; i < n; ++i) o[i] = T(acc[n + i]);
    }
  });
}

}  // namespace dn::cpu
