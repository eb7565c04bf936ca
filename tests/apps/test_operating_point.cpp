// The operating point and the held-out split, against values worked out by hand.
//
// fit_operating_point: the threshold is the (1 - fpr) quantile of the held-out normal
// scores with linear interpolation between order statistics (numpy's default), the median
// the 0.5 quantile; normalize maps median -> 0, threshold -> 0.5, and clips to [0, 1].
// split_holdout: round(fraction·n) images of each class, at least one held out when the
// fraction is positive and the class has two images, never the last one.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>

#include "apps/lib/threshold.h"
#include "apps/lib/training.h"
#include "tensor/error.h"
#include "tests/support/compare.h"

using namespace dn;

namespace {

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/dn_operating_point_" + std::to_string(::getpid()) + "_" + name;
}

data::SampleSet samples(const std::vector<std::pair<std::string, int>>& class_sizes) {
  data::SampleSet set;
  for (const auto& [cls, n] : class_sizes) {
    set.classes.push_back(cls);
    for (int i = 0; i < n; ++i) set.samples.push_back({cls + "/" + std::to_string(i) + ".png", "", cls, "good", 0});
  }
  return set;
}

std::vector<std::string> paths(const data::SampleSet& s) {
  std::vector<std::string> p;
  for (const auto& x : s.samples) p.push_back(x.image_path);
  return p;
}

}  // namespace

TEST_CASE("operating point: quantile threshold and median by hand") {
  // Sorted: 1 2 3 4 5. fpr 0.25: position 0.75·4 = 3 -> 4. Median: position 2 -> 3.
  app::OperatingPoint op = app::fit_operating_point({4, 1, 3, 2, 5}, 0.25, 0.5f);
  CHECK(op.threshold == 4.0);
  CHECK(op.median == 3.0);
  CHECK(op.holdout_images == 5);
  CHECK(op.fpr == 0.25);
  // Colour scale: from min(map_low, median) = 0.5 to threshold + (threshold - 0.5) = 7.5.
  CHECK(op.map_scale.low == 0.5f);
  CHECK(op.map_scale.high == 7.5f);

  // fpr 0.1: position 0.9·4 = 3.6 -> 4 + 0.6·(5 - 4) = 4.6; an even count's median is the mean.
  CHECK_CLOSE(test::compare(app::fit_operating_point({4, 1, 3, 2, 5}, 0.1, 0).threshold, 4.6, test::Measure::absolute), 1e-12);
  CHECK(app::fit_operating_point({10, 20, 30, 40}, 0.5, 0).median == 25.0);
  // One held-out image: threshold and median are that image's score.
  app::OperatingPoint one = app::fit_operating_point({2.5f}, 0.01, 0);
  CHECK(one.threshold == 2.5);
  CHECK(one.median == 2.5);
  // A map percentile above the median: the scale starts at the median.
  CHECK(app::fit_operating_point({4, 1, 3, 2, 5}, 0.25, 9.0f).map_scale.low == 3.0f);
}

TEST_CASE("operating point: normalised scores by hand") {
  app::OperatingPoint op = app::fit_operating_point({4, 1, 3, 2, 5}, 0.25, 0);  // median 3, threshold 4
  CHECK(op.normalize(3.0) == 0.0);
  CHECK(op.normalize(4.0) == 0.5);
  CHECK(op.normalize(5.0) == 1.0);
  CHECK(op.normalize(3.5) == 0.25);
  CHECK(op.normalize(4.5) == 0.75);
  CHECK(op.normalize(-7.0) == 0.0);  // clipped
  CHECK(op.normalize(90.0) == 1.0);  // clipped
  CHECK(op.anomalous(4.0));
  CHECK(!op.anomalous(std::nextafter(4.0, 0.0)));
  // All held-out scores equal: threshold = median, and a score just above it is already 1.
  app::OperatingPoint flat = app::fit_operating_point({2, 2, 2}, 0.01, 0);
  CHECK(flat.normalize(2.0) == 0.5);
  CHECK(flat.normalize(2.001) == 1.0);
  CHECK(flat.normalize(1.999) == 0.0);
}

