// Connected regions of a binary mask (the defect regions that AUPRO averages over).
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace dn::eval {

// Which neighbours touch: 8 counts the diagonals too (skimage.measure.label's default in
// 2-D, and what the reference uses), 4 only the edge neighbours.
enum class Connectivity { four = 4, eight = 8 };

struct RegionLabels {
  std::vector<int32_t> labels;  // per pixel, row-major: 0 = background, 1..count = region
  int32_t count = 0;
};

// Labels the regions of `mask` (height x width, row-major; any non-zero byte is foreground).
// Regions are numbered 1, 2, ... in the raster order of their first pixel, as
// skimage.measure.label numbers them. Throws dn::Error if the sizes do not match.
RegionLabels label_regions(std::span<const uint8_t> mask, int height, int width,
                           Connectivity connectivity = Connectivity::eight);

}  // namespace dn::eval
