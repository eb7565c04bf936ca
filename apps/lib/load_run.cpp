#include "apps/lib/load_run.h"

#include <cstdio>

#include "apps/lib/weights.h"
#include "tensor/io/checkpoint.h"

namespace dn::app {

models::Dinomaly& LoadedRun::model_for(const std::string& class_name) {
  if (!separate()) return *models.at("");
  DN_CHECK(!class_name.empty(), dir, ": a class-separated run: say which class's model to use (one of its ",
           config.classes.size(), " classes)");
  auto it = models.find(class_name);
  DN_CHECK(it != models.end(), dir, ": this class-separated run has no model for class '", class_name, "'");
  return *it->second;
}

std::optional<Thresholds> read_run_thresholds(const std::string& run_dir, bool separate, const std::string& class_name) {
  const std::string path = join_path(separate ? join_path(run_dir, class_name) : run_dir, "threshold.json");
  if (!file_exists(path)) return std::nullopt;
  return read_thresholds(path);
}

std::string LoadedRun::unit_dir(const std::string& class_name) const {
  return separate() ? join_path(dir, class_name) : dir;
}

std::optional<Thresholds> LoadedRun::thresholds(const std::string& class_name) const {
  if (dir.empty()) return std::nullopt;  // bare weights: nothing was fitted
  return read_run_thresholds(dir, separate(), class_name);
}

std::string LoadedRun::holdout_scores_path(const std::string& class_name) const {
  return join_path(unit_dir(class_name), "holdout_scores.json");
}

data::Preprocess LoadedRun::preprocess() const {
  data::Preprocess p;
  p.resize = int(config.model.resize);
  p.crop = int(config.model.crop);
  return p;
}

LoadedRun load_run(const std::string& run_dir, Device device) {
  LoadedRun run;
  run.dir = run_dir;
  run.config = read_run_config(run_dir);
  std::vector<std::string> units = run.separate() ? run.config.classes : std::vector<std::string>{""};
  for (const std::string& unit : units) {
    auto m = std::make_unique<models::Dinomaly>(run.config.model, run.dropout_gen.get(),
                                                nn::TensorOptions{DType::f32, device});
    load_model(join_path(run.unit_dir(unit), "model.safetensors"), *m);
    m->eval();
    run.models[unit] = std::move(m);
  }
  return run;
}

LoadedRun load_weights(const models::DinomalyConfig& config, const std::string& encoder_weights,
                       const std::string& model_weights, uint64_t seed, Device device) {
  LoadedRun run;
  run.config.model = config;
  run.config.encoder_weights = encoder_weights;
  auto m = std::make_unique<models::Dinomaly>(config, run.dropout_gen.get(), nn::TensorOptions{DType::f32, device});
  bool encoder_loaded = false;
  if (!model_weights.empty()) {
    io::NamedTensors all = io::read_checkpoint(model_weights);
    bool has_encoder = false;
    for (const auto& [name, t] : all) has_encoder = has_encoder || name.rfind("encoder.", 0) == 0;
    if (has_encoder) {
      m->load_state_dict(all, true, model_weights);
      encoder_loaded = true;
    } else {
      load_trainable_weights(*m, model_weights);
    }
  } else {
    Generator init(seed);
    m->init_trainable(init);
    std::fprintf(stderr, "note: no --model-weights: the bottleneck and decoder are freshly initialised "
                         "(untrained)\n");
  }
  if (!encoder_weights.empty() && encoder_weights != "random") {
    std::fprintf(stderr, "encoder: %s\n", load_encoder_weights(*m->encoder, encoder_weights).c_str());
  } else if (!encoder_loaded) {
    DN_CHECK(encoder_weights == "random", "no encoder weights: give --encoder-weights FILE (or 'random')");
    std::fprintf(stderr, "note: --encoder-weights random: an UNTRAINED encoder (a demonstration)\n");
    randomize_encoder_weights(*m->encoder, seed);
  }
  m->eval();
  run.models[""] = std::move(m);
  return run;
}

LoadedRun open_model(const ModelSource& source, uint64_t seed, Device device) {
  DN_CHECK(!source.run_dir.empty() || !source.checkpoint.empty(), "give a run directory or a checkpoint");
  if (!source.run_dir.empty()) return load_run(source.run_dir, device);
  models::DinomalyConfig cfg = models::default_config(source.encoder);
  cfg.resize = source.resize;
  cfg.crop = source.crop;
  cfg.validate();
  return load_weights(cfg, source.encoder_weights, source.checkpoint, seed, device);
}

}  // namespace dn::app
