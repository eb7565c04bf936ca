// The pictures of one class, collected while the evaluation runs and drawn at its end,
// when the class's colour scale and thresholds are known:
//
//   <dir>/<class>/<name>.png            strips of a few test images per defect type, each
//                                       named by eval/output_names.h (e.g. crack_000.png)
//   <dir>/<class>_scores.png            image-score histograms, normal vs anomalous
//   <dir>/<class>_roc.png               the image-level ROC curve
//
// The thresholds drawn are the F1-optimal ones on the test set itself (the metrics' own
// I-F1max / P-F1max operating points). That is an oracle, fine for looking at the maps and
// said so on every strip, but not a threshold for deployment.
#pragma once
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "data/image.h"
#include "eval/class_evaluator.h"
#include "eval/colour_scale.h"
#include "eval/output_names.h"

namespace dn::eval {

class ClassPictures {
 public:
  // Keeps strips for the first `per_defect` images of each defect folder (the parent
  // folder of the image path, e.g. "good", "crack"); 0 keeps none but still draws the plots.
  // `strip_names` names every test image of the class (made from all of them, so a strip's
  // name does not depend on which images are kept).
  ClassPictures(std::string class_name, int per_defect, OutputNames strip_names);

  // Every test image of the class passes through here (the colour scale needs all maps);
  // the crop (the image as the model saw it) is copied only for the kept ones. mask may be
  // empty.
  void add(const std::string& path, int label, float score, const data::Image& crop,
           std::span<const float> map, std::span<const uint8_t> mask, int height, int width);

  // Draws and writes everything (PNG, atomically); returns the files written.
  std::vector<std::string> write(const std::string& dir, const ClassMetrics& metrics,
                                 const std::vector<ScoreRow>& scores) const;

  // Where write() puts the strip of `path`, relative to its `dir`: "<class>/<name>.png";
  // empty when the image's strip is not kept.
  std::string strip_file(const std::string& path) const;

  const ColourScaleBuilder& colour_scale() const { return scale_; }

 private:
  struct Kept {
    std::string path;
    int label;
    float score;
    data::Image crop;
    std::vector<float> map;
    std::vector<uint8_t> mask;
    int height, width;
  };
  std::string name_;
  int per_defect_;
  OutputNames strip_names_;
  std::map<std::string, int> kept_per_defect_;
  std::vector<Kept> kept_;
  ColourScaleBuilder scale_;
};

}  // namespace dn::eval
