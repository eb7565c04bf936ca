// The optimizer, clipping and schedules against PyTorch 1.13 (tools/optim/make_fixtures.py
// and the reference's numbers in docs/reference.md §3-4).
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "nn/layers.h"
#include "optim/adam.h"
#include "optim/clip.h"
#include "optim/schedule.h"
#include "tensor/io/safetensors.h"
#include "tensor/ops.h"
#include "tests/support/compare.h"

using namespace dn;

namespace {

std::map<std::string, Tensor> fixture() {
  const char* dir = std::getenv("DN_FIXTURES");
  if (!dir) fail("DN_FIXTURES is not set");
  std::map<std::string, Tensor> m;
  for (auto& [n, t] : io::read_safetensors(std::string(dir) + "/optim/mlp20.safetensors").tensors) m[n] = t;
  return m;
}

// float64 on both sides: what is left is summation order and libm, a few ulp per step.
constexpr double kAdamTolerance = 1e-12;

// Each element relative to itself (NaN never passes).
dn::test::Comparison max_rel(const Tensor& a, const Tensor& b) {
  return dn::test::compare(a, b, dn::test::Measure::elementwise, {.floor = 1e-12});
}

void run_20_steps(bool stable) {
  auto f = fixture();
  const std::string kind = stable ? "stable" : "adamw";
  nn::Linear l0(7, 16, true, {DType::f64}), l2(16, 5, true, {DType::f64});
  {
    NoGradGuard g;
    kernel::copy_(l0.weight, f["init.0.weight"]);
    kernel::copy_(l0.bias, f["init.0.bias"]);
    kernel::copy_(l2.weight, f["init.2.weight"]);
    kernel::copy_(l2.bias, f["init.2.bias"]);
  }
  std::vector<Tensor> params{l0.weight, l0.bias, l2.weight, l2.bias};
  optim::AdamOptions o;
  o.lr = 0.05;
  o.eps = 1e-10;
  o.weight_decay = 1e-4;
  o.stable = stable;
  optim::Adam opt(params, o);
  optim::WarmCosineSchedule schedule(0.05, 0.005, 20, 5);
  std::vector<double> losses;
  for (int it = 0; it < 20; ++it) {
    Tensor d = sub(l2.forward(gelu(l0.forward(f["x"]))), f["y"]);
    Tensor loss = mean(mul(d, d));
    opt.zero_grad();
    backward(loss);
    losses.push_back(loss.item());
    optim::clip_grad_norm(params, 0.1);
    opt.step(schedule.lr(it));
  }
  CHECK_CLOSE(max_rel(from_vector<double>(losses, {20}), f[kind + ".losses"]), kAdamTolerance);
  CHECK_CLOSE(max_rel(l0.weight, f[kind + ".final.0.weight"]), kAdamTolerance);
  CHECK_CLOSE(max_rel(l0.bias, f[kind + ".final.0.bias"]), kAdamTolerance);
  CHECK_CLOSE(max_rel(l2.weight, f[kind + ".final.2.weight"]), kAdamTolerance);
  CHECK_CLOSE(max_rel(l2.bias, f[kind + ".final.2.bias"]), kAdamTolerance);
}

}  // namespace

TEST_CASE("20 steps of clip + StableAdamW (AMSGrad) + warm-up cosine match PyTorch to 1e-12") { run_20_steps(true); }
TEST_CASE("20 steps of clip + AdamW (AMSGrad) + warm-up cosine match torch.optim.AdamW to 1e-12") { run_20_steps(false); }

TEST_CASE("the warm-up cosine schedule has the reference's values") {
  optim::WarmCosineSchedule s(2e-3, 2e-4, 10000, 100);
  CHECK(s.lr(0) == 0.0);  // the first step moves nothing
  CHECK(s.lr(1) == doctest::Approx(2.0202e-5).epsilon(1e-4));
  CHECK(s.lr(99) == 2e-3);
  CHECK(s.lr(100) == 2e-3);  // the peak twice
  CHECK(s.lr(5000) == doctest::Approx(1.11428e-3).epsilon(1e-5));
  CHECK(s.lr(9999) == doctest::Approx(2.00000045e-4).epsilon(1e-8));
  CHECK(s.lr(10000) == 2e-4);
  CHECK(s.lr(20000) == 2e-4);
}

