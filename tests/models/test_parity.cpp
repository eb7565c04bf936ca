// Dinomaly against the PyTorch restatement of the official code (tools/models/), on the
// same formula weights: every intermediate the inspect contract names, the loss of three
// training steps, the raw gradients of step 1 (hard-mining hook active) and the parameters
// after three full steps (hook, clip, StableAdamW, warm-cosine schedule).
// float64 must agree to 1e-9 relative; float32 to 1e-4 (what float32 rounding over a ViT allows).
#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "models/anomaly_map.h"
#include "models/train_step.h"
#include "tensor/io/safetensors.h"
#include "tensor/ops.h"
#include "tests/support/compare.h"
#include "tests/support/formula.h"

using namespace dn;
using namespace dn::models;

namespace {

struct Fixture {
  std::map<std::string, Tensor> t;
  explicit Fixture(const std::string& file) {
    const char* dir = std::getenv("DN_FIXTURES");
    REQUIRE_MESSAGE(dir != nullptr, "DN_FIXTURES is not set");
    for (auto& [name, tensor] : io::read_safetensors(std::string(dir) + "/models/" + file).tensors)
      t[name] = tensor;
  }
  bool has(const std::string& k) const { return t.count(k) > 0; }
};

// max |a - b| / max |b|: the error relative to the tensor's scale (NaN never passes).
test::Comparison relative_error(const std::vector<double>& a, const std::vector<double>& b) {
  return test::compare(a, b, test::Measure::relative_to_max);
}

// Compares our tensor with the fixture's, stored whole or as a digest.
void expect_close(const Fixture& f, const std::string& key, const Tensor& ours, double tol) {
  CAPTURE(key);
  if (f.has(key)) {
    const Tensor& ref = f.t.at(key);
    REQUIRE(ref.numel() == ours.numel());
    CHECK_CLOSE(relative_error(to_vector<double>(ours), to_vector<double>(ref)), tol);
    return;
  }
  REQUIRE_MESSAGE(f.has("digest/" + key), "fixture lacks " << key);
  test::Digest d = test::digest(ours);
  const test::Comparison err = relative_error(d.samples, to_vector<double>(f.t.at("digest/" + key)));
  std::vector<double> stats = to_vector<double>(f.t.at("stats/" + key));
  // The sums themselves are rounded differently on each side (summation order): allow that.
  const double sum_tol = std::max(tol, 1e-12);
  const double scale = std::sqrt(double(ours.numel()) * stats[1]);
  CHECK_CLOSE(err, tol);
  CHECK_CLOSE(test::compare(d.sum, stats[0], test::Measure::absolute), sum_tol * scale);
  CHECK_CLOSE(test::compare(d.sumsq, stats[1], test::Measure::absolute), 2 * sum_tol * stats[1]);
}

// |ours - ref| <= tol · max |ref - initial|: the parameters' change, compared.
void expect_change_close(const Fixture& f, const std::string& key, const Tensor& ours,
                         const Tensor& initial, double tol) {
  CAPTURE(key);
  const bool whole = f.has(key);
  std::vector<double> ref = to_vector<double>(f.t.at(whole ? key : "digest/" + key));
  std::vector<double> a = whole ? to_vector<double>(ours) : test::digest(ours).samples;
  std::vector<double> a0 = whole ? to_vector<double>(initial) : test::digest(initial).samples;
  const double change = test::compare(ref, a0, test::Measure::absolute).error;
  REQUIRE_MESSAGE(std::isfinite(change), "the fixture's change of " << key << " is not finite");
  CHECK_CLOSE(test::compare(a, ref, test::Measure::absolute), tol * std::max(change, 1e-30));
}

struct Case {
  const char* file;
  const char* encoder;
  int64_t batch, crop;
};

DinomalyConfig config_for(const Case& c) {
  DinomalyConfig cfg = default_config(c.encoder);
  cfg.bottleneck_dropout = 0.0;  // the fixtures compare without dropout
  cfg.crop = cfg.resize = c.crop;
  return cfg;
}

void run_case(const Case& c, DType dtype, double tol) {
  Fixture f(c.file);
  const std::string pre = dtype == DType::f64 ? "f64/" : "f32/";
  Generator gen(1);
  Dinomaly model(config_for(c), &gen, {dtype, Device::cpu()});
  test::fill_with_formula(model);
  Tensor img = test::formula_tensor("input", {c.batch, 3, c.crop, c.crop}, dtype);
  expect_close(f, pre + "input", img, 0.0);

  SUBCASE("forward in eval mode: encoder layers, groups, map, score") {
    model.eval();
    NoGradGuard guard;
    Features feats = model.forward(img);
    for (size_t i = 0; i < feats.encoder_layers.size(); ++i)
      expect_close(f, pre + "encoder." + std::to_string(model.config.target_layers[i]),
                   feats.encoder_layers[i], tol);
    for (size_t g = 0; g < feats.en.size(); ++g) {
      expect_close(f, pre + "en." + std::to_string(g), feats.en[g], tol);
      expect_close(f, pre + "de." + std::to_string(g), feats.de[g], tol);
    }
    Tensor map = anomaly_map(feats.en, feats.de, c.crop);
    expect_close(f, pre + "map", map, tol);
    expect_close(f, pre + "score", image_scores(map), tol);
  }

  SUBCASE("three training steps: losses, step-1 gradients, parameters after") {
    TrainRecipe r;
    r.iters = 10;
    r.warmup = 2;
    r.hm_ramp = 2;
    Trainer trainer(model, r);
    std::vector<double> losses;
    for (int64_t it = 0; it < 3; ++it) {
      StepResult s = trainer.step(img, it, [&] {
        if (it != 1) return;
        for (const auto& [name, p] : model.named_parameters())
          if (p.requires_grad()) expect_close(f, pre + "grad1/" + name, p.grad(), tol);
      });
      losses.push_back(s.loss);
    }
    expect_close(f, pre + "losses", from_vector<double>(losses, {3}), tol);
    for (const auto& [name, p] : model.named_parameters()) {
      if (!p.requires_grad()) continue;
      if (dtype == DType::f64) {
        expect_close(f, pre + "after3/" + name, p, tol);
      } else {
        // Adam divides each gradient by its own running RMS, so a parameter whose gradient
        // is nearly zero (the attention key biases, say) moves by about ±lr whatever the
        // gradient's size: float32 rounding of that tiny gradient then decides the step.
        // In float32 the parameters are therefore compared on their CHANGE over the 3 steps:
        // to 1% of the largest change. (float64, above, is held to 1e-9 of the values.)
        expect_change_close(f, pre + "after3/" + name, p, test::formula_tensor(name, p.shape(), dtype), 1e-2);
      }
    }
  }
}

}  // namespace

TEST_CASE("parity, tiny configuration, float64") { run_case({"tiny_reference.safetensors", "test-tiny", 2, 70}, DType::f64, 1e-9); }
TEST_CASE("parity, tiny configuration, float32") { run_case({"tiny_reference.safetensors", "test-tiny", 2, 70}, DType::f32, 1e-4); }
TEST_CASE("parity, ViT-S at 224, float64") { run_case({"vits_reference.safetensors", "vits14", 2, 224}, DType::f64, 1e-9); }
TEST_CASE("parity, ViT-S at 224, float32") { run_case({"vits_reference.safetensors", "vits14", 2, 224}, DType::f32, 1e-4); }
