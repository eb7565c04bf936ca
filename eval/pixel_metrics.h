// Pixel-level metrics of one class, fed one image at a time.
//
// P-AUROC, P-AP and P-F1max rank every pixel of every test image of the class (defect
// pixels against all others); AUPRO averages over defect regions (eval/aupro.h). The
// accumulator keeps what it needs as images arrive, so an evaluator never has to hold all
// maps at once:
//
//  - EXACT mode (while the stored scores fit options.exact_memory_bytes, 4 bytes a pixel):
//    every score is kept; finish() sorts them and computes the metrics exactly as
//    sklearn/the reference do. The default budget, 1 GiB, holds 268 million pixels:
//    4096 maps of 256x256, more than any MVTec-AD, VisA or typical Real-IAD class.
//  - STREAMING mode (once the budget would be exceeded): the normal pixels move into a
//    KeyHistogram (options.histogram_bins bins, 16 bytes each) and are no longer kept.
//    Defect pixels stay exact (AUPRO needs each region's scores; they are a few percent of
//    all pixels). finish() reports each metric with a bound on its error, proven in
//    eval/histogram_metrics.h; with 2^20 bins they were below 5e-4 on 39 million pixels
//    (eval/README.md). Peak memory: the budget (up to 1.5 times it while a vector grows),
//    plus the histogram, plus a copy of the defect pixels at finish().
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "eval/aupro.h"
#include "eval/key_histogram.h"

namespace dn::eval {

struct PixelMetricOptions {
  size_t exact_memory_bytes = size_t(1) << 30;  // stored scores at 4 bytes each
  int histogram_bins = 1 << 20;                 // streaming mode only
  int aupro_thresholds = 200;                   // the reference's num_th
  double aupro_max_fpr = 0.3;
  bool standard_aupro = false;  // also compute MVTec's AUPRO (exact mode only)
};

struct PixelMetrics {
  std::optional<double> auroc, ap, f1max;
  std::optional<double> aupro;           // the reference's definition
  std::optional<double> aupro_standard;  // MVTec's, when asked for
  std::optional<float> f1_threshold;     // pixels with score >= it are called defective
  bool exact = true;
  // Streaming mode: |reported - exact| is at most these. 0 in exact mode.
  double auroc_bound = 0, ap_bound = 0, f1max_bound = 0, aupro_bound = 0;
  uint64_t defect_pixels = 0, normal_pixels = 0, regions = 0;
  std::vector<std::string> warnings;
};

class PixelAccumulator {
 public:
  explicit PixelAccumulator(PixelMetricOptions options = {});

  // One image: its final anomaly map and its ground-truth mask (non-zero = defect), both
  // height x width, row-major. Throws dn::Error on a size mismatch or a non-finite score,
  // and when the defect pixels alone exceed the memory budget.
  void add(std::span<const float> map, std::span<const uint8_t> mask, int height, int width);

  // The metrics over everything added. Call once.
  PixelMetrics finish();

  bool streaming() const { return histogram_ != nullptr; }
  uint64_t pixels() const { return defect_pixels() + normal_pixels_; }

 private:
  uint64_t defect_pixels() const { return regions_.scores.size(); }
  size_t stored_bytes() const { return (negatives_.size() + regions_.scores.size()) * sizeof(float); }
  void switch_to_streaming();
  void add_regions(std::span<const float> map, std::span<const uint8_t> mask, int height, int width);
  PixelMetrics finish_exact();
  PixelMetrics finish_streaming();
  // AUPRO from per-threshold FPRs (shared by both modes).
  void reference_aupro(PixelMetrics& out, const std::vector<float>& thresholds,
                       const std::vector<double>& fpr);

  PixelMetricOptions options_;
  std::vector<float> negatives_;               // exact mode: every normal pixel's score
  RegionScores regions_;                       // every defect pixel, grouped by region
  std::unique_ptr<KeyHistogram> histogram_;    // streaming mode: the normal pixels
  uint64_t normal_pixels_ = 0;
  float min_score_ = 0, max_score_ = 0;        // over all pixels: the AUPRO thresholds
  bool finished_ = false;
};

}  // namespace dn::eval
