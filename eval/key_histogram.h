// A histogram of float scores, split by label, whose bins adapt to the range seen so far.
//
// Bins are runs of consecutive float order keys (eval/float_key.h): bin b holds the keys
// [low + b*width, low + (b+1)*width). Because keys and edges are integers, a score's bin
// is exact and bins are ordered exactly like the scores in them.
//
// The range grows on demand: when a score falls outside, the bin width doubles and pairs
// of neighbouring bins merge (to the right when the range must grow upwards, with the
// range also moved down by a full span when it must grow downwards). Merging whole bins
// keeps every count in a bin that still contains its score, so nothing is approximated
// twice. The bins end up about as fine as the final range allows: in float-key space a
// bin covers width consecutive floats.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace dn::eval {

class KeyHistogram {
 public:
  // bins: even, at least 2.
  explicit KeyHistogram(int bins);

  // Adds scores (non-NaN) with their labels (non-zero = positive); labels may be empty, in
  // which case every score counts as negative.
  void add(std::span<const float> scores, std::span<const uint8_t> labels);
  void add(float score, bool positive);

  bool empty() const { return total_ == 0; }
  int bins() const { return int(pos_.size()); }
  uint64_t positives(int b) const { return pos_[b]; }
  uint64_t negatives(int b) const { return neg_[b]; }
  uint64_t total() const { return total_; }
  // Key range of bin b: [first_key(b), first_key(b) + key_width()). May extend beyond the
  // valid keys at the ends; use lowest_value/highest_value for the floats inside.
  int64_t first_key(int b) const { return low_ + int64_t(b) * width_; }
  int64_t key_width() const { return width_; }
  // The bin holding `key`; -1 below the range and bins() above it.
  int bin_of_key(int64_t key) const;
  // Smallest and largest float whose key lies in bin b (clamped to the float range).
  float lowest_value(int b) const;
  float highest_value(int b) const;

 private:
  void cover(int64_t min_key, int64_t max_key);  // grows the range until both fit
  void grow_up();
  void grow_down();

  int64_t low_ = 0, width_ = 1;
  uint64_t total_ = 0;
  std::vector<uint64_t> pos_, neg_;
};

}  // namespace dn::eval
