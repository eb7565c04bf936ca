// The jet colour map (dark blue -> blue -> cyan -> yellow -> red -> dark red), the
// convention of anomaly heat maps in the field's papers and tools.
#pragma once
#include <cstdint>

namespace dn::eval {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
};

// t in [0, 1] (clamped). Each channel is a trapezoid over t: blue peaks at 1/4, green at
// 1/2, red at 3/4, so the ends are half-intensity blue (t=0) and half-intensity red (t=1).
Rgb jet(float t);

}  // namespace dn::eval
