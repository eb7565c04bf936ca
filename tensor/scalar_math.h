// Scalar formulas shared by the CPU kernels (and mirrored by the CUDA kernels).
#pragma once
#include <cmath>
#include <limits>

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

template <class T>
inline T unary_apply(UnaryOp op, T x, T p) {
  constexpr T kInvSqrt2 = T(0.70710678118654752440);
  constexpr T kInvSqrt2Pi = T(0.39894228040143267794);
  switch (op) {
    case UnaryOp::neg: return -x;
    case UnaryOp::exp: return std::exp(x);
    case UnaryOp::log: return std::log(x);
    case UnaryOp::sqrt: return std::sqrt(x);
    case UnaryOp::rsqrt: return T(1) / std::sqrt(x);
    case UnaryOp::abs: return std::abs(x);
    case UnaryOp::sign: return T((x > 0) - (x < 0));
    case UnaryOp::square: return x * x;
    case UnaryOp::pow_scalar: return std::pow(x, p);
    case UnaryOp::add_scalar: return x + p;
    case UnaryOp::mul_scalar: return x * p;
    case UnaryOp::elu: return x > 0 ? x : p * (std::exp(x) - T(1));
    case UnaryOp::elu_grad_factor: return x > 0 ? T(1) : p * std::exp(x);
    case UnaryOp::gelu: return T(0.5) * x * (T(1) + std::erf(x * kInvSqrt2));
    case UnaryOp::gelu_grad_factor:
      return T(0.5) * (T(1) + std::erf(x * kInvSqrt2)) + x * kInvSqrt2Pi * std::exp(T(-0.5) * x * x);
    case UnaryOp::erf: return std::erf(x);
    case UnaryOp::erfinv: return T(erfinv(double(x)));
    case UnaryOp::tanh: return std::tanh(x);
    case UnaryOp::relu: return x > 0 ? x : T(0);
    case UnaryOp::clamp_min: return std::isnan(x) ? x : (x < p ? p : x);
    case UnaryOp::clamp_max: return std::isnan(x) ? x : (x > p ? p : x);
    case UnaryOp::reciprocal: return T(1) / x;
  }
  return x;
}

template <class T>
inline T binary_apply(BinaryOp op, T a, T b) {
  switch (op) {
    case BinaryOp::add: return a + b;
    case BinaryOp::sub: return a - b;
    case BinaryOp::mul: return a * b;
    case BinaryOp::div: return a / b;
    case BinaryOp::maximum: return (std::isnan(a) || a > b) ? a : b;
    case BinaryOp::minimum: return (std::isnan(a) || a < b) ? a : b;
  }
  return a;
}

template <class T>
inline bool compare_apply(CompareOp op, T a, T b) {
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
