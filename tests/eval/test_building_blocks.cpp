// The pieces under the metrics: exactly rounded means (statistics.mean), connected regions
// (skimage.measure.label), float order keys, and the reference's AUPRO thresholds
// (numpy 1.x np.arange semantics).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "eval/aupro.h"
#include "eval/connected_components.h"
#include "eval/exact_mean.h"
#include "eval/float_key.h"
#include "eval/sort_scores.h"
#include "fixture.h"
#include "tensor/error.h"

using namespace dn::eval;

namespace {
double from_hex(const std::string& s) { return std::strtod(s.c_str(), nullptr); }
}  // namespace

TEST_CASE("ExactMean equals statistics.mean bit for bit, where a plain sum does not") {
  auto fx = testing::load_fixture("exact_mean.json");
  int naive_differs = 0, plain_sum_differs = 0;
  for (const auto& c : fx["cases"]) {
    ExactMean m;
    double plain = 0;
    size_t n = c["tp"].size();
    for (size_t i = 0; i < n; ++i) {
      double v = double(c["tp"][i].get<int64_t>()) / double(c["area"][i].get<int64_t>());
      m.add(v);
      plain += v;
    }
    double expected = from_hex(c["mean_hex"].get<std::string>());
    CHECK(m.mean() == expected);
    naive_differs += c["mean_hex"] != c["naive_hex"];
    plain_sum_differs += plain / double(n) != expected;
  }
  // The fixture is only a real test if summing naively would have failed on some cases.
  CHECK(naive_differs > 0);
  CHECK(plain_sum_differs > 0);
}

TEST_CASE("ExactMean: edge values and bad input") {
  ExactMean m;
  CHECK_THROWS_AS(m.mean(), dn::Error);
  m.add(0.0);
  CHECK(m.mean() == 0.0);
  m.add(1.0);
  CHECK(m.mean() == 0.5);
  ExactMean thirds;  // (1/3 + 1/3 + 1/3) / 3 rounds once to the double nearest 1/3
  for (int i = 0; i < 3; ++i) thirds.add(1.0 / 3.0);
  CHECK(thirds.mean() == 1.0 / 3.0);
  CHECK_THROWS_AS(m.add(1.5), dn::Error);
  CHECK_THROWS_AS(m.add(-0.1), dn::Error);
  CHECK_THROWS_AS(m.add(std::nan("")), dn::Error);
  CHECK_THROWS_AS(m.add(1e-20), dn::Error);  // below the fixed-point resolution
}

TEST_CASE("label_regions matches skimage.measure.label (8- and 4-connectivity)") {
  auto fx = testing::load_fixture("labels.json");
  for (const auto& c : fx["cases"]) {
    CAPTURE(c["name"].get<std::string>());
    int h = c["height"], w = c["width"];
    std::vector<uint8_t> mask = c["mask"].get<std::vector<uint8_t>>();
    RegionLabels lab = label_regions(mask, h, w);
    std::vector<int32_t> expected = c["labels8"].get<std::vector<int32_t>>();
    CHECK(lab.labels == expected);  // same regions, numbered in the same order
    std::vector<int64_t> areas(size_t(lab.count), 0);
    for (int32_t l : lab.labels)
      if (l) areas[l - 1]++;
    CHECK(areas == c["areas8"].get<std::vector<int64_t>>());
    CHECK(label_regions(mask, h, w, Connectivity::four).count == c["count4"].get<int32_t>());
  }
}

TEST_CASE("label_regions: diagonal neighbours join under 8- but not 4-connectivity") {
  const uint8_t m[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  CHECK(label_regions(m, 3, 3).count == 1);
  CHECK(label_regions(m, 3, 3, Connectivity::four).count == 3);
  // A "U": the two arms meet only at the bottom, after the scan has opened two labels.
  const uint8_t u[12] = {1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1};
  RegionLabels lab = label_regions(u, 4, 3);
  CHECK(lab.count == 1);
  CHECK_THROWS_AS(label_regions(u, 3, 3), dn::Error);
}

TEST_CASE("float_key sorts like the floats and round-trips") {
  const float values[] = {-std::numeric_limits<float>::infinity(), -3.5f, -1e-30f, 0.0f, 1e-40f,
                          0.25f, 0.30000001f, 7.0f, std::numeric_limits<float>::infinity()};
  for (size_t i = 0; i + 1 < std::size(values); ++i) CHECK(float_key(values[i]) < float_key(values[i + 1]));
  for (float v : values) CHECK(key_float(float_key(v)) == v);
  CHECK(float_key(-0.0f) == float_key(0.0f));  // equal floats are one tie
}

TEST_CASE("reference_pro_thresholds reproduces np.arange(min, max, (max-min)/200) of numpy 1.x") {
  auto fx = testing::load_fixture("pro_thresholds.json");
  int with_201 = 0;
  for (const auto& c : fx["cases"]) {
    float lo = float(c["min"].get<double>()), hi = float(c["max"].get<double>());
    CAPTURE(lo);
    CAPTURE(hi);
    std::vector<float> th = reference_pro_thresholds(lo, hi);
    REQUIRE(th.size() == c["count"].get<size_t>());
    with_201 += th.size() == 201;
    auto bits = [](float f) {
      uint32_t u;
      std::memcpy(&u, &f, 4);
      return int64_t(u);
    };
    int64_t sum = 0;
    for (float t : th) sum += bits(t);
    CHECK(sum == c["bits_sum"].get<int64_t>());
    for (int i = 0; i < 3; ++i) {
      CHECK(bits(th[i]) == c["bits_first"][i].get<int64_t>());
      CHECK(bits(th[th.size() - 3 + i]) == c["bits_last"][i].get<int64_t>());
    }
  }
  CHECK(with_201 >= 10);  // the fixture covers the rounding case that yields 201 thresholds
  CHECK(reference_pro_thresholds(0.5f, 0.5f).empty());
}

TEST_CASE("sort_scores sorts like std::sort (ties, signs, zeros, large inputs)") {
  for (size_t n : {size_t(0), size_t(1), size_t(1000), size_t(300000)}) {
    CAPTURE(n);
    std::vector<float> v(n);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; ++i) {
      x = x * 1664525u + 1013904223u;
      float f = float(int(x >> 8) % 20001 - 10000) / 977.0f;  // many ties, both signs
      v[i] = (x & 7) == 0 ? -0.0f : ((x & 7) == 1 ? 0.0f : f);
      if ((x & 15) == 2) v[i] = float(x) * 1e-30f;  // tiny positives
    }
    std::vector<float> expected = v;
    std::sort(expected.begin(), expected.end());
    sort_scores(v);
    CHECK(std::equal(v.begin(), v.end(), expected.begin(), expected.end()));  // -0 == +0
    CHECK(std::is_sorted(v.begin(), v.end()));
  }
}
