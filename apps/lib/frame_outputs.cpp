#include "apps/lib/frame_outputs.h"

#include <cmath>
#include <sstream>

#include "apps/lib/run_dir.h"
#include "data/pfm.h"
#include "eval/colormap.h"
#include "eval/draw.h"
#include "tensor/error.h"

namespace dn::app {

namespace {

// Not-inspected pixels: the image dimmed toward grey, with dark diagonal hatching every
// kHatch pixels, so the band reads as "no data" on any image and any colour scale.
constexpr int kHatch = 6;
const eval::Rgb kNotInspected{128, 128, 128}, kHatchInk{40, 40, 40}, kPredicted{255, 0, 0};

}  // namespace

FrameKinds parse_frame_kinds(const std::string& text) {
  FrameKinds k{false, false, false};
  if (text == "none") return k;
  std::istringstream words(text);
  for (std::string w; std::getline(words, w, ',');) {
    if (w == "map") k.map = true;
    else if (w == "mask") k.mask = true;
    else if (w == "overlay") k.overlay = true;
    else fail("--maps: unknown output '", w, "' in '", text, "' (give map, mask, overlay separated by commas, or none)");
  }
  DN_CHECK(k.any(), "--maps: '", text, "' names no output (give map, mask, overlay separated by commas, or none)");
  return k;
}

FrameStyle frame_style(const OperatingPoint* op, float score) {
  FrameStyle style;
  style.scale = op ? op->map_scale : eval::ColourScale{0.0f, score > 0 ? score * 2 : 1.0f};
  if (op) style.pixel_threshold = float(op->mask_threshold());
  return style;
}

FrameFiles frame_files(const std::string& name, const FrameKinds& kinds, bool has_pixel_threshold) {
  FrameFiles f;
  if (kinds.map) f.map = join_path("maps", name + ".pfm");
  if (kinds.mask && has_pixel_threshold) f.mask = join_path("masks", name + ".png");
  if (kinds.overlay) f.overlay = join_path("overlays", name + ".png");
  return f;
}

void make_frame_dirs(const std::string& out, const FrameKinds& kinds, bool has_pixel_threshold) {
  if (kinds.map) make_writable_dir(join_path(out, "maps"));
  if (kinds.mask && has_pixel_threshold) make_writable_dir(join_path(out, "masks"));
  if (kinds.overlay) make_writable_dir(join_path(out, "overlays"));
}

data::Image threshold_mask(const std::vector<float>& map, int width, int height, float threshold) {
  DN_CHECK(map.size() == size_t(width) * size_t(height), "threshold_mask: ", map.size(), " values for ", width,
           " x ", height);
  data::Image mask(width, height, 1);
  for (size_t i = 0; i < map.size(); ++i) mask.pixels[i] = map[i] >= threshold ? 255 : 0;
  return mask;
}

data::Image frame_overlay(const data::Image& image, const std::vector<float>& map, const FrameStyle& style) {
  const int w = image.width, h = image.height;
  DN_CHECK(map.size() == size_t(w) * size_t(h), "frame_overlay: ", map.size(), " values for ", w, " x ", h);
  data::Image out = eval::blank_rgb(w, h, {0, 0, 0});
  eval::paste(out, image, 0, 0);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const float v = map[size_t(y) * w + x];
      if (std::isnan(v)) {
        eval::blend_pixel(out, x, y, (x + y) % kHatch == 0 ? kHatchInk : kNotInspected, 0.7f);
      } else {
        eval::blend_pixel(out, x, y, eval::jet(style.scale.position(v)), style.overlay_alpha);
      }
    }
  if (style.pixel_threshold) {
    const data::Image mask = threshold_mask(map, w, h, *style.pixel_threshold);
    eval::mark_pixels(out, eval::region_outline(mask.pixels, w, h), kPredicted);
  }
  return out;
}

void write_frame_outputs(const std::string& out, const FrameFiles& files, const data::Image& image,
                         const std::vector<float>& map, const FrameStyle& style) {
  if (!files.map.empty()) data::write_pfm(join_path(out, files.map), {image.width, image.height, map});
  if (!files.mask.empty()) {
    DN_CHECK(style.pixel_threshold.has_value(), join_path(out, files.mask), ": a mask needs a pixel threshold");
    data::write_png(join_path(out, files.mask), threshold_mask(map, image.width, image.height,
                                                               *style.pixel_threshold));
  }
  if (!files.overlay.empty()) data::write_png(join_path(out, files.overlay), frame_overlay(image, map, style));
}

}  // namespace dn::app
