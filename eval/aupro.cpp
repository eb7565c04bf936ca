#include "eval/aupro.h"

#include <algorithm>
#include <cmath>

#include "eval/exact_mean.h"
#include "tensor/error.h"

namespace dn::eval {

std::vector<float> reference_pro_thresholds(float min_score, float max_score, int count) {
  DN_CHECK(count > 0, "reference_pro_thresholds: count must be positive, got ", count);
  if (!(max_score > min_score)) return {};
  // `max_th - min_th` subtracts two float32 scalars: the result is rounded to float32.
  float range32 = max_score - min_score;
  double delta = double(range32) / count;  // float32 / int -> float64 in numpy 1.x
  // np.arange's length: ceil((stop - start) / step), where stop - start is again float32.
  double steps = std::ceil(double(range32) / delta);
  DN_CHECK(steps >= 1 && steps < 1e7, "reference_pro_thresholds: odd length ", steps);
  size_t length = size_t(steps);
  double th0 = min_score;
  double th1 = double(min_score) + delta;
  double step = th1 - th0;  // np.arange's fill: th_i = th_0 + i * (th_1 - th_0)
  std::vector<float> out(length);
  for (size_t i = 0; i < length; ++i) {
    double th = i == 0 ? th0 : (i == 1 ? th1 : th0 + double(i) * step);
    out[i] = float(th);  // round to nearest: the cast made for `amaps > th`
  }
  return out;
}

std::vector<double> pro_at_thresholds(const RegionScores& regions, std::span<const float> thresholds) {
  DN_CHECK(regions.regions() > 0, "pro_at_thresholds: no regions");
  DN_CHECK(std::is_sorted(thresholds.begin(), thresholds.end()),
           "pro_at_thresholds: thresholds must ascend");
  std::vector<ExactMean> means(thresholds.size());
  for (size_t r = 0; r < regions.regions(); ++r) {
    const float* first = regions.scores.data() + regions.begin[r];
    uint64_t area = regions.area(r);
    // Walk the sorted region once: `below` counts its pixels <= the current threshold.
    uint64_t below = 0;
    for (size_t t = 0; t < thresholds.size(); ++t) {
      while (below < area && first[below] <= thresholds[t]) ++below;
      means[t].add(double(area - below) / double(area));  // tp_pixels / region.area
    }
  }
  std::vector<double> pro(thresholds.size());
  for (size_t t = 0; t < thresholds.size(); ++t) pro[t] = means[t].mean();
  return pro;
}

std::optional<double> reference_aupro_area(std::span<const double> fpr, std::span<const double> pro,
                                           double max_fpr, std::string* why) {
  DN_CHECK(fpr.size() == pro.size(), "reference_aupro_area: ", fpr.size(), " fprs, ",
           pro.size(), " pros");
  std::vector<double> x, y;
  for (size_t i = 0; i < fpr.size(); ++i) {
    if (fpr[i] < max_fpr) {  // df[df["fpr"] < 0.3]: strict
      x.push_back(fpr[i]);
      y.push_back(pro[i]);
    }
  }
  if (x.size() < 2) {
    if (why) *why = str("only ", x.size(), " of ", fpr.size(), " thresholds have fpr < ", max_fpr);
    return std::nullopt;
  }
  double largest = *std::max_element(x.begin(), x.end());
  if (!(largest > 0)) {
    if (why) *why = "every kept threshold has fpr 0";
    return std::nullopt;
  }
  for (double& v : x) v /= largest;
  // sklearn.metrics.auc: x is non-increasing here, so the area is -trapz(y, x).
  double area = 0;
  for (size_t i = 0; i + 1 < x.size(); ++i) area += (x[i] - x[i + 1]) * (y[i] + y[i + 1]) / 2.0;
  return area;
}

std::optional<double> standard_aupro(std::span<const float> negatives_sorted,
                                     const RegionScores& regions, double max_fpr, std::string* why) {
  const size_t n_regions = regions.regions();
  if (n_regions == 0 || negatives_sorted.empty()) {
    if (why) *why = n_regions == 0 ? "no defect region" : "no normal pixel";
    return std::nullopt;
  }
  // Every defect pixel raises PRO by 1 / (area of its region * number of regions) once the
  // threshold passes it; every normal pixel raises FPR by 1 / (number of normal pixels).
  struct Weighted {
    float score;
    double weight;
  };
  std::vector<Weighted> positives;
  positives.reserve(regions.scores.size());
  for (size_t r = 0; r < n_regions; ++r) {
    double w = 1.0 / double(regions.area(r));
    for (uint64_t i = regions.begin[r]; i < regions.begin[r + 1]; ++i)
      positives.push_back({regions.scores[i], w});
  }
  std::sort(positives.begin(), positives.end(),
            [](const Weighted& a, const Weighted& b) { return a.score < b.score; });

  // Sweep the distinct scores from the top: the curve starts at (0, 0), gains one point
  // per distinct score, and ends at (1, 1). We integrate up to max_fpr as we go, with
  // MVTec's linear interpolation on the segment that crosses max_fpr.
  const double n_neg = double(negatives_sorted.size());
  size_t i = negatives_sorted.size(), j = positives.size();
  uint64_t fp = 0;
  double pro_sum = 0.0;  // sum of weights passed, in the cumsum order
  double px = 0.0, py = 0.0, area = 0.0;
  auto visit = [&](double x, double y) {  // next curve point; returns true when done
    x = std::min(x, 1.0);
    y = std::min(y, 1.0);
    if (x <= max_fpr) {
      area += 0.5 * (y + py) * (x - px);
      px = x;
      py = y;
      return false;
    }
    double y_at = py + (y - py) * (max_fpr - px) / (x - px);
    area += 0.5 * (y_at + py) * (max_fpr - px);
    px = max_fpr;
    return true;
  };
  bool done = false;
  while (!done && (i > 0 || j > 0)) {
    float v = std::max(i > 0 ? negatives_sorted[i - 1] : -INFINITY,
                       j > 0 ? positives[j - 1].score : -INFINITY);
    while (i > 0 && negatives_sorted[i - 1] == v) {
      --i;
      ++fp;
    }
    while (j > 0 && positives[j - 1].score == v) pro_sum += positives[--j].weight;
    done = visit(double(fp) / n_neg, pro_sum / double(n_regions));
  }
  if (!done) visit(1.0, 1.0);  // the appended end point
  return area / max_fpr;
}

}  // namespace dn::eval
