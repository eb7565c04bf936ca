// The CPU's caching allocator (tensor/cpu_cache.h) changes where tensor memory comes from,
// not what is computed: a second identical training step takes every block of 64 KiB and
// more from the cache (no fresh memory, so no page faults) and gives the first step's bits.
#include <doctest/doctest.h>

#include <vector>

#include "models/train_step.h"
#include "tensor/cpu_cache.h"
#include "tensor/ops.h"
#include "tensor/settings.h"
#include "tests/support/formula.h"

using namespace dn;
using namespace dn::models;

namespace {

struct StepOutcome {
  float loss;
  std::vector<std::vector<float>> parameters;
};

// A fresh model from the same formula weights and seeds, one training step, then everything
// freed: test-tiny at crop 224 (261 tokens), whose activations are 64 KiB to 1 MiB.
StepOutcome one_step() {
  DinomalyConfig cfg = default_config("test-tiny");
  cfg.crop = cfg.resize = 224;
  Tensor images = test::formula_tensor("input", {2, 3, 224, 224}, DType::f32);
  Generator gen(5);
  Dinomaly m(cfg, &gen);
  test::fill_with_formula(m);
  TrainRecipe r;
  r.warmup = 1;
  Trainer t(m, r);
  StepOutcome out;
  out.loss = t.step(images, 0).loss;
  for (const auto& [name, p] : m.named_parameters()) out.parameters.push_back(to_vector<float>(p));
  return out;
}

}  // namespace

TEST_CASE("a freed block of 64 KiB or more serves the next request of its size class") {
  cpu_cache::set_enabled(true);  // whatever DN_CPU_CACHE says (the sanitizer run sets 0)
  const auto before = cpu_cache::stats();
  // 400 000 and 396 000 bytes: both in the class 13·2¹⁵ = 425 984 (2¹⁸ ≤ n < 2¹⁹, eighths)
  { Tensor a = empty({100000}, DType::f32); }
  const auto mid = cpu_cache::stats();
  { Tensor b = empty({99000}, DType::f32); }
  const auto after = cpu_cache::stats();
  CHECK(after.fresh_blocks == mid.fresh_blocks);
  CHECK(after.reused_blocks == mid.reused_blocks + 1);
  CHECK(mid.fresh_blocks <= before.fresh_blocks + 1);
  { Tensor small = empty({1000}, DType::f32); }  // below 64 KiB: never cached
  CHECK(cpu_cache::stats().reused_blocks == after.reused_blocks);
  cpu_cache::set_enabled(settings::cpu_cache());
}

TEST_CASE("a second identical training step takes no fresh memory and gives the same bits") {
  cpu_cache::set_enabled(true);  // whatever DN_CPU_CACHE says (the sanitizer run sets 0)
  const StepOutcome first = one_step();
  const auto between = cpu_cache::stats();
  const StepOutcome second = one_step();
  const auto after = cpu_cache::stats();
  INFO("fresh blocks in the second step: ", after.fresh_blocks - between.fresh_blocks,
       ", reused: ", after.reused_blocks - between.reused_blocks, "; cached bytes ",
       after.cached_bytes, ", peak of live tensor bytes ", cpu_memory_stats().peak_bytes);
  CHECK(after.fresh_blocks == between.fresh_blocks);
  CHECK(after.reused_blocks > between.reused_blocks);
  CHECK(second.loss == first.loss);
  CHECK(second.parameters == first.parameters);
  cpu_cache::release();
  CHECK(cpu_cache::stats().cached_bytes == 0);
  cpu_cache::set_enabled(settings::cpu_cache());
}
