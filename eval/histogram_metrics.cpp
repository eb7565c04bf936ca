#include "eval/histogram_metrics.h"

#include <algorithm>
#include <cmath>

#include "eval/float_key.h"

namespace dn::eval {

namespace {
double f1_of(double precision, double recall) {
  return 2 * precision * recall / (precision + recall + 1e-7);  // as f1_score_max
}
}  // namespace

HistogramMetrics histogram_metrics(const KeyHistogram& hist) {
  uint64_t P = 0, N = 0;
  for (int b = 0; b < hist.bins(); ++b) {
    P += hist.positives(b);
    N += hist.negatives(b);
  }
  HistogramMetrics out;
  RankingSweep sweep(P, N);
  long double tied_pairs = 0;
  double ap_bound = 0, f1_upper = 0;
  for (int b = hist.bins() - 1; b >= 0; --b) {
    uint64_t pos = hist.positives(b), neg = hist.negatives(b);
    if (pos == 0 && neg == 0) continue;
    // TP, FP with every bin above b called anomalous.
    uint64_t tp = sweep.true_positives(), fp = sweep.false_positives();
    tied_pairs += (long double)pos * (long double)neg;
    if (P > 0 && pos > 0) {
      double histogram_precision = double(tp + pos) / double(tp + pos + fp + neg);
      double lowest = double(tp + 1) / double(tp + 1 + fp + neg);
      double highest = double(tp + pos) / double(tp + pos + fp);
      double spread = std::max(highest - histogram_precision, histogram_precision - lowest);
      ap_bound += double(pos) / double(P) * spread;
      f1_upper = std::max(f1_upper, f1_of(highest, double(tp + pos) / double(P)));
    }
    sweep.add_group(pos, neg, hist.lowest_value(b));
  }
  out.metrics = sweep.result();
  if (out.metrics.auroc) {
    out.auroc_bound = double(0.5L * tied_pairs / ((long double)P * (long double)N));
    out.ap_bound = ap_bound;
    out.f1max_bound = std::max(0.0, f1_upper - *out.metrics.f1max);
  }
  return out;
}

CountInterval negatives_above(const KeyHistogram& hist, float t) {
  int64_t key = float_key(t);
  int bt = hist.bin_of_key(key);
  CountInterval out{0, 0, 0.0};
  for (int b = std::max(bt + 1, 0); b < hist.bins(); ++b) out.lower += hist.negatives(b);
  out.upper = out.lower;
  out.estimate = double(out.lower);
  if (bt >= 0 && bt < hist.bins()) {
    // Keys in bin bt above t's key: first_key + width - 1 - key of them, of width.
    int64_t above = hist.first_key(bt) + hist.key_width() - 1 - key;
    if (above > 0) {
      out.upper += hist.negatives(bt);
      out.estimate += double(hist.negatives(bt)) * double(above) / double(hist.key_width());
    }
  }
  return out;
}

}  // namespace dn::eval
