// The operating points and the held-out split, against values worked out by hand.
//
// quantile: linear interpolation between order statistics (numpy's default).
// fit_operating_point: the image threshold is the (1 - fpr) quantile of the held-out normal
// scores (their maximum when there are fewer than 1/fpr of them), the median the 0.5
// quantile, the pixel threshold the (1 - fpr) quantile of all map values; normalize maps
// median -> 0, threshold -> 0.5, and clips to [0, 1]. Per class and pooled thresholds are
// kept in threshold.json; a file written before they existed still reads.
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

namespace {

// 101 map values 100, 99, ..., 0 (out of order on purpose): their quantile q is 100·q.
std::vector<float> zero_to_hundred() {
  std::vector<float> v;
  for (int i = 100; i >= 0; --i) v.push_back(float(i));
  return v;
}

}  // namespace

TEST_CASE("quantile by hand") {
  std::vector<float> v = {4, 1, 3, 2, 5};  // sorted 1 2 3 4 5
  CHECK(app::quantile(v, 0.75) == 4.0);    // position 0.75·4 = 3
  CHECK(app::quantile(v, 0.5) == 3.0);
  CHECK(app::quantile(v, 0.0) == 1.0);
  CHECK(app::quantile(v, 1.0) == 5.0);
  CHECK_CLOSE(test::compare(app::quantile(v, 0.9), 4.6, test::Measure::absolute), 1e-12);  // 3.6 -> 4 + 0.6
  std::vector<float> even = {40, 10, 30, 20};
  CHECK(app::quantile(even, 0.5) == 25.0);  // an even count's median is the mean of the middle two
  std::vector<float> one = {2.5f};
  CHECK(app::quantile(one, 0.99) == 2.5);
  std::vector<float> none;
  CHECK_THROWS_AS(app::quantile(none, 0.5), Error);
}

