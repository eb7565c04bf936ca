// Opening a trained run (or bare weights) as ready-to-use models.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "apps/lib/run_dir.h"
#include "apps/lib/threshold.h"
#include "data/transforms.h"

namespace dn::app {

struct LoadedRun {
  RunConfig config;
  std::string dir;
  std::unique_ptr<Generator> dropout_gen = std::make_unique<Generator>(1);  // unused in eval mode
  std::map<std::string, std::unique_ptr<models::Dinomaly>> models;  // "" for a multi-class run

  bool separate() const { return config.setting == "separate"; }
  // The model for a class ("" or any class for a multi-class run). Throws for an unknown
  // class of a class-separated run, or for none.
  models::Dinomaly& model_for(const std::string& class_name);
  // Where the files of that model live (the run, or its class folder).
  std::string unit_dir(const std::string& class_name) const;
  data::Preprocess preprocess() const;
  // The thresholds fitted for that model (threshold.json beside it: pooled and per class),
  // if there are any: bare weights such as a released checkpoint have none.
  std::optional<Thresholds> thresholds(const std::string& class_name) const;
  // Where that model's held-out scores are kept (holdout_scores.json beside it).
  std::string holdout_scores_path(const std::string& class_name) const;
};

// The thresholds fitted for the model of `class_name` in a run directory (threshold.json in the
// run, or in the class's folder of a class-separated run); none when there is no such file.
std::optional<Thresholds> read_run_thresholds(const std::string& run_dir, bool separate, const std::string& class_name);

// Reads RUN/config.json and every model of the run (strictly).
LoadedRun load_run(const std::string& run_dir, Device device);

// A model from bare weights: the encoder from `encoder_weights` (or random), and the
// bottleneck and decoder from `model_weights` if given (a Dinomaly checkpoint, e.g. the
// authors' model.pth, which may also hold the encoder), else freshly initialised.
LoadedRun load_weights(const models::DinomalyConfig& config, const std::string& encoder_weights,
                       const std::string& model_weights, uint64_t seed, Device device);

// Where a model comes from: a run directory made by train, or a Dinomaly checkpoint (e.g. the
// authors' released model.pth) with the encoder configuration and weights it needs.
struct ModelSource {
  std::string run_dir, checkpoint, encoder = "vitb14", encoder_weights;
  int64_t resize = 448, crop = 392;  // for a checkpoint (a run keeps its own in config.json)
};

// load_run for a run directory, else load_weights for the checkpoint. Throws when neither
// is given.
LoadedRun open_model(const ModelSource& source, uint64_t seed, Device device);

}  // namespace dn::app
