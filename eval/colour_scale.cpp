#include "eval/colour_scale.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "tensor/error.h"

namespace dn::eval {

float ColourScale::position(float v) const {
  if (!(high > low)) return 0.0f;
  return std::clamp((v - low) / (high - low), 0.0f, 1.0f);
}

ColourScaleBuilder::ColourScaleBuilder() : histogram_(4096) {}

void ColourScaleBuilder::add(std::span<const float> map) {
  std::vector<float> finite;
  finite.reserve(map.size());
  for (float v : map)
    if (std::isfinite(v)) finite.push_back(v);
  if (finite.empty()) return;
  auto [lo, hi] = std::minmax_element(finite.begin(), finite.end());
  min_ = count_ == 0 ? *lo : std::min(min_, *lo);
  max_ = count_ == 0 ? *hi : std::max(max_, *hi);
  count_ += finite.size();
  histogram_.add(finite, {});
}

ColourScale ColourScaleBuilder::min_max() const {
  DN_CHECK(count_ > 0, "ColourScaleBuilder: no map was added");
  return {min_, max_};
}

float ColourScaleBuilder::quantile(double q) const {
  const double target = q * double(count_);
  uint64_t seen = 0;
  for (int b = 0; b < histogram_.bins(); ++b) {
    seen += histogram_.negatives(b);
    if (histogram_.negatives(b) > 0 && double(seen) >= target)
      return std::clamp(histogram_.highest_value(b), min_, max_);
  }
  return max_;
}

ColourScale ColourScaleBuilder::percentiles(double low_q, double high_q) const {
  DN_CHECK(count_ > 0, "ColourScaleBuilder: no map was added");
  DN_CHECK(0.0 <= low_q && low_q < high_q && high_q <= 1.0, "ColourScaleBuilder: bad quantiles ",
           low_q, ", ", high_q);
  ColourScale s{quantile(low_q), quantile(high_q)};
  if (!(s.high > s.low)) s = min_max();  // a spike of equal values: fall back to the range
  return s;
}

}  // namespace dn::eval
