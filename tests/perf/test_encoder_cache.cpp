// The encoder-cache option (models/encoder_cache.h) changes what a training step costs, not
// what it computes: training from cached encoder outputs gives the same losses and weights,
// bit for bit, as running the encoder every step.
#include <doctest/doctest.h>

#include "models/encoder_cache.h"
#include "models/train_step.h"
#include "tensor/ops.h"
#include "tests/support/formula.h"

using namespace dn;
using namespace dn::models;

namespace {

DinomalyConfig tiny() {
  DinomalyConfig cfg = default_config("test-tiny");
  cfg.crop = cfg.resize = 70;
  return cfg;  // dropout 0.2 as in training: both runs draw the same masks
}

}  // namespace

TEST_CASE("training from cached encoder outputs = training through the encoder") {
  Tensor images = test::formula_tensor("input", {2, 3, 70, 70}, DType::f32);
  const std::vector<int64_t> keys{7, 3};
  Generator gen_a(5), gen_b(5);
  Dinomaly a(tiny(), &gen_a), b(tiny(), &gen_b);
  test::fill_with_formula(a);
  test::fill_with_formula(b);
  TrainRecipe r;
  r.warmup = 1;
  Trainer ta(a, r), tb(b, r);
  EncoderCache cache(size_t(1) << 30);
  for (int64_t it = 0; it < 3; ++it) {
    StepResult sa = ta.step(images, it);
    StepResult sb = tb.step(cache.get(b, images, keys), it);
    CHECK(sa.loss == sb.loss);
  }
  CHECK(cache.misses() == 1);
  CHECK(cache.hits() == 2);
  auto pa = a.named_parameters(), pb = b.named_parameters();
  for (size_t i = 0; i < pa.size(); ++i) {
    CAPTURE(pa[i].first);
    CHECK(to_vector<float>(pa[i].second) == to_vector<float>(pb[i].second));
  }
}

TEST_CASE("the encoder cache keeps nothing past its byte limit") {
  Tensor images = test::formula_tensor("input", {2, 3, 70, 70}, DType::f32);
  Generator gen(5);
  Dinomaly m(tiny(), &gen);
  test::fill_with_formula(m);
  EncoderCache none(16);  // smaller than one image's outputs
  none.get(m, images, {0, 1});
  none.get(m, images, {0, 1});
  CHECK(none.bytes() == 0);
  CHECK(none.misses() == 2);
  // (T + 2·h·w)·D floats per image: (1 + 4 + 25 + 2·25)·32·4 bytes
  EncoderCache one(10240 + 100);
  one.get(m, images, {0, 1});
  CHECK(one.bytes() == 10240);
  CHECK_THROWS_WITH(one.get(m, images, {0}), doctest::Contains("1 keys for a batch of 2"));
}
