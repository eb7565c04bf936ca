// Float lanes for vectorised formulas written once: a formula is a template over a lane type V
// and uses only the operations below, so the same source gives a 16-lane AVX-512 kernel, an
// 8-lane AVX2 + FMA kernel and a plain one-float-at-a-time version (Scalar, the reference the
// tests compare the others with bit for bit).
//
// Every operation rounds exactly as IEEE float does in all three (fma rounds once, division is
// correctly rounded, round() is to nearest even), so equal inputs give equal bits in every
// lane type. min and max follow the x86 rule: when either operand is NaN, the second one is
// returned (min(16, x) and max(-16, x) keep a NaN x).
#pragma once
// GCC 12 reports its own AVX-512 headers (_mm512_undefined) as reading uninitialised values
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace dn::cpu::lanes {

// One float at a time, with std::fma: the reference, and the kernel of builds without AVX2.
struct Scalar {
  static constexpr int64_t kWidth = 1;
  float v;

  Scalar() = default;
  explicit Scalar(float x) : v(x) {}
  static Scalar load(const float* p) { return Scalar(*p); }
  void store(float* p) const { *p = v; }
  friend Scalar operator+(Scalar a, Scalar b) { return Scalar(a.v + b.v); }
  friend Scalar operator-(Scalar a, Scalar b) { return Scalar(a.v - b.v); }
  friend Scalar operator*(Scalar a, Scalar b) { return Scalar(a.v * b.v); }
  friend Scalar operator/(Scalar a, Scalar b) { return Scalar(a.v / b.v); }
  friend Scalar fma(Scalar a, Scalar b, Scalar c) { return Scalar(std::fma(a.v, b.v, c.v)); }
  friend Scalar abs(Scalar a) { return Scalar(std::fabs(a.v)); }
  friend Scalar min(Scalar a, Scalar b) { return Scalar(a.v < b.v ? a.v : b.v); }
  friend Scalar max(Scalar a, Scalar b) { return Scalar(a.v > b.v ? a.v : b.v); }
  friend Scalar round(Scalar a) { return Scalar(std::nearbyint(a.v)); }
  // a·2ⁿ for an integral n in [-200, 254], rounded once (ldexp is exact but for a result below
  // the normal range), as the two-step scaling of the vector types is wherever a·2^⌊n/2⌋ is a
  // normal float (so in vec::Exp, where |a| ≥ 2⁻⁵ whenever n < -2)
  // (a NaN n, from a NaN input, gives NaN: converting it to int would be undefined)
  friend Scalar scale_pow2(Scalar a, Scalar n) {
    return std::isnan(n.v) ? Scalar(a.v + n.v) : Scalar(std::ldexp(a.v, int(n.v)));
  }
  // x < 0 ? if_negative : otherwise (false for NaN and -0)
  friend Scalar select_negative(Scalar x, Scalar if_negative, Scalar otherwise) {
    return x.v < 0 ? if_negative : otherwise;
  }
};

#if defined(__AVX2__) && defined(__FMA__)
struct Avx2 {
  static constexpr int64_t kWidth = 8;
  __m256 v;

  Avx2() = default;
  explicit Avx2(float x) : v(_mm256_set1_ps(x)) {}
  Avx2(__m256 x) : v(x) {}  // NOLINT: the register itself
  static Avx2 load(const float* p) { return _mm256_loadu_ps(p); }
  void store(float* p) const { _mm256_storeu_ps(p, v); }
  friend Avx2 operator+(Avx2 a, Avx2 b) { return _mm256_add_ps(a.v, b.v); }
  friend Avx2 operator-(Avx2 a, Avx2 b) { return _mm256_sub_ps(a.v, b.v); }
  friend Avx2 operator*(Avx2 a, Avx2 b) { return _mm256_mul_ps(a.v, b.v); }
  friend Avx2 operator/(Avx2 a, Avx2 b) { return _mm256_div_ps(a.v, b.v); }
  friend Avx2 fma(Avx2 a, Avx2 b, Avx2 c) { return _mm256_fmadd_ps(a.v, b.v, c.v); }
  friend Avx2 abs(Avx2 a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a.v); }
  friend Avx2 min(Avx2 a, Avx2 b) { return _mm256_min_ps(a.v, b.v); }
  friend Avx2 max(Avx2 a, Avx2 b) { return _mm256_max_ps(a.v, b.v); }
  friend Avx2 round(Avx2 a) { return _mm256_round_ps(a.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  // a·2^⌊n/2⌋·2^(n-⌊n/2⌋): both factors are normal floats for n in [-200, 254]; where the
  // first product is a normal float it is exact, and only the second rounds
  friend Avx2 scale_pow2(Avx2 a, Avx2 n) {
    const __m256i ni = _mm256_cvtps_epi32(n.v), n1 = _mm256_srai_epi32(ni, 1);
    const __m256i n2 = _mm256_sub_epi32(ni, n1), bias = _mm256_set1_epi32(127);
    const __m256 p1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
    const __m256 p2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
    return _mm256_mul_ps(_mm256_mul_ps(a.v, p1), p2);
  }
  friend Avx2 select_negative(Avx2 x, Avx2 if_negative, Avx2 otherwise) {
    return _mm256_blendv_ps(otherwise.v, if_negative.v, _mm256_cmp_ps(x.v, _mm256_setzero_ps(), _CMP_LT_OQ));
  }
};
#endif

#if defined(__AVX512F__)
struct Avx512 {
  static constexpr int64_t kWidth = 16;
  __m512 v;

  Avx512() = default;
  explicit Avx512(float x) : v(_mm512_set1_ps(x)) {}
  Avx512(__m512 x) : v(x) {}  // NOLINT: the register itself
  static Avx512 load(const float* p) { return _mm512_loadu_ps(p); }
  void store(float* p) const { _mm512_storeu_ps(p, v); }
  friend Avx512 operator+(Avx512 a, Avx512 b) { return _mm512_add_ps(a.v, b.v); }
  friend Avx512 operator-(Avx512 a, Avx512 b) { return _mm512_sub_ps(a.v, b.v); }
  friend Avx512 operator*(Avx512 a, Avx512 b) { return _mm512_mul_ps(a.v, b.v); }
  friend Avx512 operator/(Avx512 a, Avx512 b) { return _mm512_div_ps(a.v, b.v); }
  friend Avx512 fma(Avx512 a, Avx512 b, Avx512 c) { return _mm512_fmadd_ps(a.v, b.v, c.v); }
  friend Avx512 abs(Avx512 a) { return _mm512_abs_ps(a.v); }
  friend Avx512 min(Avx512 a, Avx512 b) { return _mm512_min_ps(a.v, b.v); }
  friend Avx512 max(Avx512 a, Avx512 b) { return _mm512_max_ps(a.v, b.v); }
  friend Avx512 round(Avx512 a) {
    return _mm512_roundscale_ps(a.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  // as Avx2's: two exact-exponent factors, one rounding
  friend Avx512 scale_pow2(Avx512 a, Avx512 n) {
    const __m512i ni = _mm512_cvtps_epi32(n.v), n1 = _mm512_srai_epi32(ni, 1);
    const __m512i n2 = _mm512_sub_epi32(ni, n1), bias = _mm512_set1_epi32(127);
    const __m512 p1 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(n1, bias), 23));
    const __m512 p2 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(n2, bias), 23));
    return _mm512_mul_ps(_mm512_mul_ps(a.v, p1), p2);
  }
  friend Avx512 select_negative(Avx512 x, Avx512 if_negative, Avx512 otherwise) {
    const __mmask16 negative = _mm512_cmp_ps_mask(x.v, _mm512_setzero_ps(), _CMP_LT_OQ);
    return _mm512_mask_blend_ps(negative, otherwise.v, if_negative.v);
  }
};
#endif

// The widest lanes this build has (it is compiled for one CPU: -march=native by default).
#if defined(__AVX512F__)
using Widest = Avx512;
#elif defined(__AVX2__) && defined(__FMA__)
using Widest = Avx2;
#else
using Widest = Scalar;
#endif

// out[i] = f(x[i]) for i < n, kWidth at a time; the last partial group goes through a padded
// copy. out may be x itself.
template <class V, class F>
inline void map(float* out, const float* x, int64_t n, F&& f) {
  int64_t i = 0;
  for (; i + V::kWidth <= n; i += V::kWidth) f(V::load(x + i)).store(out + i);
  if (i < n) {
    alignas(64) float in[V::kWidth] = {}, result[V::kWidth];
    std::copy(x + i, x + n, in);
    f(V::load(in)).store(result);
    std::copy(result, result + (n - i), out + i);
  }
}

}  // namespace dn::cpu::lanes
