// Code shared by the GPU and the CPU: functions marked DN_HD compile as __host__ __device__
// under nvcc and as plain inline functions under the C++ compiler. The CUDA kernels call
// them per element; tests/cuda/test_kernel_logic.cpp calls the very same functions on the
// CPU (no GPU needed) and compares them with the CPU backend, so the index arithmetic and
// the formulas of every kernel are checked wherever the tests run.
#pragma once
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__CUDACC__)
#define DN_HD __host__ __device__ __forceinline__
#else
#define DN_HD inline
#endif

namespace dn::cuda::hd {

// IEEE operations in exactly the order written: nvcc would otherwise fuse a*b+c into one
// rounding (an FMA) where the CPU code rounds twice, or the other way round. (On the host,
// in tests, the C++ compiler may still fuse them, but only where it has FMA instructions,
// and there cpu_fuses_multiply_add() is true and callers take the fused path anyway.)
DN_HD float mul_rn(float a, float b) {
#ifdef __CUDA_ARCH__
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}
DN_HD double mul_rn(double a, double b) {
#ifdef __CUDA_ARCH__
  return __dmul_rn(a, b);
#else
  return a * b;
#endif
}
DN_HD float add_rn(float a, float b) {
#ifdef __CUDA_ARCH__
  return __fadd_rn(a, b);
#else
  return a + b;
#endif
}
DN_HD double add_rn(double a, double b) {
#ifdef __CUDA_ARCH__
  return __dadd_rn(a, b);
#else
  return a + b;
#endif
}
// a*b + c, with one rounding when `fused` (as the CPU computes it when its compiler
// contracts to FMA instructions, host_flags.h) or two.
DN_HD double madd(bool fused, double a, double b, double c) {
  return fused ? ::fma(a, b, c) : add_rn(mul_rn(a, b), c);
}
DN_HD float madd(bool fused, float a, float b, float c) {
  return fused ? ::fmaf(a, b, c) : add_rn(mul_rn(a, b), c);
}

template <class T> DN_HD bool is_nan(T x) { return x != x; }

// Overloads that pick the float or the double function on both sides.
DN_HD float m_exp(float x) { return ::expf(x); }
DN_HD double m_exp(double x) { return ::exp(x); }
DN_HD float m_log(float x) { return ::logf(x); }
DN_HD double m_log(double x) { return ::log(x); }
DN_HD float m_sqrt(float x) { return ::sqrtf(x); }
DN_HD double m_sqrt(double x) { return ::sqrt(x); }
DN_HD float m_abs(float x) { return ::fabsf(x); }
DN_HD double m_abs(double x) { return ::fabs(x); }
DN_HD float m_pow(float x, float p) { return ::powf(x, p); }
DN_HD double m_pow(double x, double p) { return ::pow(x, p); }
DN_HD float m_erf(float x) { return ::erff(x); }
DN_HD double m_erf(double x) { return ::erf(x); }
DN_HD float m_tanh(float x) { return ::tanhf(x); }
DN_HD double m_tanh(double x) { return ::tanh(x); }
DN_HD float m_nextafter(float x, float y) { return ::nextafterf(x, y); }
DN_HD double m_nextafter(double x, double y) { return ::nextafter(x, y); }

DN_HD uint32_t bits_of(float f) {
  uint32_t u;
  ::memcpy(&u, &f, 4);
  return u;
}
DN_HD float float_of(uint32_t u) {
  float f;
  ::memcpy(&f, &u, 4);
  return f;
}
DN_HD uint64_t bits_of(double f) {
  uint64_t u;
  ::memcpy(&u, &f, 8);
  return u;
}

}  // namespace dn::cuda::hd
