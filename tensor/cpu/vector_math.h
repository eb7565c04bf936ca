// Vectorised GELU and its derivative for the CPU kernels, on contiguous float rows: 16 floats
// per AVX-512 instruction (8 with AVX2 + FMA), every step in float with fused multiply-adds
// written out (tensor/cpu/lanes.h; the build's -ffp-contract=off never fuses on its own).
//
// GELU is the exact one, x·Φ(x), with Φ the normal CDF (PyTorch's nn.GELU() default). The
// plain 1 + erf(x/√2) loses its relative accuracy for x below about -3, where erf is -1 to
// within a few ulp (libm's erff and PyTorch's vectorised erf both have this). Here Φ comes
// from erfc instead,
//   Φ(x) = ½·erfc(|x|/√2)  for x < 0,    Φ(x) = 1 - ½·erfc(|x|/√2)  for x ≥ 0,
// with erfc from Numerical Recipes' Chebyshev fit (Press et al., 2nd ed., §6.2, "erfcc"):
//   erfc(z) = t·exp(-z² + P(t)),  t = 1/(1 + z/2),  z ≥ 0,  P of degree 9,
// whose relative error is below 1.2e-7 for every z ≥ 0. With a = |x| (z² = a²/2):
//   Φ(-a) = ½·t·exp(-a²/2 + P(t)),  t = 1/(1 + c·a),  c = 1/(2√2).
// A relative error in Φ(-a) is an absolute error in the exponent, and the exponent reaches
// -129 (a = 16), where one float rounding is 8e-6; so every part of it is carried as a float
// plus its rounding error, and the small parts enter as one first-order factor (1 + δ):
//   * a² = sq + sq_err exactly (one fma);
//   * 1 + c·a = d + d_lo (c itself as c_hi + c_lo), t = 1/d rounded, and its residual
//     ρ = 1 - (d + d_lo)·t (one fma, exact), so that the exact t is t·(1 + ρ) to first order,
//     which moves P by P'(t)·t·ρ;
//   * -sq/2 + P = s + s_err (Knuth's two-sum).
// So Φ(-a) = ½·t·exp(s)·(1 + ρ + s_err - sq_err/2 + P'(t)·t·ρ), with exp evaluated in float:
// n = round(s/ln 2), r = s - n·ln 2 (ln 2 in two parts, two fmas), Cephes' degree-6 polynomial
// for exp(r) on |r| ≤ ln 2/2, and 2ⁿ applied in two exact steps so that a result below the
// normal range is rounded once. P itself is evaluated by Horner's rule in float (with fmas).
// GELU stays within 5 ulp, its derivative within 3 ulp of its larger term, of libm's double
// erfc over the whole float line (tests/perf/test_vector_math.cpp).
//
// Beyond |x| = 16, Φ(-|x|) < 1e-57 is 0 in float, so |x| is clamped to 16 inside the formula:
// GELU(x) = x for x > 16, -0 for x < -16 (and for -inf, the limit), GELU'(±inf) = 1 and 0;
// NaN stays NaN.
#pragma once
#include <cstdint>

#include "tensor/cpu/lanes.h"

namespace dn::cpu::vec {

// exp(s) = y·2ⁿ for s in [-138, 88] (2⁻²⁰⁰ and 2¹²⁷ bound the scaling), y in [0.7, 1.42]
// within about 1 ulp; the caller multiplies its factors into y before scale_pow2(y, n), so that
// a result below the normal range is rounded once, at the end.
template <class V>
struct Exp {
  V y, n;

  Exp() = default;
  explicit Exp(V s) {
    n = round(s * V(1.44269504088896341f));
    V r = fma(n, V(-0.693145751953125f), s);  // ln 2 = 0.693145751953125 + 1.4286068e-6
    r = fma(n, V(-1.428606820309417232e-06f), r);
    V p = V(1.9875691500e-4f);
    p = fma(p, r, V(1.3981999507e-3f));
    p = fma(p, r, V(8.3334519073e-3f));
    p = fma(p, r, V(4.1665795894e-2f));
    p = fma(p, r, V(1.6666665459e-1f));
    p = fma(p, r, V(5.0000001201e-1f));
    y = fma(p, r * r, r) + V(1.0f);
  }
  V times(V factor) const { return scale_pow2(factor * y, n); }
};

// Φ(-a) = factor·exp(s) and the parts of the Gaussian exp(-a²/2), for a = min(|x|, 16) (see
// the top); tail(m) = m·Φ(-a), the product formed before the scaling by 2ⁿ.
template <class V>
struct NormalTail {
  V half_sq;   // -a²/2 rounded (exact: a halving of the rounded a²)
  V gauss_lo;  // 1 - sq_err/2: exp(-a²/2) = exp(half_sq)·gauss_lo to first order
  V factor;    // ½·t·(1 + δ)
  Exp<V> e;    // exp(s), s = -a²/2 + P(t) rounded

