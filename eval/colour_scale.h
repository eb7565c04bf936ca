// One colour scale for all heat maps of a class.
//
// Normalising every map to its own [min, max] makes the hottest spot of ANY image red, so
// a perfectly normal image "lights up" as much as a defective one (a common complaint
// about anomaly detection tools). Fixing the scale over the whole class keeps colours
// comparable: a normal image stays blue, and red means a score as high as the class's
// defects reach.
#pragma once
#include <cstdint>
#include <span>

#include "eval/key_histogram.h"

namespace dn::eval {

struct ColourScale {
  float low = 0.0f, high = 1.0f;
  // v mapped to [0, 1] (clamped); 0 when the scale is empty.
  float position(float v) const;
};

// Collects the scores of all maps of a class; then gives their range or robust percentiles.
class ColourScaleBuilder {
 public:
  ColourScaleBuilder();
  void add(std::span<const float> map);  // non-finite values are ignored
  bool empty() const { return count_ == 0; }
  // [min, max] over everything added.
  ColourScale min_max() const;
  // [low_q, high_q] quantiles, e.g. 0.01 and 0.999, so a few extreme pixels do not squeeze
  // every other map into one colour. Accurate to one of 4096 histogram bins.
  ColourScale percentiles(double low_q = 0.01, double high_q = 0.999) const;

 private:
  float quantile(double q) const;
  KeyHistogram histogram_;
  float min_ = 0, max_ = 0;
  uint64_t count_ = 0;
};

}  // namespace dn::eval
