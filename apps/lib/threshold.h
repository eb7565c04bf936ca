// The operating point: when is an image called anomalous, which pixels are anomalous, and
// what does a score mean?
//
// It is fitted at the end of training on NORMAL training images that were held out of the
// optimisation (never on test data, which would leak the answer into the threshold), once
// for all held-out images together (pooled) and once per class on that class's images:
//   threshold        = the (1 - fpr) quantile of the held-out normal image scores, so about
//                      `fpr` of normal images are flagged. With fewer than 1/fpr images that
//                      quantile lies between the two largest scores, which says nothing, so
//                      the threshold is then their maximum (image_fit "maximum").
//   pixel_threshold  = the (1 - fpr) quantile of every pixel of those images' anomaly maps:
//                      about `fpr` of normal pixels are marked.
//   normalised       = 0.5 + 0.5·(score - threshold) / (threshold - median), clipped to [0, 1]:
//                      the median normal image maps to 0, the threshold to 0.5, and a score as
//                      far above the threshold as the threshold is above the median maps to 1.
// The heat-map colour scale for predictions is fixed from the same images: from the 1st
// percentile of their map values to threshold + (threshold - that), so the threshold sits
// in the middle of the scale.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "eval/colour_scale.h"

namespace dn::app {

struct OperatingPoint {
  double threshold = 0, median = 0;
  std::optional<double> pixel_threshold;  // absent in a threshold.json written before it existed
  double fpr = 0.01;
  int64_t holdout_images = 0;
  std::string image_fit = "quantile";     // "quantile", or "maximum" with fewer than 1/fpr images
  eval::ColourScale map_scale;

  double normalize(double score) const;
  bool anomalous(double score) const { return score >= threshold; }
  // The map value from which a pixel is marked (masks, contours): the pixel threshold, or for
  // a threshold.json written before pixel thresholds existed the image threshold (a score is
  // the mean of the map's top 1 %, so it is in the map's units).
  double mask_threshold() const { return pixel_threshold.value_or(threshold); }
};

// The q quantile (0 <= q <= 1) with linear interpolation between order statistics (numpy's
// default). Reorders `values` (a partial sort, linear time). Throws for an empty vector.
double quantile(std::vector<float>& values, double q);

// normal_scores: the held-out images' scores; map_values: every pixel of their maps.
OperatingPoint fit_operating_point(std::vector<float> normal_scores, std::vector<float> map_values, double fpr);

// A new image threshold for another false-positive rate, from the same held-out scores
// (median, pixel threshold and the scale's low end stay).
void refit_image_threshold(OperatingPoint& op, std::vector<float> normal_scores, double fpr);

// What RUN/threshold.json holds: the pooled operating point and one per class.
struct Thresholds {
  OperatingPoint pooled;
  std::map<std::string, OperatingPoint> classes;  // empty in a file written before there were any

  // The class's own operating point, or the pooled one when the class has none ("" too).
  const OperatingPoint& for_class(const std::string& class_name) const;
  bool has_class(const std::string& class_name) const { return classes.count(class_name) > 0; }
};

// threshold.json: the pooled values at the top level (as before per-class thresholds
// existed, so older readers still work), the classes under "classes".
void write_thresholds(const std::string& path, const Thresholds& t);
// Reads both the current file and one written before per-class and pixel thresholds (then
// `classes` is empty and pixel_threshold absent). Throws dn::Error naming the file.
Thresholds read_thresholds(const std::string& path);
// The pooled operating point of a threshold.json.
inline OperatingPoint read_operating_point(const std::string& path) { return read_thresholds(path).pooled; }

// RUN/holdout_scores.json: the held-out normal images' scores per class, so that predict
// --fpr can refit the image thresholds without scoring the images again.
using HoldoutScores = std::map<std::string, std::vector<float>>;
void write_holdout_scores(const std::string& path, const HoldoutScores& scores);
HoldoutScores read_holdout_scores(const std::string& path);

// Image thresholds refitted at `fpr` from the held-out scores: per class and pooled (all
// classes' scores together).
Thresholds refit_thresholds(Thresholds t, const HoldoutScores& scores, double fpr);

// An override at prediction time (--threshold, --pixel-threshold): the same threshold for
// the pooled operating point and every class's.
void set_image_threshold(Thresholds& t, double threshold);
void set_pixel_threshold(Thresholds& t, double threshold);

}  // namespace dn::app
