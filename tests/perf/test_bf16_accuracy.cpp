// How much the bfloat16 option (tensor/cpu/matmul_bf16.h) changes Dinomaly's numbers: ViT-S
// at crop 224, batch 2, on the parity tests' formula weights, once with float32 products and
// once with bf16 ones. Prints the relative differences (docs/performance.md quotes them) and
// bounds them. Skipped, saying so, without AMX.
#include <doctest/doctest.h>

#include <cmath>

#include "models/anomaly_map.h"
#include "models/train_step.h"
#include "tensor/cpu/matmul_bf16.h"
#include "tensor/ops.h"
#include "tests/support/formula.h"

using namespace dn;
using namespace dn::models;

namespace {

// max |a - b| / max |b|
double relative_difference(const Tensor& a, const Tensor& b) {
  std::vector<double> x = to_vector<double>(a), y = to_vector<double>(b);
  REQUIRE(x.size() == y.size());
  double diff = 0, scale = 1e-300;
  for (size_t i = 0; i < x.size(); ++i) {
    diff = std::max(diff, std::abs(x[i] - y[i]));
    scale = std::max(scale, std::abs(y[i]));
  }
  return diff / scale;
}

struct Outputs {
  std::vector<Tensor> en, de;
  Tensor map, score;
  double loss = 0;
  std::vector<Tensor> grads;
};

Outputs run(cpu::MatmulPrecision precision) {
  struct Restore {
    ~Restore() { cpu::set_matmul_precision(cpu::MatmulPrecision::fp32); }
  } restore;
  cpu::set_matmul_precision(precision);
  DinomalyConfig cfg = default_config("vits14");
  cfg.bottleneck_dropout = 0.0;
  cfg.crop = cfg.resize = 224;
  Generator gen(1);
  Dinomaly model(cfg, &gen, {DType::f32, Device::cpu()});
  test::fill_with_formula(model);
  Tensor img = test::formula_tensor("input", {2, 3, 224, 224}, DType::f32);
  Outputs o;
  {
    model.eval();
    NoGradGuard guard;
    Features f = model.forward(img);
    o.en = f.en;
    o.de = f.de;
    o.map = anomaly_map(f.en, f.de, 224);
    o.score = image_scores(o.map);
  }
  TrainRecipe r;
  Trainer trainer(model, r);
  StepResult s = trainer.step(img, 1000, [&] {
    for (const auto& [name, p] : model.named_parameters())
      if (p.requires_grad()) o.grads.push_back(kernel::clone(p.grad()));
  });
  o.loss = s.loss;
  return o;
}

}  // namespace

TEST_CASE("bf16 products: Dinomaly ViT-S features, map, score, loss and gradients against float32") {
  if (!cpu::amx_bf16_available()) {
    MESSAGE("this CPU has no AMX with bfloat16: skipped");
    return;
  }
  Outputs a = run(cpu::MatmulPrecision::fp32), b = run(cpu::MatmulPrecision::bf16);
  double en = 0, de = 0, grad = 0;
  for (size_t g = 0; g < a.en.size(); ++g) {
    en = std::max(en, relative_difference(b.en[g], a.en[g]));
    de = std::max(de, relative_difference(b.de[g], a.de[g]));
  }
  for (size_t i = 0; i < a.grads.size(); ++i) grad = std::max(grad, relative_difference(b.grads[i], a.grads[i]));
  const double map = relative_difference(b.map, a.map), score = relative_difference(b.score, a.score);
  const double loss = std::abs(b.loss - a.loss) / std::abs(a.loss);
  MESSAGE("bf16 vs float32, max |difference| / max |float32|: encoder groups ", en, ", decoder groups ",
          de, ", anomaly map ", map, ", image scores ", score, ", loss ", loss,
          ", parameter gradients (worst tensor) ", grad);
  // bf16 rounds each input by up to 2^-9; through 10 encoder and 8 decoder blocks the
  // features move by a few 1e-3 of their scale. Measured here (AMX, GCC 12): encoder groups
  // 2.8e-3, decoder groups 5.8e-3, map 8e-4, scores 8e-5, loss 8e-5, worst gradient 1.2e-2.
  // The bounds are about three times that.
  CHECK(en < 1e-2);
  CHECK(de < 2e-2);
  CHECK(map < 3e-3);
  CHECK(score < 3e-4);
  CHECK(loss < 3e-4);
  CHECK(grad < 4e-2);
}
