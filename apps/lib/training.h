// The training loop of one model (all classes together, or one class of a class-separated
// run): data, steps, progress, train.csv, checkpoints, resume, SIGINT, and at the end the
// operating threshold fitted on held-out normal images.
#pragma once
#include <string>

#include "apps/lib/run_dir.h"
#include "data/dataset.h"
#include "data/transforms.h"
#include "models/train_step.h"

namespace dn::app {

struct TrainOptions {
  models::TrainRecipe recipe;
  int64_t batch = 16;
  bool shuffle = true;
  uint64_t seed = 1;
  int64_t save_every = 0;     // 0: only at the end (and on SIGINT)
  bool resume = false;
  double holdout = 0.1;       // fraction of each class's normal training images kept out
  double fpr = 0.01;          // target false-positive rate of the threshold
  std::string init;           // bottleneck/decoder weights to start from ("" = random)
  int workers = 2;
  bool cache = false;
  // The frozen encoder's outputs kept per training image (models/encoder_cache.h), up to
  // this many bytes; the images past it are encoded every time. Same results, bit for bit.
  bool cache_encoder = false;
  size_t cache_encoder_bytes = size_t(4) << 30;
  bool skip_corrupt = false;  // leave out unreadable images, listed in <unit dir>/skipped.json
  Device device = Device::cpu();
  int64_t stop_after = -1;    // for tests: stop (as if interrupted) once this step is done
};

enum class TrainOutcome { finished, interrupted };

// Trains the model held by `model` (encoder weights already in place) on `train`, in
// `unit_dir` (model.safetensors, optimizer.safetensors, train.csv, threshold.json,
// holdout_scores.json).
// `dropout_gen` is the generator the model's dropout draws from.
TrainOutcome train_unit(const std::string& unit_dir, models::Dinomaly& model, Generator& dropout_gen,
                        const data::SampleSet& train, const data::Preprocess& preprocess,
                        const TrainOptions& options, const std::string& label);

// Splits a training set into (used for training, held out), per class, deterministically
// from the seed: round(fraction·n) images of each class, leaving at least one to train on.
std::pair<data::SampleSet, data::SampleSet> split_holdout(const data::SampleSet& train, double fraction,
                                                          uint64_t seed);

// Installs the SIGINT handler (a second Ctrl-C kills as usual).
void install_interrupt_handler();
bool interrupted();

}  // namespace dn::app
