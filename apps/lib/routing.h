// Which class's thresholds judge an image at prediction time.
//
// A multi-class run keeps a threshold per class (threshold.json). An image is routed to
//   1. the class given with --class, else
//   2. the class named by a folder of its path (e.g. .../bottle/test/broken/x.png -> bottle;
//      the folder nearest the file wins when several match), else
//   3. no class: the pooled threshold, fitted on all classes' held-out images together.
// A class-separated run chooses its model (and so its thresholds) with --class.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "apps/lib/load_run.h"
#include "apps/lib/threshold.h"

namespace dn::app {

class ClassRouter {
 public:
  // run_classes: the classes the run was trained on (may be empty: bare weights).
  // class_option: --class, or "". Throws dn::Error naming the run's classes when
  // class_option is not one of them.
  ClassRouter(std::vector<std::string> run_classes, std::string class_option, const std::string& run_name);

  // The class an image belongs to, or "" for none (the pooled threshold).
  std::string class_of(const std::string& image_path) const;

 private:
  std::vector<std::string> classes_;
  std::string forced_;
};

// Throws dn::Error naming the run's classes when `class_name` is not one of them (any name
// passes when `classes` is empty: bare weights know no classes).
void check_class(const std::string& class_name, const std::vector<std::string>& classes, const std::string& run_name);

// The class of `classes` named by a folder of `image_path` (not its file name), the one
// nearest the file first; "" when no folder names a class.
std::string class_from_path(const std::string& image_path, const std::vector<std::string>& classes);

// The thresholds to apply, changed at prediction time by the user.
struct ThresholdOverrides {
  std::optional<double> image;  // --threshold: one image threshold for every class
  std::optional<double> fpr;    // --fpr: image thresholds refitted from the held-out scores
  std::optional<double> pixel;  // --pixel-threshold
};

// The run's thresholds for the model of `class_name` (see LoadedRun::thresholds) with the
// overrides applied; none for bare weights. Throws when an override has nothing to act on
// (no threshold.json, or no holdout_scores.json for --fpr) or --threshold and --fpr are both given.
std::optional<Thresholds> deployed_thresholds(const LoadedRun& run, const std::string& class_name,
                                              const ThresholdOverrides& overrides);

}  // namespace dn::app
