#include "eval/vis.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "eval/colormap.h"
#include "eval/draw.h"
#include "tensor/error.h"

namespace dn::eval {

namespace {

// Layout, top to bottom: caption, score line, note (small), panel titles, panels, colour bar.
constexpr int kMargin = 8, kGap = 8;
constexpr int kScoreY = 30, kNoteY = 50, kTitleY = 64, kPanelsY = 84;
const Rgb kBackground{255, 255, 255}, kInk{0, 0, 0}, kGrey{110, 110, 110};
const Rgb kPredicted{255, 0, 0}, kTruth{0, 200, 0}, kRight{0, 140, 0}, kWrong{210, 0, 0};

std::string number(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", double(v));
  return buf;
}

const char* label_name(int label) {
  return label == 0 ? "normal" : label == 1 ? "anomalous" : "unknown";
}

// Draws `text`, cut from the left with "..." if it is wider than max_width.
void draw_fitted(Image& img, int x, int y, std::string text, Rgb colour, int scale, int max_width) {
  while (text.size() > 4 && text_width(text, scale) > max_width) text = "..." + text.substr(4);
  draw_text(img, x, y, text, colour, scale);
}

}  // namespace

data::Image render_strip(const StripInput& in, const StripStyle& style) {
  const int w = in.map_width, h = in.map_height;
  DN_CHECK(in.input != nullptr, "render_strip(", in.caption, "): no input image");
  DN_CHECK(w > 0 && h > 0 && in.map.size() == size_t(w) * h, "render_strip(", in.caption, "): map has ",
           in.map.size(), " values, expected ", h, "x", w);
  DN_CHECK(in.mask.empty() || in.mask.size() == in.map.size(), "render_strip(", in.caption,
           "): mask has ", in.mask.size(), " values, expected ", h, "x", w);

  const Image base = resize_rgb(*in.input, w, h);
  const int width = 2 * kMargin + 4 * w + 3 * kGap;
  const int panels_y = kPanelsY;
  const int height = panels_y + h + 8 + 10 + 4 + 20 + kMargin;
  Image strip = blank_rgb(width, height, kBackground);

  // Header: caption; score, label and decision; where thresholds and colours come from.
  draw_fitted(strip, kMargin, kMargin, in.caption, kInk, 2, width - 2 * kMargin);
  int x = kMargin, y = kScoreY;
  x += draw_text(strip, x, y, "score " + number(in.score) + "   label " + label_name(in.label), kInk, 2);
  if (style.image_threshold) {
    bool called = in.score >= *style.image_threshold;
    x += draw_text(strip, x, y, "   image thr " + number(*style.image_threshold) + " -> ", kInk, 2);
    Rgb verdict = in.label < 0 ? kInk : (int(called) == in.label ? kRight : kWrong);
    draw_text(strip, x, y, called ? "anomalous" : "normal", verdict, 2);
  }
  std::string note = "colours: one scale for the class [" + number(style.scale.low) + ", " +
                     number(style.scale.high) + "]";
  if (!style.threshold_note.empty()) note += "; thresholds: " + style.threshold_note;
  draw_fitted(strip, kMargin, kNoteY, note, kGrey, 1, width - 2 * kMargin);

  const char* titles[4] = {"input", "ground truth", "heat map", "region"};
  for (int p = 0; p < 4; ++p)
    draw_text(strip, kMargin + p * (w + kGap), kTitleY, titles[p], kInk, 2);

  // 1: the input.
  paste(strip, base, kMargin, panels_y);

  // 2: the ground truth, white on black.
  // No mask on a normal image means no defect pixel (MVTec ships none for "good");
  // on an anomalous or unlabelled image it means the truth is unknown: grey.
  const bool unknown_truth = in.mask.empty() && in.label != 0;
  Image truth = blank_rgb(w, h, unknown_truth ? Rgb{60, 60, 60} : Rgb{0, 0, 0});
  std::vector<uint8_t> truth_inside(size_t(w) * h, 0);
  for (size_t i = 0; i < in.mask.size(); ++i) truth_inside[i] = in.mask[i] != 0;
  mark_pixels(truth, truth_inside, {255, 255, 255});
  if (unknown_truth) draw_text(truth, 6, 6, "no mask", {200, 200, 200}, 2);
  paste(strip, truth, kMargin + w + kGap, panels_y);

  // 3: the heat map over the input, on the class's fixed scale.
  Image heat = base;
  for (int yy = 0; yy < h; ++yy)
    for (int xx = 0; xx < w; ++xx)
      blend_pixel(heat, xx, yy, jet(style.scale.position(in.map[size_t(yy) * w + xx])), style.overlay_alpha);
  paste(strip, heat, kMargin + 2 * (w + kGap), panels_y);

  // 4: the predicted region (map >= pixel threshold) outlined in red, the truth in green.
  Image region = base;
  mark_pixels(region, region_outline(truth_inside, w, h), kTruth);
  if (style.pixel_threshold) {
    std::vector<uint8_t> called(size_t(w) * h);
    for (size_t i = 0; i < called.size(); ++i) called[i] = in.map[i] >= *style.pixel_threshold;
    mark_pixels(region, region_outline(called, w, h), kPredicted);
  } else {
    draw_text(region, 6, 6, "no pixel threshold", kPredicted, 1);
  }
  paste(strip, region, kMargin + 3 * (w + kGap), panels_y);

  // Footer: the colour bar under the heat map, with its ends and the threshold marked.
  const int bar_x = kMargin + 2 * (w + kGap), bar_y = panels_y + h + 8;
  for (int xx = 0; xx < w; ++xx) fill_rect(strip, bar_x + xx, bar_y, 1, 10, jet(float(xx) / float(w - 1)));
  const int label_y = bar_y + 14;
  draw_text(strip, bar_x, label_y, number(style.scale.low), kInk, 1);
  std::string hi = number(style.scale.high);
  draw_text(strip, bar_x + w - text_width(hi), label_y, hi, kInk, 1);
  if (style.pixel_threshold) {
    int tx = bar_x + int(style.scale.position(*style.pixel_threshold) * float(w - 1));
    draw_line(strip, tx, bar_y - 2, tx, bar_y + 11, kInk, 2);
    std::string t = "thr " + number(*style.pixel_threshold);
    draw_text(strip, std::clamp(tx - text_width(t) / 2, bar_x, bar_x + w - text_width(t)), label_y + 10, t, kInk, 1);
  }
  const int legend_x = kMargin + 3 * (w + kGap);
  if (style.pixel_threshold)
    draw_text(strip, legend_x, bar_y, "red: map >= " + number(*style.pixel_threshold), kPredicted, 1);
  draw_text(strip, legend_x, bar_y + 12, "green: ground truth", kTruth, 1);
  return strip;
}

}  // namespace dn::eval
