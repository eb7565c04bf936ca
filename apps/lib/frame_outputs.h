// What predict writes per image in the ORIGINAL image's frame (width x height as the file
// has them), beside its heat-map strip in the network's 256 x 256 crop frame:
//
//   maps/<name>.pfm      the anomaly map, float32 (data/pfm.h), NaN where the centre crop
//                        left the image out (never inspected)
//   masks/<name>.png     8-bit, 255 where map >= the pixel threshold, else 0 (also 0 where
//                        not inspected); only with a threshold
//   overlays/<name>.png  the map's colours over the image, the predicted region outlined in
//                        red and the band that was not inspected greyed and hatched
//
// The map comes back from the crop with data/original_frame.h; the colours and drawing
// are eval's (eval/colour_scale.h, eval/colormap.h, eval/draw.h).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "apps/lib/threshold.h"
#include "data/image.h"
#include "eval/colour_scale.h"

namespace dn::app {

// Which of the three files to write: predict --maps map,mask,overlay (any subset) or none.
struct FrameKinds {
  bool map = true, mask = true, overlay = true;
  bool any() const { return map || mask || overlay; }
};
// Throws dn::Error naming --maps and the unknown word.
FrameKinds parse_frame_kinds(const std::string& text);

struct FrameStyle {
  eval::ColourScale scale;                // the overlay's colours
  std::optional<float> pixel_threshold;   // none (bare weights): no mask, no outline
  float overlay_alpha = 0.5f;             // weight of the heat colours over the image
};

// The style predict uses for an image of `score` judged by `op`: the run's fixed colour scale
// and its mask threshold (OperatingPoint::mask_threshold); with no operating point (bare
// weights, op null) 0 .. twice the score, as on its heat-map strips, and no mask.
FrameStyle frame_style(const OperatingPoint* op, float score);

// The three files' names relative to the output folder ("" for one not written).
struct FrameFiles {
  std::string map, mask, overlay;
};
// For an output name (eval/output_names.h) and the kinds asked for; no mask without a
// pixel threshold.
FrameFiles frame_files(const std::string& name, const FrameKinds& kinds, bool has_pixel_threshold);
// Creates the folders those files go to under `out`.
void make_frame_dirs(const std::string& out, const FrameKinds& kinds, bool has_pixel_threshold);

// 255 where map >= threshold, else 0 (NaN compares false: not inspected is 0).
data::Image threshold_mask(const std::vector<float>& map, int width, int height, float threshold);
// The overlay described above; `image` has the map's size (1, 3 or 4 channels).
data::Image frame_overlay(const data::Image& image, const std::vector<float>& map, const FrameStyle& style);

// Writes the files named in `files` (each atomically) under `out`. map: image.width x
// image.height values in the original frame (data::map_to_original_frame).
void write_frame_outputs(const std::string& out, const FrameFiles& files, const data::Image& image,
                         const std::vector<float>& map, const FrameStyle& style);

}  // namespace dn::app
