// The evaluation of a run on a test split, class by class (docs/reference.md §6): maps and scores
// from the model, the seven metrics, reports and pictures (eval/).
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "data/dataset.h"
#include "data/transforms.h"
#include "eval/report.h"
#include "models/dinomaly.h"

namespace dn::app {

// The image threshold deployed for a class and what it was fitted on ("class" or "pooled").
struct DeployedThreshold {
  double threshold = 0;
  std::string fitted_on;
};
using ThresholdForClass = std::function<std::optional<DeployedThreshold>(const std::string& class_name)>;

// The thresholds a run directory deploys (RUN/threshold.json, or RUN/<class>/threshold.json
// of a class-separated run); nothing for a class without a threshold.json.
ThresholdForClass thresholds_of_run(const std::string& run_dir, bool separate);

struct EvalOptions {
  std::string out_dir;          // reports here, pictures under out_dir/vis
  int vis_per_defect = 2;       // picture strips per defect folder (0: plots only)
  int64_t batch = 16;
  int workers = 2;
  Device device = Device::cpu();
  std::string setting = "multi";
  bool quiet = false;
  bool skip_corrupt = false;    // leave out unreadable images, listed in out_dir/skipped.json
  ThresholdForClass threshold_for;  // empty: no thresholds (the at-threshold columns stay empty)
};

// The model to use for a class: the one model (multi-class) or that class's (separate).
using ModelForClass = std::function<models::Dinomaly&(const std::string& class_name)>;

// Evaluates every class of `test` that is in `classes`, writes metrics.json/csv/md,
// scores.csv and the pictures, prints the per-class table, and returns the report.
eval::RunReport evaluate(const ModelForClass& model_for, const data::SampleSet& test,
                         const std::vector<std::string>& classes, const data::Preprocess& preprocess,
                         const EvalOptions& options);

}  // namespace dn::app
