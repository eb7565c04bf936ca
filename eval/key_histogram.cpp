#include "eval/key_histogram.h"

#include <algorithm>
#include <cmath>

#include "eval/float_key.h"
#include "tensor/error.h"

namespace dn::eval {

KeyHistogram::KeyHistogram(int bins) : pos_(size_t(std::max(bins, 0)), 0), neg_(pos_) {
  DN_CHECK(bins >= 2 && bins % 2 == 0, "KeyHistogram: bins must be even and >= 2, got ", bins);
}

int KeyHistogram::bin_of_key(int64_t key) const {
  if (key < low_) return -1;
  int64_t b = (key - low_) / width_;
  return b >= bins() ? bins() : int(b);
}

namespace {
// Keys outside [key(-inf), key(+inf)] belong to NaN bit patterns.
float clamped_key_float(int64_t key) {
  const int64_t lowest = float_key(-INFINITY), highest = float_key(INFINITY);
  return key_float(uint32_t(std::clamp(key, lowest, highest)));
}
}  // namespace

float KeyHistogram::lowest_value(int b) const { return clamped_key_float(first_key(b)); }

float KeyHistogram::highest_value(int b) const { return clamped_key_float(first_key(b) + width_ - 1); }

void KeyHistogram::grow_up() {
  // Bins 2j and 2j+1 become bin j; the upper half of the array is freed.
  int n = bins();
  for (int j = 0; j < n / 2; ++j) {
    pos_[j] = pos_[2 * j] + pos_[2 * j + 1];
    neg_[j] = neg_[2 * j] + neg_[2 * j + 1];
  }
  std::fill(pos_.begin() + n / 2, pos_.end(), 0);
  std::fill(neg_.begin() + n / 2, neg_.end(), 0);
  width_ *= 2;
}

void KeyHistogram::grow_down() {
  // The range moves down by one full span and the width doubles: old bin i starts at key
  // low + i*w = (low - n*w) + ((n + i)/2) * 2w for even n + i, so old bins i and i+1
  // (i even) become new bin (n + i)/2, in the upper half; the lower half starts empty.
  int n = bins();
  for (int j = n - 1; j >= n / 2; --j) {
    int i = 2 * j - n;
    pos_[j] = pos_[i] + pos_[i + 1];
    neg_[j] = neg_[i] + neg_[i + 1];
  }
  std::fill(pos_.begin(), pos_.begin() + n / 2, 0);
  std::fill(neg_.begin(), neg_.begin() + n / 2, 0);
  low_ -= int64_t(n) * width_;
  width_ *= 2;
}

void KeyHistogram::cover(int64_t min_key, int64_t max_key) {
  if (total_ == 0) {
    // First data: start at the smallest power-of-two width that spans it.
    low_ = min_key;
    width_ = 1;
    while (max_key - low_ >= int64_t(bins()) * width_) width_ *= 2;
    return;
  }
  while (min_key < low_) grow_down();
  while (max_key >= low_ + int64_t(bins()) * width_) grow_up();
}

void KeyHistogram::add(std::span<const float> scores, std::span<const uint8_t> labels) {
  DN_CHECK(labels.empty() || labels.size() == scores.size(), "KeyHistogram: ", scores.size(),
           " scores but ", labels.size(), " labels");
  if (scores.empty()) return;
  uint32_t lo = 0xFFFFFFFFu, hi = 0;
  for (float s : scores) {
    DN_CHECK(!std::isnan(s), "KeyHistogram: NaN score");
    uint32_t k = float_key(s);
    lo = std::min(lo, k);
    hi = std::max(hi, k);
  }
  cover(lo, hi);
  for (size_t i = 0; i < scores.size(); ++i) {
    int b = int((int64_t(float_key(scores[i])) - low_) / width_);
    if (!labels.empty() && labels[i]) ++pos_[b];
    else ++neg_[b];
  }
  total_ += scores.size();
}

void KeyHistogram::add(float score, bool positive) {
  uint8_t label = positive ? 1 : 0;
  add(std::span<const float>(&score, 1), std::span<const uint8_t>(&label, 1));
}

}  // namespace dn::eval
