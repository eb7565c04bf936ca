// CPU fills from the Philox stream (see tensor/random.h for the layout of a fill).
#include <cmath>

#include "tensor/cpu/cpu_backend.h"
#include "tensor/cpu/dispatch.h"
#include "tensor/random.h"

namespace dn::cpu {

void random(RandomKind kind, const Tensor& out, uint64_t seed, uint64_t offset, double a,
            double b) {
  const int64_t n = out.numel();
  dispatch_float(out.dtype(), "random", [&](auto tag) {
    using T = decltype(tag);
    T* o = out.data<T>();  // out is contiguous (the op API guarantees it)
    if (kind == RandomKind::uniform) {
#pragma omp parallel for schedule(static) if (n >= 65536)
      for (int64_t blk = 0; blk < (n + 3) / 4; ++blk) {
        PhiloxBlock r = philox4x32_10(offset + uint64_t(blk), seed);
        for (int j = 0; j < 4 && blk * 4 + j < n; ++j) {
          T v = T(a + (b - a) * uniform_from_u32(r[j]));
          o[blk * 4 + j] = v < T(b) ? v : std::nextafter(T(b), T(a));
        }
      }
    } else {
      constexpr double kTwoPi = 6.283185307179586;
#pragma omp parallel for schedule(static) if (n >= 65536)
      for (int64_t blk = 0; blk < (n + 1) / 2; ++blk) {
        PhiloxBlock r = philox4x32_10(offset + uint64_t(blk), seed);
        // Box-Muller on two 64-bit uniforms made of the block's four words.
        // u1 is in (0, 1] so that log(u1) is finite; u2 is in [0, 1).
        double u1 = (double((uint64_t(r[0]) << 21) ^ r[1]) + 1.0) / 9007199254740992.0;
        double u2 = double((uint64_t(r[2]) << 21) ^ r[3]) / 9007199254740992.0;
        double radius = std::sqrt(-2.0 * std::log(u1));
        o[blk * 2] = T(a + b * radius * std::cos(kTwoPi * u2));
        if (blk * 2 + 1 < n) o[blk * 2 + 1] = T(a + b * radius * std::sin(kTwoPi * u2));
      }
    }
  });
}

}  // namespace dn::cpu
