// Everything the evaluator learns about one class: image scores and labels, pixel maps and
// masks, fed one test image at a time; finish() gives the seven metrics.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "eval/decisions.h"
#include "eval/pixel_metrics.h"
#include "eval/ranking.h"
#include "tensor/tensor.h"

namespace dn::eval {

// One line of scores.csv.
struct ScoreRow {
  std::string class_name;
  std::string path;
  int label = 0;  // 0 normal, 1 anomalous
  float score = 0;
  std::string picture;  // the image's picture strip relative to the report's folder; empty: none
};

struct ClassMetrics {
  std::string name;
  int64_t n_test = 0, n_anomalous = 0;
  RankingMetrics image;  // I-AUROC, I-AP, I-F1max (+ the F1-optimal image threshold)
  PixelMetrics pixel;    // P-AUROC, P-AP, P-F1max, AUPRO (+ threshold, streaming bounds)
  std::optional<Decisions> decisions;  // at the run's deployed threshold, when it has one
  std::vector<std::string> warnings;
};

class ClassEvaluator {
 public:
  explicit ClassEvaluator(std::string class_name, PixelMetricOptions options = {});

  // One test image: label 0 (normal) or 1 (anomalous), its image score, and its final
  // anomaly map with the ground-truth mask (both height x width, row-major; mask non-zero =
  // defect). An empty `mask` means the image has none: fine for a normal image (no defect),
  // but an anomalous image without a mask makes the pixel metrics undefined for the class.
  // An empty `map` skips the pixel metrics for this image (they become undefined).
  void add(const std::string& path, int label, float score, std::span<const float> map,
           std::span<const uint8_t> mask, int height, int width);

  // The same from tensors: map float32 [H, W] or [1, H, W]; mask bool or uint8 of the same
  // size, or an undefined Tensor for "no mask".
  void add(const std::string& path, int label, float score, const Tensor& map, const Tensor& mask);

  // A batch as the model code holds it: scores [B], maps float32 [B, 1, H, W] or [B, H, W],
  // masks bool/uint8 of the maps' shape (or undefined: no masks), with B paths and labels.
  void add_batch(const std::vector<std::string>& paths, const std::vector<int>& labels,
                 const Tensor& scores, const Tensor& maps, const Tensor& masks);

  ClassMetrics finish();  // once
  const std::vector<ScoreRow>& scores() const { return rows_; }

 private:
  void add_pixels(const std::string& path, int label, std::span<const float> map,
                  std::span<const uint8_t> mask, int height, int width);
  void disable_pixels(const std::string& why);

  std::string name_;
  PixelAccumulator pixels_;
  bool pixels_valid_ = true;
  std::string pixels_invalid_reason_;
  std::vector<float> scores_;
  std::vector<uint8_t> labels_;
  std::vector<ScoreRow> rows_;
  bool finished_ = false;
};

}  // namespace dn::eval
