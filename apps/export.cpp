// export: a trained run (or a checkpoint) as one ONNX graph, from the preprocessed image to
// the anomaly map and the score (export/onnx_export.h), for ONNX Runtime and other engines:
//
//   export --run runs/demo --out model.onnx
//   export --checkpoint model.pth --encoder vitb14 --out model.onnx
//   export --encoder vits14 --encoder-weights random --crop 224 --out m.onnx  (untrained: benchmarks)
//
// The file's metadata carry what a user needs around the graph: the preprocessing (resize,
// crop, mean, std), the model configuration, the encoder weights it was made with, the
// operating thresholds (RUN/threshold.json as it is: pooled, per class, pixel) and the class names.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "apps/lib/cli.h"
#include "apps/lib/load_run.h"
#include "apps/lib/threshold.h"
#include "export/onnx_export.h"

using namespace dn;
using namespace dn::app;

namespace {

onnx_export::Metadata run_metadata(const LoadedRun& run, const std::string& class_name) {
  const models::DinomalyConfig& c = run.config.model;
  const data::Preprocess pre = run.preprocess();
  const models::EncoderConfig& e = c.encoder;
  nlohmann::ordered_json encoder = {{"name", e.name},           {"dim", e.dim},         {"depth", e.depth},
                                    {"heads", e.heads},         {"patch", e.patch},     {"registers", e.registers},
                                    {"weights", run.config.encoder_weights}};
  onnx_export::Metadata m = {
      {"format", "dinomaly.cpp anomaly model"},
      {"resize", std::to_string(pre.resize)},
      {"crop", std::to_string(pre.crop)},
      {"mean", nlohmann::json(pre.mean).dump()},
      {"std", nlohmann::json(pre.std).dump()},
      {"encoder", encoder.dump()},
      {"config", models::to_json(c).dump()},
      {"classes", nlohmann::json(run.config.classes).dump()},
  };
  if (!class_name.empty()) m.emplace_back("class", class_name);
  const std::string threshold = join_path(run.unit_dir(class_name), "threshold.json");
  if (!run.dir.empty() && file_exists(threshold)) {
    read_thresholds(threshold);  // refuses a malformed file, naming it
    // threshold.json as it is: the pooled image threshold and its statistics at the top level,
    // the pixel threshold, and the per-class ones under "classes" (docs/thresholds.md)
    std::ifstream in(threshold);
    m.emplace_back("threshold", nlohmann::json::parse(in).dump());
  }
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"export: a run (or a checkpoint) as one ONNX graph: image -> anomaly map and score"};
  CommonOptions common;
  add_common_options(app, common);
  std::string run_dir, checkpoint, encoder = "vitb14", encoder_weights, out, class_name;
  int64_t resize = 448, crop = 392;
  auto* run_opt = app.add_option("--run", run_dir, "run directory made by train");
  auto* ckpt_opt = app.add_option("--checkpoint", checkpoint, "a Dinomaly checkpoint instead of a run (ViTill "
                                  "state_dict, e.g. the authors' released .pth)");
  run_opt->excludes(ckpt_opt);
  app.add_option("--class", class_name, "with a class-separated run: the class whose model to export");
  app.add_option("--encoder", encoder, "without --run: the encoder configuration")->capture_default_str();
  app.add_option("--encoder-weights", encoder_weights, "with --checkpoint: encoder weights, if the checkpoint "
                 "does not hold them; alone: a model with a fresh (untrained) bottleneck and decoder");
  app.add_option("--resize", resize, "without --run: resize side")->capture_default_str();
  app.add_option("--crop", crop, "without --run: crop side")->capture_default_str();
  app.add_option("--out", out, "output .onnx file")->required();
  return run_app("export", app, argc, argv, [&]() -> int {
    apply_common_options(common);  // the export runs on the CPU: it only copies weights
    DN_CHECK(!run_dir.empty() || !checkpoint.empty() || !encoder_weights.empty(),
             "give --run RUN, --checkpoint FILE, or --encoder-weights FILE|random");
    LoadedRun run;
    if (!run_dir.empty()) {
      run = load_run(run_dir, Device::cpu());
      DN_CHECK(!run.separate() || !class_name.empty(), run_dir, ": a class-separated run: give --class (one of ",
               nlohmann::json(run.config.classes).dump(), ")");
      DN_CHECK(run.separate() || class_name.empty(), "--class: ", run_dir, " is a multi-class run (one model)");
    } else {
      DN_CHECK(class_name.empty(), "--class needs a class-separated --run");
      models::DinomalyConfig cfg = models::default_config(encoder);
      cfg.resize = resize;
      cfg.crop = crop;
      cfg.validate();
      run = load_weights(cfg, encoder_weights, checkpoint, common.seed, Device::cpu());
    }
    if (run.config.encoder_weights == "random")
      std::fprintf(stderr, "note: this model's encoder is random (untrained): a demonstration\n");
    models::Dinomaly& model = run.model_for(class_name);
    const onnx::ModelProto m = onnx_export::build_model(model, run.config.model.crop, run_metadata(run, class_name));
    onnx_export::write_model(m, out);
    std::printf("export: %s (opset %lld, input image [N, 3, %lld, %lld], outputs map [N, 1, 256, 256] and "
                "score [N])\n", out.c_str(), (long long)onnx_export::kOpset, (long long)run.config.model.crop,
                (long long)run.config.model.crop);
    return 0;
  });
}