TEST_CASE("operating point: image and pixel thresholds, median and scale by hand") {
  // 5 scores at fpr 0.25 (5·0.25 >= 1: a quantile): position 0.75·4 = 3 -> 4. Median 3.
  // Pixels 0..100: threshold at the 0.75 quantile = 75, the scale from the 0.01 quantile = 1
  // to threshold + (threshold - 1) = 7.
  app::OperatingPoint op = app::fit_operating_point({4, 1, 3, 2, 5}, zero_to_hundred(), 0.25);
  CHECK(op.threshold == 4.0);
  CHECK(op.median == 3.0);
  REQUIRE(op.pixel_threshold.has_value());
  CHECK(*op.pixel_threshold == 75.0);
  CHECK(op.image_fit == "quantile");
  CHECK(op.holdout_images == 5);
  CHECK(op.fpr == 0.25);
  CHECK(op.map_scale.low == 1.0f);
  CHECK(op.map_scale.high == 7.0f);

  // fpr 0.1 with 5 scores: fewer than 1/fpr = 10, so the maximum; the pixels still a quantile.
  app::OperatingPoint few = app::fit_operating_point({4, 1, 3, 2, 5}, zero_to_hundred(), 0.1);
  CHECK(few.threshold == 5.0);
  CHECK(few.image_fit == "maximum");
  CHECK(*few.pixel_threshold == 90.0);
  // 10 scores 1..10 at fpr 0.1 (exactly 1/fpr): position 0.9·9 = 8.1 -> 9 + 0.1 = 9.1.
  app::OperatingPoint ten = app::fit_operating_point({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, zero_to_hundred(), 0.1);
  CHECK(ten.image_fit == "quantile");
  CHECK_CLOSE(test::compare(ten.threshold, 9.1, test::Measure::absolute), 1e-12);
  CHECK(ten.median == 5.5);
  // One held-out image: threshold and median are that image's score.
  app::OperatingPoint one = app::fit_operating_point({2.5f}, {0, 1}, 0.01);
  CHECK(one.threshold == 2.5);
  CHECK(one.median == 2.5);
  // A map percentile above the median: the scale starts at the median.
  CHECK(app::fit_operating_point({4, 1, 3, 2, 5}, {9, 9, 9}, 0.25).map_scale.low == 3.0f);
}

TEST_CASE("operating point: normalised scores by hand") {
  app::OperatingPoint op = app::fit_operating_point({4, 1, 3, 2, 5}, {0}, 0.25);  // median 3, threshold 4
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
  app::OperatingPoint flat = app::fit_operating_point({2, 2, 2}, {0}, 0.01);
  CHECK(flat.normalize(2.0) == 0.5);
  CHECK(flat.normalize(2.001) == 1.0);
  CHECK(flat.normalize(1.999) == 0.0);
}

TEST_CASE("operating point: bad inputs are errors naming the option") {
  CHECK_THROWS_WITH_AS(app::fit_operating_point({}, {0}, 0.01), doctest::Contains("--holdout"), Error);
  CHECK_THROWS_WITH_AS(app::fit_operating_point({1, 2}, {0}, 0.0), doctest::Contains("--fpr"), Error);
  CHECK_THROWS_WITH_AS(app::fit_operating_point({1, 2}, {0}, 1.0), doctest::Contains("--fpr"), Error);
  app::OperatingPoint op = app::fit_operating_point({1, 2}, {0}, 0.5);
  CHECK_THROWS_WITH_AS(app::refit_image_threshold(op, {1, 2}, 1.5), doctest::Contains("--fpr"), Error);
}

TEST_CASE("per-class thresholds: refitted from held-out scores by hand, the pooled one from all") {
  // a: 1..10; b: 10 20 30 40 50; pooled (15): 1..10 10 20 30 40 50.
  const app::HoldoutScores scores = {{"a", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}, {"b", {50, 10, 40, 20, 30}}};
  app::Thresholds t;
  t.pooled = app::fit_operating_point({1}, {0}, 0.5);
  t.classes["a"] = t.classes["b"] = t.pooled;
  // fpr 0.5: a at position 4.5 -> 5.5; b at 2 -> 30; pooled at 7 -> 8.
  app::Thresholds half = app::refit_thresholds(t, scores, 0.5);
  CHECK(half.classes.at("a").threshold == 5.5);
  CHECK(half.classes.at("b").threshold == 30.0);
  CHECK(half.pooled.threshold == 8.0);
  CHECK(half.pooled.holdout_images == 15);
  // fpr 0.1: a (10 = 1/fpr) at 8.1 -> 9.1; b (5 < 10) its maximum 50; pooled at 12.6 -> 30 + 0.6·10.
  app::Thresholds tenth = app::refit_thresholds(t, scores, 0.1);
  CHECK_CLOSE(test::compare(tenth.classes.at("a").threshold, 9.1, test::Measure::absolute), 1e-12);
  CHECK(tenth.classes.at("b").threshold == 50.0);
  CHECK(tenth.classes.at("b").image_fit == "maximum");
  CHECK_CLOSE(test::compare(tenth.pooled.threshold, 36.0, test::Measure::absolute), 1e-12);
  // A class without its own operating point gets the pooled one.
  CHECK(&half.for_class("a") == &half.classes.at("a"));
  CHECK(&half.for_class("c") == &half.pooled);
  CHECK(&half.for_class("") == &half.pooled);
}

TEST_CASE("overrides: one image or pixel threshold for the pooled point and every class") {
  app::Thresholds t;
  t.pooled = app::fit_operating_point({1, 2, 3}, {0, 1}, 0.5);
  t.classes["a"] = app::fit_operating_point({4, 5, 6}, {0, 1}, 0.5);
  app::set_image_threshold(t, 7.5);
  CHECK(t.pooled.threshold == 7.5);
  CHECK(t.classes.at("a").threshold == 7.5);
  CHECK(t.classes.at("a").median == 5.0);  // the rest stays
  app::set_pixel_threshold(t, 0.25);
  CHECK(t.pooled.pixel_threshold == 0.25);
  CHECK(t.classes.at("a").pixel_threshold == 0.25);
  CHECK_THROWS_WITH_AS(app::set_image_threshold(t, std::nan("")), doctest::Contains("--threshold"), Error);
  CHECK_THROWS_WITH_AS(app::set_pixel_threshold(t, INFINITY), doctest::Contains("--pixel-threshold"), Error);
}

TEST_CASE("threshold.json round-trips with its classes, and a broken one names the file") {
  const std::string path = temp_path("threshold.json");
  app::Thresholds t;
  t.pooled = app::fit_operating_point({0.125f, 0.5f, 0.25f, 1.0f}, {0.0625f, 0.5f}, 0.1);
  t.classes["bottle"] = app::fit_operating_point({0.125f, 0.5f}, {0.0625f, 0.25f}, 0.1);
  t.classes["cable"] = app::fit_operating_point({0.25f, 1.0f}, {0.5f, 0.75f}, 0.1);
  app::write_thresholds(path, t);
  app::Thresholds back = app::read_thresholds(path);
  auto same = [](const app::OperatingPoint& a, const app::OperatingPoint& b) {
    CHECK(a.threshold == b.threshold);
    CHECK(a.median == b.median);
    CHECK(a.pixel_threshold == b.pixel_threshold);
    CHECK(a.fpr == b.fpr);
    CHECK(a.holdout_images == b.holdout_images);
    CHECK(a.image_fit == b.image_fit);
    CHECK(a.map_scale.low == b.map_scale.low);
    CHECK(a.map_scale.high == b.map_scale.high);
  };
  same(back.pooled, t.pooled);
  REQUIRE(back.classes.size() == 2);
  same(back.classes.at("bottle"), t.classes.at("bottle"));
  same(back.classes.at("cable"), t.classes.at("cable"));
  // The pooled values stay at the top level under their old keys.
  nlohmann::json j = nlohmann::json::parse(std::ifstream(path));
  CHECK(j.at("threshold").get<double>() == t.pooled.threshold);
  CHECK(j.at("pixel_threshold").get<double>() == *t.pooled.pixel_threshold);
  CHECK(j.at("classes").at("cable").at("holdout_images").get<int>() == 2);

  std::ofstream(path) << "{\"threshold\": 1}";
  CHECK_THROWS_WITH_AS(app::read_thresholds(path), doctest::Contains(path.c_str()), Error);
  std::ofstream(path) << R"({"threshold": 1, "median_normal_score": 0, "fpr": 0.01, "holdout_images": 3,
                             "map_scale": [1, 2, 3]})";
  CHECK_THROWS_WITH_AS(app::read_thresholds(path), doctest::Contains("map_scale"), Error);
  std::ofstream(path) << R"({"threshold": 1, "median_normal_score": 0, "fpr": 0.01, "holdout_images": 3,
                             "map_scale": [1, 2], "classes": {"bottle": {"threshold": 2}}})";
  CHECK_THROWS_WITH_AS(app::read_thresholds(path), doctest::Contains("bottle"), Error);
  std::remove(path.c_str());
  CHECK_THROWS_WITH_AS(app::read_thresholds(path), doctest::Contains("--holdout"), Error);
}

