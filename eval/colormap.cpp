#include "eval/colormap.h"

#include <algorithm>
#include <cmath>

namespace dn::eval {

Rgb jet(float t) {
  t = std::clamp(std::isnan(t) ? 0.0f : t, 0.0f, 1.0f);
  auto channel = [t](float peak) {
    float v = std::clamp(1.5f - std::fabs(4.0f * t - 4.0f * peak), 0.0f, 1.0f);
    return uint8_t(std::lround(v * 255.0f));
  };
  return {channel(0.75f), channel(0.5f), channel(0.25f)};
}

}  // namespace dn::eval
