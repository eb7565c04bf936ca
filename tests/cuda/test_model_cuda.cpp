// The whole model on CUDA against the CPU: three Dinomaly training steps (forward, hard-mining
// loss with its hook, backward, clip, StableAdamW) and the anomaly map, on the tiny
// configuration with the parity test's formula weights; then train, eval and predict with
// --device cuda, each compared with the same command on the CPU. Skipped (exit 77, from
// main.cpp) without a device.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "models/anomaly_map.h"
#include "models/train_step.h"
#include "tensor/ops.h"
#include "tests/apps/app_runner.h"
#include "tests/support/compare.h"
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

// max |a - b| / max |b| (NaN or infinity never passes)
test::Comparison rel(const std::vector<float>& a, const std::vector<float>& b) {
  return test::compare(std::vector<double>(a.begin(), a.end()), std::vector<double>(b.begin(), b.end()),
                       test::Measure::relative_to_max);
}

// The rows of a CSV file written by eval or predict: `key_column` -> `value_column`.
std::map<std::string, double> csv_column(const std::string& path, const std::string& key_column,
                                         const std::string& value_column) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path);
  auto split = [](const std::string& line) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, ',');) cells.push_back(c);
    return cells;
  };
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = split(line);
  const auto column = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    REQUIRE_MESSAGE(it != header.end(), path << " has no column " << name);
    return size_t(it - header.begin());
  };
  const size_t k = column(key_column), v = column(value_column);
  std::map<std::string, double> rows;
  while (std::getline(in, line)) {
    const std::vector<std::string> cells = split(line);
    REQUIRE(cells.size() == header.size());
    rows[cells[k]] = std::stod(cells[v]);
  }
  return rows;
}

// The same rows in two files, each value within `tolerance` relative.
void expect_same_scores(const std::map<std::string, double>& got, const std::map<std::string, double>& want,
                        double tolerance) {
  REQUIRE(got.size() == want.size());
  REQUIRE(!want.empty());
  for (const auto& [key, value] : want) {
    CAPTURE(key);
    REQUIRE(got.count(key) == 1);
    CHECK_CLOSE(test::compare(got.at(key), value, test::Measure::relative_to_max), tolerance);
  }
}

// metrics.json of two runs: every per-class and mean metric within `tolerance` relative.
void expect_same_metrics(const std::string& got_path, const std::string& want_path, double tolerance) {
  auto read = [](const std::string& p) {
    std::ifstream in(p);
    REQUIRE_MESSAGE(in.good(), "cannot read " << p);
    return nlohmann::json::parse(in);
  };
  const nlohmann::json got = read(got_path), want = read(want_path);
  for (const auto& [cls, metrics] : want.at("classes").items())
    for (const auto& [name, value] : metrics.items()) {
      CAPTURE(cls);
      CAPTURE(name);
      if (value.is_null()) {
        CHECK(got.at("classes").at(cls).at(name).is_null());
        continue;
      }
      CHECK_CLOSE(test::compare(got.at("classes").at(cls).at(name).get<double>(), value.get<double>(),
                                test::Measure::relative_to_max),
                  tolerance);
    }
}

}  // namespace

TEST_CASE("three training steps and the anomaly map: CUDA against the CPU (float32)") {
  Outcome cpu = run_steps(Device::cpu()), gpu = run_steps(Device::cuda(0));
  for (int i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK_CLOSE(test::compare(gpu.losses[i], cpu.losses[i], test::Measure::relative_to_max), 1e-4);
  }
  REQUIRE(gpu.grads.size() == cpu.grads.size());
  for (size_t i = 0; i < cpu.grads.size(); ++i) {
    CAPTURE(i);
    CHECK_CLOSE(rel(gpu.grads[i], cpu.grads[i]), 1e-4);
  }
  // The parameters after the three steps: Adam divides each gradient by its own RMS, so they
  // are compared on their scale as a whole (a near-zero gradient's step is rounding-bound).
  REQUIRE(gpu.params.size() == cpu.params.size());
  for (size_t i = 0; i < cpu.params.size(); ++i) {
    CAPTURE(i);
    CHECK_CLOSE(rel(gpu.params[i], cpu.params[i]), 1e-4);
  }
  CHECK_CLOSE(rel(gpu.map, cpu.map), 1e-4);
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
  // Training on either device gives the same model to float rounding: the same scores and
  // metrics in the evaluation that train runs at its end.
  expect_same_scores(csv_column(dir + "/run_gpu/eval/scores.csv", "path", "score"),
                     csv_column(dir + "/run_cpu/eval/scores.csv", "path", "score"), 1e-4);
  expect_same_metrics(dir + "/run_gpu/eval/metrics.json", dir + "/run_cpu/eval/metrics.json", 1e-4);

  // eval and predict of one run on both devices.
  for (const std::string device : {"cuda", "cpu"}) {
    Run ev = run_app("eval", {"--run", dir + "/run_gpu", "--data", dir + "/data", "--out",
                              dir + "/eval_" + device, "--device", device});
    REQUIRE_MESSAGE(ev.code == 0, ev.err);
    Run pr = run_app("predict", {"--run", dir + "/run_gpu", "--out", dir + "/pred_" + device, dir + "/data",
                                 "--device", device});
    REQUIRE_MESSAGE(pr.code == 0, pr.err);
  }
  expect_same_scores(csv_column(dir + "/eval_cuda/scores.csv", "path", "score"),
                     csv_column(dir + "/eval_cpu/scores.csv", "path", "score"), 1e-4);
  expect_same_metrics(dir + "/eval_cuda/metrics.json", dir + "/eval_cpu/metrics.json", 1e-4);
  expect_same_scores(csv_column(dir + "/pred_cuda/predictions.csv", "path", "score"),
                     csv_column(dir + "/pred_cpu/predictions.csv", "path", "score"), 1e-4);
}