TEST_CASE("the hard-mining ramp and k, in double precision as Python computes them") {
  const int64_t n = 16 * 784;
  CHECK(optim::hard_mining_k(n, optim::hard_mining_p(0)) == 12544);
  CHECK(optim::hard_mining_k(n, optim::hard_mining_p(1)) == 12532);
  CHECK(optim::hard_mining_k(n, optim::hard_mining_p(500)) == 6899);
  CHECK(optim::hard_mining_k(n, optim::hard_mining_p(999)) == 1265);
  CHECK(optim::hard_mining_k(n, optim::hard_mining_p(1000)) == 1254);  // not 1255
  CHECK(optim::hard_mining_k(n, optim::hard_mining_p(5000)) == 1254);
}

TEST_CASE("schedule and hard-mining ramp at their edges, against NumPy") {
  const char* dir = std::getenv("DN_FIXTURES");
  REQUIRE(dir != nullptr);
  std::ifstream in(std::string(dir) + "/optim/schedule_edges.json");
  REQUIRE(in.good());
  const nlohmann::json f = nlohmann::json::parse(in);  // tools/optim/schedule_edges.py
  for (const auto& c : f["schedules"]) {
    const int64_t total = c["total"], warmup = c["warmup"];
    CAPTURE(total);
    CAPTURE(warmup);
    optim::WarmCosineSchedule s(c["base"], c["final"], total, warmup);
    for (size_t i = 0; i < c["steps"].size(); ++i) {
      const int64_t step = c["steps"][i];
      CAPTURE(step);
      CHECK_CLOSE(dn::test::compare(s.lr(step), c["lr"][i].get<double>(), dn::test::Measure::absolute), 1e-18);
    }
  }
  for (const auto& r : f["hard_mining"]) {
    for (size_t i = 0; i < r["its"].size(); ++i) {
      const int64_t it = r["its"][i], ramp = r["ramp"];
      CAPTURE(ramp);
      CAPTURE(it);
      CHECK(optim::hard_mining_p(it, r["p_final"], ramp) == r["p"][i].get<double>());
    }
  }
  // A ramp of 0: no ramp at all (Python would divide by zero).
  CHECK(optim::hard_mining_p(0, 0.9, 0) == 0.9);
  CHECK(optim::hard_mining_p(7, 0.9, 0) == 0.9);
}

TEST_CASE("clip_grad_norm: the norm of per-tensor norms, always multiplied, +1e-6") {
  Tensor a = zeros({2}, DType::f64), b = zeros({1}, DType::f64);
  a.set_requires_grad(true);
  b.set_requires_grad(true);
  a.set_grad(from_vector<double>({3, 0}, {2}));
  b.set_grad(from_vector<double>({4}, {1}));
  const double total = optim::clip_grad_norm({a, b}, 0.1);
  CHECK(total == doctest::Approx(5.0));
  const double coef = 0.1 / (5.0 + 1e-6);
  CHECK(to_vector<double>(a.grad())[0] == doctest::Approx(3 * coef).epsilon(1e-12));
  // under the limit the factor is 1 (min(coef, 1))
  b.set_grad(from_vector<double>({0.01}, {1}));
  a.set_grad(from_vector<double>({0, 0}, {2}));
  optim::clip_grad_norm({a, b}, 0.1);
  CHECK(to_vector<double>(b.grad())[0] == 0.01);
}

TEST_CASE("optimizer state survives a save and load, bit for bit") {
  Tensor p = from_vector<float>({1, 2, 3}, {3});
  p.set_requires_grad(true);
  optim::Adam a({p}, {});
  p.set_grad(from_vector<float>({0.1f, -0.2f, 0.3f}, {3}));
  a.step(1e-3);
  optim::Adam b({p}, {});
  b.load_state_dict(a.state_dict(), "test");
  Tensor q = kernel::clone(p);
  q.set_requires_grad(true);
  a.step(1e-3);
  const std::vector<float> after_a = to_vector<float>(p);
  {
    NoGradGuard g;
    kernel::copy_(p, q);
  }
  b.step(1e-3);
  CHECK(to_vector<float>(p) == after_a);
  CHECK_THROWS_WITH_AS(b.load_state_dict({{"0.exp_avg", zeros({4})}}, "ckpt"), doctest::Contains("shape"), Error);
}
