// CPU kernels of the normalisations: softmax and layer_norm over the last dimension.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12 in Eigen's AVX-512 headers
#include <Eigen/Core>

#include <cmath>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/cpu/loops.h"

namespace dn::cpu {

void softmax(const Tensor& out, const Tensor& x) {
  const int64_t n = x.size(-1), rows = x.numel() / std::max<int64_t>(n, 1);
  dispatch_float(x.dtype(), "softmax", [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    T* po = out.data<T>();
#pragma omp parallel for schedule(static) if (worth_parallel(rows, n * 8))
    for (int64_t r = 0; r < rows; ++r) {
      const T* xr = px + r * n;
      T* yr = po + r * n;
      // exp(x - max) with Eigen's vectorised exp, then the normalisation.
      using Array = Eigen::Array<T, Eigen::Dynamic, 1>;
      Eigen::Map<const Array> xa(xr, n);
      Eigen::Map<Array> ya(yr, n);
      const T mx = xa.maxCoeff();
      ya = (xa - mx).exp();
      ya *= T(1) / ya.sum();
    }
  });
}

void layer_norm(const Tensor& out, const Tensor& mean, const Tensor& rstd, const Tensor& x,
                const Tensor& weight, const Tensor& bias, double eps) {
  const int64_t n = x.size(-1), rows = x.numel() / std::max<int64_t>(n, 1);
  dispatch_float(x.dtype(), "layer_norm", [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    const T* pw = weight.defined() ? weight.data<T>() : nullptr;
    const T* pb = bias.defined() ? bias.data<T>() : nullptr;
    T* po = out.data<T>();
    T* pm = mean.data<T>();
    T* pr = rstd.data<T>();
#pragma omp parallel for schedule(static) if (worth_parallel(rows, n * 4))
    for (int64_t r = 0; r < rows; ++r) {
      const T* xr = px + r * n;
      // Two passes in double: the mean, then the biased variance around it.
      double s = 0;
#pragma omp simd reduction(+ : s)
      for (int64_t i = 0; i < n; ++i) s += xr[i];
      const double mu = s / n;
      double ss = 0;
#pragma omp simd reduction(+ : ss)
      for (int64_t i = 0; i < n; ++i) ss += (xr[i] - mu) * (xr[i] - mu);
      const double inv = 1.0 / std::sqrt(ss / n + eps);
      pm[r] = T(mu);
      pr[r] = T(inv);
      const T m = T(mu), rs = T(inv);
      T* yr = po + r * n;
      for (int64_t i = 0; i < n; ++i) {
        T y = (xr[i] - m) * rs;
        if (pw) y *= pw[i];
        if (pb) y += pb[i];
        yr[i] = y;
      }
    }
  });
}

}  // namespace dn::cpu