  explicit NormalTail(V x) {
    const V a = min(V(16.0f), abs(x));  // NaN becomes 16 here and comes back through x
    const V sq = a * a, sq_err = fma(a, a, V(0.0f) - sq);
    half_sq = V(-0.5f) * sq;
    gauss_lo = fma(V(-0.5f), sq_err, V(1.0f));
    // d + d_lo = 1 + c·a, c = 1/(2√2) = c_hi + c_lo
    const V c_hi = V(0.3535533845424652f), c_lo = V(6.0508087e-09f);
    const V d = fma(a, c_hi, V(1.0f));
    V d_lo = fma(a, c_hi, V(1.0f) - d);  // 1 - d is exact (d ≥ 1)
    d_lo = fma(a, c_lo, d_lo);
    const V t = V(1.0f) / d;
    const V rho = fma(V(0.0f) - d, t, V(1.0f)) - d_lo * t;  // 1 - (d + d_lo)·t
    // P(t) and P'(t), Horner's rule
    V p = V(0.17087277f), dp = V(9 * 0.17087277f);
    p = fma(t, p, V(-0.82215223f)), dp = fma(t, dp, V(8 * -0.82215223f));
    p = fma(t, p, V(1.48851587f)), dp = fma(t, dp, V(7 * 1.48851587f));
    p = fma(t, p, V(-1.13520398f)), dp = fma(t, dp, V(6 * -1.13520398f));
    p = fma(t, p, V(0.27886807f)), dp = fma(t, dp, V(5 * 0.27886807f));
    p = fma(t, p, V(-0.18628806f)), dp = fma(t, dp, V(4 * -0.18628806f));
    p = fma(t, p, V(0.09678418f)), dp = fma(t, dp, V(3 * 0.09678418f));
    p = fma(t, p, V(0.37409196f)), dp = fma(t, dp, V(2 * 0.37409196f));
    p = fma(t, p, V(1.00002368f)), dp = fma(t, dp, V(1.00002368f));
    p = fma(t, p, V(-1.26551223f));
    // s + s_err = half_sq + p exactly (two-sum)
    const V s = half_sq + p, back = s - half_sq;
    const V s_err = (half_sq - (s - back)) + (p - back);
    const V delta = rho + s_err + V(-0.5f) * sq_err + dp * t * rho;
    factor = V(0.5f) * t * (V(1.0f) + delta);
    e = Exp<V>(s);
  }
  V tail(V m) const { return e.times(m * factor); }
};

// x·Φ(x), the exact GELU
template <class V>
inline V gelu_of(V x) {
  const NormalTail<V> n(x);
  const V below = n.tail(max(V(-16.0f), x));  // x < 0: x·Φ(-|x|); -inf gives -0
  return select_negative(x, below, x * (V(1.0f) - n.tail(V(1.0f))));
}

// Φ(x) + x·φ(x), the derivative of GELU, φ(x) = exp(-x²/2)/√(2π)
template <class V>
inline V gelu_grad_factor_of(V x) {
  const NormalTail<V> n(x);
  const V xc = min(V(16.0f), max(V(-16.0f), x));  // ±inf: x·φ(x) → 0; NaN stays
  const V x_pdf = Exp<V>(n.half_sq).times(xc * V(0.39894228040143267794f) * n.gauss_lo);
  const V tail = n.tail(V(1.0f));
  return select_negative(x, tail, V(1.0f) - tail) + x_pdf;
}

// Rows of n floats, with the lanes V (the build's widest by default; the tests also run the
// others). out may be x itself.
template <class V = lanes::Widest>
inline void gelu(float* out, const float* x, int64_t n) {
  lanes::map<V>(out, x, n, [](V v) { return gelu_of(v); });
}

template <class V = lanes::Widest>
inline void gelu_grad_factor(float* out, const float* x, int64_t n) {
  lanes::map<V>(out, x, n, [](V v) { return gelu_grad_factor_of(v); });
}

}  // namespace dn::cpu::vec
