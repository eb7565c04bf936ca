// AUPRO: the area under the per-region-overlap curve, two definitions.
//
// PRO at a threshold t is the mean over all ground-truth regions (8-connected components
// of the masks, over all images of the class) of the fraction of the region's pixels whose
// score is > t. Unlike pixel AUROC, a small defect counts as much as a big one. The curve
// plots PRO against the false positive rate (the fraction of normal pixels > t) and the
// metric integrates it over low false positive rates only, FPR up to 0.3.
//
// 1. The REFERENCE AUPRO (Dinomaly utils.py compute_pro), what the paper's tables use:
//    - 200 thresholds evenly spaced over [min, max] of all maps of the class, built as
//      np.arange(min, max, (max - min) / 200) builds them (see reference_pro_thresholds);
//    - rows with fpr < 0.3 are kept; there is no point at fpr = 0.3 and none at fpr = 0;
//    - the kept fprs are divided by the LARGEST kept fpr (not by 0.3), so the x axis runs
//      to 1 whatever the largest kept fpr was, and the area is a trapezoid sum.
//    Because only ~200 thresholds span the whole score range, only some tens of them fall
//    below fpr 0.3 (where most normal pixels are already below the threshold), so the
//    curve is coarse there, and the renormalisation stretches it to the full unit width.
// 2. The STANDARD AUPRO (MVTec AD's evaluation code): the curve at every distinct score,
//    integrated from fpr 0 to exactly 0.3 (the last segment interpolated linearly at 0.3),
//    then divided by 0.3. Both give a number in [0, 1]; on the test fixtures they differ
//    by 0.1 to 1.5 points, so a table must say which one it reports.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dn::eval {

// The thresholds of the reference, as float32: what `amaps > th` compares against.
//
// numpy 1.x (the reference pins 1.18) promotes `np.float32 / int` to float64, so delta and
// np.arange's values are float64: the length is ceil(float32(max - min) / delta), which is
// 200 or, through rounding, 201; th_0 = min, th_1 = min + delta, th_i = th_0 + i*(th_1 -
// th_0), all in double. The comparison with the float32 maps then casts th to float32
// (numpy's value-based casting for a scalar of the same kind), rounding to nearest.
// Empty when max <= min (np.arange raises there; the metric is undefined).
std::vector<float> reference_pro_thresholds(float min_score, float max_score, int count = 200);

// Positive (defect) pixel scores grouped by region, each region's scores sorted ascending:
// region r holds scores[begin[r] .. begin[r+1]).
struct RegionScores {
  std::vector<float> scores;
  std::vector<uint64_t> begin{0};
  size_t regions() const { return begin.size() - 1; }
  uint64_t area(size_t r) const { return begin[r + 1] - begin[r]; }
};

// PRO at each threshold (ascending): statistics.mean over regions of
// (pixels > th) / area, exactly rounded. Regions must be sorted; needs >= 1 region.
std::vector<double> pro_at_thresholds(const RegionScores& regions, std::span<const float> thresholds);

// The reference's integration: keep rows with fpr < max_fpr, divide their fpr by the
// largest kept one, trapezoid area (sklearn.metrics.auc). Rows in threshold order, so
// fpr is non-increasing. nullopt (with *why set) where the reference would fail: fewer
// than two kept rows, or the largest kept fpr is 0.
std::optional<double> reference_aupro_area(std::span<const double> fpr, std::span<const double> pro,
                                           double max_fpr, std::string* why);

// The standard MVTec AUPRO from exact data: negatives sorted ascending, regions sorted.
// nullopt (with *why) when there is no region or no negative.
std::optional<double> standard_aupro(std::span<const float> negatives_sorted,
                                     const RegionScores& regions, double max_fpr, std::string* why);

}  // namespace dn::eval
