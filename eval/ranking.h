// AUROC, average precision and F1-max: the three metrics that only depend on how the
// scores rank the positives (anomalous) against the negatives (normal).
//
// All three are read off one sweep over the distinct score values from the highest down.
// At each value t the detector "calls anomalous" every sample with score >= t, giving a
// count of true positives tp(t) and false positives fp(t). Samples with EQUAL scores are
// called together: a threshold cannot separate them, so they form one step of the curve
// (a "tie group"). Taking tied samples one at a time instead would make the result depend
// on their arbitrary order; grouping them gives a tied positive-negative pair half credit
// in AUROC, which is what sklearn computes.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dn::eval {

struct RankingMetrics {
  // Undefined (nullopt) when the samples hold only one class.
  std::optional<double> auroc;  // sklearn roc_auc_score: trapezoid under the ROC curve
  std::optional<double> ap;     // sklearn average_precision_score: sum of (R_n - R_{n-1}) P_n
  std::optional<double> f1max;  // the reference's f1_score_max (see RankingSweep)
  // The score threshold where F1 is largest: samples with score >= it are called
  // anomalous. Among equal F1 values the lowest threshold wins, as np.argmax picks it.
  std::optional<float> f1_threshold;
};

// Consumes tie groups from the highest score down and accumulates the three metrics.
// The totals must be known in advance (recall and FPR are fractions of them).
class RankingSweep {
 public:
  RankingSweep(uint64_t positives, uint64_t negatives);
  // One group of samples sharing the score `threshold` (or, for a histogram, one bin whose
  // lowest value is `threshold`). Groups must come in decreasing order.
  void add_group(uint64_t pos, uint64_t neg, float threshold);
  // Throws dn::Error unless every positive and negative has been consumed. All fields are
  // nullopt when positives or negatives is 0.
  RankingMetrics result() const;

  uint64_t true_positives() const { return tp_; }
  uint64_t false_positives() const { return fp_; }

 private:
  uint64_t positives_, negatives_;
  uint64_t tp_ = 0, fp_ = 0;
  unsigned __int128 auroc_twice_area_ = 0;  // sum of dfp * (tp_before + tp_after): exact
  double ap_ = 0.0;
  double recall_ = 0.0;
  double best_f1_ = -1.0;
  float best_threshold_ = 0.0f;
};

// Exact metrics of a set of image scores (labels: 0 normal, non-zero anomalous). Throws
// dn::Error when the sizes differ or a score is NaN.
RankingMetrics ranking_metrics(std::span<const float> scores, std::span<const uint8_t> labels);

// The ROC curve as sklearn.metrics.roc_curve(drop_intermediate=False) returns it: (0, 0)
// followed by one point per distinct score, highest first. Empty when one class is missing.
struct RocPoint {
  double fpr, tpr;
};
std::vector<RocPoint> roc_curve(std::span<const float> scores, std::span<const uint8_t> labels);

// "2 of 5 images are anomalous" style description used in warnings.
std::string describe_classes(uint64_t positives, uint64_t negatives);

}  // namespace dn::eval
