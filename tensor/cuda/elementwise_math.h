// The scalar formulas of the elementwise kernels, for the GPU and (in tests) the CPU.
// They mirror tensor/scalar_math.h line by line; only the math functions differ (CUDA's
// libdevice on the GPU: expf, erff, ... are within 1-2 ulp of the C library's).
#pragma once
#include "tensor/cuda/hd.h"
#include "tensor/op_kinds.h"
#include "tensor/scalar_math.h"  // dn::erfinv, the host side of m_erfinv

namespace dn::cuda::hd {

DN_HD float m_erfinv(float x) {
#ifdef __CUDA_ARCH__
  return ::erfinvf(x);
#else
  return float(dn::erfinv(double(x)));
#endif
}
DN_HD double m_erfinv(double x) {
#ifdef __CUDA_ARCH__
  return ::erfinv(x);
#else
  return dn::erfinv(x);
#endif
}

template <class T>
DN_HD T unary_value(UnaryOp op, T x, T p) {
  const T kInvSqrt2 = T(0.70710678118654752440);
  const T kInvSqrt2Pi = T(0.39894228040143267794);
  switch (op) {
    case UnaryOp::neg: return -x;
    case UnaryOp::exp: return m_exp(x);
    case UnaryOp::log: return m_log(x);
    case UnaryOp::sqrt: return m_sqrt(x);
    case UnaryOp::rsqrt: return T(1) / m_sqrt(x);
    case UnaryOp::abs: return m_abs(x);
    case UnaryOp::sign: return T((x > 0) - (x < 0));
    case UnaryOp::square: return x * x;
    case UnaryOp::pow_scalar: return m_pow(x, p);
    case UnaryOp::add_scalar: return x + p;
    case UnaryOp::mul_scalar: return x * p;
    case UnaryOp::elu: return x > 0 ? x : p * (m_exp(x) - T(1));
    case UnaryOp::elu_grad_factor: return x > 0 ? T(1) : p * m_exp(x);
    case UnaryOp::gelu: return T(0.5) * x * (T(1) + m_erf(x * kInvSqrt2));
    case UnaryOp::gelu_grad_factor:
      return T(0.5) * (T(1) + m_erf(x * kInvSqrt2)) + x * kInvSqrt2Pi * m_exp(T(-0.5) * x * x);
    case UnaryOp::erf: return m_erf(x);
    case UnaryOp::erfinv: return m_erfinv(x);
    case UnaryOp::tanh: return m_tanh(x);
    case UnaryOp::relu: return x > 0 ? x : T(0);
    case UnaryOp::clamp_min: return is_nan(x) ? x : (x < p ? p : x);
    case UnaryOp::clamp_max: return is_nan(x) ? x : (x > p ? p : x);
    case UnaryOp::reciprocal: return T(1) / x;
  }
  return x;
}

template <class T>
DN_HD T binary_value(BinaryOp op, T a, T b) {
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
DN_HD bool compare_value(CompareOp op, T a, T b) {
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

}  // namespace dn::cuda::hd
