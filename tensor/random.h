// Random numbers: one counter-based generator, Philox4x32-10 (Salmon et al., "Parallel
// random numbers: as easy as 1, 2, 3", SC 2011).
//
// A Philox stream is a pure function of (key, counter): block(c) gives four 32-bit words.
// The generator keeps a seed (the key) and an offset (the next unused block). A fill of n
// values takes blocks offset, offset+1, ... (uniform: 4 values a block; normal: 2 values a
// block, one Box-Muller pair) and advances the offset, so value i of a fill depends only on
// (seed, offset, i): the CPU and the GPU draw identical streams, in any thread order.
#pragma once
#include <array>
#include <cstdint>

namespace dn {

using PhiloxBlock = std::array<uint32_t, 4>;

// Philox4x32 with 10 rounds on a full 128-bit counter and 64-bit key.
PhiloxBlock philox4x32_10(const PhiloxBlock& counter, const std::array<uint32_t, 2>& key);
// The form the fills use: the block index is the counter's low 64 bits, the seed the key.
inline PhiloxBlock philox4x32_10(uint64_t counter, uint64_t key) {
  return philox4x32_10(PhiloxBlock{uint32_t(counter), uint32_t(counter >> 32), 0, 0},
                       {uint32_t(key), uint32_t(key >> 32)});
}

// A 32-bit word to a uniform double in [0, 1) and in (0, 1].
inline double uniform_from_u32(uint32_t x) { return x * (1.0 / 4294967296.0); }
inline double uniform_open_from_u32(uint32_t x) { return (x + 1.0) * (1.0 / 4294967296.0); }

class Generator {
 public:
  explicit Generator(uint64_t seed = 1) : seed_(seed) {}
  uint64_t seed() const { return seed_; }
  uint64_t offset() const { return offset_; }
  void set_state(uint64_t seed, uint64_t offset) { seed_ = seed; offset_ = offset; }
  // Reserves `blocks` Philox blocks and returns the first one's index.
  uint64_t take_blocks(uint64_t blocks) {
    uint64_t first = offset_;
    offset_ += blocks;
    return first;
  }

 private:
  uint64_t seed_;
  uint64_t offset_ = 0;
};

// The generator used when an op is not given one (seeded with 1; see manual_seed).
Generator& default_generator();
void manual_seed(uint64_t seed);

}  // namespace dn
