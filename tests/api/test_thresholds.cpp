// The library's thresholds: per class (DetectorOptions::class_name, predict(path, class), a
// class folder in an image's path, as the predict command routes) and pooled; the pixel
// threshold; the C interface's dn_open_class, dn_threshold and dn_pixel_threshold. On a copy
// of the test run whose class "woven" is given thresholds of its own, far from the pooled ones.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "dinomaly/detector.h"
#include "dinomaly/dinomaly.h"
#include "tests/api/fixture.h"
#include "tests/apps/app_runner.h"

using namespace dn::test;

namespace {

constexpr double kClassThreshold = 1e30;  // nothing reaches it: every image "normal"
constexpr double kClassPixelThreshold = 123.5;

// The test run with its threshold.json's class "woven" set to the thresholds above.
const std::string& run_with_class_thresholds() {
  static const std::string dir = [] {
    namespace fs = std::filesystem;
    const std::string run = temp_dir("api_class_thresholds") + "/run";
    fs::copy(api_trained_run(), run, fs::copy_options::recursive);
    nlohmann::json t = nlohmann::json::parse(read_file(run + "/threshold.json"));
    REQUIRE(t.at("classes").contains("woven"));
    t["classes"]["woven"]["threshold"] = kClassThreshold;
    t["classes"]["woven"]["pixel_threshold"] = kClassPixelThreshold;
    t["threshold"] = -1e30;  // the pooled one: every image "anomalous"
    std::ofstream(run + "/threshold.json") << t.dump(2);
    return run;
  }();
  return dir;
}

// An image at a path that names no class of the run.
const std::string& classless_image() {
  static const std::string path = [] {
    const std::string p = temp_dir("api_classless") + "/line3/part.png";
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::filesystem::copy_file(api_images()[0], p);
    return p;
  }();
  return path;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("a detector with a class judges by that class's thresholds, without one by the pooled ones") {
  dn::DetectorOptions woven;
  woven.class_name = "woven";
  dn::Detector with_class = dn::Detector::open(run_with_class_thresholds(), woven);
  CHECK(with_class.threshold() == kClassThreshold);
  CHECK(with_class.pixel_threshold() == kClassPixelThreshold);
  CHECK(with_class.predict(classless_image()).anomalous == 0);

  dn::Detector pooled = dn::Detector::open(run_with_class_thresholds());
  CHECK(pooled.threshold() == -1e30);
  CHECK(std::isfinite(pooled.pixel_threshold()));
  CHECK(pooled.predict(classless_image()).anomalous == 1);  // no class in its path: pooled
  // A class folder in the path routes the image, as predict does (api_images are under woven/).
  CHECK(pooled.predict(api_images()[0]).anomalous == 0);
  // An explicit class, for the same classless image.
  CHECK(pooled.predict(classless_image(), "woven").anomalous == 0);
  // The score does not depend on the threshold.
  CHECK(pooled.predict(classless_image(), "woven").score == pooled.predict(classless_image()).score);
}

TEST_CASE("an unknown class is an error naming the run's classes") {
  dn::DetectorOptions cable;
  cable.class_name = "cable";
  try {
    dn::Detector::open(run_with_class_thresholds(), cable);
    FAIL("opened with an unknown class");
  } catch (const std::exception& e) {
    CHECK(contains(e.what(), "cable"));
    CHECK(contains(e.what(), "its classes: woven"));
  }
  dn::Detector d = dn::Detector::open(run_with_class_thresholds());
  CHECK_THROWS_WITH(d.predict(classless_image(), "cable"), doctest::Contains("its classes: woven"));
}

TEST_CASE("C: dn_open_class chooses the class's thresholds; dn_threshold and dn_pixel_threshold report them") {
  char err[512] = "unset";
  dn_detector* d = dn_open_class(run_with_class_thresholds().c_str(), "woven", "cpu", err, sizeof err);
  REQUIRE_MESSAGE(d != nullptr, err);
  CHECK(dn_threshold(d) == kClassThreshold);
  CHECK(dn_pixel_threshold(d) == kClassPixelThreshold);
  dn_result r;
  REQUIRE_MESSAGE(dn_predict_file(d, classless_image().c_str(), &r, err, sizeof err) == 0, err);
  CHECK(r.anomalous == 0);
  dn_close(d);

  d = dn_open(run_with_class_thresholds().c_str(), "cpu", err, sizeof err);
  REQUIRE_MESSAGE(d != nullptr, err);
  CHECK(dn_threshold(d) == -1e30);
  REQUIRE_MESSAGE(dn_predict_file(d, classless_image().c_str(), &r, err, sizeof err) == 0, err);
  CHECK(r.anomalous == 1);
  dn_close(d);

  CHECK(dn_open_class(run_with_class_thresholds().c_str(), "cable", "cpu", err, sizeof err) == nullptr);
  CHECK(contains(err, "its classes: woven"));
  CHECK(std::isnan(dn_threshold(nullptr)));
  CHECK(std::isnan(dn_pixel_threshold(nullptr)));
}
