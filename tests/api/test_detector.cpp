// dn::Detector against the predict command on the same run and images: the same score to
// the last bit, the same label and normalised score; and the map in the original image's
// frame, with the band the centre crop leaves out marked NaN.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "data/image.h"
#include "dinomaly/detector.h"
#include "tests/api/fixture.h"

using namespace dn::test;

namespace {

std::string label_of(int anomalous) { return anomalous == 1 ? "anomalous" : anomalous == 0 ? "normal" : ""; }

}  // namespace

TEST_CASE("the library scores images exactly as predict does") {
  const auto rows = predict_rows();
  REQUIRE(rows.size() == 3);
  dn::Detector detector = dn::Detector::open(api_trained_run());
  REQUIRE(detector.has_threshold());
  for (const auto& row : rows) {
    CAPTURE(row[0]);
    REQUIRE(row.size() == 7);  // path, score, normalised score, label, heatmap (none), class, threshold
    const dn::Prediction p = detector.predict(row[0]);
    CHECK(float(p.score) == std::stof(row[1]));  // predict prints text that reads back as the float
    CHECK(double(float(p.score)) == p.score);     // ... and the library's double holds that float
    char normalised[32];
    std::snprintf(normalised, sizeof normalised, "%.4f", p.normalized_score);
    CHECK(std::string(normalised) == row[2]);
    CHECK(label_of(p.anomalous) == row[3]);
  }
}

TEST_CASE("an image in memory scores as the same image read from its file") {
  dn::Detector detector = dn::Detector::open(api_trained_run());
  for (const std::string& path : {api_images()[1], non_square_image()}) {
    CAPTURE(path);
    const dn::data::Image rgb = dn::data::read_image(path, 3);
    const dn::Prediction from_file = detector.predict(path);
    const dn::Prediction from_memory = detector.predict_rgb(rgb.pixels.data(), rgb.width, rgb.height);
    CHECK(from_memory.score == from_file.score);
    CHECK(from_memory.anomalous == from_file.anomalous);
    REQUIRE(from_memory.map.size() == from_file.map.size());
    bool same = true;
    for (size_t i = 0; i < from_file.map.size(); ++i)
      same = same && (from_memory.map[i] == from_file.map[i] ||
                      (std::isnan(from_memory.map[i]) && std::isnan(from_file.map[i])));
    CHECK(same);
  }
}

TEST_CASE("the map has the original image's size and NaN where the centre crop left the image out") {
  dn::Detector detector = dn::Detector::open(api_trained_run());
  const dn::Prediction p = detector.predict(non_square_image());
  REQUIRE(p.width == 120);
  REQUIRE(p.height == 75);
  REQUIRE(p.map.size() == size_t(120 * 75));
  // The run resizes to 84 x 84 and crops the centre 70 x 70 (7 px off each side). Across:
  // 120 -> 84 scales by 0.7, so the crop starts at original x = 7 / 0.7 = 10 and ends at
  // 77 / 0.7 = 110. Down: 75 -> 84 scales by 1.12; pixel centres (y + 0.5) * 1.12 fall in
  // [7, 77) for y = 6 .. 68.
  auto inspected = [](int x, int y) { return x >= 10 && x < 110 && y >= 6 && y <= 68; };
  int wrong = 0;
  for (int y = 0; y < 75; ++y)
    for (int x = 0; x < 120; ++x) {
      const float v = p.map[size_t(y) * 120 + x];
      wrong += inspected(x, y) ? !std::isfinite(v) : !std::isnan(v);
    }
  CHECK(wrong == 0);
}
