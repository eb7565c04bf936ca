// Vectorised transcendental functions for the CPU kernels, on contiguous float rows.
//
// libm evaluates one element per call; here the work is done 16 floats per AVX-512
// instruction: Eigen's vectorised exp (within 2 ulp for |x| ≤ 20, 4 ulp up to ±80) plus plain loops the compiler
// vectorises. The normal CDF Φ (behind GELU) needs care: 1 + erf(x/√2) loses its relative
// accuracy for x below about -3, where erf is -1 to within a few ulp (libm's erff and
// PyTorch's vectorised erf both have this). Here Φ comes from erfc instead,
//   Φ(x) = ½·erfc(|x|/√2)  for x < 0,    Φ(x) = 1 - ½·erfc(|x|/√2)  for x ≥ 0,
// with erfc from Numerical Recipes' Chebyshev fit (Press et al., 2nd ed., §6.2, "erfcc"):
//   erfc(z) = t·exp(-z²)·exp(-1.26551223 + t·P(t)),  t = 1/(1 + z/2),  z ≥ 0,
// whose relative error is below 1.2e-7 for every z ≥ 0. The large factor exp(-z²) is where
// float rounding would hurt (z² = 50 carries an error of 4e-6 once rounded), so z² = x²/2 is
// split exactly into x·x rounded plus its rounding error (one fma), and the small part enters
// as a first-order correction. GELU and its derivative then stay within a few float ulp over
// the whole range, tails included (tests/perf checks them against libm's double erfc).
#pragma once
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12 in Eigen's AVX-512 headers
#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace dn::cpu::vec {

// Rows are processed in chunks that stay in L1 between the steps of a formula. The steps are
// plain loops, which the compiler vectorises, except exp, which is Eigen's. (Eigen 3.4's
// select() is not vectorised, so branches are written as loops.)
constexpr int64_t kChunk = 256;

// exp of n floats (n <= kChunk), in place
inline void exp_in_place(float* v, int64_t n) {
  Eigen::Map<Eigen::ArrayXf> a(v, n);
  a = a.exp();
}

// The polynomial of the erfc fit at t = 1/(1 + z/2), z = |x|/√2, in double: in float its
// rounding errors alone would reach 8 ulp. Returns t through `t_out`.
inline double erfc_fit(float x, double& t_out) {
  const double inv_sqrt2 = 0.70710678118654752440;
  // t = 1/d: a float division (a double one costs twice as much) and one Newton step in
  // double, which doubles its 24 correct bits
  const double d = 1.0 + 0.5 * inv_sqrt2 * double(std::abs(x));
  double t = double(1.0f / float(d));
  t = t * (2.0 - d * t);
  double p = t * 0.17087277 - 0.82215223;
  p = t * p + 1.48851587;
  p = t * p - 1.13520398;
  p = t * p + 0.27886807;
  p = t * p - 0.18628806;
  p = t * p + 0.09678418;
  p = t * p + 0.37409196;
  p = t * p + 1.00002368;
  p = t * p - 1.26551223;
  t_out = t;
  return p;
}

// For x[0..n): tail = Φ(-|x|) = ½·erfc(|x|/√2) and gauss = exp(-x²/2) (two exps).
inline void normal_tail(const float* x, int64_t n, float* tail, float* gauss) {
  alignas(64) float t[kChunk], correction[kChunk];
#pragma omp simd
  for (int64_t j = 0; j < n; ++j) {
    const float a = std::abs(x[j]);
    const float sq = a * a, sq_error = std::fma(a, a, -sq);  // a² = sq + sq_error exactly
    double u;
    tail[j] = float(erfc_fit(x[j], u));
    t[j] = float(u);
    gauss[j] = -0.5f * sq;                   // exact: a halving
    correction[j] = 1.0f - 0.5f * sq_error;  // exp(-sq_error/2), to first order
  }
  exp_in_place(gauss, n);
  exp_in_place(tail, n);
#pragma omp simd
  for (int64_t j = 0; j < n; ++j) {
    gauss[j] *= correction[j];
    tail[j] *= 0.5f * t[j] * gauss[j];
  }
}

// tail = Φ(-|x|) alone, with one exp: exp(-x²/2 + P) where the sum of the exact -sq/2 and
// the polynomial is formed with its rounding error (Knuth's two-sum), which joins the small
// parts in a first-order correction.
inline void normal_tail(const float* x, int64_t n, float* tail) {
  alignas(64) float scale[kChunk];
#pragma omp simd
  for (int64_t j = 0; j < n; ++j) {
    const float a = std::abs(x[j]);
    const float sq = a * a, sq_error = std::fma(a, a, -sq);
    double u;
    const float p = float(erfc_fit(x[j], u));
    const float hi = -0.5f * sq;
    const float s = hi + p, back = s - hi;
    const float sum_error = (hi - (s - back)) + (p - back);  // hi + p = s + sum_error exactly
    tail[j] = s;
    scale[j] = 0.5f * float(u) * (1.0f + (sum_error - 0.5f * sq_error));
  }
  exp_in_place(tail, n);
#pragma omp simd
  for (int64_t j = 0; j < n; ++j) tail[j] *= scale[j];
}

// Calls f(begin, length) for consecutive chunks of [0, n).
template <class F>
inline void for_chunks(int64_t n, F&& f) {
  for (int64_t i = 0; i < n; i += kChunk) f(i, std::min(kChunk, n - i));
}

// out = x·Φ(x) (the exact GELU)
inline void gelu(float* out, const float* x, int64_t n) {
  for_chunks(n, [&](int64_t i, int64_t m) {
    alignas(64) float tail[kChunk];
    normal_tail(x + i, m, tail);
#pragma omp simd
    for (int64_t j = 0; j < m; ++j) {
      const float v = x[i + j];
      out[i + j] = v * (v >= 0 ? 1.0f - tail[j] : tail[j]);
    }
  });
}

// out = Φ(x) + x·φ(x), the derivative of GELU, with φ(x) = exp(-x²/2)/√(2π)
inline void gelu_grad_factor(float* out, const float* x, int64_t n) {
  const float inv_sqrt_2pi = 0.39894228040143267794f;
  for_chunks(n, [&](int64_t i, int64_t m) {
    alignas(64) float tail[kChunk], gauss[kChunk];
    normal_tail(x + i, m, tail, gauss);
#pragma omp simd
    for (int64_t j = 0; j < m; ++j) {
      const float v = x[i + j];
      out[i + j] = (v >= 0 ? 1.0f - tail[j] : tail[j]) + v * inv_sqrt_2pi * gauss[j];
    }
  });
}

}  // namespace dn::cpu::vec
