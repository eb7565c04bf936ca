// A stream of random numbers for the synthetic images: Philox4x32-10 (tensor/random.h)
// keyed by the seed, with the stream number in the counter's high 32 bits. Each image
// owns a stream, so its pixels do not depend on the order in which images are drawn.
#pragma once
#include <cmath>
#include <cstdint>

#include "tensor/random.h"

namespace dn::data::synth {

class Random {
 public:
  Random(uint64_t seed, uint64_t stream) : key_(seed ^ 0x53594E5448ull /* "SYNTH" */), base_(stream << 32) {}

  uint32_t next_u32() {
    if (used_ == 4) {
      block_ = philox4x32_10(base_ + counter_++, key_);
      used_ = 0;
    }
    return block_[used_++];
  }
  double uniform() { return uniform_from_u32(next_u32()); }                  // [0, 1)
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  int integer(int n) { return int(uniform() * n); }                          // 0 .. n-1
  bool coin() { return (next_u32() & 1u) != 0; }
  double normal() {  // Box-Muller
    const double u1 = uniform_open_from_u32(next_u32()), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  uint64_t key_, base_;
  uint64_t counter_ = 0;
  PhiloxBlock block_{};
  int used_ = 4;
};

}  // namespace dn::data::synth
