#include "eval/ranking.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "tensor/error.h"

namespace dn::eval {

RankingSweep::RankingSweep(uint64_t positives, uint64_t negatives)
    : positives_(positives), negatives_(negatives) {}

void RankingSweep::add_group(uint64_t pos, uint64_t neg, float threshold) {
  if (pos == 0 && neg == 0) return;
  uint64_t tp_before = tp_;
  tp_ += pos;
  fp_ += neg;
  DN_CHECK(tp_ <= positives_ && fp_ <= negatives_, "RankingSweep: more samples than announced");

  // AUROC: the ROC step from (fp_before, tp_before) to (fp, tp) adds a trapezoid of width
  // neg/N and mean height (tp_before + tp)/(2P). Summed in integers, it is exact.
  auroc_twice_area_ += static_cast<unsigned __int128>(neg) * (tp_before + tp_);

  if (positives_ == 0) return;
  // Precision and recall after calling this group anomalous.
  double precision = double(tp_) / double(tp_ + fp_);
  double recall = double(tp_) / double(positives_);
  // AP: recall grew by (recall - recall_) at precision `precision`: a step, no interpolation.
  ap_ += (recall - recall_) * precision;
  recall_ = recall;
  // The reference's f1_score_max: f1 = 2PR/(P+R+1e-7) on every point of sklearn's
  // precision-recall curve except the appended (P=1, R=0) end, which is exactly the set of
  // group boundaries we visit. The 1e-7 keeps 0/0 away and lowers F1 by ~1e-7 everywhere.
  double f1 = 2 * precision * recall / (precision + recall + 1e-7);
  if (f1 >= best_f1_) {  // >=: the lowest threshold wins ties, as np.argmax does
    best_f1_ = f1;
    best_threshold_ = threshold;
  }
}

RankingMetrics RankingSweep::result() const {
  DN_CHECK(tp_ == positives_ && fp_ == negatives_, "RankingSweep: ", positives_ - tp_,
           " positives and ", negatives_ - fp_, " negatives were never added");
  RankingMetrics out;
  if (positives_ == 0 || negatives_ == 0) return out;
  long double denom = 2.0L * (long double)positives_ * (long double)negatives_;
  out.auroc = double((long double)auroc_twice_area_ / denom);
  out.ap = ap_;
  out.f1max = best_f1_;
  out.f1_threshold = best_threshold_;
  return out;
}

namespace {

void check_inputs(const char* what, std::span<const float> scores,
                  std::span<const uint8_t> labels) {
  DN_CHECK(scores.size() == labels.size(), what, ": ", scores.size(), " scores but ",
           labels.size(), " labels");
  for (size_t i = 0; i < scores.size(); ++i)
    DN_CHECK(!std::isnan(scores[i]), what, ": score ", i, " is NaN");
}

// Indices of the scores from the highest down.
std::vector<size_t> order_descending(std::span<const float> scores) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  return order;
}

// Calls visit(pos, neg, score) for each group of equal scores, highest first.
template <class Visit>
void for_each_tie_group(std::span<const float> scores, std::span<const uint8_t> labels,
                        Visit visit) {
  std::vector<size_t> order = order_descending(scores);
  size_t i = 0;
  while (i < order.size()) {
    float value = scores[order[i]];
    uint64_t pos = 0, neg = 0;
    for (; i < order.size() && scores[order[i]] == value; ++i) (labels[order[i]] ? pos : neg)++;
    visit(pos, neg, value);
  }
}

}  // namespace

RankingMetrics ranking_metrics(std::span<const float> scores, std::span<const uint8_t> labels) {
  check_inputs("ranking_metrics", scores, labels);
  uint64_t positives = 0;
  for (uint8_t l : labels) positives += l != 0;
  RankingSweep sweep(positives, labels.size() - positives);
  for_each_tie_group(scores, labels,
                     [&](uint64_t pos, uint64_t neg, float v) { sweep.add_group(pos, neg, v); });
  return sweep.result();
}

std::vector<RocPoint> roc_curve(std::span<const float> scores, std::span<const uint8_t> labels) {
  check_inputs("roc_curve", scores, labels);
  uint64_t positives = 0;
  for (uint8_t l : labels) positives += l != 0;
  uint64_t negatives = labels.size() - positives;
  std::vector<RocPoint> points;
  if (positives == 0 || negatives == 0) return points;
  points.push_back({0.0, 0.0});
  uint64_t tp = 0, fp = 0;
  for_each_tie_group(scores, labels, [&](uint64_t pos, uint64_t neg, float) {
    tp += pos;
    fp += neg;
    points.push_back({double(fp) / double(negatives), double(tp) / double(positives)});
  });
  return points;
}

std::string describe_classes(uint64_t positives, uint64_t negatives) {
  return str(positives, " anomalous and ", negatives, " normal");
}

}  // namespace dn::eval
