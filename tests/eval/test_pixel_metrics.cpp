// Pixel metrics and AUPRO against sklearn on ravelled maps, the reference's compute_pro
// (tools/eval/make_fixtures.py runs it unchanged but for np.bool/DataFrame.append), and the
// standard MVTec AUPRO; plus the undefined cases.
#include <doctest/doctest.h>

#include "tests/support/compare.h"

#include <cmath>

#include "eval/class_evaluator.h"
#include "eval/pixel_metrics.h"
#include "fixture.h"
#include "synthetic.h"
#include "tensor/error.h"
#include "tensor/ops.h"

using namespace dn::eval;

namespace {

constexpr double kMetricTolerance = 1e-9;

PixelMetrics pixel_metrics_with_pro(const testing::PixelClass& c, PixelMetricOptions options = {}) {
  options.standard_aupro = true;
  PixelAccumulator acc(options);
  const size_t n = size_t(c.height) * c.width;
  for (int k = 0; k < c.n; ++k)
    acc.add(std::span(c.maps).subspan(k * n, n), std::span(c.masks).subspan(k * n, n), c.height, c.width);
  return acc.finish();
}

void check_against(const nlohmann::json& e, const PixelMetrics& m) {
  if (e.is_null()) {
    CHECK(!m.auroc);
    CHECK(!m.ap);
    CHECK(!m.f1max);
    CHECK(!m.aupro);
    CHECK(!m.warnings.empty());
    return;
  }
  REQUIRE(m.auroc);
  CHECK(m.exact);
  CHECK_CLOSE(dn::test::compare(*m.auroc, e["auroc"].get<double>(), dn::test::Measure::absolute), kMetricTolerance);
  CHECK_CLOSE(dn::test::compare(*m.ap, e["ap"].get<double>(), dn::test::Measure::absolute), kMetricTolerance);
  CHECK_CLOSE(dn::test::compare(*m.f1max, e["f1max"].get<double>(), dn::test::Measure::absolute), kMetricTolerance);
  CHECK(*m.f1_threshold == float(e["f1_threshold"].get<double>()));
  if (e["aupro"].is_null()) {
    CHECK(!m.aupro);  // the reference raises here; we report null with a warning
    CHECK(!m.warnings.empty());
  } else {
    REQUIRE(m.aupro);
    CHECK_CLOSE(dn::test::compare(*m.aupro, e["aupro"].get<double>(), dn::test::Measure::absolute), kMetricTolerance);
  }
  REQUIRE(m.aupro_standard);
  CHECK_CLOSE(dn::test::compare(*m.aupro_standard, e["aupro_standard"].get<double>(), dn::test::Measure::absolute), kMetricTolerance);
}

}  // namespace

TEST_CASE("pixel metrics and both AUPROs match the oracles on generated classes") {
  auto fx = testing::load_fixture("pixel.json");
  int cases = 0;
  for (const auto& c : fx["cases"]) {
    if (!c.contains("generator")) continue;
    CAPTURE(c["name"].get<std::string>());
    const auto& g = c["generator"];
    testing::PixelClass data = testing::pixel_class(g["n"], g["height"], g["width"], g["seed"], g["levels"], g["denom"]);
    int64_t mask_pixels = 0;
    double map_sum = 0;
    for (size_t i = 0; i < data.maps.size(); ++i) {
      mask_pixels += data.masks[i];
      map_sum += data.maps[i];
    }
    REQUIRE(mask_pixels == c["checksum"]["mask_pixels"].get<int64_t>());
    REQUIRE(map_sum == doctest::Approx(c["checksum"]["map_sum"].get<double>()).epsilon(1e-12));
    check_against(c["expect"], pixel_metrics_with_pro(data));
    ++cases;
  }
  CHECK(cases == 4);
}

TEST_CASE("pixel metrics on the explicit cases: diagonal regions, all-equal maps, no defect pixel") {
  auto fx = testing::load_fixture("pixel.json");
  int cases = 0;
  for (const auto& c : fx["cases"]) {
    if (!c.contains("maps")) continue;
    CAPTURE(c["name"].get<std::string>());
    auto shape = c["shape"].get<std::vector<int>>();
    testing::PixelClass data{shape[0], shape[1], shape[2], {}, c["masks"].get<std::vector<uint8_t>>()};
    for (double v : c["maps"].get<std::vector<double>>()) data.maps.push_back(float(v));
    PixelMetrics m = pixel_metrics_with_pro(data);
    if (c["expect"].is_null()) {
      check_against(c["expect"], m);
    } else {
      // The standard AUPRO is always defined where a region exists, even for equal maps.
      check_against(c["expect"], m);
    }
    ++cases;
  }
  CHECK(cases == 3);
}

TEST_CASE("the reference AUPRO differs from the standard one (the two definitions are not mixed up)") {
  testing::PixelClass data = testing::pixel_class(9, 48, 40, 77, 1 << 16, 65521);
  PixelMetrics m = pixel_metrics_with_pro(data);
  REQUIRE(m.aupro);
  REQUIRE(m.aupro_standard);
  CHECK(*m.aupro != doctest::Approx(*m.aupro_standard).epsilon(1e-6));
  CHECK(*m.aupro > 0.0);
  CHECK(*m.aupro <= 1.0);
}

