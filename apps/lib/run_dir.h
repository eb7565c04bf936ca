// A run directory: everything a training run leaves, enough to evaluate, predict, inspect
// or resume without the command line that made it.
//
//   RUN/config.json            what the model is (DinomalyConfig), where its encoder weights
//                              came from, and the training settings; "format" and "version"
//                              let a later version refuse a run it cannot read
//   RUN/model.safetensors      ViTill.state_dict(): encoder.*, bottleneck.0.*, decoder.<i>.*
//   RUN/optimizer.safetensors  StableAdamW's state, the step and the dropout generator (resume)
//   RUN/train.csv              step, loss, lr, p, img/s
//   RUN/threshold.json         the thresholds fitted on held-out normal images, pooled and
//                              per class (docs/thresholds.md)
//   RUN/holdout_scores.json    those images' scores per class (to refit at another --fpr)
//   RUN/eval/                  the evaluation at the end of training (when there is a test split)
// A class-separated run holds one such run per class in RUN/<class>/ and a config.json
// saying so.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "data/files.h"
#include "models/dinomaly.h"
#include "optim/adam.h"

namespace dn::app {

constexpr const char* kRunFormat = "dinomaly.cpp run";
constexpr int kRunVersion = 1;

struct RunConfig {
  models::DinomalyConfig model;
  std::string encoder_weights = "random";  // a file, or "random"
  uint64_t encoder_seed = 1;               // for "random"
  nlohmann::json train = nlohmann::json::object();  // the recipe and data settings
  std::string setting = "multi";           // multi | separate
  std::vector<std::string> classes;        // separate: one sub-run per class
};

using data::join_path;
bool file_exists(const std::string& path);

void write_run_config(const std::string& run_dir, const RunConfig& config);
// Throws dn::Error naming the file when it is missing, of another format or version, or
// does not describe a valid model.
RunConfig read_run_config(const std::string& run_dir);

// Creates the directory (and parents); throws dn::Error when it cannot be created or
// written to.
void make_writable_dir(const std::string& dir);

void save_model(const std::string& path, const models::Dinomaly& model);
// Loads every tensor of the model from `path` (strict: names and shapes must fit).
void load_model(const std::string& path, models::Dinomaly& model);

struct TrainingState {
  int64_t step = 0;             // the next step to run
  uint64_t dropout_seed = 1, dropout_offset = 0;
};
void save_training_state(const std::string& path, const optim::Adam& optimizer, const TrainingState& state);
TrainingState load_training_state(const std::string& path, optim::Adam& optimizer);

}  // namespace dn::app
