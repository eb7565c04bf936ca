// Philox4x32-10 and the value formulas of the random fills, for the GPU and (in tests) the
// CPU. The stream layout is tensor/random.h's: a uniform fill takes 4 values per Philox
// block, a normal fill 2 (one Box-Muller pair), from block `offset` on. The formulas are
// tensor/cpu/random.cpp's, written with explicit rounding so that the GPU gives the CPU's
// bits: `fused` says whether the CPU build contracts a*b+c into an FMA (random.cpp).
#pragma once
#include "tensor/cuda/hd.h"

namespace dn::cuda::hd {

struct PhiloxWords {
  uint32_t w[4];
};

// Same as dn::philox4x32_10 (tensor/random.cpp).
DN_HD PhiloxWords philox4x32_10(uint64_t counter, uint64_t key) {
  const uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  const uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  uint32_t c0 = uint32_t(counter), c1 = uint32_t(counter >> 32), c2 = 0, c3 = 0;
  uint32_t k0 = uint32_t(key), k1 = uint32_t(key >> 32);
  for (int round = 0; round < 10; ++round) {
    uint64_t p0 = uint64_t(kMul0) * c0, p1 = uint64_t(kMul1) * c2;
    uint32_t hi0 = uint32_t(p0 >> 32), lo0 = uint32_t(p0);
    uint32_t hi1 = uint32_t(p1 >> 32), lo1 = uint32_t(p1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
  return {{c0, c1, c2, c3}};
}

// Uniform on [a, b) from one 32-bit word: T(a + (b - a) * u), never b itself.
template <class T>
DN_HD T uniform_value(uint32_t word, double a, double b, bool fused) {
  const double u = double(word) * (1.0 / 4294967296.0);
  const T v = T(madd(fused, b - a, u, a));
  return v < T(b) ? v : m_nextafter(T(b), T(a));
}

// One Box-Muller pair (mean a, std b) from one block: (a + b·r·cos θ, a + b·r·sin θ).
template <class T>
DN_HD void normal_pair(const PhiloxWords& r, double a, double b, bool fused, T& first,
                       T& second) {
  const double kTwoPi = 6.283185307179586;
  const double u1 = (double((uint64_t(r.w[0]) << 21) ^ r.w[1]) + 1.0) / 9007199254740992.0;
  const double u2 = double((uint64_t(r.w[2]) << 21) ^ r.w[3]) / 9007199254740992.0;
  const double radius = ::sqrt(mul_rn(-2.0, ::log(u1)));
  const double angle = mul_rn(kTwoPi, u2);
  const double scale = mul_rn(b, radius);
  first = T(madd(fused, scale, ::cos(angle), a));
  second = T(madd(fused, scale, ::sin(angle), a));
}

}  // namespace dn::cuda::hd
