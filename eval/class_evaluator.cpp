#include "eval/class_evaluator.h"

#include <cmath>

#include "tensor/error.h"
#include "tensor/ops.h"

namespace dn::eval {

ClassEvaluator::ClassEvaluator(std::string class_name, PixelMetricOptions options)
    : name_(std::move(class_name)), pixels_(options) {}

void ClassEvaluator::disable_pixels(const std::string& why) {
  if (!pixels_valid_) return;
  pixels_valid_ = false;
  pixels_invalid_reason_ = why;
  pixels_ = PixelAccumulator(PixelMetricOptions{});  // drop what was stored
}

void ClassEvaluator::add(const std::string& path, int label, float score, std::span<const float> map,
                         std::span<const uint8_t> mask, int height, int width) {
  DN_CHECK(!finished_, "ClassEvaluator(", name_, "): add() after finish()");
  DN_CHECK(label == 0 || label == 1, "ClassEvaluator(", name_, "): label of ", path, " is ", label,
           ", expected 0 or 1");
  DN_CHECK(!std::isnan(score), "ClassEvaluator(", name_, "): the score of ", path, " is NaN");
  add_pixels(path, label, map, mask, height, width);  // first: it may throw on bad input
  scores_.push_back(score);
  labels_.push_back(uint8_t(label));
  rows_.push_back({name_, path, label, score});
}

void ClassEvaluator::add_pixels(const std::string& path, int label, std::span<const float> map,
                                std::span<const uint8_t> mask, int height, int width) {
  if (!pixels_valid_) return;
  if (map.empty()) {
    disable_pixels(str("no anomaly map for ", path));
    return;
  }
  std::vector<uint8_t> none;
  if (mask.empty()) {
    if (label == 1) {
      disable_pixels(str("the anomalous image ", path, " has no mask"));
      return;
    }
    none.assign(map.size(), 0);  // a normal image without a mask: no defect pixel
    mask = none;
  }
  try {
    pixels_.add(map, mask, height, width);
  } catch (const Error& e) {
    throw Error(str(path, ": ", e.what()));
  }
}

void ClassEvaluator::add(const std::string& path, int label, float score, const Tensor& map,
                         const Tensor& mask) {
  DN_CHECK(map.defined(), "ClassEvaluator(", name_, "): undefined map for ", path);
  DN_CHECK(map.dtype() == DType::f32 && (map.dim() == 2 || (map.dim() == 3 && map.size(0) == 1)),
           "ClassEvaluator(", name_, "): the map of ", path, " must be float32 [H, W] or [1, H, W], got ",
           map.describe());
  const int h = int(map.size(-2)), w = int(map.size(-1));
  std::vector<float> values = to_vector<float>(map);
  std::vector<uint8_t> bits;
  if (mask.defined()) {
    DN_CHECK(mask.numel() == map.numel() && mask.size(-1) == w && mask.size(-2) == h &&
                 (mask.dtype() == DType::bool_ || mask.dtype() == DType::u8),
             "ClassEvaluator(", name_, "): the mask of ", path, " must be bool or uint8 of the map's size ",
             h, "x", w, ", got ", mask.describe());
    bits = to_vector<uint8_t>(mask);
  }
  add(path, label, score, values, bits, h, w);
}

void ClassEvaluator::add_batch(const std::vector<std::string>& paths, const std::vector<int>& labels,
                               const Tensor& scores, const Tensor& maps, const Tensor& masks) {
  const int64_t b = int64_t(paths.size());
  DN_CHECK(int64_t(labels.size()) == b && scores.defined() && scores.numel() == b,
           "ClassEvaluator(", name_, "): a batch of ", b, " paths needs as many labels (",
           labels.size(), ") and scores (", scores.defined() ? scores.numel() : 0, ")");
  DN_CHECK(maps.defined() && maps.dtype() == DType::f32 && maps.dim() >= 3 && maps.size(0) == b &&
               (maps.dim() == 3 || (maps.dim() == 4 && maps.size(1) == 1)),
           "ClassEvaluator(", name_, "): batch maps must be float32 [B, 1, H, W] or [B, H, W] with B = ", b,
           ", got ", maps.describe());
  DN_CHECK(!masks.defined() || (masks.numel() == maps.numel() && masks.size(0) == b &&
                                masks.size(-1) == maps.size(-1) && masks.size(-2) == maps.size(-2) &&
                                (masks.dtype() == DType::bool_ || masks.dtype() == DType::u8)),
           "ClassEvaluator(", name_, "): batch masks must be bool or uint8 shaped like the maps ",
           maps.describe(), ", got ", masks.describe());
  const int h = int(maps.size(-2)), w = int(maps.size(-1));
  const size_t n = size_t(h) * size_t(w);
  std::vector<float> all_scores = to_vector<float>(scores);
  std::vector<float> all_maps = to_vector<float>(maps);
  std::vector<uint8_t> all_masks = masks.defined() ? to_vector<uint8_t>(masks) : std::vector<uint8_t>{};
  for (int64_t i = 0; i < b; ++i) {
    std::span<const float> map(all_maps.data() + i * n, n);
    std::span<const uint8_t> mask;
    if (!all_masks.empty()) mask = std::span<const uint8_t>(all_masks.data() + i * n, n);
    add(paths[i], labels[i], all_scores[i], map, mask, h, w);
  }
}

ClassMetrics ClassEvaluator::finish() {
  DN_CHECK(!finished_, "ClassEvaluator(", name_, "): finish() called twice");
  finished_ = true;
  ClassMetrics out;
  out.name = name_;
  out.n_test = int64_t(labels_.size());
  for (uint8_t l : labels_) out.n_anomalous += l;
  out.image = ranking_metrics(scores_, labels_);
  if (!out.image.auroc)
    out.warnings.push_back(str(name_, ": image metrics undefined: the test set holds ",
                               describe_classes(out.n_anomalous, out.n_test - out.n_anomalous),
                               " images (both are needed)"));
  if (pixels_valid_) {
    out.pixel = pixels_.finish();
  } else {
    out.pixel = PixelMetrics{};
    out.pixel.warnings.push_back("pixel metrics undefined: " + pixels_invalid_reason_);
  }
  for (const std::string& w : out.pixel.warnings) out.warnings.push_back(name_ + ": " + w);
  return out;
}

}  // namespace dn::eval