TEST_CASE("operating point: bad inputs are errors naming the option") {
  CHECK_THROWS_WITH_AS(app::fit_operating_point({}, 0.01, 0), doctest::Contains("--holdout"), Error);
  CHECK_THROWS_WITH_AS(app::fit_operating_point({1, 2}, 0.0, 0), doctest::Contains("--fpr"), Error);
  CHECK_THROWS_WITH_AS(app::fit_operating_point({1, 2}, 1.0, 0), doctest::Contains("--fpr"), Error);
}

TEST_CASE("operating point: threshold.json round-trips, and a broken one names the file") {
  const std::string path = temp_path("threshold.json");
  app::OperatingPoint op = app::fit_operating_point({0.125f, 0.5f, 0.25f, 1.0f}, 0.1, 0.0625f);
  app::write_operating_point(path, op);
  app::OperatingPoint back = app::read_operating_point(path);
  CHECK(back.threshold == op.threshold);
  CHECK(back.median == op.median);
  CHECK(back.fpr == op.fpr);
  CHECK(back.holdout_images == 4);
  CHECK(back.map_scale.low == op.map_scale.low);
  CHECK(back.map_scale.high == op.map_scale.high);

  std::ofstream(path) << "{\"threshold\": 1}";
  CHECK_THROWS_WITH_AS(app::read_operating_point(path), doctest::Contains(path.c_str()), Error);
  std::ofstream(path) << R"({"threshold": 1, "median_normal_score": 0, "fpr": 0.01, "holdout_images": 3,
                             "map_scale": [1, 2, 3]})";
  CHECK_THROWS_WITH_AS(app::read_operating_point(path), doctest::Contains("map_scale"), Error);
  std::remove(path.c_str());
  CHECK_THROWS_WITH_AS(app::read_operating_point(path), doctest::Contains("--holdout"), Error);
}

TEST_CASE("held-out split: counts per class by hand") {
  // 10 images at 0.1 -> 1; 2 images at 0.1 -> round(0.2) = 0, raised to 1; 1 image -> 0
  // (the last one trains); 5 images at 0.5 -> round(2.5) = 3 (half away from zero).
  auto count = [](int n, double fraction) {
    auto [used, held] = app::split_holdout(samples({{"a", n}}), fraction, 7);
    CHECK(used.size() + held.size() == size_t(n));
    return int(held.size());
  };
  CHECK(count(10, 0.1) == 1);
  CHECK(count(2, 0.1) == 1);
  CHECK(count(1, 0.1) == 0);
  CHECK(count(5, 0.5) == 3);
  CHECK(count(4, 0.9) == 3);  // round(3.6) = 4, capped at n - 1
  CHECK(count(10, 0.0) == 0);
  CHECK_THROWS_WITH_AS(app::split_holdout(samples({{"a", 3}}), 1.0, 7), doctest::Contains("--holdout"), Error);
  CHECK_THROWS_WITH_AS(app::split_holdout(samples({{"a", 3}}), -0.1, 7), doctest::Contains("--holdout"), Error);
}

TEST_CASE("held-out split: per class, disjoint, complete, in order, fixed by the seed") {
  const data::SampleSet all = samples({{"bottle", 20}, {"cable", 7}});
  auto [used, held] = app::split_holdout(all, 0.25, 3);
  CHECK(held.only_class("bottle").size() == 5);  // round(5.0)
  CHECK(held.only_class("cable").size() == 2);   // round(1.75)
  CHECK(used.classes == all.classes);
  CHECK(held.classes == all.classes);
  std::vector<std::string> u = paths(used), h = paths(held);
  std::set<std::string> together(u.begin(), u.end());
  together.insert(h.begin(), h.end());
  CHECK(together.size() == all.size());  // disjoint and complete
  // Each part keeps the dataset's order.
  const std::vector<std::string> order = paths(all);
  auto position = [&](const std::string& p) { return std::find(order.begin(), order.end(), p) - order.begin(); };
  CHECK(std::is_sorted(u.begin(), u.end(), [&](auto& a, auto& b) { return position(a) < position(b); }));
  CHECK(std::is_sorted(h.begin(), h.end(), [&](auto& a, auto& b) { return position(a) < position(b); }));
  // The same seed gives the same split; another seed another one.
  CHECK(paths(app::split_holdout(all, 0.25, 3).second) == h);
  CHECK(paths(app::split_holdout(all, 0.25, 4).second) != h);
}
