// The operating point: when is an image called anomalous, and what does a score mean?
//
// It is fitted at the end of training on NORMAL training images that were held out of the
// optimisation (never on test data, which would leak the answer into the threshold):
//   threshold  = the (1 - fpr) quantile of the held-out normal scores, so about `fpr` of
//                normal images are flagged (with few held-out images: their maximum)
//   normalised = 0.5 + 0.5·(score - threshold) / (threshold - median), clipped to [0, 1]:
//                the median normal image maps to 0, the threshold to 0.5, and a score as far
//                above the threshold as the threshold is above the median maps to 1.
// The heat-map colour scale for predictions is fixed from the same images: from the 1st
// percentile of their map values to threshold + (threshold - that), so the threshold sits
// in the middle of the scale.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "eval/colour_scale.h"

namespace dn::app {

struct OperatingPoint {
  double threshold = 0, median = 0;
  double fpr = 0.01;
  int64_t holdout_images = 0;
  eval::ColourScale map_scale;

  double normalize(double score) const;
  bool anomalous(double score) const { return score >= threshold; }
};

// normal_scores: of the held-out images; map_low: the 1st percentile of their map values.
OperatingPoint fit_operating_point(std::vector<float> normal_scores, double fpr, float map_low);

void write_operating_point(const std::string& path, const OperatingPoint& op);
OperatingPoint read_operating_point(const std::string& path);

}  // namespace dn::app
