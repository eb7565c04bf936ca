#include "data/sampler.h"

#include "tensor/error.h"
#include "tensor/random.h"

namespace dn::data {

std::vector<int64_t> shuffled_order(int64_t n, uint64_t seed, int64_t epoch) {
  DN_CHECK(n >= 0 && epoch >= 0, "shuffled_order: n (", n, ") and epoch (", epoch, ") must be >= 0");
  DN_CHECK(n < (int64_t(1) << 32), "shuffled_order: ", n, " samples is more than 2^32");
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[size_t(i)] = i;
  const uint64_t key = seed ^ 0x53485546464C45ull;  // "SHUFFLE"
  // Counter: the epoch in the high 32 bits, the position in the low 32.
  const uint64_t base = uint64_t(epoch) << 32;
  for (int64_t i = n - 1; i > 0; --i) {
    const PhiloxBlock r = philox4x32_10(base + uint64_t(i), key);
    const uint64_t draw = (uint64_t(r[0]) << 32) | r[1];
    const int64_t j = int64_t(draw % uint64_t(i + 1));
    std::swap(order[size_t(i)], order[size_t(j)]);
  }
  return order;
}

int64_t BatchPlan::batches_per_epoch() const {
  DN_CHECK(batch_size >= 1, "batch size must be at least 1, got ", batch_size);
  return drop_last ? samples / batch_size : (samples + batch_size - 1) / batch_size;
}

int64_t BatchPlan::end_of(int64_t k) const {
  const int64_t end = begin_of(k) + batch_size;
  return end < samples ? end : samples;
}

}  // namespace dn::data
