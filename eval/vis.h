// Picture strips: one PNG-ready image per test image, four panels side by side:
//
//   input | ground truth | heat map on the input | the thresholded region outlined
//
// The input is the image as the model saw it (the centre crop), shown at the map's size
// so that every panel is in the same frame as the map. The heat map uses a colour scale
// fixed for the whole class (eval/colour_scale.h), never per image, and the strip prints
// the score, the label, the decision and the thresholds it used.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "data/image.h"
#include "eval/colour_scale.h"

namespace dn::eval {

struct StripInput {
  const data::Image* input = nullptr;  // 1, 3 or 4 channels, any size (resized for display)
  std::span<const float> map;          // map_height x map_width, row-major
  int map_height = 0, map_width = 0;
  std::span<const uint8_t> mask;       // same size as the map (non-zero = defect); empty: none
  float score = 0;
  int label = -1;                      // 0 normal, 1 anomalous, -1 unknown
  std::string caption;                 // e.g. "magnetic_tile/test/crack/exp1_num_4.jpg"
};

struct StripStyle {
  ColourScale scale;                       // fixed for the class
  std::optional<float> pixel_threshold;    // map >= it is outlined as the predicted region
  std::optional<float> image_threshold;    // score >= it is called anomalous
  std::string threshold_note;              // where the thresholds come from, printed on the strip
  float overlay_alpha = 0.5f;              // weight of the heat colours over the input
};

// Throws dn::Error when the sizes do not agree or the input is missing.
data::Image render_strip(const StripInput& in, const StripStyle& style);

}  // namespace dn::eval
