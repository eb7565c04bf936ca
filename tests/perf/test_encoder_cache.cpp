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
  CHECK(cache.misses() == 2);  // images: both in the first step
  CHECK(cache.hits() == 4);
  auto pa = a.named_parameters(), pb = b.named_parameters();
  for (size_t i = 0; i < pa.size(); ++i) {
    CAPTURE(pa[i].first);
    CHECK(to_vector<float>(pa[i].second) == to_vector<float>(pb[i].second));
  }
}

namespace {

// Every output of a batch equals the encoder's on the whole batch, bit for bit.
void check_same(const EncodedBatch& got, const EncodedBatch& want) {
  CHECK(to_vector<float>(got.fused) == to_vector<float>(want.fused));
  REQUIRE(got.en.size() == want.en.size());
  for (size_t g = 0; g < got.en.size(); ++g) {
    CHECK(got.en[g].shape() == want.en[g].shape());
    CHECK(to_vector<float>(got.en[g]) == to_vector<float>(want.en[g]));
  }
}

}  // namespace

TEST_CASE("the encoder cache keeps nothing past its byte limit") {
  Tensor images = test::formula_tensor("input", {2, 3, 70, 70}, DType::f32);
  Generator gen(5);
  Dinomaly m(tiny(), &gen);
  test::fill_with_formula(m);
  // (T + 2·h·w)·D floats per image: (1 + 4 + 25 + 2·25)·32·4 bytes
  CHECK(EncoderCache::bytes_per_image(m.config, 70) == 10240);
  EncoderCache none(16);  // smaller than one image's outputs
  none.get(m, images, {0, 1});
  none.get(m, images, {0, 1});
  CHECK(none.bytes() == 0);
  CHECK(none.images() == 0);
  CHECK(none.misses() == 4);
  EncoderCache one(10240 + 100);
  one.get(m, images, {0, 1});
  CHECK(one.bytes() == 10240);
  CHECK_THROWS_WITH(one.get(m, images, {0}), doctest::Contains("1 keys for a batch of 2"));
}

TEST_CASE("the encoder cache encodes an image past its budget again each time, alone, and never keeps it") {
  // Three images; room for two. Key k names image k of `all`.
  const Tensor all = test::formula_tensor("input", {3, 3, 70, 70}, DType::f32);
  auto pick = [&](std::vector<int64_t> keys) {
    std::vector<Tensor> rows;
    for (int64_t k : keys) rows.push_back(kernel::squeeze(kernel::narrow(all, 0, k, 1), 0));
    return kernel::contiguous(stack(rows, 0));
  };
  Generator gen(5);
  Dinomaly m(tiny(), &gen);
  test::fill_with_formula(m);
  const size_t per_image = EncoderCache::bytes_per_image(m.config, 70);
  EncoderCache cache(2 * per_image + per_image / 2);

  // First epoch: images 2, 0, 1 in that order; 2 and 0 fit, 1 does not.
  check_same(cache.get(m, pick({2, 0}), {2, 0}), m.encode(pick({2, 0})));
  CHECK(cache.images() == 2);
  check_same(cache.get(m, pick({1, 2}), {1, 2}), m.encode(pick({1, 2})));
  CHECK(cache.images() == 2);
  CHECK(cache.bytes() == 2 * per_image);
  CHECK(cache.misses() == 3);
  CHECK(cache.hits() == 1);
  // Later: image 1 is encoded again, on its own, between two cached ones.
  check_same(cache.get(m, pick({0, 1, 2}), {0, 1, 2}), m.encode(pick({0, 1, 2})));
  CHECK(cache.misses() == 4);
  CHECK(cache.hits() == 3);
  check_same(cache.get(m, pick({2, 0}), {2, 0}), m.encode(pick({2, 0})));
  CHECK(cache.misses() == 4);
  CHECK(cache.hits() == 5);
  CHECK(cache.images() == 2);
  CHECK(cache.bytes() == 2 * per_image);
}
