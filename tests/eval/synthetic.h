// The synthetic data of tools/eval/synthetic.py, rebuilt bit for bit: integer hashes turned
// into float32 by one correctly rounded division. Large fixture sets thus need only their
// expected metrics committed, not their data.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

namespace dn::eval::testing {

inline uint32_t mix(uint32_t x) {  // lowbias32
  x ^= x >> 16;
  x *= 0x7FEB352Du;
  x ^= x >> 15;
  x *= 0x846CA68Bu;
  x ^= x >> 16;
  return x;
}

inline uint32_t hash4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return mix(mix(mix(mix(a) ^ b) ^ c) ^ d);
}

struct RankingSet {
  std::vector<float> scores;
  std::vector<uint8_t> labels;
};

inline RankingSet ranking_set(uint32_t n, uint32_t seed, uint32_t pos_per_1000, uint32_t levels,
                              uint32_t shift, uint32_t denom) {
  RankingSet s;
  for (uint32_t i = 0; i < n; ++i) {
    bool label = hash4(seed, i, 1, 0) % 1000 < pos_per_1000;
    uint32_t v = hash4(seed, i, 2, 0) % levels + (label ? shift : 0);
    s.labels.push_back(label);
    s.scores.push_back(float(v) / float(denom));
  }
  return s;
}

struct PixelClass {
  int n = 0, height = 0, width = 0;
  std::vector<float> maps;     // [n, H, W]
  std::vector<uint8_t> masks;  // [n, H, W]
};

inline PixelClass pixel_class(int n, int height, int width, uint32_t seed, uint32_t levels, uint32_t denom) {
  PixelClass c{n, height, width, std::vector<float>(size_t(n) * height * width),
               std::vector<uint8_t>(size_t(n) * height * width, 0)};
  std::vector<uint8_t> boost(size_t(height) * width);
  for (int k = 0; k < n; ++k) {
    float* map = &c.maps[size_t(k) * height * width];
    uint8_t* mask = &c.masks[size_t(k) * height * width];
    std::fill(boost.begin(), boost.end(), 0);
    if (k % 3 != 0) {
      int nblobs = 1 + int(hash4(seed, k, 1, 0) % 3);
      for (int j = 0; j < nblobs; ++j) {
        int64_t cx = hash4(seed, k, 2, j) % uint32_t(width);
        int64_t cy = hash4(seed, k, 3, j) % uint32_t(height);
        int64_t r = 2 + hash4(seed, k, 4, j) % uint32_t(std::max(1, std::min(height, width) / 6));
        for (int y = 0; y < height; ++y)
          for (int x = 0; x < width; ++x) {
            int64_t d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
            if (d2 <= r * r) mask[y * width + x] = 1;
            if (d2 <= (r + 2) * (r + 2)) boost[y * width + x] = 1;
          }
      }
      for (int p = 0; p < height * width; ++p)
        if (hash4(seed, k, p, 5) % 997 == 0) mask[p] = 1;
    }
    for (int p = 0; p < height * width; ++p) {
      uint32_t v = hash4(seed, k, p, 6) % levels + (boost[p] ? levels / 2 : 0);
      map[p] = float(v) / float(denom);
    }
  }
  return c;
}

}  // namespace dn::eval::testing
