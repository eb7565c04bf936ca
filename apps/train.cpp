// train: Dinomaly on a data set of normal images (MVTec-AD layout and the others data/
// reads), by default exactly the paper's MVTec-AD recipe (docs/reference.md §0, §5):
//
//   train --data mvtec --out runs/mvtec --encoder-weights dinov2_vitb14_reg4_pretrain.pth
//
// writes RUN/model.safetensors, config.json, train.csv, optimizer.safetensors,
// threshold.json (pooled and per-class thresholds), holdout_scores.json, and, when the data has a test split, RUN/eval/ with the metrics and
// pictures. --setting separate trains one model per class in RUN/<class>/.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "apps/lib/cli.h"
#include "apps/lib/data_options.h"
#include "apps/lib/evaluate.h"
#include "apps/lib/run_dir.h"
#include "apps/lib/training.h"
#include "apps/lib/weights.h"

using namespace dn;
using namespace dn::app;

namespace {

std::vector<int64_t> parse_layers(const std::string& text) {
  std::vector<int64_t> out;
  std::stringstream ss(text);
  for (std::string part; std::getline(ss, part, ',');) {
    try {
      out.push_back(std::stoll(part));
    } catch (const std::exception&) {
      fail("--target-layers: '", part, "' is not a number");
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"train: Dinomaly (multi-class by default) on normal training images"};
  CommonOptions common;
  add_common_options(app, common);
  std::string out, setting = "multi", encoder = "vitb14", encoder_weights;
  std::string attention = "linear", grouping = "two", loss = "hard-mining", target_layers;
  int64_t resize = 448, crop = 392, iters = -1, batch = 16, warmup = 100, hm_ramp = 1000, vis = 2;
  double lr = 2e-3, final_lr = 2e-4, dropout = -1, hm_p = 0.9, eps = -1, linear_eps = 0;
  TrainOptions o;
  bool no_shuffle = false, no_eval = false;
  DataSource data;
  add_data_options(app, data, "data set root (MVTec-AD layout, VisA 1cls, MPDD, BTAD, Real-IAD, or a folder of "
                   "normal images)");
  app.add_option("--out", out, "run directory to write")->required();
  app.add_option("--setting", setting, "multi (one model for all classes) or separate (one per class)")
      ->check(CLI::IsMember({"multi", "separate"}))->capture_default_str();
  app.add_option("--encoder", encoder, "vits14, vitb14, vitl14, or a test configuration (test-tiny, test-small)")
      ->capture_default_str();
  app.add_option("--encoder-weights", encoder_weights, "DINOv2 .pth, HuggingFace model.safetensors, or "
                 "'random' (a demonstration only)")->required();
  app.add_option("--resize", resize, "resize side")->capture_default_str();
  app.add_option("--crop", crop, "centre crop side (a multiple of 14)")->capture_default_str();
  app.add_option("--iters", iters, "training steps (default 10000; separate: 5000)");
  app.add_option("--batch", batch, "batch size")->capture_default_str();
  app.add_option("--lr", lr, "peak learning rate")->capture_default_str();
  app.add_option("--final-lr", final_lr, "learning rate at the end of the cosine")->capture_default_str();
  app.add_option("--warmup", warmup, "warm-up steps")->capture_default_str();
  app.add_option("--dropout", dropout, "bottleneck dropout (default 0.2)");
  app.add_option("--hm-p", hm_p, "final hard-mining fraction p")->capture_default_str();
  app.add_option("--hm-ramp", hm_ramp, "steps over which p grows from 0")->capture_default_str();
  app.add_option("--eps", eps, "StableAdamW eps (default 1e-10; separate: 1e-8)");
  app.add_option("--init", o.init, "start the bottleneck and decoder from these weights (official names)");
  app.add_flag("--no-shuffle", no_shuffle, "keep the training images in order");
  app.add_option("--save-every", o.save_every, "checkpoint every N steps (and always at the end)");
  app.add_flag("--resume", o.resume, "continue a stopped run in --out");
  app.add_option("--stop-after", o.stop_after, "stop after this step as if interrupted (saves a checkpoint; "
                 "for testing --resume)");
  app.add_option("--holdout", o.holdout, "fraction of normal training images held out to fit the threshold")
      ->capture_default_str();
  app.add_option("--fpr", o.fpr, "false-positive rate the threshold aims at on normal images")
      ->capture_default_str();
  app.add_option("--workers", o.workers, "data loading threads")->capture_default_str();
  app.add_flag("--cache", o.cache, "keep preprocessed training images in memory");
  std::string cache_encoder_gb = "4";  // parsed below: CLI11 reads "" as 0
  auto* cache_encoder = app.add_flag("--cache-encoder", o.cache_encoder,
               "keep the frozen encoder's outputs per training image (no augmentation: they never change); "
               "same results, fewer encoder passes after the first epoch");
  app.add_option("--cache-encoder-gb", cache_encoder_gb, "memory for --cache-encoder, in GB (2^30 bytes); "
                 "the images past it are encoded at every step")
      ->needs(cache_encoder)->type_name("FLOAT")->capture_default_str();
  app.add_option("--vis", vis, "picture strips per defect type in the final evaluation")->capture_default_str();
  app.add_flag("--no-eval", no_eval, "skip the evaluation at the end");
  // The paper's ablations (Table 3, A5-A7), all off the default path.
  app.add_option("--attention", attention, "decoder attention: linear (default) or softmax")
      ->check(CLI::IsMember({"linear", "softmax"}));
  app.add_option("--grouping", grouping, "two groups (default), one group, or dense layer-to-layer")
      ->check(CLI::IsMember({"two", "one", "dense"}));
  app.add_option("--loss", loss, "hard-mining (default) or global-cosine")
      ->check(CLI::IsMember({"hard-mining", "global-cosine"}));
  app.add_option("--target-layers", target_layers, "encoder layers to reconstruct, e.g. 2,3,4,5,6,7,8,9");
  app.add_option("--linear-attention-eps", linear_eps, "eps in the linear attention's denominator (reference: 0)");

  return run_app("train", app, argc, argv, [&]() -> int {
    const Device device = apply_common_options(common);
    const bool separate = setting == "separate";
    if (iters < 0) iters = separate ? 5000 : 10000;
    if (eps < 0) eps = separate ? 1e-8 : 1e-10;
    if (dropout < 0) dropout = 0.2;

    // The model, checked before any data is read.
    RunConfig rc;
    rc.model = models::default_config(encoder);
    rc.model.resize = resize;
    rc.model.crop = crop;
    rc.model.bottleneck_dropout = dropout;
    rc.model.attention = attention == "linear" ? models::AttentionChoice::linear : models::AttentionChoice::softmax;
    rc.model.grouping = grouping == "two" ? models::Grouping::two_groups
                        : grouping == "one" ? models::Grouping::one_group : models::Grouping::dense;
    rc.model.loss = loss == "hard-mining" ? models::LossKind::hard_mining : models::LossKind::global_cosine;
    rc.model.linear_attention_eps = linear_eps;
    if (!target_layers.empty()) rc.model.target_layers = parse_layers(target_layers);
    rc.model.validate();
    rc.setting = setting;
    rc.encoder_weights = encoder_weights;
    rc.encoder_seed = common.seed;
    const bool random_encoder = encoder_weights == "random";
    if (!random_encoder) DN_CHECK(file_exists(encoder_weights), "--encoder-weights ", encoder_weights, ": no such file");

    o.recipe.iters = iters;
    o.recipe.lr = lr;
    o.recipe.final_lr = final_lr;
    o.recipe.warmup = std::min(warmup, iters);
    o.recipe.hm_p = hm_p;
    o.recipe.hm_ramp = hm_ramp;
    o.recipe.adam.eps = eps;
    o.batch = batch;
    o.shuffle = !no_shuffle;
    o.seed = common.seed;
    o.device = device;
    o.skip_corrupt = data.skip_corrupt;
    DN_CHECK(batch >= 1 && iters >= 1, "--batch and --iters must be positive");
    char* end = nullptr;
    const double gb = std::strtod(cache_encoder_gb.c_str(), &end);
    DN_CHECK(!cache_encoder_gb.empty() && *end == 0 && std::isfinite(gb) && gb >= 0,
             "--cache-encoder-gb must be a finite number of GB, 0 or more; got '", cache_encoder_gb, "'");
    const double budget = gb * double(size_t(1) << 30);  // (not in config.json: it changes no result, so a
                                                          // run may be resumed with or without it)
    o.cache_encoder_bytes = budget >= 1.8e19 ? SIZE_MAX : size_t(budget);

    data::Dataset ds = open_data(data, /*need_train=*/true);
    rc.classes = ds.classes;
    rc.train = {{"data", describe_data(data)}, {"classes", ds.classes}, {"iters", iters}, {"batch", batch}, {"lr", lr},
                {"final_lr", final_lr}, {"warmup", o.recipe.warmup}, {"hm_p", hm_p}, {"hm_ramp", hm_ramp},
                {"eps", eps}, {"seed", common.seed}, {"holdout", o.holdout}, {"fpr", o.fpr},
                {"shuffle", o.shuffle}, {"init", o.init}};

    make_writable_dir(out);
    if (o.resume) {
      RunConfig before = read_run_config(out);
      DN_CHECK(models::to_json(before.model) == models::to_json(rc.model) && before.train == rc.train &&
                   before.setting == rc.setting && before.encoder_weights == rc.encoder_weights,
               out, ": --resume with different settings than the run was started with; use the same "
               "command line (or a new --out)");
    } else {
      DN_CHECK(!file_exists(join_path(out, "config.json")), out, ": already holds a run; use --resume to "
               "continue it or choose another --out");
      write_run_config(out, rc);
    }
    if (random_encoder)
      std::fprintf(stderr, "note: --encoder-weights random: the encoder is UNTRAINED, so its features (and "
                           "this model's results) are a demonstration, not Dinomaly's accuracy\n");

    data::Preprocess pre;
    pre.resize = int(resize);
    pre.crop = int(crop);
    install_interrupt_handler();

    // One model per unit: all classes (multi) or each class (separate).
    std::map<std::string, std::unique_ptr<models::Dinomaly>> models_by_unit;
    std::map<std::string, std::unique_ptr<Generator>> gens;
    auto build = [&](const std::string& unit) -> models::Dinomaly& {
      gens[unit] = std::make_unique<Generator>(common.seed);
      auto m = std::make_unique<models::Dinomaly>(rc.model, gens[unit].get(), nn::TensorOptions{DType::f32, device});
      if (random_encoder) randomize_encoder_weights(*m->encoder, rc.encoder_seed);
      else std::fprintf(stderr, "encoder: %s\n", load_encoder_weights(*m->encoder, encoder_weights).c_str());
      models_by_unit[unit] = std::move(m);
      return *models_by_unit[unit];
    };
    std::vector<std::string> units = separate ? ds.classes : std::vector<std::string>{""};
    for (const std::string& unit : units) {
      models::Dinomaly& m = build(unit);
      const data::SampleSet train = unit.empty() ? ds.train : ds.train.only_class(unit);
      const std::string dir = unit.empty() ? out : join_path(out, unit);
      const std::string label = unit.empty() ? "train" : "train[" + unit + "]";
      if (train_unit(dir, m, *gens[unit], train, pre, o, label) == TrainOutcome::interrupted) return 130;
    }
    if (no_eval || ds.test.empty()) return 0;
    EvalOptions eo;
    eo.out_dir = join_path(out, "eval");
    eo.vis_per_defect = int(vis);
    eo.device = device;
    eo.batch = batch;
    eo.setting = setting;
    eo.skip_corrupt = data.skip_corrupt;
    eo.threshold_for = thresholds_of_run(out, separate);
    evaluate([&](const std::string& cls) -> models::Dinomaly& { return *models_by_unit[separate ? cls : ""]; },
             ds.test, ds.classes, pre, eo);
    std::fprintf(stderr, "reports in %s, pictures in %s\n", eo.out_dir.c_str(), join_path(eo.out_dir, "vis").c_str());
    return 0;
  });
}
