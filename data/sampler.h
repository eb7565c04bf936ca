// Which samples go into which batch: a deterministic shuffle per epoch, and the batch
// arithmetic (drop_last, global batch numbers across epochs).
//
// The order of epoch e is a pure function of (seed, e): a Fisher-Yates shuffle whose
// random draws come from Philox4x32-10 (tensor/random.h) keyed by the seed and counted by
// (epoch, position). Nothing depends on thread timing or on how many batches were drawn
// before, so training that resumes at step s sees exactly the batches it would have seen.
// (The reference uses torch's CPU generator in its DataLoader; no framework outside
// PyTorch can reproduce that stream, so the order here is our own, documented one.)
#pragma once
#include <cstdint>
#include <vector>

namespace dn::data {

// A permutation of 0..n-1 for epoch `epoch`. The key is seed XOR a constant ("SHUFFLE"
// in ASCII), so the shuffle stream never coincides with the weight-initialisation or
// dropout streams drawn from the same run seed. Each draw takes 64 bits of one Philox
// block and reduces them modulo (i + 1); the bias of that reduction is below 2^-32 for
// any data set that fits in memory.
std::vector<int64_t> shuffled_order(int64_t n, uint64_t seed, int64_t epoch);

struct BatchPlan {
  int64_t samples = 0, batch_size = 1;
  bool drop_last = false;

  // Batches per epoch: floor(n / B) with drop_last, else ceil(n / B).
  int64_t batches_per_epoch() const;
  // The [begin, end) positions in the epoch's order that global batch `k` covers.
  int64_t epoch_of(int64_t k) const { return k / batches_per_epoch(); }
  int64_t begin_of(int64_t k) const { return (k % batches_per_epoch()) * batch_size; }
  int64_t end_of(int64_t k) const;
};

}  // namespace dn::data