TEST_CASE("a threshold.json from before per-class and pixel thresholds loads: pooled for every class") {
  const std::string path = temp_path("old_threshold.json");
  std::ofstream(path) << R"({"method": "quantile of held-out normal training images", "threshold": 0.25,
                             "median_normal_score": 0.125, "fpr": 0.01, "holdout_images": 4,
                             "map_scale": [0.0625, 0.375]})";
  app::Thresholds t = app::read_thresholds(path);
  CHECK(t.classes.empty());
  CHECK(t.pooled.threshold == 0.25);
  CHECK(!t.pooled.pixel_threshold.has_value());
  CHECK(t.pooled.image_fit == "quantile");
  CHECK(t.for_class("bottle").threshold == 0.25);
  CHECK(app::read_operating_point(path).median == 0.125);
  std::remove(path.c_str());
}

TEST_CASE("holdout_scores.json round-trips") {
  const std::string path = temp_path("holdout_scores.json");
  const app::HoldoutScores scores = {{"a", {0.125f, 0.3f}}, {"b", {1e-7f}}};
  app::write_holdout_scores(path, scores);
  CHECK(app::read_holdout_scores(path) == scores);  // floats read back exactly
  std::remove(path.c_str());
  CHECK_THROWS_WITH_AS(app::read_holdout_scores(path), doctest::Contains(path.c_str()), Error);
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
