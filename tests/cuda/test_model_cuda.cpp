// The whole model on CUDA against the CPU: three Dinomaly training steps (forward, hard-mining
// loss with its hook, backward, clip, StableAdamW) and the anomaly map, on the tiny
// configuration with the parity test's formula weights; then train, eval and predict with
// --device cuda. Skipped (exit 77, from main.cpp) without a device.
#include <doctest/doctest.h>

#include <cmath>

#include "models/anomaly_map.h"
#include "models/train_step.h"
#include "tensor/ops.h"
#include "tests/apps/app_runner.h"
#include "tests/support/formula.h"

using namespace dn;

namespace {

struct Outcome {
  std::vector<double> losses;
  std::vector<std::vector<float>> params, grads;
  std::vector<float> map;
};

Outcome run_steps(Device device) {
  models::DinomalyConfig cfg = models::default_config("test-tiny");
  cfg.bottleneck_dropout = 0.0;
  cfg.resize = cfg.crop = 70;
  Generator gen(1);
  models::Dinomaly model(cfg, &gen, {DType::f32, device});
  {
    NoGradGuard g;
    for (const auto& [name, t] : model.state_dict())
      kernel::copy_(t, test::formula_tensor(name, t.shape(), DType::f32));
  }
  Tensor img = kernel::to(test::formula_tensor("input", {2, 3, 70, 70}, DType::f32), device);
  models::TrainRecipe r;
  r.iters = 10;
  r.warmup = 2;
  r.hm_ramp = 2;
  models::Trainer trainer(model, r);
  Outcome o;
  for (int64_t it = 0; it < 3; ++it) {
    models::StepResult s = trainer.step(img, it, [&] {
      if (it != 1) return;
      for (const Tensor& p : model.trainable_parameters()) o.grads.push_back(to_vector<float>(p.grad()));
    });
    o.losses.push_back(s.loss);
  }
  for (const Tensor& p : model.trainable_parameters()) o.params.push_back(to_vector<float>(p));
  NoGradGuard g;
  model.eval();
  models::Features f = model.forward(img);
  o.map = to_vector<float>(models::anomaly_map(f.en, f.de, 70));
  return o;
}

double rel(const std::vector<float>& a, const std::vector<float>& b) {
  double num = 0, den = 1e-30;
  for (size_t i = 0; i < a.size(); ++i) {
    num = std::max(num, std::fabs(double(a[i]) - b[i]));
    den = std::max(den, std::fabs(double(b[i])));
  }
  return num / den;
}

}  // namespace

TEST_CASE("three training steps and the anomaly map: CUDA against the CPU (float32)") {
  Outcome cpu = run_steps(Device::cpu()), gpu = run_steps(Device::cuda(0));
  for (int i = 0; i < 3; ++i) CHECK(gpu.losses[i] == doctest::Approx(cpu.losses[i]).epsilon(1e-4));
  REQUIRE(gpu.grads.size() == cpu.grads.size());
  for (size_t i = 0; i < cpu.grads.size(); ++i) {
    CAPTURE(i);
    CHECK(rel(gpu.grads[i], cpu.grads[i]) < 1e-4);
  }
  CHECK(rel(gpu.map, cpu.map) < 1e-4);
}

TEST_CASE("train, eval and predict with --device cuda") {
  using namespace dn::test;
  const std::string dir = temp_dir("cuda_apps");
  REQUIRE(run_app("synth", {"--out", dir + "/data", "--classes", "1", "--train", "16", "--test", "8", "--size", "96"}).code == 0);
  std::vector<std::string> args{"--data", dir + "/data", "--encoder", "test-tiny", "--encoder-weights", "random",
                                "--resize", "84", "--crop", "70", "--iters", "6", "--batch", "4", "--warmup", "2",
                                "--hm-ramp", "3", "--holdout", "0.25", "--vis", "1"};
  auto with_out = [&](const std::string& out, const std::string& device) {
    auto a = args;
    a.insert(a.end(), {"--out", out, "--device", device});
    return a;
  };
  Run gpu = run_app("train", with_out(dir + "/run_gpu", "cuda"));
  REQUIRE_MESSAGE(gpu.code == 0, gpu.err);
  Run cpu = run_app("train", with_out(dir + "/run_cpu", "cpu"));
  REQUIRE_MESSAGE(cpu.code == 0, cpu.err);
  CHECK(exists(dir + "/run_gpu/eval/metrics.json"));
  Run ev = run_app("eval", {"--run", dir + "/run_gpu", "--data", dir + "/data", "--out", dir + "/eval_gpu", "--device", "cuda"});
  CHECK_MESSAGE(ev.code == 0, ev.err);
  Run pr = run_app("predict", {"--run", dir + "/run_gpu", "--out", dir + "/pred_gpu", dir + "/data", "--device", "cuda"});
  CHECK_MESSAGE(pr.code == 0, pr.err);
  CHECK(exists(dir + "/pred_gpu/predictions.csv"));
}
