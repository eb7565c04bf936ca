#include "eval/pixel_metrics.h"

#include <algorithm>
#include <cmath>

#include "eval/connected_components.h"
#include "eval/histogram_metrics.h"
#include "eval/ranking.h"
#include "eval/sort_scores.h"
#include "tensor/error.h"

namespace dn::eval {

PixelAccumulator::PixelAccumulator(PixelMetricOptions options) : options_(options) {
  DN_CHECK(options_.histogram_bins >= 2 && options_.histogram_bins % 2 == 0,
           "PixelAccumulator: histogram_bins must be even and >= 2, got ", options_.histogram_bins);
  DN_CHECK(options_.aupro_thresholds > 0, "PixelAccumulator: aupro_thresholds must be positive");
}

void PixelAccumulator::add(std::span<const float> map, std::span<const uint8_t> mask,
                           int height, int width) {
  DN_CHECK(!finished_, "PixelAccumulator: add() after finish()");
  const size_t n = size_t(std::max(height, 0)) * size_t(std::max(width, 0));
  DN_CHECK(height > 0 && width > 0 && map.size() == n && mask.size() == n,
           "PixelAccumulator: map has ", map.size(), " values and mask ", mask.size(),
           ", expected ", height, "x", width);
  bool first = pixels() == 0;
  for (float v : map) {
    DN_CHECK(std::isfinite(v), "PixelAccumulator: the anomaly map holds a non-finite value (", v, ")");
    min_score_ = first ? v : std::min(min_score_, v);
    max_score_ = first ? v : std::max(max_score_, v);
    first = false;
  }
  size_t defects = 0;
  for (uint8_t m : mask) defects += m != 0;

  size_t new_bytes = defects * sizeof(float) + (histogram_ ? 0 : (n - defects) * sizeof(float));
  if (!histogram_ && stored_bytes() + new_bytes > options_.exact_memory_bytes) switch_to_streaming();
  DN_CHECK((defect_pixels() + defects) * sizeof(float) <= options_.exact_memory_bytes,
           "PixelAccumulator: the defect pixels alone (", defect_pixels() + defects,
           ") exceed the memory budget of ", options_.exact_memory_bytes, " bytes; raise it");

  add_regions(map, mask, height, width);
  normal_pixels_ += n - defects;
  if (histogram_) {
    std::vector<float> normal;
    normal.reserve(n - defects);
    for (size_t i = 0; i < n; ++i)
      if (!mask[i]) normal.push_back(map[i]);
    histogram_->add(normal, {});
  } else {
    for (size_t i = 0; i < n; ++i)
      if (!mask[i]) negatives_.push_back(map[i]);
  }
}

void PixelAccumulator::add_regions(std::span<const float> map, std::span<const uint8_t> mask,
                                   int height, int width) {
  RegionLabels lab = label_regions(mask, height, width, Connectivity::eight);
  if (lab.count == 0) return;
  // Counting sort of the defect pixels by region: sizes, then offsets, then scatter.
  std::vector<uint64_t> start(size_t(lab.count) + 1, 0);
  for (int32_t l : lab.labels)
    if (l) ++start[l];
  const uint64_t base = regions_.scores.size();
  uint64_t offset = base;
  for (int32_t r = 1; r <= lab.count; ++r) {
    uint64_t area = start[r];
    start[r] = offset;
    offset += area;
    regions_.begin.push_back(offset);
  }
  regions_.scores.resize(offset);
  for (size_t i = 0; i < lab.labels.size(); ++i)
    if (int32_t l = lab.labels[i]) regions_.scores[start[l]++] = map[i];
}

void PixelAccumulator::switch_to_streaming() {
  histogram_ = std::make_unique<KeyHistogram>(options_.histogram_bins);
  histogram_->add(negatives_, {});
  std::vector<float>().swap(negatives_);  // give the memory back
}

PixelMetrics PixelAccumulator::finish() {
  DN_CHECK(!finished_, "PixelAccumulator: finish() called twice");
  finished_ = true;
  for (size_t r = 0; r < regions_.regions(); ++r)
    std::sort(regions_.scores.begin() + regions_.begin[r], regions_.scores.begin() + regions_.begin[r + 1]);
  PixelMetrics out;
  out.defect_pixels = defect_pixels();
  out.normal_pixels = normal_pixels_;
  out.regions = regions_.regions();
  if (out.defect_pixels == 0 || out.normal_pixels == 0) {
    out.warnings.push_back(str("pixel metrics undefined: the masks hold ", out.defect_pixels,
                               " defect and ", out.normal_pixels, " normal pixels (both are needed)"));
    out.exact = !histogram_;
    return out;
  }
  return histogram_ ? finish_streaming() : finish_exact();
}

void PixelAccumulator::reference_aupro(PixelMetrics& out, const std::vector<float>& thresholds,
                                       const std::vector<double>& fpr) {
  std::string why;
  if (thresholds.empty()) {
    out.warnings.push_back(str("AUPRO undefined: every map value is ", min_score_,
                               ", so there is no threshold range"));
    return;
  }
  std::vector<double> pro = pro_at_thresholds(regions_, thresholds);
  out.aupro = reference_aupro_area(fpr, pro, options_.aupro_max_fpr, &why);
  if (!out.aupro) out.warnings.push_back("AUPRO undefined: " + why);
}

PixelMetrics PixelAccumulator::finish_exact() {
  PixelMetrics out;
  out.defect_pixels = defect_pixels();
  out.normal_pixels = normal_pixels_;
  out.regions = regions_.regions();
  sort_scores(negatives_);
  std::vector<float> positives = regions_.scores;
  sort_scores(positives);

  // One sweep down both sorted lists, equal scores taken together as a tie group.
  RankingSweep sweep(positives.size(), negatives_.size());
  size_t i = negatives_.size(), j = positives.size();
  while (i > 0 || j > 0) {
    float v = std::max(i > 0 ? negatives_[i - 1] : -INFINITY, j > 0 ? positives[j - 1] : -INFINITY);
    uint64_t neg = 0, pos = 0;
    while (i > 0 && negatives_[i - 1] == v) --i, ++neg;
    while (j > 0 && positives[j - 1] == v) --j, ++pos;
    sweep.add_group(pos, neg, v);
  }
  RankingMetrics r = sweep.result();
  out.auroc = r.auroc;
  out.ap = r.ap;
  out.f1max = r.f1max;
  out.f1_threshold = r.f1_threshold;
  std::vector<float>().swap(positives);

  std::vector<float> thresholds = reference_pro_thresholds(min_score_, max_score_, options_.aupro_thresholds);
  std::vector<double> fpr(thresholds.size());
  for (size_t t = 0; t < thresholds.size(); ++t) {
    size_t at_or_below = std::upper_bound(negatives_.begin(), negatives_.end(), thresholds[t]) - negatives_.begin();
    fpr[t] = double(negatives_.size() - at_or_below) / double(negatives_.size());
  }
  reference_aupro(out, thresholds, fpr);

  if (options_.standard_aupro) {
    std::string why;
    out.aupro_standard = standard_aupro(negatives_, regions_, options_.aupro_max_fpr, &why);
    if (!out.aupro_standard) out.warnings.push_back("standard AUPRO undefined: " + why);
  }
  return out;
}

PixelMetrics PixelAccumulator::finish_streaming() {
  PixelMetrics out;
  out.exact = false;
  out.defect_pixels = defect_pixels();
  out.normal_pixels = normal_pixels_;
  out.regions = regions_.regions();
  const double N = double(normal_pixels_);

  // AUPRO first, while the histogram holds only the normal pixels.
  std::vector<float> thresholds = reference_pro_thresholds(min_score_, max_score_, options_.aupro_thresholds);
  std::vector<double> fpr(thresholds.size()), fpr_lo(thresholds.size()), fpr_hi(thresholds.size());
  for (size_t t = 0; t < thresholds.size(); ++t) {
    CountInterval c = negatives_above(*histogram_, thresholds[t]);
    fpr[t] = c.estimate / N;
    fpr_lo[t] = double(c.lower) / N;
    fpr_hi[t] = double(c.upper) / N;
  }
  reference_aupro(out, thresholds, fpr);
  if (out.aupro) {
    // The kept rows are a suffix (fpr falls as the threshold rises). If some row's FPR
    // interval straddles the cut, the kept set itself is uncertain: no useful bound.
    // Otherwise AUPRO = q_0 - sum_i w_i x_i with weights w_i >= 0 summing to at most 1 and
    // x_i = fpr_i / fpr_first (summation by parts of the trapezoid sum; PRO falls with the
    // threshold), so the error is at most the widest interval of any x_i.
    const double cut = options_.aupro_max_fpr;
    bool straddles = false;
    size_t first = thresholds.size();
    for (size_t t = 0; t < thresholds.size(); ++t) {
      if (fpr_lo[t] < cut && fpr_hi[t] >= cut) straddles = true;
      if (fpr_hi[t] < cut && first == thresholds.size()) first = t;
    }
    if (straddles || first == thresholds.size() || fpr_lo[first] <= 0) {
      out.aupro_bound = 1.0;
      out.warnings.push_back("AUPRO from the streaming histogram has no useful error bound "
                             "(a threshold's FPR is too close to the cut); raise the memory budget "
                             "or the histogram bins");
    } else {
      for (size_t t = first; t < thresholds.size(); ++t) {
        double x_hi = std::min(1.0, fpr_hi[t] / fpr_lo[first]);
        double x_lo = fpr_lo[t] / fpr_hi[first];
        out.aupro_bound = std::max(out.aupro_bound, x_hi - x_lo);
      }
    }
  }
  if (options_.standard_aupro)
    out.warnings.push_back("standard AUPRO needs the exact mode (the pixels exceeded the memory budget)");

  // Then the ranking metrics over both classes of pixels.
  std::vector<uint8_t> ones(regions_.scores.size(), 1);
  histogram_->add(regions_.scores, ones);
  HistogramMetrics hm = histogram_metrics(*histogram_);
  out.auroc = hm.metrics.auroc;
  out.ap = hm.metrics.ap;
  out.f1max = hm.metrics.f1max;
  out.f1_threshold = hm.metrics.f1_threshold;
  out.auroc_bound = hm.auroc_bound;
  out.ap_bound = hm.ap_bound;
  out.f1max_bound = hm.f1max_bound;
  out.warnings.push_back(str("pixel metrics from a streaming histogram (", normal_pixels_ + defect_pixels(),
                             " pixels exceed the exact budget of ", options_.exact_memory_bytes,
                             " bytes): error bounds AUROC ", out.auroc_bound, ", AP ", out.ap_bound,
                             ", F1max ", out.f1max_bound, ", AUPRO ", out.aupro_bound));
  return out;
}

}  // namespace dn::eval
