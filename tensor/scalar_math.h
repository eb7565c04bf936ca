// The scalar formulas of the elementwise ops: ONE table for every backend. The CPU kernels
// call these functions per element (tensor/cpu/elementwise.cpp, where no vectorised row
// exists), the CUDA kernels call the very same functions on the GPU (tensor/cuda/elementwise.cu):
// DN_HD (tensor/cuda/hd.h) makes them __host__ __device__ under nvcc and plain inline functions
// elsewhere, and the hd::m_* overloads pick the float or double C function on both sides
// (CUDA's libdevice on the GPU: expf, erff, ... within 1-2 ulp of the C library's).
// tests/tensor/test_scalar_math.cpp checks every op of each enum against the standard library.
#pragma once
#include <cmath>
#include <limits>

#include "tensor/cuda/hd.h"
#include "tensor/op_kinds.h"

namespace dn {

// Inverse error function: Giles' approximation ("Approximating the erfinv function",
// GPU Computing Gems, 2010) refined by two Newton steps on erf, which brings it to double
// precision.
inline double erfinv(double y) {
  if (y <= -1) return y == -1 ? -std::numeric_limits<double>::infinity() : NAN;
  if (y >= 1) return y == 1 ? std::numeric_limits<double>::infinity() : NAN;
  double w = -std::log((1.0 - y) * (1.0 + y)), p;
  if (w < 5.0) {
    w -= 2.5;
    p = 2.81022636e-08;
    p = 3.43273939e-07 + p * w;
    p = -3.5233877e-06 + p * w;
    p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
  } else {
    w = std::sqrt(w) - 3.0;
    p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
  }
  double x = p * y;
  const double two_over_sqrt_pi = 1.1283791670955126;
  for (int i = 0; i < 2; ++i) x -= (std::erf(x) - y) / (two_over_sqrt_pi * std::exp(-x * x));
  return x;
}

namespace scalar_math_detail {
// erfinv in the precision of x: CUDA's own on the GPU, the double routine above on the host.
DN_HD float m_erfinv(float x) {
#ifdef __CUDA_ARCH__
  return ::erfinvf(x);
#else
  return float(erfinv(double(x)));
#endif
}
DN_HD double m_erfinv(double x) {
#ifdef __CUDA_ARCH__
  return ::erfinv(x);
#else
  return erfinv(x);
#endif
}
}  // namespace scalar_math_detail

template <class T>
DN_HD T unary_apply(UnaryOp op, T x, T p) {
  using namespace cuda::hd;
  using scalar_math_detail::m_erfinv;
  const T kInvSqrt2 = T(0.70710678118654752440);
  const T kInvSqrt2Pi = T(0.39894228040143267794);
  switch (op) {
    case UnaryOp::neg: return -x;
    case UnaryOp::exp: return m_exp(x);
    case UnaryOp::log: return m_log(x);
    case UnaryOp::sqrt: return m_sqrt(x);
    case UnaryOp::abs: return m_abs(x);
    case UnaryOp::sign: return T((x > 0) - (x < 0));
    case UnaryOp::pow_scalar: return m_pow(x, p);
    case UnaryOp::add_scalar: return x + p;
    case UnaryOp::mul_scalar: return x * p;
    case UnaryOp::elu: return x > 0 ? x : p * (m_exp(x) - T(1));
    case UnaryOp::elu_grad_factor: return x > 0 ? T(1) : p * m_exp(x);
    case UnaryOp::gelu: return T(0.5) * x * (T(1) + m_erf(x * kInvSqrt2));
    case UnaryOp::gelu_grad_factor:
      return T(0.5) * (T(1) + m_erf(x * kInvSqrt2)) + x * kInvSqrt2Pi * m_exp(T(-0.5) * x * x);
    case UnaryOp::erfinv: return m_erfinv(x);
    case UnaryOp::clamp_min: return is_nan(x) ? x : (x < p ? p : x);
    case UnaryOp::clamp_max: return is_nan(x) ? x : (x > p ? p : x);
  }
  return x;
}

template <class T>
DN_HD T binary_apply(BinaryOp op, T a, T b) {
  using cuda::hd::is_nan;
  switch (op) {
    case BinaryOp::add: return a + b;
    case BinaryOp::sub: return a - b;
    case BinaryOp::mul: return a * b;
    case BinaryOp::div: return a / b;
    case BinaryOp::maximum: return (is_nan(a) || a > b) ? a : b;
    case BinaryOp::minimum: return (is_nan(a) || a < b) ? a : b;
  }
  return a;
}

template <class T>
DN_HD bool compare_apply(CompareOp op, T a, T b) {
  switch (op) {
    case CompareOp::eq: return a == b;
    case CompareOp::ne: return a != b;
    case CompareOp::lt: return a < b;
    case CompareOp::le: return a <= b;
    case CompareOp::gt: return a > b;
    case CompareOp::ge: return a >= b;
  }
  return false;
}

}  // namespace dn
