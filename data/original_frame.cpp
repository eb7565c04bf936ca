#include "data/original_frame.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "tensor/error.h"

namespace dn::data {

namespace {

// Where pixel i of an original axis of `length` pixels reads the map: between map pixels
// `lo` and `hi` with weight `w` on `hi`; `inspected` is false outside the crop.
struct Tap {
  int lo = 0, hi = 0;
  float w = 0;
  bool inspected = false;
};

std::vector<Tap> axis_taps(int length, int map_size, const Preprocess& p) {
  const int offset = center_crop_offset(p.resize, p.crop);
  std::vector<Tap> taps(static_cast<size_t>(length));
  for (int i = 0; i < length; ++i) {
    // The pixel's centre in the resized image, then in the crop.
    const double in_crop = (i + 0.5) * p.resize / length - offset;
    Tap& t = taps[size_t(i)];
    t.inspected = in_crop >= 0 && in_crop < p.crop;
    if (!t.inspected) continue;
    // In the map, in pixel units whose centres sit at 0, 1, ..., S - 1 (clamped at the edges).
    const double m = std::clamp(in_crop * map_size / p.crop - 0.5, 0.0, double(map_size - 1));
    t.lo = int(m);
    t.hi = std::min(t.lo + 1, map_size - 1);
    t.w = float(m - t.lo);
  }
  return taps;
}

}  // namespace

std::vector<float> map_to_original_frame(std::span<const float> map, int map_size, int width, int height,
                                         const Preprocess& preprocess) {
  DN_CHECK(map_size > 0 && map.size() == size_t(map_size) * size_t(map_size), "map_to_original_frame: a map of ",
           map.size(), " values is not ", map_size, " x ", map_size);
  DN_CHECK(width > 0 && height > 0, "map_to_original_frame: image size ", width, " x ", height);
  preprocess.validate();
  const std::vector<Tap> xs = axis_taps(width, map_size, preprocess);
  const std::vector<Tap> ys = axis_taps(height, map_size, preprocess);
  std::vector<float> out(size_t(width) * size_t(height), std::numeric_limits<float>::quiet_NaN());
  for (int y = 0; y < height; ++y) {
    const Tap& ty = ys[size_t(y)];
    if (!ty.inspected) continue;
    const float* row_lo = map.data() + size_t(ty.lo) * map_size;
    const float* row_hi = map.data() + size_t(ty.hi) * map_size;
    float* dst = out.data() + size_t(y) * width;
    for (int x = 0; x < width; ++x) {
      const Tap& tx = xs[size_t(x)];
      if (!tx.inspected) continue;
      const float top = row_lo[tx.lo] + tx.w * (row_lo[tx.hi] - row_lo[tx.lo]);
      const float bottom = row_hi[tx.lo] + tx.w * (row_hi[tx.hi] - row_hi[tx.lo]);
      dst[x] = top + ty.w * (bottom - top);
    }
  }
  return out;
}

}  // namespace dn::data
