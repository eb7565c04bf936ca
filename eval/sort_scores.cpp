#include "eval/sort_scores.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "eval/float_key.h"

namespace dn::eval {

void sort_scores(std::span<float> values) {
  const size_t n = values.size();
  if (n < (1u << 16)) {  // small: the radix pass would not pay for its counters
    std::sort(values.begin(), values.end());
    return;
  }
  constexpr size_t kBuckets = size_t(1) << 16;
  auto bucket = [](float v) { return float_key(v) >> 16; };

  std::vector<size_t> begin(kBuckets + 1, 0);
  for (float v : values) ++begin[bucket(v) + 1];
  for (size_t b = 0; b < kBuckets; ++b) begin[b + 1] += begin[b];

  // American flag sort: next[b] is the first slot of bucket b not yet holding a value of
  // bucket b. Take that value and swap it into its own bucket's next slot until a value of
  // bucket b arrives; every swap places one value for good.
  std::vector<size_t> next(begin.begin(), begin.end() - 1);
  for (size_t b = 0; b < kBuckets; ++b) {
    while (next[b] < begin[b + 1]) {
      float v = values[next[b]];
      size_t target = bucket(v);
      if (target == b) {
        ++next[b];
      } else {
        std::swap(values[next[b]], values[next[target]]);
        ++next[target];
      }
    }
  }

#pragma omp parallel for schedule(dynamic, 64)
  for (int64_t b = 0; b < int64_t(kBuckets); ++b)
    std::sort(values.begin() + begin[b], values.begin() + begin[b + 1]);
}

}  // namespace dn::eval
