// How much the bfloat16 option (tensor/cpu/matmul_bf16.h) changes Dinomaly's numbers: ViT-S
// at crop 224, batch 2, on the parity tests' formula weights, once with float32 products and
// once with bf16 ones. Prints the relative differences (docs/performance.md quotes them) and
// bounds them. Skipped (reported to meson as SKIP) without AMX.
#include <doctest/doctest.h>

#include <cmath>

#include "models/anomaly_map.h"
#include "models/train_step.h"
#include "tensor/cpu/matmul_bf16.h"
#include "tensor/ops.h"
#include "tests/support/compare.h"
#include "tests/support/formula.h"
#include "tests/support/skip.h"

using namespace dn;
using namespace dn::models;

namespace {

// max |a - b| / max |b| (NaN never passes)
test::Comparison relative_difference(const Tensor& a, const Tensor& b) {
  return test::compare(a, b, test::Measure::relative_to_max);
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

TEST_CASE("bf16 products: Dinomaly ViT-S features, map, score, loss and gradients against float32" *
          doctest::test_suite("amx")) {
  if (!cpu::amx_bf16_available()) DN_SKIP("this CPU has no AMX with bfloat16");
  Outputs a = run(cpu::MatmulPrecision::fp32), b = run(cpu::MatmulPrecision::bf16);
  test::Comparison en, de, grad;
  for (size_t g = 0; g < a.en.size(); ++g) {
    en = test::worse(en, relative_difference(b.en[g], a.en[g]));
    de = test::worse(de, relative_difference(b.de[g], a.de[g]));
  }
  for (size_t i = 0; i < a.grads.size(); ++i) grad = test::worse(grad, relative_difference(b.grads[i], a.grads[i]));
  const test::Comparison map = relative_difference(b.map, a.map), score = relative_difference(b.score, a.score);
  const test::Comparison loss = test::compare(b.loss, a.loss, test::Measure::relative_to_max);
  MESSAGE("bf16 vs float32, max |difference| / max |float32|: encoder groups ", en.error, ", decoder groups ",
          de.error, ", anomaly map ", map.error, ", image scores ", score.error, ", loss ", loss.error,
          ", parameter gradients (worst tensor) ", grad.error);
  // bf16 rounds each input by up to 2^-9; through 10 encoder and 8 decoder blocks the
  // features move by a few 1e-3 of their scale. Measured here (AMX, GCC 12): encoder groups
  // 2.8e-3, decoder groups 5.8e-3, map 8e-4, scores 8e-5, loss 8e-5, worst gradient 1.2e-2.
  // The bounds are about three times that.
  CHECK_CLOSE(en, 1e-2);
  CHECK_CLOSE(de, 2e-2);
  CHECK_CLOSE(map, 3e-3);
  CHECK_CLOSE(score, 3e-4);
  CHECK_CLOSE(loss, 3e-4);
  CHECK_CLOSE(grad, 4e-2);
}