TEST_CASE("PixelAccumulator rejects bad input with a clear error") {
  PixelAccumulator acc;
  std::vector<float> map(12, 0.5f);
  std::vector<uint8_t> mask(12, 0);
  CHECK_THROWS_AS(acc.add(map, mask, 3, 5), dn::Error);
  map[3] = std::nanf("");
  CHECK_THROWS_AS(acc.add(map, mask, 3, 4), dn::Error);
  map[3] = INFINITY;
  CHECK_THROWS_AS(acc.add(map, mask, 3, 4), dn::Error);
}

TEST_CASE("ClassEvaluator: undefined metrics are null with a warning, never a crash") {
  std::vector<float> map(16, 0.1f);
  std::vector<uint8_t> none;
  SUBCASE("only normal images") {
    ClassEvaluator ev("only_good");
    for (int i = 0; i < 3; ++i) ev.add("good/" + std::to_string(i) + ".png", 0, 0.1f * i, map, none, 4, 4);
    ClassMetrics m = ev.finish();
    CHECK(m.n_test == 3);
    CHECK(m.n_anomalous == 0);
    CHECK(!m.image.auroc);
    CHECK(!m.pixel.auroc);
    CHECK(!m.pixel.aupro);
    CHECK(m.warnings.size() >= 2);
  }
  SUBCASE("an anomalous image without a mask") {
    ClassEvaluator ev("no_masks");
    ev.add("good/0.png", 0, 0.1f, map, none, 4, 4);
    ev.add("bad/0.png", 1, 0.9f, map, none, 4, 4);
    ClassMetrics m = ev.finish();
    REQUIRE(m.image.auroc);
    CHECK(*m.image.auroc == 1.0);
    CHECK(!m.pixel.auroc);
    CHECK(!m.pixel.aupro);
    bool mentions = false;
    for (const auto& w : m.warnings) mentions |= w.find("bad/0.png") != std::string::npos;
    CHECK(mentions);
  }
  SUBCASE("tensor input") {
    ClassEvaluator ev("tensors");
    dn::Tensor t = dn::from_vector<float>(std::vector<float>(16, 0.2f), {1, 4, 4});
    std::vector<uint8_t> bits(16, 0);
    bits[5] = 1;
    dn::Tensor mask = dn::from_vector<uint8_t>(bits, {4, 4});
    ev.add("good/0.png", 0, 0.1f, t, dn::Tensor());
    ev.add("bad/0.png", 1, 0.3f, t, mask);
    CHECK_THROWS_AS(ev.add("bad/1.png", 2, 0.3f, t, mask), dn::Error);
    CHECK_THROWS_AS(ev.add("bad/2.png", 1, 0.3f, t, dn::from_vector<uint8_t>(bits, {2, 8})), dn::Error);
    ClassMetrics m = ev.finish();
    CHECK(m.pixel.defect_pixels == 1);
    CHECK(m.pixel.normal_pixels == 31);
    CHECK(ev.scores().size() == 2);
  }
  SUBCASE("a batch of tensors gives the same metrics as image by image") {
    testing::PixelClass data = testing::pixel_class(6, 16, 12, 3, 500, 499);
    std::vector<std::string> paths;
    std::vector<int> labels;
    std::vector<float> scores;
    for (int k = 0; k < 6; ++k) {
      paths.push_back("img" + std::to_string(k));
      labels.push_back(k % 3 != 0);
      scores.push_back(0.1f * float(k % 4));
    }
    ClassEvaluator one("c"), batch("c");
    for (int k = 0; k < 6; ++k)
      one.add(paths[k], labels[k], scores[k], std::span(data.maps).subspan(k * 192, 192),
              std::span(data.masks).subspan(k * 192, 192), 16, 12);
    dn::Tensor s = dn::from_vector<float>(scores, {6});
    dn::Tensor maps = dn::from_vector<float>(data.maps, {6, 1, 16, 12});
    dn::Tensor masks = dn::from_vector<uint8_t>(data.masks, {6, 1, 16, 12});
    batch.add_batch({paths.begin(), paths.begin() + 3}, {labels.begin(), labels.begin() + 3},
                    dn::kernel::narrow(s, 0, 0, 3), dn::kernel::narrow(maps, 0, 0, 3), dn::kernel::narrow(masks, 0, 0, 3));
    batch.add_batch({paths.begin() + 3, paths.end()}, {labels.begin() + 3, labels.end()},
                    dn::kernel::narrow(s, 0, 3, 3), dn::kernel::narrow(maps, 0, 3, 3), dn::kernel::narrow(masks, 0, 3, 3));
    CHECK_THROWS_AS(batch.add_batch({"x"}, {0}, s, maps, masks), dn::Error);
    ClassMetrics a = one.finish(), b = batch.finish();
    CHECK(*a.image.auroc == *b.image.auroc);
    CHECK(*a.pixel.auroc == *b.pixel.auroc);
    CHECK(*a.pixel.aupro == *b.pixel.aupro);
    CHECK(b.n_test == 6);
  }
}
