// AUROC, AP and F1-max from a KeyHistogram, with a proven bound on each error.
//
// Treating every bin as one tie group gives the exact metrics of the QUANTISED scores.
// The true scores inside a bin have some unknown order, and that is the only thing we lose.
// Each bound below is the most that unknown order can change a metric:
//
//  AUROC = (pairs ranked right + half the tied pairs) / (P N). A positive and a negative
//    in different bins are ranked the same way as their true scores; in the same bin we
//    count half a pair, the truth is 0, 1/2 or 1. So
//        |error| <= 1/2 * sum_b pos_b neg_b / (P N).
//  AP = sum over thresholds of (recall step) * precision. The recall that bin b adds,
//    pos_b / P, is the same either way; only the precision it is weighted with moves.
//    Calling all of bins above b anomalous gives (TP, FP); anywhere inside bin b a step in
//    recall has TP+1 <= tp <= TP+pos_b and FP <= fp <= FP+neg_b, so its precision lies in
//        [ (TP+1)/(TP+1+FP+neg_b), (TP+pos_b)/(TP+pos_b+FP) ]
//    and |error| <= sum_b pos_b/P * (distance of the histogram's precision to the farther
//    end of that interval).
//  F1max: every bin edge is a threshold the exact sweep also visits, so the histogram's
//    F1max is never above the truth. Inside bin b, F1 (increasing in precision and recall)
//    is at most f1(precision (TP+pos_b)/(TP+pos_b+FP), recall (TP+pos_b)/P). So
//        0 <= exact - histogram <= max_b that upper value - histogram F1max.
#pragma once
#include "eval/key_histogram.h"
#include "eval/ranking.h"

namespace dn::eval {

struct HistogramMetrics {
  RankingMetrics metrics;  // of the quantised scores; f1_threshold is a bin's lowest value
  // |reported - exact| is at most these (0 when a metric is undefined).
  double auroc_bound = 0, ap_bound = 0, f1max_bound = 0;
};

HistogramMetrics histogram_metrics(const KeyHistogram& hist);

// How many negatives are > t: at least `lower`, at most `upper` (only the bin that
// holds t is uncertain), and `estimate` assumes that bin's negatives spread evenly
// over its keys.
struct CountInterval {
  uint64_t lower, upper;
  double estimate;
};
CountInterval negatives_above(const KeyHistogram& hist, float t);

}  // namespace dn::eval
